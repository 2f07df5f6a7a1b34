#!/bin/sh
# The Unicode tables compiled into chat.c (the characters a nickname may
# hold, case folding, column widths, grapheme breaks) are exactly what
# t/unicode.pl makes from the Unicode Character Database: nobody edited
# them by hand, and nobody changed the generator without running it.
# And the code that reads them finds the clusters and widths it should.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
ucd=/usr/share/unicode

if [ ! -r "$ucd/UnicodeData.txt" ]; then
	echo "1..0 # SKIP no $ucd/UnicodeData.txt (Debian: apt-get install unicode-data)"
	exit 0
fi

plan 3

# block FILE : the lines of FILE from the BEGIN line of the tables to
# their END line, both included.
block() {
	LC_ALL=C awk '/^\/\* BEGIN unicode tables: /, /^\/\* END unicode tables \*\/$/' "$1"
}

# version_of FILE : the Unicode version named on the block's BEGIN line.
version_of() {
	LC_ALL=C sed -n 's/^\/\* BEGIN unicode tables: .* from Unicode \([^;]*\);.*/\1/p' "$1" |
		head -n 1
}

perl "$top/t/unicode.pl" "$ucd" >"$T/want.c" 2>"$T/gen.err" ||
	give_up "t/unicode.pl failed: $(head -n 1 "$T/gen.err")"
block "$top/chat.c" >"$T/got.c"

# Tables from another Unicode version are not wrong, only older or newer
# than this machine's data: they cannot be compared here.
have=$(version_of "$T/got.c")
want=$(version_of "$T/want.c")
if [ -n "$have" ] && [ "$have" != "$want" ]; then
	for i in 1 2 3; do
		skip "chat.c has tables from Unicode $have, $ucd is Unicode $want"
	done
	exit 0
fi

# tables_match : the block in chat.c is, byte for byte, the generator's.
tables_match() {
	if [ ! -s "$T/got.c" ]; then
		diag "chat.c has no /* BEGIN unicode tables ... */ line"
		return 1
	fi
	cmp -s "$T/want.c" "$T/got.c" && return 0
	diag "chat.c's tables are not what t/unicode.pl prints (- chat.c, + t/unicode.pl);"
	diag "paste the output of 'perl t/unicode.pl' over the block in chat.c"
	diff -u "$T/got.c" "$T/want.c" | sed -n '3,22s/^/#   /p' >&2
	return 1
}

check "the Unicode tables in chat.c match the Unicode data" tables_match

# The clusters the editor moves by are Unicode's: the test strings of
# GraphemeBreakTest.txt break where it says; and a few characters
# take the columns a terminal gives them.
if ! ${CC:-cc} -std=c99 -o "$T/graphemes" "$top/t/graphemes.c" 2>"$T/cc.err"; then
	diag "$(head -n 3 "$T/cc.err")"
	not_ok "t/graphemes.c builds"
	not_ok "t/graphemes.c builds"
	exit 0
fi
"$T/graphemes" "$ucd/auxiliary/GraphemeBreakTest.txt" | while IFS= read -r l; do
	case $l in
	"ok "*) ok "${l#ok [0-9] - }" ;;
	"not ok "*) not_ok "${l#not ok [0-9] - }" ;;
	*) echo "$l" >&2 ;;
	esac
done
