#!/bin/sh
# The Makefile: install and uninstall honour PREFIX and DESTDIR, the
# compiler and its flags can be set from the command line, and BSD make
# reads it as well as GNU make.
. "$(dirname "$0")/lib.sh"

plan 8

top=$(cd "$(dirname "$0")/.." && pwd)
bin=$T/root/opt/chat/bin/chat

# make_ok TARGET : make TARGET in the source tree with DESTDIR and
# PREFIX set, its output in $T/make-TARGET.out; true if it exits 0.
make_ok() {
	make -C "$top" -s DESTDIR="$T/root" PREFIX=/opt/chat "$1" \
	    >"$T/make-$1.out" 2>&1 && return 0
	diag "make $1: failed"
	show "$T/make-$1.out"
	return 1
}

check "make install succeeds" make_ok install
check "make install puts the binary in DESTDIR/PREFIX/bin" test -x "$bin"
check "the installed binary runs" \
    eval '"$bin" -h | grep -q "^usage: chat -l"'
# Only a binary that is there can show that uninstall removes it.
if [ -x "$bin" ]; then
	check "make uninstall succeeds" make_ok uninstall
	check "make uninstall removes it" test ! -e "$bin"
else
	not_ok "make uninstall succeeds: nothing was installed to remove"
	not_ok "make uninstall removes it: nothing was installed to remove"
fi

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
