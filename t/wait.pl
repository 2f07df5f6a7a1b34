#!/usr/bin/perl
# t/wait.pl SECS COND [or COND]... : wait until a condition holds, for
# at most SECS; exit 0 if one did, 1 if none did in time.  The waits of
# t/lib.sh, whose "waiting" section lists the conditions.
# It runs once per wait, so it loads no module but strict: each would
# cost more to load than the wait itself.  Hence whole seconds from
# time (as date +%s gave before), and select to pause.
use strict;
BEGIN { $^W = 1 }

# The deadline: SECS from now, not counting the second already begun.
my $end = time + 1 + shift @ARGV;
sub pause { select(undef, undef, undef, $_[0]) }
my @alts;
while (@ARGV) {
	my $k = shift @ARGV;
	next if $k eq 'or';
	my @a = splice @ARGV, 0, { line => 2, re => 2, count => 3, size => 1,
	    exists => 1, gone => 1, screen => 1, showing => 2, sent => 1 }->{$k} //
	    die "wait.pl: no condition $k\n";
	push @alts, cond($k, @a);
}

# reader FILE : a sub giving what FILE has gained since it last looked,
# as (complete lines, the last line so far, whether FILE started over).
sub reader {
	my ($file) = @_;
	my ($off, $tail, $ino) = (0, '');
	return sub {
		open my $f, '<:raw', $file or return ([], '', 0);
		my @st = stat $f;
		my $over = 0;
		if (!defined $ino || $st[1] != $ino || $st[7] < $off) {
			($off, $tail, $ino, $over) = (0, '', $st[1], 1);
		}
		seek $f, $off, 0;
		local $/;
		my $new = <$f> // '';
		$off += length $new;
		my @l = split /\n/, $tail . $new, -1;
		$tail = pop(@l) // "";
		return (\@l, $tail, $over);
	};
}

# The terminal, for the screen conditions: a tmux control-mode client
# on the script's server, which says when the pane wrote something;
# the screen is read again only then.
my ($tmpid, $tmin, $tmout, $tmbuf, $changed) = (0, undef, undef, '', 1);
sub tm_line {
	my ($until) = @_;
	while ($tmbuf !~ /\n/) {
		my $rin = '';
		vec($rin, fileno $tmout, 1) = 1;
		my $t = $until - time;
		return undef if $t < 0 || !select(my $r = $rin, undef, undef, $t);
		sysread($tmout, $tmbuf, 65536, length $tmbuf) or return undef;
	}
	$tmbuf =~ s/^([^\n]*)\n//;
	return $1;
}
# tm_ask CMD : the lines of CMD's answer (undef if tmux is gone).
sub tm_ask {
	my ($cmd) = @_;
	my (@got, $in);
	print $tmin "$cmd\n";
	while (defined(my $l = tm_line(time + 10))) {
		if ($l =~ /^%begin \d+ \d+ 1$/) { $in = 1; next }
		return \@got if $in && $l =~ /^%(end|error) \d+ \d+ 1$/;
		if ($in) { push @got, $l } elsif ($l =~ /^%output /) { $changed = 1 }
	}
	return undef;
}
# look : the rows of the screen and the cursor's column and row, or
# nothing when the screen has not changed since the last look.
my @screen;
sub look {
	if (!$tmpid) {
		pipe(my $r, $tmin) or die "wait.pl: pipe: $!\n";
		pipe($tmout, my $w) or die "wait.pl: pipe: $!\n";
		$tmpid = fork // die "wait.pl: fork: $!\n";
		if (!$tmpid) {
			open STDIN, '<&', $r or die "wait.pl: $!\n";
			open STDOUT, '>&', $w or die "wait.pl: $!\n";
			exec 'tmux', '-u', '-L', $ENV{TM}, '-C', 'attach', '-t', 't';
			die "wait.pl: exec tmux: $!\n";
		}
		close $r;
		close $w;
		select((select($tmin), $| = 1)[0]);
	}
	return @screen if !$changed;
	$changed = 0;
	my $c = tm_ask('display-message -p -t t "#{cursor_x} #{cursor_y}"') or return ();
	my $rows = tm_ask('capture-pane -p -t t') or return ();
	return @screen = ($rows, split ' ', $c->[0] // '');
}

sub cond {
	my ($k, @a) = @_;
	if ($k eq 'line' || $k eq 're' || $k eq 'count') {
		my $r = reader($a[0]);
		my $m = $k eq 'line' ? sub { $_[0] eq $a[1] } : do {
			my $re = qr/$a[1]/;
			sub { $_[0] =~ $re } };
		my $seen = 0;
		my $want = $k eq 'count' ? $a[2] : 1;
		return sub {
			my ($l, $tail, $over) = $r->();
			$seen = 0 if $over;
			$seen += grep { $m->($_) } @$l;
			return $seen + (length $tail && $m->($tail) ? 1 : 0) >= $want;
		};
	}
	return sub { -s $a[0] } if $k eq 'size';
	return sub { -e $a[0] } if $k eq 'exists';
	if ($k eq 'gone') {
		my @p = split ' ', $a[0];
		return sub {
			for my $p (@p) {
				open my $f, '<', "/proc/$p/stat" or do {
					return 0 if !-d '/proc/self' && kill 0, $p;
					next;
				};
				return 0 if (<$f> // '') !~ /\) Z /;
			}
			return 1;
		};
	}
	my $re = $k eq 'screen' && qr/$a[0]/;
	return sub {
		my ($rows, $x, $y) = look() or return 0;
		return grep { $_ =~ $re } @$rows if $k eq 'screen';
		return 0 unless defined $y;
		return ($rows->[$y] // '') eq $a[0] && $x == $a[1] if $k eq 'showing';
		return $y > 0 && ($rows->[$y - 1] // '') eq $a[0] &&
		    ($rows->[$y] // '') eq '' && $x == 0;
	};
}

my $ok = 0;
while (1) {
	last if $ok = grep { $_->() } @alts;
	last if time >= $end;
	if ($tmpid) {
		# the next %output, or the deadline
		while (defined(my $l = tm_line($end))) {
			if ($l =~ /^%output /) { $changed = 1; last }
		}
		pause(0.01);	# the rest of the redraw
		$changed = 1 if time >= $end;	# one last look
	} else {
		pause(0.01);
	}
}
if ($tmpid) {
	close $tmin;	# the control client detaches at end of file
	my $t = time + 2;
	pause(0.01) while waitpid($tmpid, 1) == 0 && time < $t;
	kill 'KILL', $tmpid if waitpid($tmpid, 1) == 0;
	waitpid($tmpid, 0);
}
exit !$ok;
