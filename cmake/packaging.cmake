# Installation layout and the Debian package (cpack -G DEB).
#
#   cmake --install build --prefix /usr            # onto this machine
#   cd build && cpack -G DEB                       # epsync_<version>-1_<arch>.deb
#
# Everything but the configuration lives under the prefix (/usr in the package):
#   bin/epsync, bin/epsync-certs, lib/systemd/system/epsync-{agent,hub}.service,
#   lib/sysusers.d/epsync.conf, lib/tmpfiles.d/epsync.conf, share/man/man1/epsync.1.gz,
#   share/doc/epsync/
# The example configurations go to ${EPSYNC_INSTALL_CONFDIR} (/etc/epsync), as conffiles in
# the package. Sources of all of these: systemd/ (and certs/epsync-certs).

set(EPSYNC_INSTALL_CONFDIR "/etc/epsync" CACHE PATH
    "Where the example agent.toml and hub.toml are installed (absolute)")
set(_pkg_src "${PROJECT_SOURCE_DIR}/systemd")

# The program and the certificate tool.
install(TARGETS epsync RUNTIME DESTINATION bin)
install(PROGRAMS "${PROJECT_SOURCE_DIR}/certs/epsync-certs" DESTINATION bin)

# systemd: the units, the service user and the directories.
install(FILES "${_pkg_src}/epsync-agent.service" "${_pkg_src}/epsync-hub.service"
        DESTINATION lib/systemd/system)
install(FILES "${_pkg_src}/epsync.sysusers" DESTINATION lib/sysusers.d RENAME epsync.conf)
install(FILES "${_pkg_src}/epsync.tmpfiles" DESTINATION lib/tmpfiles.d RENAME epsync.conf)

# Commented example configurations, under their real names (conffiles: dpkg keeps the
# administrator's edits across upgrades).
install(FILES "${_pkg_src}/agent.toml.example" DESTINATION "${EPSYNC_INSTALL_CONFDIR}" RENAME agent.toml)
install(FILES "${_pkg_src}/hub.toml.example" DESTINATION "${EPSYNC_INSTALL_CONFDIR}" RENAME hub.toml)

# The manual page, compressed as Debian policy wants (gzip -n: no name or time stamp, so the
# package is reproducible).
find_program(EPSYNC_GZIP gzip)
if(EPSYNC_GZIP)
  set(_man_gz "${CMAKE_CURRENT_BINARY_DIR}/packaging/epsync.1.gz")
  add_custom_command(OUTPUT "${_man_gz}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/packaging"
    COMMAND "${CMAKE_COMMAND}" -E copy "${_pkg_src}/epsync.1" "${CMAKE_CURRENT_BINARY_DIR}/packaging/epsync.1"
    COMMAND "${EPSYNC_GZIP}" -9nf "${CMAKE_CURRENT_BINARY_DIR}/packaging/epsync.1"
    DEPENDS "${_pkg_src}/epsync.1"
    COMMENT "Compressing the epsync(1) manual page"
    VERBATIM)
  add_custom_target(epsync_man ALL DEPENDS "${_man_gz}")
  install(FILES "${_man_gz}" DESTINATION share/man/man1)
else()
  install(FILES "${_pkg_src}/epsync.1" DESTINATION share/man/man1)
endif()

# Documentation the units and the man page refer to.
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION share/doc/epsync)
install(FILES "${PROJECT_SOURCE_DIR}/certs/README.md" DESTINATION share/doc/epsync RENAME README.certs.md)

# ---------------------------------------------------------------------------------------------
# CPack: one Debian package, epsync.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "epsync")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "epsync")
set(CPACK_PACKAGE_CONTACT "epsync maintainers <epsync@example.kz>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "offline-first record keeping and sync for EPS training centres")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)

set(CPACK_DEBIAN_PACKAGE_NAME "epsync")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)                  # epsync_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The extended description (CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it as the
# synopsis and indents every line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"Training centres that prepare Kazakhstan's candidates for South Korea's
Employment Permit System keep trainees, Korean course hours, EPS-TOPIK
results, medical and document checks in a local SQLite store that accepts
every write offline. The epsync agent reconciles it with the national
epsync hub over mutual TLS 1.3 whenever the link allows; the hub merges
every centre and reports nationwide readiness.
.
This package holds the epsync command (CLI, agent and hub daemons), the
sandboxed systemd units epsync-agent.service and epsync-hub.service, the
service user epsync, and the epsync-certs certificate tool.")

# Depends: computed from the binary's ELF dependencies by dpkg-shlibdeps (dpkg-dev) when it is
# there (EPSYNC_DEB_SHLIBDEPS); otherwise the Debian 12 packages of the libraries the binary
# links, by name. openssl (the CLI) is for epsync-certs, which dpkg-shlibdeps cannot see.
find_program(EPSYNC_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(EPSYNC_DPKG_SHLIBDEPS)
  set(_shlibdeps_default ON)
else()
  set(_shlibdeps_default OFF)
endif()
option(EPSYNC_DEB_SHLIBDEPS "Compute the .deb's Depends with dpkg-shlibdeps (package dpkg-dev)" ${_shlibdeps_default})
if(EPSYNC_DEB_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "openssl")
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(_deb_depends libc6 libgcc-s1 libstdc++6 libsqlite3-0 libssl3 libzstd1 libsystemd0 libtomlplusplus3
      libfmt9 libboost-locale1.74.0)
  if(TARGET PkgConfig::HTTPLIB)  # the hub's HTTP side (hub/CMakeLists.txt)
    list(APPEND _deb_depends libcpp-httplib0.11)
  endif()
  list(APPEND _deb_depends openssl)
  list(JOIN _deb_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
endif()
# sysusers/tmpfiles and the units need systemd, but the maintainer scripts fall back to
# useradd and install(1) without it (chroots, containers).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")

# Maintainer scripts (guarded for chroots and containers) and the conffiles list. Strict
# permissions: the scripts 0755, conffiles 0644, as dpkg-deb expects.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_pkg_src}/deb/postinst;${_pkg_src}/deb/prerm;${_pkg_src}/deb/postrm;${_pkg_src}/deb/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# Only the binary package is meant; a source tarball is `git archive`.
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/;/build/;/build-.*/")

include(CPack)
