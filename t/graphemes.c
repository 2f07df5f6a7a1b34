/* See LICENSE file for copyright and license details. */
/*
 * t/graphemes FILE: check chat's grapheme clusters against Unicode's
 * own test data, auxiliary/GraphemeBreakTest.txt. Each line of it is a
 * string of code points with a break (U+00F7) or no break (U+00D7)
 * between every two; chat must find the same breaks, walking the
 * string as the terminal editor does. Then the columns of a few
 * characters as terminals draw them. Prints two TAP lines, with a
 * comment for each string that differs.
 */
#define main chat_main
#include "../chat.c"

#include <ctype.h>
#undef main

/* Put code point c at *p as UTF-8. */
static size_t
put_utf8(char *p, unsigned long c)
{
	if (c < 0x80)
		return p[0] = (char)c, 1;
	if (c < 0x800)
		return p[0] = (char)(0xc0 | c >> 6), p[1] = (char)(0x80 | (c & 0x3f)), 2;
	if (c < 0x10000)
		return p[0] = (char)(0xe0 | c >> 12), p[1] = (char)(0x80 | (c >> 6 & 0x3f)),
		    p[2] = (char)(0x80 | (c & 0x3f)), 3;
	return p[0] = (char)(0xf0 | c >> 18), p[1] = (char)(0x80 | (c >> 12 & 0x3f)),
	    p[2] = (char)(0x80 | (c >> 6 & 0x3f)), p[3] = (char)(0x80 | (c & 0x3f)), 4;
}

/* Strings and the columns a terminal gives them (tmux 3.3 here). */
static const struct {
	const char *s, *what;
	size_t cols;
} widths[] = {
	{ "abc", "ASCII", 3 },
	{ "\xe4\xbd\xa0\xe5\xa5\xbd", "Chinese", 4 },
	{ "\xef\xbd\x86", "a fullwidth letter", 2 },
	{ "e\xcc\x81", "e and a combining acute", 1 },
	{ "\xe1\x84\x80\xe1\x85\xa1", "a Hangul syllable as jamo", 2 },
	{ "a\xe2\x80\x8b" "b", "a zero width space", 2 },
	{ "\xf0\x9f\x98\x80", "an emoji", 2 },
	{ "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", "an emoji and its skin tone", 4 },
	{ "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7",
	    "a ZWJ sequence", 2 },
	{ "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7", "a flag", 2 },
	{ "\xe2\x9d\xa4\xef\xb8\x8f", "a variation selector", 1 },
};

int
main(int argc, char **argv)
{
	char line[4096], s[1024], *t, *end;
	size_t n, at, w, want[256], nwant, k, lines = 0, bad = 0;
	unsigned long c;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: t/graphemes GraphemeBreakTest.txt\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		if ((t = strchr(line, '#')))
			*t = '\0';
		n = nwant = 0;
		for (t = line; *t; ) {
			if (!strncmp(t, "\xc3\xb7", 2)) {	/* a break here */
				if (n)
					want[nwant++] = n;
				t += 2;
			} else if (!strncmp(t, "\xc3\x97", 2)) {
				t += 2;
			} else if (isxdigit((unsigned char)*t)) {
				c = strtoul(t, &end, 16);
				t = end;
				n += put_utf8(s + n, c);
			} else {
				t++;
			}
		}
		if (!n)
			continue;
		lines++;
		for (at = 0, k = 0; at < n; at = cluster(s, n, at, &w), k++)
			if (at && (k > nwant || want[k - 1] != at))
				break;
		if (at != n || k != nwant) {
			bad++;
			printf("# differs: %s\n", line);
		}
	}
	fclose(f);
	printf("%s - chat's grapheme clusters break as %zu strings of Unicode's test data say\n",
	    bad ? "not ok 1" : "ok 1", lines);
	if (bad)
		printf("# %zu of them differ\n", bad);
	for (bad = 0, k = 0; k < sizeof(widths) / sizeof(widths[0]); k++) {
		if ((w = text_cols(widths[k].s, strlen(widths[k].s))) != widths[k].cols) {
			printf("# %s: %zu columns, not %zu\n", widths[k].what, w, widths[k].cols);
			bad++;
		}
	}
	printf("%s - characters take the columns terminals give them\n",
	    bad ? "not ok 2" : "ok 2");
	return 0;
}
