# Turns compiled catalogues (.mo) into a C++ source, so the one binary carries its languages and
# needs no locale directory or system locale to speak them. Run with -DOUT=file.cpp -DLANGS="kk;ru"
# -DDIR=<where LANG.mo are>.
set(body "// Generated from po/*.po by cmake/embed_catalogues.cmake; do not edit.\n#include <string_view>\nnamespace epsync::i18n_data {\n")
foreach(lang IN LISTS LANGS)
  file(READ "${DIR}/${lang}.mo" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(REGEX REPLACE "(([^,]*,){24})" "\\1\n" bytes "${bytes}")
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(APPEND body "static const char ${lang}_mo[] = {\n${bytes}};\n")
  string(APPEND body "extern const std::string_view ${lang}{${lang}_mo, ${size}};\n")
endforeach()
string(APPEND body "}  // namespace epsync::i18n_data\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
