#!/bin/sh
# The screen: what a person at a terminal sees, key by key.  Every key
# that changes the line or the cursor redraws at once; non-ASCII text
# shows as it is typed and takes the columns the terminal gives it; the
# cursor and the deletions move by user-perceived character, the word
# keys by words, and Ctrl-Y yanks; Ctrl-L clears; a line of blanks is
# not sent; a paste is text; a long line scrolls sideways, marked where
# text is hidden, and stays on the bottom row across resizes; chat's
# own messages, the lines you send and the lines you receive each get
# their own rows, a long word whole; Tab completes names; a mention
# stands out and rings; -t shows when a line was said.  Checked in tmux with capture-pane and the cursor position.
. "$(dirname "$0")/lib.sh"

plan 169

# The protocol is UTF-8: the terminal, tmux and the pane run in a UTF-8
# locale, so tmux draws wide characters in two columns.
export LC_ALL=C.UTF-8
W=60
tmux_up 169 $W 15
# A Ctrl-C that reaches the pane's shell must not close the window (and
# with it the server).
tm set-option -g remain-on-exit on
# Every byte the programs in the pane write, as written: the bell (BEL)
# leaves no trace on the screen, only here.
: >"$T/pane.raw"
tm pipe-pane -t t "cat >>'$T/pane.raw'"

# How long a redraw after a key may take: it should be at once.
KEY_SECS=${KEY_SECS:-2}

ACUTE=$(printf '\314\201')		# U+0301 COMBINING ACUTE ACCENT
ZWJ=$(printf '\342\200\215')		# U+200D ZERO WIDTH JOINER
VS16=$(printf '\357\270\217')		# U+FE0F VARIATION SELECTOR-16
ZWSP=$(printf '\342\200\213')		# U+200B ZERO WIDTH SPACE (a format char)
FAMILY="👨${ZWJ}👩${ZWJ}👧"		# one ZWJ sequence, 2 columns in tmux 3.3a
esc=$(printf '\033')

cursor_x() { tm display-message -p -t t '#{cursor_x}'; }
cursor_y() { tm display-message -p -t t '#{cursor_y}'; }
# row N : row N of the screen, 0 at the top.
row() { screen | sed -n "$(($1 + 1))p"; }
# input_row : the row the cursor is on, where the input line is drawn;
# above_row : the row just above it.
input_row() { row "$(cursor_y)"; }
above_row() { row "$(($(cursor_y) - 1))"; }
# typ TEXT : type TEXT literally (UTF-8 bytes, as an input method sends them).
typ() { tm send-keys -t t -l "$1"; }
# width N : make the terminal N columns wide (the pane gets SIGWINCH).
# tmux resizes the pane's terminal a moment after the command returns:
# wait until the terminal itself has the new width, as chat will see it.
width() {
	W=$1
	tm resize-window -t t -x "$1"
	poll 5 eval '[ "$(stty size <"$(tm display-message -p -t t "#{pane_tty}")" |
	    cut -d " " -f 2)" = "$W" ]' || diag "the terminal did not become $W wide"
}


# sees NAME CMD... : one test, that CMD comes to succeed within 5 s;
# the screen is shown when it does not.
sees() {
	local _name="$1"; shift
	if poll 5 "$@"; then
		ok "$_name"
	else
		not_ok "$_name"
		show_screen
	fi
}


# at_bottom : the cursor, and with it the input line, is on the last row.
ROWS=15
at_bottom() { [ "$(cursor_y)" = "$((ROWS - 1))" ]; }
# paste TEXT : paste TEXT into the terminal, as a terminal does: line
# breaks as CR, and marked as a paste if chat asked for that.
paste() { tm set-buffer "$1" && tm paste-buffer -p -t t; }
# paste_mode : whether what the pane was last told of bracketed paste
# is on (h), off (l), or nothing (none).
paste_mode() {
	perl -0777 -ne 'my @m = /\e\[\?2004([hl])/g; print $m[-1] // "none"' "$T/pane.raw"
}

# showing TEXT COL : the input line reads TEXT and the cursor is at COL.
showing() { [ "$(input_row)" = "$1" ] && [ "$(cursor_x)" = "$2" ]; }

# shows NAME TEXT COL : one test, that the input line comes to read TEXT
# with the cursor at column COL, at once after the key.  capture-pane
# trims blanks at the end of a row: a trailing space shows in COL.
shows() {
	if waits "$KEY_SECS" showing "$2" "$3"; then
		ok "$1"
		return
	fi
	not_ok "$1"
	diag "     got: '$(input_row)', cursor at $(cursor_x)"
	diag "expected: '$2', cursor at $3"
}

# sent_row TEXT : what was sent is on the row above the input line,
# which is empty again.
sent_row() { [ "$(above_row)" = "$1" ] && showing "" 0; }
sends() {
	if waits 5 sent "$2"; then
		ok "$1"
		return
	fi
	not_ok "$1"
	diag "expected '$2' just above an empty input line"
	show_screen
}

# term CMD : run CMD in the terminal, in a clean screen.
term() {
	tm respawn-pane -k -t t "export LC_ALL=C.UTF-8; $*; sleep 100000"
	tm clear-history -t t
}

# joined NICK : the chat in the terminal joined the main room as NICK
# and has drawn the room's history (which scrolls the welcome away).
joined() {
	wait_line "$T/bob.out" "*** $1 joined" && wait_screen 'end of history$'
}

# clear_line : empty the input line (Ctrl-U cuts left of the cursor).
clear_line() { keys C-e C-u; }

# leave NICK : Ctrl-C the chat in the terminal and wait until it is gone
# from the room.
leave() {
	keys C-c
	wait_line "$T/bob.out" "*** $1 left"
}

# bells : how many BEL bytes the programs in the pane wrote so far;
# bells_after OFFSET : how many after byte OFFSET of the raw output.
bells() { LC_ALL=C tr -cd '\007' <"$T/pane.raw" | wc -c | tr -d ' '; }
bells_after() { tail -c +"$(($1 + 1))" "$T/pane.raw" | LC_ALL=C tr -cd '\007' | wc -c | tr -d ' '; }
raw_size() { wc -c <"$T/pane.raw" | tr -d ' '; }
raw_has() { LC_ALL=C grep -Fq -- "$1" "$T/pane.raw"; }

# cols STRING : the columns STRING takes, for the text of these tests:
# wide and fullwidth 2, combining and format characters 0, others 1.
cat >"$T/cols.pl" <<'EOF'
sub cols {
	my $n = 0;
	for (split //, shift) {
		$n += /\p{EA=W}|\p{EA=F}/ ? 2 : /[\p{Mn}\p{Me}\p{Cf}]/ ? 0 : 1;
	}
	return $n;
}
1;
EOF

# scrolled LINE POS : the input line LINE, with the cursor before its
# character POS, is drawn scrolled sideways on the cursor's row: at most
# W-1 columns, nearly that many when the line is long enough, and what
# is left and right of the cursor is the text just before and just after
# position POS of LINE (so it is one contiguous part of LINE that holds
# the cursor); a '<' at the left edge, and a '>' at the right (after a
# blank, where a wide character did not fit), exactly when some of the
# line is hidden there.  LINE holds no '<' or '>'.
cat >"$T/scrolled.pl" <<'EOF'
require "$ENV{T}/cols.pl";
my ($row, $line, $pos, $x, $w) = @ARGV;
my $fail = sub { print STDERR "# $_[0] (row '$row', cursor at $x)\n"; exit 1 };
my $c = cols($row);
$fail->("the row is $c columns, more than " . ($w - 1)) if $c > $w - 1;
$fail->("the cursor is past column " . ($w - 1)) if $x > $w - 1;
my $want = cols($line) < $w - 1 ? cols($line) : $w - 1;
$fail->("only $c columns of the line are shown") if $c < $want - 2;
my $text = $row;
my $lmark = $text =~ s/^<//;
my $rmark = $text =~ s/ ?>$//;
$fail->("the '>' is not at the right edge") if $rmark && $c != $w - 1;
my ($left, $right, $k) = ('', $text, $lmark ? 1 : 0);
while ($k < $x && length $right) {
	my $ch = substr($right, 0, 1, '');
	$left .= $ch;
	$k += cols($ch);
}
$fail->("the cursor is not at a character boundary") if $k != $x;
my ($before, $after) = (substr($line, 0, $pos), substr($line, $pos));
$fail->("left of the cursor is not the text before it")
    if substr($before, length($before) - length($left)) ne $left;
$fail->("right of the cursor is not the text after it")
    if substr($after, 0, length $right) ne $right;
$fail->($lmark ? "a '<' but nothing hidden on the left" : "text hidden on the left, no '<'")
    if $lmark != (length($left) < length($before));
$fail->($rmark ? "a '>' but nothing hidden on the right" : "text hidden on the right, no '>'")
    if $rmark != (length($right) < length($after));
exit 0;
EOF
scrolled() {
	T=$T perl -CSA "$T/scrolled.pl" "$(input_row)" "$1" "$2" "$(cursor_x)" "$W"
}

# one_row REGEX ABOVE : exactly one row of the screen matches REGEX (a
# piece of the typed line), the cursor's, and the row above it reads
# ABOVE (what the room printed last): the input line took one row and
# left nothing behind.
one_row() {
	[ "$(screen | LC_ALL=C grep -Ec -- "$1")" = 1 ] &&
	    input_row | LC_ALL=C grep -Eq -- "$1" && [ "$(above_row)" = "$2" ]
}
# no_row REGEX ABOVE : no row matches REGEX, the input line is empty and
# the row above it reads ABOVE.
no_row() {
	! screen_has "$1" && showing "" 0 && [ "$(above_row)" = "$2" ]
}

# scrolls NAME LINE POS [REGEX ABOVE] : one test, that the input line
# comes to be drawn as scrolled says, at once; with REGEX and ABOVE, on
# one row as one_row says.
scrolls_now() {
	scrolled "$1" "$2" 2>/dev/null && { [ $# -lt 3 ] || one_row "$3" "$4"; }
}
scrolls() {
	local _name="$1"; shift
	if poll "$KEY_SECS" scrolls_now "$@"; then
		ok "$_name"
		return
	fi
	not_ok "$_name"
	scrolled "$1" "$2"
	show_screen
}

# wrapped LINE PREFIX : the received LINE, on screen at the width W,
# starts a row and goes on in rows that each start with an indent: the
# width PREFIX of its prefix (<bob> , *** ), or for a prefix wider than
# half the width 1 to W/2 blanks.  Together they hold all of LINE in
# order (blanks aside, where a row may break), and the next row is the
# input line: no piece of LINE is left at the left edge.
cat >"$T/wrapped.pl" <<'EOF'
require "$ENV{T}/cols.pl";
my ($line, $p, $w, $y) = @ARGV;
my @rows = <STDIN>;
chomp @rows;
my $fail = sub {
	print STDERR "# $_[0]\n";
	print STDERR "#   |$_\n" for @rows;
	exit 1;
};
my $start = substr($line, 0, 8);
my ($i) = grep { substr($rows[$_], 0, length $start) eq $start } reverse 0 .. $y - 1;
$fail->("no row starts with '$start'") unless defined $i;
my $text = $rows[$i];
for my $r (@rows[$i + 1 .. $y - 1]) {
	my ($lead) = $r =~ /^( *)/;
	$fail->("a continuation row starts at the left edge: '$r'") unless length $lead;
	if ($p <= $w / 2) {
		$fail->("a continuation row is not indented by $p: '$r'")
		    if substr($r, 0, $p) ne ' ' x $p;
	} elsif (length $lead > $w / 2) {
		$fail->("a continuation row is indented by more than half the width");
	}
	$fail->("a row is wider than the terminal: '$r'") if cols($r) > $w;
	$text .= $r;
}
(my $got = $text) =~ s/\s//g;
(my $want = $line) =~ s/\s//g;
$fail->("the rows do not hold the line") if $got ne $want;
exit 0;
EOF
wrapped() {
	screen | T=$T perl -CSA "$T/wrapped.pl" "$1" "$2" "$W" "$(cursor_y)"
}
wrapped_quiet() { wrapped "$@" 2>/dev/null; }
# wraps NAME LINE PREFIX : one test, that LINE comes to be wrapped so.
wraps() {
	local _name="$1"; shift
	if poll 5 wrapped_quiet "$@"; then
		ok "$_name"
	else
		not_ok "$_name"
		wrapped "$@"
	fi
}

# look ROWREGEX TEXT : how TEXT is drawn in the last row whose text
# matches the Perl regex ROWREGEX, from capture-pane -e: "fg=COLOUR
# rev=all|none|some", COLOUR none, 8:3N (SGR 30-37) or 256:N (38;5;N);
# "missing" when no such row holds TEXT.
cat >"$T/look.pl" <<'EOF'
my ($re, $text) = @ARGV;
my $found;
while (my $l = <STDIN>) {
	chomp $l;
	my @cells;
	my %a = (fg => 'none', rev => 0);
	while (length $l) {
		if ($l =~ s/^\e\[([0-9;:]*)m//) {
			my @p = length $1 ? split(/;/, $1) : (0);
			while (@p) {
				my $c = shift @p;
				$c = 0 if $c eq '';
				if ($c == 0) { %a = (fg => 'none', rev => 0) }
				elsif ($c == 7) { $a{rev} = 1 }
				elsif ($c == 27) { $a{rev} = 0 }
				elsif ($c == 39) { $a{fg} = 'none' }
				elsif (($c >= 30 && $c <= 37) || ($c >= 90 && $c <= 97)) { $a{fg} = "8:$c" }
				elsif ($c == 38 || $c == 48) {
					my $k = shift @p // '';
					my @v = $k eq '5' ? (shift @p) : $k eq '2' ? splice(@p, 0, 3) : ();
					$a{fg} = ($k eq '5' ? '256:' : 'rgb:') . join(',', @v) if $c == 38;
				}
			}
		} elsif ($l =~ s/^\e[^a-zA-Z]*[a-zA-Z]//) {
		} else {
			push @cells, [substr($l, 0, 1, ''), {%a}];
		}
	}
	my $plain = join '', map { $_->[0] } @cells;
	my $i = index $plain, $text;
	$found = [@cells[$i .. $i + length($text) - 1]] if $plain =~ /$re/ && $i >= 0;
}
if (!$found) { print "missing\n"; exit 0 }
my $r = grep { $_->[1]{rev} } @$found;
printf "fg=%s rev=%s\n", $found->[0][1]{fg},
    $r == @$found ? 'all' : $r ? 'some' : 'none';
EOF
look() { screen -e | perl -CSA "$T/look.pl" "$1" "$2"; }

start_host host
MAIN=$PORT
join_room bob bob
join_room bobby bobby
join_room alina alina
# bobby away: the welcome and /who list him as "bobby (away)", and the
# names after him are offered by Tab all the same
say bobby "/away"
wait_line "$T/bobby.out" "*** you are away (/back ends it)"
join_room lilei 李雷

# --- every key redraws at once ------------------------------------------

term "'$CHAT' -n alice 127.0.0.1 $PORT"
wait_screen '^\*\*\* welcome alice\. ' || give_up "chat did not start in the terminal"
wait_line "$T/bob.out" "*** alice joined"
typ 'first'; keys Enter
typ 'second'; keys Enter
wait_line "$T/bob.out" "<alice> second"

typ 'abc def'
shows "typed ASCII shows at once, the cursor after it" 'abc def' 7
keys Left
shows "Left moves the cursor at once" 'abc def' 6
keys Left
shows "Left again" 'abc def' 5
keys Right
shows "Right moves the cursor at once" 'abc def' 6
keys Home
shows "Home moves the cursor at once" 'abc def' 0
keys DC
shows "Delete removes the character under the cursor at once" 'bc def' 0
keys End
shows "End moves the cursor at once" 'bc def' 6
keys C-a
shows "Ctrl-A goes to the start" 'bc def' 0
keys C-f
shows "Ctrl-F goes right" 'bc def' 1
keys C-e
shows "Ctrl-E goes to the end" 'bc def' 6
keys C-b
shows "Ctrl-B goes left" 'bc def' 5
keys C-k
shows "Ctrl-K cuts to the end" 'bc de' 5
keys BSpace
shows "Backspace removes the character before the cursor" 'bc d' 4
keys C-w
shows "Ctrl-W removes the word before the cursor" 'bc' 3
keys C-u
shows "Ctrl-U removes everything left of the cursor" '' 0

typ 'draft'
keys Up
shows "Up shows the last line sent at once" 'second' 6
keys Up
shows "Up again shows the one before" 'first' 5
keys Down
shows "Down shows the next one at once" 'second' 6
keys Down
shows "Down past the newest line gives back the draft" 'draft' 5
typ '!'
shows "  the draft itself, not what the screen showed before Up" 'draft!' 6
clear_line
keys Escape
keys x
shows "Escape alone does not swallow the next key" 'x' 1
clear_line

# --- readline's word keys, and Ctrl-Y ------------------------------------------

# Words of an accented letter, Chinese and an emoji with a skin tone:
# café 4 columns, 你好 4, 👍🏽ok 6, and a blank between each.
typ 'café 你好 👍🏽ok'
shows "café 你好 👍🏽ok: the cursor at column 16" 'café 你好 👍🏽ok' 16
keys M-b
shows "Alt-B: to the start of the word, before the emoji" 'café 你好 👍🏽ok' 10
keys M-b
shows "Alt-B again: before 你好" 'café 你好 👍🏽ok' 5
keys M-b
shows "Alt-B again: the start of the line" 'café 你好 👍🏽ok' 0
keys M-f
shows "Alt-F: to the end of the word, after café" 'café 你好 👍🏽ok' 4
keys M-f
shows "Alt-F again: after 你好" 'café 你好 👍🏽ok' 9
keys C-Right
shows "Ctrl-Right: a word right, to the end" 'café 你好 👍🏽ok' 16
keys C-Left
shows "Ctrl-Left: a word left" 'café 你好 👍🏽ok' 10
keys M-d
shows "Alt-D: deletes the word after the cursor, emoji and all" 'café 你好' 10
keys C-y
shows "Ctrl-Y: yanks it back" 'café 你好 👍🏽ok' 16
keys M-BSpace M-BSpace
shows "Alt-Backspace twice: deletes the two words before the cursor" 'café' 5
keys C-y
shows "Ctrl-Y: yanks what Alt-Backspace last deleted, '你好 '" 'café 你好' 10
keys C-a C-k
shows "Ctrl-K deletes to the end" '' 0
keys C-y C-y
shows "Ctrl-Y yanks what Ctrl-K deleted, once for each press" 'café 你好 café 你好' 20
keys C-u
shows "Ctrl-U deletes to the start" '' 0
keys C-y
shows "Ctrl-Y yanks what Ctrl-U deleted" 'café 你好 café 你好' 20
keys Left C-w
shows "Ctrl-W deletes back to a blank" 'café 你好 café' 15
keys End C-y
shows "  and Ctrl-Y puts it in at the cursor" 'café 你好 café  你好' 20
keys Enter
check "the room gets the line as it shows" wait_line "$T/bob.out" '<alice> café 你好 café  你好'

# cleared : the screen shows nothing but the input line, on the top row.
cleared() { [ "$(cursor_y)" = 0 ] && showing kept 4 && [ "$(screen | grep -c .)" = 1 ]; }
typ 'kept'
keys C-l
sees "Ctrl-L clears the screen and draws the input line again, at the top" cleared
say bob 'after the clear'
sees "  the room's lines come above it again" \
    eval '[ "$(row 0)" = "<bob> after the clear" ] && [ "$(cursor_y)" = 1 ] && showing kept 4'
clear_line

# --- a line of blanks is not sent -------------------------------------------

typ '   '
keys Enter
shows "Enter on a line of only blanks empties it" '' 0
typ 'after blanks'
keys Enter
check "  and sends nothing: the room's next line from us is the one after it" \
    absent "$T/bob.out" "<alice> after blanks" '^<alice> *$'
check "  nor shows it as sent" eval 'wait_screen "^<alice> after blanks$" && ! screen_has "^<alice> *$"'

# --- a paste is text ----------------------------------------------------------

paste "$(printf 'two\tTAB')"
shows "a Tab in a paste is text: the space the room will see" 'two TAB' 7
keys Enter
check "  and the room gets it" wait_line "$T/bob.out" '<alice> two TAB'
paste "$(printf 'first pasted\nsecond pasted\nthird')"
shows "a paste of three lines: the last, without a line break, stays in the input line" \
    'third' 5
check "  the first two are sent as lines, in order" \
    eval 'wait_line "$T/bob.out" "<alice> second pasted" &&
	in_order "$T/bob.out" "<alice> first pasted" "<alice> second pasted"'
check "  and shown as the room sees them, in order, above the input line" \
    eval '[ "$(row "$(($(cursor_y) - 2))")" = "<alice> first pasted" ] &&
	[ "$(above_row)" = "<alice> second pasted" ]'
clear_line
paste "$(printf '\004ok')"
shows "a Ctrl-D in a paste on an empty line is no key: chat stays, the rest is typed" 'ok' 2
clear_line
typ 'bo'
keys Tab
shows "after a paste, Tab completes again" 'bob:' 5
clear_line

# A paste longer than a line: what fits is the line, and the bell and
# one message say that the rest was dropped.
at=$(raw_size)
big=$(awk 'BEGIN { for (i = 0; i < 5000; i++) printf "%c", 97 + i % 26 }')
paste "$big"
say bob 'after the big paste'
wait_screen '^<bob> after the big paste$'
check "a paste past 4096 bytes: chat says once that the input line is full" \
    eval '[ "$(screen | LC_ALL=C grep -c "^chat: the input line is full: 4096 bytes")" = 1 ]'
check "  and rings the bell once" eval '[ "$(bells_after "$at")" = 1 ] || { diag "bells: $(bells_after "$at")"; false; }'
keys Enter
check "  Enter sends the 4096 bytes that fit" \
    wait_line "$T/bob.out" "<alice> $(printf %s "$big" | head -c 4096)"

# --- non-ASCII shows as soon as its last byte is typed --------------------

typ '你好'
shows "typed Chinese shows at once, 2 columns each" '你好' 4
clear_line
typ 'é'
shows "a typed é shows at once" 'é' 1
clear_line
typ '😀'
shows "a typed emoji shows at once, 2 columns" '😀' 2
clear_line

# --- widths from the Unicode data ------------------------------------------

typ '你好世界'
shows "four Chinese characters: the cursor at column 8" '你好世界' 8
keys C-b
shows "Ctrl-B steps over one wide character: column 6" '你好世界' 6
keys Left
shows "Left steps over one wide character: column 4" '你好世界' 4
keys Right
shows "Right steps over one wide character: column 6" '你好世界' 6
keys C-e
shows "Ctrl-E: back at column 8" '你好世界' 8
clear_line
typ 'ok 你好'
shows "'ok 你好': the cursor at column 7" 'ok 你好' 7
clear_line
typ 'aＡb'
shows "a fullwidth letter takes 2 columns" 'aＡb' 4
clear_line
typ "e${ACUTE}x"
shows "a combining accent takes no column" "e${ACUTE}x" 2
clear_line
typ "a${ZWSP}b"
shows "a format character (ZERO WIDTH SPACE) takes no column" "a${ZWSP}b" 2
clear_line
typ "a❤${VS16}b"
shows "a variation selector takes no column" "a❤${VS16}b" 3
clear_line
typ "a${FAMILY}b"
shows "a ZWJ family takes 2 columns, as the terminal draws it" "a${FAMILY}b" 4
clear_line
typ 'a👍🏽b'
shows "an emoji with a skin tone takes 2+2 columns" 'a👍🏽b' 6
clear_line

# --- the cursor moves by user-perceived character ----------------------------

typ "ae${ACUTE}x"
shows "a, é (e + U+0301), x: three characters, 3 columns" "ae${ACUTE}x" 3
keys Left
shows "Left steps over x" "ae${ACUTE}x" 2
keys Left
shows "Left steps over é whole: before it" "ae${ACUTE}x" 1
typ 'Y'
shows "Y goes before é, the accent stays on its e" "aYe${ACUTE}x" 2
keys Enter
check "the room gets a, Y, e, U+0301, x in that order" \
    wait_line "$T/bob.out" "<alice> aYe${ACUTE}x"

typ "ae${ACUTE}x"
keys Home Right
shows "Right steps over a" "ae${ACUTE}x" 1
keys DC
shows "Delete removes e and its accent together" 'ax' 1
keys End
typ "e${ACUTE}"
keys BSpace
shows "Backspace removes e and its accent together" 'ax' 2
clear_line

typ 'ok👍🏽'
shows "ok and an emoji with a skin tone: column 6" 'ok👍🏽' 6
keys BSpace
shows "one Backspace removes the emoji and its skin tone" 'ok' 2
typ '!'
keys Enter
check "the room gets the line without the emoji" wait_line "$T/bob.out" "<alice> ok!"

typ 'a🇫🇷b'
keys Left Left
shows "a flag is one character: Left steps over both halves" 'a🇫🇷b' 1
typ 'Y'
keys Enter
check "the room gets the flag whole, after Y" wait_line "$T/bob.out" "<alice> aY🇫🇷b"
typ "a${FAMILY}"
keys BSpace
shows "one Backspace removes a whole ZWJ family" 'a' 1
clear_line
typ 'say 👍🏽'
keys C-w
shows "Ctrl-W removes a word of emoji whole" 'say' 4
clear_line

# --- what you send is shown as the room sees it ------------------------------

typ 'hello'
keys Enter
sends "Enter: the line is shown as <alice> hello, in place of the typed line" '<alice> hello'
check "  and not as the bare typed text" eval '! screen_has "^hello$"'
typ '/me waves'
keys Enter
sends "/me is shown as the room sees it: * alice waves" '* alice waves'
typ '/msg bob psst'
keys Enter
sends "/msg is shown as the host's copy: -> *bob* psst" '-> *bob* psst'
check "  and not as the typed command" eval '! screen_has "^/msg bob psst$"'
typ '/who'
keys Enter
wait_screen '^\*\*\* here: '
check "/who is not echoed; its answer is shown" eval '! screen_has "^/who$"'

# --- Tab completes nicknames and commands ------------------------------------

clear_line
typ 'bo'
keys Tab
shows "Tab at the start of the line completes a nick as 'nick: '" 'bob:' 5
keys Tab
shows "Tab again: the next match, in alphabetical order" 'bobby:' 7
keys Tab
shows "Tab again: back to the first" 'bob:' 5
typ 'x'
keys Tab
shows "any other key ends the cycling" 'bob: x' 6
clear_line
typ 'hi bo'
keys Tab
shows "Tab elsewhere in the line completes as 'nick '" 'hi bob' 7
keys Tab
shows "  and cycles there too" 'hi bobby' 9
clear_line
typ 'BO'
keys Tab
shows "the nick prefix is matched without case" 'bob:' 5
clear_line
typ 'al'
keys Tab
shows "al Tab: alina" 'alina:' 7
keys Tab
shows "  and Tab again stays there: your own nick is never offered" 'alina:' 7
clear_line
typ '李'
keys Tab
shows "a Chinese name listed after one away is offered, and the cursor is past it" '李雷:' 6
clear_line
typ '/wh'
keys Tab
shows "/ and Tab completes a command" '/who' 5
clear_line
typ '/m'
keys Tab
shows "/m Tab: /me first" '/me' 4
keys Tab
shows "Tab again: /msg" '/msg' 5
clear_line

join_room carol carol
join_room cathy cathy
join_room boba Boba
wait_screen '^\*\*\* Boba joined$'
typ 'ca'
keys Tab
shows "someone who joined after you is offered" 'carol:' 7
clear_line
typ 'bo'
keys Tab Tab
shows "nicks are cycled in case-insensitive order: bob, Boba, bobby" 'Boba:' 6
clear_line
say carol '/nick dora'
wait_screen '^\*\*\* carol is now dora$'
say bobby '/quit'
wait_screen '^\*\*\* bobby left'
typ 'ca'
keys Tab Tab
shows "an old name is no longer offered: ca Tab Tab stays at cathy" 'cathy:' 7
clear_line
typ 'do'
keys Tab
shows "  the new name is" 'dora:' 6
clear_line
typ 'bob'
keys Tab Tab Tab
shows "someone who left is no longer offered" 'bob:' 5
clear_line

# --- a mention stands out and rings the bell -----------------------------

b0=$(bells)
typ 'a note to alice'
keys Enter
wait_line "$T/bob.out" '<alice> a note to alice'
say bob 'malice in wonderland'
wait_screen '^<bob> malice in wonderland$'
say bob 'hey ALICE!'
wait_screen '^<bob> hey ALICE!$'
say bob 'quiet again'
wait_screen '^<bob> quiet again$'
check "a line that names you is in reverse video" \
    eval '[ "$(look "^<bob> hey ALICE!\$" "hey ALICE!" | sed "s/.* //")" = rev=all ]'
check "  and rings the bell" poll 5 eval '[ "$(bells)" -gt "$b0" ]'
check "exactly one bell: not for 'malice', nor for your own line" \
    eval 'poll 5 raw_has "quiet again" && [ "$(bells)" = "$((b0 + 1))" ]'
check "'malice' does not name you: no reverse video" \
    eval '[ "$(look "^<bob> malice" "malice in wonderland" | sed "s/.* //")" = rev=none ]'
check "your own line naming you: no reverse video" \
    eval '[ "$(look "a note to alice\$" "a note to alice" | sed "s/.* //")" = rev=none ]'
say bob '/msg alice a secret'
wait_screen '^\*bob\* a secret$'
check "a private message is in reverse video" \
    eval '[ "$(look "^\\*bob\\* a secret" "a secret" | sed "s/.* //")" = rev=all ]'
check "  and rings the bell" poll 5 eval '[ "$(bells)" = "$((b0 + 2))" ]'

# --- a long input line scrolls sideways, never wraps -------------------------

width 20
say bob 'above'
wait_screen '^<bob> above$'
cn=一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十百千
CN='一|二|三|五|十|百|千'
typ "$cn"
scrolls "20 columns, 32 Chinese characters: the end is shown, with the cursor" \
    "$cn" 32
check "  on one row: the row above is the room's" poll "$KEY_SECS" one_row "$CN" '<bob> above'
typ '!'
scrolls "one more character: still the end, on one row" "$cn!" 33 "$CN" '<bob> above'
keys Home
scrolls "Home shows the start of the line" "$cn!" 0 "$CN" '<bob> above'
keys Right Right Right Right Right
scrolls "Right five times: the cursor after the fifth character" "$cn!" 5
keys End
scrolls "End shows the end again" "$cn!" 33 "$CN" '<bob> above'
keys C-u
check "Ctrl-U leaves no row of the line behind" poll "$KEY_SECS" no_row "$CN" '<bob> above'
abc=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz
typ "$abc"
scrolls "a 52-character ASCII line: the end is shown, on one row" \
    "$abc" 52 '[a-z]{12}' '<bob> above'
keys Left Left Left Left Left
scrolls "Left five times: the cursor moves within the shown part" "$abc" 47
keys Home
scrolls "Home shows its start" "$abc" 0
keys Right Right Right Right Right Right Right Right Right Right Right Right Right \
    Right Right Right Right Right Right Right Right Right Right Right Right
scrolls "Right 25 times: the cursor in the middle, text hidden on both sides" "$abc" 25
check "  a '<' at the left edge and a '>' at the right say so" \
    eval 'matches "$(input_row)" "^<[a-z]{17}>\$"'
keys End
check "End: all the rest is shown, a '<' alone says what is hidden" \
    eval 'matches "$(input_row)" "^<[a-z]{18}\$"'
keys Home
check "Home: a '>' alone" eval 'matches "$(input_row)" "^[a-z]{18}>\$"'
clear_line

# --- resizing redraws at once -------------------------------------------------

width 60
say bob 'above the line'
wait_screen '^<bob> above the line$'
digits=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789
typ "$digits"
poll "$KEY_SECS" scrolls_now "$digits" 100
width 30
scrolls "narrowed to 30: the line is redrawn on one row, the rows above are the room's" \
    "$digits" 100 '[0-9]{5}' '<bob> above the line'
width 70
scrolls "widened to 70: more of the line is shown at once, without a key" \
    "$digits" 100 '[0-9]{5}' '<bob> above the line'
clear_line

# After any resize the input line is on the bottom row, and no row of
# it is left anywhere: a terminal that reflows (tmux does) has put the
# part past the new width on a row of its own, and scrolled for it.
# resized LINE POS REGEX : so, LINE drawn with the cursor at POS.
resized() {
	at_bottom && scrolls_now "$1" "$2" "$3" '<bob> above the resize'
}
width 40
say bob 'above the resize'
wait_screen '^<bob> above the resize$'
ten='one two three four five six seven eight nine ten'
TEN='one|two|six|seven|eight|nine'
typ "$ten"
keys Home
poll "$KEY_SECS" scrolls_now "$ten" 0
keys Right Right Right Right Right Right Right Right
poll "$KEY_SECS" scrolls_now "$ten" 8
width 25
check "narrowed, the cursor mid-line: the line is on the bottom row, and only there" \
    poll "$KEY_SECS" resized "$ten" 8 "$TEN"
width 40
check "widened again: the same" poll "$KEY_SECS" resized "$ten" 8 "$TEN"
keys End
poll "$KEY_SECS" scrolls_now "$ten" 48
width 25
check "narrowed, the cursor at the end: the line is on the bottom row, and only there" \
    poll "$KEY_SECS" resized "$ten" 48 "$TEN"
width 60
check "widened again: the same" poll "$KEY_SECS" resized "$ten" 48 "$TEN"
clear_line

# --- a long received line wraps with indented continuation rows ----------------

width 30
long="$(printf '<x> *** abc %.0s' 1 2 3 4 5 6 7 8)abcd"	# 100 characters
say bob "$long"
wait_screen '^<bob> <x> \*\*\* abc'
wraps "30 columns, a 100-character line: continuation rows indented under the text" \
    "<bob> $long" 6
zh=一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十
say bob "$zh"
wait_screen '^<bob> 一二三'
wraps "a long line of Chinese wraps whole characters, indented" "<bob> $zh" 6
join_room longnick abcdefghijklmnopqrst
wait_screen '^\*\*\* abcdefghijklmnopqrst'
wraps "a notice wraps indented by the width of '*** '" '*** abcdefghijklmnopqrst joined' 4
say longnick 'abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij'
wait_screen '^<abcdefghijklmnopqrst>'
wraps "a prefix wider than half the width: indented by half the width at most" \
    '<abcdefghijklmnopqrst> abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij' 23
# A word wider than a row (a URL) is written whole, for the terminal to
# wrap: copied, it is one line (capture-pane -J joins what the terminal
# wrapped). Its rows hold nothing but the word, which has no blank, so
# none can pass for a line: the text after it starts a row of its own.
url=https://example.org/a/very/long/path/to/a/page.html
say bob "see $url and more"
wait_screen '^      and more$'
check "a word wider than a row is written whole: copied, it is the whole URL" \
    eval 'screen -J | LC_ALL=C grep -Fxq -- "<bob> see $url"'
murl=https://example.org/alice/a/very/long/path
say bob "$murl"
wait_screen '^<bob> https://example\.org/'
check "  also first in a line shown in reverse video, for naming you" \
    poll 5 eval 'screen -J | LC_ALL=C grep -Fxq -- "<bob> $murl"'
spoof="$(printf 'a%.0s' $(seq 24))<eve>"
say bob "$spoof hi there"
wait_screen '^      hi there$'
check "  and the text after it starts a row of its own: no row reads '<eve> hi there'" \
    eval 'screen -J | LC_ALL=C grep -Fxq -- "<bob> $spoof" && ! screen_has "^<eve> "'
width 60
keys C-z
check "Ctrl-Z: the terminal is told to stop marking pastes, for the shell" \
    poll 5 eval '[ "$(paste_mode)" = l ]'
kill -s CONT -- "-$(tm display-message -p -t t '#{pane_pid}')"
check "  fg (SIGCONT): and to mark them again" poll 5 eval '[ "$(paste_mode)" = h ]'
leave alice
check "on leaving: told to stop again" poll 5 eval '[ "$(paste_mode)" = l ]'

# --- your nick is the one the host gave ------------------------------------

join_room alicef alice
term "'$CHAT' -n alice 127.0.0.1 $PORT"
joined alice2
typ 'hi there'
keys Enter
sends "alice is taken: your lines show the name the host gave, <alice2>" '<alice2> hi there'
leave alice2
say alicef '/quit'
wait_line "$T/bob.out" "*** alice left"

# --- -B: the highlight without the bell --------------------------------------

term "'$CHAT' -B -n alice 127.0.0.1 $PORT"
joined alice
at=$(raw_size)
say bob 'alice: ping'
say bob '/msg alice psst again'
say bob 'the end of it'
wait_screen '^<bob> the end of it$'
check "-B: a mention is still in reverse video" \
    eval '[ "$(look "^<bob> alice: ping" "alice: ping" | sed "s/.* //")" = rev=all ]'
check "-B: no bell, for a mention nor a private message" \
    eval 'poll 5 raw_has "the end of it" && [ "$(bells_after "$at")" = 0 ]'
leave alice

# --- colours: 256 where the terminal has them ----------------------------------

raw_peer g
wait_for "$T/g.out" '^\*\*\* welcome guest1\. '
term "TERM=screen-256color '$CHAT' -n alice 127.0.0.1 $PORT"
joined alice
say g 'hi from guest1'
wait_screen '^<guest1> hi from guest1$'
say bob 'hi from bob'
wait_screen '^<bob> hi from bob$'
gfg=$(look '^<guest1> hi' guest1 | sed -n 's/^fg=\([^ ]*\) .*/\1/p')
bfg=$(look '^<bob> hi' bob | sed -n 's/^fg=\([^ ]*\) .*/\1/p')
check "TERM=screen-256color: nicks get 256-palette colours (38;5;N)" \
    eval 'matches "$gfg" "^256:" && matches "$bfg" "^256:"'
check "  and guest1 and bob get different ones" eval '[ -n "$gfg" ] && [ "$gfg" != "$bfg" ]'
diag "guest1's colour: $gfg, bob's: $bfg"
leave alice
term "TERM=screen '$CHAT' -n alice 127.0.0.1 $PORT"
joined alice
say bob 'in eight colours'
wait_screen '^<bob> in eight colours$'
check "TERM=screen: nicks in the 8 colours SGR 31-36" \
    eval 'look "^<bob> in eight" bob | grep -Eq "^fg=8:3[1-6] "'
leave alice
for how in 'NO_COLOR=1 TERM=screen-256color' 'TERM=dumb'; do
	term "$how '$CHAT' -n alice 127.0.0.1 $PORT"
	joined alice
	say bob "plain for $how"
	wait_screen "^<bob> plain for $how\$"
	check "$how: no colour at all" eval '! screen -e | LC_ALL=C grep -Eq "$esc\\[([0-9;]*;)?(3[0-8]|9[0-7])[;m]"'
	leave alice
done

# --- -t: the time a line was said --------------------------------------------

# The host runs with its wall clock read from a file (libfaketime), so
# each line is said at a time the test chose, and replayed at another.
# An AddressSanitizer build hangs at start under libfaketime.
FT= why="faketime not installed (Debian package faketime)"
if LC_ALL=C grep -q __asan_init "$CHAT" 2>/dev/null; then
	why="libfaketime hangs an AddressSanitizer build"
elif command -v faketime >/dev/null 2>&1; then
	FT=$(faketime -f '+0' sh -c 'printf %s "$LD_PRELOAD"')
fi
# said_at : the two history lines show the times they were said;
# stamped : the line you sent shows the time (now, at the client).
said_at() {
	screen_has '^17:56 <bob> said first$' && screen_has '^18:03 <bob> said second$'
}
stamped() {
	above_row | LC_ALL=C grep -Eq '^[0-2][0-9]:[0-5][0-9] <alice> stamped hello$'
}
if [ -n "$FT" ]; then
	echo '2024-06-01 17:56:00' >"$T/clock"
	spawn fthost env LD_PRELOAD="$FT" FAKETIME_TIMESTAMP_FILE="$T/clock" \
	    FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    "$CHAT" -l -C -v -s 127.0.0.1 -n host 0
	wait_for "$T/fthost.err" '^chat: listening on .* port [0-9]+$'
	PORT=$(sed -n 's/^chat: listening on .* port \([0-9][0-9]*\)$/\1/p' "$T/fthost.err" | head -n 1)
	join_room fbob bob
	say fbob 'said first'
	wait_line "$T/fthost.out" '<bob> said first'
	echo '2024-06-01 18:03:00' >"$T/clock"
	say fbob 'said second'
	wait_line "$T/fthost.out" '<bob> said second'
	echo '2024-06-01 18:30:00' >"$T/clock"
	raw_peer probe
	wait_line "$T/probe.out" '*** end of history'
	check "protocol: the host sends each history line after the time it was said" \
	    eval 'in_order "$T/probe.out" "17:56 <bob> said first" "18:03 <bob> said second" ||
		{ show "$T/probe.out"; false; }'
	term "'$CHAT' -t -n alice 127.0.0.1 $PORT"
	wait_screen 'end of history$'
	sees "-t: history lines show when they were said, not when replayed" said_at
	check "-t: a history line's nick is coloured as usual" \
	    eval 'look "^17:56 <bob> said first" bob | grep -q "^fg=[0-9]"'
	typ 'stamped hello'
	keys Enter
	sees "-t: your own sent line gets the time too" stamped
	keys C-c
	wait_line "$T/fbob.out" '*** alice left'
	term "'$CHAT' -n alice 127.0.0.1 $PORT"
	wait_screen 'end of history$'
	check "without -t: history lines show no time" \
	    eval 'screen_has "^<bob> said first\$" && ! screen_has "17:56"'
	keys C-c
	wait_line "$T/fbob.out" '*** alice left'
	PORT=$MAIN
else
	for what in protocol history colour own-line no-t; do
		skip "$why: -t $what"
	done
fi

# --- the host's console ------------------------------------------------------

HP=$(closed_port)
term "'$CHAT' -l -v -s 127.0.0.1 -n host $HP"
wait_screen '^chat: listening on 127\.0\.0\.1 port '
PORT=$HP join_room carl carl
wait_screen '^\*\*\* carl joined$'
typ 'hi'
keys Enter
sends "at the host's console: the line is shown as <host> hi" '<host> hi'
keys C-c
wait_exit carl

# Lines still queued when the session ends are all drawn, in order and
# once, before the shell's prompt: here the host's, whose terminal is
# not read (its tmux server stopped) while the room floods it, until
# well past the SHUTDOWN_MS its queues get once it is told to go.
NQ=5000
HP=$(closed_port)
: >"$T/qhost.pid"
term "sh -c 'echo \$\$ >\"$T/qhost.pid\"; exec \"$CHAT\" -l -v -s 127.0.0.1 -n host $HP'; echo chat-ended"
wait_screen '^chat: listening on 127\.0\.0\.1 port '
PIDS="$PIDS $(cat "$T/qhost.pid")"
PORT=$HP join_room qcarl carl
PORT=$HP join_room qdan dan
wait_screen '^\*\*\* dan joined$'
typ 'half typed'
waits "$KEY_SECS" showing 'half typed' 10
qstart=$(raw_size)
tmuxd=$(tm display-message -p '#{pid}')
awk -v n="$NQ" 'BEGIN { for (i = 1; i <= n; i++) printf "line %06d\n", i }' >"$T/qlines"
kill -STOP "$tmuxd"
cat "$T/qlines" 1<>"$T/qcarl.in"
wait_line "$T/qdan.out" "<carl> line $(printf %06d "$NQ")" 20
kill -TERM "$(cat "$T/qhost.pid")"
wait_line "$T/qdan.out" '*** host shutting down'
sleep 3
kill -CONT "$tmuxd"
wait_screen '^chat-ended$'
# drawn: the room lines and the prompt, as the pane was written them
drawn() {
	tail -c +"$((qstart + 1))" "$T/pane.raw" | LC_ALL=C sed 's/\x1b\[[0-9;]*[A-Za-z]//g' |
	    LC_ALL=C grep -ao 'line [0-9]\{6\}\|chat-ended'
}
check "at exit: all $NQ lines still queued are drawn, in order, once, before the prompt" \
    eval '[ "$(drawn | LC_ALL=C sed "s/^line 0*//" | tr "\n" " ")" = \
	"$(seq "$NQ" | tr "\n" " ")chat-ended " ] || { diag "$(drawn | tail -n 2)"; false; }'
check "  then the input line is erased, not drawn again after them" eval '! screen_has "half typed"'

# --- chat's own messages get their own row ---------------------------------

start_host rhost
term "'$CHAT' -n alice 127.0.0.1 $PORT"
wait_screen '^\*\*\* welcome alice\. '
typ 'typing before crash'
waits "$KEY_SECS" showing 'typing before crash' 19
signal rhost KILL
check "the host is gone: 'chat: connection closed by host' on a row of its own" \
    wait_screen '^chat: connection closed by host'
check "  not glued to the typed text" eval '! screen_has "crashchat:"'

width 120
start_host rhost2
term "'$CHAT' -r -n alice 127.0.0.1 $PORT"
wait_screen '^\*\*\* welcome alice\. '
typ 'typed while waiting'
waits "$KEY_SECS" showing 'typed while waiting' 19
signal rhost2 KILL
check "the connection drops: 'chat: ...reconnecting' on a row of its own" \
    wait_screen '^chat: .*reconnecting'
check "  then 'chat: ... trying again' on a row of its own" \
    wait_screen '^chat: .*trying again'
shows "  and the input line is redrawn under them, as it was" 'typed while waiting' 19
check "  and no message is glued to the typed text" eval '! screen_has "waitingchat:"'
keys C-c

# A refusal is one of chat's messages too: its own row, not after the
# line the editor drew.
start_host phost -P s3cret
term "'$CHAT' -P wrong -n alice 127.0.0.1 $PORT"
check "a refusal: 'chat: wrong password' on a row of its own" \
    wait_screen '^chat: wrong password$'
signal phost TERM
PORT=$MAIN
