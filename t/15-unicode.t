#!/bin/sh
# The Unicode tables compiled into chat.c (the characters a nickname may
# hold, the pairs NFC composes, names' skeletons from Unicode's
# confusables, case folding, column widths, grapheme breaks), and the
# types in chat.h they are made of, are exactly what t/unicode.pl makes
# from the Unicode Character Database and the confusables data: nobody
# edited them by hand, and nobody changed the generator without running it.
# And the code that reads them finds the clusters and widths it should.
. "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
ucd=/usr/share/unicode

if [ ! -r "$ucd/UnicodeData.txt" ]; then
	echo "1..0 # SKIP no $ucd/UnicodeData.txt (Debian: apt-get install unicode-data)"
	exit 0
fi

confusables=/usr/lib/python3/dist-packages/confusable_homoglyphs/confusables.json
if [ ! -r "$confusables" ]; then
	echo "1..0 # SKIP no $confusables (Debian: apt-get install python3-confusable-homoglyphs)"
	exit 0
fi

plan 4

# block FILE [WHAT] : the lines of FILE from the BEGIN line of the
# tables (or of WHAT: types) to their END line, both included.
block() {
	LC_ALL=C awk -v w="${2:-tables}" '
		$0 ~ "^/\\* BEGIN unicode " w ": " { on = 1 }
		on { print }
		$0 == "/* END unicode " w " */" { on = 0 }' "$1"
}

# version_of FILE : the Unicode version named on the block's BEGIN line.
version_of() {
	LC_ALL=C sed -n 's/^\/\* BEGIN unicode tables: .* from Unicode \([^;]*\);.*/\1/p' "$1" |
		head -n 1
}

# Both blocks from one run: reading the data is most of its time.
perl "$top/t/unicode.pl" -a "$ucd" "$confusables" >"$T/want" 2>"$T/gen.err" ||
	give_up "t/unicode.pl failed: $(head -n 1 "$T/gen.err")"
block "$T/want" >"$T/want.c"
block "$T/want" types >"$T/want.h"
block "$top/chat.c" >"$T/got.c"
block "$top/chat.h" types >"$T/got.h"

# Tables from another Unicode version are not wrong, only older or newer
# than this machine's data: they cannot be compared here.
have=$(version_of "$T/got.c")
want=$(version_of "$T/want.c")
if [ -n "$have" ] && [ "$have" != "$want" ]; then
	for i in 1 2 3 4; do
		skip "chat.c has tables from Unicode $have, $ucd is Unicode $want"
	done
	exit 0
fi

# blocks_match GOT WANT FILE HOW : the block in FILE is, byte for byte,
# the generator's (run as HOW).
blocks_match() {
	if [ ! -s "$1" ]; then
		diag "$3 has no /* BEGIN unicode ... */ line"
		return 1
	fi
	cmp -s "$2" "$1" && return 0
	diag "$3's block is not what $4 prints (- $3, + $4);"
	diag "paste the output of '$4' over the block in $3"
	diff -u "$1" "$2" | sed -n '3,22s/^/#   /p' >&2
	return 1
}

check "the Unicode tables in chat.c match the Unicode data" \
    blocks_match "$T/got.c" "$T/want.c" chat.c "perl t/unicode.pl"
check "the types in chat.h are the ones the generator writes the tables in" \
    blocks_match "$T/got.h" "$T/want.h" chat.h "perl t/unicode.pl -h"

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
