# Writes OUTPUT: a C++ table of the Lua scripts named in SCRIPTS, each prefixed with common.lua.
file(READ ${SCRIPT_DIR}/common.lua common)
set(body "")
foreach(name ${SCRIPTS})
  file(READ ${SCRIPT_DIR}/${name}.lua text)
  string(APPEND body "    {\"${name}\", R\"lua(${common}\n${text})lua\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp
  "// Generated from daemon/scripts/*.lua by embed_scripts.cmake.\n"
  "#include \"scripts.h\"\n\n"
  "namespace referral::rewardd {\n\n"
  "const EmbeddedScript kEmbeddedScripts[] = {\n${body}};\n"
  "const size_t kEmbeddedScriptCount = sizeof(kEmbeddedScripts) / sizeof(kEmbeddedScripts[0]);\n\n"
  "}  // namespace referral::rewardd\n")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
