#!/bin/sh
# Programs as participants (-e COMMAND): a bot's output is what it says,
# the room's lines its input, at the client and at the host; its lines
# are framed, sanitised and held back like anyone's; its exit ends the
# session with its status; it holds none of chat's descriptors, its own
# children do not end the room, and it does not outlive chat.
. "$(dirname "$0")/lib.sh"

plan 51

# gone PID : no such process, or only a zombie.
gone() { ! ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'; }

# pids_gone FILE : every pid listed in FILE (one a line) is gone.
pids_gone() {
	local _p
	[ -s "$1" ] || return 1
	for _p in $(cat "$1"); do
		gone "$_p" || return 1
	done
}

# bot LABEL NICK SCRIPT [ARGS...] : a chat client NICK running SCRIPT
# with -e in the test room, its stdin /dev/null (unused).
bot() {
	local _l="$1" _nick="$2" _script="$3"; shift 3
	spawn_in /dev/null "$_l" "$CHAT" -n "$_nick" "$@" -e "$_script" 127.0.0.1 "$PORT"
}

# A bot that answers "!ping", says that it heard everything else, and
# says "/quit now" (text, without -C) when it hears "!slash".
PINGER='while read -r line; do
	case $line in
	"<"*"> !ping") echo pong ;;
	"<"*"> !slash") echo "/quit now" ;;
	*) echo "heard: $line" ;;
	esac
done'

start_host host || give_up "host did not start"
HPORT=$PORT
join_room alice alice
say alice "said before the bot came"
wait_line "$T/host.out" "<alice> said before the bot came"

# --- a bot at the client ------------------------------------------------------

bot pinger bot "$PINGER"
check "chat -n bot -e SCRIPT joins the room as bot" \
    wait_line "$T/alice.out" "*** bot joined"
say alice '!ping'
check "what the program writes, the room sees from <bot>" \
    wait_line "$T/alice.out" "<bot> pong"
check "the program hears the room's lines on its stdin, as a pipe would" \
    wait_line "$T/alice.out" "<bot> heard: *** welcome bot. here: host, alice. type /help for commands"
check "it is not shown the history: no answer to what was said before it came" \
    absent "$T/alice.out" "<bot> pong" "heard: .*said before the bot came"
say alice '!slash'
check "a program's line starting with / is text, as from a pipe" \
    wait_line "$T/alice.out" "<bot> /quit now"
say alice '!ping'
check "and the bot is still in the room after it: a second !ping is answered" \
    eval 'wait_count "$T/alice.out" "^<bot> pong\$" 2 && lacks "$T/alice.out" "^\*\*\* bot left"'
check "chat's stdout gets nothing: the room's lines went to the program" \
    test ! -s "$T/pinger.out"

# -C: a bot may run commands, as a pipe with -C may.
bot cmdbot cmdbot 'echo "/me waves"; echo "/nick cmdbot2"; read -r line; read -r line' -C
check "-C -e: the program's /me is an action" \
    wait_line "$T/alice.out" "* cmdbot waves"
check "-C -e: and its /nick renames it" \
    wait_line "$T/alice.out" "*** cmdbot is now cmdbot2"

# --- README's bot.sh --------------------------------------------------------------

# README's "Programs as participants" shows bot.sh, the block after the
# line that ends "bot.sh:"; it runs as README says, chat -n bot -e ./bot.sh.
mkdir "$T/botdir"
awk '/bot\.sh:$/ { found = 1; next }
	found && /^    / { sub(/^    /, ""); print; inblock = 1; next }
	found && inblock { exit }' "$(dirname "$0")/../README" >"$T/botdir/bot.sh"
chmod +x "$T/botdir/bot.sh"
spawn_in /dev/null readme sh -c 'cd "$1" && exec "$2" -n readmebot -e ./bot.sh 127.0.0.1 "$3"' \
    sh "$T/botdir" "$CHAT" "$PORT"
wait_line "$T/alice.out" "*** readmebot joined"
say alice '!time'
check "README's bot.sh answers !time with the date" \
    wait_for "$T/alice.out" '^<readmebot> [A-Z][a-z][a-z] .*[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'
say alice '!uptime'
check "and !uptime with the uptime" wait_for "$T/alice.out" '^<readmebot> .*load average'
kill "$(pid_of readme)" 2>/dev/null

# --- its output is framed and sanitised like any peer's ------------------------

long=$(printf '%05000d' 0 | tr 0 x)
bot dirty dirty "printf 'esc:\\033[31mred\\033[0m:end\\ncr:a\\rb:end\\r\\nbell:\\007:end\\n'
	printf 'no LF yet: '; sleep 0.2; printf 'one line\\n'
	echo $long; echo after the long line; read -r line"
check "a line written in two pieces is one line" \
    wait_line "$T/alice.out" "<dirty> no LF yet: one line"
wait_line "$T/alice.out" "<dirty> after the long line"
sed -n 's/^<dirty> //p' "$T/alice.out" >"$T/dirty.lines"
check "no ESC, CR or BEL from the program reaches the room, the text around them does" \
    eval 'clean_utf8 "$T/dirty.lines" && has_line "$T/dirty.lines" "esc:[31mred[0m:end" &&
	has_line "$T/dirty.lines" "cr:ab:end" && has_line "$T/dirty.lines" "bell::end"'
check "a line over 4096 bytes is cut to 4096, the rest is not a line of its own" \
    eval '[ "$(grep -c "^x" "$T/dirty.lines")" -eq 1 ] &&
	[ "$(grep "^x" "$T/dirty.lines" | tr -d "\n" | wc -c)" -eq 4096 ]'

# --- its exit is the end of the session ------------------------------------------

bot three three 'read -r line; echo "last words"; echo "very last words"; exit 3'
check "a program that exits 3 makes chat exit 3" \
    eval 'wait_exit three && [ "$RC" -eq 3 ]'
check "its last lines reached the room before it left" \
    eval 'wait_line "$T/alice.out" "*** three left" &&
	in_order "$T/alice.out" "<three> very last words" "*** three left"'

bot clean clean 'echo bye; exec sleep 0.2'
check "a program that exits 0: chat exits 0" eval 'wait_exit clean && [ "$RC" -eq 0 ]'
check "the room sees it leave as at /quit, after its last line" \
    eval 'wait_line "$T/alice.out" "*** clean left" && in_order "$T/alice.out" "<clean> bye" "*** clean left"'

# A program's last lines reach the room however long the host takes
# them: its exit is the end of stdin, not a Ctrl-C with its 2 s limit.
start_host slow || diag "host did not start"
spawn_in /dev/null swatch "$CHAT" -n swatch -q -1 127.0.0.1 "$PORT"
wait_for "$T/swatch.out" '^\*\*\* welcome swatch\. '
# 300,000 lines, 2 MB (FLOOD=full: 700,000): more than the socket
# buffers hold while the host is stopped, so chat has lines left to
# send when the program exits. The 3 s wait runs beside the checks that
# follow, up to the floods, and this is checked after them.
NB=$(sized 300000 700000)
signal slow STOP
bot big big "seq $NB; : >$T/big.done"
waits 20 exists "$T/big.done"
sleep 3 &	# more than the 2 s a client waits for the host after Ctrl-C
BIG_WAIT=$!
PIDS="$PIDS $BIG_WAIT"
PORT=$HPORT

bot killed killed 'echo dying; kill -TERM $$; sleep 5'
check "a program killed by SIGTERM: chat exits 143, as a shell says" \
    eval 'wait_exit killed && [ "$RC" -eq 143 ] && wait_line "$T/alice.out" "<killed> dying"'

# It closes its output and goes on: it hears the room until it exits.
bot mute mute 'exec >&-; while read -r line; do case $line in *"!go") exit 4 ;; esac; done'
wait_line "$T/alice.out" "*** mute joined"
say alice '!mutecheck'
check "a program that closed its output stays in the room, listening" \
    eval 'absent "$T/alice.out" "<bot> heard: <alice> !mutecheck" "^\*\*\* mute left" && running mute'
say alice '!go'
check "and its exit still ends the session, with its status (4)" \
    eval 'wait_exit mute && [ "$RC" -eq 4 ] && wait_line "$T/alice.out" "*** mute left"'

# It closes its input and goes on talking.
bot deaf1 deaf1 'exec <&-; sleep 0.3; echo still talking; sleep 0.2'
check "a program that closed its input still talks, and its exit ends it (0)" \
    eval 'wait_line "$T/alice.out" "<deaf1> still talking" && wait_exit deaf1 && [ "$RC" -eq 0 ]'

# --- descriptors and children -------------------------------------------------------

# chat itself starts with no descriptor but 0, 1 and 2, so that any
# other the program has would be one of chat's (but for valgrind's own
# logs, under make check).
spawn_in /dev/null fds perl -MPOSIX -e 'POSIX::close($_) for 3 .. 1023; exec @ARGV or die' \
    "$CHAT" -n fds -e 'ls -l /proc/$$/fd; echo end; read -r line' 127.0.0.1 "$PORT"
if wait_line "$T/alice.out" "<fds> end"; then
	sed -n 's/^<fds> .* \([0-9][0-9]*\) -> \(.*\)$/\1 \2/p' "$T/alice.out" |
	    awk -v logs="${CHAT_REPORTS:-/nonexistent}/" '$1 > 2 && index($2, logs) != 1 { print $1 }' |
	    tr '\n' ' ' >"$T/fds.extra"
	is "$(sed -n 's/^<fds> .* \([0-9][0-9]*\) -> .*$/\1/p' "$T/alice.out" | sort -n | head -n 3 |
	    tr '\n' ' ')$(cat "$T/fds.extra")" "0 1 2 " \
	    "the program has descriptors 0, 1 and 2 only: no socket or pipe of chat's"
else
	not_ok "the program has descriptors 0, 1 and 2 only: no socket or pipe of chat's"
fi

bot parent parent 'sh -c true; (sleep 0.1); sleep 0.1 & wait; echo children done
	while read -r line; do case $line in *"!still") echo still here ;; esac; done'
wait_line "$T/alice.out" "<parent> children done"
say alice '!still'
check "a program whose own children come and go (SIGCHLD) is still in the room" \
    eval 'wait_line "$T/alice.out" "<parent> still here" && running parent &&
	lacks "$T/alice.out" "^\*\*\* parent left"'

# --- a host with -e -------------------------------------------------------------------

start_host ehost -e "$PINGER" || diag "host with -e did not start"
join_room ealice alice
say ealice '!ping'
check "chat -l -e: the program speaks as the host" \
    wait_line "$T/ealice.out" "<host> pong"
check "and hears the room" wait_line "$T/ealice.out" "<host> heard: *** alice joined"
check "the host's own stdout gets nothing" test ! -s "$T/ehost.out"

start_host ehost2 -e 'read -r line; echo "closing up"; exit 5' || diag "host did not start"
join_room ebob bob
check "a host whose program exits 5 closes the room and exits 5" \
    eval 'wait_exit ehost2 && [ "$RC" -eq 5 ]'
check "its last line, then the close, reached the room" \
    eval 'wait_line "$T/ebob.out" "*** host shutting down" &&
	in_order "$T/ebob.out" "<host> closing up" "*** host shutting down"'

# --- the end of chat is the end of the program ------------------------------------------

start_host closer || diag "host did not start"
bot ender ender "echo \$\$ >$T/ender.pids; sleep 1000 & echo \$! >>$T/ender.pids; wait"
check "a bot whose program runs on joins" \
    eval 'poll 10 eval "[ \$(cat $T/ender.pids 2>/dev/null | wc -l) -eq 2 ]" &&
	wait_line "$T/closer.out" "*** ender joined"'
signal closer TERM
check "the host closing the room ends the bot client: exit 0" \
    eval 'wait_exit ender && [ "$RC" -eq 0 ]'
check "and its program, with what the program started" \
    poll 5 pids_gone "$T/ender.pids"

PORT=$HPORT
bot sigbot sigbot "echo \$\$ >$T/sig.pids; exec sleep 1000"
wait_line "$T/alice.out" "*** sigbot joined"
signal sigbot TERM
check "SIGTERM to chat: it leaves the room and exits 0, and its program ends" \
    eval 'wait_exit sigbot && [ "$RC" -eq 0 ] && wait_line "$T/alice.out" "*** sigbot left" &&
	poll 5 pids_gone "$T/sig.pids"'

run eq 5 "$CHAT" -n x -q 1 -e true 127.0.0.1 1 </dev/null
check "-q with -e is a usage error" eval '[ "$RC" -eq 2 ] && [ -s "$T/eq.err" ]'

# --- floods, and programs that do not read ------------------------------------------

# mem_under LABEL WHAT : one test, LABEL's peak memory is under 64 MiB.
mem_under() {
	local _p _kib
	if _p=$(plain_chat_pid "$1"); then
		_kib=$(hwm_kib "$_p")
		check "$2: peak memory under 64 MiB (VmHWM $_kib KiB)" test "$_kib" -lt 65536
	else
		skip "$2: peak memory needs /proc and the plain chat binary"
	fi
}

# A host whose program floods; a bot client whose program floods; a
# member that reads nothing, a bot whose program reads nothing; a
# member that talks, and one that reads as fast as the floods go and
# keeps only the notices and the talker's lines. Both floods start on "!flood", once everyone is in.
# Under valgrind nobody keeps up with a flood, nor is meant to: the
# checks that need readers to keep up are skipped there.
case $CHAT in *valgrind*) slow=1 ;; *) slow= ;; esac
# fast CHECK NAME CMD... : check, unless chat runs under valgrind.
fast() { if [ -n "$slow" ]; then skip "$1 (under valgrind)"; else check "$@"; fi; }
start_host fhost -e 'while read -r line; do case $line in *"> !flood") break ;; esac; done
	exec yes flood' || diag "host did not start"
spawn_in /dev/null watcher perl $PEER -e 'my $s = dial($ARGV[0]);
	my $buf = "";
	syswrite($s, "/nick watcher\n");
	while (sysread($s, $buf, 65536, length $buf)) {
		my $end = rindex($buf, "\n") + 1;
		my $whole = substr($buf, 0, $end, "");
		print "$1\n" while $whole =~ /^((?:\*\*\*|<talker>) [^\n]*)$/mg;
	}' "$PORT"
wait_for "$T/watcher.out" '^\*\*\* welcome watcher\. '
spawn_in /dev/null stuck perl $PEER -e 'my $s = dial($ARGV[0], 4096);
	syswrite($s, "/nick stuck\n"); sleep 1000' "$PORT"
bot fbot fbot 'while read -r line; do case $line in *"> !flood") break ;; esac; done
	cat >/dev/null & exec yes flood'
bot fdeaf fdeaf 'exec sleep 1000'
spawn talker sh -c '"$0" -n talker 127.0.0.1 "$1" >/dev/null' "$CHAT" "$PORT"
for who in stuck fbot fdeaf talker; do
	wait_line "$T/watcher.out" "*** $who joined"
done
say talker '!flood'
check "the member that reads nothing is dropped, not queued for without end" \
    wait_line "$T/watcher.out" "*** stuck dropped (not reading)" 30
check "so is the bot whose program reads nothing: it does not hold the room" \
    wait_line "$T/watcher.out" "*** fdeaf dropped (not reading)" 30
say talker "amid the floods"
fast "with a host's and a client's program flooding, a member's line still reaches the room" \
    wait_line "$T/watcher.out" "<talker> amid the floods" 20
say talker "later in the floods"
fast "the floods go on, and so does the talk" \
    wait_line "$T/watcher.out" "<talker> later in the floods" 20
mem_under fhost "a host whose program floods"
mem_under fbot "a client whose program floods"
mem_under fdeaf "a client whose program never reads"
signal fhost TERM
# (0 if it kept up to the end, 1 if it was dropped for falling behind)
check "once the room closed, the flooding bot's chat has ended too" \
    eval 'wait_exit fbot 10 && { [ "$RC" -eq 0 ] || [ "$RC" -eq 1 ]; } || { diag "exit $RC"; false; }'

# The same end, without the race: a host on a Unix socket that floods a
# bot until the bot stops reading (its program never reads), then shuts
# its socket for reading, so that the bot's next write fails with no
# hang-up for poll to see, then goes. Only the end of the connection,
# read, can tell the bot that its host has gone.
cat >"$T/halfhost.pl" <<'EOF'
use Socket;
$| = 1;
socket(my $l, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
bind($l, pack_sockaddr_un($ARGV[0])) or die "bind: $!\n";
listen($l, 1) or die "listen: $!\n";
print "listening\n";
accept(my $c, $l) or die "accept: $!\n";
alarm 60;
# a child reads all the bot says, so that it goes on writing
if (!fork) { 1 while sysread $c, my $buf, 65536; exit 0; }
my $chunk = ("<host> " . ("x" x 56) . "\n") x 1024;
my $w = '';
vec($w, fileno $c, 1) = 1;
send $c, $chunk, MSG_DONTWAIT while select(undef, my $ww = $w, undef, 1) > 0;
print "not read\n";
shutdown($c, 0) or die "shutdown: $!\n";
wait;
sleep 1;
print "gone\n";
EOF
spawn_in /dev/null halfhost perl "$T/halfhost.pl" "$T/half.sock"
wait_line "$T/halfhost.out" "listening"
spawn_in /dev/null halfbot "$CHAT" -n halfbot -e "echo \$\$ >$T/half.pids; exec yes flood" -U "$T/half.sock"
check "a bot whose program floods and never reads: its write failed, then its host went, and its chat ends" \
    eval 'wait_line "$T/halfhost.out" "gone" 60 && wait_exit halfbot 10 && [ "$RC" -eq 1 ] &&
	has_line "$T/halfbot.err" "chat: connection closed by host"'
check "and so does its program" \
    poll 5 pids_gone "$T/half.pids"

# A host whose program never reads, in a busy room: its queue is
# bounded (it misses lines, counted), the room is not held for it.
start_host dhost -e 'exec sleep 1000' || diag "host did not start"
spawn_in /dev/null dreader "$CHAT" -n reader -q -1 127.0.0.1 "$PORT"
wait_for "$T/dreader.out" '^\*\*\* welcome reader\. '
pad=$(printf '%060d' 0 | tr 0 x)
awk -v pad="$pad" 'BEGIN { for (i = 1; i <= 250000; i++) print i, pad }' >"$T/flood"
run dflood 60 "$CHAT" -n flood 127.0.0.1 "$PORT" <"$T/flood"
check "a 20 MB flood past a host whose program never reads: every line reaches the reader" \
    eval '[ "$RC" -eq 0 ] && wait_line "$T/dreader.out" "<flood> 250000 $pad" 30 &&
	[ "$(grep -c "^<flood> " "$T/dreader.out")" -eq 250000 ]'
mem_under dhost "a host whose program never reads"

# The program that exited while the host was stopped, from above.
wait "$BIG_WAIT"
check "a program that exited while the host was not reading: chat waits for the host" \
    running big
signal slow CONT
check "and all its $NB lines reach the room, then it exits 0" \
    eval 'wait_line "$T/swatch.out" "<big> $NB" 30 && wait_exit big && [ "$RC" -eq 0 ] &&
	[ "$(grep -c "^<big> " "$T/swatch.out")" -eq $NB ]'

# --- at a terminal ---------------------------------------------------------------------

# chat -e at a terminal: no input line is drawn, the terminal is left in
# its own mode, and what is typed there is not sent: the program speaks.
PORT=$HPORT
tmux_up 49 60 12
tm respawn-pane -k -t t "'$CHAT' -n tbot -e 'echo hi from a terminal; exec cat >/dev/null' 127.0.0.1 $PORT; sleep 100000"
check "-e at a terminal: the program speaks for chat" \
    wait_line "$T/alice.out" "<tbot> hi from a terminal"
keys 'typed at the terminal' Enter
say alice "after the typing"
check "what is typed at the terminal is not sent to the room" \
    eval 'absent "$T/alice.out" "<bot> heard: <alice> after the typing" "^<tbot> typed"'
check "and the terminal was left as it was: it echoes what is typed, chat draws nothing" \
    eval 'wait_screen "^typed at the terminal$" && ! screen_has "after the typing|welcome"'
