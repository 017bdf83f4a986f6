#pragma once
// Names cte's gdb extension in the program's .debug_gdb_scripts section, so that gdb loads it
// by itself (docs/DEBUGGING.md): entry kind 1 (a Python file), looked up as "cte/gdb/cte.py"
// in the current directory and along gdb's source path, where `directory <prefix>/share` finds
// the installed <prefix>/share/cte/gdb/cte.py (and `set auto-load safe-path` must allow it). A non-allocated section: nothing is added to the image's
// memory. Every translation unit emits the same entry; the linker merges them into one.

asm(".pushsection \".debug_gdb_scripts\", \"MS\", @progbits, 1\n"
    ".byte 1\n"
    ".asciz \"cte/gdb/cte.py\"\n"
    ".popsection\n");
