#!/bin/sh
# The client in pipelines: piped input delivered complete and in order,
# leaving on EOF, -q, stdout live through a pipe, and never passing
# control bytes from the network to the terminal.
. "$(dirname "$0")/lib.sh"

plan 27

start_host host || give_up "host did not start"

# A passive reader: no input, stays until the host goes away.
spawn_in /dev/null reader "$CHAT" -n reader -q -1 127.0.0.1 "$PORT"
wait_for "$T/reader.out" '^\*\*\* welcome reader\. '

# (run in a pipeline would be a subshell: feed it from files instead)
echo "deploy done" >"$T/ci.in"
run ci 10 "$CHAT" -n ci 127.0.0.1 "$PORT" <"$T/ci.in"
is "$RC" 0 "echo text | chat exits 0"
check "the piped line has reached the room by the time chat exited" \
    wait_line "$T/reader.out" "<ci> deploy done"
check "the piping client joined, spoke and left, in that order" \
    eval 'wait_line "$T/reader.out" "*** ci left" &&
	in_order "$T/reader.out" "*** ci joined" "<ci> deploy done" &&
	in_order "$T/reader.out" "<ci> deploy done" "*** ci left"'

printf 'no newline at the end' >"$T/ci2.in"
run ci2 10 "$CHAT" -n ci2 127.0.0.1 "$PORT" <"$T/ci2.in"
is "$RC" 0 "a last line without LF: chat exits 0"
check "a last line without LF is still sent" \
    wait_line "$T/reader.out" "<ci2> no newline at the end"

run silent 10 "$CHAT" -n silent 127.0.0.1 "$PORT" </dev/null
is "$RC" 0 "chat </dev/null joins, leaves and exits 0"

seq 20000 >"$T/seq"
run pipe 60 "$CHAT" -n pipe 127.0.0.1 "$PORT" <"$T/seq"
is "$RC" 0 "seq 20000 | chat exits 0"
wait_line "$T/reader.out" "<pipe> 20000" 30
seq 20000 | sed 's/^/<pipe> /' >"$T/want"
grep '^<pipe> ' "$T/reader.out" >"$T/got"
check "20,000 piped lines arrive complete and in order" \
    cmp -s "$T/want" "$T/got"
[ -s "$T/got" ] && ! cmp -s "$T/want" "$T/got" &&
	diag "$(wc -l <"$T/got") lines; first difference: $(cmp "$T/want" "$T/got" 2>&1)"

# -q SECS: after EOF, stay SECS still printing, then leave with exit 0.
printf 'lingering\n' >"$T/qin"
t0=$(date +%s)
spawn_in "$T/qin" qc "$CHAT" -n qc -q 3 127.0.0.1 "$PORT"
wait_line "$T/reader.out" "<qc> lingering"
say host "while qc lingers"
check "-q SECS: after EOF the client still prints what arrives" \
    wait_line "$T/qc.out" "<host> while qc lingers"
check "-q SECS: then it exits 0" eval 'wait_exit qc 15 && [ "$RC" -eq 0 ]'
t1=$(date +%s)
check "-q 3: it stayed about 3 seconds, not less" test $((t1 - t0)) -ge 2
check "-q SECS: the others see it leave" \
    wait_line "$T/reader.out" "*** qc left"

# Stdout is line-live through a pipe: chat keeps running, yet each line
# reaches the other end of the pipe as it arrives.
mkfifo "$T/live.pipe"
spawn_in "$T/live.pipe" livecat cat
spawn_in /dev/null live sh -c 'exec "$0" -n live -q -1 127.0.0.1 "$1" >"$2"' \
    "$CHAT" "$PORT" "$T/live.pipe"
wait_line "$T/reader.out" "*** live joined"
say host "first live line"
check "through a pipe, a line is readable as soon as it arrives" \
    wait_line "$T/livecat.out" "<host> first live line"
check "chat was still running then" running live

mkfifo "$T/grep.pipe"
spawn_in "$T/grep.pipe" grep grep -m1 'done'
spawn_in /dev/null gchat sh -c 'exec "$0" -n gchat -q -1 127.0.0.1 "$1" >"$2"' \
    "$CHAT" "$PORT" "$T/grep.pipe"
wait_line "$T/reader.out" "*** gchat joined"
say host "not yet"
say host "done"
check "chat | grep -m1 done finishes as soon as the line arrives" \
    eval 'wait_exit grep && [ "$RC" -eq 0 ]'
is "$(cat "$T/grep.out")" "<host> done" "grep saw the line"

check "-q -1: the reader is still there after all that" running reader

# A foreign host sends control bytes; the client must not pass them on.
{
	printf 'esc:\033[31mred\033[0m:end\n'
	printf 'c0:\007:\010:\000:\r:end\n'
	printf 'c1:\302\233[2J:\302\200:\302\237:end\n'
	printf 'utf8: héllo 世界 🙂 Ψ\n'
	printf 'lone:\233[2J:end\n'
	printf 'bidi:\342\200\256lihs\342\200\254:\342\201\246x\342\201\251:\342\200\252\342\200\250\342\200\251:end\n'
	printf 'crlf line\r\n'
	printf 'END\n'
} >"$T/evil"
PORT0=$PORT
fake_host fake "$T/evil" || diag "fake host did not start"
spawn fakec "$CHAT" -n fakec 127.0.0.1 "$PORT"
f=$T/fakec.out
wait_line "$f" "END"
end=$?
# got_all CMD... : all the bytes arrived (END came), and CMD holds.
got_all() { [ "$end" -eq 0 ] && "$@"; }
check "no ESC, BEL, BS, NUL or CR from the network reaches stdout" \
    got_all perl -e 'local $/; $_ = <>; exit(/[\x00\x07\x08\x0d\x1b]/ ? 1 : 0)' "$f"
check "no C1 control (U+0080..U+009F) from the network reaches stdout" \
    got_all perl -MEncode -e 'local $/; $_ = decode("UTF-8", <>);
	exit(/[\x80-\x9f]/ ? 1 : 0)' "$f"
check "valid UTF-8 from the network survives" \
    has_line "$f" "utf8: héllo 世界 🙂 Ψ"
check "the text around stripped control bytes survives" \
    eval 'has "$f" "^esc:.*red.*:end\$" && has "$f" "^c0:.*:end\$" &&
	has "$f" "^c1:.*:end\$" && has_line "$f" "crlf line"'
check "no bidi override, embedding, isolate or line separator from the network reaches stdout" \
    has_line "$f" "bidi:lihs:x::end"
check "a lone 0x9b byte (8-bit CSI) is not written raw: stdout is valid UTF-8" \
    got_all perl -MEncode -e 'local $/; $_ = <>;
	exit(eval { decode("UTF-8", $_, Encode::FB_CROAK); 1 } ? 0 : 1)' "$f"

# SIGINT: the client leaves the room the same way as on EOF.
PORT=$PORT0
spawn sig "$CHAT" -n sig 127.0.0.1 "$PORT"
wait_for "$T/sig.out" '^\*\*\* welcome sig\. '
signal sig INT
check "SIGINT: the client leaves, the others see it" \
    wait_line "$T/reader.out" "*** sig left"
check "SIGINT: the client exits 0" eval 'wait_exit sig && [ "$RC" -eq 0 ]'

# Nobody reads the client's stdout any more: it leaves then, not when
# the room next says something. head takes the welcome and goes, in a
# room where nobody else is to say anything.
start_host quiet || diag "host did not start"
spawn_group headed sh -c '"$1" -n headed -q -1 127.0.0.1 "$2" </dev/null | head -n 1' \
    sh "$CHAT" "$PORT"
check "a client whose stdout's reader goes leaves at once, unprompted (| head -n 1)" \
    eval 'wait_line "$T/quiet.out" "*** headed left" && wait_exit headed && [ "$RC" -eq 0 ]'
PORT=$PORT0

# -q -1 stays until the host goes away.
signal host TERM
check "-q -1: the reader leaves when the host goes away, exit 0" \
    eval 'wait_exit reader && [ "$RC" -eq 0 ]'
