// The doctest main of every test binary. The tests read English unless they ask for a language
// (`--lang`), whatever the locale of the person running them: the binaries they start inherit this.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES"}) unsetenv(name);
  setenv("LANG", "C.UTF-8", 1);
  return doctest::Context(argc, argv).run();
}
