#!/bin/sh
# Flow control: nothing is lost for a peer that keeps reading, a peer
# that stops reading is dropped rather than stalling the room or growing
# the host, a flood does not starve other peers' commands, and a peer
# that half-closes still gets what was queued for it.
. "$(dirname "$0")/lib.sh"

plan 20

# slow_peer LABEL NICK : a perl peer with a tiny receive buffer (set
# before connect, so the window stays small) that joins as NICK and does
# not read anything until a line arrives on its stdin.  Then it sends
# the rest of that line as a room line (if any), shuts down its writing
# half, and reads everything the host sends to its .out until the host
# closes ("peer: eof" on .err).
slow_peer() {
	spawn "$1" perl -e '
		use strict;
		use Socket;
		my ($port, $nick) = @ARGV;
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
		setsockopt($s, SOL_SOCKET, SO_RCVBUF, 2048) or die "rcvbuf: $!\n";
		connect($s, pack_sockaddr_in($port, inet_aton("127.0.0.1")))
			or die "connect: $!\n";
		syswrite($s, "/nick $nick\n") or die "send: $!\n";
		my $go = <STDIN>;
		exit 0 unless defined $go;
		chomp $go;
		syswrite($s, "$go\n") or die "send: $!\n" if length $go;
		shutdown($s, 1) or die "shutdown: $!\n";
		print STDERR "peer: half-closed\n";
		while (1) {
			my $n = sysread($s, my $buf, 65536);
			die "peer: read: $!\n" unless defined $n;
			last unless $n;
			syswrite(STDOUT, $buf);
		}
		print STDERR "peer: eof\n";
	' "$PORT" "$2"
}

# in_sequence FILE N PAD : the lines "<flood> I PAD" in FILE are exactly
# I = 1 .. N, in order.
in_sequence() {
	LC_ALL=C awk -v n="$2" -v pad="$3" '
		/^<flood> / {
			if ($0 != "<flood> " (++i) " " pad) {
				printf "# line %d of the flood: %s\n", i, $0
				exit 1
			}
		}
		END { if (i != n) { printf "# %d flood lines, not %d\n", i, n; exit 1 } }
	' "$1" >&2
}

# trickle_peer LABEL NICK : a perl peer that joins as NICK and reads
# everything to its .out, at most 64 KiB every 20 ms (3 MiB/s): a slow
# reader, but one that never stops.
trickle_peer() {
	spawn_in /dev/null "$1" perl -e '
		use strict;
		use Socket;
		my ($port, $nick, $pause) = @ARGV;
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
		connect($s, pack_sockaddr_in($port, inet_aton("127.0.0.1")))
			or die "connect: $!\n";
		syswrite($s, "/nick $nick\n") or die "send: $!\n";
		while (1) {
			my $n = sysread($s, my $buf, $pause > 0.02 ? 4096 : 65536);
			die "peer: read: $!\n" unless defined $n;
			last unless $n;
			syswrite(STDOUT, $buf);
			select(undef, undef, undef, $pause);
		}
	' "$PORT" "$2" "${3:-0.02}"
}

# flood_file N : N lines "I PAD" in $T/flood.N, about 80 bytes each.
pad=$(printf '%060d' 0 | tr 0 x)
pad2=$pad
flood_file() {
	awk -v n="$1" -v pad="$pad" 'BEGIN { for (i = 1; i <= n; i++) print i, pad }' \
	    >"$T/flood.$1"
}

# stuck_room N : a fresh room, hostN, with readerN, a chat client that
# reads everything, and stuckN, a peer that reads nothing; true once
# both have joined.
stuck_room() {
	start_host "host$1" || diag "host did not start"
	spawn_in /dev/null "reader$1" "$CHAT" -n reader -q -1 127.0.0.1 "$PORT"
	wait_for "$T/reader$1.out" '^\*\*\* welcome reader\. '
	slow_peer "stuck$1" stuck
	wait_line "$T/reader$1.out" "*** stuck joined"
}

# --- a reader that stops reading, and one that reads slowly ---------------

# --- a reader that stops reading does not hold the room -------------------

# 135,000 lines, 10 MB (FLOOD=full: 150,000, 11 MB): past the 8 MiB at
# which a live reader would hold the room,
# short of the 16 MiB at which the stuck one is dropped at once. The
# room goes on without it, and drops it 10 s after it last took
# anything. Started first, checked last: the 10 s pass meanwhile.
stuck_room 2
N2=$(sized 135000 150000)
flood_file $N2
spawn_in "$T/flood.$N2" flood2 "$CHAT" -n flood 127.0.0.1 "$PORT"

check "a peer that never reads can join" stuck_room 1
# A laggard: it reads, but 4 KiB every 50 ms, 80 KB/s, far behind the
# reader that keeps up.
trickle_peer slow slow 0.05
wait_line "$T/reader1.out" "*** slow joined"

# 280,000 lines of 76 bytes, 21 MB (FLOOD=full: 300,000): more than
# twice the 8 MiB a queue may hold before the room waits for it, and
# more than the 16 MiB past which a reader the room no longer waits for
# gets dropped, with what is still in flight. (250,000 lines fall short
# of that here: the stuck peer is then dropped only after STUCK_MS.)
N=$(sized 280000 300000)
flood_file $N
run flood 120 "$CHAT" -n flood 127.0.0.1 "$PORT" <"$T/flood.$N"
is "$RC" 0 "a flood with a stuck and a slow peer in the room: the sender exits 0"
check "the stuck peer is dropped, and the room is told" \
    wait_line "$T/reader1.out" "*** stuck dropped (not reading)" 30
last="<flood> $N $pad"
check "the reader gets the last flood line" wait_line "$T/reader1.out" "$last" 30
check "the reader gets every flood line, complete and in order" \
    in_sequence "$T/reader1.out" $N "$pad"
check "the room did not wait for the laggard: it is dropped, and the room is told" \
    wait_line "$T/reader1.out" "*** slow dropped (not reading)" 30
# (its last line may have been cut by the drop: only whole lines count)
sed '$d' "$T/slow.out" >"$T/slow.whole"
check "what the laggard got before it was dropped is complete and in order" \
    eval 'whole=$(count "$T/slow.whole" "^<flood> "); [ "$whole" -gt 0 ] &&
	in_sequence "$T/slow.whole" "$whole" "$pad"'
raw_join after1 after
check "after the flood a newcomer is welcomed, and the reader sees it join" \
    wait_line "$T/reader1.out" "*** after joined"
if hp=$(plain_chat_pid host1); then
	kib=$(hwm_kib "$hp")
	check "the host's peak memory stayed under 64 MiB (VmHWM $kib KiB)" \
	    test "$kib" -lt 65536
else
	skip "peak memory: needs /proc and the plain chat binary"
fi
kill -9 "$(pid_of stuck1)" 2>/dev/null

# --- fairness ------------------------------------------------------------

# A fresh room for each part, so a failure above does not spill over.
start_host fair || diag "host did not start"

# Readers that show every 10,000th flood line and everything else.
every10k='BEGIN { $| = 1 } print unless /^<flooder> flood (\d+)$/ && $1 % 10000'
spawn_in /dev/null watcher sh -c \
    '"$0" -n watcher -q -1 127.0.0.1 "$1" | perl -ne "$2"' "$CHAT" "$PORT" "$every10k"
wait_for "$T/watcher.out" '^\*\*\* welcome watcher\. '
spawn asker sh -c '"$0" -C -n asker 127.0.0.1 "$1" | perl -ne "$2"' \
    "$CHAT" "$PORT" "$every10k"
wait_for "$T/asker.out" '^\*\*\* welcome asker\. '
wait_line "$T/watcher.out" "*** asker joined"

# A raw peer that writes "flood N" lines as fast as the host takes them,
# until it is killed.
spawn_in /dev/null flooder perl -e '
	use Socket;
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	connect($s, pack_sockaddr_in($ARGV[0], inet_aton("127.0.0.1")))
		or die "connect: $!\n";
	syswrite($s, "/nick flooder\n");
	for (my $i = 1; ; $i += 1000) {
		my $b = join "", map { "flood $_\n" } $i .. $i + 999;
		defined(send($s, $b, 0)) or die "send: $!\n";
	}' "$PORT"
wait_for "$T/watcher.out" "^<flooder> flood [0-9]+0000$" 30
say asker "/who"
check "during a flood, another peer's /who is answered" \
    wait_for "$T/asker.out" '^\*\*\* here: ' 30
check "the flooder was still flooding when the answer came" running flooder
n0=$(count "$T/watcher.out" '^<flooder> flood ')
check "the flood goes on after the answer: it was not over" \
    wait_count "$T/watcher.out" '^<flooder> flood ' $((n0 + 1)) 30
kill -9 "$(pid_of flooder)" 2>/dev/null
check "the room sees the flooder go" \
    wait_for "$T/watcher.out" '^\*\*\* flooder left' 30

# --- a peer that half-closes -----------------------------------------------

start_host hc || diag "host did not start"
spawn_in /dev/null hcreader "$CHAT" -n reader -q -1 127.0.0.1 "$PORT"
wait_for "$T/hcreader.out" '^\*\*\* welcome reader\. '

slow_peer half half
wait_line "$T/hcreader.out" "*** half joined"
# Lines for half to read; it reads nothing yet, so they queue.
seq 3000 | sed 's/^/queued for half, line /' >"$T/talk.in"
run talker 60 "$CHAT" -n talker 127.0.0.1 "$PORT" <"$T/talk.in"
wait_line "$T/hcreader.out" "<talker> queued for half, line 3000" 30
say half "my last words"
check "a half-closing peer's last line is relayed" \
    wait_line "$T/hcreader.out" "<half> my last words"
check "it is announced as left, after its last line" \
    eval 'wait_line "$T/hcreader.out" "*** half left" &&
	in_order "$T/hcreader.out" "<half> my last words" "*** half left"'
check "the host then closes the connection" wait_for "$T/half.err" '^peer: eof$' 30
seq 3000 | sed 's/^/<talker> queued for half, line /' >"$T/want"
grep '^<talker> ' "$T/half.out" >"$T/got"
check "it still got every line queued for it, in order, before the close" \
    cmp -s "$T/want" "$T/got"

# --- a member far behind on the room's lines may still talk -----------------

# Only the answers to a peer's own commands hold its input back, not the
# room's lines it has yet to read: a member 3 MB behind, reading
# nothing, still gets its line to the room.
spawn behind perl -e '
	use strict;
	use Socket;
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	setsockopt($s, SOL_SOCKET, SO_RCVBUF, 2048) or die "rcvbuf: $!\n";
	connect($s, pack_sockaddr_in($ARGV[0], inet_aton("127.0.0.1")))
		or die "connect: $!\n";
	syswrite($s, "/nick behind\n") or die "send: $!\n";
	while (my $line = <STDIN>) { syswrite($s, $line) or die "send: $!\n" }
' "$PORT"
wait_line "$T/hcreader.out" "*** behind joined"
pad=$(printf '%0100d' 0)
seq 30000 | sed "s/\$/ $pad/" >"$T/bflood"
run btalker 60 "$CHAT" -n btalker 127.0.0.1 "$PORT" <"$T/bflood"
wait_line "$T/hcreader.out" "<btalker> 30000 $pad" 30
say behind "far behind, still talking"
check "a member 3 MB behind on the room's lines, reading nothing, may still talk" \
    wait_line "$T/hcreader.out" "<behind> far behind, still talking" 5

# --- last: the reader that stopped reading, started first ----------------

last="<flood> $N2 $pad2"
wait_line "$T/reader2.out" "$last" 30
check "a peer that stops reading is dropped within 10 s or so" \
    wait_line "$T/reader2.out" "*** stuck dropped (not reading)" 20
check "the room did not wait for it: every line came before the drop" \
    eval 'in_sequence "$T/reader2.out" $N2 "$pad2" &&
	in_order "$T/reader2.out" "$last" "*** stuck dropped (not reading)"'
kill -9 "$(pid_of stuck2)" 2>/dev/null || :
