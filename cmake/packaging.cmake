# Debian packages, built by `cpack -G DEB` in the build directory (scripts/package.sh):
#   libnginx-mod-http-referral  the module, its load snippet and the example configurations,
#                               laid out and enabled as Debian's own nginx module packages are
#   referral-rewardd            the daemon, its systemd unit, configuration, system user and
#                               manual page
# Maintainer scripts and the unit live in packaging/<package>/; what both packages carry (the
# changelog, the copyright file made from LICENSE) in packaging/.

set(REFERRAL_PACKAGING ${PROJECT_SOURCE_DIR}/packaging)
set(REFERRAL_MAINTAINER "nginx referral module maintainers <maintainers@nginx-referral.org>")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(REFERRAL_GENERATED ${CMAKE_BINARY_DIR}/packaging)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${PROJECT_SOURCE_DIR}/LICENSE ${REFERRAL_PACKAGING}/changelog)

# The changelog's newest entry is the version being packaged.
file(STRINGS ${REFERRAL_PACKAGING}/changelog changelog_head LIMIT_COUNT 1)
set(REFERRAL_DEB_VERSION "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
if(NOT changelog_head MATCHES "^nginx-referral \\(([^)]+)\\) "
   OR NOT CMAKE_MATCH_1 STREQUAL REFERRAL_DEB_VERSION)
  message(FATAL_ERROR "packaging/changelog starts with \"${changelog_head}\", "
                      "not an entry for ${REFERRAL_DEB_VERSION}: add one")
endif()

# DEP-5 copyright file: LICENSE's holder and terms (everything after its first paragraph), the
# terms as a License paragraph (lines indented by one space, empty lines as " .").
file(READ ${PROJECT_SOURCE_DIR}/LICENSE licence)
if(NOT licence MATCHES "^Copyright \\(c\\) ([^\n]+)\n")
  message(FATAL_ERROR "LICENSE does not start with \"Copyright (c) <year> <holder>\"")
endif()
set(REFERRAL_COPYRIGHT "${CMAKE_MATCH_1}")
string(FIND "${licence}" "\n\n" terms_start)
math(EXPR terms_start "${terms_start} + 2")
string(SUBSTRING "${licence}" ${terms_start} -1 terms)
string(STRIP "${terms}" terms)
string(REPLACE "\n\n" "\n.\n" terms "${terms}")
string(REPLACE "\n" "\n " REFERRAL_LICENCE_TERMS " ${terms}")
configure_file(${REFERRAL_PACKAGING}/copyright.in ${REFERRAL_GENERATED}/copyright @ONLY)

# Compressed as Debian policy wants them (gzip -9n: no name or time stamp, reproducible).
function(referral_gzip source output)
  add_custom_command(OUTPUT ${output} COMMAND gzip -9n -c ${source} > ${output}
                     DEPENDS ${source} VERBATIM)
endfunction()
referral_gzip(${REFERRAL_PACKAGING}/changelog ${REFERRAL_GENERATED}/changelog.Debian.gz)
referral_gzip(${PROJECT_SOURCE_DIR}/docs/referral-rewardd.8
              ${REFERRAL_GENERATED}/referral-rewardd.8.gz)
add_custom_target(package-docs ALL DEPENDS ${REFERRAL_GENERATED}/changelog.Debian.gz
                                           ${REFERRAL_GENERATED}/referral-rewardd.8.gz)

# What every package carries: copyright and changelog in /usr/share/doc/<package>/, and its
# lintian overrides, each with the reason it is not a problem.
function(referral_package_docs component package)
  install(FILES ${REFERRAL_GENERATED}/copyright ${REFERRAL_GENERATED}/changelog.Debian.gz
          DESTINATION share/doc/${package} COMPONENT ${component})
  install(FILES ${REFERRAL_PACKAGING}/${package}/lintian-overrides
          DESTINATION share/lintian/overrides RENAME ${package} COMPONENT ${component})
endfunction()

# The ABI the module was compiled for, as nginx-dev records it for dh_nginx. Depending on it is
# what keeps apt from pairing the module with an nginx it cannot be loaded into.
file(STRINGS ${NGINX_DEV_SRC}/debian/libnginx-mod.abisubstvars NGINX_ABI_LINE REGEX "^nginx:abi=")
string(REGEX REPLACE "^nginx:abi=" "" NGINX_ABI "${NGINX_ABI_LINE}")
if(NOT NGINX_ABI)
  message(FATAL_ERROR "no nginx:abi in ${NGINX_DEV_SRC}/debian/libnginx-mod.abisubstvars")
endif()

# Module: Debian's modules directory, and a snippet in modules-available that postinst links
# into modules-enabled.
install(TARGETS ngx_http_referral_module LIBRARY DESTINATION lib/nginx/modules COMPONENT module)
file(WRITE ${REFERRAL_GENERATED}/mod-http-referral.conf
     "load_module modules/ngx_http_referral_module.so;\n")
install(FILES ${REFERRAL_GENERATED}/mod-http-referral.conf
        DESTINATION share/nginx/modules-available COMPONENT module)
install(FILES README.md docs/directives.md docs/operations.md
        DESTINATION share/doc/libnginx-mod-http-referral COMPONENT module)
referral_package_docs(module libnginx-mod-http-referral)
install(DIRECTORY config-examples/nginx/
        DESTINATION share/doc/libnginx-mod-http-referral/examples COMPONENT module)
# The parent of the examples' referral_spool: nginx creates the spool itself, owned by its
# worker user, but not missing parents.
install(DIRECTORY DESTINATION /var/spool/nginx COMPONENT module)

# The daemon: its binary, systemd unit, configuration and documentation.
install(TARGETS referral-rewardd RUNTIME DESTINATION bin COMPONENT daemon)
install(FILES ${REFERRAL_PACKAGING}/referral-rewardd/referral-rewardd.service
        DESTINATION lib/systemd/system COMPONENT daemon)
install(FILES config-examples/rewards/rewards.toml DESTINATION /etc/referral COMPONENT daemon)
install(FILES docs/rewards.md DESTINATION share/doc/referral-rewardd COMPONENT daemon)
install(FILES ${REFERRAL_GENERATED}/referral-rewardd.8.gz DESTINATION share/man/man8
        COMPONENT daemon)
referral_package_docs(daemon referral-rewardd)
install(DIRECTORY config-examples/rewards/
        DESTINATION share/doc/referral-rewardd/examples COMPONENT daemon)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_VENDOR "nginx-referral")
set(CPACK_PACKAGE_CONTACT "${REFERRAL_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SOURCE nginx-referral)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL module daemon)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION httpd)
# dpkg-shlibdeps adds the libraries the binaries link (libhiredis0.14, libssl3, libstdc++6...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_MODULE_PACKAGE_NAME libnginx-mod-http-referral)
set(CPACK_DEBIAN_MODULE_PACKAGE_DEPENDS "${NGINX_ABI}")
set(CPACK_COMPONENT_MODULE_DESCRIPTION "Referral attribution module for nginx
Captures referral links into a signed first-party cookie, verifies it on
later requests and reports clicks and conversions to a Redis stream,
without changes to the application behind nginx.")
set(CPACK_DEBIAN_MODULE_PACKAGE_CONTROL_EXTRA
    ${REFERRAL_PACKAGING}/libnginx-mod-http-referral/postinst
    ${REFERRAL_PACKAGING}/libnginx-mod-http-referral/prerm
    ${REFERRAL_PACKAGING}/libnginx-mod-http-referral/postrm)

set(CPACK_DEBIAN_DAEMON_PACKAGE_NAME referral-rewardd)
set(CPACK_DEBIAN_DAEMON_PACKAGE_SECTION net)
set(CPACK_DEBIAN_DAEMON_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_DAEMON_PACKAGE_SUGGESTS "redis-server")
set(CPACK_COMPONENT_DAEMON_DESCRIPTION "Reward daemon for the nginx referral module
Consumes referral clicks and conversions from a Redis stream and applies reward
rules into an atomic, auditable ledger in Redis.")
set(CPACK_DEBIAN_DAEMON_PACKAGE_CONTROL_EXTRA
    ${REFERRAL_PACKAGING}/referral-rewardd/conffiles
    ${REFERRAL_PACKAGING}/referral-rewardd/postinst
    ${REFERRAL_PACKAGING}/referral-rewardd/prerm
    ${REFERRAL_PACKAGING}/referral-rewardd/postrm)

include(CPack)
