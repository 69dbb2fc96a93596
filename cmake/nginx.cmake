# Configures Debian's nginx-dev tree into the build directory so that the module is compiled
# with exactly the flags (and so the module signature) of /usr/sbin/nginx. nginx-dev ships the
# headers and `configure` but not the generated ngx_auto_*.h; running its configure with the
# recorded conf_flags produces them. The source tree is read-only for us: we link it into the
# build dir and let configure write only there.
set(NGINX_DEV_SRC "/usr/share/nginx/src" CACHE PATH "nginx-dev source tree")
set(NGINX_CONFIGURED "${CMAKE_BINARY_DIR}/nginx")

if(NOT EXISTS "${NGINX_DEV_SRC}/conf_flags")
  message(FATAL_ERROR "${NGINX_DEV_SRC}/conf_flags not found: install nginx-dev (scripts/deps.sh)")
endif()

if(NOT EXISTS "${NGINX_CONFIGURED}/objs/ngx_auto_config.h")
  message(STATUS "Configuring nginx headers from ${NGINX_DEV_SRC}")
  file(MAKE_DIRECTORY "${NGINX_CONFIGURED}")
  foreach(entry auto src configure conf_flags)
    file(CREATE_LINK "${NGINX_DEV_SRC}/${entry}" "${NGINX_CONFIGURED}/${entry}" SYMBOLIC)
  endforeach()
  execute_process(
    COMMAND bash -c ". ./conf_flags && ./configure \"\${NGX_CONF_FLAGS[@]}\" --builddir=objs"
    WORKING_DIRECTORY "${NGINX_CONFIGURED}"
    OUTPUT_FILE "${NGINX_CONFIGURED}/configure.log"
    ERROR_FILE "${NGINX_CONFIGURED}/configure.log"
    RESULT_VARIABLE nginx_configure_result)
  if(NOT nginx_configure_result EQUAL 0)
    message(FATAL_ERROR "nginx configure failed, see ${NGINX_CONFIGURED}/configure.log")
  endif()
endif()

set(NGINX_INCLUDE_DIRS
    "${NGINX_CONFIGURED}/objs"
    "${NGINX_DEV_SRC}/src/core"
    "${NGINX_DEV_SRC}/src/event"
    "${NGINX_DEV_SRC}/src/event/modules"
    "${NGINX_DEV_SRC}/src/os/unix"
    "${NGINX_DEV_SRC}/src/http"
    "${NGINX_DEV_SRC}/src/http/modules"
    "${NGINX_DEV_SRC}/src/http/v2")

find_program(NGINX_BINARY nginx PATHS /usr/sbin REQUIRED)
