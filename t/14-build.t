#!/bin/sh
# The Makefile: install and uninstall honour PREFIX and DESTDIR, the
# compiler and its flags can be set from the command line, and BSD make
# reads it as well as GNU make.
. "$(dirname "$0")/lib.sh"

plan 6

top=$(cd "$(dirname "$0")/.." && pwd)

make -C "$top" -s install DESTDIR="$T/root" PREFIX=/opt/chat >/dev/null 2>&1
check "make install puts the binary in DESTDIR/PREFIX/bin" \
    test -x "$T/root/opt/chat/bin/chat"
check "the installed binary runs" \
    eval '"$T/root/opt/chat/bin/chat" -h | grep -q "^usage: chat -l"'
make -C "$top" -s uninstall DESTDIR="$T/root" PREFIX=/opt/chat >/dev/null 2>&1
check "make uninstall removes it" test ! -e "$T/root/opt/chat/bin/chat"

# -n: print the commands, run nothing; -B: as if chat were out of date.
cmds=$(make -C "$top" -n -B chat CC=my-cc CFLAGS=-my-flags LDFLAGS=-my-ldflags 2>/dev/null)
check "CC, CFLAGS and LDFLAGS from the command line are used" \
    eval 'printf "%s\n" "$cmds" | grep -q "^my-cc -my-flags -my-ldflags "'

if command -v bmake >/dev/null 2>&1; then
	cp "$top/Makefile" "$top/chat.c" "$top/chat.h" "$T/" &&
	    (cd "$T" && bmake >/dev/null 2>&1)
	check "BSD make builds it" test -x "$T/chat"
	(cd "$T" && bmake install DESTDIR="$T/broot" PREFIX=/usr >/dev/null 2>&1)
	check "BSD make installs it" test -x "$T/broot/usr/bin/chat"
else
	skip "bmake not installed"
	skip "bmake not installed"
fi
