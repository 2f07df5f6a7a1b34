#!/bin/sh
# What one reader's queue may hold, and hold up (issue 20). A queue is
# charged for what it keeps alive: a reader that holds a few bytes of a
# shared message holds the whole message, and that counts against its
# limits, so no pattern of ignores, renames and slow reading grows the
# host past them. And a reader that reads a little now and then, just
# often enough not to count as stopped, holds the room no longer than
# one that does not read at all.
. "$(dirname "$0")/lib.sh"

plan 6

SECS=${ATTACK_SECS:-6}

start_host sh1 || give_up "host did not start"
hp=$(plain_chat_pid sh1) || hp=	# memory means something only in a plain build
raw_join carol carol

# The attack: everyone ignores eve; bob has a 4 KiB receive buffer and
# 4 MB queued for him already, and reads 8 KB every half second, so he is
# never stuck; eve floods 4000-byte lines; mal renames himself back and
# forth, so every shared message of eve's lines carries a notice for
# bob, and bob's queue holds a few bytes of each of them.
spawn_in /dev/null attack perl $PEER -e '
	my ($port, $pid, $secs, $go) = @ARGV;
	my $base = rss($pid);
	my $bob = dial($port, 4096);
	syswrite($bob, "/nick bob\n");
	read_until($bob, qr/^\*\*\* welcome /m, 10) =~ /welcome/ or die "bob not in\n";
	my $eve = dial($port);
	syswrite($eve, "/nick eve\n");
	read_until($eve, qr/^\*\*\* welcome /m, 10) =~ /welcome/ or die "eve not in\n";
	my $mal = dial($port);
	syswrite($mal, "/nick mal\n");
	read_until($mal, qr/^\*\*\* welcome /m, 10) =~ /welcome/ or die "mal not in\n";
	# everyone ignores eve: her lines fill shared messages and
	# reach nobody, not even a file
	for my $s ($bob, $mal) {
		syswrite($s, "/ignore eve\n");
		read_until($s, qr/you ignore eve now/, 10);
	}
	syswrite(STDOUT, "ready\n");
	sleep 0.1 until -e $go;
	# 7 MB for bob from mal, before the flood: about 3 MB of it goes
	# into the socket buffer of the host, the rest waits in the queue
	my $line = ("m" x 990) . "\n";
	my $fill = $line x 7168;
	nonblocking($mal);
	nonblocking($eve);
	my ($off, $eo, $ev, $rn) = (0, 0, 0, 0);
	my $lines = ("e" x 3999 . "\n") x 16;
	my ($end, $next, $nick, $peak) = (time + $secs, 0, "ma", 0);
	while (time < $end) {
		if ($off < length $fill) {
			my $w = syswrite($mal, $fill, 65536, $off);
			$off += $w if defined $w;
		} else {
			syswrite($mal, "/nick $nick\n");
			$rn++;
			$nick = $nick eq "ma" ? "mb" : "ma";
		}
		sysread($mal, my $junk, 65536);
		# eve always has more waiting, so every turn of the host
		# reads her lines, and a rename lands among them
		while (defined(my $x = syswrite($eve, $lines, length($lines) - $eo, $eo))) {
			$ev += $x;
			$eo = ($eo + $x) % length $lines;
		}
		sysread($eve, $junk, 65536);
		if (time >= $next) {
			sysread($bob, $junk, 8192);
			$next = time + 0.5;
		}
		my $r = rss($pid);
		$peak = $r if $r > $peak;
		select(undef, undef, undef, 0.0005);
	}
	printf "sent %d MB of lines and %d renames\n", $ev / 1e6, $rn;
	printf "grew %d\n", ($peak - $base) / 1024;
	syswrite(STDOUT, "done\n");
	sleep 30;
' "$PORT" "${hp:-0}" "$SECS" "$T/go"
wait_line "$T/attack.out" ready 20
say sh1 "/ignore eve"
send carol '/ignore eve\n'
wait_line "$T/carol.out" "*** you ignore eve now: /unignore eve ends it"
wait_line "$T/sh1.out" "*** you ignore eve now: /unignore eve ends it"
: >"$T/go"

wait_line "$T/attack.out" done $((SECS + 20)) || show "$T/attack.err"
grew=$(sed -n 's/^grew //p' "$T/attack.out")
diag "$(sed -n 's/^sent/eve and mal sent/p' "$T/attack.out") in $SECS s"
# Its queue is dropped at 16 MiB, so the host holds that, 4 MB of eve's
# lines in flight and the rest of the room: well under 64 MiB. Before
# the fix it grew by 150 MiB and more in the same time.
if [ -n "$hp" ]; then
	check "the host grew by ${grew:-?} MiB under the attack, under 64 MiB" \
	    test "${grew:-999999}" -lt 64
else
	skip "no /proc, or not a plain build: its memory means nothing"
fi

# The room still moves: carol's line reaches the host's stdout, and the
# host's reaches carol.
say carol "still here"
check "after the attack a member's line reaches the room" \
    wait_line "$T/sh1.out" "<carol> still here" 10
say sh1 "and so am I"
check "and the host's line reaches the member" \
    wait_line "$T/carol.out" "<host> and so am I" 10

# === a reader that takes a little every 0.4 s ==================================

# fast reads all as it comes; slow has a 4 KiB receive buffer and reads
# 8 KB every 0.4 s, always within STALL_MS; flood sends 40 MB of lines as
# fast as the host takes them. The room may wait for slow for LAG_MS,
# then goes on without it, so fast has them all in a few seconds;
# slow's queue keeps its lines until it is dropped at OUTQ_HARD.
spawn_in /dev/null pace perl $PEER -e '
	my ($port, $total) = @ARGV;
	my @s;
	for my $n (qw(fast slow flood)) {
		push @s, dial($port, $n eq "slow" ? 4096 : 0);
		syswrite($s[-1], "/nick $n\n");
		read_until($s[-1], qr/^\*\*\* welcome /m, 10) =~ /welcome/ or die "$n not in\n";
	}
	my ($fast, $slow, $flood) = @s;
	nonblocking($_) for @s;
	my $chunk = ("f" x 999 . "\n") x 64;
	my ($sent, $got, $off, $next, $start) = (0, 0, 0, 0, time);
	my $want = $total * length("<flood> ") / 1000 + $total;
	while ($got < $want && time < $start + 30) {
		my ($r, $w) = ("", "");
		vec($r, fileno $fast, 1) = 1;
		vec($w, fileno $flood, 1) = 1 if $sent < $total;
		select(my $ro = $r, my $wo = $w, undef, 0.05);
		if (vec($ro, fileno $fast, 1)) {
			my $k = sysread($fast, my $buf, 1 << 20);
			$got += $k if $k;
		}
		if ($sent < $total && vec($wo, fileno $flood, 1)) {
			my $k = syswrite($flood, $chunk, length($chunk) - $off, $off);
			if ($k) { $sent += $k; $off = ($off + $k) % length $chunk }
		}
		sysread($flood, my $junk, 65536);
		if (time >= $next) {
			sysread($slow, $junk, 8192);
			$next = time + 0.4;
		}
	}
	printf "fast got %d of %d MB in %.1f s\n", $got / 1e6, $want / 1e6, time - $start;
	print $got >= $want ? "all\n" : "short\n";
	sleep 30;
' "$PORT" 40000000
wait_for "$T/pace.out" '^(all|short)$' 45 || show "$T/pace.err"
diag "$(sed -n 's/^fast got/the reader that keeps up got/p' "$T/pace.out")"
check "a reader that takes a little now and then does not hold the room" \
    has_line "$T/pace.out" all
check "and it is dropped, its queue past the limit" \
    wait_line "$T/sh1.out" "*** slow dropped (not reading)" 10

# A seam of the queue's charge with private lines: a queue is charged
# once for a run of slices of one shared message. One write of 300 room
# lines each followed by a /msg to dan breaks dan's queue into 300 runs
# of the same shared message; charged 64 KiB each, they passed the
# 16 MiB limit within the turn, before a byte was written, and dan, who
# reads everything, was dropped as not reading.
raw_join dan dan
raw_join pat pat
perl_send pat 'map { "hi $_\n/msg dan psst $_\n" } 1 .. 300'
check "room lines and private lines interleaved in one write drop nobody who reads" \
    eval 'waits 10 line "$T/dan.out" "*pat* psst 300" &&
	[ "$(count "$T/dan.out" "^<pat> hi [0-9]+$")" = 300 ] &&
	lacks "$T/carol.out" "dan dropped" || { show "$T/carol.out"; false; }'
