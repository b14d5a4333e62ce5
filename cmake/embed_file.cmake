# Writes OUT: a C file defining `const char NAME[]`, the bytes of IN, NUL-terminated.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
get_filename_component(src ${IN} NAME)
file(WRITE ${OUT} "/* Generated from ${src} by cmake/embed_file.cmake; do not edit. */\nconst char ${NAME}[] = {${hex}0x00};\n")
