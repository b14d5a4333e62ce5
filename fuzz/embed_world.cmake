# Writes OUT: a C file holding the file IN as the NUL-terminated string br_fuzz_world_text.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE ${OUT} "/* Generated from ${NAME} by fuzz/embed_world.cmake; do not edit. */\nconst char br_fuzz_world_text[] = {${hex}0x00};\n")
