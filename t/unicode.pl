#!/usr/bin/perl
# t/unicode.pl - generate the Unicode range tables that chat.c compiles in.
#
#   perl t/unicode.pl [DIR [CONFUSABLES]] > tables.c
#   perl t/unicode.pl -h [DIR [CONFUSABLES]] > types.h
#   perl t/unicode.pl -a [DIR [CONFUSABLES]] > both
#
# chat links no library, so the few Unicode properties it needs (which
# characters a nickname may hold, the skeletons of names, case folding,
# terminal column widths, grapheme cluster breaks) live in chat.c as
# sorted tables.  This script makes them from the Unicode Character
# Database in DIR (default /usr/share/unicode, Debian's unicode-data
# package) and Unicode's confusables in CONFUSABLES (default: the JSON
# of Debian's python3-confusable-homoglyphs) and prints one block
# of C, from the BEGIN line to the END line, that is pasted into chat.c
# as it is; with -h, the block of types the tables use, for chat.h;
# with -a, the types and then the tables, from one reading of the data.
# t/15-unicode.t checks that both still agree.  The output depends only
# on the data: the same files give the same bytes.
#
# The tables are small: 32-bit code points, a value column only where
# the values differ, and the Hangul syllables, whose break property is
# arithmetic, left out.
use strict;
use warnings;
use JSON::PP;

# Code points a nickname may never hold, whatever their category, beyond
# the name rule below.  Each is either invisible, so that "bob" with one
# inside would look like "bob", or looks like a protocol marker: lines show as
# "<nick> text", "* nick action" and "*** notice", so a nick must not
# seem to open or close one.
my @NICK_EXCLUDE = (
	# Hangul fillers: letters (Lo) that draw nothing.
	[0x115F, 0x1160, 'HANGUL CHOSEONG FILLER, JUNGSEONG FILLER'],
	[0x3164, 0x3164, 'HANGUL FILLER'],
	[0xFFA0, 0xFFA0, 'HALFWIDTH HANGUL FILLER'],
	# Other letters and marks that draw nothing.
	[0x13441, 0x13442, 'EGYPTIAN HIEROGLYPH FULL BLANK, HALF BLANK'],
	[0x16FE4, 0x16FE4, 'KHITAN SMALL SCRIPT FILLER'],
	# Blank by design.
	[0x2800, 0x2800, 'BRAILLE PATTERN BLANK'],
	# Letters of no script that copy the Latin and Greek alphabets in
	# another style (bold, italic, double-struck, script): b\x{1D5C8}b would
	# pass the one-script rule and the skeleton as a second bob.
	[0x2100, 0x214F, 'LETTERLIKE SYMBOLS'],
	[0x1D400, 0x1D7FF, 'MATHEMATICAL ALPHANUMERIC SYMBOLS'],
	# Invisible tags and Mongolian format controls.
	[0xE0000, 0xE007F, 'tag characters'],
	[0x180B, 0x180F, 'MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR'],
	# Canadian syllabics are letters shaped as triangles and chevrons
	# pointing four ways: those pointing left or right read as < and >
	# (PA U+1438 as <, PO U+1433 as >).  The whole P series goes, its
	# up and down chevrons too, with the left and right triangles of
	# the vowel and W series and the later additions of the same shapes.
	[0x1405, 0x1407, 'CANADIAN SYLLABICS O, OO, Y-CREE OO: right triangles'],
	[0x140A, 0x140B, 'CANADIAN SYLLABICS A, AA: left triangles'],
	[0x1412, 0x141B, 'CANADIAN SYLLABICS WO .. NASKAPI WAA: dotted triangles'],
	[0x142F, 0x144A, 'CANADIAN SYLLABICS PE .. WEST-CREE P: chevrons'],
	[0x18B0, 0x18B6, 'CANADIAN SYLLABICS OY .. PWOY: triangles, chevrons'],
	[0x18D4, 0x18D4, 'CANADIAN SYLLABICS OJIBWAY P: a small <'],
	[0x11ABC, 0x11ABF, 'CANADIAN SYLLABICS SPE .. SPA: chevrons'],
	# A runic letter drawn exactly as <.
	[0x16B2, 0x16B2, 'RUNIC LETTER KAUNA'],
	# The kana voicing marks: every kana that takes them has a
	# precomposed form, which is what NFC holds.
	[0x3099, 0x309A, 'COMBINING KATAKANA-HIRAGANA VOICED, SEMI-VOICED SOUND MARK'],
	# The same for the dot of the Canadian syllabics that have a W:
	# ᐧᑐ would be a second ᑔ.
	[0x1427, 0x1427, 'CANADIAN SYLLABICS FINAL MIDDLE DOT'],
);

# Blocks whose letters no language writes its words in: phonetic
# notation (IPA, small capitals, modifier letters) and the medievalist
# and phonetic Latin of Extended-D to -G, of which ɑlice, biɡ, boʙ and
# ᴄᴏᴏ are made; and the conjoining Hangul jamo, which draw as the
# syllables they spell, syllables a name holds precomposed.
my @NICK_EXCLUDE_BLOCKS = ('IPA Extensions', 'Spacing Modifier Letters',
	'Phonetic Extensions', 'Phonetic Extensions Supplement', 'Latin Extended-D',
	'Latin Extended-E', 'Latin Extended-F', 'Latin Extended-G', 'Hangul Jamo',
	'Hangul Jamo Extended-A', 'Hangul Jamo Extended-B');

# The scripts whose letters a combining mark may not go over: they
# have a precomposed letter for each accent their languages use.
my %NICK_NO_MARKS = map { $_ => 1 } qw(Latin Greek Cyrillic);

# The scripts of China, Japan and Korea, which may share a name.
my %CJK = map { $_ => 1 } qw(Bopomofo Hangul Han Hiragana Katakana);

# Unicode's confusables.txt, as Debian's python3-confusable-homoglyphs
# holds it: for each character, those that are confusable with it.
my $CONFUSABLES = '/usr/lib/python3/dist-packages/confusable_homoglyphs/confusables.json';

# Words that, in a character's name, mean it looks like < > or *.  Whole
# words: "STAR" must not catch "START" (Egyptian hieroglyph modifiers).
my $NICK_BAD_NAME = qr/\b(?:LESS-THAN|GREATER-THAN|ANGLE BRACKET|ASTERISK|STAR|
	CHEVRON|ARROWHEAD)S?\b/x;

# The ASCII digits and punctuation, which go with any script.
my @NICK_PUNCT = (map({ ord } '_', '-', '.'), ord('0') .. ord('9'));

# Grapheme_Cluster_Break values, in the order of enum gcb.
my @GCB = qw(Other CR LF Control Extend ZWJ Regional_Indicator Prepend
	SpacingMark L V T LV LVT Extended_Pictographic);
my @GCB_C = qw(GCB_OTHER GCB_CR GCB_LF GCB_CONTROL GCB_EXTEND GCB_ZWJ GCB_RI
	GCB_PREPEND GCB_SPACINGMARK GCB_L GCB_V GCB_T GCB_LV GCB_LVT GCB_PICTO);

my $NCP = 0x110000;	# code points
my $NONE = 255;		# "not in the table" in a table under construction
my $WIDTH = 100;	# output lines stay shorter than this (a tab is 8)

my $types = @ARGV && $ARGV[0] =~ /^-[ha]$/ ? shift @ARGV : '';	# the types instead, or (-a) first
my $dir = $ARGV[0] // '/usr/share/unicode';
$CONFUSABLES = $ARGV[1] if defined $ARGV[1];

# open_ucd NAME : a handle on one file of the database; dies naming the
# file when it is missing, since a table made without it would be wrong.
sub open_ucd {
	my ($name) = @_;
	open my $fh, '<', "$dir/$name" or die "unicode.pl: $dir/$name: $!\n";
	return $fh;
}

# version : the Unicode version the files are from, read from the
# "# Name-X.Y.Z.txt" first line of each file that has one; they must agree.
sub version {
	my $v;
	for my $name (@_) {
		my $fh = open_ucd($name);
		my $first = <$fh>;
		close $fh;
		my ($this) = $first =~ /^# \S+-(\d+\.\d+\.\d+)\.txt\s*$/
			or die "unicode.pl: $name: no version on its first line\n";
		$v //= $this;
		$this eq $v or die "unicode.pl: $name is Unicode $this, not $v\n";
	}
	return $v;
}

# each_range NAME, CODE : call CODE->(LO, HI, VALUE) for each data line
# "LO[..HI] ; VALUE ..." of a property file: the first word of fields.
sub each_range {
	my ($name, $code) = @_;
	fields($name, sub { $code->($_[0], $_[1], (split ' ', $_[2])[0]) });
}

# unicode_data : code point => [name, general category, canonical
# combining class, decomposition] from UnicodeData.txt, the
# "<..., First>" and "<..., Last>" pairs filled in.
sub unicode_data {
	my %ucd;
	my $fh = open_ucd('UnicodeData.txt');
	my $first;
	while (<$fh>) {
		my ($cp, $name, $gc, $ccc, undef, $dm) = split /;/;
		my $c = hex $cp;
		if ($name =~ /^<(.*), First>$/) {
			$first = $c;
			next;
		}
		if ($name =~ /^<(.*), Last>$/) {
			defined $first
				or die "unicode.pl: UnicodeData.txt:$.: Last without First\n";
			$ucd{$_} = ["<$1>", $gc, $ccc, $dm] for $first .. $c;
			undef $first;
			next;
		}
		$ucd{$c} = [$name, $gc, $ccc, $dm];
	}
	close $fh;
	return \%ucd;
}

# property FILE, PROP : the set (hash) of code points with a binary property.
sub property {
	my ($file, $prop) = @_;
	my %set;
	each_range($file, sub {
		my ($lo, $hi, $v) = @_;
		return unless $v eq $prop;
		$set{$_} = 1 for $lo .. $hi;
	});
	return \%set;
}

# table : a new table under construction, every code point absent: a
# string of one byte per code point, so runs can be found with a regex.
sub table { return chr($NONE) x $NCP; }

sub set { substr($_[0], $_[1], 1) = chr $_[2]; }
sub get { return ord substr($_[0], $_[1], 1); }

# ranges TABLE : [lo, hi, v] for each maximal run of equal present values.
sub ranges {
	my ($t) = @_;
	my ($i, @r) = (0);
	while ($i < $NCP) {
		my $v = ord substr($t, $i, 1);
		my $other = sprintf '[^\\x%02X]', $v;
		pos($t) = $i;
		my $end = $t =~ /$other/g ? $-[0] : $NCP;
		push @r, [$i, $end - 1, $v] if $v != $NONE;
		$i = $end;
	}
	return \@r;
}

# hexcp C : a code point as C, at least four hex digits.
sub hexcp { return sprintf '0x%04X', $_[0]; }

# emit DECL, ITEMS : "DECL = {", the items several to a line, "};".
sub emit {
	my ($decl, $items) = @_;
	my $out = "$decl = {\n";
	my $line = '';
	for my $item (@$items) {
		my $add = $line eq '' ? "\t$item," : " $item,";
		if ($line ne '' && 8 + length($line) - 1 + length($add) >= $WIDTH) {
			$out .= "$line\n";
			$add = "\t$item,";
			$line = '';
		}
		$line .= $add;
	}
	$out .= "$line\n" if $line ne '';
	return "$out};\n";
}

# comment TEXT : TEXT as a C comment, words wrapped; a NUL in TEXT is a
# space that does not break.
sub comment {
	my ($text) = @_;
	my @lines = ('/*');
	for my $w (split ' ', $text) {
		push @lines, ' *' if length($lines[-1]) + 1 + length($w) + 3 >= $WIDTH;
		$lines[-1] .= " $w";
	}
	$lines[-1] .= ' */';
	return join("\n", @lines) =~ tr/\0/ /r . "\n";
}

# emit_values NAME, TABLE : TABLE as the struct uvalue array NAME.
sub emit_values {
	my ($name, $t) = @_;
	my @items = map {
		sprintf '{{%s, %s}, %d}', hexcp($_->[0]), hexcp($_->[1]), $_->[2]
	} @{ranges($t)};
	return emit("static const struct uvalue $name\[]", \@items);
}

# emit_set NAME, TABLE : the code points TABLE has as the struct urange
# array NAME, runs of neighbours made one whatever their values.
sub emit_set {
	my ($name, $t) = @_;
	my @r;
	for my $x (@{ranges($t)}) {
		if (@r && $r[-1][1] + 1 == $x->[0]) {
			$r[-1][1] = $x->[1];
		} else {
			push @r, [$x->[0], $x->[1]];
		}
	}
	my @items = map { sprintf '{%s, %s}', hexcp($_->[0]), hexcp($_->[1]) } @r;
	return emit("static const struct urange $name\[]", \@items);
}

# scripts : code point => script id, and the script names by id: 0 for
# Common and Inherited, the others numbered from 1 in the order they
# first appear, by code point.
sub scripts {
	my (@r, %id, @names);
	each_range('Scripts.txt', sub { push @r, [@_]; });
	my $t = table();
	@names = ('Common/Inherited');
	for my $r (sort { $a->[0] <=> $b->[0] } @r) {
		my ($lo, $hi, $sc) = @$r;
		my $id = 0;
		if ($sc ne 'Common' && $sc ne 'Inherited') {
			if (!exists $id{$sc}) {
				$id{$sc} = @names;
				push @names, $sc;
			}
			$id = $id{$sc};
		}
		set($t, $_, $id) for $lo .. $hi;
	}
	return ($t, \@names);
}

# fields NAME, CODE : call CODE->(LO, HI, FIELDS...) for each data line
# "LO[..HI] ; FIELD ; ..." of a file, comments stripped, fields trimmed.
sub fields {
	my ($name, $code) = @_;
	my $fh = open_ucd($name);
	while (<$fh>) {
		s/#.*//;
		next unless /\S/;
		my ($r, @f) = map { s/^\s+|\s+$//gr } split /;/;
		$r =~ /^([0-9A-F]+)(?:\.\.([0-9A-F]+))?$/
			or die "unicode.pl: $name:$.: cannot read: $_";
		$code->(hex $1, hex($2 // $1), @f);
	}
	close $fh;
}

# script_extensions : code point => [script ids] for the Common and
# Inherited characters that Script_Extensions gives scripts of their own.
sub script_extensions {
	my ($names) = @_;
	my (%long, %id, %scx);
	my $fh = open_ucd('PropertyValueAliases.txt');
	while (<$fh>) {
		$long{$1} = $2 if /^sc\s*;\s*(\w+)\s*;\s*(\w+)/;
	}
	close $fh;
	%id = map { $names->[$_] => $_ } 1 .. $#$names;
	fields('ScriptExtensions.txt', sub {
		my ($lo, $hi, $v) = @_;
		my @ids = map { $id{$long{$_} // die "unicode.pl: no script $_\n"} //
			die "unicode.pl: script $_ has no character\n" } split ' ', $v;
		$scx{$_} = \@ids for $lo .. $hi;
	});
	return \%scx;
}

# nick_chars : letters, marks, decimal digits and @NICK_PUNCT, each with
# its script id, less the invisible, the variation selectors, the names
# that look like markers, @NICK_EXCLUDE and @NICK_EXCLUDE_BLOCKS; less
# what NFC or NFKC would change (compatibility characters: fullwidth,
# ligatures, presentation forms; and NFC_QC=N); less the characters of
# no script (Common, Inherited) but those Script_Extensions gives one
# script, or scripts of %CJK only, which they then take; less the marks
# of %NICK_NO_MARKS and the overlays (combining class 1), anywhere.
sub nick_chars {
	my ($ucd, $sc, $names, $di, $vs, $scx, $nfc_no) = @_;
	my %cjk = map { $_ => $CJK{$names->[$_]} } 0 .. $#$names;
	my $t = table();
	for my $c (keys %$ucd) {
		my ($name, $gc, $ccc, $dm) = @{$ucd->{$c}};
		next unless $gc =~ /^(?:L.|M.|Nd)$/;
		next if $di->{$c} || $vs->{$c} || $name =~ $NICK_BAD_NAME;
		next if $dm =~ /^</ || $nfc_no->{$c} || $ccc == 1;
		my $id = get($sc, $c);
		if (!$id) {
			my $x = $scx->{$c} or next;
			next if @$x > 1 && grep { !$cjk{$_} } @$x;
			$id = $x->[0];
		}
		next if $gc =~ /^M/ && $NICK_NO_MARKS{$names->[$id]};
		set($t, $c, $id);
	}
	set($t, $_, 0) for @NICK_PUNCT;
	for my $x (@NICK_EXCLUDE) {
		set($t, $_, $NONE) for $x->[0] .. $x->[1];
	}
	my %no = map { $_ => 1 } @NICK_EXCLUDE_BLOCKS;
	fields('Blocks.txt', sub {
		my ($lo, $hi, $b) = @_;
		return unless delete $no{$b};
		set($t, $_, $NONE) for $lo .. $hi;
	});
	die "unicode.pl: no block $_\n" for sort keys %no;
	return $t;
}

# nick_compose : [first, second] for each pair of characters a name may
# hold that NFC makes one (a primary composite, UAX #15): a name that
# holds such a pair is not in NFC.
sub nick_compose {
	my ($ucd, $nick, $excl) = @_;
	my @p;
	for my $c (keys %$ucd) {
		next if $ucd->{$c}[3] =~ /^</ || $excl->{$c};
		my @d = map { hex } split ' ', $ucd->{$c}[3];
		next if @d != 2;
		push @p, \@d if get($nick, $d[0]) != $NONE && get($nick, $d[1]) != $NONE;
	}
	return [sort { $a->[0] <=> $b->[0] || $a->[1] <=> $b->[1] } @p];
}

# case_fold : the C and S mappings of CaseFolding.txt as [lo, hi, delta,
# stride]: a run of code points STRIDE apart that all move by DELTA.  A
# run only extends to the next mapped code point, so no code point in
# the gaps of a stride-2 run has a mapping of its own.
sub case_fold {
	return runs(fold_map());
}

# fold_map : code point => what the C and S mappings of CaseFolding.txt
# add to it.
sub fold_map {
	my %map;
	my $fh = open_ucd('CaseFolding.txt');
	while (<$fh>) {
		next unless /^([0-9A-F]+); ([CS]); ([0-9A-F]+);/;
		$map{hex $1} = hex($3) - hex($1);
	}
	close $fh;
	return \%map;
}

# runs MAP : code point => delta as [lo, hi, delta, stride] runs.
sub runs {
	my ($map) = @_;
	my @r;
	for my $c (sort { $a <=> $b } keys %$map) {
		my $d = $map->{$c};
		if (@r) {
			my $last = $r[-1];
			my $step = $c - $last->[1];
			if ($last->[2] == $d && ($last->[3] == $step ||
			    ($last->[0] == $last->[1] && $step <= 2))) {
				$last->[1] = $c;
				$last->[3] = $step;
				next;
			}
		}
		push @r, [$c, $c, $d, 1];
	}
	return \@r;
}

# skeletons NICK, FOLD : the skeleton of UTS #39 for what names hold,
# as chat.c works it out: each character case folded, then taken to the
# one string that stands for all it may be mistaken for.  Those are the
# classes of the confusables data, joined by case folding: for each
# character a name may hold, with c the folded character, [c, delta] if
# it stands for one character c + delta, [c, [string]] if for several;
# nothing if for itself.  The data gives, for each character, those
# confusable with it both ways, so only a class is read from it, not
# which of its members is the prototype: any member can stand for the
# class, and the one that does is the least code point of those a
# folded name can hold, so most of them stand for themselves.  A
# character that a prototype of several characters stands for (m, "rn")
# is that string, each character of it standing for its own class.
# Case folding joins classes (I is l and folds to i; В is B and folds
# to в), so skeletons are a little coarser than those of UTS #39: i and
# l are one, and so are в and b.  The classes are joined through what
# names may hold only: ſ folds to s and looks like f, but no name holds ſ.
sub skeletons {
	my ($nick, $fold) = @_;
	open my $fh, '<', $CONFUSABLES or die "unicode.pl: $CONFUSABLES: $!\n";
	my $json = JSON::PP->new->decode(do { local $/; <$fh> });
	close $fh;
	my (%up, %node, %multi);
	my $find = sub {
		my $c = $_[0];
		$c = $up{$c} while exists $up{$c} && $up{$c} != $c;
		return $c;
	};
	my $join = sub {
		my ($a, $b) = map { $find->($_) } @_;
		($a, $b) = ($b, $a) if $b < $a;
		$up{$b} = $a if $a != $b;
		$node{$_} = 1 for @_;
	};
	my $cps = sub { return map { ord } grep { $_ ne "\x{200E}" } split //, $_[0]; };
	for my $k (sort keys %$json) {
		my @k = $cps->($k);
		next if @k != 1;
		for my $e (@{$json->{$k}}) {
			my @e = $cps->($e->{c});
			# Through б, 6 would be o and 0: the digits 2 to 9
			# stay themselves.
			next if grep { $_ >= ord('2') && $_ <= ord('9') } $k[0], @e;
			if (@e == 1) {
				$join->($k[0], $e[0]);
			} elsif (!$multi{$k[0]}) {
				$multi{$k[0]} = \@e;	# a source, and its prototype
				$node{$k[0]} = 1;
			}
		}
	}
	# Folded names hold what the others fold to, and the rest; those in
	# no class and that fold to themselves stand for themselves.
	my %folded;
	for my $r (@{ranges($nick)}) {
		for my $c ($r->[0] .. $r->[1]) {
			if ($fold->{$c}) {
				$join->($c, $c + $fold->{$c});
				$folded{$c + $fold->{$c}} = 1;
			} elsif ($node{$c}) {
				$folded{$c} = 1;
			}
		}
	}
	# The class of each code point met, and who stands for it.
	my (%stand, %class);
	for my $c (keys %node) {
		my $r = $find->($c);
		push @{$class{$r}}, $c;
	}
	for my $r (keys %class) {
		my @m = sort { $a <=> $b } @{$class{$r}};
		my @f = grep { $folded{$_} } @m;
		my ($multi) = grep { $multi{$_} && !$fold->{$_} } @m;
		$stand{$r} = $multi ? $multi{$multi} : [(@f ? $f[0] : $m[0])];
	}
	my %busy;
	my $image;
	$image = sub {
		my ($c) = @_;
		my $r = $node{$c} ? $find->($c) : $c;
		my $s = $stand{$r} // [$c];
		return @$s if @$s == 1;
		die sprintf "unicode.pl: U+%04X stands for itself\n", $c if $busy{$r}++;
		my @out = map { $image->($_) } @$s;
		delete $busy{$r};
		return @out;
	};
	# A string that no name can hold might as well be one character:
	# the least of those it stands for.
	my (%image, %typed, %least);
	for my $c (sort { $b <=> $a } keys %folded) {
		my @i = $image->($c);
		$image{$c} = \@i;
		$typed{$i[0]} = 1 if @i == 1;
		$least{"@i"} = $c;
	}
	my (%one, @more);
	for my $c (sort { $a <=> $b } keys %folded) {
		my @i = @{$image{$c}};
		my %sc = map { get($nick, $_) => 1 } @i;
		delete $sc{0};
		my @untyped = grep { !$typed{$_} && ($node{$_} || get($nick, $_) == $NONE) } @i;
		if (@i > 1 && !@untyped && keys %sc < 2) {
			push @more, [$c, \@i];
		} elsif (@i > 1) {
			$one{$c} = $least{"@i"} - $c if $least{"@i"} != $c;
		} elsif ($i[0] != $c) {
			$one{$c} = $i[0] - $c;
		}
	}
	return (\%one, \@more);
}

# wide_chars : East_Asian_Width Wide and Fullwidth, as 2.
sub wide_chars {
	my $t = table();
	each_range('EastAsianWidth.txt', sub {
		my ($lo, $hi, $w) = @_;
		return unless $w eq 'W' || $w eq 'F';
		set($t, $_, 2) for $lo .. $hi;
	});
	return $t;
}

# zero_width : what takes no terminal column, as 0.
sub zero_width {
	my ($ucd, $di) = @_;
	my $t = table();
	for my $c (keys %$ucd) {
		set($t, $c, 0) if $ucd->{$c}[1] =~ /^(?:Mn|Me|Cf)$/;
	}
	set($t, $_, 0) for keys %$di;
	set($t, $_, 0) for 0x1160 .. 0x11FF, 0x200B;
	# Terminals show the soft hyphen in one column.
	set($t, 0xAD, $NONE);
	return $t;
}

# The Hangul syllables, U+AC00 to U+D7A3: LV where (c - 0xAC00) % 28
# is 0, else LVT. chat.c works that out; the table leaves them out.
my ($HANGUL_LO, $HANGUL_HI) = (0xAC00, 0xD7A3);

# grapheme_break : the Grapheme_Cluster_Break of each code point that is
# not Other, as its index in @GCB; Extended_Pictographic counts as a value.
# The Hangul syllables are left out, once they are seen to be as above.
sub grapheme_break {
	my %val;
	@val{@GCB} = 0 .. $#GCB;
	my $t = table();
	each_range('auxiliary/GraphemeBreakProperty.txt', sub {
		my ($lo, $hi, $p) = @_;
		defined $val{$p} or die "unicode.pl: unknown Grapheme_Cluster_Break $p\n";
		set($t, $_, $val{$p}) for $lo .. $hi;
	});
	each_range('emoji/emoji-data.txt', sub {
		my ($lo, $hi, $p) = @_;
		return unless $p eq 'Extended_Pictographic';
		for my $c ($lo .. $hi) {
			set($t, $c, $val{$p}) if get($t, $c) == $NONE;
		}
	});
	for my $c ($HANGUL_LO .. $HANGUL_HI) {
		my $want = ($c - $HANGUL_LO) % 28 ? $val{LVT} : $val{LV};
		get($t, $c) == $want or die sprintf "unicode.pl: U+%04X is not %s\n",
			$c, $GCB[$want];
		set($t, $c, $NONE);
	}
	return $t;
}

my $version = version(qw(Scripts.txt DerivedCoreProperties.txt PropList.txt
	CaseFolding.txt EastAsianWidth.txt auxiliary/GraphemeBreakProperty.txt
	ScriptExtensions.txt DerivedNormalizationProps.txt Blocks.txt
	PropertyValueAliases.txt));
my $ucd = unicode_data();
my $di = property('DerivedCoreProperties.txt', 'Default_Ignorable_Code_Point');
my $vs = property('PropList.txt', 'Variation_Selector');
my ($sc, $names) = scripts();
my (%nfc_no, %excl);
fields('DerivedNormalizationProps.txt', sub {
	my ($lo, $hi, $p, $v) = @_;
	my $set = $p eq 'NFC_QC' && $v eq 'N' ? \%nfc_no :
	    $p eq 'Full_Composition_Exclusion' ? \%excl : return;
	$set->{$_} = 1 for $lo .. $hi;
});

my $nick = nick_chars($ucd, $sc, $names, $di, $vs, script_extensions($names), \%nfc_no);
my ($one, $more) = skeletons($nick, fold_map());
my $look_max = 1;
$look_max = @{$_->[1]} > $look_max ? @{$_->[1]} : $look_max for @$more;

my $stamp = "generated by t/unicode.pl from Unicode $version; do not edit";

# -h: the types, for chat.h.
if ($types) {
	my $out = "/* BEGIN unicode types: $stamp */\n";
	$out .= comment('A set of code points, as sorted ranges; the same with a value for'
		. ' each; and simple case folding: c in [lo, hi] with (c - lo) % stride == 0'
		. ' folds to c + delta.');
	$out .= "struct urange {\n\tuint32_t lo, hi;\n};\n";
	$out .= "struct uvalue {\n\tstruct urange r;\n\tunsigned char v;\n};\n";
	$out .= "struct ufold {\n\tstruct urange r;\n\tint32_t delta;\n\tunsigned char stride;\n};\n";
	$out .= comment('Grapheme_Cluster_Break, as grapheme_break has it: Extended_Pictographic'
		. ' is GCB_PICTO where the break property is Other.');
	$out .= "enum gcb {\n";
	my $line = "\t";
	for my $i (0 .. $#GCB_C) {
		my $add = "$GCB_C[$i],";
		if (length($line) > 1 && 8 + length($line) + length($add) >= $WIDTH) {
			$line =~ s/ $//;
			$out .= "$line\n";
			$line = "\t";
		}
		$line .= "$add ";
	}
	$line =~ s/ $//;
	$out .= "$line\n};\n";
	my %id = map { $names->[$_] => $_ } 0 .. $#$names;
	$out .= comment('The scripts of China, Japan and Korea, which may share a name'
		. ' (nick_chars\' v).');
	$out .= "enum {\n\t" . join(', ', map { sprintf 'SC_%s = %d', uc $_, $id{ucfirst lc $_} // die "unicode.pl: no script $_\n" }
		qw(Bopomofo Hangul Han Hiragana Katakana)) . ",\n};\n";
	$out .= "#define LOOK_SEQ 0x110000\t/* in look_alike, a sequence in look_alike_seq */\n";
	$out .= "#define LOOK_MAX $look_max\t/* characters in the longest */\n";
	$out .= sprintf "#define HANGUL_LO 0x%04X\t/* the Hangul syllables, left out of grapheme_break */\n"
		. "#define HANGUL_HI 0x%04X\n", $HANGUL_LO, $HANGUL_HI;
	$out .= "/* END unicode types */\n";
	print $out;
	exit 0 if $types eq '-h';
}

my $out = "/* BEGIN unicode tables: $stamp */\n";

$out .= "\n" . comment('nick_chars: the code points a nickname may hold (letters, marks,'
	. ' decimal digits and _ - .), with v the script id: 0 for Common'
	. ' and Inherited, which belong to no one script: '
	. join(', ', map { "$_\0$names->[$_]" } 0 .. $#$names) . '.');
$out .= emit_values('nick_chars', $nick);

my @pairs = map { sprintf '{%s, %s}', hexcp($_->[0]), hexcp($_->[1]) }
	@{nick_compose($ucd, $nick, \%excl)};
$out .= "\n" . comment('nick_compose: the pairs of characters a nickname may hold that NFC'
	. ' composes into one (its primary composites), first then second: a name that holds'
	. ' one, but for a mark between the two of a lower combining class, is not in NFC.');
$out .= emit('static const uint32_t nick_compose[][2]', \@pairs);

my (%to, @seq, %at);
$to{$_} = hexcp($_ + $one->{$_}) for keys %$one;
for my $m (@$more) {
	my $k = "@{$m->[1]}";
	if (!defined $at{$k}) {
		$at{$k} = @seq;
		push @seq, map({ hexcp($_) } @{$m->[1]}), 0;
	}
	$to{$m->[0]} = "LOOK_SEQ + $at{$k}";
}
my @look = map { sprintf '{%s, %s}', hexcp($_), $to{$_} } sort { $a <=> $b } keys %to;
$out .= "\n" . comment('look_alike: the skeleton of UTS #39 for the characters a name may'
	. ' hold, case folded, from Unicode\'s confusables.txt (as python3-confusable-homoglyphs'
	. ' has it): {c, to}, c stands for to, or for the characters from look_alike_seq[to - LOOK_SEQ]'
	. ' to the next 0; a character in no entry stands for itself. Case folding joins the'
	. ' confusables\' classes (I is l and folds to i), so i and l are one. '
	. scalar(@look) . ' entries, ' . scalar(@seq) . ' in look_alike_seq.');
$out .= emit('static const uint32_t look_alike[][2]', \@look);
$out .= emit('static const uint32_t look_alike_seq[]', \@seq);

my @fold = map {
	sprintf '{{%s, %s}, %d, %d}', hexcp($_->[0]), hexcp($_->[1]), $_->[2], $_->[3]
} @{case_fold()};
$out .= "\n" . comment('case_fold: simple case folding (CaseFolding.txt status C and S).'
	. ' A code point c in [lo, hi] with (c - lo) % stride == 0 folds to c + delta;'
	. ' the others in the range, and all code points in no range, fold to themselves.');
$out .= emit('static const struct ufold case_fold[]', \@fold);

$out .= "\n" . comment("wide_chars: East_Asian_Width W or F, two terminal columns."
	. " zero_width: no column: Mn, Me, Cf, U+1160..U+11FF, U+200B and"
	. ' Default_Ignorable_Code_Point, but not U+00AD. A few code points are in'
	. ' both (U+115F, U+3164, wide combining marks): look in zero_width first.');
$out .= emit_set('wide_chars', wide_chars());
$out .= emit_set('zero_width', zero_width($ucd, $di));

$out .= "\n" . comment('grapheme_break: Grapheme_Cluster_Break, with Extended_Pictographic'
	. ' as GCB_PICTO where the break property is Other: v is an enum gcb.'
	. ' Code points in no range are GCB_OTHER, but for the Hangul syllables'
	. ' HANGUL_LO to HANGUL_HI: LV every 28th from HANGUL_LO, LVT between.');
$out .= emit_values('grapheme_break', grapheme_break());

$out .= "/* END unicode tables */\n";
print $out;
