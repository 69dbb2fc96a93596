# Writes OUTPUT: a C++ table of the Lua scripts named in SCRIPTS, each prefixed with common.lua,
# and "batch": common.lua, each script named in BATCHED as a function of its own KEYS and ARGV
# in a table event_scripts, then batch.lua.
file(READ ${SCRIPT_DIR}/common.lua common)
set(body "")
foreach(name ${SCRIPTS})
  file(READ ${SCRIPT_DIR}/${name}.lua text)
  string(APPEND body "    {\"${name}\", R\"lua(${common}\n${text})lua\"},\n")
endforeach()
set(batch "${common}\nlocal event_scripts = {}\n")
foreach(name ${BATCHED})
  file(READ ${SCRIPT_DIR}/${name}.lua text)
  string(APPEND batch "event_scripts.${name} = function(KEYS, ARGV)\n${text}\nend\n")
endforeach()
file(READ ${SCRIPT_DIR}/batch.lua text)
string(APPEND body "    {\"batch\", R\"lua(${batch}${text})lua\"},\n")
file(WRITE ${OUTPUT}.tmp
  "// Generated from daemon/scripts/*.lua by embed_scripts.cmake.\n"
  "#include \"scripts.h\"\n\n"
  "namespace referral::rewardd {\n\n"
  "const EmbeddedScript kEmbeddedScripts[] = {\n${body}};\n"
  "const size_t kEmbeddedScriptCount = sizeof(kEmbeddedScripts) / sizeof(kEmbeddedScripts[0]);\n\n"
  "}  // namespace referral::rewardd\n")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
