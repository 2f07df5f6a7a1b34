#!/bin/sh
# Bad input: overlong lines, control bytes and invalid UTF-8 in what peers
# send, and nicknames that could fool the people reading the room.  Raw
# peers write exact bytes; a raw watcher sees the exact bytes relayed.
. "$(dirname "$0")/lib.sh"

plan 72

FFFD='\357\277\275'	# U+FFFD as a printf format...
U_FFFD=$(printf "$FFFD")	# ...and as bytes

# want FORMAT : $T/want holds one line, made by printf FORMAT (then LF).
# want_perl PERL : the same, made by a perl expression.
want() { printf -- "$1\n" >"$T/want"; }
want_perl() { perl -e "binmode STDOUT; print $1, qq(\n)" >"$T/want"; }

# has_want FILE : FILE has the line in $T/want, byte for byte.
has_want() { LC_ALL=C grep -Fxqf "$T/want" "$1"; }

# wait_want FILE [SECS] : until FILE has the line in $T/want.
wait_want() {
	poll "${2:-10}" has_want "$1" && return 0
	diag "timed out after ${2:-10}s waiting for $(head -c 60 "$T/want" | cat -v)... in $(basename "$1")"
	show "$1"
	return 1
}

# marker LABEL : LABEL asks /who and waits for the answer; everything the
# host sent LABEL before it has then arrived.
marker() {
	local _c
	_c=$(count "$T/$1.out" '^\*\*\* here: ')
	send "$1" '/who\n'
	wait_count "$T/$1.out" '^\*\*\* here: ' $((_c + 1))
}

start_host host || diag "host did not start"
raw_join watch watch
raw_join eve eve
wait_line "$T/watch.out" "*** eve joined"

# --- the line limit ------------------------------------------------------

perl_send eve '"a" x 4096, "\n"'
want_perl '"<eve> ", "a" x 4096'
check "a line of exactly 4096 bytes is relayed whole" \
    wait_want "$T/watch.out"
marker eve
check "a line of exactly 4096 bytes gets no notice" \
    lacks "$T/eve.out" 'line too long'

perl_send eve '"d" x 4096, "\r\n"'
want_perl '"<eve> ", "d" x 4096'
check "4096 bytes then CRLF: the line is relayed whole" \
    wait_want "$T/watch.out"
marker eve
check "4096 bytes then CRLF: the CR is not counted, no notice" \
    lacks "$T/eve.out" 'line too long'

cuts=$(count "$T/eve.out" '^\*\*\* line too long')
perl_send eve '"b" x 4097, "\n"'
want_perl '"<eve> ", "b" x 4096'
check "a 4097-byte line is relayed cut to its first 4096 bytes" \
    wait_want "$T/watch.out"
check "the sender is told: line too long, cut to 4096 bytes" \
    wait_line "$T/eve.out" "*** line too long, cut to 4096 bytes"
send eve 'after the cut\n'
check "the sender's next line arrives normally" \
    wait_line "$T/watch.out" "<eve> after the cut"
check "the rest of the cut line is thrown away, not relayed" \
    lacks "$T/watch.out" '^<eve> b$'

# 'a' then 2-byte characters: byte 4096 is the first half of one.
perl_send eve '"a", "\xc3\xa9" x 2100, "\n"'
want_perl '"<eve> a", "\xc3\xa9" x 2047'
check "a 2-byte character across byte 4096 is left out whole (4095 bytes kept)" \
    wait_want "$T/watch.out"
perl_send eve '"\xe4\xb8\x96" x 1400, "\n"'
want_perl '"<eve> ", "\xe4\xb8\x96" x 1365'
check "a 3-byte character across byte 4096 is left out whole (4095 bytes kept)" \
    wait_want "$T/watch.out"
perl_send eve '"xy", "\xf0\x9f\x99\x82" x 1100, "\n"'
want_perl '"<eve> xy", "\xf0\x9f\x99\x82" x 1023'
check "a 4-byte character across byte 4096 is left out whole (4094 bytes kept)" \
    wait_want "$T/watch.out"
perl_send eve '"\xc3\xa9" x 2100, "\n"'
want_perl '"<eve> ", "\xc3\xa9" x 2048'
check "a character ending exactly at byte 4096 is kept" \
    wait_want "$T/watch.out"
send eve 'after the utf-8 cuts\n'
wait_line "$T/watch.out" "<eve> after the utf-8 cuts"
check "every line cut is still valid UTF-8 at the watcher" \
    clean_utf8 "$T/watch.out"
marker eve
is $(($(count "$T/eve.out" '^\*\*\* line too long, cut to 4096 bytes$') - cuts)) 5 \
    "exactly one notice per overlong line"

# 32 MiB without a newline, then a short line: the host keeps one line's
# worth, not the flood.
cuts=$(count "$T/eve.out" '^\*\*\* line too long')
perl_send eve '"c" x (32 << 20), "\nok\n"'
check "a 32 MiB line: the next line after it is relayed" \
    wait_line "$T/watch.out" "<eve> ok" 30
want_perl '"<eve> ", "c" x 4096'
check "a 32 MiB line: its first 4096 bytes are relayed" has_want "$T/watch.out"
is "$(count "$T/watch.out" '^<eve> c')" 1 "a 32 MiB line is relayed once, not in pieces"
check "a 32 MiB line: the piece comes before the next line" \
    in_order "$T/watch.out" "$(cat "$T/want")" "<eve> ok"
marker eve
is $(($(count "$T/eve.out" '^\*\*\* line too long') - cuts)) 1 \
    "a 32 MiB line: the sender gets one notice, not one per piece"
raw_join after after
send eve 'to the newcomer\n'
check "after it a newcomer is welcomed and hears the room" \
    wait_line "$T/after.out" "<eve> to the newcomer"
if hp=$(plain_chat_pid host); then
	kib=$(hwm_kib "$hp")
	check "the host's peak memory stayed small (VmHWM ${kib} KiB < 16 MiB)" \
	    test "$kib" -lt 16384
else
	skip "peak memory: needs /proc and the plain chat binary"
fi

# --- sanitising ----------------------------------------------------------

# sanitised NAME IN OUT : eve says the line IN; the watcher gets exactly
# "<eve> OUT" (both printf formats).
sanitised() {
	send eve "$2\n"
	want "<eve> $3"
	check "$1" wait_want "$T/watch.out"
}

sanitised "NUL is removed" 'nul:\000:end' 'nul::end'
sanitised "BEL and backspace are removed" 'bel:\007:bs:\010:end' 'bel::bs::end'
sanitised "ESC is removed: a colour sequence arrives as plain text" \
    '\033[31mred\033[0m' '[31mred[0m'
sanitised "an OSC title sequence loses its ESC and BEL" \
    'osc:\033]0;title\007:end' 'osc:]0;title:end'
sanitised "a bare CR mid-line is removed" 'abc\rdef' 'abcdef'
sanitised "DEL is removed" 'del:\177:end' 'del::end'
sanitised "TAB becomes a space" 'tab:\there' 'tab: here'
sanitised "C1 controls as UTF-8 (U+009B, U+0080, U+009F) are removed" \
    'c1:\302\233[2J:\302\200:\302\237:end' 'c1:[2J:::end'
sanitised "C1 controls as bare 8-bit bytes are removed" \
    'raw c1:\233[2J:\200:\237:end' 'raw c1:[2J:::end'
sanitised "a 0xff byte becomes U+FFFD" 'ff:\377:end' "ff:$FFFD:end"
sanitised "an overlong form (C0 AF) becomes U+FFFD per byte" \
    'overlong:\300\257:end' "overlong:$FFFD$FFFD:end"
sanitised "a UTF-16 surrogate (ED A0 BD) becomes U+FFFD per byte" \
    'surrogate:\355\240\275:end' "surrogate:$FFFD$FFFD$FFFD:end"
sanitised "a truncated sequence (E4 B8) becomes U+FFFD per byte" \
    'truncated:\344\270:end' "truncated:$FFFD$FFFD:end"
sanitised "valid UTF-8 (Chinese, Cyrillic, emoji) passes untouched" \
    '中文 Кириллица 🙂 ünï' '中文 Кириллица 🙂 ünï'

# Invalid sequences whose last byte is in 0x80..0x9f: the first bytes
# become U+FFFD, and no raw byte of them is relayed.
send eve 'overlong nul:\300\200:end\n'
check "an overlong NUL (C0 80) arrives as U+FFFD, not raw" \
    wait_for "$T/watch.out" "^<eve> overlong nul:($U_FFFD)+:end\$"
send eve 'lone surrogate:\355\240\200:end\n'
check "a lone surrogate (ED A0 80) arrives as U+FFFD, not raw" \
    wait_for "$T/watch.out" "^<eve> lone surrogate:($U_FFFD)+:end\$"

send eve '\007\033\000\177\010\302\233\n'
send eve 'after the control-only line\n'
wait_line "$T/watch.out" "<eve> after the control-only line"
check "a line of nothing but control bytes is not relayed" \
    lacks "$T/watch.out" '^<eve> ?$'

send eve '/msg watch pm:\033[31m:\007:\377:end\n'
want "*eve* pm:[31m::$FFFD:end"
check "a private message is sanitised for the addressee" \
    wait_want "$T/watch.out"
want "-> *watch* pm:[31m::$FFFD:end"
check "and in the sender's copy" wait_want "$T/eve.out"
send eve '/me me:\033]0;t\007:\233:\300\257:end\n'
want "* eve me:]0;t::$FFFD$FFFD:end"
check "/me text is sanitised" wait_want "$T/watch.out"
raw_join mal mallory
send mal '/quit bye\033[2J\007\377\n'
want "*** mallory left (bye[2J$FFFD)"
check "a /quit reason is sanitised" wait_want "$T/watch.out"

check "everything the watcher got is clean UTF-8 with no controls" \
    clean_utf8 "$T/watch.out"
check "everything the sender got is clean UTF-8 with no controls" \
    clean_utf8 "$T/eve.out"

# --- nicknames -----------------------------------------------------------

raw_join nk nk
wait_line "$T/watch.out" "*** nk joined"
i=0
bad_nick() {
	i=$((i + 1))
	send nk "/nick $2\n"
	marker nk
	is "$(count "$T/nk.out" '^\*\*\* invalid nickname')" "$i" \
	    "a nickname $1 is refused as invalid"
}
bad_nick "with ESC" 'a\033b'
bad_nick "with DEL" 'a\177b'
bad_nick "with a C1 control (U+0085)" 'a\302\205b'
bad_nick "with TAB" 'a\tb'
bad_nick "with invalid UTF-8 (0xff)" 'a\377b'
bad_nick "with an overlong form" 'a\300\257b'
bad_nick "with a space" 'a b'
bad_nick "starting with *" '*a'
bad_nick "starting with <" '<a'
bad_nick "starting with -" '-a'
bad_nick "starting with /" '/a'
bad_nick "containing <" 'a<b'
bad_nick "containing >" 'a>b'
bad_nick "containing *" 'a*b'
bad_nick "of 65 bytes" 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm'
bad_nick "of 65 bytes of UTF-8 (32 x e-acute, then x)" \
    'ééééééééééééééééééééééééééééééééx'
bad_nick "with a zero-width space (U+200B)" 'a\342\200\213b'
bad_nick "with a no-break space (U+00A0)" 'a\302\240b'
bad_nick "with an ideographic space (U+3000)" 'a\343\200\200b'
bad_nick "with a fullwidth < (U+FF1C)" 'a\357\274\234b'
bad_nick "with a fullwidth > (U+FF1E)" 'a\357\274\236b'
bad_nick "with a fullwidth * (U+FF0A)" 'a\357\274\212b'
send nk 'still nk\n'
check "after refused /nick the name is unchanged" \
    wait_line "$T/watch.out" "<nk> still nk"
check "nobody saw a rename" lacks "$T/watch.out" '^\*\*\* nk is now'

send nk '/nick 你好世界你好世界你好世界你好世界\n'
check "a nickname of 48 bytes of UTF-8 (16 Chinese characters) is accepted" \
    wait_line "$T/watch.out" "*** nk is now 你好世界你好世界你好世界你好世界"

raw_peer rb 127.0.0.1 '/nick <bob>\n'
check "a raw peer whose first line is /nick <bob> joins as guestN" \
    wait_for "$T/rb.out" '^\*\*\* welcome guest[0-9]+\. here: '
check "and is told the nickname is invalid" \
    wait_for "$T/rb.out" '^\*\*\* invalid nickname'
check "the room sees a guest join, not <bob>" \
    eval 'wait_for "$T/watch.out" "^\*\*\* guest[0-9]+ joined\$" &&
	lacks "$T/watch.out" "<bob>"'
