#!/bin/sh
# Offline and back: with -r and the host down, a line typed is shown
# pending until it is written to the host, then as sent, and leaving
# with lines not sent says how many and fails; after a reconnection the
# screen, and a script's stdout, get only what was said since.
. "$(dirname "$0")/lib.sh"

plan 16
export LC_ALL=C.UTF-8
tmux_up 16 80 20
tm set-option -g remain-on-exit on

# term CMD : run CMD in the terminal, its exit status to $T/term.rc.
term() {
	rm -f "$T/term.rc"
	tm respawn-pane -k -t t "export LC_ALL=C.UTF-8; $*; echo \$? >'$T/term.rc'; sleep 100000"
	tm clear-history -t t
}
# host_on LABEL PORT [ARGS...] : host a room on 127.0.0.1 PORT itself;
# true once it listens.
host_on() {
	local _h="$1" _p="$2"; shift 2
	spawn "$_h" "$CHAT" -l -C -v -n host -s 127.0.0.1 "$@" "$_p" || return 1
	waits 10 re "$T/$_h.err" "^chat: listening on 127\\.0\\.0\\.1 port $_p\$" or size "$T/$_h.rc"
}
# rows RE : how many rows of the screen match RE.
rows() { screen | LC_ALL=C grep -Ec -- "$1"; }
PEND=$(printf '\342\200\246')	# U+2026, the pending line's sign

# --- a line typed while the host is down -----------------------------------

HP=$(closed_port)
term "'$CHAT' -r -n rr 127.0.0.1 $HP"
wait_screen '^chat: cannot connect .*trying again'
keys 'queued' Enter
check "typed while the host is down: shown pending, with a mark" \
    wait_screen "^$PEND <rr> queued\$"
check "  dim, not as a line the room got" \
    eval 'screen -e | LC_ALL=C grep -q "$(printf "\033\\[2m")$PEND <rr> queued" &&
	[ "$(rows "^<rr> queued$")" -eq 0 ]'
host_on oh "$HP" || diag "host on $HP did not start"
check "once the host is up, the line goes to the room" wait_line "$T/oh.out" "<rr> queued" 15
check "  and the screen shows it as sent, under the pending one" \
    eval 'wait_screen "^<rr> queued$" && [ "$(rows "^$PEND <rr> queued$")" -eq 1 ]'
keys 'live' Enter
wait_line "$T/oh.out" "<rr> live"
check "a line typed while connected is shown as ever, not pending" \
    eval 'wait_screen "^<rr> live$" && [ "$(rows "$PEND <rr> live")" -eq 0 ]'

# The host goes; two lines typed, then Ctrl-C: they are counted, exit 1.
signal oh KILL
wait_screen 'reconnecting'
keys 'lost one' Enter 'lost two' Enter
wait_screen "^$PEND <rr> lost two\$"
keys C-c
check "leaving with lines not sent: says how many" \
    wait_screen '^chat: 2 lines typed were not sent$'
check "  and exits 1" eval 'poll 10 test -s "$T/term.rc" && [ "$(cat "$T/term.rc")" = 1 ]'

# The same through a pipe: stdin's lines queued, the host never up.
HP2=$(closed_port)
spawn_typed pp 'one\ntwo\nthree\n' "$CHAT" -r -n pp 127.0.0.1 "$HP2"
# the second try comes turns of the loop after stdin was read
wait_count "$T/pp.err" 'trying again' 2
signal pp INT
check "a script leaving with lines not sent: says how many on stderr" \
    eval 'wait_exit pp && has_line "$T/pp.err" "chat: 3 lines typed were not sent"'
is "$RC" 1 "  and exits 1"

# --- after a reconnection: only what is new --------------------------------

# A relay on a port of its own to the room: USR1 cuts the connection it
# carries, and it takes the next one once a line comes on its stdin, so
# the test says what the room hears in between.
cat >"$T/relay.pl" <<'PL'
use IO::Socket::IP; use IO::Select;
$| = 1; alarm 120;
my $l = IO::Socket::IP->new(LocalHost => "127.0.0.1", LocalPort => 0,
    Listen => 5, ReuseAddr => 1) or die "$@\n";
print $l->sockport, "\n";
my $cut; $SIG{USR1} = sub { $cut = 1 };
for (my $first = 1;; $first = 0) {
	<STDIN> unless $first;
	my $c = $l->accept or redo;
	my $h = IO::Socket::IP->new(PeerHost => "127.0.0.1", PeerPort => $ARGV[0])
	    or die "$@\n";
	my $s = IO::Select->new($c, $h);
	for ($cut = 0; !$cut;) {
		for my $r ($s->can_read) {
			my $n = sysread($r, my $buf, 65536);
			$cut = 1, last unless $n;
			syswrite($r == $c ? $h : $c, $buf);
		}
	}
	close $c; close $h;
	print "cut\n";
}
PL
# relay LABEL : start a relay to the room at $PORT; its port in RP.
relay() {
	spawn "$1" perl "$T/relay.pl" "$PORT" || return 1
	waits 10 re "$T/$1.out" '^[0-9]+$' || return 1
	RP=$(head -n 1 "$T/$1.out")
}
# cut LABEL N : the relay cuts its Nth connection.
cut() { signal "$1" USR1 && wait_count "$T/$1.out" '^cut$' "$2"; }

start_host room
join_room bob bob
say bob "before one"
say bob "before two"
wait_line "$T/room.out" "<bob> before two"
relay rl
spawn cc "$CHAT" -r -H -C -n cc 127.0.0.1 "$RP"
wait_line "$T/cc.out" "*** end of history"
say bob "seen live"
say cc "mine"
wait_line "$T/cc.out" "<bob> seen live"
wait_line "$T/room.out" "<cc> mine"
cut rl 1
wait_for "$T/cc.err" 'reconnecting$'
say bob "while away"
wait_line "$T/room.out" "<bob> while away"
say rl go
wait_count "$T/cc.out" '^\*\*\* welcome cc\. ' 2
say bob "after the drop"
check "-H, after a reconnection: the line said while away, once" \
    eval 'wait_line "$T/cc.out" "<bob> after the drop" &&
	[ "$(count "$T/cc.out" "^[0-9:]* *<bob> while away$")" -eq 1 ]'
check "  and no line shown before is shown again" \
    eval '[ "$(count "$T/cc.out" "<bob> before one$")" -eq 1 ] &&
	[ "$(count "$T/cc.out" "<bob> seen live$")" -eq 1 ] && lacks "$T/cc.out" "<cc> mine"'
check "  in the history's frame, after the welcome" \
    eval '[ "$(tail -n 5 "$T/cc.out" | sed "s/^[0-9][0-9]:[0-9][0-9] //;s/here: .*/here/" |
	tr "\n" "|")" = "*** welcome cc. here|*** history follows|<bob> while away|*** end of history|<bob> after the drop|" ]'
cut rl 2
wait_for "$T/cc.err" 'reconnecting$'
say rl go
wait_count "$T/cc.out" '^\*\*\* welcome cc\. ' 3
say bob "after nothing new"
wait_line "$T/cc.out" "<bob> after nothing new"
check "a reconnection with nothing new: no history, and no frame" \
    eval '[ "$(count "$T/cc.out" "^\*\*\* history follows$")" -eq 2 ] &&
	[ "$(count "$T/cc.out" "^\*\*\* end of history$")" -eq 2 ] &&
	[ "$(count "$T/cc.out" "<bob> after the drop$")" -eq 1 ]'

# A line cc never got live (it ignores eve) comes between those it saw.
join_room eve eve
say cc "/ignore eve"
wait_for "$T/cc.out" '^\*\*\* you ignore eve now'
say bob "b1"
wait_line "$T/room.out" "<bob> b1"
say eve "e1"
wait_line "$T/room.out" "<eve> e1"
say bob "b2"
wait_line "$T/cc.out" "<bob> b2"
cut rl 3
wait_for "$T/cc.err" 'reconnecting$'
say bob "new after the ignore"
wait_line "$T/room.out" "<bob> new after the ignore"
say rl go
check "a line of someone ignored among those seen: still only what is new" \
    eval 'wait_for "$T/cc.out" "^[0-9:]* *<bob> new after the ignore$" &&
	[ "$(count "$T/cc.out" "<bob> b1$")" -eq 1 ] && [ "$(count "$T/cc.out" "<bob> b2$")" -eq 1 ]'

# At the terminal: a line said again while away is new; ours is not.
# seen RE : how many rows, the scrollback too, match RE.
seen() { screen -S - | LC_ALL=C grep -Ec -- "$1"; }
relay rl2
term "'$CHAT' -r -n tt 127.0.0.1 $RP"
wait_screen 'end of history$'
say bob "ok"
wait_screen '^<bob> ok$'
keys 'my line' Enter
wait_line "$T/room.out" "<tt> my line"
cut rl2 1
wait_screen 'reconnecting$'
say bob "ok"
wait_line "$T/room.out" "<bob> ok"
say rl2 go
poll 10 eval '[ "$(seen "^\*\*\* welcome tt\. ")" -eq 2 ]'
say bob "done"
wait_screen '^<bob> done$'
check "at the terminal, after a reconnection: a line said again while away is shown" \
    eval '[ "$(seen "^<bob> ok$")" -eq 2 ] && [ "$(seen "^\*\*\* history follows$")" -eq 2 ]'
check "  and nothing shown before, nor the line typed here, is shown again" \
    eval '[ "$(seen "^<tt> my line$")" -eq 1 ] && [ "$(seen "^<bob> before one$")" -eq 1 ] &&
	[ "$(seen "^<bob> after the drop$")" -eq 1 ]'
keys C-c
