#!/bin/sh
# A flood that is slowed: -R paces each peer's lines without losing
# one, and without holding the others up.
. "$(dirname "$0")/lib.sh"

plan 4

start_host host -R 50 -s 127.0.0.1 || give_up "host did not start"
join_room bob bob
join_room carol carol

# --- -R: a flood is paced, nothing is lost, nobody else waits -----------
# With -R 50 a peer may send 100 lines at once, then 50 a second: 200
# lines take 2 s at least.
seq 200 >"$T/200"
t0=$(perl -MTime::HiRes=time -e 'printf "%.3f\n", time')
spawn_in "$T/200" flood "$CHAT" -n flood 127.0.0.1 "$PORT"
wait_line "$T/bob.out" "<flood> 120"
say carol "carol is not held up"
wait_exit flood 20
t1=$(perl -MTime::HiRes=time -e 'printf "%.3f\n", time')
is "$(sed -n 's/^<flood> //p' "$T/bob.out" | tr '\n' ' ')" "$(seq 200 | tr '\n' ' ')" \
    "-R 50: every one of a pipe's 200 lines arrives, in order"
check "-R 50: ...at the rate: 200 lines took at least 1.9 s ($t0 to $t1)" \
    awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1.9) }'
check "-R: another peer's line is not held up behind a paced flood" \
    in_order "$T/bob.out" "<carol> carol is not held up" "<flood> 200"
run usage 5 "$CHAT" -R 5 127.0.0.1 1 </dev/null
check "-R needs -l" eval '[ "$RC" -eq 2 ] && has "$T/usage.err" "need -l"'

