/* See LICENSE file for copyright and license details. */
/*
 * chat: a chat room in the style of netcat. chat -l hosts a room, chat
 * HOST joins one; both are one poll() loop over stdin, the listening
 * sockets and the peers, and the same code below it.
 *
 * Everything read or written is a peer (struct peer) with a role (struct
 * role), given when it is made: a remote peer at the host (member), the
 * host's own stdin and stdout (console), the client's connection
 * (link_role) and the client's stdin and stdout (user), the last two in
 * three faces each (enum face): pipes or files, a terminal, a program
 * (-e). A role has one hook for each thing that can happen to its peer
 * (on_line, on_eof, on_ctrl_d, on_quit, ...); the queues, flow control,
 * timers and the loop never ask which mode they are in.
 *
 * The life of a line at the host:
 * 1. poll says a peer's socket is readable. peer_read reads at most
 *    READ_CHUNK and hands the bytes to the role's on_read, frame, which
 *    cuts them into lines (a partial line waits in the peer's buffer,
 *    an overlong one is cut) and gives each to on_line: hear.
 * 2. hear is the one place that decides what a line means. A command
 *    runs through run_command, which enforces its row of the commands
 *    table (host only, allowed before joining, only before joining, the
 *    words it needs).
 *    Text goes to say, which stamps it (put_form, the one place a line
 *    form is built) and sanitises it into the shared message io.shared
 *    (line_begin, line_end), and keeps it for newcomers (remember).
 * 3. deliver says who gets it, one rule for every room line, action,
 *    notice and private line: the peer it is for, or with none every
 *    member of the room; never its sender, nor one who ignores the
 *    sender, nor news of who came and went to one who asked for /quiet;
 *    a notice that quotes someone (a reason, a topic, a new name) goes
 *    to those who ignore them without the words (notice_by).
 *    A line for the whole room is also held for the room's log (-L,
 *    log_lines), whole, whoever gets less of it.
 *    Each gets a slice of the shared message on its queue (outq_push).
 *    Lines queued back to back are one slice, and the lines one peer
 *    sends in one read go out together, as a run. In a room of more
 *    than -J members, joins and leaves are gathered (presence) and
 *    told in one notice every GATHER_MS (tell_gathered).
 * 4. flow decides, from each queue, whether it holds the room (no peer
 *    is read while a reader that keeps pace is far behind) and whether
 *    its peer is read; a queue is charged for every message it holds a
 *    part of, whole, so its limits bound what it keeps alive.
 * 5. At the end of the turn end_turn writes the lines held for the log
 *    in one write (log_flush), which drain does too before any queue is
 *    written, so that a line anyone got is in the log; then every queue
 *    that grew, one writev each (flush_dirty, drain), and frees the
 *    peers that went. At start the log's end is read back (log_read):
 *    the history and the topic.
 *    drain is the one place bytes are written, the terminal's too: its
 *    queue holds lines until its show hook draws them (present) at the
 *    front, between an erase and a redraw of the input line; what the
 *    editor draws after a key is queued behind that.
 * At the client the same loop relays two queues: what the user types
 * goes up the link (user_line), what the host sends comes down to our
 * stdout (link_hear), each side read only while the other's queue is
 * short. With the link down what is typed waits in its queue, shown
 * pending at the terminal until it is written (link_drained), and the
 * history after a reconnection is held to its end, so that only what
 * this client has not shown comes down (history_since).
 *
 * A person, as against a connection, is a struct ident: /r, /ignore and
 * /away point to it, and a reconnection with the same /session key
 * moves it to the new peer (take_over). Every deadline is a struct
 * timer on one of the lists in io.timers. A new command is a row in
 * commands and a cmd_ function that trusts the row's rules; a new kind
 * of peer is a new struct role.
 *
 * The file reads in that order: state; utilities; messages and queues;
 * the loop, slots, timers and signals; flow control; framing; the room;
 * the room's log; the host; the client; programs (-e); the terminal; usage and main;
 * last, the Unicode tables and their lookups. chat.h holds the limits,
 * the types and the prototypes, under the same headings.
 */
/*
 * POSIX.1-2008, and what no standard has: the per-socket keepalive
 * options, and who is at the other end of a Unix-domain socket
 * (SO_PEERCRED, getpeereid). Linux, macOS and NetBSD show them beside
 * POSIX on request, FreeBSD and DragonFly only when no standard is
 * asked for at all.
 */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE
#elif defined(__NetBSD__)
#define _NETBSD_SOURCE
#elif defined(__linux__)
#define _DEFAULT_SOURCE
#endif
#if !defined(__FreeBSD__) && !defined(__DragonFly__)
#define _POSIX_C_SOURCE 200809L
#endif

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__) || defined(__APPLE__) || defined(__FreeBSD__) || \
    defined(__OpenBSD__) || defined(__NetBSD__) || defined(__DragonFly__)
#include <sys/ioctl.h>	/* TIOCGWINSZ: the terminal's width, where there is one */
#endif

/* macOS names the idle time TCP_KEEPALIVE; OpenBSD has only sysctls. */
#if !defined(TCP_KEEPIDLE) && defined(TCP_KEEPALIVE)
#define TCP_KEEPIDLE TCP_KEEPALIVE
#endif

#include "chat.h"

/* ---- state, grouped by owner -------------------------------------- */

/* The command line, as main read it; nothing changes it afterwards. */
static struct {
	int family;		/* -4 or -6: AF_INET or AF_INET6, else AF_UNSPEC */
	int verbose;		/* -v: say where we listen or connect */
	int stamps;		/* -t: show the time before each line */
	int nobell;		/* -B: no bell for a mention or a private message */
	int redial;		/* -r: connect again when the host goes away */
	int commands;		/* -C: lines from a pipe may be commands, not only text */
	int history;		/* -H: show the history to a pipe or file too */
	int topiclock;		/* -T: only the host sets the topic */
	long rate;		/* -R: lines a second a member may send, 0 for no limit */
	long quitwait;		/* -q: seconds to stay after stdin EOF, -1 for ever */
	long connwait;		/* -w: seconds per connection attempt, -1 for none */
	const char *password;	/* -P or $CHAT_PASSWORD: asked of every peer */
	const char *exec;	/* -e: a program, through /bin/sh -c, in place of our stdin and stdout */
	size_t maxpeers;	/* -m: most peers at once */
	size_t backmax;		/* -b: room lines kept for newcomers */
	size_t gather;		/* -J: in a room of more members, joins and leaves are gathered */
	const char *unixpath;	/* -U: a Unix-domain socket's path, in place of address and port */
	const char *logpath;	/* -L: the room's log, appended to and read back at start */
} opt = { .family = AF_UNSPEC, .connwait = -1, .backmax = BACKLOG_DEFAULT,
    .gather = GATHER_DEFAULT };

/* The loop's tables, lists and clock: the same in both modes. */
static struct {
	struct pollfd *pfd;	/* the poll table; slotpeer[i] owns pfd[i] */
	struct peer **slotpeer;	/* NULL for the signal pipe and listeners */
	size_t nslots, slotcap;
	int sigfd[2];		/* self-pipe: signal handlers write, the loop reads */
	struct peer *stdio;	/* our stdin and stdout: the host's console, the client's user */
	struct msg *shared;	/* lines for more than one queue are written here (line_begin) */
	struct {
		const struct peer *from;	/* room lines from one peer back to back... */
		size_t off, end;	/* ...in io.shared, not yet delivered (run_flush) */
	} run;
	struct peer *dirty;	/* queues that grew this turn */
	struct peer *dead;	/* peers to free at the end of the turn */
	struct peer *stashed;	/* peers with input put aside (answers_wait, F_PAUSED) */
	size_t nqueued;		/* peers with something queued */
	struct timerlist timers[NTIMERS];
	long long now;		/* the clock at the start of this turn, ms */
} io = {
	.timers = {
		[T_AUTH] = { NULL, NULL, auth_expired },
		[T_JOIN] = { NULL, NULL, join_expired },
		[T_STALL] = { NULL, NULL, stall_expired },
		[T_STUCK] = { NULL, NULL, stuck_expired },
		[T_CLOSE] = { NULL, NULL, close_expired },
		[T_LAG] = { NULL, NULL, lag_expired },
		[T_PAUSE] = { NULL, NULL, pause_expired },
		[T_QUIT] = { NULL, NULL, quit_expired },
		[T_DIAL] = { NULL, NULL, dial_expired },
		[T_REDIAL] = { NULL, NULL, redial_expired },
		[T_RELISTEN] = { NULL, NULL, relisten_expired },
		[T_LEAVE] = { NULL, NULL, leave_expired },
		[T_SHUTDOWN] = { NULL, NULL, shutdown_expired },
		[T_GATHER] = { NULL, NULL, gather_expired },
		[T_PACE] = { NULL, NULL, pace_expired },
	},
};

/* The host's room: who is in it, their names, what was said. */
static struct {
	struct gate gate;	/* every peer's input feeds the room */
	int closing;		/* shutting down: the last queues are flushing */
	size_t npeers;		/* peers connected, joined or not */
	size_t nmembers;	/* peers in the room, the host too */
	unsigned long guests;	/* guestN names handed out so far */
	struct peer **nicks;	/* peers with a nickname, by its hash */
	size_t nbuckets;	/* a power of two, about one per peer */
	struct peer **sorted;	/* the same peers in strcasecmp order of name, for /who PREFIX */
	size_t nsorted, sortcap;
	struct msg **backlog;	/* the last room lines, a message each, oldest at backhead... */
	struct ident **backby;	/* ...and who said each, held (NULL: read back from the log) */
	size_t nback, backhead;
	int spare;		/* a descriptor kept to shed connections on EMFILE */
	struct timer relisten;	/* out of descriptors: listen again then */
	struct timer shutdown;	/* the end of the final flush */
	struct source *sources[SOURCE_BUCKETS];	/* addresses with connections waiting or a pause */
	size_t nsources;
	long long next_guess;	/* the room's next turn to answer a wrong password */
	struct ban bans[BANS_MAX];	/* /ban: in force, or ended and not dropped yet (bans_expire) */
	size_t nbans;
	struct msg *topic;	/* /topic: made safe, no LF; NULL for none */
	struct ident *topic_by;	/* who set it, while they are here */
	struct {
		struct msg *names[2];	/* CAME, WENT: "a, b" of GATHER_LIST at most */
		size_t count[2];	/* how many, named or not */
		size_t named[2];
		struct timer timer;	/* T_GATHER: when the room is told */
	} gathered;
	const char *sockpath;	/* -U: the socket file we made, removed when we go... */
	dev_t sockdev;		/* ...if it is still the one we made, */
	ino_t sockino;		/* not one another host put there since */
} room = { .spare = -1 };

/*
 * The room's log on disk (-L): every room line, after the time it was
 * said, written at the end of each turn and before anyone is sent it.
 */
static struct {
	const char *path;
	int fd;			/* -1 without -L */
	int regular;		/* a regular file: read back at start, its truncation seen */
	struct msg *held;	/* lines not written yet: this turn's, or those a write failed for */
	size_t lost;		/* lines not held, past LOG_HELD_MAX, while writes fail */
	int failing;		/* a write failed, and it was said; retried each turn */
	off_t end;		/* where the file ended after our last write */
	size_t since;		/* bytes logged since the topic was last stated */
	struct msg **found;	/* at start: history lines read back, newest first... */
	size_t nfound;
	int topic_known;	/* ...whether the last topic line was found... */
	int skip;		/* ...the next line from the end is the rest of a bad one... */
	size_t bad;		/* ...and lines skipped as not chat's */
} roomlog = { .fd = -1 };

/* The client's link to a host. */
static struct {
	struct peer *host;	/* the connection, also while there is none */
	struct gate up;		/* what we type goes up to the host... */
	struct gate down;	/* ...what it sends comes down to our stdout */
	const char *hostname, *port, *nick;	/* where to, and as whom */
	char me[NICK_MAX + 1];	/* the name the host gave us, to ask for again */
	char key[2 * SESSION_BYTES + 1];	/* our /session key, or "" */
	const char *target;	/* where to, as messages say it: HOST port PORT, or PATH */
	struct addrinfo *addrs;	/* what the host name resolved to, or &local... */
	struct addrinfo *trying;	/* ...and the address being tried */
	struct addrinfo local;	/* -U: the one address there is... */
	struct sockaddr_un un;	/* ...the socket at PATH */
	int dial_error;		/* why the last attempt failed */
	long long backoff;	/* -r: the next wait, doubling to a cap */
	unsigned long dials;	/* connections made so far */
	long long since;	/* when the last one was made */
	int asked;		/* passwords typed at the terminal so far... */
	int retry;		/* ...and the next connection tries the last one */
	int quit_sent;		/* /quit went to the host: a close is expected */
	size_t typed;		/* lines typed that are queued, not written yet... */
	struct msg *pending;	/* ...and at the terminal, as the room will see them */
	int host_closing;	/* the host said it shuts down: the close is the end */
	int hide_history;	/* no -H, stdout not a terminal: the history is left out... */
	enum history in_history;	/* ...and this is between its notices, and what to do */
	int rejoin;		/* welcomed before: this connection is a reconnection... */
	struct msg *held;	/* ...whose history waits for its end (H_HOLD) */
	unsigned long seen[SEEN_MAX];	/* hashes of the room lines shown last, others'... */
	size_t nseen;		/* ...SEEN_MAX at most, the newest at nseen - 1 */
	struct msg *refused;	/* why the host turned us away, as it said it */
	struct timer quit;	/* -q: when to leave after stdin EOF */
	struct timer leave;	/* after Ctrl-C: when to stop waiting for the close */
	struct timer dial;	/* -w: the end of the attempt under way */
	struct timer redial;	/* -r: when to try again */
} uplink;

/* The terminal, when stdin and stdout are one: the line being edited. */
static struct {
	int on;			/* chat edits the input line itself */
	int colour;		/* ...in 8 or 256 colours; 0 for NO_COLOR or TERM=dumb */
	struct termios saved, raw;	/* the mode we found, the mode we use */
	size_t cols;		/* the terminal's width */
	char line[LINE_MAX_BYTES];	/* the input line being typed */
	size_t len, cur;	/* its length and the cursor, in bytes */
	size_t view;		/* its first byte on screen, when it is too wide */
	size_t shown;		/* the cursor's column as last drawn... */
	size_t span;		/* ...and the columns the line took */
	char kill[LINE_MAX_BYTES];	/* what Ctrl-U, Ctrl-K, Ctrl-W, Alt-D or Alt-Backspace last cut, for Ctrl-Y */
	size_t killlen;
	int paste;		/* between the terminal's marks of a paste: keys are text */
	int full;		/* the line is full: said so; the rest of a character is dropped */
	int ring;		/* ring the bell with the next drawing of the input line */
	char seq[16];		/* an escape sequence coming in */
	size_t esc;		/* bytes of it so far, plus one; 0 for none */
	char *recall[RECALL_MAX];	/* lines sent this session, for Up and Down */
	size_t nrecall, rpos;
	char *draft;		/* the line being typed when Up was pressed */
	int tabbing;		/* the last key was a Tab that completed... */
	size_t tab_at, tab_len, tab_next;	/* ...the word that started here... */
	char tab_word[NICK_MAX + 2];	/* ...as it was typed, and the next try */
	char **names;		/* client: the names in the room, sorted */
	size_t nnames, namecap;
	int replay;		/* the history is being shown */
	int bell;		/* a line drawn mentions us */
	struct msg *draw;	/* scratch for a line being drawn */
	struct msg *notes;	/* chat's own messages, drawn above the lines that wait (term_note) */
	int leaving;		/* at exit: the input line is erased, not drawn again */
	int fl;			/* stdout's file status flags as we found them */
} term;

/* The program that takes part in our place (-e): its end is the session's. */
static struct {
	pid_t pid;		/* while it runs (or is not reaped yet); 0 after */
	int ending;		/* it exited: the session ends once its output is read */
	int status;		/* its exit status, 128 + N if signal N killed it */
} prog;

/* ---- utilities ---------------------------------------------------- */

/*
 * Print "chat: " and the message to stderr; a format ending in ':' gets
 * the error of the failed call appended, as suckless tools do.
 */
static void
vwarning(const char *fmt, va_list ap)
{
	int e = errno;
	size_t n = strlen(fmt);
	char text[1024];
	int k;

	k = snprintf(text, sizeof(text), "chat: ");
	k += vsnprintf(text + k, sizeof(text) - (size_t)k, fmt, ap);
	if (n && fmt[n - 1] == ':' && (size_t)k < sizeof(text))
		snprintf(text + k, sizeof(text) - (size_t)k, " %s", strerror(e));
	if (term.on && isatty(STDERR_FILENO) && io.stdio && io.stdio->wfd >= 0) {
		term_note(text);	/* above the input line, at once */
		return;
	}
	fprintf(stderr, "%s\n", text);
}

static void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarning(fmt, ap);
	va_end(ap);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarning(fmt, ap);
	va_end(ap);
	exit(1);
}

/* Out of memory is not something a chat room can recover from. */
static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		die("malloc:");
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n)))
		die("realloc:");
	return p;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Every descriptor chat makes itself: non-blocking, for the loop, and
 * closed on exec, so no program started from here inherits the room.
 */
static void
own_fd(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		die("fcntl:");
}

/* A strict number: digits only, in range, or a usage error. */
static long
number(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		fprintf(stderr, "chat: invalid %s: %s\n", what, s);
		usage();
	}
	return v;
}

/* FNV-1a, 32 bits: its low bits mix well. For tables and colours, not secrets. */
static unsigned long
hash(const void *data, size_t n)
{
	const unsigned char *s = data;
	unsigned long h = 2166136261UL;
	size_t i;

	for (i = 0; i < n; i++)
		h = ((h ^ s[i]) * 16777619UL) & 0xffffffffUL;
	return h;
}

/*
 * SipHash-1-3 under a key of the process's own: no one outside can
 * choose names or addresses that fall into one bucket of a table.
 */
#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v) do { \
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32); \
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2]; \
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0]; \
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32); \
} while (0)

static uint64_t
keyed_hash(const void *data, size_t n)
{
	static uint64_t key[2];
	static int keyed;
	const unsigned char *s = data;
	uint64_t v[4], m;
	size_t i, j;

	if (!keyed && !random_bytes(key, sizeof(key)))
		key[0] = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32), key[1] = (uint64_t)(uintptr_t)&m;
	keyed = 1;
	v[0] = key[0] ^ 0x736f6d6570736575ULL;
	v[1] = key[1] ^ 0x646f72616e646f6dULL;
	v[2] = key[0] ^ 0x6c7967656e657261ULL;
	v[3] = key[1] ^ 0x7465646279746573ULL;
	for (i = 0; i <= n; i += 8) {
		m = i + 8 > n ? (uint64_t)n << 56 : 0;	/* the last word holds the length */
		for (j = 0; j < 8 && i + j < n; j++)
			m |= (uint64_t)s[i + j] << (8 * j);
		v[3] ^= m;
		SIPROUND(v);
		v[0] ^= m;
	}
	v[2] ^= 0xff;
	SIPROUND(v);
	SIPROUND(v);
	SIPROUND(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* n bytes from the system's random source; 0 if it gave fewer. */
static int
random_bytes(void *buf, size_t n)
{
	size_t got = 0;
	ssize_t k;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	while (fd >= 0 && got < n && (k = read(fd, (char *)buf + got, n - got)) > 0)
		got += (size_t)k;
	if (fd >= 0)
		close(fd);
	return got == n;
}

/*
 * A time as text: "HH:MM ", the local time, before a history line, or
 * with utc the log's stamp (LOG_STAMP). Worked out again only when the
 * second has changed.
 */
static const char *
time_text(time_t t, int utc)
{
	static char text[2][32];
	static time_t second[2] = { (time_t)-1, (time_t)-1 };
	struct tm tm, *ok;

	if (t != second[utc]) {
		second[utc] = t;
		ok = utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm);
		if (t == (time_t)-1 || !ok || !strftime(text[utc], sizeof(text[utc]),
		    utc ? LOG_STAMP : "%H:%M ", &tm))
			text[utc][0] = '\0';
	}
	return text[utc];
}

/* "HH:MM ", now: when a line was said. */
static const char *
hhmm(void)
{
	return time_text(time(NULL), 0);
}

/* The length of the first word of s[0..n); *rest is where the words after it start. */
static size_t
split_word(const char *s, size_t n, size_t *rest)
{
	size_t w, r;

	for (w = 0; w < n && s[w] != ' '; w++)
		;
	for (r = w; r < n && s[r] == ' '; r++)
		;
	*rest = r;
	return w;
}

/* ---- messages and queues ------------------------------------------ */

/*
 * Messages are built once and shared, reference counted, by every queue
 * they are put on: a line to a thousand peers is one allocation.
 */
static struct msg *
msg_new(size_t cap)
{
	struct msg *m = xmalloc(sizeof(*m) + cap);

	m->refs = 0;
	m->len = 0;
	m->cap = cap;
	return m;
}

/*
 * Append to a message. One that is queued already cannot move, so it
 * must have room (line_begin sees to that for the shared one).
 */
static void
msg_put(struct msg **mp, const char *s, size_t n)
{
	struct msg *m = *mp;
	size_t cap;

	if (m->len + n > m->cap) {
		if (m->refs)
			abort();	/* a queue points into it */
		cap = m->cap * 2 > m->len + n ? m->cap * 2 : m->len + n;
		m = xrealloc(m, sizeof(*m) + cap);
		m->cap = cap;
		*mp = m;
	}
	memcpy(m->data + m->len, s, n);
	m->len += n;
}

static void
msg_puts(struct msg **mp, const char *s)
{
	msg_put(mp, s, strlen(s));
}

static void
msg_unref(struct msg *m)
{
	if (--m->refs == 0)
		free(m);
}

static size_t
count_lines(const char *s, size_t n)
{
	const char *e = s + n, *nl;
	size_t k = 0;

	for (; (nl = memchr(s, '\n', (size_t)(e - s))); s = nl + 1)
		k++;
	return k;
}

/* The k-th slice of a queue, from its front. */
static struct slice *
outq_at(struct outq *q, size_t k)
{
	return &q->ring[(q->head + k) & (q->cap - 1)];
}

/* The last slice of a queue, or NULL. */
static struct slice *
outq_tail(struct outq *q)
{
	return q->n ? outq_at(q, q->n - 1) : NULL;
}

/*
 * Queue bytes off to end of a message for a peer; outq_unshift is the
 * only other way in. Bytes that follow the last slice in its message
 * lengthen it. The queue is charged for the whole message, once while
 * it holds slices of it: that is what it keeps alive. The charge rides
 * on the last of them (outq_charge), and is given back when that one is
 * written (outq_pop). The write itself waits for the end of the loop
 * turn, so everything queued in one turn goes out in one writev (a
 * newcomer's welcome goes at once: join).
 */
static void
outq_push(struct peer *p, struct msg *m, size_t off, size_t end)
{
	struct outq *q = &p->q;
	struct slice *s = outq_tail(q);
	size_t had = q->cost;

	if ((p->flags & (F_DEAD | F_WDONE)) || off >= end ||
	    (p->wfd < 0 && !(p->flags & F_DIALING)))
		return;
	/* A reader the room no longer waits for gets this far behind, and
	 * no further: it is dropped, or (our own stdout) misses lines. */
	if (q->cost - q->hist > OUTQ_HARD) {
		if (p->role->flags & R_SKIPS) {
			p->missed += count_lines(m->data + off, end - off);
		} else if (p->role->flags & R_WATCHED) {
			p->flags |= F_DROP;
			peer_close(p);
		}
		return;
	}
	if (s && s->m == m && s->end == off) {
		s->end = end;
	} else {
		outq_grow(q);
		s = outq_at(q, q->n++);
		s->m = m;
		s->off = off;
		s->end = end;
		m->refs++;
		outq_charge(q, s);
	}
	if (!q->bytes)
		io.nqueued++;
	q->bytes += end - off;
	if (p->flags & F_REPLAY)
		q->hist += q->cost - had;
	if (!(p->flags & F_DIRTY)) {
		p->flags |= F_DIRTY;
		p->next_dirty = io.dirty;
		io.dirty = p;
	}
	if (q->cost - q->hist > OUTQ_HIGH && !(p->flags & (F_HOLD | F_LAGGARD)))
		flow(p);	/* past its mark: it may hold the room now */
}

/*
 * The new last slice s carries its message's charge, which rides on
 * the last slice of a message the queue holds. The slice before it may
 * be of the same message; or, if s is of the room's shared message, a
 * line of the queue's own may have come between it and the last slice
 * of that message: either way, if that one is still queued, its charge
 * moves on to s, so that however they interleave the message is charged
 * once. Other messages come to a queue in one run.
 */
static void
outq_charge(struct outq *q, struct slice *s)
{
	struct msg *m = s->m;
	size_t at = q->n > 1 && outq_at(q, q->n - 2)->m == m ? q->n - 2 : q->carrier - q->base;

	s->charge = m->cap;
	if (at < q->n - 1 && outq_at(q, at)->m == m) {
		outq_at(q, at)->charge = 0;	/* it moves on to s */
	} else {
		q->cost += m->cap;
	}
	if (m == io.shared || m == q->shared) {
		q->shared = m;
		q->carrier = q->base + q->n - 1;
	}
}

/* Make room for one more message: in place, or in a ring twice the size. */
static void
outq_grow(struct outq *q)
{
	struct slice *ring;
	size_t i, cap;

	if (q->n < q->cap)
		return;
	if (!q->cap) {
		q->ring = &q->one;
		q->head = 0;
		q->cap = 1;
		return;
	}
	cap = q->cap * 2;
	ring = xmalloc(cap * sizeof(*ring));
	for (i = 0; i < q->n; i++)
		ring[i] = *outq_at(q, i);
	if (q->ring != &q->one)
		free(q->ring);
	q->ring = ring;
	q->head = 0;
	q->cap = cap;
}

/* Put a message before everything queued (nothing is half sent). */
static void
outq_unshift(struct peer *p, struct msg *m)
{
	struct outq *q = &p->q;

	outq_grow(q);
	q->head = (q->head - 1) & (q->cap - 1);
	q->ring[q->head].m = m;
	q->ring[q->head].off = 0;
	q->ring[q->head].end = m->len;
	q->ring[q->head].charge = m->cap;
	q->base--;
	q->n++;
	m->refs++;
	if (!q->bytes)
		io.nqueued++;
	q->bytes += m->len;
	q->cost += m->cap;
}

/*
 * Forget n written bytes from the front of a queue. An empty queue
 * gives back the ring it grew: a burst must not leave every idle peer
 * holding a ring sized for it.
 */
static void
outq_pop(struct outq *q, size_t n)
{
	struct slice *s;
	size_t left, had = q->bytes, freed = 0;

	q->drawn = q->drawn > n ? q->drawn - n : 0;	/* what is written is drawn first */
	while (n > 0 && q->n > 0) {
		s = &q->ring[q->head];
		left = s->end - s->off;
		if (n < left) {
			s->off += n;
			q->bytes -= n;
			break;
		}
		n -= left;
		q->bytes -= left;
		q->head = (q->head + 1) & (q->cap - 1);
		q->n--;
		q->base++;
		freed += s->charge;
		msg_unref(s->m);
	}
	q->cost -= freed;
	q->hist = q->hist > freed ? q->hist - freed : 0;
	if (q->answers > q->cost)
		q->answers = q->cost;	/* what is left of them is at most what is left */
	if (had && !q->bytes)
		io.nqueued--;
	if (!q->n && q->cap > 1) {
		free(q->ring);
		q->ring = &q->one;
		q->head = 0;
		q->cap = 1;
	}
}

static void
outq_clear(struct outq *q)
{
	outq_pop(q, q->bytes);
	if (q->ring != &q->one)
		free(q->ring);
	memset(q, 0, sizeof(*q));
}

/*
 * One writev of the front of a queue: of a queue that is drawn (the
 * terminal's), of what is drawn only; the lines behind it are not for
 * the screen as they are.
 */
static ssize_t
queue_writev(struct peer *p)
{
	struct iovec iov[IOV_BATCH];
	struct outq *q = &p->q;
	struct slice *s;
	size_t k, total = 0, limit;

	/* A blocking pipe or terminal takes PIPE_BUF without blocking
	 * once poll says it is writable; more might not go at once. */
	limit = (p->flags & F_POLLWRITE) ? PIPE_BUF : SIZE_MAX;
	if (p->role->show && q->drawn < limit)
		limit = q->drawn;
	for (k = 0; k < q->n && k < IOV_BATCH && total < limit; k++) {
		s = outq_at(q, k);
		iov[k].iov_base = s->m->data + s->off;
		iov[k].iov_len = s->end - s->off;
		if (iov[k].iov_len > limit - total)
			iov[k].iov_len = limit - total;
		total += iov[k].iov_len;
	}
	return writev(p->wfd, iov, (int)k);
}

/*
 * Write as much of a queue as one writev takes: the one place bytes go
 * out to a peer, the terminal too, whose show hook first draws the
 * lines queued for it at the front (term_show). Partial writes, EAGAIN
 * and EINTR are dealt with here, for every queue.
 */
static void
drain(struct peer *p)
{
	struct outq *q = &p->q;
	ssize_t n;

	if (!q->n || (p->flags & F_DIALING))
		return;
	if (roomlog.fd >= 0 && roomlog.held->len && !roomlog.failing)
		log_flush();	/* a line anyone is sent is in the log first */
	if (p->role->show)
		p->role->show(p);
	n = queue_writev(p);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		p->role->on_write_error(p, strerror(errno));
		return;
	}
	if (n > 0) {
		outq_pop(q, (size_t)n);
		p->moved = io.now;
	}
	set_writing(p, q->n > 0);
	flow(p);
	if (q->n)
		return;
	if (p->missed) {
		notice(p, "%zu lines not shown", p->missed);
		p->missed = 0;
	}
	if (p->role->on_drained)
		p->role->on_drained(p);
}

/* A socket that is only read from now: its slot is switched by fd. */
static void
stop_writing(struct peer *p)
{
	p->flags |= F_WDONE;
	io.pfd[p->rslot].events = POLLIN;
	flow(p);
}

/* Write every queue that grew this turn, or wait for poll to allow it. */
static void
flush_dirty(void)
{
	struct peer *p;

	while ((p = io.dirty)) {
		io.dirty = p->next_dirty;
		p->flags &= ~F_DIRTY;
		if (p->flags & F_DEAD)
			continue;
		if (p->flags & F_POLLWRITE)
			set_writing(p, 1);
		else
			drain(p);
	}
}

/*
 * At exit: what is queued for our stdout is written, blocking (the
 * terminal's too, once term_stop made it block again). A pipe of ours
 * that does not block (to a program, -e) takes what it has room for: a
 * program that does not read is not waited for.
 */
static void
flush_blocking(struct peer *p)
{
	unsigned polled = p->flags & F_POLLWRITE;
	size_t left;

	p->flags &= ~F_POLLWRITE;
	while (p->q.n && p->wfd >= 0 && !(p->flags & F_DEAD)) {
		left = p->q.bytes;
		drain(p);
		if (!polled && p->q.bytes == left)
			break;
	}
}

/* ---- the loop, slots, timers and signals -------------------------- */

/* The one loop, host and client alike. */
static void
loop(void)
{
	long long d;
	size_t i, n0;
	int n, timeout;

	for (;;) {
		io.now = now_ms();
		d = next_deadline();
		timeout = d < 0 ? -1 : d <= io.now ? 0 :
		    d - io.now > INT_MAX ? INT_MAX : (int)(d - io.now);
		if (io.stashed && resume_input(0))
			timeout = 0;
		n = poll(io.pfd, (nfds_t)io.nslots, timeout);
		if (n < 0 && errno != EINTR)
			die("poll:");
		io.now = now_ms();
		for (i = 0, n0 = io.nslots; n > 0 && i < n0; i++)
			if (io.pfd[i].revents)
				handle_slot(i, io.pfd[i].revents);
		if (io.stashed)
			resume_input(1);
		run_timers();
		if (prog.ending)
			program_end();
		end_turn();
		if (room.closing && !io.nqueued)
			exit(exit_status(0));
	}
}

static void
handle_slot(size_t i, short rev)
{
	struct peer *p = io.slotpeer[i];

	if (i == SLOT_SIGNAL) {
		handle_signals();
		return;
	}
	if (!p) {
		accept_peers(io.pfd[i].fd);
		return;
	}
	if (p->flags & F_DEAD)
		return;
	/* a socket being connected is writable once connected or refused */
	if (p->flags & F_DIALING) {
		dial_done(0);
		return;
	}
	/* the reader of our stdout went while nothing was queued for it */
	if (i == p->wslot && (p->flags & F_WATCHOUT) && !p->q.n &&
	    (rev & (POLLERR | POLLHUP))) {
		p->role->on_write_error(p, "stdout closed");
		return;
	}
	if (i == p->wslot && (rev & (POLLOUT | POLLERR | POLLHUP)) && p->q.n)
		drain(p);
	if (i != p->rslot || (p->flags & F_DEAD))
		return;
	if ((rev & POLLIN) || (p->rslot != p->wslot && (rev & POLLHUP)))
		peer_read(p);
	else if (rev & (POLLHUP | POLLERR))
		p->role->on_lost(p, "connection lost");
}

/*
 * Read one chunk and hand it to the peer's role; the end of input
 * ends its last line too, then the role says what the end means.
 */
static void
peer_read(struct peer *p)
{
	static char buf[READ_CHUNK];
	ssize_t n;

	n = read(p->rfd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0 && p->rfd == p->wfd) {
		p->role->on_lost(p, strerror(errno));
		return;
	}
	if (n > 0) {
		p->role->on_read(p, buf, (size_t)n);
		return;
	}
	frame_end(p);
	if (!(p->flags & F_DEAD))
		p->role->on_eof(p);
}

/*
 * End of a turn: write the room's lines to the log (-L), then what was
 * queued, then free the dead. Telling the room who was dropped queues
 * more and may drop more, hence the loop.
 */
static void
end_turn(void)
{
	struct peer *p, *list;

	for (;;) {
		if (roomlog.fd >= 0)
			log_flush();
		flush_dirty();
		if (!(list = io.dead))
			return;
		io.dead = NULL;
		for (p = list; p; p = p->next_dead)
			if (p->flags & F_DROP)
				presence(p, P_DROPPED, NULL, 0);
		while ((p = list)) {
			list = p->next_dead;
			/* a socket, one descriptor and one slot: the stdio peer, with two, never closes */
			close(p->rfd);
			room.npeers--;
			outq_clear(&p->q);
			nick_remove(p);
			if (p->id) {
				memcpy(p->id->nick, p->nick, sizeof(p->nick));
				p->id->p = NULL;
				ident_forget(p->id);
				ident_drop(p->id);
			}
			if (p->reply)
				ident_drop(p->reply);
			source_done(p);
			free(p->in_line);
			free(p->stash);
			if (p->flags & F_STASHED)
				unstash(p);
			slot_remove(p->rslot);
			free(p);
		}
	}
}

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int e = errno;

	if (write(io.sigfd[1], &c, 1) < 0) {
		/* full pipe: a signal is already pending */
	}
	errno = e;
}

/*
 * Signals arrive through the self-pipe, so poll never misses one. Any
 * but SIGCONT, SIGWINCH and SIGCHLD (-e: the program exited) is the
 * person at stdin asking to go.
 */
static void
handle_signals(void)
{
	unsigned char c[16];
	ssize_t n, i;

	while ((n = read(io.sigfd[0], c, sizeof(c))) > 0) {
		for (i = 0; i < n; i++) {
			if (c[i] == SIGCONT)
				term_redraw();
			else if (c[i] == SIGWINCH)
				term_resize();
			else if (c[i] == SIGCHLD)
				program_reap();
			else
				io.stdio->role->on_quit(io.stdio, NULL, 0);
		}
	}
}

/* The pollfd table and the peer table grow together, slot for slot. */
static size_t
slot_add(int fd, short events, struct peer *p)
{
	if (io.nslots == io.slotcap) {
		io.slotcap = io.slotcap ? io.slotcap * 2 : 16;
		io.pfd = xrealloc(io.pfd, io.slotcap * sizeof(*io.pfd));
		io.slotpeer = xrealloc(io.slotpeer, io.slotcap * sizeof(*io.slotpeer));
	}
	io.pfd[io.nslots].fd = fd;
	io.pfd[io.nslots].events = events;
	io.pfd[io.nslots].revents = 0;
	io.slotpeer[io.nslots] = p;
	return io.nslots++;
}

/* The last slot moves into the hole, so the table stays dense. */
static void
slot_remove(size_t i)
{
	size_t last = --io.nslots;
	struct peer *p;

	if (i == last)
		return;
	io.pfd[i] = io.pfd[last];
	io.slotpeer[i] = p = io.slotpeer[last];
	if (p && p->rslot == last)
		p->rslot = i;
	if (p && p->wslot == last)
		p->wslot = i;
}

/* A peer of the given role on a socket (one slot) or on stdin and stdout (two). */
static struct peer *
peer_new(const struct role *role, int rfd, int wfd)
{
	struct peer *p = xmalloc(sizeof(*p));

	memset(p, 0, sizeof(*p));
	p->role = role;
	p->rfd = rfd;
	p->wfd = wfd;
	p->rslot = slot_add(rfd, 0, p);
	p->wslot = rfd == wfd ? p->rslot : slot_add(-1, POLLOUT, p);
	if (rfd != wfd)
		io.pfd[p->rslot] = (struct pollfd){ -1, POLLIN, 0 };
	p->state = JOINING;
	return p;
}

/* The one place a peer's state changes, and the count of the room's members with it. */
static void
set_state(struct peer *p, enum state s)
{
	if (p->state == JOINED)
		room.nmembers--, sort_out(p);
	if (s == JOINED)
		room.nmembers++, sort_in(p);
	p->state = s;
}

/*
 * A socket has one slot for both directions; stdin and stdout have one
 * each, switched off by a negative descriptor so a closed pipe cannot
 * make poll spin.
 */
static void
set_polling(struct peer *p, size_t slot, int fd, short ev, int on)
{
	struct pollfd *f = &io.pfd[slot];

	if (ev == POLLOUT && (p->flags & F_WATCHOUT) && fd >= 0) {
		/* idle too, a pipe is watched for its reader going */
		f->fd = fd;
		f->events = on ? POLLOUT : 0;
	} else if (p->rslot != p->wslot || (ev == POLLIN && (p->flags & F_WDONE))) {
		f->fd = on ? fd : -1;
	} else if (on) {
		f->events |= ev;
	} else {
		f->events &= ~ev;
	}
}

static void
set_reading(struct peer *p, int on)
{
	set_polling(p, p->rslot, p->rfd, POLLIN, on);
}

static void
set_writing(struct peer *p, int on)
{
	set_polling(p, p->wslot, p->wfd, POLLOUT, on);
}

/*
 * Mark a peer for closing at the end of the turn. Nothing is freed now:
 * the caller may be in the middle of a loop over the peers.
 */
static void
peer_close(struct peer *p)
{
	if (p->flags & F_DEAD)
		return;
	if (p->state != JOINED)
		p->flags &= ~F_DROP;	/* only a member's drop is news */
	set_state(p, CLOSING);
	p->flags |= F_DEAD;
	flow(p);	/* it holds nothing now, and is read no more */
	timer_set(&p->timer, T_NONE, 0);
	timer_set(&p->pace, T_NONE, 0);
	set_writing(p, 0);
	p->next_dead = io.dead;
	io.dead = p;
}

static struct peer *
timer_peer(struct timer *t)
{
	return (struct peer *)(void *)((char *)t - offsetof(struct peer, timer));
}

/* Move a timer onto a list (T_NONE: off every list), to fire at when. */
static void
timer_set(struct timer *t, int list, long long when)
{
	struct timerlist *l;

	if (t->list) {
		l = &io.timers[t->list];
		if (t->prev)
			t->prev->next = t->next;
		else
			l->head = t->next;
		if (t->next)
			t->next->prev = t->prev;
		else
			l->tail = t->prev;
	}
	t->list = list;
	t->when = when;
	t->next = NULL;
	if (!list)
		return;
	l = &io.timers[list];
	t->prev = l->tail;
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
}

static long long
next_deadline(void)
{
	long long d = -1;
	int i;

	for (i = T_NONE + 1; i < NTIMERS; i++)
		if (io.timers[i].head && (d < 0 || io.timers[i].head->when < d))
			d = io.timers[i].head->when;
	return d;
}

/* Every timer that is due fires, taken off its list first. */
static void
run_timers(void)
{
	struct timer *t;
	long long when;
	int i;

	for (i = T_NONE + 1; i < NTIMERS; i++) {
		while ((t = io.timers[i].head) && t->when <= io.now) {
			when = t->when;
			timer_set(t, T_NONE, when);
			io.timers[i].fire(t);
		}
	}
}

static void
close_expired(struct timer *t)
{
	peer_close(timer_peer(t));
}

/* ---- flow control ------------------------------------------------- */

/*
 * Flow control, all of it, from the state of p's queue: whether it
 * holds the gate it is fed from, and whether p is read. It runs when
 * the queue passes OUTQ_HIGH, is written, or a timer of it fires.
 * - A queue past OUTQ_HIGH holds its gate until it drains below
 *   OUTQ_LOW: at the host the room, so senders slow to the pace of the
 *   readers; at the client the side that fills it.
 * - At the host the room waits only for a member that keeps pace: one
 *   whose queue takes nothing for STALL_MS, or that holds the room for
 *   LAG_MS, lags (F_LAGGARD) and holds it no more until it has caught
 *   up, its queue empty. One whose queue takes nothing for STUCK_MS is
 *   dropped (stuck_expired), as is one more than OUTQ_HARD behind
 *   (outq_push).
 * - A peer is read while the gate its input feeds is open, its own
 *   answers are no more than INPUT_MARK, and (-R) it may send another
 *   line (may_read); the rest of a read that it may not send yet waits,
 *   put aside (stash), and is framed when it may (resume_input).
 * - The link, once a write to it failed (F_GONE), is read whatever its
 *   gate: no more can come than its socket holds, and only its end,
 *   read, tells the client that the host has gone; a queue that never
 *   drains (a program that does not read) would hide it for ever.
 */
static void
flow(struct peer *p)
{
	struct outq *q = &p->q;
	size_t owed = q->cost - q->hist;
	int member = (p->role->flags & R_WATCHED) && p->state == JOINED &&
	    !(p->flags & F_DEAD);
	int holds;

	if (!q->n)
		p->flags &= ~F_LAGGARD;	/* caught up */
	holds = !(p->flags & (F_DEAD | F_LAGGARD)) && p->state != CLOSING &&
	    p->wfd >= 0 && (owed > OUTQ_HIGH || ((p->flags & F_HOLD) && owed >= OUTQ_LOW));
	if (holds && !(p->flags & F_HOLD)) {
		p->flags |= F_HOLD;
		if (member)
			timer_set(&p->lag, T_LAG, io.now + LAG_MS);
		if (p->role->out->holders++ == 0)
			update_reading();
	} else if (!holds && (p->flags & F_HOLD)) {
		p->flags &= ~F_HOLD;
		timer_set(&p->lag, T_NONE, 0);
		if (--p->role->out->holders == 0)
			update_reading();
	}
	if (!member || !q->n) {
		if (p->timer.list == T_STALL || p->timer.list == T_STUCK)
			timer_set(&p->timer, T_NONE, 0);
	} else if (p->moved == io.now ||
	    (p->timer.list != T_STALL && p->timer.list != T_STUCK)) {
		timer_set(&p->timer, T_STALL, io.now + STALL_MS);
	}
	set_reading(p, may_read(p));
}

/*
 * Whether p is read: not while its gate is held or shut (one that is
 * gone is read all the same), nor while its input waits.
 */
static int
may_read(struct peer *p)
{
	int gate_open = !p->role->in->holders && !p->role->in->shut;

	return !(p->flags & (F_DEAD | F_DIALING)) && p->state != CLOSING &&
	    p->rfd >= 0 && (gate_open || (p->flags & F_GONE)) && !p->stash &&
	    !input_waits(p);
}

/*
 * What p sends waits, read or not: its answers pile up, it has said
 * its -R lines for now, or its address pauses after a wrong password.
 */
static int
input_waits(struct peer *p)
{
	return answers_wait(p) || paced(p) || (p->flags & F_PAUSED);
}

/* Its own queue is too long to take more of its commands. */
static int
answers_wait(struct peer *p)
{
	return (p->role->flags & R_ANSWERED) && p->q.answers > INPUT_MARK;
}

/*
 * -R, a token bucket: a member has sent all the lines it may for now,
 * RATE_BURST seconds' worth ahead of the clock. Time is counted in ms
 * times opt.rate, so that a line costs exactly 1000 of it.
 */
static int
paced(const struct peer *p)
{
	return opt.rate && p->paced >
	    io.now * opt.rate + (RATE_BURST * opt.rate - 1) * 1000LL;
}

/* A member sends a line: one more is paid for; out of them, it waits one line's time. */
static void
pace(struct peer *p)
{
	long long now = io.now * opt.rate;

	if (!opt.rate || !(p->role->flags & R_PACED) || p->state != JOINED)
		return;
	p->paced = (p->paced > now ? p->paced : now) + 1000;
	if (paced(p))
		timer_set(&p->pace, T_PACE, io.now + (1000 + opt.rate - 1) / opt.rate);
}

/* It may send a line again: read it, and what it put aside goes on (resume_input). */
static void
pace_expired(struct timer *t)
{
	flow((struct peer *)(void *)((char *)t - offsetof(struct peer, pace)));
}

static void
update_reading(void)
{
	struct peer *p;
	size_t i;

	for (i = SLOT_STDIN; i < io.nslots; i++)
		if ((p = io.slotpeer[i]) && p->rslot == i)
			set_reading(p, may_read(p));
}

/* A queue that took nothing for STALL_MS: its reader lags. */
static void
stall_expired(struct timer *t)
{
	struct peer *p = timer_peer(t);

	p->flags |= F_LAGGARD;
	timer_set(t, T_STUCK, t->when - STALL_MS + STUCK_MS);
	flow(p);
}

static void
stuck_expired(struct timer *t)
{
	struct peer *p = timer_peer(t);

	if (p->role->flags & R_SKIPS)
		return;	/* our own stdout: it keeps what it has, misses the rest */
	p->flags |= F_DROP;
	peer_close(p);
}

/*
 * It held the room LAG_MS while the others went on: a laggard. The
 * room goes at the pace of those that keep up; its queue keeps every
 * line for it up to OUTQ_HARD, and it may hold the room again once it
 * has caught up.
 */
static void
lag_expired(struct timer *t)
{
	struct peer *p = (struct peer *)(void *)((char *)t - offsetof(struct peer, lag));

	p->flags |= F_LAGGARD;
	flow(p);
}

/*
 * The rest of what was read waits, unread, until the peer's queue is
 * short again (resume_input); it is read no more meanwhile.
 */
static void
stash(struct peer *p, const char *s, size_t n)
{
	p->stash = xmalloc(n);
	memcpy(p->stash, s, n);
	p->stashlen = n;
	set_reading(p, 0);
	if (!(p->flags & F_STASHED)) {
		p->flags |= F_STASHED;
		p->next_stashed = io.stashed;
		io.stashed = p;
	}
}

/*
 * Frame the input put aside of each peer whose queue is short again,
 * if run; either way, whether any such peer waits (the loop does not
 * sleep then).
 */
static int
resume_input(int run)
{
	struct peer **pp = &io.stashed, *p;
	char *s;
	int ready = 0;

	while ((p = *pp)) {
		if (!p->stash || (p->flags & F_DEAD) || p->state == CLOSING) {
			*pp = p->next_stashed;
			p->flags &= ~F_STASHED;
			continue;
		}
		pp = &p->next_stashed;
		if (input_waits(p) || p->role->in->holders || p->role->in->shut)
			continue;
		ready = 1;
		if (!run)
			continue;
		s = p->stash;
		p->stash = NULL;
		frame(p, s, p->stashlen);
		free(s);
		flow(p);
	}
	return ready;
}

static void
unstash(struct peer *p)
{
	struct peer **pp;

	for (pp = &io.stashed; *pp && *pp != p; pp = &(*pp)->next_stashed)
		;
	if (*pp)
		*pp = p->next_stashed;
}

/* ---- framing, sanitising and the line forms ----------------------- */

/*
 * Length of the valid UTF-8 sequence at s, with its code point, or 0.
 * Overlong forms, surrogates and values past U+10FFFF are invalid.
 */
static size_t
utf8_len(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c, min;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	if (s[0] < 0xe0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] < 0xf0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Where to cut s[0..n) so no character is split, given byte next
 * follows: before the character next continues, if it does; a stray
 * continuation byte after a whole character splits nothing.
 */
static size_t
utf8_cut(const char *s, size_t n, char next)
{
	unsigned char lead;
	size_t k = n, want;

	if ((next & 0xc0) != 0x80)
		return n;
	while (k > 0 && n - k < 4 && (s[k - 1] & 0xc0) == 0x80)
		k--;
	if (k == 0 || n - k >= 4)
		return n;
	lead = (unsigned char)s[k - 1];
	want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	return n - (k - 1) < want ? k - 1 : n;
}

/*
 * Append text safe for any terminal: TAB becomes a space, C0 controls,
 * DEL and C1 controls go, and so do the bidi embeddings, overrides and
 * isolates and the line and paragraph separators (bidi_control), with
 * which a line could be drawn as another's; invalid UTF-8 becomes
 * U+FFFD, and the rest of valid UTF-8 passes untouched. Runs of
 * printable ASCII are copied whole. At most max bytes are appended, cut
 * at a character: a line of invalid bytes would triple. Says whether it
 * cut.
 */
static int
sanitize(struct msg **mp, const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, j, k, start = (*mp)->len;
	unsigned long c;
	const char *put;

	while (i < n) {
		for (j = i; j < n && u[j] >= 0x20 && u[j] < 0x7f; j++)
			;
		if (j > i) {
			put = s + i, k = j - i;
		} else if (u[i] < 0x80) {
			put = u[i] == '\t' ? " " : "", k = u[i] == '\t', j = i + 1;
		} else if ((k = utf8_len(u + i, n - i, &c))) {
			put = s + i, j = i + k;
			if (c <= 0x9f || bidi_control(c))
				k = 0;
		} else {
			/* A lone 8-bit C1 byte is a control, not a typo. */
			put = "\xef\xbf\xbd", k = u[i] > 0x9f ? 3 : 0, j = i + 1;
		}
		if ((*mp)->len - start + k > max) {
			/* ASCII may be cut anywhere; a character goes whole */
			if (put == s + i && u[i] < 0x80)
				msg_put(mp, put, max - ((*mp)->len - start));
			return 1;
		}
		msg_put(mp, put, k);
		i = j;
	}
	return 0;
}

/* U+2028..U+202E and U+2066..U+2069 reorder or break what follows. */
static int
bidi_control(unsigned long c)
{
	return (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* The bytes of a line that count: one CR before its LF does not. */
static size_t
bare_len(const char *s, size_t n)
{
	return n && s[n - 1] == '\r' ? n - 1 : n;
}

/*
 * The one place where received bytes become lines. Complete lines are
 * handed on straight from the read buffer; only a partial line is
 * copied, into the peer's own buffer of its role's line_max, and a
 * byte for a CR whose LF is still to come.
 */
static void
frame(struct peer *p, const char *s, size_t n)
{
	const char *nl;
	size_t len;

	while (n > 0 && p->state != CLOSING && !(p->flags & F_DEAD)) {
		if (input_waits(p)) {
			stash(p, s, n);
			break;
		}
		nl = memchr(s, '\n', n);
		len = nl ? (size_t)(nl - s) : n;
		if (p->flags & F_DISCARD) {
			if (nl)
				p->flags &= ~F_DISCARD;
		} else if (!p->inlen && nl && bare_len(s, len) <= p->role->line_max) {
			line_done(p, s, len);
		} else {
			gather(p, s, len, nl != NULL);
		}
		if (!nl)
			break;
		s += len + 1;
		n -= len + 1;
	}
	run_flush();	/* a run of lines is one read's, no more */
}

/* EOF ends the last line too: what was sent is not lost. */
static void
frame_end(struct peer *p)
{
	if (p->inlen && !(p->flags & F_DISCARD))
		gather(p, "", 0, 1);
	p->inlen = 0;
	p->flags &= ~F_DISCARD;
	run_flush();
}

/*
 * Add a piece of a line to the peer's buffer. Its length is known for
 * certain only at the LF (a CR before it does not count), so the buffer
 * keeps one byte more than the limit; a line that outgrows that is cut.
 * The buffer lives while the line does: a peer between lines holds none.
 */
static void
gather(struct peer *p, const char *s, size_t len, int complete)
{
	size_t max = p->role->line_max, n = max + 1 - p->inlen;

	if (!p->in_line)
		p->in_line = xmalloc(max + 1 + sizeof(CUT_MARK));
	if (n > len)
		n = len;
	memcpy(p->in_line + p->inlen, s, n);
	p->inlen += n;
	if (n == len && !complete)
		return;
	if (n == len && bare_len(p->in_line, p->inlen) <= max)
		line_done(p, p->in_line, p->inlen);
	else
		cut_line(p, complete);
	p->inlen = 0;
	free(p->in_line);
	p->in_line = NULL;
}

/*
 * A line longer than its role allows: its first line_max bytes, cut at
 * a character, are the line, and the rest up to the LF is dropped. The
 * host tells the sender; the client shows the cut, marked.
 */
static void
cut_line(struct peer *p, int complete)
{
	size_t max = p->role->line_max, cut;

	cut = utf8_cut(p->in_line, max, p->in_line[max]);
	if (p->role->flags & R_MARKCUT) {
		memcpy(p->in_line + cut, CUT_MARK, sizeof(CUT_MARK) - 1);
		line_done(p, p->in_line, cut + sizeof(CUT_MARK) - 1);
	} else {
		line_done(p, p->in_line, cut);
		notice(p, "line too long, cut to %d bytes", LINE_MAX_BYTES);
	}
	if (!complete)
		p->flags |= F_DISCARD;
}

/* Whether a line says nothing: empty, or only spaces and tabs. */
static int
blank(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return !n;
}

/*
 * A whole line, its CR gone, to the peer's role; blank lines are
 * ignored, on both sides: the host's from any peer, the client's typed
 * or piped ones, which it does not send.
 */
static void
line_done(struct peer *p, const char *s, size_t n)
{
	n = bare_len(s, n);
	if (!blank(s, n) && p->state != CLOSING && !(p->flags & F_DEAD)) {
		pace(p);
		p->role->on_line(p, s, n);
	}
}

/* The one place the host's line forms are built: the stamp before the text. */
static void
put_form(struct msg **mp, enum form f, const char *nick)
{
	switch (f) {
	case FORM_NOTICE:
		msg_puts(mp, MARK_NOTICE);
		return;
	case FORM_SAY:
		msg_puts(mp, MARK_SAY_OPEN);
		msg_puts(mp, nick);
		msg_puts(mp, MARK_SAY_CLOSE);
		return;
	case FORM_ACTION:
		msg_puts(mp, MARK_ACTION);
		msg_puts(mp, nick);
		msg_puts(mp, " ");
		return;
	case FORM_SENT:
		msg_puts(mp, MARK_SENT);
		/* FALLTHROUGH */
	case FORM_PRIVATE:
		msg_puts(mp, MARK_PRIVATE);
		msg_puts(mp, nick);
		msg_puts(mp, MARK_PRIVATE " ");
		return;
	case FORM_TEXT:
		return;
	}
}

/*
 * The one place they are read back: the form of a received line, and
 * where the nickname in it is (nick, len), for those forms that have one.
 */
static enum form
parse_form(const char *s, size_t n, size_t *nick, size_t *len)
{
	const size_t nl = sizeof(MARK_NOTICE) - 1, al = sizeof(MARK_ACTION) - 1;
	const size_t sl = sizeof(MARK_SENT MARK_PRIVATE) - 1;
	const char *e;

	*nick = *len = 0;
	if (n > nl && !memcmp(s, MARK_NOTICE, nl))
		return FORM_NOTICE;
	if (n && s[0] == MARK_SAY_OPEN[0] && (e = memchr(s, MARK_SAY_CLOSE[0], n))) {
		*nick = 1;
		*len = (size_t)(e - s) - 1;
		return FORM_SAY;
	}
	if (n > al && !memcmp(s, MARK_ACTION, al) && (e = memchr(s + al, ' ', n - al))) {
		*nick = al;
		*len = (size_t)(e - s) - al;
		return FORM_ACTION;
	}
	if (n && s[0] == MARK_PRIVATE[0]) {
		if ((e = memchr(s + 1, MARK_PRIVATE[0], n - 1)))
			*nick = 1, *len = (size_t)(e - s) - 1;
		return FORM_PRIVATE;
	}
	if (n > sl && !memcmp(s, MARK_SENT MARK_PRIVATE, sl)) {
		if ((e = memchr(s + sl, MARK_PRIVATE[0], n - sl)))
			*nick = sl, *len = (size_t)(e - s) - sl;
		return FORM_SENT;
	}
	return FORM_TEXT;
}

/* ---- the room: members and their names ---------------------------- */

/* Walk the room: the host itself, then every joined peer. */
static struct peer *
next_member(size_t *i)
{
	struct peer *p;

	while (*i < io.nslots) {
		p = io.slotpeer[(*i)++];
		if (p && p->rslot == *i - 1 && p->state == JOINED && !(p->flags & F_DEAD))
			return p;
	}
	return NULL;
}

/*
 * Nicknames are unique by their skeleton (skeleton()), so that is what
 * is hashed, once, when the name is given: p->skel. A peer is in the
 * table from its join until it is freed: a lookup passes over those
 * that left, and naming a newcomer does not walk the whole room. The
 * hash is keyed, so no one can fill a bucket on purpose, and a lookup
 * works out a skeleton again only for a name whose hash is the same.
 */
static uint64_t
skel_hash(const char *name, size_t n)
{
	unsigned long k[SKEL_MAX];

	return keyed_hash(k, skeleton(name, n, k) * sizeof(*k));
}

static struct peer **
nick_bucket(uint64_t h)
{
	return &room.nicks[h & (room.nbuckets - 1)];
}

/* The table is made at the first name: a bucket for each peer -m allows. */
static void
nick_add(struct peer *p)
{
	struct peer **b;

	if (!room.nicks) {
		for (room.nbuckets = 1; room.nbuckets < opt.maxpeers; room.nbuckets *= 2)
			;
		room.nicks = xmalloc(room.nbuckets * sizeof(*room.nicks));
		memset(room.nicks, 0, room.nbuckets * sizeof(*room.nicks));
	}
	p->skel = skel_hash(p->nick, strlen(p->nick));
	b = nick_bucket(p->skel);
	p->next_same_hash = *b;
	*b = p;
}

static void
nick_remove(struct peer *p)
{
	struct peer **b;

	if (!room.nicks)
		return;
	b = nick_bucket(p->skel);
	while (*b && *b != p)
		b = &(*b)->next_same_hash;
	if (*b)
		*b = p->next_same_hash;
}

/* The members in strcasecmp order of name, for /who PREFIX: p in or out. */
static void
sort_in(struct peer *p)
{
	size_t i;

	if (room.nsorted == room.sortcap) {
		room.sortcap = room.sortcap ? 2 * room.sortcap : 64;
		room.sorted = xrealloc(room.sorted, room.sortcap * sizeof(*room.sorted));
	}
	i = sorted_at(p->nick, SIZE_MAX, 0);
	memmove(room.sorted + i + 1, room.sorted + i, (room.nsorted++ - i) * sizeof(*room.sorted));
	room.sorted[i] = p;
}

static void
sort_out(struct peer *p)
{
	size_t i = sorted_at(p->nick, SIZE_MAX, 0);

	while (i < room.nsorted && room.sorted[i] != p)
		i++;	/* members' names differ, case aside: this is one step */
	if (i < room.nsorted)
		memmove(room.sorted + i, room.sorted + i + 1, (--room.nsorted - i) * sizeof(*room.sorted));
}

/*
 * Where in room.sorted the first name is that is not before the first
 * n bytes of name, case aside (after: the first that is after them):
 * the names that start with a prefix are the ones between the two.
 */
static size_t
sorted_at(const char *name, size_t n, int after)
{
	size_t lo = 0, hi = room.nsorted, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strncasecmp(room.sorted[mid]->nick, name, n);
		if (c < 0 || (after && !c))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The member whose name has the skeleton of name[0..n): the same person to the eye. */
static struct peer *
find_member(const char *name, size_t n)
{
	uint64_t h;
	struct peer *p;

	if (n > NICK_MAX || !room.nicks)
		return NULL;
	h = skel_hash(name, n);
	for (p = *nick_bucket(h); p; p = p->next_same_hash)
		if (p->skel == h && p->state == JOINED && !(p->flags & F_DEAD) &&
		    same_name(name, n, p->nick))
			return p;
	return NULL;
}

/* Does name a[0..an) look the same as b, as find_member compares them? */
static int
same_name(const char *a, size_t an, const char *b)
{
	unsigned long ka[SKEL_MAX], kb[SKEL_MAX];
	size_t n;

	if (an > NICK_MAX)
		return 0;
	n = skeleton(a, an, ka);
	return skeleton(b, strlen(b), kb) == n && !memcmp(ka, kb, n * sizeof(*ka));
}

/*
 * A name as the eye sees it, the skeleton of Unicode's UTS #39: each
 * character case folded, then what it stands for in look_alike (m
 * stands for rn, Cyrillic о and the digit 0 for o); bytes that are not
 * UTF-8 as themselves. out has room for SKEL_MAX.
 */
static size_t
skeleton(const char *s, size_t n, unsigned long *out)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	size_t i, k, len = 0;

	for (i = 0; i < n && len + LOOK_MAX <= SKEL_MAX; i += k) {
		if (!(k = utf8_len(u + i, n - i, &c)))
			c = u[i], k = 1;
		len += stands_for(fold(c), out + len);
	}
	return len;
}

/*
 * One script to a name: *other is the one script met so far outside
 * those of China, Japan and Korea, which nick_ok pairs.
 */
static int
scripts_ok(int *other, int sc)
{
	if (!sc || sc == SC_HAN || sc == SC_HIRAGANA || sc == SC_KATAKANA ||
	    sc == SC_HANGUL || sc == SC_BOPOMOFO)
		return 1;
	if (*other && *other != sc)
		return 0;
	*other = sc;
	return 1;
}

/*
 * A nickname is 1 to NICK_MAX bytes of letters, combining marks,
 * digits and _ - . (nick_chars leaves out whatever draws nothing or
 * looks like the marks * < >, what NFC or NFKC would change, marks
 * over Latin, Greek or Cyrillic, phonetic letters and characters of no
 * script), of one script, not starting with - or a mark, and in NFC (no
 * pair nick_compose has), so "<nick>", "* nick" and "*nick*" cannot be
 * mistaken for anything else and no name can hide in another.
 */
static int
nick_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c, prev = 0;
	unsigned seen = 0;
	int sc, other = 0;
	size_t i, k;

	if (n < 1 || n > NICK_MAX)
		return 0;
	for (i = 0; i < n; prev = c, i += k) {
		if (!(k = utf8_len(u + i, n - i, &c)))
			return 0;
		if ((sc = nick_char(c, !i)) < 0 || !scripts_ok(&other, sc) || composes(prev, c))
			return 0;
		if (sc)
			seen |= sc == SC_HAN ? 1 : sc == SC_HIRAGANA || sc == SC_KATAKANA ? 2 :
			    sc == SC_HANGUL ? 4 : sc == SC_BOPOMOFO ? 8 : 16;
	}
	/* Han may go with one of kana, Hangul or Bopomofo; the rest alone */
	if ((seen & 1) && !(seen & 16))
		seen &= ~1u;
	return !(seen & (seen - 1));
}

/*
 * Whether c may be in a nickname (at its start, if first): the script
 * it belongs to, 0 for none (digits, _ - .), or -1 if it may not.
 */
static int
nick_char(unsigned long c, int first)
{
	int g;

	if (first && c == '-')
		return -1;
	if (first) {
		g = gcb_of(c);
		if (g == GCB_EXTEND || g == GCB_SPACINGMARK || g == GCB_ZWJ)
			return -1;
	}
	return nick_script(c);
}

/* alice is taken: try alice2, alice3... shortened to fit if need be. */
static void
nick_variant(char *out, const char *want, size_t n)
{
	unsigned long k;
	size_t base;
	char num[24];

	for (k = 2; k < 100000; k++) {
		snprintf(num, sizeof(num), "%lu", k);
		base = n < NICK_MAX - strlen(num) ? n : NICK_MAX - strlen(num);
		while (base > 1 && base < n && (want[base] & 0xc0) == 0x80)
			base--;
		snprintf(out, NICK_MAX + 1, "%.*s%s", (int)base, want, num);
		if (!find_member(out, strlen(out)))
			return;
	}
	nick_guest(out);
}

static void
nick_guest(char *out)
{
	do
		snprintf(out, NICK_MAX + 1, "guest%lu", ++room.guests);
	while (find_member(out, strlen(out)));
}

/* ---- the room: how a line reaches people -------------------------- */

/*
 * How a line reaches people, the one rule: it goes to the peer it is
 * for, or with none to every member of the room, and never back to its
 * sender (from) nor to one who ignores the sender, nor news of who
 * came and went to one who asked for /quiet. The host's notices
 * have no sender; one that quotes a person's words does not reach
 * those who ignore that person with the words (deliver_room). A line
 * to one peer is its own, not the room's: it counts as its answers,
 * which hold its input back (INPUT_MARK).
 */
static void
deliver(const struct peer *from, struct peer *to, int news, struct msg *m,
    size_t off, size_t end)
{
	size_t had;

	if (!to) {
		deliver_room(from, from ? from->id : NULL, news, m, off, end, NULL);
		return;
	}
	run_flush();	/* what was said before goes first */
	if (from && ignores(to, from->id))
		return;	/* as if it went: ignoring is not a thing one is told */
	had = to->q.cost;
	outq_push(to, m, off, end);
	if (!(to->role->flags & R_ANSWERED))
		return;	/* the client's two sides: each other's, not answers */
	to->q.answers += to->q.cost - had;
	if (to->q.answers > INPUT_MARK)
		flow(to);	/* its answers pile up: read it no more for now */
}

/*
 * deliver's rule for the whole room. A line holds words that by chose
 * (its sender's line, or a notice quoting their reason, name or topic):
 * one who ignores by gets plain instead, a notice that quotes nothing
 * of theirs, or with none nothing at all.
 */
static void
deliver_room(const struct peer *from, const struct ident *by, int news,
    struct msg *m, size_t off, size_t end, struct msg *plain)
{
	struct peer *to;
	size_t i = SLOT_STDIN;

	run_flush();	/* what was said before goes first */
	if (roomlog.fd >= 0)
		log_lines(m->data + off, end - off);	/* every room line, as everyone sees it */
	if (by && !by->ignorers)
		by = NULL;	/* the common case: nobody to ask */
	while ((to = next_member(&i))) {
		if (to == from || (news && to->id && to->id->quiet))
			continue;
		if (!by || !ignores(to, by))
			outq_push(to, m, off, end);
		else if (plain)
			outq_push(to, plain, 0, plain->len);
	}
}

/*
 * Room lines that one peer sends back to back are delivered together,
 * as one slice for each member: line_end holds them as a run until a
 * line that does not follow on, anything else delivered, the end of
 * the read they came in (frame, frame_end, term_input) or a command
 * (hear), so that who hears them is who was there as they were said.
 */
static void
run_flush(void)
{
	const struct peer *from = io.run.from;

	if (!from)
		return;
	io.run.from = NULL;
	deliver(from, NULL, 0, io.shared, io.run.off, io.run.end);
}

/* A message made for one peer, freed if it could not be queued. */
static void
send_to(struct peer *p, struct msg *m)
{
	deliver(NULL, p, 0, m, 0, m->len);
	if (!m->refs)
		free(m);
}

/*
 * Lines for more than one queue are written into one shared message,
 * and each queue gets a slice of it: a line to a thousand peers is
 * stored once, and lines queued back to back are one slice. Once
 * queued it cannot move, so a line is begun only where the longest
 * fits (LINE_ROOM), else in a new message; the old one lives while a
 * queue holds part of it. Says where the line starts.
 */
static size_t
line_begin(void)
{
	struct msg *m = io.shared;

	if (m->refs == 1 && !io.run.from) {
		m->len = 0;	/* no queue holds any of it: start again */
	} else if (m->cap - m->len < LINE_ROOM) {
		run_flush();
		msg_unref(m);
		io.shared = m = msg_new(SHARED_MAX + LINE_ROOM);
		m->refs = 1;	/* its own */
	}
	return m->len;
}

/*
 * The line begun at mark is written: it goes as deliver has it, unless
 * nothing came after its stamp (body). Says whether it went.
 */
static int
line_end(const struct peer *from, struct peer *to, size_t mark, size_t body)
{
	if (io.shared->len == body) {
		io.shared->len = mark;
		return 0;
	}
	msg_put(&io.shared, "\n", 1);
	if (from && !to && from == io.run.from && mark == io.run.end) {
		io.run.end = io.shared->len;	/* the run goes on */
	} else if (from && !to) {
		run_flush();
		io.run.from = from, io.run.off = mark, io.run.end = io.shared->len;
	} else {
		deliver(from, to, 0, io.shared, mark, io.shared->len);
	}
	return 1;
}

/* A notice, its mark and the text; only validated names go in fmt. */
static void
vformat(struct msg **mp, const char *fmt, va_list ap)
{
	char buf[256];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	put_form(mp, FORM_NOTICE, NULL);
	msg_put(mp, buf, (size_t)n);
}

static void
notice(struct peer *p, const char *fmt, ...)
{
	va_list ap;
	struct msg *m = msg_new(64);

	va_start(ap, fmt);
	vformat(&m, fmt, ap);
	va_end(ap);
	msg_put(&m, "\n", 1);
	send_to(p, m);
}

/*
 * A notice to every member, news of who came and went not to the
 * quiet; by, if not NULL, chose what it says, and those who ignore by
 * do not get it. Says where it starts.
 */
static size_t
notice_room(const struct peer *by, int news, const char *fmt, ...)
{
	va_list ap;
	size_t mark = line_begin();

	va_start(ap, fmt);
	vformat(&io.shared, fmt, ap);
	va_end(ap);
	msg_put(&io.shared, "\n", 1);
	notice_by(by, news, mark, NULL);
	return mark;
}

/*
 * The room notice begun at mark quotes words that by chose: those who
 * ignore by get the notice plain instead, or with none nothing.
 */
static void
notice_by(const struct peer *by, int news, size_t mark, const char *plain)
{
	struct msg *m = NULL;

	if (plain && by && by->id && by->id->ignorers) {
		m = msg_new(64);
		put_form(&m, FORM_NOTICE, NULL);
		msg_puts(&m, plain);
		msg_puts(&m, "\n");
	}
	deliver_room(NULL, by ? by->id : NULL, news, io.shared, mark,
	    io.shared->len, m);
	if (m && !m->refs)
		free(m);
}

/* A notice quoting what a peer sent, made safe, to one peer. */
static void
notice_text(struct peer *to, const char *before, const char *text, size_t n,
    const char *after)
{
	struct msg *m = msg_new(64 + n);

	put_quoted(&m, before, text, n, after);
	send_to(to, m);
}

/* The notice "WHAT", or with a reason "WHAT (REASON)", to one peer or (to NULL) the room. */
static void
notice_why(struct peer *to, const char *what, const char *reason, size_t n)
{
	char head[128];

	snprintf(head, sizeof(head), "%s%s", what, n ? " (" : "");
	notice_text(to, head, reason, n, n ? ")" : "");
}

/* The notice "BEFORE TEXT AFTER", the text made safe. */
static void
put_quoted(struct msg **mp, const char *before, const char *text, size_t n,
    const char *after)
{
	put_form(mp, FORM_NOTICE, NULL);
	msg_puts(mp, before);
	sanitize(mp, text, n, LINE_MAX_BYTES);
	msg_puts(mp, after);
	msg_puts(mp, "\n");
}

/*
 * "a, b, c", at most LIST_MAX bytes of it, then "and N more": the rest
 * are counted, not walked, so a newcomer to a big room costs little.
 */
static void
put_members(struct msg **mp, struct msg **away, const struct peer *viewer)
{
	struct peer *p;
	size_t i = SLOT_STDIN, start = (*mp)->len, listed = 0;
	char num[48];

	while ((*mp)->len - start <= LIST_MAX && (p = next_member(&i))) {
		if ((*mp)->len > start)
			msg_put(mp, ", ", 2);
		msg_puts(mp, p->nick);
		listed++;
		if (!p->id || !p->id->away)
			continue;
		msg_puts(mp, " (away)");
		if (away && p->id->away->len && !ignores(viewer, p->id))
			put_away(away, p, 1);
	}
	if ((*mp)->len == start)
		msg_puts(mp, "nobody else");
	if (room.nmembers > listed) {
		snprintf(num, sizeof(num), " and %zu more", room.nmembers - listed);
		msg_puts(mp, num);
	}
}

/* ---- the room: joining, leaving and saying ------------------------ */

/*
 * A new peer becomes a member: with the name it asked for if that is
 * valid and free, a variant of it if taken, guestN if none.
 */
static void
join(struct peer *p, const char *want, size_t n)
{
	struct msg *m;
	struct peer *old;
	int ok = want && nick_ok(want, n);

	if ((old = ok ? resumed(p, want, n) : NULL)) {
		take_over(p, old);
	} else if (room.nmembers > opt.maxpeers) {	/* the host is a member too */
		turn_away(p, REFUSE_FULL);
		return;
	}
	/* One allocation for the longest welcome: two names, a list one
	 * name past LIST_MAX at most, the words. Grown by doubling, a burst
	 * of welcomes left holes in the heap that idle peers paid for. */
	m = msg_new(LIST_MAX + 3 * NICK_MAX + 128);
	if (old) {
		memcpy(p->nick, old->nick, sizeof(p->nick));
	} else if (ok && !find_member(want, n)) {
		memcpy(p->nick, want, n);
		p->nick[n] = '\0';
	} else if (ok) {
		nick_variant(p->nick, want, n);
	} else {
		nick_guest(p->nick);
	}
	nick_add(p);
	timer_set(&p->timer, T_NONE, 0);
	put_form(&m, FORM_NOTICE, NULL);
	msg_puts(&m, "welcome ");
	msg_puts(&m, p->nick);
	if (ok && !old && strlen(p->nick) != n) {
		msg_puts(&m, " (");
		msg_put(&m, want, n);
		msg_puts(&m, " is taken)");
	}
	msg_puts(&m, ". here: ");
	put_members(&m, NULL, p);	/* p is not a member yet */
	msg_puts(&m, ". type /help for commands\n");
	presence(p, old ? P_BACK : P_JOINED, NULL, 0);	/* before p is in */
	set_state(p, JOINED);
	send_to(p, m);
	if (room.topic)
		tell_topic(p);
	replay(p);
	if (want && !ok)
		notice(p, "invalid nickname: " NICK_RULE, NICK_MAX);
	/* Written now, not at the end of the turn: a crowd of a thousand
	 * joining in one turn would hold a welcome each until then, and
	 * leave the heap that much bigger for good. */
	drain(p);
}

/* The member called want[0..n) if p is that person come back: both gave the same /session key. */
static struct peer *
resumed(struct peer *p, const char *want, size_t n)
{
	struct peer *q = find_member(want, n);

	if (!q || !p->id || !p->id->keylen || !q->id || !q->id->keylen ||
	    secret_differs(p->id->key, p->id->keylen, q->id->key, q->id->keylen))
		return NULL;
	return q;
}

/*
 * p is old reconnected: old's connection, dead or not, is closed without
 * a word to the room, and p is the same person, with its name, its /r,
 * its away and whom it ignores and who ignores it.
 */
static void
take_over(struct peer *p, struct peer *old)
{
	ident_drop(p->id);	/* held only the key, the same as old's */
	p->id = old->id;
	p->id->p = p;
	old->id = NULL;
	p->reply = old->reply;
	old->reply = NULL;
	nick_remove(old);
	set_state(old, CLOSING);	/* nobody is told it left */
	peer_close(old);
}

/*
 * A member goes: the room is told, and what is queued for it is still
 * written before the socket closes, within CLOSE_MS.
 */
static void
leave(struct peer *p, enum event e, const char *reason, size_t n)
{
	if (p->state == CLOSING || (p->flags & F_DEAD))
		return;
	if (p->state == JOINED) {
		set_state(p, CLOSING);
		presence(p, e, reason, n);
	}
	set_state(p, CLOSING);
	flow(p);
	if (p->q.n)
		timer_set(&p->timer, T_CLOSE, io.now + CLOSE_MS);
	else
		peer_close(p);
}

/*
 * Who came and went, as the room is told: one by one in a room of at
 * most opt.gather members, and whatever its size a kick, and a leave
 * by one who spoke in the last TALKED_MS; else gathered, and told
 * within GATHER_MS. What was gathered is told first, so that nobody
 * hears of things out of order. reason is the peer's, made safe.
 */
static void
presence(struct peer *p, enum event e, const char *reason, size_t n)
{
	static const char *const what[] = {
		[P_JOINED] = "joined", [P_BACK] = "reconnected", [P_LEFT] = "left",
		[P_DROPPED] = "dropped (not reading)", [P_KICKED] = "was kicked by the host",
	};
	int side = e <= P_BACK ? CAME : WENT;
	char plain[NICK_MAX + 64], head[NICK_MAX + 66];
	size_t mark;

	if (e != P_KICKED && room.nmembers > opt.gather &&
	    !(side == WENT && p->said && io.now - p->said < TALKED_MS)) {
		gather_name(p->nick, side);
		return;
	}
	tell_gathered();
	snprintf(plain, sizeof(plain), "%s %s", p->nick, what[e]);
	snprintf(head, sizeof(head), "%s%s", plain, n ? " (" : "");
	mark = line_begin();
	put_quoted(&io.shared, head, reason, n, n ? ")" : "");
	/* the reason is the host's for a kick, else the peer's own */
	notice_by(!n ? NULL : e == P_KICKED ? io.stdio : p, e != P_KICKED,
	    mark, plain);
}

/*
 * One more who came or went (side), counted, and named while the list
 * has room. One named as come in this period who goes is struck off
 * instead (or the reverse), as long as all on that side are named: it
 * changed nothing, and a peer that joins and leaves in a loop costs
 * the room nothing.
 */
static void
gather_name(const char *name, int side)
{
	struct msg **l = &room.gathered.names[side];
	size_t n = strlen(name), *count = room.gathered.count, *named = room.gathered.named;

	if (count[!side] == named[!side] && unlist(room.gathered.names[!side], name, n)) {
		count[!side]--, named[!side]--;
		return;
	}
	if (!*l)
		*l = msg_new(GATHER_LIST);
	count[side]++;
	if ((*l)->len + n + 2 <= GATHER_LIST) {
		if ((*l)->len)
			msg_put(l, ", ", 2);
		msg_put(l, name, n);
		named[side]++;
	}
	if (!room.gathered.timer.list)
		timer_set(&room.gathered.timer, T_GATHER, io.now + GATHER_MS);
}

/* Take name[0..n) out of the list "a, b, c" in m, if it is there. */
static int
unlist(struct msg *m, const char *name, size_t n)
{
	size_t s, e;
	const char *c;

	for (s = 0; m && s < m->len; s = e + 2) {
		c = memchr(m->data + s, ',', m->len - s);
		e = c ? (size_t)(c - m->data) : m->len;
		if (e - s != n || memcmp(m->data + s, name, n))
			continue;
		if (e < m->len)
			e += 2;		/* the name and the ", " after it... */
		else if (s)
			s -= 2;		/* ...or, the last, the one before */
		memmove(m->data + s, m->data + e, m->len - e);
		m->len -= e - s;
		return 1;
	}
	return 0;
}

/* "37 joined: alice, bob and 35 more; 12 left: carol", and a new period. */
static void
tell_gathered(void)
{
	static const char *const verb[] = { [CAME] = "joined", [WENT] = "left" };
	size_t *count = room.gathered.count, *named = room.gathered.named;
	size_t mark, body;
	char num[64];
	int side;

	timer_set(&room.gathered.timer, T_NONE, 0);
	if (!count[CAME] && !count[WENT])
		return;
	mark = line_begin();
	put_form(&io.shared, FORM_NOTICE, NULL);
	body = io.shared->len;
	for (side = CAME; side <= WENT; side++) {
		if (!count[side])
			continue;
		snprintf(num, sizeof(num), "%s%zu %s: ", io.shared->len > body ? "; " : "",
		    count[side], verb[side]);
		msg_puts(&io.shared, num);
		msg_put(&io.shared, room.gathered.names[side]->data, room.gathered.names[side]->len);
		if (count[side] > named[side]) {
			snprintf(num, sizeof(num), " and %zu more", count[side] - named[side]);
			msg_puts(&io.shared, num);
		}
		room.gathered.names[side]->len = count[side] = named[side] = 0;
	}
	msg_put(&io.shared, "\n", 1);
	deliver(NULL, NULL, 1, io.shared, mark, io.shared->len);
}

static void
gather_expired(struct timer *t)
{
	(void)t;
	tell_gathered();
}

/* A room line or an action (/me) from p, to everyone else; one who is away is back. */
static void
say(struct peer *p, enum form f, const char *text, size_t n)
{
	size_t mark, body;
	int cut;

	if (p->id && p->id->away)
		away_end(p);
	p->said = io.now;
	mark = line_begin();
	put_form(&io.shared, f, p->nick);
	body = io.shared->len;
	cut = sanitize(&io.shared, text, n, LINE_MAX_BYTES);
	if (line_end(p, NULL, mark, body) && opt.backmax)
		remember(kept_line(time(NULL), io.shared->data + mark, io.shared->len - mark - 1), ident_of(p));
	if (cut)
		notice(p, "line too long, cut to %d bytes", LINE_MAX_BYTES);
}

/* A room line s[0..n), no LF, as the history keeps it: after "HH:MM ", the time t it was said. */
static struct msg *
kept_line(time_t t, const char *s, size_t n)
{
	struct msg *m = msg_new(n + 8);

	msg_puts(&m, time_text(t, 0));
	msg_put(&m, s, n);
	msg_put(&m, "\n", 1);
	m->refs = 1;	/* the backlog's own */
	return m;
}

/*
 * Keep a room line for late joiners (kept_line), as a message of its
 * own that every newcomer's queue shares, and who said it, so that one
 * who ignores them is not shown it (replay); the oldest goes first.
 */
static void
remember(struct msg *m, struct ident *by)
{
	size_t i;

	if (!room.backlog) {
		room.backlog = xmalloc(opt.backmax * sizeof(*room.backlog));
		room.backby = xmalloc(opt.backmax * sizeof(*room.backby));
	}
	if (room.nback < opt.backmax) {
		i = (room.backhead + room.nback++) % opt.backmax;
	} else {
		i = room.backhead;
		room.backhead = (room.backhead + 1) % opt.backmax;
		msg_unref(room.backlog[i]);
		if (room.backby[i])
			ident_drop(room.backby[i]);
	}
	room.backlog[i] = m;
	if ((room.backby[i] = by))
		by->refs++;	/* as an /r does: the name it had, and whom it ignores */
}

/*
 * The kept lines, between two notices so scripts can tell them apart.
 * They are the backlog's own messages, and they do not count against
 * the newcomer's queue: however long the history, it is never what
 * makes a newcomer hold the room or be dropped.
 */
static void
replay(struct peer *p)
{
	struct msg *m;
	size_t i;

	if (!room.nback)
		return;
	notice(p, NOTICE_HISTORY);
	p->flags |= F_REPLAY;
	for (i = 0; i < room.nback; i++) {
		m = room.backlog[(room.backhead + i) % opt.backmax];
		if (!ignores(p, room.backby[(room.backhead + i) % opt.backmax]))
			outq_push(p, m, 0, m->len);
	}
	p->flags &= ~F_REPLAY;
	notice(p, NOTICE_HISTORY_END);
}

/* ---- the room: what a line means, and the commands ---------------- */

static const struct command commands[] = {
	{ "nick", cmd_nick, 1, C_FIRST, "NAME", "change your nickname" },
	{ "msg", cmd_msg, 2, 0, "NAME TEXT", "send TEXT to NAME only" },
	{ "me", cmd_me, 1, C_ACTION, "TEXT", "an action: * you TEXT" },
	{ "who", cmd_who, 0, 0, "[PREFIX]", "list who is here, or whose names start with PREFIX" },
	{ "quiet", cmd_quiet, 0, 0, "", "hide joins, leaves and renames, or show them again" },
	{ "r", cmd_reply, 1, 0, "TEXT", "reply to whoever last sent you a /msg" },
	{ "away", cmd_away, 0, 0, "[TEXT]", "mark yourself away; /back or your next line ends it" },
	{ "back", cmd_back, 0, 0, "", "you are back" },
	{ "topic", cmd_topic, 0, 0, "[TEXT | -]", "show the topic, set it, or clear it" },
	{ "ignore", cmd_ignore, 0, 0, "[NAME]", "hide NAME's lines and messages; alone: whom you ignore" },
	{ "unignore", cmd_unignore, 1, 0, "NAME", "see NAME's lines again" },
	{ "quit", cmd_quit, 0, C_LEAVES, "[REASON]", "leave the room" },
	{ "kick", cmd_kick, 1, C_HOST, "NAME [REASON]", "the host only: put NAME out of the room" },
	{ "ban", cmd_ban, 1, C_HOST, "NAME [MINUTES] [REASON]", "the host only: kick NAME, keep out (60 min)" },
	{ "unban", cmd_unban, 1, C_HOST, "ADDR|NAME", "the host only: lift the bans on ADDR, or given to NAME" },
	{ "bans", cmd_bans, 0, C_HOST, "", "the host only: list the bans" },
	{ "help", cmd_help, 0, C_FIRST, "", "this list" },
	{ "pass", cmd_pass, 0, C_FIRST | C_BEFORE, "PASSWORD", "the room's password, as the first line" },
	{ "session", cmd_session, 1, C_FIRST | C_BEFORE, "KEY", "before /nick; a reconnection with KEY keeps your name" },
};

/*
 * The one place that decides what a line from a peer means: in a room
 * with a password the first line must give it; "/x" is a command, "//x"
 * is the text "/x", and anything else is said to the room.
 */
static void
hear(struct peer *p, const char *s, size_t n)
{
	const struct command *c;
	size_t a;

	if (!(p->flags & F_AUTHED)) {
		check_password(p, s, n);
		return;
	}
	if (s[0] != '/' || (n > 1 && s[1] == '/') || (p->flags & F_TEXT)) {
		if (p->state == JOINING)
			join(p, NULL, 0);
		if (p->state != JOINED)
			return;	/* turned away: the room is full */
		if (s[0] == '/' && !(p->flags & F_TEXT))
			s++, n--;
		say(p, FORM_SAY, s, n);
		return;
	}
	run_flush();	/* a command may change who hears the room */
	while (n > 1 && s[n - 1] == ' ')
		n--;
	if ((c = find_command(s, n, &a))) {
		run_command(p, c, s + a, n - a);
		return;
	}
	if (p->state == JOINING)
		join(p, NULL, 0);
	if (p->state == CLOSING)
		return;
	notice_text(p, "unknown command ", s, split_word(s, n, &a), " (try /help)");
}

/* The command a line "/name ..." names, and where its argument starts. */
static const struct command *
find_command(const char *s, size_t n, size_t *arg)
{
	size_t i, w;

	if (n < 2 || s[0] != '/' || s[1] == '/')
		return NULL;
	w = split_word(s + 1, n - 1, arg);
	*arg += 1;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strlen(commands[i].name) == w &&
		    !strncasecmp(commands[i].name, s + 1, w))
			return &commands[i];
	return NULL;
}

/*
 * The rules of the command table, enforced here so no command checks
 * them itself: a newcomer's first command joins it unless it is one
 * that may come first; some are the host's alone; some mean something
 * only before joining, and a member (the host too) is told so; a
 * member's command gets the words it needs, or a usage notice.
 */
static void
run_command(struct peer *p, const struct command *c, const char *arg, size_t n)
{
	size_t rest;

	if (p->state == JOINING && !(c->flags & C_FIRST))
		join(p, NULL, 0);
	if (p->state == CLOSING)
		return;	/* turned away: the room is full */
	if ((c->flags & C_HOST) && !(p->role->flags & R_HOST)) {
		notice(p, "only the host can /%s", c->name);
		return;
	}
	if ((c->flags & C_BEFORE) && p->state == JOINED) {
		notice(p, "/%s applies only before joining: %s", c->name, c->help);
		return;
	}
	/* before joining, the command itself says what a bare one means */
	if (p->state == JOINED && ((c->words >= 1 && !n) ||
	    (c->words >= 2 && (!split_word(arg, n, &rest) || rest == n)))) {
		notice(p, "usage: /%s %s", c->name, c->args);
		return;
	}
	c->run(p, arg, n);
}

/* In a room with a password, a peer's first line must be "/pass SECRET". */
static void
check_password(struct peer *p, const char *s, size_t n)
{
	const size_t pl = sizeof(CMD_PASS) - 1;

	if (n < pl || strncasecmp(s, CMD_PASS, pl) ||
	    secret_differs(s + pl, n - pl, opt.password, strlen(opt.password))) {
		if (p->src)
		if (p->src)
			source_pause(p->src);
		turn_away(p, REFUSE_PASSWORD);
		return;
	}
	p->flags |= F_AUTHED;
	source_done(p);
	timer_set(&p->timer, T_JOIN, io.now + JOIN_MS);
}

/*
 * Is s[0..n) other than the secret key[0..len)? Told in the same time
 * wherever the first difference is, so the time tells nothing of it.
 */
static int
secret_differs(const char *s, size_t n, const char *key, size_t len)
{
	unsigned char diff = n != len;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)(s[i] ^ key[len ? i % len : 0]);
	return diff != 0;
}

static void
auth_expired(struct timer *t)
{
	turn_away(timer_peer(t), REFUSE_TIMEOUT);
}

/* A peer that said nothing for JOIN_MS joins as guestN. */
static void
join_expired(struct timer *t)
{
	join(timer_peer(t), NULL, 0);
}

/* /nick as the first line names a newcomer; later it renames. */
static void
cmd_nick(struct peer *p, const char *arg, size_t n)
{
	struct peer *q;
	char old[NICK_MAX + 1];
	size_t mark;

	if (p->state == JOINING) {
		join(p, arg, n);
		return;
	}
	if (!nick_ok(arg, n)) {
		notice(p, "invalid nickname: " NICK_RULE, NICK_MAX);
		return;
	}
	if ((q = find_member(arg, n)) && q != p) {
		notice(p, "nickname %.*s is taken", (int)n, arg);
		return;
	}
	if (strlen(p->nick) == n && !memcmp(p->nick, arg, n))
		return;
	memcpy(old, p->nick, sizeof(old));
	nick_remove(p);
	sort_out(p);
	memcpy(p->nick, arg, n);
	p->nick[n] = '\0';
	nick_add(p);
	sort_in(p);
	tell_gathered();	/* the order of what happened is kept */
	mark = notice_room(p, 1, "%s is now %s", old, p->nick);
	if (p->id && p->id->quiet)	/* not news to p */
		deliver(NULL, p, 0, io.shared, mark, io.shared->len);
}

/* A private line: "*alice* TEXT" for bob, "-> *bob* TEXT" for alice. */
static void
cmd_msg(struct peer *p, const char *arg, size_t n)
{
	struct msg *to, *back;
	struct peer *q;
	size_t w, t, body;

	w = split_word(arg, n, &t);
	if (!(q = find_member(arg, w))) {
		notice_text(p, "no such nick: ", arg, w, "");
		return;
	}
	to = msg_new(n + 48);
	put_form(&to, FORM_PRIVATE, p->nick);
	body = to->len;
	sanitize(&to, arg + t, n - t, LINE_MAX_BYTES);
	if (to->len == body) {
		free(to);
		return;
	}
	msg_puts(&to, "\n");
	back = msg_new(to->len - body + 48);
	put_form(&back, FORM_SENT, q->nick);
	msg_put(&back, to->data + body, to->len - body);
	ident_of(p);
	if (q->reply != p->id) {
		if (q->reply)
			ident_drop(q->reply);
		q->reply = p->id;
		p->id->refs++;
	}
	deliver(p, q, 0, to, 0, to->len);
	if (!to->refs)
		free(to);
	send_to(p, back);
	tell_away(p, q);
}

/* /r TEXT is /msg to whoever last sent us one, under the name they have now. */
static void
cmd_reply(struct peer *p, const char *arg, size_t n)
{
	struct peer *q = p->reply ? p->reply->p : NULL;
	struct msg *m;
	size_t w;

	if (!p->reply) {
		notice(p, "nobody has sent you a private message yet");
		return;
	}
	if (!q || q->state != JOINED || (q->flags & F_DEAD)) {
		notice(p, "%s has left", q ? q->nick : p->reply->nick);
		return;
	}
	w = strlen(q->nick);
	m = msg_new(w + 1 + n);
	msg_put(&m, q->nick, w);
	msg_put(&m, " ", 1);
	msg_put(&m, arg, n);
	cmd_msg(p, m->data, m->len);
	free(m);
}

static void
cmd_me(struct peer *p, const char *arg, size_t n)
{
	say(p, FORM_ACTION, arg, n);
}

static void
cmd_who(struct peer *p, const char *arg, size_t n)
{
	struct msg *m = msg_new(128), *away = msg_new(64);
	size_t rest, w = split_word(arg, n, &rest);

	put_form(&m, FORM_NOTICE, NULL);
	if (w) {
		who_starts(&m, arg, w);
	} else {
		msg_puts(&m, "here: ");
		put_members(&m, &away, p);
	}
	msg_puts(&m, "\n");
	send_to(p, m);
	if (away->len)
		send_to(p, away);
	else
		free(away);
}

/*
 * "3 here start with al: alice, Alan, albert", names up to LIST_MAX,
 * then "and N more": found in room.sorted, at a cost that does not
 * grow with the room.
 */
static void
who_starts(struct msg **mp, const char *prefix, size_t n)
{
	size_t i = sorted_at(prefix, n, 0), end = sorted_at(prefix, n, 1), start;
	char num[48];

	if (i == end) {
		msg_puts(mp, "nobody here starts with ");
		sanitize(mp, prefix, n, NICK_MAX);
		return;
	}
	snprintf(num, sizeof(num), "%zu here start with ", end - i);
	msg_puts(mp, num);
	sanitize(mp, prefix, n, NICK_MAX);
	msg_puts(mp, ": ");
	for (start = (*mp)->len; i < end && (*mp)->len - start <= LIST_MAX; i++) {
		if ((*mp)->len > start)
			msg_put(mp, ", ", 2);
		msg_puts(mp, room.sorted[i]->nick);
	}
	if (i < end) {
		snprintf(num, sizeof(num), " and %zu more", end - i);
		msg_puts(mp, num);
	}
}

/* /quiet: who joins, leaves and is renamed is not told to p, or is again. */
static void
cmd_quiet(struct peer *p, const char *arg, size_t n)
{
	struct ident *id = ident_of(p);

	(void)arg, (void)n;
	id->quiet = !id->quiet;
	notice(p, id->quiet ? "quiet: joins, leaves and renames are not shown; /quiet shows them again" :
	    "joins, leaves and renames are shown again");
}

/* The host puts a peer out; the peer is told why, the room too. */
static void
cmd_kick(struct peer *p, const char *arg, size_t n)
{
	struct peer *q;
	size_t r;

	if ((q = target(p, arg, n, &r, "kicked")))
		put_out(q, REFUSE_KICK, arg + r, n - r);
}

/*
 * The member the first word of a host's command names, and where the
 * rest starts; or NULL, and the host is told why: there is none, or it
 * is the host, which cannot be done that (kicked, banned).
 */
static struct peer *
target(struct peer *p, const char *arg, size_t n, size_t *rest, const char *done)
{
	struct peer *q;
	size_t w = split_word(arg, n, rest);

	if (!(q = find_member(arg, w))) {
		notice_text(p, "no such nick: ", arg, w, "");
		return NULL;
	}
	if (q->role->flags & R_HOST) {
		notice(p, "the host cannot be %s: /quit closes the room", done);
		return NULL;
	}
	return q;
}

/* q is put out: told the refusal and the host's reason if any, the room too. */
static void
put_out(struct peer *q, const char *why, const char *reason, size_t n)
{
	notice_why(q, why, reason, n);
	leave(q, P_KICKED, reason, n);
}

/*
 * /ban NAME [MINUTES] [REASON]: NAME is put out as by /kick, and its
 * address and /session key are kept out for MINUTES (ban_of says
 * which), in the bounded table of bans; a full table is said, not
 * made room in.
 */
static void
cmd_ban(struct peer *p, const char *arg, size_t n)
{
	struct peer *q;
	struct ban *b;
	size_t r, w, next;
	long long ms = BAN_MINUTES * 60000LL, t;
	const char *why;

	if (!(q = target(p, arg, n, &r, "banned")))
		return;
	w = split_word(arg + r, n - r, &next);
	if (w && (t = minutes_ms(arg + r, w)) >= 0)
		ms = t, r += next;
	if (ms <= 0 || ms > BAN_MINUTES_MAX * 60000LL) {
		notice(p, "a ban lasts more than 0 and at most %d minutes", BAN_MINUTES_MAX);
		return;
	}
	if (!(b = ban_new())) {
		notice(p, "%d bans already, the most there can be: /unban one first", BANS_MAX);
		return;
	}
	if ((why = ban_of(b, q))) {
		notice(p, "%s %s: not banned; /kick puts them out", q->nick, why);
		return;
	}
	b->until = io.now + ms;
	b->reasonlen = n - r <= BAN_REASON_MAX ? n - r :
	    utf8_cut(arg + r, BAN_REASON_MAX, arg[r + BAN_REASON_MAX]);
	memcpy(b->reason, arg + r, b->reasonlen);
	room.nbans++;
	tell_ban(p, "banned ", b, 1);
	if (!b->addrlen)
		notice(p, "%s's address is not banned: the host's own or the Unix-domain"
		    " socket's, it is everyone's who comes through this machine", q->nick);
	put_out(q, REFUSE_BANNED, arg + r, n - r);
	if (b->addrlen)
		ban_waiting(b->addr, b->addrlen);
}

/* The connections from a banned address that wait for the password go too. */
static void
ban_waiting(const unsigned char *a, size_t n)
{
	struct source *s;
	struct peer *p;
	unsigned i;

	for (s = *source_bucket(a, n); s; s = s->next) {
		if (s->keylen != n || memcmp(s->key, a, n))
			continue;
		for (i = s->nwait; i > 0; i--) {	/* the last one done may free s */
			p = s->wait[i - 1];
			source_done(p);
			turn_away(p, REFUSE_BANNED);
		}
		return;
	}
}

/* /unban ADDR|NAME: the bans on that address, or given to that name, end now. */
static void
cmd_unban(struct peer *p, const char *arg, size_t n)
{
	unsigned char a[8];
	size_t i, rest, w = split_word(arg, n, &rest), an = address_parse(arg, w, a);
	struct ban *b;
	int lifted = 0;

	bans_expire();
	for (i = 0; i < room.nbans; i++) {
		b = &room.bans[i];
		if ((an && b->addrlen == an && !memcmp(b->addr, a, an)) ||
		    same_name(arg, w, b->nick)) {
			tell_ban(p, "unbanned ", b, 0);
			b->until = 0;
			lifted = 1;
		}
	}
	bans_expire();
	if (!lifted)
		notice_text(p, "no ban on ", arg, w, "");
}

/* /bans: each ban, what it keeps out, the minutes left and why. */
static void
cmd_bans(struct peer *p, const char *arg, size_t n)
{
	size_t i;

	(void)arg, (void)n;
	bans_expire();
	if (!room.nbans)
		notice(p, "nobody is banned");
	for (i = 0; i < room.nbans; i++)
		tell_ban(p, "ban on ", &room.bans[i], 1);
}

/*
 * One ban, as the host is told it: "BEFORE NAME: ADDR and session key",
 * ADDR the IPv4 address or the IPv6 /64, then if left ", N min left
 * (REASON)".
 */
static void
tell_ban(struct peer *p, const char *before, const struct ban *b, int left)
{
	struct msg *m = msg_new(256);
	char text[ADDR_TEXT + 64];

	put_form(&m, FORM_NOTICE, NULL);
	msg_puts(&m, before);
	msg_puts(&m, b->nick);
	msg_puts(&m, ": ");
	address_text(b->addr, b->addrlen, text);
	msg_puts(&m, text);
	msg_puts(&m, b->addrlen && b->keylen ? " and " : "");
	msg_puts(&m, b->keylen ? "session key" : "");
	snprintf(text, sizeof(text), ", %lld min left",
	    b->until > io.now ? (b->until - io.now + 59999) / 60000 : 0);
	msg_puts(&m, left ? text : "");
	if (left && b->reasonlen) {
		msg_puts(&m, " (");
		sanitize(&m, b->reason, b->reasonlen, BAN_REASON_MAX);
		msg_puts(&m, ")");
	}
	msg_puts(&m, "\n");
	send_to(p, m);
}

/*
 * MINUTES, as /ban takes them, in ms: digits, with maybe a fraction
 * ("0.5" is 30 seconds); -1 if it is no such number.
 */
static long long
minutes_ms(const char *s, size_t n)
{
	long long ms = 0, unit = 60000;
	size_t i;
	int dot = 0;

	if (!n || n > 12 || s[0] == '.' || s[n - 1] == '.')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && !dot)
			dot = 1;
		else if (s[i] < '0' || s[i] > '9')
			return -1;
		else if (dot)
			unit /= 10, ms += (s[i] - '0') * unit;
		else
			ms = ms * 10 + (s[i] - '0') * 60000;
	}
	return ms;
}

/* A peer leaves; the host leaving closes the room: the role knows which. */
static void
cmd_quit(struct peer *p, const char *arg, size_t n)
{
	p->role->on_quit(p, arg, n);
}

/* The password was checked before the peer got this far. */
static void
cmd_pass(struct peer *p, const char *arg, size_t n)
{
	(void)p, (void)arg, (void)n;
}

static void
cmd_help(struct peer *p, const char *arg, size_t n)
{
	struct msg *m = msg_new(1024);
	size_t i;

	(void)arg, (void)n;
	put_form(&m, FORM_NOTICE, NULL);
	msg_puts(&m, "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if ((commands[i].flags & C_BEFORE) && p->state == JOINED)
			continue;	/* they would only be refused */
		put_form(&m, FORM_NOTICE, NULL);
		put_help(&m, &commands[i]);
	}
	put_form(&m, FORM_NOTICE, NULL);
	put_help(&m, NULL);
	send_to(p, m);
}

/* One line of help: a command and its arguments, then what it does. */
static void
put_help(struct msg **mp, const struct command *c)
{
	char line[128];
	int n;

	if (c)
		n = snprintf(line, sizeof(line), "/%s %s", c->name, c->args);
	else
		n = snprintf(line, sizeof(line), "//TEXT");
	msg_puts(mp, line);
	do
		msg_put(mp, " ", 1);
	while (++n < HELP_COLUMN);
	msg_puts(mp, c ? c->help : "say a line that starts with /");
	msg_puts(mp, "\n");
}

/* ---- the room: people (/session, /away, /ignore) and the topic ---- */

/* Who p is, made the first time it is needed. */
static struct ident *
ident_of(struct peer *p)
{
	if (!p->id) {
		p->id = xmalloc(sizeof(*p->id));
		memset(p->id, 0, sizeof(*p->id));
		p->id->refs = 1;	/* its own */
		p->id->p = p;
	}
	return p->id;
}

static void
ident_drop(struct ident *id)
{
	if (--id->refs)
		return;
	ident_forget(id);
	free(id->ignores);
	free(id->told);
	free(id);
}

/*
 * A person leaves the room: whom it ignored, who ignored it and who it
 * was away for end with it, so that whoever comes next with the name is
 * someone else; only its name stays, for an /r that still points to it.
 */
static void
ident_forget(struct ident *id)
{
	struct peer *q;
	size_t i, slot = SLOT_STDIN;

	while (id->nignores)
		unignore_at(id, id->nignores - 1);
	while (id->ignorers && (q = next_member(&slot))) {
		for (i = 0; q->id && i < q->id->nignores; i++) {
			if (q->id->ignores[i] != id)
				continue;
			/* as unignore_at, but the last ref is not theirs: its peer's or its caller's is */
			q->id->ignores[i] = q->id->ignores[--q->id->nignores];
			id->ignorers--;
			id->refs--;
		}
	}
	away_clear(id);
	id->keylen = 0;
	if (room.topic_by == id)
		room.topic_by = NULL;	/* nobody ignores who is gone */
}

/* Does p ignore the person id? */
static int
ignores(const struct peer *p, const struct ident *id)
{
	size_t i;

	if (!id || !id->ignorers || !p->id)
		return 0;
	for (i = 0; i < p->id->nignores; i++)
		if (p->id->ignores[i] == id)
			return 1;
	return 0;
}

/*
 * "/session KEY" before /nick: if the connection drops, a new one that
 * gives the same KEY and asks for the same name takes it back at once,
 * however long the old one takes to be found dead. The chat client
 * makes a random one; an nc user may give one too.
 */
static void
cmd_session(struct peer *p, const char *arg, size_t n)
{
	struct ident *id;
	size_t rest;

	if (n < SESSION_MIN || n > SESSION_MAX || split_word(arg, n, &rest) != n) {
		notice(p, "a /session key is one word of %d to %d bytes",
		    SESSION_MIN, SESSION_MAX);
		return;
	}
	id = ident_of(p);
	memcpy(id->key, arg, n);
	id->keylen = n;
	if (banned(NULL, id))
		turn_away(p, REFUSE_BANNED);
}

/* /away [TEXT]: said to whoever sends a /msg, once each, and shown in /who. */
static void
cmd_away(struct peer *p, const char *arg, size_t n)
{
	struct ident *id = ident_of(p);
	struct msg *m;

	int cut;

	away_clear(id);
	m = msg_new(n + 1);
	cut = sanitize(&m, arg, n, AWAY_MAX);
	id->away = m;
	if (m->len)
		notice_text(p, "you are away: ", m->data, m->len, " (/back ends it)");
	else
		notice(p, "you are away (/back ends it)");
	if (cut)
		notice(p, "away reason cut to %d bytes", AWAY_MAX);
}

static void
cmd_back(struct peer *p, const char *arg, size_t n)
{
	(void)arg, (void)n;
	if (p->id && p->id->away)
		away_end(p);
	else
		notice(p, "you are not away");
}

static void
away_end(struct peer *p)
{
	away_clear(p->id);
	notice(p, "you are back");
}

static void
away_clear(struct ident *id)
{
	while (id->ntold)
		ident_drop(id->told[--id->ntold]);
	free(id->away);
	id->away = NULL;
}

/*
 * p sent q a /msg: if q is away, p is told why, the first time. Past
 * TOLD_MAX senders it is told each time rather than remembered.
 */
static void
tell_away(struct peer *p, struct peer *q)
{
	struct ident *id = q->id;
	struct msg *m;
	size_t i;

	if (!id || !id->away)
		return;
	for (i = 0; i < id->ntold; i++)
		if (id->told[i] == p->id)
			return;
	if (id->ntold < TOLD_MAX) {
		if (!id->told)
			id->told = xmalloc(TOLD_MAX * sizeof(*id->told));
		id->told[id->ntold++] = p->id;
		p->id->refs++;
	}
	m = msg_new(NICK_MAX + AWAY_MAX + 32);
	put_away(&m, q, !ignores(p, id));
	send_to(p, m);
}

/* "*** NAME is away: REASON", or without a reason (or why) "*** NAME is away". */
static void
put_away(struct msg **mp, struct peer *q, int why)
{
	put_form(mp, FORM_NOTICE, NULL);
	msg_puts(mp, q->nick);
	msg_puts(mp, " is away");
	if (why && q->id->away->len) {
		msg_puts(mp, ": ");
		msg_put(mp, q->id->away->data, q->id->away->len);
	}
	msg_puts(mp, "\n");
}

/*
 * /ignore NAME: the host sends p none of NAME's room lines, actions or
 * private messages, whatever NAME is called later; /ignore alone lists
 * them. It ends when either leaves the room.
 */
static void
cmd_ignore(struct peer *p, const char *arg, size_t n)
{
	struct ident *id = ident_of(p);
	struct peer *q;
	size_t w, r;

	if (!n) {
		list_ignores(p);
		return;
	}
	w = split_word(arg, n, &r);
	if (!(q = find_member(arg, w))) {
		notice_text(p, "no such nick: ", arg, w, "");
	} else if (q == p) {
		notice(p, "you cannot ignore yourself");
	} else if (ignores(p, q->id)) {
		notice(p, "you already ignore %s", q->nick);
	} else if (id->nignores == IGNORE_MAX) {
		notice(p, "you ignore %d people already: /unignore one first", IGNORE_MAX);
	} else {
		if (!id->ignores)
			id->ignores = xmalloc(IGNORE_MAX * sizeof(*id->ignores));
		id->ignores[id->nignores++] = ident_of(q);
		q->id->refs++;
		q->id->ignorers++;
		notice(p, "you ignore %s now: /unignore %s ends it", q->nick, q->nick);
	}
}

static void
cmd_unignore(struct peer *p, const char *arg, size_t n)
{
	struct ident *id = ident_of(p), *who;
	size_t i, w, r;

	w = split_word(arg, n, &r);
	for (i = 0; i < id->nignores; i++) {
		who = id->ignores[i];
		if (same_name(arg, w, who->p->nick)) {
			notice(p, "you no longer ignore %s", who->p->nick);
			unignore_at(id, i);
			return;
		}
	}
	notice_text(p, "you do not ignore ", arg, w, "");
}

/* The i-th of those id ignores is no longer ignored; the last takes its place. */
static void
unignore_at(struct ident *id, size_t i)
{
	struct ident *who = id->ignores[i];

	id->ignores[i] = id->ignores[--id->nignores];
	who->ignorers--;
	ident_drop(who);
}

/* "you ignore: a, b", by the names they have now. */
static void
list_ignores(struct peer *p)
{
	struct msg *m = msg_new(64);
	size_t i;

	put_form(&m, FORM_NOTICE, NULL);
	msg_puts(&m, p->id->nignores ? "you ignore: " : "you ignore nobody");
	for (i = 0; i < p->id->nignores; i++) {
		if (i)
			msg_puts(&m, ", ");
		msg_puts(&m, p->id->ignores[i]->p->nick);
	}
	msg_puts(&m, "\n");
	send_to(p, m);
}

/*
 * /topic alone shows the topic; /topic TEXT sets it and /topic - clears
 * it, for everyone to see, unless -T keeps that to the host.
 */
static void
cmd_topic(struct peer *p, const char *arg, size_t n)
{
	char head[NICK_MAX + 32];
	struct msg *m;
	size_t mark;
	int cut;

	if (!n) {
		tell_topic(p);
		return;
	}
	if (opt.topiclock && !(p->role->flags & R_HOST)) {
		notice(p, "only the host can set the topic here");
		return;
	}
	m = msg_new(n + 1);
	cut = sanitize(&m, arg, n, TOPIC_MAX);
	free(room.topic);
	room.topic = NULL;
	room.topic_by = NULL;
	if (m->len == 1 && m->data[0] == '-') {
		free(m);
		notice_room(NULL, 0, "%s cleared the topic", p->nick);
	} else {
		room.topic = m;
		room.topic_by = ident_of(p);
		snprintf(head, sizeof(head), "%s set the topic: ", p->nick);
		mark = line_begin();
		put_quoted(&io.shared, head, m->data, m->len, "");
		notice_by(p, 0, mark, TOPIC_HIDDEN);
	}
	roomlog.since = 0;	/* the log has just said what the topic is */
	if (cut)
		notice(p, "topic cut to %d bytes", TOPIC_MAX);
}

/* The topic as p may see it: not its words if p ignores who set it. */
static void
tell_topic(struct peer *p)
{
	if (!room.topic)
		notice(p, "no topic is set");
	else if (ignores(p, room.topic_by))
		notice(p, TOPIC_HIDDEN);
	else
		notice_text(p, "topic: ", room.topic->data, room.topic->len, "");
}

/* ---- the room's log (-L) ------------------------------------------ */

/*
 * Open the log to append the room's lines to, made 0600 if new, or end
 * the host with the reason; then read its end back. chat never
 * truncates it, and never follows a symbolic link on the way to it
 * that neither we nor root own (log_links): another's link could point
 * us at a file of ours. A path that is not a link, or not there, is
 * opened so that a link put there meanwhile is not followed either
 * (O_NOFOLLOW, O_EXCL).
 */
static void
log_open(const char *path)
{
	struct stat st;
	int flags = O_RDWR | O_APPEND | O_CREAT | O_NOCTTY;

	log_links(path);
	if (lstat(path, &st) < 0)
		flags |= errno == ENOENT ? O_EXCL : 0;
	else if (!S_ISLNK(st.st_mode))
		flags |= O_NOFOLLOW;
	if ((roomlog.fd = open(path, flags, 0600)) < 0)
		die("%s:", path);
	own_fd(roomlog.fd);	/* a FIFO that is not read fails a write, not the room */
	signal(SIGXFSZ, SIG_IGN);	/* past the file size limit: EFBIG, a failed write */
	roomlog.path = path;
	roomlog.held = msg_new(SHARED_MAX);
	log_read();
}

/*
 * The host ends if the path to the log goes through a symbolic link,
 * a directory's or the file's own, that neither we nor root own.
 */
static void
log_links(const char *path)
{
	char *p = xmalloc(strlen(path) + 1), *e;
	struct stat st;

	strcpy(p, path);
	for (e = strchr(p + 1, '/');; e = strchr(e + 1, '/')) {
		if (e)
			*e = '\0';	/* p is the path as far as this component */
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode) &&
		    st.st_uid != geteuid() && st.st_uid != 0)
			die("%s: a symbolic link owned by another user; not followed", p);
		if (!e)
			break;
		*e = '/';
	}
	free(p);
}

/*
 * The end of the log, read back a chunk at a time from the end: its
 * last -b messages and actions are the history again, with the times
 * they were said, and its last topic line the topic. A last line cut
 * short (a full disk) is skipped, and ended, so the next line is not
 * glued to it. Only a regular file is read back.
 */
static void
log_read(void)
{
	struct stat st;
	char *buf, last = '\n';
	size_t k, tail = 0;
	off_t pos;

	if (fstat(roomlog.fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	roomlog.regular = 1;
	roomlog.end = pos = st.st_size;
	roomlog.found = xmalloc((opt.backmax + 1) * sizeof(*roomlog.found));
	buf = xmalloc(LOG_CHUNK + LOG_LINE_MAX);
	if (pos && pread(roomlog.fd, &last, 1, pos - 1) == 1 && last != '\n') {
		roomlog.bad++, roomlog.skip = 1;
		msg_put(&roomlog.held, "\n", 1);
	}
	while (pos > 0 && !log_enough(st.st_size - pos)) {
		k = pos < LOG_CHUNK ? (size_t)pos : LOG_CHUNK;
		pos -= k;
		if (pread(roomlog.fd, buf + LOG_CHUNK - k, k, pos) != (ssize_t)k) {
			warnx("%s: reading back:", roomlog.path);
			break;
		}
		log_scan(buf + LOG_CHUNK - k, k + tail, pos, &tail);
	}
	free(buf);
	while (roomlog.nfound)
		remember(roomlog.found[--roomlog.nfound], NULL);
	free(roomlog.found);
	if (roomlog.bad)
		warnx("%s: %zu lines skipped: not UTF-8, longer than a host line or "
		    "without a time", roomlog.path, roomlog.bad);
}

/* Whether scanned bytes from the end were enough: the history is full, and the topic known. */
static int
log_enough(off_t scanned)
{
	return (roomlog.nfound >= opt.backmax || scanned >= LOG_REACH) &&
	    (roomlog.topic_known || scanned >= LOG_RESTATE + 2 * LOG_LINE_MAX);
}

/*
 * The lines of s[0..n), which starts at offset at in the file, from
 * the last: each after an LF is whole. What comes before the first LF
 * is the end of a line that began further back, unless this is the
 * file's start: those bytes are moved to the end of the buffer (s + n
 * less the old *tail) and are the new *tail, for the next chunk to be
 * read in front of them; if they are too many for a line already, the
 * line is skipped.
 */
static void
log_scan(char *s, size_t n, off_t at, size_t *tail)
{
	size_t i, e = n;

	for (i = n; i > 0; i--) {
		if (s[i - 1] == '\n') {
			log_seen(s + i, e - i, at + (off_t)i);
			e = i - 1;
		}
	}
	if (!at) {
		log_seen(s, e, 0);
	} else if (e > LOG_LINE_MAX) {
		roomlog.bad += !roomlog.skip;
		roomlog.skip = 1;
		*tail = 0;
	} else {
		memmove(s + n - *tail, s, e);
		*tail = e;
	}
}

/*
 * One line of the log read back, at offset at: a message or an action
 * is history while -b wants more, and the first topic line found, the
 * last written, is the topic. A line chat would not have written is
 * skipped and counted, and so is the rest of one too long or cut.
 */
static void
log_seen(const char *s, size_t n, off_t at)
{
	const size_t ml = sizeof(MARK_NOTICE) - 1;
	size_t nick, len;
	enum form f;
	time_t t;

	if (roomlog.skip) {
		roomlog.skip = 0;
		return;
	}
	if (!n)
		return;
	if (n > LOG_LINE_MAX || (t = log_time(s, n)) == (time_t)-1 ||
	    !clean_text(s + LOG_STAMP_LEN, n - LOG_STAMP_LEN)) {
		roomlog.bad++;
		return;
	}
	s += LOG_STAMP_LEN, n -= LOG_STAMP_LEN;
	f = parse_form(s, n, &nick, &len);
	if ((f == FORM_SAY || f == FORM_ACTION) && roomlog.nfound < opt.backmax) {
		roomlog.found[roomlog.nfound++] = kept_line(t, s, n);
	} else if (f == FORM_NOTICE && !roomlog.topic_known && log_topic(s + ml, n - ml)) {
		roomlog.topic_known = 1;
		roomlog.since = (size_t)(roomlog.end - at);
	}
}

/*
 * Whether the notice s[0..n), after its mark, is a topic line as only
 * cmd_topic and log_restate write them, "NAME set the topic: TEXT",
 * "NAME cleared the topic" or "topic: TEXT"; if so it is the topic
 * now. NAME must be a valid name, one word, so no reason or name in a
 * notice of another kind can make it read as one, and a peer's own
 * lines start with its stamp, never with the notice's mark.
 */
static int
log_topic(const char *s, size_t n)
{
	static const char set[] = " set the topic: ", clear[] = " cleared the topic",
	    again[] = "topic: ";
	const char *sp = memchr(s, ' ', n), *text;
	size_t w = sp ? (size_t)(sp - s) : n;

	if (n >= sizeof(again) - 1 && !memcmp(s, again, sizeof(again) - 1))
		text = s + sizeof(again) - 1;
	else if (!sp || !nick_ok(s, w))
		return 0;
	else if (n - w == sizeof(clear) - 1 && !memcmp(sp, clear, sizeof(clear) - 1))
		text = NULL;
	else if (n - w >= sizeof(set) - 1 && !memcmp(sp, set, sizeof(set) - 1))
		text = sp + sizeof(set) - 1;
	else
		return 0;
	free(room.topic);
	room.topic = NULL;
	if (text) {
		room.topic = msg_new((size_t)(s + n - text) + 1);
		sanitize(&room.topic, text, (size_t)(s + n - text), TOPIC_MAX);
	}
	return 1;
}

/* The time of a log line's stamp in seconds since the epoch, as timegm would give it; -1 for none. */
static time_t
log_time(const char *s, size_t n)
{
	static const char form[] = "0000-00-00T00:00:00Z ";
	long y, mo, d, h, mi, sec, days;
	size_t i;

	if (n < LOG_STAMP_LEN)
		return (time_t)-1;
	for (i = 0; i < LOG_STAMP_LEN; i++)
		if (form[i] == '0' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
			return (time_t)-1;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return (time_t)-1;
	/* days since 1970-01-01, the year counted from March so the leap day comes last */
	y -= mo <= 2;
	days = 365 * y + y / 4 - y / 100 + y / 400 +
	    (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1 - 719468;
	return (time_t)days * 86400 + h * 3600 + mi * 60 + sec;
}

/* The number n decimal digits at s spell. */
static long
digits(const char *s, size_t n)
{
	long v = 0;

	while (n--)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Whether s[0..n) is text as sanitize leaves it: valid UTF-8 without a control character. */
static int
clean_text(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	size_t i, k;

	for (i = 0; i < n; i += k)
		if (!(k = utf8_len(u + i, n - i, &c)) || c < 0x20 ||
		    (c >= 0x7f && c <= 0x9f) || bidi_control(c))
			return 0;
	return 1;
}

/* Room lines s[0..n), whole, to be logged at the end of the turn, each after its stamp. */
static void
log_lines(const char *s, size_t n)
{
	const char *e;
	size_t k;

	for (; n; s += k, n -= k) {
		e = memchr(s, '\n', n);
		k = e ? (size_t)(e - s) + 1 : n;
		log_put(s, k);
	}
}

/*
 * One line to log, LF included. While the topic is set the log says it
 * again every LOG_RESTATE bytes, so that reading back that much finds
 * it. While writes fail, LOG_HELD_MAX of lines wait; the rest are lost.
 */
static void
log_put(const char *s, size_t n)
{
	if (roomlog.failing && roomlog.held->len + LOG_LINE_MAX > LOG_HELD_MAX) {
		roomlog.lost++;
		return;
	}
	if (room.topic && roomlog.since + n > LOG_RESTATE)
		log_restate(&roomlog.held);
	msg_puts(&roomlog.held, time_text(time(NULL), 1));
	msg_put(&roomlog.held, s, n);
	roomlog.since += LOG_STAMP_LEN + n;
}

/* "*** topic: TEXT", the topic as a newcomer is told it, stated in the log again. */
static void
log_restate(struct msg **mp)
{
	msg_puts(mp, time_text(time(NULL), 1));
	put_quoted(mp, "topic: ", room.topic->data, room.topic->len, "");
	roomlog.since = 0;
}

/*
 * Write the lines held, in one write: at the end of every turn, and
 * before any queue is written in it (drain). A log that was truncated
 * since (logrotate's copytruncate) is told the topic first. A failed
 * write is said once and tried again each turn; a short one is
 * finished in the next.
 */
static void
log_flush(void)
{
	struct msg *h = roomlog.held;
	off_t at;
	ssize_t k;

	if (!h->len)
		return;
	if (roomlog.regular && (at = lseek(roomlog.fd, 0, SEEK_END)) >= 0) {
		if (at < roomlog.end && room.topic)
			log_truncated();
		roomlog.end = at;
	}
	h = roomlog.held;
	if ((k = write(roomlog.fd, h->data, h->len)) < 0) {
		if (errno != EINTR)
			log_failed();
		return;
	}
	roomlog.end += k;
	h->len -= (size_t)k;
	memmove(h->data, h->data + k, h->len);
	if (h->len)
		return;
	if (roomlog.failing && roomlog.lost)
		warnx("%s: written again; %zu lines were not logged", roomlog.path, roomlog.lost);
	else if (roomlog.failing)
		warnx("%s: written again, nothing lost", roomlog.path);
	roomlog.failing = 0, roomlog.lost = 0;
	if (h->cap > LOG_HELD_MAX) {	/* a huge turn's: not kept for good */
		free(h);
		roomlog.held = msg_new(SHARED_MAX);
	}
}

/* The log was truncated: the lines held go after a statement of the topic. */
static void
log_truncated(void)
{
	struct msg *m = msg_new(roomlog.held->len + TOPIC_MAX + 64);

	log_restate(&m);
	msg_put(&m, roomlog.held->data, roomlog.held->len);
	roomlog.since = roomlog.held->len;
	free(roomlog.held);
	roomlog.held = m;
}

/* A write failed: said once, until one works again; the room goes on. */
static void
log_failed(void)
{
	if (!roomlog.failing)
		warnx("%s: cannot write, the room goes on and the lines wait:", roomlog.path);
	roomlog.failing = 1;
}

/* ---- the host ----------------------------------------------------- */

/* A remote peer at the host: a member of the room, once it joins. */
static const struct role member = {
	.on_read = frame, .on_line = hear, .on_eof = member_eof,
	.on_lost = member_lost, .on_write_error = member_lost,
	.on_drained = member_drained, .on_quit = member_quit,
	.line_max = LINE_MAX_BYTES, .in = &room.gate, .out = &room.gate,
	.flags = R_WATCHED | R_ANSWERED | R_PACED,
};

/*
 * The host's own stdin and stdout: a member that cannot be put out.
 * /quit and Ctrl-C close the room; Ctrl-D, so easily typed, does not.
 * At a terminal it reads keys and draws lines; with -e it is the
 * program's pipes, and the program closing its output says no more.
 */
#define CONSOLE .on_line = hear, .on_lost = stdout_lost, \
	.on_write_error = stdout_lost, .on_ctrl_d = console_ctrl_d, \
	.on_quit = room_close, .on_exit = console_ended, \
	.line_max = LINE_MAX_BYTES, .in = &room.gate, .out = &room.gate, \
	.flags = R_HOST | R_WATCHED | R_ANSWERED | R_SKIPS
static const struct role console[] = {
	[FACE_PLAIN] = { CONSOLE, .on_read = frame, .on_eof = console_eof },
	[FACE_TERM] = { CONSOLE, .on_read = term_input, .on_eof = console_eof,
	    .show = term_show },
	[FACE_PROG] = { CONSOLE, .on_read = frame, .on_eof = program_eof },
};

/* chat -l: the host's console is the room's first member. */
static void
host_start(const char *addr, const char *port, const char *nick, long maxarg)
{
	struct peer *p = stdio_new(console);

	snprintf(p->nick, sizeof(p->nick), "%s", nick ? nick : "host");
	p->flags |= F_AUTHED;
	opt.maxpeers = peer_limit(maxarg);
	nick_add(p);
	if (opt.logpath)
		log_open(opt.logpath);
	room.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (opt.unixpath) {
		listen_unix(opt.unixpath);
		announce(NULL, 0);
	} else {
		announce(addr, listen_on(addr, port));
	}
}

/*
 * Listen on every address ADDR (or the wildcard) resolves to, IPv6
 * sockets IPv6 only, all on one port: the one the first socket got
 * when PORT is 0. Returns that port.
 */
static unsigned
listen_on(const char *addr, const char *port)
{
	struct addrinfo hints, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t len;
	char host[ADDR_TEXT], serv[16];
	int fd, e, one = 1, err = 0;
	unsigned short chosen = 0;
	size_t nlisten = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = opt.family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((e = getaddrinfo(addr, port, &hints, &res)))
		die("%s: %s", addr ? addr : "*", gai_strerror(e));
	for (ai = res; ai && nlisten < LISTEN_MAX; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (chosen && ai->ai_family == AF_INET)
			((struct sockaddr_in *)ai->ai_addr)->sin_port = chosen;
		if (chosen && ai->ai_family == AF_INET6)
			((struct sockaddr_in6 *)ai->ai_addr)->sin6_port = chosen;
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
		    listen(fd, SOMAXCONN) < 0) {
			err = errno;
			close(fd);
			continue;
		}
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
			die("getsockname:");
		chosen = ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port;
		own_fd(fd);
		slot_add(fd, POLLIN, NULL);
		nlisten++;
		if (opt.verbose && !getnameinfo((struct sockaddr *)&ss, len, host,
		    sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV))
			warnx("listening on %s port %s", host, serv);
	}
	freeaddrinfo(res);
	if (!nlisten) {
		errno = err;
		die("cannot listen on %s port %s:", addr ? addr : "*", port);
	}
	return ntohs(chosen);
}

/* PATH as a socket's address; main made sure it fits. */
static void
unix_address(struct sockaddr_un *un, const char *path)
{
	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, path, strlen(path) + 1);
}

/*
 * -U PATH: listen on a Unix-domain socket made there, as nc -U does.
 * The umask gives its file the usual permissions; they, and those of
 * its directory, decide who may join. A socket file left by a host
 * that died goes first (unix_stale); ours goes when we do (unix_unlink).
 */
static void
listen_unix(const char *path)
{
	struct sockaddr_un un;
	struct stat st;
	int fd;

	unix_address(&un, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		die("socket:");
	own_fd(fd);
	if (bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		if (errno != EADDRINUSE)
			die("cannot listen on %s:", path);
		unix_stale(&un);
		if (bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0)
			die("cannot listen on %s:", path);
	}
	if (lstat(path, &st) < 0)
		die("%s:", path);
	room.sockpath = path;
	room.sockdev = st.st_dev;
	room.sockino = st.st_ino;
	atexit(unix_unlink);
	if (listen(fd, SOMAXCONN) < 0)
		die("cannot listen on %s:", path);
	slot_add(fd, POLLIN, NULL);
	if (opt.verbose)
		warnx("listening on %s", path);
}

/*
 * Something is at the path we would listen on. A socket that refuses a
 * connection is dead, left by a host that was killed, and goes. A live
 * room is not stolen, and what is not a socket is not ours to remove;
 * neither is a socket we cannot prove dead.
 */
static void
unix_stale(const struct sockaddr_un *un)
{
	const char *path = un->sun_path;
	struct stat st;
	int fd, e;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return;	/* gone meanwhile */
		die("%s:", path);
	}
	if (!S_ISSOCK(st.st_mode))
		die("%s: exists and is not a socket; not removed", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		die("socket:");
	own_fd(fd);	/* a live room's full backlog says EAGAIN, not wait */
	e = connect(fd, (const struct sockaddr *)un, sizeof(*un)) < 0 ? errno : 0;
	close(fd);	/* at once: a chat host does not count it as a peer */
	if (e == ECONNREFUSED) {
		if (unlink(path) < 0 && errno != ENOENT)
			die("cannot remove the dead socket %s:", path);
		return;
	}
	if (e == ENOENT)
		return;
	if (!e || e == EAGAIN || e == EWOULDBLOCK || e == EINPROGRESS)
		die("%s: a room is already open there", path);
	errno = e;
	die("%s: cannot tell whether a room is open there:", path);
}

/*
 * At exit, and as the room closes: our socket file goes, but only if it
 * is still ours, so a host that took the path since keeps its own.
 */
static void
unix_unlink(void)
{
	struct stat st;

	if (room.sockpath && lstat(room.sockpath, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == room.sockdev && st.st_ino == room.sockino)
		unlink(room.sockpath);
	room.sockpath = NULL;
}

/*
 * Options for every peer socket: small lines go out at once, and a peer
 * whose machine vanished is noticed within minutes, not hours. Where a
 * system has no per-socket keepalive timing (OpenBSD), its sysctls rule.
 * A Unix-domain socket has no TCP to tune.
 */
static void
tune_socket(int fd, int family)
{
	int one = 1, v;

	own_fd(fd);
	if (family != AF_INET && family != AF_INET6)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
#ifdef TCP_KEEPIDLE
	v = KEEPALIVE_IDLE;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v));
#endif
#ifdef TCP_KEEPINTVL
	v = KEEPALIVE_INTERVAL;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof(v));
#endif
#ifdef TCP_KEEPCNT
	v = KEEPALIVE_COUNT;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v));
#endif
	(void)v;
}

/* Turn every listener on or off (off while out of descriptors). */
static void
set_listening(int on)
{
	size_t i;

	for (i = SLOT_FIRST; i < io.nslots && !io.slotpeer[i]; i++)
		io.pfd[i].events = on ? POLLIN : 0;
}

static void
relisten_expired(struct timer *t)
{
	(void)t;
	set_listening(1);
}

/*
 * Someone at a terminal who starts a room is told, once, where it
 * listens and how to join it. A script has -v, whose lines stay as
 * they are, and hears nothing new.
 */
static void
announce(const char *addr, unsigned port)
{
	const char *path = opt.unixpath;
	char name[256];

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return;
	if (path) {
		warnx("room open on %s; join with: chat -U %s (or nc -U %s)",
		    path, path, path);
		return;
	}
	if (!addr && gethostname(name, sizeof(name)) == 0 && name[0]) {
		name[sizeof(name) - 1] = '\0';
		addr = name;
	}
	if (!addr)
		addr = "HOST";
	warnx("room open on port %u; join with: chat %s %u (or nc %s %u)",
	    port, addr, port, addr, port);
}

/*
 * Take the connections waiting on a listener, a bounded number a turn.
 * In a password room each waits with the others from its address
 * (source_wait) to give it. None of them count against -m until they
 * join.
 */
static void
accept_peers(int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct peer *p;
	int i, fd;

	for (i = 0; i < ACCEPT_BURST; i++) {
		len = sizeof(ss);
		ss.ss_family = AF_UNSPEC;	/* a Unix-domain peer may get no address at all */
		if ((fd = accept(lfd, (struct sockaddr *)&ss, &len)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				shed(lfd);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				warnx("accept:");
			return;
		}
		if (banned(&ss, NULL)) {	/* before the password: no guessing from there */
			refuse(fd, REFUSE_BANNED);
			close(fd);
			continue;
		}
		tune_socket(fd, ss.ss_family);
		room.npeers++;
		p = peer_new(&member, fd, fd);
		flow(p);
		if (opt.password) {
			notice(p, NOTICE_PASSWORD);	/* its first line */
			timer_set(&p->timer, T_AUTH, io.now + AUTH_MS);
			source_wait(source_of(&ss, fd), p);
		} else {
			p->flags |= F_AUTHED;
			timer_set(&p->timer, T_JOIN, io.now + JOIN_MS);
		}
	}
}

/*
 * Out of descriptors: give up the spare one to accept the waiting
 * connection and close it at once, so it does not wake poll again and
 * again. With no spare, stop listening for a moment instead.
 */
static void
shed(int lfd)
{
	int fd;

	if (room.spare >= 0) {
		close(room.spare);
		if ((fd = accept(lfd, NULL, NULL)) >= 0) {
			refuse(fd, REFUSE_BUSY);
			close(fd);
		}
		room.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (room.spare < 0) {
		set_listening(0);
		timer_set(&room.relisten, T_RELISTEN, io.now + RELISTEN_MS);
	}
}

/* One notice to a connection we will not serve; it may well not arrive. */
static void
refuse(int fd, const char *why)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), MARK_NOTICE "%s\n", why);

	refused(fd, why);
	if (write(fd, buf, (size_t)n) < 0) {
		/* the connection goes anyway */
	}
}

/* A peer we will not serve after all: it is told why, then it goes. */
static void
turn_away(struct peer *p, const char *why)
{
	refused(p->rfd, why);
	notice(p, why);
	leave(p, P_LEFT, NULL, 0);
}

/*
 * The host is told on stderr that a connection was turned away, and
 * why; once a second for each reason at most, so that a flood of them
 * is a line a second, which says how many it stands for.
 */
static void
refused(int fd, const char *why)
{
	static struct { const char *why; long long at; unsigned long more; } told[8];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[ADDR_TEXT] = "", more[64] = "";
	size_t i;

	/* a reason of its own for each; one more than there are shares the last */
	for (i = 0; i + 1 < sizeof(told) / sizeof(told[0]) && told[i].why &&
	    told[i].why != why; i++)
		;
	if (told[i].why == why && io.now - told[i].at < REFUSED_MS) {
		told[i].more++;
		return;
	}
	if (told[i].why == why && told[i].more)
		snprintf(more, sizeof(more), " (and %lu more since the last told)", told[i].more);
	told[i].why = why;
	told[i].at = io.now;
	told[i].more = 0;
	ss.ss_family = AF_UNSPEC;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family != AF_UNIX)
		getnameinfo((struct sockaddr *)&ss, len, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST);
	warnx("turned away a connection%s%s: %s%s", *addr ? " from " : "", addr, why, more);
}

/*
 * The bytes a connection's address is known by, for the password's
 * waiting slots and for bans: its IPv4 address, or its IPv6 /64 (one
 * subscriber's network); none for a Unix-domain peer.
 */
static size_t
address_key(const struct sockaddr_storage *ss, const unsigned char **a)
{
	*a = (const unsigned char *)"";
	if (ss->ss_family == AF_INET)
		*a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		*a = ((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr.s6_addr;
	return ss->ss_family == AF_INET ? 4 : ss->ss_family == AF_INET6 ? 8 : 0;
}

/*
 * The entry for a connection's address: its IPv4 address, or its IPv6
 * /64; for a Unix-domain peer, the user it runs as (peer_uid), or where
 * the system does not say, one entry of no bytes for all of them.
 */
static struct source *
source_of(const struct sockaddr_storage *ss, int fd)
{
	const unsigned char *a;
	size_t n = address_key(ss, &a);
	uint32_t uid;

	if (!n && peer_uid(fd, &uid))
		a = (const unsigned char *)&uid, n = sizeof(uid);	/* a -U room has no other kind */
	return source_get(a, n);
}

/*
 * The entry for the address a[0..n), made if need be. Past SOURCES_MAX
 * of them, a new one shares the entry of no bytes, so that however
 * many addresses an attacker has, the table stays small and they are
 * not let guess any faster.
 */
static struct source *
source_get(const unsigned char *a, size_t n)
{
	struct source *s, **b = source_bucket(a, n);

	for (s = *b; s; s = s->next)
		if (s->keylen == n && !memcmp(s->key, a, n))
			return s;
	if (n && room.nsources >= SOURCES_MAX)
		return source_get(a, 0);
	room.nsources++;
	s = xmalloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	if (n)
		memcpy(s->key, a, n);
	s->keylen = n;
	s->next = *b;
	*b = s;
	return s;
}

/*
 * The user at the other end of a Unix-domain socket, where the system
 * tells: SO_PEERCRED on Linux, getpeereid on the BSDs and macOS.
 */
static int
peer_uid(int fd, uint32_t *uid)
{
#if defined(__linux__) && defined(SO_PEERCRED)
	struct { pid_t pid; uid_t uid; gid_t gid; } cred;	/* struct ucred, which POSIX hides */
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred))
		return 0;
	*uid = (uint32_t)cred.uid;
	return 1;
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    defined(__DragonFly__)
	uid_t u;
	gid_t g;

	if (getpeereid(fd, &u, &g))
		return 0;
	*uid = (uint32_t)u;
	return 1;
#else
	(void)fd, (void)uid;
	return 0;
#endif
}

static struct source **
source_bucket(const unsigned char *a, size_t n)
{
	return &room.sources[keyed_hash(a, n) % SOURCE_BUCKETS];
}

/*
 * p waits with the others from its address to give the password. Their
 * number is bounded, so that an address cannot hold the room's memory,
 * but a newcomer is never turned away for it: the oldest of them makes
 * room, as sshd's MaxStartups does, so that connections which never
 * give a password cannot keep out one that will. While its address
 * pauses, p is not read either.
 */
static void
source_wait(struct source *s, struct peer *p)
{
	struct peer *old;

	if (s->nwait == WAITING_MAX) {
		old = s->wait[0];
		source_done(old);
		turn_away(old, REFUSE_WAITING);
	}
	p->src = s;
	s->wait[s->nwait++] = p;
	if (s->pause > io.now)
		pause_peer(p);
}

/*
 * A wrong password from this address: none of its connections, waiting
 * or new, is read for PAUSE_MS, nor before the room's next turn to
 * answer one (GUESS_MS after the last), so that it guesses at most
 * about once a second however many connections it has, and the room
 * is guessed at about 20 times a second however many addresses try.
 * Meanwhile what they send waits (frame), and AUTH_MS runs on.
 */
static void
source_pause(struct source *s)
{
	long long turn = room.next_guess > io.now ? room.next_guess : io.now;
	unsigned i;

	room.next_guess = turn + GUESS_MS;
	s->pause = io.now + PAUSE_MS > turn ? io.now + PAUSE_MS : turn;
	timer_set(&s->timer, T_PAUSE, s->pause);	/* in order: both only grow */
	for (i = 0; i < s->nwait; i++)
		pause_peer(s->wait[i]);
}

static void
pause_peer(struct peer *p)
{
	p->flags |= F_PAUSED;
	set_reading(p, 0);
}

/* The pause is over: its connections may give the password; with none, it goes. */
static void
pause_expired(struct timer *t)
{
	struct source *s = (struct source *)(void *)((char *)t - offsetof(struct source, timer));
	unsigned i;

	timer_set(t, T_NONE, 0);
	if (!s->nwait) {
		source_free(s);
		return;
	}
	for (i = 0; i < s->nwait; i++) {
		s->wait[i]->flags &= ~F_PAUSED;
		flow(s->wait[i]);
	}
}

/*
 * A connection no longer waits for the password: its address has one
 * fewer, and goes from the table once it has none and no pause.
 */
static void
source_done(struct peer *p)
{
	struct source *s = p->src;
	unsigned i;

	if (!s)
		return;
	p->src = NULL;
	for (i = 0; s->wait[i] != p; i++)
		;
	memmove(s->wait + i, s->wait + i + 1, (--s->nwait - i) * sizeof(*s->wait));
	if (!s->nwait && s->pause <= io.now)
		source_free(s);
}

static void
source_free(struct source *s)
{
	struct source **b;

	timer_set(&s->timer, T_NONE, 0);
	for (b = source_bucket(s->key, s->keylen); *b != s; b = &(*b)->next)
		;
	*b = s->next;
	free(s);
	room.nsources--;
}

/* An address_key as text: "192.0.2.1", "2001:db8::/64", or "" for none. */
static void
address_text(const unsigned char *a, size_t n, char *out)
{
	unsigned char six[16] = { 0 };

	out[0] = '\0';
	if (n == 4)
		inet_ntop(AF_INET, a, out, ADDR_TEXT);
	if (n == 8 && inet_ntop(AF_INET6, memcpy(six, a, 8), out, ADDR_TEXT - 3))
		strcat(out, "/64");
}

/* The address_key of s[0..n), written as address_text does (the /64 may go); 0 if none. */
static size_t
address_parse(const char *s, size_t n, unsigned char *out)
{
	char text[ADDR_TEXT];
	unsigned char six[16];

	if (n >= sizeof(text))
		return 0;
	memcpy(text, s, n);
	text[n] = '\0';
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	if (n > 3 && !strcmp(text + n - 3, "/64"))
		text[n - 3] = '\0';
	if (inet_pton(AF_INET6, text, six) != 1)
		return 0;
	memcpy(out, six, 8);
	return 8;
}

/* Bans end when their time is up: whoever looks at the table drops those first. */
static void
bans_expire(void)
{
	size_t i, k = 0;

	for (i = 0; i < room.nbans; i++)
		if (room.bans[i].until > io.now && k++ != i)
			room.bans[k - 1] = room.bans[i];
	room.nbans = k;
}

/* The place for one more ban, counted once filled in; NULL if BANS_MAX are in force. */
static struct ban *
ban_new(void)
{
	bans_expire();
	return room.nbans < BANS_MAX ? &room.bans[room.nbans] : NULL;
}

/*
 * What keeps q out: its address and its /session key, whichever it
 * has. Not an address that everyone who comes through the host's
 * machine shares: a Unix-domain peer has none, and the host's own (the
 * address the connection came to; a connection comes from it only from
 * the machine itself, from its users and whatever ssh or a proxy there
 * forwards) would keep them all out. Why q cannot be banned, or NULL.
 */
static const char *
ban_of(struct ban *b, const struct peer *q)
{
	struct sockaddr_storage ss, own;
	socklen_t len = sizeof(ss), olen = sizeof(own);
	const unsigned char *a, *o;
	size_t n;

	memset(b, 0, sizeof(*b));
	ss.ss_family = own.ss_family = AF_UNSPEC;
	if (getpeername(q->rfd, (struct sockaddr *)&ss, &len) < 0 ||
	    getsockname(q->rfd, (struct sockaddr *)&own, &olen) < 0)
		ss.ss_family = AF_UNSPEC;
	n = address_key(&ss, &a);
	if (n && address_key(&own, &o) == n && !memcmp(a, o, n))
		n = 0;	/* the host's own */
	memcpy(b->addr, a, n);
	b->addrlen = n;
	b->keylen = q->id ? q->id->keylen : 0;
	memcpy(b->key, q->id ? q->id->key : "", b->keylen);
	memcpy(b->nick, q->nick, sizeof(b->nick));
	if (b->addrlen || b->keylen)
		return NULL;
	if (ss.ss_family == AF_UNIX)
		return "is on the Unix-domain socket, which all share, and has no /session key";
	return "comes from the host's own address, which all on this machine share,"
	    " and has no /session key";
}

/* Is a connection from this address (ss), or a person with this key (id), banned? */
static int
banned(const struct sockaddr_storage *ss, const struct ident *id)
{
	const unsigned char *a = NULL;
	size_t i, n = ss ? address_key(ss, &a) : 0;
	const struct ban *b;

	bans_expire();
	for (i = 0; i < room.nbans; i++) {
		b = &room.bans[i];
		if (n && b->addrlen == n && !memcmp(b->addr, a, n))
			return 1;
		if (id && id->keylen && b->keylen &&
		    !secret_differs(id->key, id->keylen, b->key, b->keylen))
			return 1;
	}
	return 0;
}

static void
member_eof(struct peer *p)
{
	leave(p, P_LEFT, NULL, 0);
}

/* A peer's socket failed: it goes now, nothing more is written to it. */
static void
member_lost(struct peer *p, const char *why)
{
	if (p->state == JOINED) {
		leave(p, P_LEFT, why, strlen(why));
		outq_clear(&p->q);
	}
	peer_close(p);
}

/* A leaving peer's queue is out: now it may close. */
static void
member_drained(struct peer *p)
{
	if (p->state == CLOSING)
		peer_close(p);
}

static void
member_quit(struct peer *p, const char *reason, size_t n)
{
	leave(p, P_LEFT, reason, n);
}

/* The host keeps serving without a keyboard. */
static void
console_eof(struct peer *p)
{
	set_reading(p, 0);
	p->rfd = -1;
}

/*
 * Nobody reads our stdout (or -e, the program's stdin) any more: stop
 * writing to it, or polling it; its queue holds nobody back now.
 */
static void
stdout_lost(struct peer *p, const char *why)
{
	(void)why;
	p->wfd = -1;
	set_writing(p, 0);
	outq_clear(&p->q);
	flow(p);
}

/*
 * Ctrl-D at the host's empty input line: the room stays open, and the
 * host is told what closes it.
 */
static void
console_ctrl_d(struct peer *p, const char *reason, size_t n)
{
	(void)reason, (void)n;
	notice(p, "Ctrl-D does not close the room: /quit or Ctrl-C does");
}

/*
 * The host leaves (/quit, Ctrl-C, SIGTERM, SIGHUP): the room is told,
 * with the reason of a /quit REASON,
 * nobody is read any more, and every queue gets SHUTDOWN_MS to drain.
 */
static void
room_close(struct peer *p, const char *reason, size_t n)
{
	size_t i;

	(void)p;
	if (room.closing)
		return;
	tell_gathered();
	notice_why(NULL, NOTICE_SHUTDOWN, reason, n);
	room.closing = 1;
	room.gate.shut = 1;
	timer_set(&room.shutdown, T_SHUTDOWN, io.now + SHUTDOWN_MS);
	unix_unlink();	/* before its socket closes, while it is surely ours */
	for (i = SLOT_FIRST; i < io.nslots; i++) {
		if (!io.slotpeer[i]) {
			close(io.pfd[i].fd);
			io.pfd[i].fd = -1;
		}
	}
	update_reading();
}

/* -e: the host's program exited, and all it said is in the room: close it, as at /quit. */
static void
console_ended(struct peer *p)
{
	room_close(p, NULL, 0);
}

static void
shutdown_expired(struct timer *t)
{
	(void)t;
	exit(exit_status(0));
}

/* ---- the client --------------------------------------------------- */

/* The client's connection: lines from the host go to our stdout. */
static const struct role link_role = {
	.on_read = frame, .on_line = link_hear, .on_eof = link_eof,
	.on_lost = link_lost, .on_write_error = link_wfail,
	.on_drained = link_drained, .line_max = RECV_MAX,
	.in = &uplink.down, .out = &uplink.up, .flags = R_MARKCUT,
};

/*
 * The client's stdin and stdout: lines typed go to the host. At a
 * terminal, keys and drawn lines; with -e the program's pipes.
 */
#define USER .on_line = user_line, .on_ctrl_d = user_quit, \
	.on_quit = user_quit, .on_exit = user_eof, \
	.line_max = LINE_MAX_BYTES, .in = &uplink.up, .out = &uplink.down
static const struct role user[] = {
	[FACE_PLAIN] = { USER, .on_read = frame, .on_eof = user_eof,
	    .on_lost = user_lost, .on_write_error = user_lost },
	[FACE_TERM] = { USER, .on_read = term_input, .on_eof = user_eof,
	    .on_lost = user_lost, .on_write_error = user_lost,
	    .show = term_show },
	[FACE_PROG] = { USER, .on_read = frame, .on_eof = program_eof,
	    .on_lost = stdout_lost, .on_write_error = stdout_lost },
};

/*
 * chat HOST: our stdin goes up the link, the host's lines come down to
 * our stdout, each way through its own gate. With -U the one address
 * to try is the socket at PATH, and nothing is resolved.
 */
static void
client_start(const char *host, const char *port, const char *nick)
{
	struct peer *h;
	char *target;
	size_t n;

	stdio_new(user);
	h = uplink.host = peer_new(&link_role, -1, -1);
	set_state(h, JOINED);
	h->flags |= F_DIALING;
	uplink.hostname = host;
	uplink.port = port;
	uplink.nick = nick;
	if (opt.unixpath) {
		unix_address(&uplink.un, opt.unixpath);
		uplink.local.ai_family = AF_UNIX;
		uplink.local.ai_socktype = SOCK_STREAM;
		uplink.local.ai_addr = (struct sockaddr *)&uplink.un;
		uplink.local.ai_addrlen = sizeof(uplink.un);
		uplink.addrs = &uplink.local;
		uplink.target = opt.unixpath;
	} else {
		n = strlen(host) + strlen(port) + sizeof(" port ");
		target = xmalloc(n);
		snprintf(target, n, "%s port %s", host, port);
		uplink.target = target;
	}
	uplink.hide_history = !opt.history && (opt.exec || !isatty(STDOUT_FILENO));
	make_key();
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	io.now = now_ms();
	dial_start();
}

/*
 * A /session key from the system's random source, so that no one can
 * guess it and take our name. Without one there is no key: a weak key
 * would be worse than none.
 */
static void
make_key(void)
{
	unsigned char r[SESSION_BYTES];
	size_t i;

	if (!random_bytes(r, sizeof(r)))
		return;
	for (i = 0; i < sizeof(r); i++)
		snprintf(uplink.key + 2 * i, 3, "%02x", r[i]);
}

/*
 * The connection to the host is made inside the loop, so the terminal
 * stays live meanwhile, and made again after a drop with -r. Each
 * address the host name resolves to is tried in turn, -w bounding each.
 */
static void
dial_start(void)
{
	struct addrinfo hints;
	int e;

	if (!uplink.addrs) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = opt.family;
		hints.ai_socktype = SOCK_STREAM;
		if ((e = getaddrinfo(uplink.hostname, uplink.port, &hints, &uplink.addrs))) {
			uplink.addrs = NULL;
			dial_failed(gai_strerror(e));
			return;
		}
	}
	uplink.trying = uplink.addrs;
	dial_next();
}

/* Start a connection to the address tried now, or the next that takes. */
static void
dial_next(void)
{
	struct peer *h = uplink.host;
	struct addrinfo *ai;
	int fd;

	for (; (ai = uplink.trying); uplink.trying = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0) {
			uplink.dial_error = errno;
			continue;
		}
		own_fd(fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			/* writable once connected or refused */
			h->rfd = h->wfd = fd;
			io.pfd[h->rslot].fd = fd;
			io.pfd[h->rslot].events = POLLOUT;
			if (opt.connwait > 0)
				timer_set(&uplink.dial, T_DIAL, io.now + opt.connwait * 1000);
			return;
		}
		uplink.dial_error = errno;
		close(fd);
	}
	dial_failed(strerror(uplink.dial_error));
}

/* The attempt under way ended (err is set on a timeout). */
static void
dial_done(int err)
{
	socklen_t len = sizeof(err);

	if (!err && getsockopt(uplink.host->rfd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	timer_set(&uplink.dial, T_NONE, 0);
	if (!err) {
		connected();
		return;
	}
	uplink.dial_error = err;
	link_close();
	uplink.trying = uplink.trying->ai_next;
	dial_next();
}

static void
dial_expired(struct timer *t)
{
	(void)t;
	dial_done(ETIMEDOUT);
}

static void
redial_expired(struct timer *t)
{
	(void)t;
	dial_start();
}

/* No address took: give up, or with -r try again later, backing off. */
static void
dial_failed(const char *why)
{
	long long delay;

	if (!opt.redial)
		die("cannot connect to %s: %s", uplink.target, why);
	delay = redial_wait();
	warnx("cannot connect to %s: %s; trying again in %.1f s",
	    uplink.target, why, delay / 1000.0);
}

/*
 * -r: the next attempt waits RECONNECT_MIN_MS, twice as long after each
 * failure up to RECONNECT_MAX_MS; only a connection that lasted starts
 * it over, so a host that accepts and drops at once is not hammered.
 */
static long long
redial_wait(void)
{
	long long delay = uplink.backoff ? uplink.backoff : RECONNECT_MIN_MS;

	uplink.backoff = delay * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : delay * 2;
	/* up to a quarter either way, so a room of clients spreads out */
	delay += rand() % (delay / 2 + 1) - delay / 4;
	timer_set(&uplink.redial, T_REDIAL, io.now + delay);
	return delay;
}

/*
 * Connected: the password and the name go first, ahead of any lines
 * typed while we were away.
 */
static void
connected(void)
{
	struct peer *h = uplink.host;
	struct addrinfo *ai = uplink.trying;
	/* a try with the password typed is not a reconnection: it said so */
	int again = uplink.dials && !uplink.retry;
	const char *done = again ? "reconnected to" : "connected to";
	char addr[ADDR_TEXT];
	struct msg *m = msg_new(64);

	h->flags &= ~F_DIALING;
	tune_socket(h->rfd, ai->ai_family);
	io.pfd[h->rslot].events = 0;
	if ((opt.verbose || again) && ai->ai_family == AF_UNIX)
		warnx("%s %s", done, opt.unixpath);
	else if ((opt.verbose || again) && !getnameinfo(ai->ai_addr,
	    ai->ai_addrlen, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST))
		warnx("%s %s port %s", done, addr, uplink.port);
	uplink.dials++;
	uplink.retry = 0;
	uplink.since = io.now;
	if (opt.password) {
		msg_puts(&m, CMD_PASS);
		msg_puts(&m, opt.password);
		msg_puts(&m, "\n");
	}
	if (uplink.key[0]) {
		msg_puts(&m, "/session ");
		msg_puts(&m, uplink.key);
		msg_puts(&m, "\n");
	}
	if (uplink.me[0] || uplink.nick) {
		msg_puts(&m, "/nick ");
		msg_puts(&m, uplink.me[0] ? uplink.me : uplink.nick);
		msg_puts(&m, "\n");
	}
	if (m->len)
		outq_unshift(h, m);
	else
		free(m);
	flow(h);
	set_writing(h, h->q.n > 0);
}

/* The connection goes; the link stays, with nothing under it. */
static void
link_close(void)
{
	struct peer *h = uplink.host;

	close(h->rfd);
	h->rfd = h->wfd = -1;
	io.pfd[h->rslot].fd = -1;
	io.pfd[h->rslot].events = 0;
}

/*
 * The connection is gone and the link waits for the next one. What was
 * queued stays queued for it, all but the rest of a line half written
 * to this one; what the host said on this one is forgotten.
 */
static void
link_reset(void)
{
	struct peer *h = uplink.host;
	struct outq *q = &h->q;
	const char *s, *nl;
	size_t left;

	link_close();
	h->inlen = 0;
	h->flags &= ~(F_DISCARD | F_WDONE | F_GONE);
	h->flags |= F_DIALING;
	if (q->n && q->ring[q->head].off) {
		s = q->ring[q->head].m->data + q->ring[q->head].off;
		left = q->ring[q->head].end - q->ring[q->head].off;
		nl = memchr(s, '\n', left);
		outq_pop(q, nl ? (size_t)(nl - s) + 1 : left);
	}
	uplink.host_closing = 0;
	uplink.in_history = H_NONE;
	uplink.rejoin = uplink.me[0] != '\0';
	free(uplink.refused);
	uplink.refused = NULL;
	free(uplink.held);
	uplink.held = NULL;
}

/* -r: the host went away; connect again after a while. */
static void
redial_later(const char *why)
{
	warnx("%s; reconnecting", why);
	link_reset();
	if (io.now - uplink.since >= LASTED_MS)
		uplink.backoff = 0;
	redial_wait();
}

/*
 * A line from the host, made safe for the terminal, for our stdout;
 * not a notice meant for chat itself (host_says), and not the history
 * when it is left out: everything between the two history notices,
 * whatever those lines look like. After a reconnection the history is
 * held to its end, for what this client has not shown (history_since).
 */
static void
link_hear(struct peer *p, const char *s, size_t n)
{
	const size_t ml = sizeof(MARK_NOTICE) - 1;
	size_t at, len;
	int notice = parse_form(s, n, &at, &len) == FORM_NOTICE;

	if (uplink.in_history == H_HIDE || uplink.in_history == H_HOLD) {
		if (notice && same(s + ml, n - ml, NOTICE_HISTORY_END))
			history_since(p, 1);
		else if (uplink.held && uplink.held->len + n < HELD_MAX)
			msg_put(&uplink.held, s, n), msg_put(&uplink.held, "\n", 1);
		else if (uplink.held)
			history_since(p, 0), link_show(p, s, n);	/* too much: as it comes */
		return;
	}
	if (notice && host_says(s + ml, n - ml))
		return;
	if (notice && same(s + ml, n - ml, NOTICE_HISTORY_END))
		uplink.in_history = H_NONE;
	link_show(p, s, n);
}

/* A line for our stdout, remembered as shown if it is a room line. */
static void
link_show(struct peer *p, const char *s, size_t n)
{
	size_t mark;

	if (uplink.in_history && is_time(s, n))
		seen_add(s + 6, n - 6);
	else
		seen_add(s, n);
	mark = line_begin();
	sanitize(&io.shared, s, n, SIZE_MAX);
	line_end(p, io.stdio, mark, mark);
}

/*
 * A room line or an action from someone else, as history keeps it (no
 * time): its hash, newest last, SEEN_MAX of them. Our own lines are not
 * needed: after a drop, history never shows them again (history_since).
 */
static void
seen_add(const char *s, size_t n)
{
	size_t at, len;
	enum form f = parse_form(s, n, &at, &len);

	if ((f != FORM_SAY && f != FORM_ACTION) || same(s + at, len, uplink.me))
		return;
	if (uplink.nseen == SEEN_MAX)
		memmove(uplink.seen, uplink.seen + 1, (SEEN_MAX - 1) * sizeof(*uplink.seen));
	else
		uplink.nseen++;
	uplink.seen[uplink.nseen - 1] = hash(s, n) | 1;
}

/*
 * The end of the history held on a reconnection: only what this client
 * has not shown goes out, in its frame; nothing new, no frame. What it
 * showed ends where the held lines read back match the lines it showed
 * last (history_anchor); its own lines it showed as it typed them, and
 * a pipe never shows them. Past HELD_MAX (ended is 0) the frame stays
 * open and the rest is shown as it comes.
 */
static void
history_since(struct peer *p, int ended)
{
	struct msg *m = uplink.held;
	const char *s, *nl, *end;
	size_t k = 0, from, framed = 0;
	unsigned long *h;

	uplink.in_history = ended ? H_NONE : H_SHOW;
	if (!m)
		return;
	uplink.held = NULL;
	end = m->data + m->len;
	h = xmalloc((count_lines(m->data, m->len) + 1) * sizeof(*h));
	for (s = m->data; s < end; s = nl + 1, k++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		h[k] = held_hash(s, (size_t)(nl - s));
	}
	from = history_anchor(h, k);
	uplink.in_history = H_SHOW;	/* their times come off, for seen_add */
	for (s = m->data, k = 0; s < end; s = nl + 1, k++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (k < from || !h[k])
			continue;
		if (!framed++)
			link_show(p, MARK_NOTICE NOTICE_HISTORY, sizeof(MARK_NOTICE NOTICE_HISTORY) - 1);
		link_show(p, s, (size_t)(nl - s));
	}
	if (!ended && !framed)
		link_show(p, MARK_NOTICE NOTICE_HISTORY, sizeof(MARK_NOTICE NOTICE_HISTORY) - 1);
	else if (ended && framed)
		link_show(p, MARK_NOTICE NOTICE_HISTORY_END, sizeof(MARK_NOTICE NOTICE_HISTORY_END) - 1);
	uplink.in_history = ended ? H_NONE : H_SHOW;
	free(h);
	free(m);
}

/* A held history line: the hash seen_add gives its text, 0 for our own. */
static unsigned long
held_hash(const char *s, size_t n)
{
	size_t at, len;
	enum form f;

	if (is_time(s, n))
		s += 6, n -= 6;
	f = parse_form(s, n, &at, &len);
	if ((f == FORM_SAY || f == FORM_ACTION) && same(s + at, len, uplink.me))
		return 0;
	return hash(s, n) | 1;
}

/*
 * The first held line (of n, hashed) this client has not shown: the one
 * after the last that, read back with those before it, agrees with the
 * lines shown last as far as either goes. None agrees, as when a line
 * of someone we /ignore came between: the one after the last shown.
 * None at all: all are new.
 */
static size_t
history_anchor(const unsigned long *h, size_t n)
{
	size_t j;

	if (!uplink.nseen)
		return 0;
	for (j = n; j-- > 0;)
		if (h[j] && agrees(h, j))
			return j + 1;
	for (j = n; j-- > 0;)
		if (h[j] == uplink.seen[uplink.nseen - 1])
			return j + 1;
	return 0;
}

/* Held lines up to j, our own left out, read back agree with those shown last. */
static int
agrees(const unsigned long *h, size_t j)
{
	size_t k = uplink.nseen;

	for (j++; j-- > 0 && k > 0;)
		if (h[j] && h[j] != uplink.seen[--k])
			return 0;
	return 1;
}

/* s[0..n) is the string t, no more and no less. */
static int
same(const char *s, size_t n, const char *t)
{
	return strlen(t) == n && !memcmp(s, t, n);
}

/* s[0..n) is the notice t, or t with a reason: "t (REASON)". */
static int
same_why(const char *s, size_t n, const char *t)
{
	size_t k = strlen(t);

	return same(s, n, t) || (n > k + 2 && !memcmp(s, t, k) &&
	    !memcmp(s + k, " (", 2) && s[n - 1] == ')');
}

/*
 * The notices the client acts on, without their mark; says which are
 * kept off stdout. A refusal is said once, on stderr, when the host
 * closes (turned_away). The password notice is answered already, or
 * will be once we are turned away for want of one. The history starts.
 */
static int
host_says(const char *s, size_t n)
{
	static const char *const refusals[] = {
		REFUSE_PASSWORD, REFUSE_TIMEOUT, REFUSE_FULL, REFUSE_BUSY,
		REFUSE_WAITING,
	};
	size_t i;
	int refused = same_why(s, n, REFUSE_KICK) || same_why(s, n, REFUSE_BANNED);

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		refused |= same(s, n, refusals[i]);
	if (refused) {
		free(uplink.refused);
		uplink.refused = msg_new(n + 1);
		sanitize(&uplink.refused, s, n, SIZE_MAX);
		msg_put(&uplink.refused, "", 1);	/* a string, for warnx */
		return 1;
	}
	track_names(s, n);
	if (same_why(s, n, NOTICE_SHUTDOWN))
		uplink.host_closing = 1;
	if (same(s, n, NOTICE_HISTORY) && uplink.hide_history) {
		uplink.in_history = H_HIDE;
	} else if (same(s, n, NOTICE_HISTORY) && uplink.rejoin) {
		uplink.in_history = H_HOLD;
		uplink.held = msg_new(4096);
	} else if (same(s, n, NOTICE_HISTORY)) {
		uplink.in_history = H_SHOW;
	}
	return uplink.in_history == H_HIDE || uplink.in_history == H_HOLD ||
	    same(s, n, NOTICE_PASSWORD);
}


/*
 * Who we are and who is here, from the host's welcome, /who, joins,
 * leaves and renames: our name is the one to ask for again after a
 * drop, the others' are what Tab offers at the terminal. The first
 * word of a notice is the host's; no peer can write it.
 */
static void
track_names(const char *s, size_t n)
{
	static const char tail[] = ". type /help for commands";
	const char *r, *here;
	size_t k, rn, t = sizeof(tail) - 1;

	if (starts(s, n, "here: ")) {
		name_list(s + 6, n - 6, name_add);
		return;
	}
	for (k = 0; k < n && s[k] != ' '; k++)
		;
	if (k == n || k > NICK_MAX)
		return;
	r = s + k + 1, rn = n - k - 1;
	if (k == 7 && !memcmp(s, "welcome", 7)) {
		/* "welcome NAME. here: A, B. type /help..." or "NAME (WANTED is taken)." */
		k = welcome_name(r, rn);
		memcpy(uplink.me, r, k);
		uplink.me[k] = '\0';
		while (term.nnames)
			free(term.names[--term.nnames]);	/* a new connection */
		for (here = r + k; here + 8 <= r + rn && !starts(here, 8, ". here: "); here++)
			;
		k = (size_t)(here - r) + 8;
		if (k + t < rn && !memcmp(r + rn - t, tail, t))
			name_list(r + k, rn - k - t, name_add);
	} else if (strspn(s, "0123456789") == k && (starts(r, rn, "joined: ") ||
	    starts(r, rn, "left: ") || starts(r, rn, "here start with "))) {
		track_counted(s, n);
	} else if (starts(r, rn, "joined") || starts(r, rn, "reconnected")) {
		name_add(s, k);
	} else if ((starts(r, rn, "left") && (rn == 4 || r[4] == ' ')) ||
	    starts(r, rn, "was kicked by the host") || starts(r, rn, "dropped (")) {
		name_del(s, k);
	} else if (starts(r, rn, "is now ") && rn - 7 <= NICK_MAX) {
		if (same(s, k, uplink.me)) {
			memcpy(uplink.me, r + 7, rn - 7);
			uplink.me[rn - 7] = '\0';
		}
		name_del(s, k);
		name_add(r + 7, rn - 7);
	}
}

/*
 * The notices that start with a count: "37 joined: a, b and 35 more;
 * 12 left: c" (a big room's joins and leaves, gathered) and "3 here
 * start with al: a, b, c" (/who PREFIX). No name holds ':' or ';'.
 */
static void
track_counted(const char *s, size_t n)
{
	const char *end = s + n, *e, *c;
	size_t k;

	for (;;) {
		for (k = 0; s + k < end && s[k] >= '0' && s[k] <= '9'; k++)
			;
		for (e = s += k; e + 1 < end && (e[0] != ';' || e[1] != ' '); e++)
			;
		if (e + 1 >= end)
			e = end;
		if (!k || !(c = memchr(s, ':', (size_t)(e - s))) || c + 2 > e)
			return;
		name_list(c + 2, (size_t)(e - c - 2), same(s, (size_t)(c - s), " left") ? name_del : name_add);
		if (e == end)
			return;
		s = e + 2;
	}
}

/* The length of NAME in "NAME. here: ..." or "NAME (WANTED is taken). here: ...", at most NICK_MAX. */
static size_t
welcome_name(const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < n && k <= NICK_MAX && s[k] != ' '; k++)
		;
	if (k && s[k - 1] == '.')
		k--;
	return k > NICK_MAX ? NICK_MAX : k;
}

static void
link_eof(struct peer *p)
{
	(void)p;
	host_gone("connection closed by host");
}

static void
link_lost(struct peer *p, const char *why)
{
	(void)p;
	host_gone(why);
}

/*
 * A write failed: the host may have said why it closed, so read that
 * first, to the end, whatever our stdout is taking (F_GONE): the end
 * is what tells us the host has gone.
 */
static void
link_wfail(struct peer *p, const char *why)
{
	(void)why;
	if (!opt.redial)
		outq_clear(&p->q);
	p->flags |= F_GONE;
	stop_writing(p);
}

/*
 * Everything queued is written to the connection: the lines typed are
 * the host's now, and the terminal shows the pending ones as sent. The
 * /quit is out: tell the host nothing more comes.
 */
static void
link_drained(struct peer *p)
{
	uplink.typed = 0;
	if (uplink.pending) {
		send_to(io.stdio, uplink.pending);
		uplink.pending = NULL;
	}
	if (p->flags & F_QUIT) {
		shutdown(p->wfd, SHUT_WR);
		stop_writing(p);
	}
}

/*
 * A line typed or piped: to the host, noting a /quit; from a pipe, as
 * text. It goes up in the shared message, so a flood of short lines is
 * a few large slices, not a message a line.
 */
static void
user_line(struct peer *p, const char *s, size_t n)
{
	const struct command *c;
	size_t a, mark;

	mark = line_begin();
	if ((p->flags & F_TEXT) && s[0] == '/')
		msg_put(&io.shared, "/", 1);	/* the host's escape: //x is the text /x */
	else if ((c = find_command(s, n, &a)) && (c->flags & C_LEAVES))
		uplink.quit_sent = 1;
	msg_put(&io.shared, s, n);
	if (line_end(p, uplink.host, mark, mark))
		uplink.typed++;
}

/*
 * A line typed now waits to be written: the link is down, or lines
 * typed while it was are not all written yet (they go first).
 */
static int
offline(void)
{
	return uplink.host && ((uplink.host->flags & F_DIALING) || uplink.pending);
}

/*
 * How many lines typed are still queued for the host: at most the
 * lines in its queue, less the /quit behind them; what went into the
 * connection is the host's, lost only if the connection dies with it.
 */
static size_t
unsent(void)
{
	struct outq *q = &uplink.host->q;
	struct slice *sl;
	size_t k, lines = 0;

	for (k = 0; k < q->n; k++) {
		sl = outq_at(q, k);
		lines += count_lines(sl->m->data + sl->off, sl->end - sl->off);
	}
	if (lines && (uplink.host->flags & F_QUIT))
		lines--;
	return lines < uplink.typed ? lines : uplink.typed;
}

/*
 * stdin ended: leave now, after -q seconds, or (-q -1) when the host
 * goes. A program's exit (-e, where -q is refused) is the same: leave.
 */
static void
user_eof(struct peer *p)
{
	set_reading(p, 0);
	p->rfd = -1;
	if (opt.quitwait > 0)
		timer_set(&uplink.quit, T_QUIT, io.now + opt.quitwait * 1000);
	else if (opt.quitwait == 0)
		send_quit();
}

/* Nobody reads our stdout any more: the client leaves. */
static void
user_lost(struct peer *p, const char *why)
{
	stdout_lost(p, why);
	send_quit();
}

/* Ctrl-C, Ctrl-D, SIGTERM: say /quit and wait for the close; asked twice, go. */
static void
user_quit(struct peer *p, const char *reason, size_t n)
{
	(void)p, (void)reason, (void)n;
	if (uplink.up.shut)
		link_exit(0);
	send_quit();
	uplink.up.shut = 1;
	timer_set(&uplink.leave, T_LEAVE, io.now + LEAVE_MS);
	update_reading();
}

static void
quit_expired(struct timer *t)
{
	(void)t;
	send_quit();
}

static void
leave_expired(struct timer *t)
{
	(void)t;
	link_exit(0);
}

/* Finish any open line, say /quit, then half-close (link_drained). */
static void
send_quit(void)
{
	struct msg *m;

	if (uplink.host->flags & F_QUIT)
		return;
	frame_end(io.stdio);
	m = msg_new(8);
	msg_puts(&m, "/quit\n");
	uplink.quit_sent = 1;
	uplink.host->flags |= F_QUIT;
	send_to(uplink.host, m);
}

/*
 * The host closed the connection. That is the normal end after our
 * /quit, or after the host said it is shutting down; it is a failure
 * after it turned us away, or without a word.
 */
static void
host_gone(const char *why)
{
	if (uplink.refused) {
		turned_away();
		return;
	}
	if (uplink.quit_sent)
		link_exit(0);
	if (uplink.host_closing)
		why = "the host closed the room";
	if (opt.redial) {
		redial_later(why);
		return;
	}
	warnx("%s", why);
	link_exit(uplink.host_closing ? 0 : 1);
}

/*
 * The host turned us away, and said why: that goes on stderr, once,
 * and we fail; with -r, a room that may take us later (full, or busy)
 * is tried again, backing off. Turned away from a room with a password
 * for want of one, or for a wrong one typed, we ask for it at a
 * terminal, up to PASSWORD_TRIES times as ssh does, and connect again
 * at once with it; elsewhere we say how to give it.
 */
static void
turned_away(void)
{
	const char *why = uplink.refused->data;

	if (opt.redial && (!strcmp(why, REFUSE_FULL) || !strcmp(why, REFUSE_BUSY) ||
	    !strcmp(why, REFUSE_WAITING))) {
		redial_later(why);
		return;
	}
	if ((opt.password && !uplink.asked) || uplink.asked >= PASSWORD_TRIES ||
	    strcmp(why, REFUSE_PASSWORD)) {
		warnx("%s", why);
		link_exit(1);
	}
	if (!isatty(STDIN_FILENO)) {
		warnx("this room needs a password: give it with -P PASSWORD"
		    " or in $CHAT_PASSWORD");
		link_exit(1);
	}
	if (!(opt.password = ask_password(uplink.asked ?
	    "wrong password, try again" : "this room needs a password"))) {
		warnx("no password given");
		link_exit(1);
	}
	uplink.asked++;
	uplink.retry = 1;
	warnx("trying again with the password");
	link_reset();
	timer_set(&uplink.redial, T_REDIAL, io.now);
}

/*
 * The room's password, asked for at the terminal after saying why,
 * without echo, in the terminal's own line editing. Whatever mode the
 * terminal was in (our raw one, at the input line) comes back after,
 * also when Ctrl-C gives up. NULL if none was given.
 */
static const char *
ask_password(const char *why)
{
	static char pw[LINE_MAX_BYTES + 1];
	struct termios was, ask;
	size_t n = 0;
	int got;
	char c;

	if (tcgetattr(STDIN_FILENO, &was) < 0)
		return NULL;
	ask = was;
	ask.c_lflag = (ask.c_lflag | ICANON | ECHONL | ISIG) & ~(tcflag_t)ECHO;
	ask.c_iflag |= ICRNL;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &ask) < 0)
		return NULL;
	if (term.on)
		paste_mode(0);	/* a password pasted is the password, unmarked */
	warnx("%s", why);
	fputs("password: ", stderr);
	while ((got = typed(&c)) && c != '\n' && c != '\r')
		if (n < sizeof(pw) - 1)
			pw[n++] = c;	/* longer than any line: the rest goes */
	if (term.on)
		paste_mode(1);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &was);
	if (!got)
		fputc('\n', stderr);	/* Ctrl-C, or EOF: given up */
	pw[n] = '\0';
	return got && n ? pw : NULL;
}

/* A byte typed at the terminal, once there is one; 0 at EOF or on a signal. */
static int
typed(char *c)
{
	struct pollfd f = { STDIN_FILENO, POLLIN, 0 };
	ssize_t r;

	/* our stdout's O_NONBLOCK is stdin's too when both are one terminal */
	while ((r = read(STDIN_FILENO, c, 1)) < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		if (poll(&f, 1, -1) < 0)
			return 0;
	return r == 1;
}

/*
 * What the host sent us is written out before we go; lines typed that
 * never went are counted, and their loss is a failure.
 */
static void
link_exit(int status)
{
	size_t lost = unsent();

	if (lost) {
		warnx("%zu line%s typed %s not sent", lost, lost == 1 ? "" : "s",
		    lost == 1 ? "was" : "were");
		status = status ? status : 1;
	}
	flush_blocking(io.stdio);
	exit(exit_status(status));
}

/* ---- programs as participants (-e) -------------------------------- */

/*
 * -e: the program is the stdio peer, with the role ours would have,
 * through a pipe each way; so framing, sanitising, flow control and
 * the bounds on queues are the same for it. Only what its ends mean is
 * its own: closing its output, it says no more; closing its input, it
 * hears no more; the session ends when it exits (program_end).
 */
static struct peer *
program_new(const struct role *role)
{
	struct peer *p;
	int rfd, wfd;

	program_start(&rfd, &wfd);
	p = peer_new(role, rfd, wfd);
	set_state(p, JOINED);
	if (!opt.commands)
		p->flags |= F_TEXT;
	/* our ends do not block; the pipe is watched for the program going */
	p->flags |= F_WATCHOUT;
	set_writing(p, 0);
	io.stdio = p;
	return p;
}

/*
 * /bin/sh -c COMMAND, in a process group of its own, so that all of it
 * can be ended with chat (program_kill). Its stdin and stdout are the
 * far ends of two pipes, its stderr is ours; every other descriptor of
 * ours is closed on exec (own_fd), so it never holds the room's.
 */
static void
program_start(int *rfd, int *wfd)
{
	int down[2], up[2];	/* the room's lines down to it, its lines up */
	pid_t pid;

	if (pipe(down) < 0 || pipe(up) < 0)
		die("pipe:");
	own_fd(down[1]);
	own_fd(up[0]);
	if (fcntl(down[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(up[1], F_SETFD, FD_CLOEXEC) < 0)
		die("fcntl:");
	if ((pid = fork()) < 0)
		die("fork:");
	if (pid == 0)
		program_exec(down[0], up[1]);
	setpgid(pid, pid);	/* as the child does: whichever runs first */
	close(down[0]);
	close(up[1]);
	prog.pid = pid;
	atexit(program_kill);
	*rfd = up[0];
	*wfd = down[1];
}

/* In the child: the pipes become stdin and stdout, and the shell runs. */
static void
program_exec(int in, int out)
{
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);	/* ignored here, it would stay ignored there */
	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	execl("/bin/sh", "sh", "-c", opt.exec, (char *)NULL);
	warnx("cannot run /bin/sh:");
	_exit(127);
}

/*
 * The program closed its output but may go on: it says no more, and
 * hears the room until it exits. A child it left writing gets EPIPE.
 */
static void
program_eof(struct peer *p)
{
	set_reading(p, 0);
	close(p->rfd);
	p->rfd = -1;
}

/* SIGCHLD: the program exited; its status is kept for ours. */
static void
program_reap(void)
{
	int st;

	if (prog.pid <= 0 || waitpid(prog.pid, &st, WNOHANG) != prog.pid)
		return;
	prog.pid = 0;
	prog.ending = 1;
	if (WIFEXITED(st))
		prog.status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		prog.status = 128 + WTERMSIG(st);
}

/*
 * The program exited. Once all it wrote is read (its output at EOF, or
 * empty while it may be read: what a child it left behind writes later
 * is not waited for), the session ends as the role has it: the client
 * leaves the room as at the end of stdin, once the host has taken
 * every line; the host closes the room, as at /quit.
 */
static void
program_end(void)
{
	struct peer *p = io.stdio;
	struct pollfd f = { -1, POLLIN, 0 };

	if (p->rfd >= 0) {
		f.fd = p->rfd;
		if (!may_read(p) || poll(&f, 1, 0) != 0)
			return;	/* the loop reads it when it may */
	}
	prog.ending = 0;
	frame_end(p);
	p->role->on_exit(p);
}

/*
 * chat ends while the program runs (the room closed, a kick, a signal):
 * its stdin comes to EOF with our exit, and its process group gets
 * SIGTERM, so nothing of it is left running.
 */
static void
program_kill(void)
{
	if (prog.pid > 0)
		kill(-prog.pid, SIGTERM);
}

/* chat's exit status: the program's (-e) when it failed, else chat's own. */
static int
exit_status(int status)
{
	return prog.status ? prog.status : status;
}

/* ---- the terminal ------------------------------------------------- */

/*
 * Nick colours where the terminal has 256: mid tones of the colour
 * cube, apart enough to tell and readable on dark and light screens.
 */
static const unsigned char palette[] = {
	160, 166, 172, 178, 142, 106, 70, 34, 36, 37, 38, 32,
	26, 62, 98, 134, 170, 169, 168, 131, 137, 67, 73, 140,
};

/*
 * When stdin and stdout are both a terminal, chat edits one input line
 * at the bottom itself, in raw mode, and every incoming line is printed
 * above it: erase the input line, print, redraw. All of it goes out
 * through the stdio peer's queue, as drain writes every queue: the
 * lines stay queued as lines until term_show draws them at its front.
 */
static void
term_start(void)
{
	struct termios raw;
	const char *t = getenv("TERM"), *nc = getenv("NO_COLOR");
	const char *ct = getenv("COLORTERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    tcgetattr(STDIN_FILENO, &term.saved) < 0)
		return;
	raw = term.saved;
	/* ISIG stays: Ctrl-C and Ctrl-Z arrive as signals. */
	raw.c_lflag &= ~(ICANON | ECHO | IEXTEN);
	raw.c_iflag &= ~(ICRNL | INLCR | IGNCR | IXON);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
		return;
	term.raw = raw;
	term.on = 1;
	if ((nc && *nc) || (t && !strcmp(t, "dumb")))
		term.colour = 0;
	else
		term.colour = (t && strstr(t, "256color")) || (ct && *ct) ? 256 : 8;
	term.draw = msg_new(256);
	term.notes = msg_new(256);
	term_size(&term.draw);	/* the first width: nothing to clear */
	paste_mode(1);	/* a Tab or a Ctrl-D pasted is text, not a key */
	/* a terminal that stops reading must not stop the room */
	if ((term.fl = fcntl(STDOUT_FILENO, F_GETFL)) >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, term.fl | O_NONBLOCK);
	atexit(term_stop);
}

/*
 * On every way out (it is the first atexit handler, so it runs last):
 * what is queued for stdout is drawn and written, blocking, the input
 * line erased last, and the terminal is as we found it. The shell's
 * prompt comes after the last line.
 */
static void
term_stop(void)
{
	if (!term.on)
		return;
	term.leaving = 1;
	term_redraw();	/* behind the rest: the input line goes last */
	if (io.stdio && term.fl >= 0 &&
	    fcntl(STDOUT_FILENO, F_SETFL, term.fl & ~O_NONBLOCK) == 0)
		io.stdio->flags |= F_POLLWRITE;	/* a blocking descriptor, for flush_blocking */
	if (io.stdio)
		flush_blocking(io.stdio);
	if (term.fl >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, term.fl);
	paste_mode(0);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &term.saved);
	term.on = 0;	/* what is said after this goes to stderr as it is */
}

/*
 * Tell the terminal to mark pastes, or to stop: at once, with one
 * write, as a signal handler may (on_stop).
 */
static void
paste_mode(int on)
{
	if (write(STDOUT_FILENO, on ? PASTE_ON : PASTE_OFF,
	    on ? sizeof(PASTE_ON) - 1 : sizeof(PASTE_OFF) - 1) < 0) {
		/* a terminal that takes nothing now: pastes are typed keys */
	}
}

/* Ctrl-Z: give the shell its terminal back; on SIGCONT take it again. */
static void
on_stop(int sig)
{
	int e = errno;

	(void)sig;
	tcsetattr(STDIN_FILENO, TCSADRAIN, &term.saved);
	if (term.fl >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, term.fl);	/* the shell's, not ours */
	paste_mode(0);
	kill(getpid(), SIGSTOP);
	paste_mode(1);
	if (term.fl >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, term.fl | O_NONBLOCK);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &term.raw);
	on_signal(SIGCONT);	/* the loop redraws */
	errno = e;
}

/*
 * Lines wait in the terminal's queue, not drawn yet: the input line
 * need not be drawn now, the next lines drawn end with it.
 */
static int
lines_wait(void)
{
	return io.stdio->q.bytes > io.stdio->q.drawn;
}

/*
 * Queue what was drawn now (the input line, one of chat's messages)
 * behind what was drawn before, which is then all the queue holds:
 * drain writes it at the end of the turn.
 */
static void
term_put(struct msg *m)
{
	struct outq *q = &io.stdio->q;
	size_t had = q->bytes;

	outq_push(io.stdio, m, 0, m->len);
	q->drawn += q->bytes - had;
	if (!m->refs)
		free(m);	/* stdout is gone */
}

/*
 * One of chat's own messages, above the input line, wrapped under its
 * "chat: ", and out at once, as stderr would be: a password prompt
 * may follow it on stderr. While lines wait to be drawn it waits with
 * them, to be drawn above them.
 */
static void
term_note(const char *text)
{
	struct msg *m;

	if (lines_wait()) {
		wrap_put(&term.notes, text, strlen(text), 6);
	} else {
		m = msg_new(256);
		msg_puts(&m, ERASE_LINE);
		wrap_put(&m, text, strlen(text), 6);
		put_input(&m);
		term_put(m);
	}
	drain(io.stdio);
}

/*
 * The terminal's width, in term.cols (80 when it cannot be told), looked
 * at before each drawing: a resize may come before its SIGWINCH. One
 * that reflows its lines, as most do (tmux, VTE, kitty; not xterm),
 * has wrapped an input line drawn wider than it is now onto rows of
 * their own, the cursor on the row its column fell on, and scrolled
 * the screen up for them: first thing in *mp, go up to the first of
 * those rows, scroll the screen down again over the rest (a line
 * inserted at the top), and clear from there, so that the input line
 * is drawn on the bottom row again. On one that does not reflow, the
 * room's last rows are scrolled down out of sight instead.
 */
static void
term_size(struct msg **mp)
{
	size_t old = term.cols, up, rows;
	char seq[64];
	int n = 0;
#ifdef TIOCGWINSZ
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		term.cols = ws.ws_col;
	else
#endif
		term.cols = 80;
	if (!old || term.cols >= old || (term.span <= term.cols && term.shown < term.cols))
		return;
	up = term.shown / term.cols;
	rows = (term.span + term.cols - 1) / term.cols;
	if (rows < up + 1)
		rows = up + 1;
	if (up)
		n = snprintf(seq, sizeof(seq), "\r\033[%zuA", up);
	n += snprintf(seq + n, sizeof(seq) - (size_t)n, "\r\0337\033[H\033[%zuL\0338\033[%zuB\033[J",
	    rows - 1, rows - 1);
	msg_put(mp, seq, (size_t)n);
	term.shown = term.span = 0;
}

/*
 * UAX #29: whether code points of break classes a and b stay in one
 * user-perceived character. ri counts the regional indicators in a row
 * up to a; zwj says a is a ZWJ after an emoji and its extenders.
 */
static int
joins(int a, int b, size_t ri, int zwj)
{
	if (a == GCB_CR && b == GCB_LF)
		return 1;
	if (a == GCB_CONTROL || a == GCB_CR || a == GCB_LF ||
	    b == GCB_CONTROL || b == GCB_CR || b == GCB_LF)
		return 0;
	if (a == GCB_L && (b == GCB_L || b == GCB_V || b == GCB_LV || b == GCB_LVT))
		return 1;
	if ((a == GCB_LV || a == GCB_V) && (b == GCB_V || b == GCB_T))
		return 1;
	if ((a == GCB_LVT || a == GCB_T) && b == GCB_T)
		return 1;
	if (b == GCB_EXTEND || b == GCB_ZWJ || b == GCB_SPACINGMARK || a == GCB_PREPEND)
		return 1;
	if (zwj && b == GCB_PICTO)
		return 1;
	return a == GCB_RI && b == GCB_RI && ri % 2;
}

/*
 * The end of the user-perceived character (UAX #29's extended grapheme
 * cluster) that starts at s[i], and in *cols the columns it takes: the
 * widths of its code points, none for one joined by ZWJ to the one
 * before (terminals draw an emoji ZWJ sequence as one). A byte that is
 * not UTF-8 is a character of one column.
 */
static size_t
cluster(const char *s, size_t n, size_t i, size_t *cols)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	size_t k, ri;
	int a, b, pict, zwj = 0;

	if (u[i] >= 0x20 && u[i] < 0x7f && (i + 1 == n || (u[i + 1] >= 0x20 && u[i + 1] < 0x7f))) {
		*cols = 1;	/* ASCII, the usual case: no look-ups */
		return i + 1;
	}
	if (!(k = utf8_len(u + i, n - i, &c))) {
		*cols = 1;
		return i + 1;
	}
	a = gcb_of(c);
	*cols = (size_t)cp_width(c);
	ri = a == GCB_RI;
	pict = a == GCB_PICTO;	/* an emoji and the extenders after it so far */
	for (i += k; i < n && (k = utf8_len(u + i, n - i, &c)); i += k, a = b) {
		b = gcb_of(c);
		if (!joins(a, b, ri, zwj))
			break;
		if (a != GCB_ZWJ)
			*cols += (size_t)cp_width(c);
		ri = b == GCB_RI ? ri + 1 : 0;
		zwj = b == GCB_ZWJ && pict;
		pict = b == GCB_PICTO || (pict && b == GCB_EXTEND);
	}
	return i;
}

/* The columns s[0..n) takes, the escape sequences chat draws not counted. */
static size_t
text_cols(const char *s, size_t n)
{
	size_t i = 0, w, cols = 0;

	while (i < n) {
		if (s[i] == '\033') {
			while (i < n && s[i] != 'm')
				i++;
			i++;
			continue;
		}
		i = cluster(s, n, i, &w);
		cols += w;
	}
	return cols;
}

/* Where the character before byte i of the input line starts. */
static size_t
cluster_before(size_t i)
{
	size_t at = 0, next, w;

	while ((next = cluster(term.line, term.len, at, &w)) < i)
		at = next;
	return at;
}

/* The byte offset one character left or right of the cursor. */
static size_t
term_step(int dir)
{
	size_t w;

	if (dir < 0)
		return term.cur ? cluster_before(term.cur) : 0;
	return term.cur < term.len ? cluster(term.line, term.len, term.cur, &w) : term.len;
}

/*
 * Where the input line is shown from, when it is wider than room: no
 * further right than need be to show its end (a wider terminal shows
 * more), and far enough right that the character under the cursor is
 * in view, a column kept on each side where text is hidden for its
 * mark (put_input). Sets term.view; gives the columns from it to the
 * end of the line.
 */
static size_t
term_scroll(size_t room)
{
	size_t i = 0, w, end, upto, rest = text_cols(term.line, term.len);

	if (term.view > term.cur)
		term.view = term.cur;
	while (i < term.view && rest + (i > 0) > room) {
		i = cluster(term.line, term.len, i, &w);
		rest -= w;
	}
	term.view = i;
	end = term.cur < term.len ? cluster(term.line, term.len, term.cur, &w) : term.cur;
	upto = text_cols(term.line + term.view, end - term.view);
	while (term.view < term.cur &&
	    upto + (term.view > 0) + (rest + (term.view > 0) > room) > room) {
		term.view = cluster(term.line, term.len, term.view, &w);
		upto -= w;
		rest -= w;
	}
	return rest;
}

/*
 * Draw the input line on one row, into *mp: a line wider than the
 * terminal scrolls sideways, by whole characters, so that the cursor
 * stays in view; it never wraps. "<" at the left edge and ">" at the
 * right say that text is hidden there. It takes at most all columns
 * but the last, which only the cursor may take, at the end of the
 * line. At exit the row is only erased.
 */
static void
put_input(struct msg **mp)
{
	char seq[32];
	size_t room = term.cols - 1, col, w, i, next;
	int n, left, right;

	msg_puts(mp, ERASE_LINE);
	if (term.ring)
		msg_puts(mp, "\a");
	term.ring = 0;
	if (term.leaving) {
		term.shown = term.span = 0;
		return;
	}
	right = term_scroll(room) + (term.view > 0) > room;
	left = term.view > 0;
	msg_put(mp, "<", (size_t)left);
	for (i = term.view, col = (size_t)left; i < term.len; i = next) {
		next = cluster(term.line, term.len, i, &w);
		if (col + w + (size_t)right > room)
			break;
		if ((unsigned char)term.line[i] == 0xc2 && i + 1 < term.len &&
		    (unsigned char)term.line[i + 1] < 0xa0)
			msg_put(mp, "?", 1);	/* a C1 control, pasted */
		else
			msg_put(mp, term.line + i, next - i);
		col += w;
	}
	for (; right && col + 1 < room; col++)
		msg_put(mp, " ", 1);	/* after a wide character that did not fit */
	msg_put(mp, ">", (size_t)right);
	term.span = col + (size_t)right;
	term.shown = (size_t)left + text_cols(term.line + term.view, term.cur - term.view);
	n = snprintf(seq, sizeof(seq), "\r\033[%zuC", term.shown);
	if (term.shown)
		msg_put(mp, seq, (size_t)n);
	else
		msg_put(mp, "\r", 1);
}

/*
 * The input line changed (a key, SIGCONT): it is drawn again behind
 * what is drawn already, unless lines wait, which are drawn with it.
 */
static void
term_redraw(void)
{
	struct msg *m;

	if (!term.on || !io.stdio || lines_wait())
		return;
	m = msg_new(256);
	put_input(&m);
	term_put(m);
}

/* SIGWINCH: draw the input line at the new width at once. */
static void
term_resize(void)
{
	struct msg *m;

	if (!term.on || !io.stdio || lines_wait())
		return;	/* the lines drawn next are drawn at the new width */
	m = msg_new(256);
	term_size(&m);
	put_input(&m);
	term_put(m);
}

/*
 * A stable colour for a nickname, from a hash of its bytes: one of six
 * on a terminal of eight colours, one of the palette on one of 256.
 */
static void
put_nick(struct msg **mp, const char *s, size_t n)
{
	unsigned long h = hash(s, n);
	char seq[24];

	if (term.colour == 256)
		snprintf(seq, sizeof(seq), "\033[38;5;%um", (unsigned)palette[h % sizeof(palette)]);
	else
		snprintf(seq, sizeof(seq), "\033[%lum", 31 + h % 6);
	if (term.colour)
		msg_puts(mp, seq);
	msg_put(mp, s, n);
	if (term.colour)
		msg_puts(mp, "\033[0m");
}

/* Our name in the room: the host's own, or the one the host gave us. */
static const char *
my_nick(void)
{
	if (io.stdio->role->flags & R_HOST)
		return io.stdio->nick;
	return uplink.me[0] ? uplink.me : uplink.nick ? uplink.nick : "";
}

/* Bytes that may be part of a word a name is in. */
static int
word_byte(unsigned char c)
{
	return c >= 0x80 || c == '_' || c == '-' || (c >= '0' && c <= '9') ||
	    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Whether text says name, as a word of its own, in any case. */
static int
mentions(const char *s, size_t n, const char *name)
{
	size_t k = strlen(name), i;

	for (i = 0; k && i + k <= n; i++)
		if (!strncasecmp(s + i, name, k) &&
		    (i == 0 || !word_byte((unsigned char)s[i - 1])) &&
		    (i + k == n || !word_byte((unsigned char)s[i + k])))
			return 1;
	return 0;
}

/*
 * The names in the room, for Tab, as the client learns them from what
 * the host says; sorted by their bytes. The host looks in its room.
 */
static size_t
name_find(const char *s, size_t n, int *found)
{
	size_t lo = 0, hi = term.nnames, mid;
	int d;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		d = strncmp(term.names[mid], s, n);
		if (!d && term.names[mid][n])
			d = 1;
		if (!d) {
			*found = 1;
			return mid;
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
name_add(const char *s, size_t n)
{
	int found;
	size_t i = name_find(s, n, &found);

	if (found || !n || n > NICK_MAX || !term.on)
		return;	/* only Tab at the terminal asks for names */
	if (term.nnames == term.namecap) {
		term.namecap = term.namecap ? 2 * term.namecap : 16;
		term.names = xrealloc(term.names, term.namecap * sizeof(*term.names));
	}
	memmove(term.names + i + 1, term.names + i, (term.nnames - i) * sizeof(*term.names));
	term.names[i] = xmalloc(n + 1);
	memcpy(term.names[i], s, n);
	term.names[i][n] = '\0';
	term.nnames++;
}

static void
name_del(const char *s, size_t n)
{
	int found;
	size_t i = name_find(s, n, &found);

	if (!found)
		return;
	free(term.names[i]);
	term.nnames--;
	memmove(term.names + i, term.names + i + 1, (term.nnames - i) * sizeof(*term.names));
}

/* "a, b, c", from a welcome or /who, maybe ending in " and N more": each added, or taken off. */
static void
name_list(const char *s, size_t n, void (*each)(const char *, size_t))
{
	size_t k;

	if (n == 11 && !memcmp(s, "nobody else", 11))
		return;
	for (;;) {
		for (k = 0; k < n && s[k] != ',' && s[k] != ' '; k++)
			;
		each(s, k);
		if (n - k >= 7 && !memcmp(s + k, " (away)", 7))
			k += 7;
		if (k + 2 > n || s[k] != ',' || s[k + 1] != ' ')
			return;
		s += k + 2, n -= k + 2;
	}
}

/* Does s[0..n) start with the string w? */
static int
starts(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);

	return n >= k && !memcmp(s, w, k);
}

/* Is s "HH:MM ", the time a history line was said? */
static int
is_time(const char *s, size_t n)
{
	return n > 6 && s[2] == ':' && s[5] == ' ' &&
	    strspn(s, "0123456789") == 2 && s[3] >= '0' && s[3] <= '9' &&
	    s[4] >= '0' && s[4] <= '9';
}

/*
 * One protocol line as the terminal shows it: with -t the time it was
 * said, nicks in their colour, notices dim; a line that mentions us, or
 * a private message to us, in reverse video and with the bell. A line
 * wider than the terminal wraps, its next rows indented past its stamp
 * so that no row but its first starts at the left edge.
 */
static void
present(struct msg **mp, const char *s, size_t n)
{
	struct msg **lp = &term.draw;
	char stamp[16];
	size_t at, len, body = 0, sl = 0, indent;
	enum form f;
	int hi, old = term.replay, pending = n && s[0] == MARK_PENDING[0];

	if (pending)
		s++, n--;
	if (old && is_time(s, n)) {
		memcpy(stamp, s, 6);
		sl = opt.stamps ? 6 : 0;
		s += 6, n -= 6;
	} else if (opt.stamps) {
		sl = strlen(hhmm());
		memcpy(stamp, hhmm(), sl);
	}
	f = parse_form(s, n, &at, &len);
	if (f == FORM_NOTICE)
		body = sizeof(MARK_NOTICE) - 1;
	else if (f != FORM_TEXT)
		body = at + len + (f == FORM_ACTION ? 1 : 2);
	if (body > n)
		body = n;
	if (f == FORM_NOTICE && (same(s + body, n - body, NOTICE_HISTORY) ||
	    same(s + body, n - body, NOTICE_HISTORY_END)))
		term.replay = same(s + body, n - body, NOTICE_HISTORY);
	else if ((f == FORM_SAY || f == FORM_ACTION) && !old && !(io.stdio->role->flags & R_HOST))
		name_add(s + at, len);
	hi = !old && (f == FORM_PRIVATE || ((f == FORM_SAY || f == FORM_ACTION) &&
	    !same(s + at, len, my_nick()) &&
	    mentions(s + body, n - body, my_nick())));
	term.bell |= hi;
	(*lp)->len = 0;
	msg_put(lp, stamp, sl);
	if (pending) {
		msg_puts(lp, term.colour ? "\033[2m" PENDING_SIGN : PENDING_SIGN);
		msg_put(lp, s, n);
		msg_puts(lp, term.colour ? "\033[0m" : "");
		sl += text_cols(PENDING_SIGN, strlen(PENDING_SIGN));
	} else if (!term.colour || f == FORM_TEXT) {
		msg_put(lp, s, n);
	} else if (f == FORM_NOTICE) {
		msg_puts(lp, "\033[2m");
		msg_put(lp, s, n);
		msg_puts(lp, "\033[0m");
	} else {
		msg_put(lp, s, at);
		put_nick(lp, s + at, len);
		msg_put(lp, s + at + len, body - at - len);
		if (hi)
			msg_puts(lp, "\033[7m");
		msg_put(lp, s + body, n - body);
		if (hi)
			msg_puts(lp, "\033[0m");
	}
	indent = sl + text_cols(s, body);
	if (indent < 2)
		indent = 2;
	if (indent > term.cols / 2)
		indent = term.cols / 2;
	wrap_put(mp, (*lp)->data, (*lp)->len, indent);
}

/*
 * Whether a word wider than a row may be written whole, for the
 * terminal to wrap, so that selecting it copies all of it (a URL): it
 * is printable ASCII, chat's attributes aside, so no row of it can
 * pass for a line, which has a blank after its mark.
 */
static int
whole_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] < 0x21 || s[i] > 0x7e) && s[i] != '\033')
			return 0;
	return 1;
}

/*
 * Copy a line that present drew, with its attributes, wrapped at the
 * terminal's width: before a word that would not fit, or inside one
 * wider than a row. One wider than a row that whole_word allows is
 * written whole instead, the text after it on a row of its own. The
 * attributes end before each wrap and start again after the indent, so
 * the indent is blank.
 */
static void
wrap_put(struct msg **mp, const char *s, size_t n, size_t indent)
{
	char attrs[64];
	size_t i = 0, end, col = 0, w, na = 0, word, k, whole = 0;
	int blank_before = 0;	/* the last character written: attributes do not count */

	while (i < n) {
		if (s[i] == '\033') {
			for (end = i; end < n && s[end] != 'm'; end++)
				;
			end += end < n;
			if (end - i == 4 && s[i + 2] == '0')
				na = 0;
			else if (na + end - i <= sizeof(attrs))
				memcpy(attrs + na, s + i, end - i), na += end - i;
			msg_put(mp, s + i, end - i);
			i = end;
			continue;
		}
		end = cluster(s, n, i, &w);
		word = w;
		if (s[i] != ' ' && blank_before) {
			for (k = i; k < n && s[k] != ' '; k++)
				;
			word = text_cols(s + i, k - i);
			if (word > term.cols - indent && whole_word(s + i, k - i))
				whole = k;	/* the terminal wraps it */
		}
		if (col > indent && (i == whole || (i > whole && (col + w > term.cols ||
		    (col + word > term.cols && word <= term.cols - indent))))) {
			if (na)
				msg_puts(mp, "\033[0m");
			msg_puts(mp, "\n");
			for (col = 0; col < indent; col++)
				msg_put(mp, " ", 1);
			msg_put(mp, attrs, na);
			if (s[i] == ' ') {
				i = end;	/* a row does not start with the space it broke at */
				blank_before = 1;
				continue;
			}
		}
		msg_put(mp, s + i, end - i);
		col += w;
		blank_before = s[i] == ' ';
		i = end;
	}
	msg_puts(mp, "\n");
}

/*
 * The show hook, before each write: once the terminal has taken all
 * that was drawn, the lines queued behind it are drawn, TERM_CHUNK at a
 * time, into one message that takes their place at the front: the
 * input line erased, chat's messages that waited, the lines, the bell,
 * the input line again. Until then they stay queued as lines, and the
 * queue's rules (hold, lag, missed lines) apply as to any reader.
 */
static void
term_show(struct peer *p)
{
	struct outq *q = &p->q;
	struct slice *sl;
	struct msg *m;
	const char *s, *end, *nl;
	size_t k, used = 0;

	if (q->drawn || !q->n)
		return;
	m = msg_new(256 + (q->bytes < TERM_CHUNK ? q->bytes : TERM_CHUNK));	/* it grows as drawn */
	term_size(&m);
	msg_puts(&m, ERASE_LINE);
	msg_put(&m, term.notes->data, term.notes->len);
	term.notes->len = 0;
	for (k = 0; k < q->n && m->len < TERM_CHUNK; k++) {
		sl = outq_at(q, k);
		end = sl->m->data + sl->end;
		for (s = sl->m->data + sl->off; s < end && m->len < TERM_CHUNK;
		    s = nl < end ? nl + 1 : end) {
			if (!(nl = memchr(s, '\n', (size_t)(end - s))))
				nl = end;	/* a slice that ends mid-line: all of it */
			present(&m, s, (size_t)(nl - s));
			used += (size_t)(nl - s) + (nl < end);
		}
	}
	if (term.bell && !opt.nobell)
		msg_puts(&m, "\a");
	term.bell = 0;
	put_input(&m);
	outq_pop(q, used);
	outq_unshift(p, m);
	q->drawn = m->len;
}

/*
 * Keys, for the stdio peer at a terminal; the line is drawn again
 * once they are all handled, unless a character is still coming.
 */
static void
term_input(struct peer *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		term_key(p, (unsigned char)s[i]);
	run_flush();
	/* the rest of the character before the cursor may be on its way */
	if (utf8_cut(term.line, term.cur, '\x80') == term.cur)
		term_redraw();
}

/*
 * What the room sees of a line we typed, shown in its place: a room
 * line or an action under our name. Other commands are not shown:
 * their answers are, and the host's copy of a /msg. One typed while
 * the link is down is shown pending, and again once it is written to
 * the host (link_drained).
 */
static void
term_own(struct peer *p, const char *s, size_t n)
{
	const struct command *c;
	struct msg *m;
	enum form f = FORM_SAY;
	size_t a;
	int pend = offline();

	if (n > 1 && s[0] == '/' && s[1] == '/') {
		s++, n--;
	} else if (s[0] == '/') {
		if (!(c = find_command(s, n, &a)) || !(c->flags & C_ACTION) || a >= n)
			return;
		f = FORM_ACTION, s += a, n -= a;
	}
	m = msg_new(n + NICK_MAX + 8);
	if (pend)
		msg_puts(&m, MARK_PENDING);
	put_form(&m, f, my_nick());
	sanitize(&m, s, n, LINE_MAX_BYTES);
	msg_puts(&m, "\n");
	if (pend) {
		if (!uplink.pending)
			uplink.pending = msg_new(m->len);
		msg_put(&uplink.pending, m->data + 1, m->len - 1);
	}
	send_to(p, m);
}

/* Enter: the line leaves the input line, is heard, and is shown as said. */
static void
term_enter(struct peer *p)
{
	char *line;
	size_t n = term.len;

	term.full = 0;
	if (blank(term.line, n)) {
		term.len = term.cur = term.view = 0;	/* not sent, nor recalled */
		return;
	}
	line = xmalloc(n + 1);
	memcpy(line, term.line, n);
	line[n] = '\0';
	if (term.nrecall == RECALL_MAX) {
		free(term.recall[0]);
		memmove(term.recall, term.recall + 1, (RECALL_MAX - 1) * sizeof(*term.recall));
		term.nrecall--;
	}
	term.recall[term.nrecall++] = line;
	term.rpos = term.nrecall;
	term.len = term.cur = term.view = 0;
	term_own(p, line, n);
	line_done(p, line, n);
}

/* Up and Down: walk the lines sent this session; past the last, the draft. */
static void
term_recall(int dir)
{
	const char *s;

	if ((dir < 0 && term.rpos == 0) || (dir > 0 && term.rpos >= term.nrecall))
		return;
	if (term.rpos == term.nrecall) {
		free(term.draft);
		term.draft = xmalloc(term.len + 1);
		memcpy(term.draft, term.line, term.len);
		term.draft[term.len] = '\0';
	}
	term.rpos += dir;
	s = term.rpos < term.nrecall ? term.recall[term.rpos] : term.draft;
	term.len = term.cur = strlen(s);
	memcpy(term.line, s, term.len);
}

/* Remove bytes [a, b) of the input line; the cursor goes to a. */
static void
term_cut(size_t a, size_t b)
{
	memmove(term.line + a, term.line + b, term.len - b);
	term.len -= b - a;
	term.cur = a;
}

/* Cut bytes [a, b) of the input line and keep them for Ctrl-Y. */
static void
term_kill(size_t a, size_t b)
{
	if (a == b)
		return;	/* what was cut before is kept */
	memcpy(term.kill, term.line + a, b - a);
	term.killlen = b - a;
	term_cut(a, b);
}

/*
 * Where the word before the cursor starts (Alt-B, Alt-Backspace), or
 * the one it is in; where the word after it ends (Alt-F, Alt-D). A
 * word is what a name may be made of (word_byte), by whole characters.
 */
static size_t
word_start(void)
{
	size_t i, next, w, at = 0;
	int was = 0, is;

	for (i = 0; i < term.cur; i = next, was = is) {
		next = cluster(term.line, term.len, i, &w);
		is = word_byte((unsigned char)term.line[i]);
		if (is && !was)
			at = i;
	}
	return at;
}

static size_t
word_end(void)
{
	size_t i = term.cur, w;

	while (i < term.len && !word_byte((unsigned char)term.line[i]))
		i = cluster(term.line, term.len, i, &w);
	while (i < term.len && word_byte((unsigned char)term.line[i]))
		i = cluster(term.line, term.len, i, &w);
	return i;
}

/*
 * Put s[0..n) in at the cursor, if it fits; the cursor goes after it.
 * What does not fit rings the bell, and is said once: a paste too long
 * for a line is not cut without a word. The rest of a character that
 * did not fit is dropped with it.
 */
static void
term_insert(const char *s, size_t n)
{
	if (term.full && (s[0] & 0xc0) == 0x80)
		return;
	if (n > sizeof(term.line) - term.len) {
		term_cut(utf8_cut(term.line, term.cur, s[0]), term.cur);
		if (!term.full) {
			term.ring = 1;
			warnx("the input line is full: %d bytes at most; the rest is dropped",
			    LINE_MAX_BYTES);
		}
		term.full = 1;
		return;
	}
	term.full = 0;
	memmove(term.line + term.cur + n, term.line + term.cur, term.len - term.cur);
	memcpy(term.line + term.cur, s, n);
	term.len += n;
	term.cur += n;
}

static int
by_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int d = strcasecmp(x, y);

	return d ? d : strcmp(x, y);
}

/* Offer name as a completion of s[0..n) if it starts so, in any case. */
static void
offer(const char **out, size_t *k, const char *name, const char *s, size_t n)
{
	if (strlen(name) >= n && !strncasecmp(name, s, n))
		out[(*k)++] = name;
}

/*
 * What the word s[0..n) may be completed to, sorted, at most max of
 * them: a command this end may give, or a name in the room but ours.
 */
static size_t
completions(const char *s, size_t n, int command, const char **out, size_t max)
{
	const char *me = my_nick();
	struct peer *q;
	size_t i, k = 0, slot = SLOT_STDIN;
	int host = io.stdio->role->flags & R_HOST;

	if (command) {
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]) && k < max; i++)
			if ((host || !(commands[i].flags & C_HOST)) &&
			    !(commands[i].flags & C_BEFORE))
				offer(out, &k, commands[i].name, s, n);
	} else if (host) {
		while (k < max && (q = next_member(&slot)))
			if (strcmp(q->nick, me))
				offer(out, &k, q->nick, s, n);
	} else {
		for (i = 0; i < term.nnames && k < max; i++)
			if (strcmp(term.names[i], me))
				offer(out, &k, term.names[i], s, n);
	}
	qsort(out, k, sizeof(*out), by_name);
	return k;
}

/*
 * Tab: complete the word before the cursor to a name, "name: " at the
 * start of the line; "/" and a command's start to the command. Tab
 * again puts the next candidate in its place.
 */
static void
term_tab(void)
{
	const char *cand[64];
	size_t n, ws;
	int command;

	if (!term.tabbing) {
		for (ws = term.cur; ws > 0 && term.line[ws - 1] != ' '; ws--)
			;
		if (term.cur - ws > NICK_MAX)
			return;
		term.tab_at = ws;
		term.tab_len = term.cur - ws;
		memcpy(term.tab_word, term.line + ws, term.tab_len);
		term.tab_next = 0;
	}
	command = term.tab_at == 0 && term.tab_len && term.tab_word[0] == '/';
	n = completions(term.tab_word + command, term.tab_len - command, command,
	    cand, sizeof(cand) / sizeof(cand[0]));
	if (!n || strlen(cand[term.tab_next % n]) + 3 >
	    sizeof(term.line) - term.len + (term.cur - term.tab_at))
		return;
	term_cut(term.tab_at, term.cur);
	if (command)
		term_insert("/", 1);
	term_insert(cand[term.tab_next % n], strlen(cand[term.tab_next % n]));
	if (term.tab_at == 0 && !command)
		term_insert(":", 1);
	term_insert(" ", 1);
	term.tab_next++;
	term.tabbing = 1;
}

/*
 * Ctrl-L: clear the screen, as readline does, and draw the input line
 * again at the top. Lines that wait to be drawn come after the clear.
 */
static void
term_clear(void)
{
	struct msg *m = msg_new(256 + term.notes->len);

	msg_puts(&m, CLEAR_SCREEN);
	if (lines_wait()) {
		msg_put(&m, term.notes->data, term.notes->len);
		free(term.notes);
		term.notes = m;
		return;
	}
	put_input(&m);
	term_put(m);
}

/*
 * Keys that come as escape sequences: arrows, Home, End, Delete,
 * Ctrl-Left and Ctrl-Right; and the marks around a paste, inside which
 * no other sequence is a key.
 */
static void
term_escape(const char *seq)
{
	if (!strcmp(seq, "[200~") || !strcmp(seq, "[201~"))
		term.paste = seq[3] == '0';
	else if (term.paste)
		return;
	else if (!strcmp(seq, "[1;5C") || !strcmp(seq, "[5C"))
		term.cur = word_end();
	else if (!strcmp(seq, "[1;5D") || !strcmp(seq, "[5D"))
		term.cur = word_start();
	else if (!strcmp(seq, "[A") || !strcmp(seq, "OA"))
		term_recall(-1);
	else if (!strcmp(seq, "[B") || !strcmp(seq, "OB"))
		term_recall(1);
	else if (!strcmp(seq, "[C") || !strcmp(seq, "OC"))
		term.cur = term_step(1);
	else if (!strcmp(seq, "[D") || !strcmp(seq, "OD"))
		term.cur = term_step(-1);
	else if (!strcmp(seq, "[H") || !strcmp(seq, "OH") || !strcmp(seq, "[1~") || !strcmp(seq, "[7~"))
		term.cur = 0;
	else if (!strcmp(seq, "[F") || !strcmp(seq, "OF") || !strcmp(seq, "[4~") || !strcmp(seq, "[8~"))
		term.cur = term.len;
	else if (!strcmp(seq, "[3~") && term.cur < term.len)
		term_cut(term.cur, term_step(1));
}

/*
 * A key after Escape, which is how a terminal sends Alt with it: Alt-B,
 * Alt-F, Alt-D and Alt-Backspace work on words; after any other, the
 * key is a key (Escape alone does nothing).
 */
static void
term_meta(struct peer *p, unsigned char c)
{
	if (c == 'b' && !term.paste)
		term.cur = word_start();
	else if (c == 'f' && !term.paste)
		term.cur = word_end();
	else if (c == 'd' && !term.paste)
		term_kill(term.cur, word_end());
	else if ((c == 0x7f || c == 0x08) && !term.paste)
		term_kill(word_start(), term.cur);
	else
		term_key(p, c);
}

/*
 * A byte of a paste: a line break sends the line, as Enter does; a Tab
 * is the space the room would see; other controls are left out.
 */
static void
term_pasted(struct peer *p, unsigned char c)
{
	if (c == '\r' || c == '\n')
		term_enter(p);
	else if (c == '\t')
		term_insert(" ", 1);
	else if (c >= 0x20 && c != 0x7f)
		term_insert((const char *)&c, 1);
}

/* Ctrl-W: cut back to the start of the blank-separated word before the cursor. */
static void
term_rubout(void)
{
	size_t i;

	for (i = term.cur; i > 0 && term.line[i - 1] == ' '; i--)
		;
	while (i > 0 && term.line[i - 1] != ' ')
		i--;
	if (i < term.cur)
		term_kill(cluster_before(i + 1), term.cur);
}

/* One key (a byte, or the end of an escape sequence) edits the line. */
static void
term_key(struct peer *p, unsigned char c)
{
	if (term.esc) {
		term.seq[term.esc - 1] = (char)c;
		term.seq[term.esc++] = '\0';
		if (term.esc == 2 && c != '[' && c != 'O') {
			term.esc = 0;
			term_meta(p, c);
		} else if ((term.esc > 2 && c >= 0x40 && c <= 0x7e) ||
		    term.esc == sizeof(term.seq)) {
			term_escape(term.seq);
			term.esc = 0;
		}
		return;
	}
	if (c == 0x1b) {
		term.esc = 1;
		return;
	}
	if (term.paste) {
		term_pasted(p, c);
		return;
	}
	if (c != '\t')
		term.tabbing = 0;
	switch (c) {
	case '\r': case '\n': term_enter(p); break;
	case '\t': term_tab(); break;
	case 0x01: term.cur = 0; break;				/* Ctrl-A */
	case 0x05: term.cur = term.len; break;			/* Ctrl-E */
	case 0x02: term.cur = term_step(-1); break;		/* Ctrl-B */
	case 0x06: term.cur = term_step(1); break;		/* Ctrl-F */
	case 0x10: term_recall(-1); break;			/* Ctrl-P */
	case 0x0e: term_recall(1); break;			/* Ctrl-N */
	case 0x15: term_kill(0, term.cur); break;		/* Ctrl-U */
	case 0x0b: term_kill(term.cur, term.len); break;	/* Ctrl-K */
	case 0x17: term_rubout(); break;			/* Ctrl-W */
	case 0x19: term_insert(term.kill, term.killlen); break;	/* Ctrl-Y */
	case 0x0c: term_clear(); break;				/* Ctrl-L */
	case 0x7f: case 0x08:					/* Backspace */
		if (term.cur)
			term_cut(term_step(-1), term.cur);
		break;
	case 0x04:						/* Ctrl-D */
		if (term.len)
			term_cut(term.cur, term_step(1));
		else
			p->role->on_ctrl_d(p, NULL, 0);
		break;
	default:
		if (c >= 0x20)
			term_insert((const char *)&c, 1);
	}
}

/* ---- usage and main ----------------------------------------------- */

static const char synopsis[] =
    "usage: chat -l [-46BCtTv] [-b lines] [-e command] [-J n] [-L file]\n"
    "               [-m max] [-n nick] [-P password] [-R lines] [-s addr] [port]\n"
    "       chat [-46BCHrtv] [-e command] [-n nick] [-P password] [-q secs]\n"
    "            [-w secs] host [port]\n"
    "       chat -l -U path [-BCtTv] [-b lines] [-e command] [-J n] [-L file]\n"
    "               [-m max] [-n nick] [-P password] [-R lines]\n"
    "       chat -U path [-BCHrtv] [-e command] [-n nick] [-P password] [-q secs]\n"
    "            [-w secs]\n";


static void
usage(void)
{
	fputs(synopsis, stderr);
	exit(2);
}

static void
help(void)
{
	struct msg *m = msg_new(1024);
	size_t i;

	fputs(synopsis, stdout);
	printf("\n"
	    "  -l        host a room (port %s unless given; 0 picks a free one)\n"
	    "  -4, -6    IPv4 or IPv6 only\n"
	    "  -b LINES  host: room lines replayed to newcomers (default %d, 0: none)\n"
	    "  -B        at a terminal, no bell for a mention or a private message\n"
	    "  -C        lines from a pipe may be commands (default: all are text)\n"
	    "  -e CMD    run CMD with /bin/sh -c in our place: its output is what we\n"
	    "            say, the room's lines its input; its exit ends the session\n"
	    "  -h        this help\n"
	    "  -H        show the room's history when stdout is not a terminal too\n"
	    "  -J N      host: gather joins and leaves past N members (default %d)\n"
	    "  -L FILE   host: append the room's lines to FILE, and read its end back\n"
	    "            at start: the history and the topic again\n"
	    "  -m MAX    host: most peers at once (default %d, or what the\n"
	    "            descriptor limit allows)\n"
	    "  -n NICK   nickname (default $USER, then $LOGNAME, made a valid name)\n"
	    "  -P PASS   the room's password (or $CHAT_PASSWORD, kept out of ps)\n"
	    "  -q SECS   after stdin EOF, stay SECS before leaving; -1: until the host goes\n"
	    "  -r        keep trying to connect, and connect again after a drop\n"
	    "  -R LINES  host: a peer may send LINES lines a second (twice that at once);\n"
	    "            the rest wait, unread, and none is lost\n"
	    "  -s ADDR   host: listen on ADDR only (default: every address)\n"
	    "  -t        at a terminal, show the time each line was said\n"
	    "  -T        host: only the host may set the /topic\n"
	    "  -U PATH   a Unix-domain socket at PATH, not an address and port; its\n"
	    "            permissions decide who may join (ssh -L can forward to it)\n"
	    "  -v        report where we listen or connect on stderr\n"
	    "  -w SECS   give up a connection attempt after SECS\n"
	    "\n"
	    "room commands:\n", DEFAULT_PORT, BACKLOG_DEFAULT, GATHER_DEFAULT, PEERS_DEFAULT);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		msg_puts(&m, "  ");
		put_help(&m, &commands[i]);
	}
	msg_puts(&m, "  ");
	put_help(&m, NULL);
	fwrite(m->data, 1, m->len, stdout);
	free(m);
}

/*
 * getopt, but options may come after the operands too, as nc takes them
 * on Linux, without GNU getopt's reordering: where getopt stops at an
 * operand, it is put aside in operand[] (the first OPERANDS_MAX; *nops
 * counts them all) and getopt goes on after it. After "--" the rest are
 * operands. POSIX has getopt leave optind at an operand and move it
 * past "--", which is how the two are told apart.
 */
static int
next_option(int argc, char *argv[], const char *opts, char **operand, int *nops)
{
	int at, c, rest = 0;

	for (;;) {
		at = optind;
		if (!rest && (c = getopt(argc, argv, opts)) != -1)
			return c;
		rest |= optind > at;	/* it was "--" */
		if (optind >= argc)
			return -1;
		if (*nops < OPERANDS_MAX)
			operand[*nops] = argv[optind];
		++*nops;
		optind++;
	}
}

/*
 * The nickname: -n, else one made of $USER, else of $LOGNAME (nick_of);
 * NULL lets the host pick, and none is what that means, for saying so
 * when a name from the environment could not be used.
 */
static const char *
pick_nick(const char *arg, const char *none)
{
	static char made[NICK_MAX + 1], bad[NICK_MAX + 1];
	const char *env[] = { "USER", "LOGNAME" }, *s, *from = NULL;
	size_t i;

	if (arg) {
		if (!nick_ok(arg, strlen(arg))) {
			fprintf(stderr, "chat: invalid nickname \"%s\": names are "
			    NICK_RULE "\n", arg, NICK_MAX);
			usage();
		}
		return arg;
	}
	for (i = 0; i < 2; i++) {
		if (!(s = getenv(env[i])) || !*s)
			continue;
		if (nick_of(s, made))
			break;
		if (!from) {
			memcpy(bad, made, sizeof(bad));
			from = env[i];
		}
	}
	if (from && i < 2)
		warnx("$%s cannot be a nickname, even as \"%s\" (names are " NICK_RULE
		    "); using $%s: %s", from, bad, NICK_MAX, env[i], made);
	else if (from)
		warnx("$%s cannot be a nickname, even as \"%s\" (names are " NICK_RULE
		    "); %s", from, bad, NICK_MAX, none);
	return i < 2 ? made : NULL;
}

/*
 * A nickname made of a login name: what a name may not hold becomes _,
 * and it ends at a character within NICK_MAX, so "john doe" is john_doe.
 * out gets it either way; says whether it is a nickname (one script).
 */
static int
nick_of(const char *s, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k, len = 0, n = strlen(s);
	unsigned long c;

	for (i = 0; i < n; i += k) {
		if ((k = utf8_len(u + i, n - i, &c)) && nick_char(c, !len) >= 0) {
			if (len + k > NICK_MAX)
				break;
			memcpy(out + len, s + i, k);
			len += k;
		} else {
			if (len == NICK_MAX)
				break;
			out[len++] = '_';
			k = k ? k : 1;	/* a byte that is not UTF-8 is one _ */
		}
	}
	out[len] = '\0';
	return nick_ok(out, len);
}

/*
 * The soft descriptor limit goes up to the hard one; the default room
 * size is what that leaves room for, at most PEERS_DEFAULT.
 */
static size_t
peer_limit(long want)
{
	struct rlimit rl;
	rlim_t room = PEERS_DEFAULT + FD_RESERVE;

	if (want > 0)
		room = (rlim_t)want + FD_RESERVE;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < room) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > room ?
		    room : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (want > 0)
		return (size_t)want;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < room)
		return rl.rlim_cur > 2 * FD_RESERVE ? (size_t)(rl.rlim_cur - FD_RESERVE) : FD_RESERVE;
	return PEERS_DEFAULT;
}

/* Signals, the self-pipe and the terminal (or, -e, SIGCHLD): both modes. */
static void
setup(void)
{
	struct sigaction sa;

	signal(SIGPIPE, SIG_IGN);
	if (pipe(io.sigfd) < 0)
		die("pipe:");
	own_fd(io.sigfd[0]);
	own_fd(io.sigfd[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (opt.exec) {
		/* only an exit counts; a slow call is not cut short by it */
		sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
		sigaction(SIGCHLD, &sa, NULL);
		sa.sa_flags = 0;
	} else {
		term_start();	/* with -e, our stdin and stdout are not used */
	}
	if (term.on) {
		sigaction(SIGWINCH, &sa, NULL);
		sa.sa_handler = on_stop;
		sigaction(SIGTSTP, &sa, NULL);
	}
	io.shared = msg_new(SHARED_MAX + LINE_ROOM);
	io.shared->refs = 1;	/* its own */
	slot_add(io.sigfd[0], POLLIN, NULL);
}

/*
 * Our own stdin and stdout, as a peer of the given role (with -e, the
 * program's: program_new); at a terminal it reads keys and draws lines
 * above the input line instead. Lines from a pipe or a file are text:
 * a log line that starts with / is not a command, unless -C says they
 * may be.
 */
static struct peer *
stdio_new(const struct role *faces)
{
	struct stat st;
	struct peer *p;

	if (opt.exec)
		return program_new(&faces[FACE_PROG]);
	p = peer_new(&faces[term.on ? FACE_TERM : FACE_PLAIN], STDIN_FILENO, STDOUT_FILENO);
	set_state(p, JOINED);
	if (!term.on && !opt.commands)
		p->flags |= F_TEXT;
	if (fstat(STDIN_FILENO, &st) < 0)
		p->rfd = -1;
	/* Regular files and /dev/null never block; pipes and terminals may,
	 * but not the terminal term_start made non-blocking. */
	if (fstat(STDOUT_FILENO, &st) < 0)
		p->wfd = -1;
	else if (!S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) && !isatty(STDOUT_FILENO)) &&
	    !term.on)
		p->flags |= F_POLLWRITE;
	/* `chat HOST | grep -m1 x` ends when grep does, not at the next line */
	if (p->wfd >= 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
		p->flags |= F_WATCHOUT;
		set_writing(p, 0);
	}
	io.stdio = p;
	return p;
}

/*
 * A closed stdin, stdout or stderr is opened on /dev/null, before any
 * socket or pipe could take its number and be read or written as it.
 */
static void
open_stdio(void)
{
	int fd;

	for (fd = 0; fd <= STDERR_FILENO; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			exit(1);
}

/*
 * HOST and PORT, or -l's PORT: a wrong count says what was meant, nc's
 * `-l ADDR PORT` too.
 */
static void
operands_check(int argc, char *argv[], int listening)
{
	if (listening && (argc == 2 || (argc == 1 && strpbrk(argv[0], ".:")))) {
		fprintf(stderr, "chat: -l takes a port, not an address: use -s %s\n",
		    argv[0]);
		usage();
	}
	if (!listening && argc < 1) {
		fprintf(stderr, "chat: no host to join given (-l hosts a room)\n");
		usage();
	}
	if (argc > (listening ? 1 : 2)) {
		fprintf(stderr, "chat: too many arguments: %s\n", argv[listening ? 1 : 2]);
		usage();
	}
}

int
main(int argc, char *argv[])
{
	const char *port = DEFAULT_PORT, *addr = NULL, *nick, *nickarg = NULL;
	char *operand[OPERANDS_MAX];
	long maxarg = -1, backarg = -1, gatherarg = -1;
	int c, listening = 0, qset = 0, nops = 0;

	open_stdio();
	opterr = 0;
	while ((c = next_option(argc, argv, ":46Bb:Ce:hHJ:lL:m:n:P:q:rR:s:tTU:vw:",
	    operand, &nops)) != -1) {
		switch (c) {
		case 'C': opt.commands = 1; break;
		case 'e': opt.exec = optarg; break;
		case 'H': opt.history = 1; break;
		case '4': opt.family = AF_INET; break;
		case '6': opt.family = AF_INET6; break;
		case 'b': backarg = number(optarg, 0, BACKLOG_MAX, "-b value"); break;
		case 'h': help(); return 0;
		case 'J': gatherarg = number(optarg, 0, 1000000, "-J value"); break;
		case 'l': listening = 1; break;
		case 'L': opt.logpath = optarg; break;
		case 'm': maxarg = number(optarg, 1, 1000000, "-m value"); break;
		case 'n': nickarg = optarg; break;
		case 'P': opt.password = optarg; break;
		case 'q': opt.quitwait = number(optarg, -1, 1000000, "-q value"); qset = 1; break;
		case 'r': opt.redial = 1; break;
		case 'R': opt.rate = number(optarg, 1, RATE_MAX, "-R value"); break;
		case 's': addr = optarg; break;
		case 't': opt.stamps = 1; break;
		case 'T': opt.topiclock = 1; break;
		case 'U': opt.unixpath = optarg; break;
		case 'B': opt.nobell = 1; break;
		case 'v': opt.verbose = 1; break;
		case 'w': opt.connwait = number(optarg, 1, 1000000, "-w value"); break;
		case ':':
			fprintf(stderr, "chat: option -%c needs a value\n", optopt);
			usage();
			break;
		default:
			fprintf(stderr, "chat: unknown option -%c\n", optopt);
			usage();
		}
	}
	argc = nops;
	argv = operand;
	if (listening && (qset || opt.connwait >= 0 || opt.redial || opt.history)) {
		fprintf(stderr, "chat: cannot use -H, -q, -r or -w with -l\n");
		usage();
	}
	if (opt.exec && qset) {
		fprintf(stderr, "chat: cannot use -q with -e: the program's exit ends the session\n");
		usage();
	}
	if (!listening && (addr || maxarg >= 0 || backarg >= 0 || gatherarg >= 0 ||
	    opt.topiclock || opt.rate || opt.logpath)) {
		fprintf(stderr, "chat: -b, -J, -L, -m, -R, -s and -T need -l\n");
		usage();
	}
	if (opt.unixpath && (addr || opt.family != AF_UNSPEC)) {
		fprintf(stderr, "chat: cannot use -4, -6 or -s with -U\n");
		usage();
	}
	if (opt.unixpath && (!*opt.unixpath || strlen(opt.unixpath) >= SUN_PATH_MAX)) {
		fprintf(stderr, "chat: invalid -U path (1 to %d bytes): %s\n",
		    (int)SUN_PATH_MAX - 1, opt.unixpath);
		usage();
	}
	if (opt.unixpath && argc) {
		fprintf(stderr, "chat: -U PATH takes the place of %s\n",
		    listening ? "the port" : "the host and port");
		usage();
	}
	if (backarg >= 0)
		opt.backmax = (size_t)backarg;
	if (gatherarg >= 0)
		opt.gather = (size_t)gatherarg;
	if (!opt.password)
		opt.password = getenv("CHAT_PASSWORD");
	if (opt.password && (!*opt.password || strpbrk(opt.password, "\r\n"))) {
		fprintf(stderr, "chat: the password must be one line, not empty\n");
		usage();
	}
	if (!opt.unixpath)
		operands_check(argc, argv, listening);
	if (argc == (listening ? 1 : 2))
		port = argv[argc - 1];
	number(port, listening ? 0 : 1, 65535, "port");
	nick = pick_nick(nickarg, listening ? "the host is called \"host\"" :
	    "the host will name you guestN");
	setup();
	if (listening)
		host_start(addr, port, nick, maxarg);
	else
		client_start(argv[0], port, nick);
	update_reading();
	io.now = now_ms();
	end_turn();
	loop();
	return 0;
}

/* ---- Unicode: the tables t/unicode.pl generates, and their lookups ---- */

/* BEGIN unicode tables: generated by t/unicode.pl from Unicode 15.0.0; do not edit */

/* nick_chars: the code points a nickname may hold (letters, marks, decimal digits and _ - .),
 * with v the script id: 0 for Common and Inherited, which belong to no one script:
 * 0 Common/Inherited, 1 Latin, 2 Bopomofo, 3 Greek, 4 Coptic, 5 Cyrillic, 6 Armenian, 7 Hebrew,
 * 8 Arabic, 9 Syriac, 10 Thaana, 11 Nko, 12 Samaritan, 13 Mandaic, 14 Devanagari, 15 Bengali,
 * 16 Gurmukhi, 17 Gujarati, 18 Oriya, 19 Tamil, 20 Telugu, 21 Kannada, 22 Malayalam,
 * 23 Sinhala, 24 Thai, 25 Lao, 26 Tibetan, 27 Myanmar, 28 Georgian, 29 Hangul, 30 Ethiopic,
 * 31 Cherokee, 32 Canadian_Aboriginal, 33 Ogham, 34 Runic, 35 Tagalog, 36 Hanunoo, 37 Buhid,
 * 38 Tagbanwa, 39 Khmer, 40 Mongolian, 41 Limbu, 42 Tai_Le, 43 New_Tai_Lue, 44 Buginese,
 * 45 Tai_Tham, 46 Balinese, 47 Sundanese, 48 Batak, 49 Lepcha, 50 Ol_Chiki, 51 Braille,
 * 52 Glagolitic, 53 Tifinagh, 54 Han, 55 Hiragana, 56 Katakana, 57 Yi, 58 Lisu, 59 Vai,
 * 60 Bamum, 61 Syloti_Nagri, 62 Phags_Pa, 63 Saurashtra, 64 Kayah_Li, 65 Rejang, 66 Javanese,
 * 67 Cham, 68 Tai_Viet, 69 Meetei_Mayek, 70 Linear_B, 71 Lycian, 72 Carian, 73 Old_Italic,
 * 74 Gothic, 75 Old_Permic, 76 Ugaritic, 77 Old_Persian, 78 Deseret, 79 Shavian, 80 Osmanya,
 * 81 Osage, 82 Elbasan, 83 Caucasian_Albanian, 84 Vithkuqi, 85 Linear_A, 86 Cypriot,
 * 87 Imperial_Aramaic, 88 Palmyrene, 89 Nabataean, 90 Hatran, 91 Phoenician, 92 Lydian,
 * 93 Meroitic_Hieroglyphs, 94 Meroitic_Cursive, 95 Kharoshthi, 96 Old_South_Arabian,
 * 97 Old_North_Arabian, 98 Manichaean, 99 Avestan, 100 Inscriptional_Parthian,
 * 101 Inscriptional_Pahlavi, 102 Psalter_Pahlavi, 103 Old_Turkic, 104 Old_Hungarian,
 * 105 Hanifi_Rohingya, 106 Yezidi, 107 Old_Sogdian, 108 Sogdian, 109 Old_Uyghur,
 * 110 Chorasmian, 111 Elymaic, 112 Brahmi, 113 Kaithi, 114 Sora_Sompeng, 115 Chakma,
 * 116 Mahajani, 117 Sharada, 118 Khojki, 119 Multani, 120 Khudawadi, 121 Grantha, 122 Newa,
 * 123 Tirhuta, 124 Siddham, 125 Modi, 126 Takri, 127 Ahom, 128 Dogra, 129 Warang_Citi,
 * 130 Dives_Akuru, 131 Nandinagari, 132 Zanabazar_Square, 133 Soyombo, 134 Pau_Cin_Hau,
 * 135 Bhaiksuki, 136 Marchen, 137 Masaram_Gondi, 138 Gunjala_Gondi, 139 Makasar, 140 Kawi,
 * 141 Cuneiform, 142 Cypro_Minoan, 143 Egyptian_Hieroglyphs, 144 Anatolian_Hieroglyphs,
 * 145 Mro, 146 Tangsa, 147 Bassa_Vah, 148 Pahawh_Hmong, 149 Medefaidrin, 150 Miao, 151 Tangut,
 * 152 Nushu, 153 Khitan_Small_Script, 154 Duployan, 155 SignWriting,
 * 156 Nyiakeng_Puachue_Hmong, 157 Toto, 158 Wancho, 159 Nag_Mundari, 160 Mende_Kikakui,
 * 161 Adlam. */
static const struct uvalue nick_chars[] = {
	{{0x002D, 0x002E}, 0}, {{0x0030, 0x0039}, 0}, {{0x0041, 0x005A}, 1}, {{0x005F, 0x005F}, 0},
	{{0x0061, 0x007A}, 1}, {{0x00C0, 0x00D6}, 1}, {{0x00D8, 0x00F6}, 1}, {{0x00F8, 0x0131}, 1},
	{{0x0134, 0x013E}, 1}, {{0x0141, 0x0148}, 1}, {{0x014A, 0x017E}, 1}, {{0x0180, 0x01C3}, 1},
	{{0x01CD, 0x01F0}, 1}, {{0x01F4, 0x024F}, 1}, {{0x0370, 0x0373}, 3}, {{0x0376, 0x0377}, 3},
	{{0x037B, 0x037D}, 3}, {{0x037F, 0x037F}, 3}, {{0x0386, 0x0386}, 3}, {{0x0388, 0x038A}, 3},
	{{0x038C, 0x038C}, 3}, {{0x038E, 0x03A1}, 3}, {{0x03A3, 0x03CF}, 3}, {{0x03D3, 0x03D4}, 3},
	{{0x03D7, 0x03E1}, 3}, {{0x03E2, 0x03EF}, 4}, {{0x03F3, 0x03F3}, 3}, {{0x03F7, 0x03F8}, 3},
	{{0x03FA, 0x03FF}, 3}, {{0x0400, 0x0481}, 5}, {{0x048A, 0x052F}, 5}, {{0x0531, 0x0556}, 6},
	{{0x0559, 0x0559}, 6}, {{0x0560, 0x0586}, 6}, {{0x0588, 0x0588}, 6}, {{0x0591, 0x05BD}, 7},
	{{0x05BF, 0x05BF}, 7}, {{0x05C1, 0x05C2}, 7}, {{0x05C4, 0x05C5}, 7}, {{0x05C7, 0x05C7}, 7},
	{{0x05D0, 0x05EA}, 7}, {{0x05EF, 0x05F2}, 7}, {{0x0610, 0x061A}, 8}, {{0x0620, 0x063F}, 8},
	{{0x0641, 0x064A}, 8}, {{0x0656, 0x0669}, 8}, {{0x066E, 0x066F}, 8}, {{0x0671, 0x0674}, 8},
	{{0x0679, 0x06D3}, 8}, {{0x06D5, 0x06DC}, 8}, {{0x06DF, 0x06E8}, 8}, {{0x06EA, 0x06FC}, 8},
	{{0x06FF, 0x06FF}, 8}, {{0x0710, 0x074A}, 9}, {{0x074D, 0x074F}, 9}, {{0x0750, 0x077F}, 8},
	{{0x0780, 0x07B1}, 10}, {{0x07C0, 0x07F5}, 11}, {{0x07FA, 0x07FA}, 11},
	{{0x07FD, 0x07FD}, 11}, {{0x0800, 0x082D}, 12}, {{0x0840, 0x085B}, 13},
	{{0x0860, 0x086A}, 9}, {{0x0870, 0x0887}, 8}, {{0x0889, 0x088E}, 8}, {{0x0898, 0x08E1}, 8},
	{{0x08E3, 0x08F6}, 8}, {{0x08FE, 0x08FF}, 8}, {{0x0900, 0x0950}, 14},
	{{0x0955, 0x0957}, 14}, {{0x0960, 0x0963}, 14}, {{0x0966, 0x096F}, 14},
	{{0x0971, 0x097F}, 14}, {{0x0980, 0x0983}, 15}, {{0x0985, 0x098C}, 15},
	{{0x098F, 0x0990}, 15}, {{0x0993, 0x09A8}, 15}, {{0x09AA, 0x09B0}, 15},
	{{0x09B2, 0x09B2}, 15}, {{0x09B6, 0x09B9}, 15}, {{0x09BC, 0x09C4}, 15},
	{{0x09C7, 0x09C8}, 15}, {{0x09CB, 0x09CE}, 15}, {{0x09D7, 0x09D7}, 15},
	{{0x09E0, 0x09E3}, 15}, {{0x09E6, 0x09F1}, 15}, {{0x09FC, 0x09FC}, 15},
	{{0x09FE, 0x09FE}, 15}, {{0x0A01, 0x0A03}, 16}, {{0x0A05, 0x0A0A}, 16},
	{{0x0A0F, 0x0A10}, 16}, {{0x0A13, 0x0A28}, 16}, {{0x0A2A, 0x0A30}, 16},
	{{0x0A32, 0x0A32}, 16}, {{0x0A35, 0x0A35}, 16}, {{0x0A38, 0x0A39}, 16},
	{{0x0A3C, 0x0A3C}, 16}, {{0x0A3E, 0x0A42}, 16}, {{0x0A47, 0x0A48}, 16},
	{{0x0A4B, 0x0A4D}, 16}, {{0x0A51, 0x0A51}, 16}, {{0x0A5C, 0x0A5C}, 16},
	{{0x0A66, 0x0A75}, 16}, {{0x0A81, 0x0A83}, 17}, {{0x0A85, 0x0A8D}, 17},
	{{0x0A8F, 0x0A91}, 17}, {{0x0A93, 0x0AA8}, 17}, {{0x0AAA, 0x0AB0}, 17},
	{{0x0AB2, 0x0AB3}, 17}, {{0x0AB5, 0x0AB9}, 17}, {{0x0ABC, 0x0AC5}, 17},
	{{0x0AC7, 0x0AC9}, 17}, {{0x0ACB, 0x0ACD}, 17}, {{0x0AD0, 0x0AD0}, 17},
	{{0x0AE0, 0x0AE3}, 17}, {{0x0AE6, 0x0AEF}, 17}, {{0x0AF9, 0x0AFF}, 17},
	{{0x0B01, 0x0B03}, 18}, {{0x0B05, 0x0B0C}, 18}, {{0x0B0F, 0x0B10}, 18},
	{{0x0B13, 0x0B28}, 18}, {{0x0B2A, 0x0B30}, 18}, {{0x0B32, 0x0B33}, 18},
	{{0x0B35, 0x0B39}, 18}, {{0x0B3C, 0x0B44}, 18}, {{0x0B47, 0x0B48}, 18},
	{{0x0B4B, 0x0B4D}, 18}, {{0x0B55, 0x0B57}, 18}, {{0x0B5F, 0x0B63}, 18},
	{{0x0B66, 0x0B6F}, 18}, {{0x0B71, 0x0B71}, 18}, {{0x0B82, 0x0B83}, 19},
	{{0x0B85, 0x0B8A}, 19}, {{0x0B8E, 0x0B90}, 19}, {{0x0B92, 0x0B95}, 19},
	{{0x0B99, 0x0B9A}, 19}, {{0x0B9C, 0x0B9C}, 19}, {{0x0B9E, 0x0B9F}, 19},
	{{0x0BA3, 0x0BA4}, 19}, {{0x0BA8, 0x0BAA}, 19}, {{0x0BAE, 0x0BB9}, 19},
	{{0x0BBE, 0x0BC2}, 19}, {{0x0BC6, 0x0BC8}, 19}, {{0x0BCA, 0x0BCD}, 19},
	{{0x0BD0, 0x0BD0}, 19}, {{0x0BD7, 0x0BD7}, 19}, {{0x0BE6, 0x0BEF}, 19},
	{{0x0C00, 0x0C0C}, 20}, {{0x0C0E, 0x0C10}, 20}, {{0x0C12, 0x0C28}, 20},
	{{0x0C2A, 0x0C39}, 20}, {{0x0C3C, 0x0C44}, 20}, {{0x0C46, 0x0C48}, 20},
	{{0x0C4A, 0x0C4D}, 20}, {{0x0C55, 0x0C56}, 20}, {{0x0C58, 0x0C5A}, 20},
	{{0x0C5D, 0x0C5D}, 20}, {{0x0C60, 0x0C63}, 20}, {{0x0C66, 0x0C6F}, 20},
	{{0x0C80, 0x0C83}, 21}, {{0x0C85, 0x0C8C}, 21}, {{0x0C8E, 0x0C90}, 21},
	{{0x0C92, 0x0CA8}, 21}, {{0x0CAA, 0x0CB3}, 21}, {{0x0CB5, 0x0CB9}, 21},
	{{0x0CBC, 0x0CC4}, 21}, {{0x0CC6, 0x0CC8}, 21}, {{0x0CCA, 0x0CCD}, 21},
	{{0x0CD5, 0x0CD6}, 21}, {{0x0CDD, 0x0CDE}, 21}, {{0x0CE0, 0x0CE3}, 21},
	{{0x0CE6, 0x0CEF}, 21}, {{0x0CF1, 0x0CF3}, 21}, {{0x0D00, 0x0D0C}, 22},
	{{0x0D0E, 0x0D10}, 22}, {{0x0D12, 0x0D44}, 22}, {{0x0D46, 0x0D48}, 22},
	{{0x0D4A, 0x0D4E}, 22}, {{0x0D54, 0x0D57}, 22}, {{0x0D5F, 0x0D63}, 22},
	{{0x0D66, 0x0D6F}, 22}, {{0x0D7A, 0x0D7F}, 22}, {{0x0D81, 0x0D83}, 23},
	{{0x0D85, 0x0D96}, 23}, {{0x0D9A, 0x0DB1}, 23}, {{0x0DB3, 0x0DBB}, 23},
	{{0x0DBD, 0x0DBD}, 23}, {{0x0DC0, 0x0DC6}, 23}, {{0x0DCA, 0x0DCA}, 23},
	{{0x0DCF, 0x0DD4}, 23}, {{0x0DD6, 0x0DD6}, 23}, {{0x0DD8, 0x0DDF}, 23},
	{{0x0DE6, 0x0DEF}, 23}, {{0x0DF2, 0x0DF3}, 23}, {{0x0E01, 0x0E32}, 24},
	{{0x0E34, 0x0E3A}, 24}, {{0x0E40, 0x0E4E}, 24}, {{0x0E50, 0x0E59}, 24},
	{{0x0E81, 0x0E82}, 25}, {{0x0E84, 0x0E84}, 25}, {{0x0E86, 0x0E8A}, 25},
	{{0x0E8C, 0x0EA3}, 25}, {{0x0EA5, 0x0EA5}, 25}, {{0x0EA7, 0x0EB2}, 25},
	{{0x0EB4, 0x0EBD}, 25}, {{0x0EC0, 0x0EC4}, 25}, {{0x0EC6, 0x0EC6}, 25},
	{{0x0EC8, 0x0ECE}, 25}, {{0x0ED0, 0x0ED9}, 25}, {{0x0EDE, 0x0EDF}, 25},
	{{0x0F00, 0x0F00}, 26}, {{0x0F18, 0x0F19}, 26}, {{0x0F20, 0x0F29}, 26},
	{{0x0F35, 0x0F35}, 26}, {{0x0F37, 0x0F37}, 26}, {{0x0F39, 0x0F39}, 26},
	{{0x0F3E, 0x0F42}, 26}, {{0x0F44, 0x0F47}, 26}, {{0x0F49, 0x0F4C}, 26},
	{{0x0F4E, 0x0F51}, 26}, {{0x0F53, 0x0F56}, 26}, {{0x0F58, 0x0F5B}, 26},
	{{0x0F5D, 0x0F68}, 26}, {{0x0F6A, 0x0F6C}, 26}, {{0x0F71, 0x0F72}, 26},
	{{0x0F74, 0x0F74}, 26}, {{0x0F7A, 0x0F80}, 26}, {{0x0F82, 0x0F84}, 26},
	{{0x0F86, 0x0F92}, 26}, {{0x0F94, 0x0F97}, 26}, {{0x0F99, 0x0F9C}, 26},
	{{0x0F9E, 0x0FA1}, 26}, {{0x0FA3, 0x0FA6}, 26}, {{0x0FA8, 0x0FAB}, 26},
	{{0x0FAD, 0x0FB8}, 26}, {{0x0FBA, 0x0FBC}, 26}, {{0x0FC6, 0x0FC6}, 26},
	{{0x1000, 0x1049}, 27}, {{0x1050, 0x109D}, 27}, {{0x10A0, 0x10C5}, 28},
	{{0x10C7, 0x10C7}, 28}, {{0x10CD, 0x10CD}, 28}, {{0x10D0, 0x10FA}, 28},
	{{0x10FD, 0x10FF}, 28}, {{0x1200, 0x1248}, 30}, {{0x124A, 0x124D}, 30},
	{{0x1250, 0x1256}, 30}, {{0x1258, 0x1258}, 30}, {{0x125A, 0x125D}, 30},
	{{0x1260, 0x1288}, 30}, {{0x128A, 0x128D}, 30}, {{0x1290, 0x12B0}, 30},
	{{0x12B2, 0x12B5}, 30}, {{0x12B8, 0x12BE}, 30}, {{0x12C0, 0x12C0}, 30},
	{{0x12C2, 0x12C5}, 30}, {{0x12C8, 0x12D6}, 30}, {{0x12D8, 0x1310}, 30},
	{{0x1312, 0x1315}, 30}, {{0x1318, 0x135A}, 30}, {{0x135D, 0x135F}, 30},
	{{0x1380, 0x138F}, 30}, {{0x13A0, 0x13F5}, 31}, {{0x13F8, 0x13FD}, 31},
	{{0x1401, 0x1404}, 32}, {{0x1408, 0x1409}, 32}, {{0x140C, 0x1411}, 32},
	{{0x141C, 0x1426}, 32}, {{0x1428, 0x142E}, 32}, {{0x144B, 0x166C}, 32},
	{{0x166F, 0x167F}, 32}, {{0x1681, 0x169A}, 33}, {{0x16A0, 0x16B1}, 34},
	{{0x16B3, 0x16EA}, 34}, {{0x16F1, 0x16F8}, 34}, {{0x1700, 0x1715}, 35},
	{{0x171F, 0x171F}, 35}, {{0x1720, 0x1734}, 36}, {{0x1740, 0x1753}, 37},
	{{0x1760, 0x176C}, 38}, {{0x176E, 0x1770}, 38}, {{0x1772, 0x1773}, 38},
	{{0x1780, 0x17B3}, 39}, {{0x17B6, 0x17D3}, 39}, {{0x17D7, 0x17D7}, 39},
	{{0x17DC, 0x17DD}, 39}, {{0x17E0, 0x17E9}, 39}, {{0x1810, 0x1819}, 40},
	{{0x1820, 0x1878}, 40}, {{0x1880, 0x18AA}, 40}, {{0x18B7, 0x18D3}, 32},
	{{0x18D5, 0x18F5}, 32}, {{0x1900, 0x191E}, 41}, {{0x1920, 0x192B}, 41},
	{{0x1930, 0x193B}, 41}, {{0x1946, 0x194F}, 41}, {{0x1950, 0x196D}, 42},
	{{0x1970, 0x1974}, 42}, {{0x1980, 0x19AB}, 43}, {{0x19B0, 0x19C9}, 43},
	{{0x19D0, 0x19D9}, 43}, {{0x1A00, 0x1A1B}, 44}, {{0x1A20, 0x1A5E}, 45},
	{{0x1A60, 0x1A7C}, 45}, {{0x1A7F, 0x1A89}, 45}, {{0x1A90, 0x1A99}, 45},
	{{0x1AA7, 0x1AA7}, 45}, {{0x1B00, 0x1B4C}, 46}, {{0x1B50, 0x1B59}, 46},
	{{0x1B6B, 0x1B73}, 46}, {{0x1B80, 0x1BBF}, 47}, {{0x1BC0, 0x1BF3}, 48},
	{{0x1C00, 0x1C37}, 49}, {{0x1C40, 0x1C49}, 49}, {{0x1C4D, 0x1C4F}, 49},
	{{0x1C50, 0x1C7D}, 50}, {{0x1C80, 0x1C88}, 5}, {{0x1C90, 0x1CBA}, 28},
	{{0x1CBD, 0x1CBF}, 28}, {{0x1CD1, 0x1CD1}, 14}, {{0x1CDB, 0x1CDB}, 14},
	{{0x1CDE, 0x1CDF}, 14}, {{0x1CEB, 0x1CEC}, 14}, {{0x1CEE, 0x1CF1}, 14},
	{{0x1CF7, 0x1CF7}, 15}, {{0x1CFA, 0x1CFA}, 131}, {{0x1DFA, 0x1DFA}, 9},
	{{0x1E00, 0x1E99}, 1}, {{0x1E9B, 0x1EFF}, 1}, {{0x1F00, 0x1F15}, 3}, {{0x1F18, 0x1F1D}, 3},
	{{0x1F20, 0x1F45}, 3}, {{0x1F48, 0x1F4D}, 3}, {{0x1F50, 0x1F57}, 3}, {{0x1F59, 0x1F59}, 3},
	{{0x1F5B, 0x1F5B}, 3}, {{0x1F5D, 0x1F5D}, 3}, {{0x1F5F, 0x1F70}, 3}, {{0x1F72, 0x1F72}, 3},
	{{0x1F74, 0x1F74}, 3}, {{0x1F76, 0x1F76}, 3}, {{0x1F78, 0x1F78}, 3}, {{0x1F7A, 0x1F7A}, 3},
	{{0x1F7C, 0x1F7C}, 3}, {{0x1F80, 0x1FB4}, 3}, {{0x1FB6, 0x1FBA}, 3}, {{0x1FBC, 0x1FBC}, 3},
	{{0x1FC2, 0x1FC4}, 3}, {{0x1FC6, 0x1FC8}, 3}, {{0x1FCA, 0x1FCA}, 3}, {{0x1FCC, 0x1FCC}, 3},
	{{0x1FD0, 0x1FD2}, 3}, {{0x1FD6, 0x1FDA}, 3}, {{0x1FE0, 0x1FE2}, 3}, {{0x1FE4, 0x1FEA}, 3},
	{{0x1FEC, 0x1FEC}, 3}, {{0x1FF2, 0x1FF4}, 3}, {{0x1FF6, 0x1FF8}, 3}, {{0x1FFA, 0x1FFA}, 3},
	{{0x1FFC, 0x1FFC}, 3}, {{0x2183, 0x2184}, 1}, {{0x2C00, 0x2C5F}, 52},
	{{0x2C60, 0x2C7B}, 1}, {{0x2C7E, 0x2C7F}, 1}, {{0x2C80, 0x2CE4}, 4}, {{0x2CEB, 0x2CF3}, 4},
	{{0x2D00, 0x2D25}, 28}, {{0x2D27, 0x2D27}, 28}, {{0x2D2D, 0x2D2D}, 28},
	{{0x2D30, 0x2D67}, 53}, {{0x2D7F, 0x2D7F}, 53}, {{0x2D80, 0x2D96}, 30},
	{{0x2DA0, 0x2DA6}, 30}, {{0x2DA8, 0x2DAE}, 30}, {{0x2DB0, 0x2DB6}, 30},
	{{0x2DB8, 0x2DBE}, 30}, {{0x2DC0, 0x2DC6}, 30}, {{0x2DC8, 0x2DCE}, 30},
	{{0x2DD0, 0x2DD6}, 30}, {{0x2DD8, 0x2DDE}, 30}, {{0x3005, 0x3006}, 54},
	{{0x302A, 0x302D}, 2}, {{0x302E, 0x302F}, 29}, {{0x3031, 0x3035}, 55},
	{{0x303B, 0x303C}, 54}, {{0x3041, 0x3096}, 55}, {{0x309D, 0x309E}, 55},
	{{0x30A1, 0x30FA}, 56}, {{0x30FC, 0x30FC}, 55}, {{0x30FD, 0x30FE}, 56},
	{{0x3105, 0x312F}, 2}, {{0x31A0, 0x31BF}, 2}, {{0x31F0, 0x31FF}, 56},
	{{0x3400, 0x4DBF}, 54}, {{0x4E00, 0x9FFF}, 54}, {{0xA000, 0xA48C}, 57},
	{{0xA4D0, 0xA4FD}, 58}, {{0xA500, 0xA60C}, 59}, {{0xA610, 0xA62B}, 59},
	{{0xA640, 0xA66E}, 5}, {{0xA67F, 0xA69B}, 5}, {{0xA6A0, 0xA6E5}, 60},
	{{0xA6F0, 0xA6F1}, 60}, {{0xA800, 0xA827}, 61}, {{0xA82C, 0xA82C}, 61},
	{{0xA840, 0xA873}, 62}, {{0xA880, 0xA8C5}, 63}, {{0xA8D0, 0xA8D9}, 63},
	{{0xA8E0, 0xA8F7}, 14}, {{0xA8FB, 0xA8FB}, 14}, {{0xA8FD, 0xA8FF}, 14},
	{{0xA900, 0xA92D}, 64}, {{0xA930, 0xA953}, 65}, {{0xA980, 0xA9C0}, 66},
	{{0xA9D0, 0xA9D9}, 66}, {{0xA9E0, 0xA9FE}, 27}, {{0xAA00, 0xAA36}, 67},
	{{0xAA40, 0xAA4D}, 67}, {{0xAA50, 0xAA59}, 67}, {{0xAA60, 0xAA76}, 27},
	{{0xAA7A, 0xAA7F}, 27}, {{0xAA80, 0xAAC2}, 68}, {{0xAADB, 0xAADD}, 68},
	{{0xAAE0, 0xAAEF}, 69}, {{0xAAF2, 0xAAF6}, 69}, {{0xAB01, 0xAB06}, 30},
	{{0xAB09, 0xAB0E}, 30}, {{0xAB11, 0xAB16}, 30}, {{0xAB20, 0xAB26}, 30},
	{{0xAB28, 0xAB2E}, 30}, {{0xAB70, 0xABBF}, 31}, {{0xABC0, 0xABEA}, 69},
	{{0xABEC, 0xABED}, 69}, {{0xABF0, 0xABF9}, 69}, {{0xAC00, 0xD7A3}, 29},
	{{0xFA0E, 0xFA0F}, 54}, {{0xFA11, 0xFA11}, 54}, {{0xFA13, 0xFA14}, 54},
	{{0xFA1F, 0xFA1F}, 54}, {{0xFA21, 0xFA21}, 54}, {{0xFA23, 0xFA24}, 54},
	{{0xFA27, 0xFA29}, 54}, {{0xFB1E, 0xFB1E}, 7}, {{0xFE73, 0xFE73}, 8},
	{{0x10000, 0x1000B}, 70}, {{0x1000D, 0x10026}, 70}, {{0x10028, 0x1003A}, 70},
	{{0x1003C, 0x1003D}, 70}, {{0x1003F, 0x1004D}, 70}, {{0x10050, 0x1005D}, 70},
	{{0x10080, 0x100FA}, 70}, {{0x10280, 0x1029C}, 71}, {{0x102A0, 0x102D0}, 72},
	{{0x10300, 0x1031F}, 73}, {{0x1032D, 0x1032F}, 73}, {{0x10330, 0x10340}, 74},
	{{0x10342, 0x10349}, 74}, {{0x10350, 0x1037A}, 75}, {{0x10380, 0x1039D}, 76},
	{{0x103A0, 0x103C3}, 77}, {{0x103C8, 0x103CF}, 77}, {{0x10400, 0x1044F}, 78},
	{{0x10450, 0x1047F}, 79}, {{0x10480, 0x1049D}, 80}, {{0x104A0, 0x104A9}, 80},
	{{0x104B0, 0x104D3}, 81}, {{0x104D8, 0x104FB}, 81}, {{0x10500, 0x10527}, 82},
	{{0x10530, 0x10563}, 83}, {{0x10570, 0x1057A}, 84}, {{0x1057C, 0x1058A}, 84},
	{{0x1058C, 0x10592}, 84}, {{0x10594, 0x10595}, 84}, {{0x10597, 0x105A1}, 84},
	{{0x105A3, 0x105B1}, 84}, {{0x105B3, 0x105B9}, 84}, {{0x105BB, 0x105BC}, 84},
	{{0x10600, 0x10736}, 85}, {{0x10740, 0x10755}, 85}, {{0x10760, 0x10767}, 85},
	{{0x10800, 0x10805}, 86}, {{0x10808, 0x10808}, 86}, {{0x1080A, 0x10835}, 86},
	{{0x10837, 0x10838}, 86}, {{0x1083C, 0x1083C}, 86}, {{0x1083F, 0x1083F}, 86},
	{{0x10840, 0x10855}, 87}, {{0x10860, 0x10876}, 88}, {{0x10880, 0x1089E}, 89},
	{{0x108E0, 0x108F2}, 90}, {{0x108F4, 0x108F5}, 90}, {{0x10900, 0x10915}, 91},
	{{0x10920, 0x10939}, 92}, {{0x10980, 0x1099F}, 93}, {{0x109A0, 0x109B7}, 94},
	{{0x109BE, 0x109BF}, 94}, {{0x10A00, 0x10A03}, 95}, {{0x10A05, 0x10A06}, 95},
	{{0x10A0C, 0x10A13}, 95}, {{0x10A15, 0x10A17}, 95}, {{0x10A19, 0x10A35}, 95},
	{{0x10A38, 0x10A38}, 95}, {{0x10A3A, 0x10A3A}, 95}, {{0x10A3F, 0x10A3F}, 95},
	{{0x10A60, 0x10A7C}, 96}, {{0x10A80, 0x10A9C}, 97}, {{0x10AC0, 0x10AC7}, 98},
	{{0x10AC9, 0x10AE6}, 98}, {{0x10B00, 0x10B35}, 99}, {{0x10B40, 0x10B55}, 100},
	{{0x10B60, 0x10B72}, 101}, {{0x10B80, 0x10B91}, 102}, {{0x10C00, 0x10C48}, 103},
	{{0x10C80, 0x10CB2}, 104}, {{0x10CC0, 0x10CF2}, 104}, {{0x10D00, 0x10D27}, 105},
	{{0x10D30, 0x10D39}, 105}, {{0x10E80, 0x10EA9}, 106}, {{0x10EAB, 0x10EAC}, 106},
	{{0x10EB0, 0x10EB1}, 106}, {{0x10EFD, 0x10EFF}, 8}, {{0x10F00, 0x10F1C}, 107},
	{{0x10F27, 0x10F27}, 107}, {{0x10F30, 0x10F50}, 108}, {{0x10F70, 0x10F85}, 109},
	{{0x10FB0, 0x10FC4}, 110}, {{0x10FE0, 0x10FF6}, 111}, {{0x11000, 0x11046}, 112},
	{{0x11066, 0x11075}, 112}, {{0x1107F, 0x1107F}, 112}, {{0x11080, 0x110BA}, 113},
	{{0x110C2, 0x110C2}, 113}, {{0x110D0, 0x110E8}, 114}, {{0x110F0, 0x110F9}, 114},
	{{0x11100, 0x11134}, 115}, {{0x11136, 0x1113F}, 115}, {{0x11144, 0x11147}, 115},
	{{0x11150, 0x11173}, 116}, {{0x11176, 0x11176}, 116}, {{0x11180, 0x111C4}, 117},
	{{0x111C9, 0x111CC}, 117}, {{0x111CE, 0x111DA}, 117}, {{0x111DC, 0x111DC}, 117},
	{{0x11200, 0x11211}, 118}, {{0x11213, 0x11237}, 118}, {{0x1123E, 0x11241}, 118},
	{{0x11280, 0x11286}, 119}, {{0x11288, 0x11288}, 119}, {{0x1128A, 0x1128D}, 119},
	{{0x1128F, 0x1129D}, 119}, {{0x1129F, 0x112A8}, 119}, {{0x112B0, 0x112EA}, 120},
	{{0x112F0, 0x112F9}, 120}, {{0x11300, 0x11303}, 121}, {{0x11305, 0x1130C}, 121},
	{{0x1130F, 0x11310}, 121}, {{0x11313, 0x11328}, 121}, {{0x1132A, 0x11330}, 121},
	{{0x11332, 0x11333}, 121}, {{0x11335, 0x11339}, 121}, {{0x1133C, 0x11344}, 121},
	{{0x11347, 0x11348}, 121}, {{0x1134B, 0x1134D}, 121}, {{0x11350, 0x11350}, 121},
	{{0x11357, 0x11357}, 121}, {{0x1135D, 0x11363}, 121}, {{0x11366, 0x1136C}, 121},
	{{0x11370, 0x11374}, 121}, {{0x11400, 0x1144A}, 122}, {{0x11450, 0x11459}, 122},
	{{0x1145E, 0x11461}, 122}, {{0x11480, 0x114C5}, 123}, {{0x114C7, 0x114C7}, 123},
	{{0x114D0, 0x114D9}, 123}, {{0x11580, 0x115B5}, 124}, {{0x115B8, 0x115C0}, 124},
	{{0x115D8, 0x115DD}, 124}, {{0x11600, 0x11640}, 125}, {{0x11644, 0x11644}, 125},
	{{0x11650, 0x11659}, 125}, {{0x11680, 0x116B8}, 126}, {{0x116C0, 0x116C9}, 126},
	{{0x11700, 0x1171A}, 127}, {{0x1171D, 0x1172B}, 127}, {{0x11730, 0x11739}, 127},
	{{0x11740, 0x11746}, 127}, {{0x11800, 0x1183A}, 128}, {{0x118A0, 0x118E9}, 129},
	{{0x118FF, 0x118FF}, 129}, {{0x11900, 0x11906}, 130}, {{0x11909, 0x11909}, 130},
	{{0x1190C, 0x11913}, 130}, {{0x11915, 0x11916}, 130}, {{0x11918, 0x11935}, 130},
	{{0x11937, 0x11938}, 130}, {{0x1193B, 0x11943}, 130}, {{0x11950, 0x11959}, 130},
	{{0x119A0, 0x119A7}, 131}, {{0x119AA, 0x119D7}, 131}, {{0x119DA, 0x119E1}, 131},
	{{0x119E3, 0x119E4}, 131}, {{0x11A00, 0x11A3E}, 132}, {{0x11A47, 0x11A47}, 132},
	{{0x11A50, 0x11A99}, 133}, {{0x11A9D, 0x11A9D}, 133}, {{0x11AB0, 0x11ABB}, 32},
	{{0x11AC0, 0x11AF8}, 134}, {{0x11C00, 0x11C08}, 135}, {{0x11C0A, 0x11C36}, 135},
	{{0x11C38, 0x11C40}, 135}, {{0x11C50, 0x11C59}, 135}, {{0x11C72, 0x11C8F}, 136},
	{{0x11C92, 0x11CA7}, 136}, {{0x11CA9, 0x11CB6}, 136}, {{0x11D00, 0x11D06}, 137},
	{{0x11D08, 0x11D09}, 137}, {{0x11D0B, 0x11D36}, 137}, {{0x11D3A, 0x11D3A}, 137},
	{{0x11D3C, 0x11D3D}, 137}, {{0x11D3F, 0x11D47}, 137}, {{0x11D50, 0x11D59}, 137},
	{{0x11D60, 0x11D65}, 138}, {{0x11D67, 0x11D68}, 138}, {{0x11D6A, 0x11D8E}, 138},
	{{0x11D90, 0x11D91}, 138}, {{0x11D93, 0x11D98}, 138}, {{0x11DA0, 0x11DA9}, 138},
	{{0x11EE0, 0x11EF6}, 139}, {{0x11F00, 0x11F10}, 140}, {{0x11F12, 0x11F3A}, 140},
	{{0x11F3E, 0x11F42}, 140}, {{0x11F50, 0x11F59}, 140}, {{0x11FB0, 0x11FB0}, 58},
	{{0x12000, 0x122EB}, 141}, {{0x122ED, 0x12393}, 141}, {{0x12395, 0x12399}, 141},
	{{0x12480, 0x12543}, 141}, {{0x12F90, 0x12FF0}, 142}, {{0x13000, 0x1342F}, 143},
	{{0x13440, 0x13440}, 143}, {{0x13443, 0x13455}, 143}, {{0x14400, 0x14646}, 144},
	{{0x16800, 0x16A38}, 60}, {{0x16A40, 0x16A5E}, 145}, {{0x16A60, 0x16A69}, 145},
	{{0x16A70, 0x16ABE}, 146}, {{0x16AC0, 0x16AC9}, 146}, {{0x16AD0, 0x16AED}, 147},
	{{0x16B00, 0x16B36}, 148}, {{0x16B40, 0x16B43}, 148}, {{0x16B50, 0x16B59}, 148},
	{{0x16B63, 0x16B77}, 148}, {{0x16B7D, 0x16B8F}, 148}, {{0x16E40, 0x16E7F}, 149},
	{{0x16F00, 0x16F4A}, 150}, {{0x16F4F, 0x16F87}, 150}, {{0x16F8F, 0x16F9F}, 150},
	{{0x16FE0, 0x16FE0}, 151}, {{0x16FE1, 0x16FE1}, 152}, {{0x16FE3, 0x16FE3}, 54},
	{{0x16FF0, 0x16FF1}, 54}, {{0x17000, 0x187F7}, 151}, {{0x18800, 0x18AFF}, 151},
	{{0x18B00, 0x18CD5}, 153}, {{0x18D00, 0x18D08}, 151}, {{0x1AFF0, 0x1AFF3}, 56},
	{{0x1AFF5, 0x1AFFB}, 56}, {{0x1AFFD, 0x1AFFE}, 56}, {{0x1B000, 0x1B000}, 56},
	{{0x1B001, 0x1B11F}, 55}, {{0x1B120, 0x1B122}, 56}, {{0x1B132, 0x1B132}, 55},
	{{0x1B150, 0x1B152}, 55}, {{0x1B155, 0x1B155}, 56}, {{0x1B164, 0x1B167}, 56},
	{{0x1B170, 0x1B2FB}, 152}, {{0x1BC00, 0x1BC6A}, 154}, {{0x1BC70, 0x1BC7C}, 154},
	{{0x1BC80, 0x1BC88}, 154}, {{0x1BC90, 0x1BC99}, 154}, {{0x1BC9D, 0x1BC9D}, 154},
	{{0x1DA00, 0x1DA36}, 155}, {{0x1DA3B, 0x1DA6C}, 155}, {{0x1DA75, 0x1DA75}, 155},
	{{0x1DA84, 0x1DA84}, 155}, {{0x1DA9B, 0x1DA9F}, 155}, {{0x1DAA1, 0x1DAAF}, 155},
	{{0x1E000, 0x1E006}, 52}, {{0x1E008, 0x1E018}, 52}, {{0x1E01B, 0x1E021}, 52},
	{{0x1E023, 0x1E024}, 52}, {{0x1E026, 0x1E02A}, 52}, {{0x1E100, 0x1E12C}, 156},
	{{0x1E130, 0x1E13D}, 156}, {{0x1E140, 0x1E149}, 156}, {{0x1E14E, 0x1E14E}, 156},
	{{0x1E290, 0x1E2AE}, 157}, {{0x1E2C0, 0x1E2F9}, 158}, {{0x1E4D0, 0x1E4F9}, 159},
	{{0x1E7E0, 0x1E7E6}, 30}, {{0x1E7E8, 0x1E7EB}, 30}, {{0x1E7ED, 0x1E7EE}, 30},
	{{0x1E7F0, 0x1E7FE}, 30}, {{0x1E800, 0x1E8C4}, 160}, {{0x1E8D0, 0x1E8D6}, 160},
	{{0x1E900, 0x1E94B}, 161}, {{0x1E950, 0x1E959}, 161}, {{0x20000, 0x2A6DF}, 54},
	{{0x2A700, 0x2B739}, 54}, {{0x2B740, 0x2B81D}, 54}, {{0x2B820, 0x2CEA1}, 54},
	{{0x2CEB0, 0x2EBE0}, 54}, {{0x30000, 0x3134A}, 54}, {{0x31350, 0x323AF}, 54},
};

/* nick_compose: the pairs of characters a nickname may hold that NFC composes into one (its
 * primary composites), first then second: a name that holds one, but for a mark between the two
 * of a lower combining class, is not in NFC. */
static const uint32_t nick_compose[][2] = {
	{0x0928, 0x093C}, {0x0930, 0x093C}, {0x0933, 0x093C}, {0x09C7, 0x09BE}, {0x09C7, 0x09D7},
	{0x0B47, 0x0B3E}, {0x0B47, 0x0B56}, {0x0B47, 0x0B57}, {0x0B92, 0x0BD7}, {0x0BC6, 0x0BBE},
	{0x0BC6, 0x0BD7}, {0x0BC7, 0x0BBE}, {0x0C46, 0x0C56}, {0x0CBF, 0x0CD5}, {0x0CC6, 0x0CC2},
	{0x0CC6, 0x0CD5}, {0x0CC6, 0x0CD6}, {0x0CCA, 0x0CD5}, {0x0D46, 0x0D3E}, {0x0D46, 0x0D57},
	{0x0D47, 0x0D3E}, {0x0DD9, 0x0DCA}, {0x0DD9, 0x0DCF}, {0x0DD9, 0x0DDF}, {0x0DDC, 0x0DCA},
	{0x1025, 0x102E}, {0x1B05, 0x1B35}, {0x1B07, 0x1B35}, {0x1B09, 0x1B35}, {0x1B0B, 0x1B35},
	{0x1B0D, 0x1B35}, {0x1B11, 0x1B35}, {0x1B3A, 0x1B35}, {0x1B3C, 0x1B35}, {0x1B3E, 0x1B35},
	{0x1B3F, 0x1B35}, {0x1B42, 0x1B35}, {0x11099, 0x110BA}, {0x1109B, 0x110BA},
	{0x110A5, 0x110BA}, {0x11131, 0x11127}, {0x11132, 0x11127}, {0x11347, 0x1133E},
	{0x11347, 0x11357}, {0x114B9, 0x114B0}, {0x114B9, 0x114BA}, {0x114B9, 0x114BD},
	{0x115B8, 0x115AF}, {0x115B9, 0x115AF}, {0x11935, 0x11930},
};

/* look_alike: the skeleton of UTS #39 for the characters a name may hold, case folded, from
 * Unicode's confusables.txt (as python3-confusable-homoglyphs has it): {c, to}, c stands for
 * to, or for the characters from look_alike_seq[to - LOOK_SEQ] to the next 0; a character in no
 * entry stands for itself. Case folding joins the confusables' classes (I is l and folds to i),
 * so i and l are one. 948 entries, 514 in look_alike_seq. */
static const uint32_t look_alike[][2] = {
	{0x0069, 0x0031}, {0x006C, 0x0031}, {0x006D, LOOK_SEQ + 0}, {0x006F, 0x0030},
	{0x0074, 0x0072}, {0x0075, 0x0072}, {0x0076, 0x006E}, {0x0079, 0x0072}, {0x007A, 0x0072},
	{0x00DF, 0x0062}, {0x00E6, LOOK_SEQ + 3}, {0x011B, 0x0115}, {0x0131, 0x0031},
	{0x0138, 0x006B}, {0x0151, 0x00F6}, {0x0153, LOOK_SEQ + 6}, {0x0185, 0x0062},
	{0x018D, 0x0067}, {0x019E, 0x0068}, {0x01A1, LOOK_SEQ + 9}, {0x01AB, 0x0163},
	{0x01B4, 0x01AD}, {0x01B6, 0x0167}, {0x01BD, 0x0073}, {0x01BF, 0x00FE}, {0x01C0, 0x0031},
	{0x01C1, LOOK_SEQ + 12}, {0x01CE, 0x0103}, {0x01D0, 0x012D}, {0x01D2, 0x014F},
	{0x01D4, 0x016D}, {0x01E7, 0x011F}, {0x01F5, 0x0123}, {0x021B, 0x0163}, {0x0227, 0x00E5},
	{0x024D, 0x0167}, {0x024F, 0x0167}, {0x0251, 0x0061}, {0x0259, 0x01DD}, {0x025B, 0x0065},
	{0x0263, 0x0072}, {0x0268, 0x019A}, {0x0269, 0x0031}, {0x026F, 0x0077}, {0x0272, 0x0146},
	{0x0280, 0x0072}, {0x0283, 0x0030}, {0x028B, 0x0072}, {0x0292, 0x021D}, {0x037B, 0x0254},
	{0x03B1, 0x0061}, {0x03B2, 0x0062}, {0x03B3, 0x0072}, {0x03B5, 0x0065}, {0x03B6, 0x0072},
	{0x03B7, 0x0068}, {0x03B8, 0x0275}, {0x03B9, 0x0031}, {0x03BA, 0x006B}, {0x03BB, 0x028C},
	{0x03BC, LOOK_SEQ + 0}, {0x03BD, 0x006E}, {0x03BF, 0x0030}, {0x03C1, 0x0070},
	{0x03C3, 0x0030}, {0x03C4, 0x0072}, {0x03C5, 0x0072}, {0x03C7, 0x0078}, {0x03DB, 0x0030},
	{0x03DD, 0x0066}, {0x03E9, 0x01A8}, {0x03F3, 0x006A}, {0x03F8, 0x00FE},
	{0x03FB, LOOK_SEQ + 0}, {0x0430, 0x0061}, {0x0432, 0x0062}, {0x0433, 0x0072},
	{0x0435, 0x0065}, {0x0438, 0x0377}, {0x043A, 0x006B}, {0x043B, 0x028C},
	{0x043C, LOOK_SEQ + 0}, {0x043D, 0x0068}, {0x043E, 0x0030}, {0x043F, 0x03C0},
	{0x0440, 0x0070}, {0x0441, 0x0063}, {0x0442, 0x0072}, {0x0443, 0x0072}, {0x0444, 0x03C6},
	{0x0445, 0x0078}, {0x044B, LOOK_SEQ + 15}, {0x044C, 0x0062}, {0x0454, 0x0065},
	{0x0455, 0x0073}, {0x0456, 0x0031}, {0x0458, 0x006A}, {0x045B, 0x0127}, {0x045D, 0x0439},
	{0x0461, 0x0077}, {0x0463, 0x0180}, {0x0471, 0x03C8}, {0x0473, 0x0275}, {0x0475, 0x006E},
	{0x048D, 0x0180}, {0x0493, 0x0167}, {0x04AB, 0x00E7}, {0x04AF, 0x0072}, {0x04B1, 0x0167},
	{0x04BB, 0x0068}, {0x04BD, 0x0065}, {0x04CA, 0x04C8}, {0x04CC, 0x04B7}, {0x04CE, 0x0271},
	{0x04CF, 0x0031}, {0x04D5, LOOK_SEQ + 3}, {0x04D9, 0x01DD}, {0x04E1, 0x021D},
	{0x04E9, 0x0275}, {0x0501, 0x0064}, {0x050B, 0x0195}, {0x050D, 0x0067}, {0x0511, 0x0065},
	{0x051B, 0x0071}, {0x051D, 0x0077}, {0x0561, 0x0077}, {0x0563, 0x0071}, {0x0566, 0x0071},
	{0x056E, 0x03B4}, {0x0570, 0x0068}, {0x0575, 0x0237}, {0x0578, 0x006E}, {0x057C, 0x006E},
	{0x057D, 0x0072}, {0x057F, 0x0073}, {0x0581, 0x0067}, {0x0583, 0x03C6}, {0x0584, 0x0066},
	{0x0585, 0x0030}, {0x059D, 0x059C}, {0x05A4, 0x059A}, {0x05A8, 0x0599}, {0x05AD, 0x0596},
	{0x05AE, 0x0598}, {0x05BA, 0x05B9}, {0x05C1, 0x05B9}, {0x05C2, 0x05B9}, {0x05C4, 0x05B9},
	{0x05C5, 0x05B4}, {0x05D5, 0x0031}, {0x05D8, 0x006E}, {0x05DF, 0x0031}, {0x05E1, 0x0030},
	{0x05F0, LOOK_SEQ + 12}, {0x05F1, LOOK_SEQ + 18}, {0x05F2, LOOK_SEQ + 21},
	{0x0618, 0x059C}, {0x0623, LOOK_SEQ + 24}, {0x0624, LOOK_SEQ + 27},
	{0x0625, LOOK_SEQ + 30}, {0x0626, LOOK_SEQ + 33}, {0x0627, 0x0031}, {0x0629, 0x00F6},
	{0x062B, LOOK_SEQ + 36}, {0x0634, LOOK_SEQ + 39}, {0x063D, LOOK_SEQ + 42},
	{0x063F, LOOK_SEQ + 36}, {0x0647, 0x0030}, {0x064A, 0x0649}, {0x065A, 0x0658},
	{0x065C, 0x05B4}, {0x0660, 0x002E}, {0x0661, 0x0031}, {0x0665, 0x0030}, {0x0667, 0x006E},
	{0x0668, 0x028C}, {0x066E, 0x0649}, {0x0672, LOOK_SEQ + 24}, {0x0673, LOOK_SEQ + 30},
	{0x0679, LOOK_SEQ + 45}, {0x067E, LOOK_SEQ + 36}, {0x0685, LOOK_SEQ + 48},
	{0x0688, LOOK_SEQ + 51}, {0x068B, LOOK_SEQ + 54}, {0x068E, LOOK_SEQ + 57},
	{0x0691, LOOK_SEQ + 60}, {0x0692, LOOK_SEQ + 63}, {0x0698, LOOK_SEQ + 66},
	{0x069E, LOOK_SEQ + 69}, {0x069F, LOOK_SEQ + 72}, {0x06A1, 0x066F},
	{0x06A4, LOOK_SEQ + 75}, {0x06A7, 0x0641}, {0x06A8, LOOK_SEQ + 75}, {0x06A9, 0x0643},
	{0x06AA, 0x0643}, {0x06AD, LOOK_SEQ + 78}, {0x06B4, LOOK_SEQ + 81},
	{0x06B5, LOOK_SEQ + 84}, {0x06B7, LOOK_SEQ + 87}, {0x06BA, 0x0649},
	{0x06BB, LOOK_SEQ + 45}, {0x06BD, LOOK_SEQ + 36}, {0x06BE, 0x0030}, {0x06C1, 0x0030},
	{0x06C2, 0x06C0}, {0x06C3, 0x00F6}, {0x06C6, LOOK_SEQ + 90}, {0x06C7, LOOK_SEQ + 93},
	{0x06C9, LOOK_SEQ + 96}, {0x06CB, LOOK_SEQ + 99}, {0x06CC, 0x0649},
	{0x06CE, LOOK_SEQ + 102}, {0x06D0, 0x067B}, {0x06D1, LOOK_SEQ + 36}, {0x06D2, 0x0649},
	{0x06D5, 0x0030}, {0x06DF, 0x05AF}, {0x06EC, 0x05B9}, {0x06EE, LOOK_SEQ + 105},
	{0x06EF, LOOK_SEQ + 108}, {0x06F0, 0x002E}, {0x06F1, 0x0031}, {0x06F2, 0x0662},
	{0x06F3, 0x0663}, {0x06F4, 0x0664}, {0x06F5, 0x0030}, {0x06F6, 0x0666}, {0x06F7, 0x006E},
	{0x06F8, 0x028C}, {0x06F9, 0x0669}, {0x06FF, LOOK_SEQ + 111}, {0x0740, 0x05B9},
	{0x0741, 0x05B9}, {0x0742, 0x073C}, {0x0747, 0x059C}, {0x0751, LOOK_SEQ + 114},
	{0x0756, LOOK_SEQ + 102}, {0x0762, 0x06AC}, {0x0763, LOOK_SEQ + 78}, {0x0767, 0x0754},
	{0x0768, LOOK_SEQ + 117}, {0x0769, LOOK_SEQ + 120}, {0x0771, LOOK_SEQ + 123},
	{0x0772, 0x0681}, {0x077E, LOOK_SEQ + 126}, {0x07C0, 0x0030}, {0x07CA, 0x0031},
	{0x07EB, 0x0659}, {0x07ED, 0x05B9}, {0x07EE, 0x065B}, {0x07F4, 0x05D9}, {0x07F5, 0x05D9},
	{0x07FA, 0x005F}, {0x08A4, LOOK_SEQ + 129}, {0x08A7, LOOK_SEQ + 132}, {0x08A9, 0x0754},
	{0x08B0, 0x06AF}, {0x08B1, 0x0648}, {0x08B2, LOOK_SEQ + 135}, {0x08B6, LOOK_SEQ + 138},
	{0x08B7, LOOK_SEQ + 141}, {0x08BB, 0x066F}, {0x08BC, 0x066F}, {0x08BD, 0x0649},
	{0x08E8, 0x08E5}, {0x08EA, 0x05B9}, {0x08EB, 0x07F3}, {0x08ED, 0x05B4}, {0x08F1, 0x08E5},
	{0x08F3, 0x0619}, {0x0901, 0x06E8}, {0x0902, 0x05B9}, {0x0904, LOOK_SEQ + 145},
	{0x0906, LOOK_SEQ + 148}, {0x0908, LOOK_SEQ + 151}, {0x090D, LOOK_SEQ + 155},
	{0x090E, LOOK_SEQ + 158}, {0x0910, LOOK_SEQ + 161}, {0x0911, LOOK_SEQ + 164},
	{0x0912, LOOK_SEQ + 167}, {0x0913, LOOK_SEQ + 171}, {0x0914, LOOK_SEQ + 175},
	{0x093C, 0x05B4}, {0x0966, 0x0030}, {0x0967, 0x0669}, {0x097D, 0x0242}, {0x0981, 0x06E8},
	{0x0986, LOOK_SEQ + 179}, {0x09BC, 0x05B4}, {0x09E0, LOOK_SEQ + 182},
	{0x09E1, LOOK_SEQ + 182}, {0x09E6, 0x0030}, {0x0A02, 0x05B9}, {0x0A03, 0x0983},
	{0x0A06, LOOK_SEQ + 185}, {0x0A07, LOOK_SEQ + 188}, {0x0A08, LOOK_SEQ + 191},
	{0x0A09, LOOK_SEQ + 194}, {0x0A0A, LOOK_SEQ + 197}, {0x0A0F, LOOK_SEQ + 200},
	{0x0A10, LOOK_SEQ + 203}, {0x0A14, LOOK_SEQ + 206}, {0x0A3C, 0x05B4}, {0x0A4B, 0x0946},
	{0x0A4D, 0x094D}, {0x0A66, 0x0030}, {0x0A81, 0x06E8}, {0x0A82, 0x05B9}, {0x0A83, 0x0903},
	{0x0A86, LOOK_SEQ + 209}, {0x0A8D, LOOK_SEQ + 212}, {0x0A8F, LOOK_SEQ + 215},
	{0x0A90, LOOK_SEQ + 218}, {0x0A91, LOOK_SEQ + 221}, {0x0A93, LOOK_SEQ + 225},
	{0x0A94, LOOK_SEQ + 229}, {0x0ABC, 0x05B4}, {0x0ABD, 0x093D}, {0x0AC1, 0x0941},
	{0x0AC2, 0x0942}, {0x0ACD, 0x094D}, {0x0AE6, 0x0030}, {0x0AE8, 0x0968}, {0x0AE9, 0x0969},
	{0x0AEA, 0x096A}, {0x0AEE, 0x096E}, {0x0B01, 0x06E8}, {0x0B06, LOOK_SEQ + 233},
	{0x0B20, 0x0030}, {0x0B3C, 0x05B4}, {0x0B66, 0x0030}, {0x0B82, 0x05AF},
	{0x0B8A, LOOK_SEQ + 236}, {0x0B9C, 0x0B90}, {0x0BB0, 0x0B88}, {0x0BBE, 0x0B88},
	{0x0BC8, 0x0BA9}, {0x0BCA, LOOK_SEQ + 239}, {0x0BCB, LOOK_SEQ + 242},
	{0x0BCC, LOOK_SEQ + 245}, {0x0BCD, 0x05B9}, {0x0BD7, 0x0BB3}, {0x0BE6, 0x0030},
	{0x0BE7, 0x0B95}, {0x0BE8, 0x0B89}, {0x0BEA, 0x0B9A}, {0x0BEB, LOOK_SEQ + 248},
	{0x0BEC, LOOK_SEQ + 251}, {0x0BED, 0x0B8E}, {0x0BEE, 0x0B85}, {0x0C00, 0x06E8},
	{0x0C02, 0x0030}, {0x0C03, 0x0983}, {0x0C13, LOOK_SEQ + 254}, {0x0C14, LOOK_SEQ + 257},
	{0x0C2E, LOOK_SEQ + 260}, {0x0C39, LOOK_SEQ + 263}, {0x0C42, LOOK_SEQ + 266},
	{0x0C44, LOOK_SEQ + 269}, {0x0C60, LOOK_SEQ + 272}, {0x0C61, LOOK_SEQ + 275},
	{0x0C66, 0x0030}, {0x0C81, 0x06E8}, {0x0C82, 0x0030}, {0x0C83, 0x0983}, {0x0C85, 0x0C05},
	{0x0C86, 0x0C06}, {0x0C87, 0x0C07}, {0x0C92, 0x0C12}, {0x0C93, LOOK_SEQ + 254},
	{0x0C94, LOOK_SEQ + 257}, {0x0C9C, 0x0C1C}, {0x0C9E, 0x0C1E}, {0x0CA3, 0x0C23},
	{0x0CAF, 0x0C2F}, {0x0CB1, 0x0C31}, {0x0CB2, 0x0C32}, {0x0CE1, LOOK_SEQ + 278},
	{0x0CE6, 0x0030}, {0x0CE7, 0x0C67}, {0x0CE8, 0x0C68}, {0x0CEF, 0x0C6F}, {0x0D01, 0x06E8},
	{0x0D02, 0x0030}, {0x0D03, 0x0983}, {0x0D08, LOOK_SEQ + 281}, {0x0D09, 0x0B89},
	{0x0D0C, LOOK_SEQ + 284}, {0x0D10, LOOK_SEQ + 287}, {0x0D13, LOOK_SEQ + 290},
	{0x0D14, LOOK_SEQ + 293}, {0x0D19, LOOK_SEQ + 284}, {0x0D1C, 0x0B90}, {0x0D20, 0x0030},
	{0x0D23, 0x0BA3}, {0x0D31, 0x0D30}, {0x0D34, 0x0BB4}, {0x0D36, 0x0BB6},
	{0x0D3A, LOOK_SEQ + 296}, {0x0D3F, 0x0BBF}, {0x0D40, 0x0BBF}, {0x0D42, 0x0D41},
	{0x0D43, 0x0D41}, {0x0D48, LOOK_SEQ + 299}, {0x0D4E, 0x0971}, {0x0D5F, LOOK_SEQ + 302},
	{0x0D61, 0x0D1E}, {0x0D66, 0x0030}, {0x0D6A, LOOK_SEQ + 306}, {0x0D6B, LOOK_SEQ + 309},
	{0x0D6C, LOOK_SEQ + 313}, {0x0D6E, LOOK_SEQ + 317}, {0x0D6F, LOOK_SEQ + 321},
	{0x0D7B, LOOK_SEQ + 321}, {0x0D7C, LOOK_SEQ + 306}, {0x0D82, 0x0030}, {0x0D83, 0x0983},
	{0x0DE9, LOOK_SEQ + 324}, {0x0DEA, 0x0DA2}, {0x0DEB, 0x0DAF}, {0x0DEF, LOOK_SEQ + 327},
	{0x0E03, 0x0E02}, {0x0E0B, 0x0E0A}, {0x0E0F, 0x0E0E}, {0x0E14, 0x0E04}, {0x0E15, 0x0E04},
	{0x0E17, 0x0E11}, {0x0E21, 0x0E06}, {0x0E26, 0x0E20}, {0x0E41, LOOK_SEQ + 330},
	{0x0E45, 0x0E32}, {0x0E4D, 0x05AF}, {0x0E50, 0x0030}, {0x0E88, 0x0E08}, {0x0E8D, 0x0E22},
	{0x0E9A, 0x0E1A}, {0x0E9B, 0x0E1B}, {0x0E9D, 0x0E1D}, {0x0E9E, 0x0E1E}, {0x0E9F, 0x0E1F},
	{0x0EB8, 0x0E38}, {0x0EB9, 0x0E39}, {0x0EC8, 0x0E48}, {0x0EC9, 0x0E49}, {0x0ECA, 0x0E4A},
	{0x0ECB, 0x0E4B}, {0x0ECD, 0x05AF}, {0x0ED0, 0x0030}, {0x0F00, LOOK_SEQ + 333},
	{0x0F6A, 0x0F62}, {0x1000, LOOK_SEQ + 337}, {0x1010, LOOK_SEQ + 340}, {0x101D, 0x0030},
	{0x101F, LOOK_SEQ + 343}, {0x1029, LOOK_SEQ + 346}, {0x102A, LOOK_SEQ + 349},
	{0x1036, 0x05AF}, {0x1038, 0x0983}, {0x1040, 0x0030}, {0x1065, 0x1041},
	{0x1066, LOOK_SEQ + 355}, {0x106F, LOOK_SEQ + 358}, {0x1070, LOOK_SEQ + 362},
	{0x107E, LOOK_SEQ + 365}, {0x1081, LOOK_SEQ + 368}, {0x10E7, 0x0072}, {0x10F3, 0x021D},
	{0x10FF, 0x0030}, {0x1200, 0x0072}, {0x1206, 0x0574}, {0x1223, 0x057A}, {0x1240, 0x03C6},
	{0x1260, 0x006E}, {0x1261, 0x006E}, {0x1294, 0x0571}, {0x12AE, 0x056B}, {0x12D0, 0x0030},
	{0x1323, 0x057A}, {0x13A0, 0x0064}, {0x13A1, 0x0072}, {0x13A2, 0x0072},
	{0x13A4, LOOK_SEQ + 9}, {0x13A5, 0x0031}, {0x13A8, 0x0371}, {0x13A9, 0x0072},
	{0x13AA, 0x0061}, {0x13AB, 0x006A}, {0x13AC, 0x0065}, {0x13AE, 0x0242}, {0x13B0, 0x0371},
	{0x13B1, 0x0072}, {0x13B3, 0x0077}, {0x13B7, LOOK_SEQ + 0}, {0x13BB, 0x0068},
	{0x13BD, 0x0072}, {0x13BE, 0x0275}, {0x13BF, 0x0163}, {0x13C0, 0x0067}, {0x13C2, 0x0068},
	{0x13C3, 0x0072}, {0x13C7, 0x0077}, {0x13CB, 0x0065}, {0x13CC, 0x0167}, {0x13CF, 0x0062},
	{0x13D2, 0x0072}, {0x13D4, 0x0077}, {0x13D5, 0x0073}, {0x13D9, 0x006E}, {0x13DA, 0x0073},
	{0x13DE, 0x0031}, {0x13DF, 0x0063}, {0x13E2, 0x0070}, {0x13E6, 0x006B}, {0x13E7, 0x0064},
	{0x13EB, 0x0275}, {0x13F0, 0x0062}, {0x13F3, 0x0067}, {0x13F4, 0x0062}, {0x1403, 0x03B4},
	{0x142B, LOOK_SEQ + 371}, {0x144C, 0x0072}, {0x144E, 0x006E}, {0x145D, 0x1454},
	{0x1467, 0x0491}, {0x146D, 0x0070}, {0x146F, 0x0064}, {0x1472, 0x0062}, {0x148D, 0x006A},
	{0x14A5, 0x0072}, {0x14AA, 0x0031}, {0x14AE, 0x1457}, {0x14AF, 0x1458}, {0x14D1, 0x1421},
	{0x150D, LOOK_SEQ + 374}, {0x150F, LOOK_SEQ + 377}, {0x1540, 0x1429}, {0x1541, 0x0078},
	{0x1577, 0x03B4}, {0x157C, 0x0068}, {0x157D, 0x0078}, {0x157E, LOOK_SEQ + 380},
	{0x1580, LOOK_SEQ + 383}, {0x1582, LOOK_SEQ + 386}, {0x1585, LOOK_SEQ + 389},
	{0x1587, 0x0072}, {0x158E, LOOK_SEQ + 392}, {0x158F, LOOK_SEQ + 395},
	{0x1590, LOOK_SEQ + 398}, {0x1592, LOOK_SEQ + 401}, {0x1593, LOOK_SEQ + 404},
	{0x1594, LOOK_SEQ + 407}, {0x15AF, 0x0062}, {0x15B4, 0x0066}, {0x15C4, 0x0250},
	{0x15C5, 0x0061}, {0x15DE, 0x0064}, {0x15EA, 0x0064}, {0x15EF, 0x0077},
	{0x15F0, LOOK_SEQ + 0}, {0x15F7, 0x0062}, {0x1602, 0x1490}, {0x1603, 0x1489},
	{0x1604, 0x14D3}, {0x1607, 0x14DA}, {0x1622, 0x1543}, {0x1623, 0x1546}, {0x1624, 0x154A},
	{0x162E, 0x028A}, {0x162F, 0x03C9}, {0x1634, 0x028A}, {0x1635, 0x03C9},
	{0x166F, LOOK_SEQ + 410}, {0x1670, LOOK_SEQ + 413}, {0x1671, LOOK_SEQ + 416},
	{0x1672, LOOK_SEQ + 419}, {0x1674, LOOK_SEQ + 422}, {0x1675, LOOK_SEQ + 425},
	{0x1676, LOOK_SEQ + 428}, {0x16B7, 0x0078}, {0x16C1, 0x0031}, {0x16C2, 0x16BD},
	{0x16CC, 0x05D9}, {0x16D5, 0x006B}, {0x16D6, LOOK_SEQ + 0}, {0x16D8, 0x03C8},
	{0x16DC, 0x0030}, {0x16E1, 0x16BC}, {0x17A3, 0x17A2}, {0x17B7, 0x0E34}, {0x17B8, 0x0E35},
	{0x17B9, 0x0E36}, {0x17BA, 0x0E37}, {0x17C6, 0x05AF}, {0x17CB, 0x0E48}, {0x17D3, 0x05AF},
	{0x1855, 0x1835}, {0x1896, 0x185C}, {0x18DC, LOOK_SEQ + 431}, {0x18DD, LOOK_SEQ + 434},
	{0x18F5, 0x18DB}, {0x19D0, 0x199E}, {0x19D1, 0x19B1}, {0x1A80, 0x1A45}, {0x1A90, 0x1A45},
	{0x1B52, 0x1B0D}, {0x1B53, 0x1B11}, {0x1B58, 0x1B28}, {0x1CDE, 0x08EE}, {0x1E9D, 0x0066},
	{0x1E9F, 0x03B4}, {0x1EFF, 0x0072}, {0x1FF6, 0x13EF}, {0x2184, 0x0254}, {0x2C76, 0x0371},
	{0x2C85, 0x0072}, {0x2C87, 0x03B4}, {0x2C89, 0x0065}, {0x2C8F, 0x0068}, {0x2C93, 0x0031},
	{0x2C95, 0x006B}, {0x2C97, 0x028C}, {0x2C99, LOOK_SEQ + 0}, {0x2C9B, 0x006E},
	{0x2C9F, 0x0030}, {0x2CA1, 0x03C0}, {0x2CA3, 0x0070}, {0x2CA5, 0x0063}, {0x2CA7, 0x0072},
	{0x2CA9, 0x0072}, {0x2CAB, 0x03C6}, {0x2CAD, 0x0078}, {0x2CAF, 0x03C8}, {0x2CB1, 0x03C9},
	{0x2CBB, 0x002D}, {0x2CBD, 0x0448}, {0x2CCD, 0x021D}, {0x2CD1, 0x0031}, {0x2CDD, 0x03ED},
	{0x2CE4, 0x03D7}, {0x2D31, 0x0275}, {0x2D37, 0x028C}, {0x2D38, 0x006E}, {0x2D39, 0x0065},
	{0x2D3A, 0x01DD}, {0x2D41, 0x00F8}, {0x2D49, 0x0030}, {0x2D4F, 0x0031}, {0x2D51, 0x01C3},
	{0x2D54, 0x0030}, {0x2D55, 0x0071}, {0x2D5D, 0x0078}, {0x2D60, 0x03B4}, {0x302D, 0x0F37},
	{0x3033, 0x2CC7}, {0x30CE, 0x2CC7}, {0x30D8, 0x3078}, {0x39B3, 0x363D}, {0x439B, 0x3588},
	{0x4420, 0x3B3B}, {0x4E00, 0x30FC}, {0x4E3F, 0x2CC7}, {0x4E8C, 0x30CB}, {0x4EBB, 0x30A4},
	{0x5002, 0x4F75}, {0x503C, 0x5024}, {0x516B, 0x30CF}, {0x529B, 0x30AB}, {0x535C, 0x30C8},
	{0x53E3, 0x30ED}, {0x555F, 0x5553}, {0x56D7, 0x30ED}, {0x586B, 0x5861}, {0x58EB, 0x571F},
	{0x58FF, 0x58AB}, {0x5915, 0x30BF}, {0x5B00, 0x5AAF}, {0x5DE5, 0x30A8}, {0x5E32, 0x5E21},
	{0x5E50, 0x3B3A}, {0x6238, 0x6236}, {0x6409, 0x3A41}, {0x6663, 0x403F}, {0x6669, 0x665A},
	{0x66F6, 0x3ADA}, {0x6726, 0x4443}, {0x67FF, 0x676E}, {0x69E9, 0x3BA3}, {0x6A27, 0x699D},
	{0x6F59, 0x6E88}, {0x784F, 0x7814}, {0x7D76, 0x7D55}, {0x80A6, 0x670C}, {0x80CA, 0x6710},
	{0x80D0, 0x670F}, {0x80F6, 0x3B35}, {0x8101, 0x6713}, {0x8127, 0x6718}, {0x8141, 0x80FC},
	{0x81A7, 0x6723}, {0x853F, 0x848D}, {0x8641, 0x8637}, {0x8A1E, 0x46B6}, {0x8A7D, 0x8A2E},
	{0x8B8F, 0x8B86}, {0x8C63, 0x8C5C}, {0x8D86, 0x8D7F}, {0x8DFA, 0x8DE5}, {0x8E9B, 0x8E97},
	{0x8F27, 0x8EFF}, {0x90DE, 0x90CE}, {0x93AE, 0x93AD}, {0x96B8, 0x96B7}, {0x9E43, 0x9E42},
	{0x9ED2, 0x9ED1}, {0x9FC3, 0x4039}, {0xA4D0, 0x0062}, {0xA4D1, 0x0070}, {0xA4D2, 0x0064},
	{0xA4D3, 0x0064}, {0xA4D4, 0x0072}, {0xA4D6, 0x0067}, {0xA4D7, 0x006B}, {0xA4D9, 0x006A},
	{0xA4DA, 0x0063}, {0xA4DB, 0x0254}, {0xA4DC, 0x0072}, {0xA4DD, 0x0066}, {0xA4DE, 0x15B5},
	{0xA4DF, LOOK_SEQ + 0}, {0xA4E0, 0x006E}, {0xA4E1, 0x0031}, {0xA4E2, 0x0073},
	{0xA4E3, 0x0072}, {0xA4E5, 0x028C}, {0xA4E6, 0x006E}, {0xA4E7, 0x0068}, {0xA4EA, 0x0077},
	{0xA4EB, 0x0078}, {0xA4EC, 0x0072}, {0xA4ED, 0x1660}, {0xA4EE, 0x0061}, {0xA4EF, 0x0250},
	{0xA4F0, 0x0065}, {0xA4F1, 0x01DD}, {0xA4F2, 0x0031}, {0xA4F3, 0x0030}, {0xA4F4, 0x0072},
	{0xA4F5, 0x006E}, {0xA4F7, 0x15E1}, {0xA4F8, 0x002E}, {0xA4FA, LOOK_SEQ + 437},
	{0xA4FB, LOOK_SEQ + 440}, {0xA4FD, 0x0903}, {0xA645, 0x01A8}, {0xA647, 0x0031},
	{0xA64D, 0x03C9}, {0xA669, 0x2D59}, {0xA695, 0x13F2}, {0xA699, LOOK_SEQ + 443},
	{0xA6A1, 0x0377}, {0xA6B0, 0x16B9}, {0xA6B1, 0x0371}, {0xA6CE, 0x028C}, {0xA6DB, 0x03C0},
	{0xA6DF, 0x006E}, {0xA6F0, 0x065B}, {0xA6F1, 0x0659}, {0xA992, 0x2C3F}, {0xA9A3, 0xA99D},
	{0xAA53, 0xAA01}, {0xAA56, 0xAA23}, {0x10282, 0x0062}, {0x10285, 0x03B4},
	{0x10286, 0x0065}, {0x10287, 0x0066}, {0x1028A, 0x0031}, {0x1028D, 0x028C},
	{0x10290, 0x0078}, {0x10292, 0x0030}, {0x10294, 0x0030}, {0x10295, 0x0070},
	{0x10296, 0x0073}, {0x10297, 0x0072}, {0x102A0, 0x0061}, {0x102A1, 0x0062},
	{0x102A2, 0x0063}, {0x102A3, 0x03B4}, {0x102A5, 0x0066}, {0x102A8, 0xA69B},
	{0x102AB, 0x0030}, {0x102AD, 0x03D9}, {0x102B0, LOOK_SEQ + 0}, {0x102B1, 0x0072},
	{0x102B2, 0x0072}, {0x102B3, 0x03C6}, {0x102B4, 0x0078}, {0x102B5, 0x03C8},
	{0x102B6, 0x03C9}, {0x102B8, 0x2D40}, {0x102CF, 0x0068}, {0x10301, 0x0062},
	{0x10302, 0x0063}, {0x10309, 0x0031}, {0x10311, LOOK_SEQ + 0}, {0x10312, 0x03D9},
	{0x10315, 0x0072}, {0x10317, 0x0078}, {0x10429, 0x0065}, {0x1042C, 0x0030},
	{0x10439, 0xA4F6}, {0x1043D, 0x0063}, {0x10443, 0x0031}, {0x10447, 0x0252},
	{0x10448, 0x0073}, {0x1044B, 0x0254}, {0x1044D, 0x0377}, {0x104A0, 0x10486},
	{0x104D8, 0x028C}, {0x104DB, 0x028C}, {0x104DC, 0x0072}, {0x104E4, 0x04C4},
	{0x104EA, 0x0030}, {0x104EB, 0x2D59}, {0x104EC, 0x00FE}, {0x104F5, 0x0127},
	{0x104F6, 0x0072}, {0x104F8, 0x16E6}, {0x104F9, 0x03C8}, {0x10513, 0x006E},
	{0x10516, 0x0030}, {0x10518, 0x006B}, {0x1051C, 0x0063}, {0x1051D, 0x006E},
	{0x10525, 0x0066}, {0x10526, 0x0031}, {0x10527, 0x0078}, {0x10A3A, 0x05B4},
	{0x111CA, 0x05B4}, {0x111CB, 0x093A}, {0x111DC, 0xA8FB}, {0x11300, 0x05AF},
	{0x11413, LOOK_SEQ + 446}, {0x11419, LOOK_SEQ + 450}, {0x11424, LOOK_SEQ + 454},
	{0x1142A, LOOK_SEQ + 458}, {0x1142D, LOOK_SEQ + 462}, {0x1142F, LOOK_SEQ + 466},
	{0x11492, 0x0998}, {0x11494, 0x099A}, {0x11496, 0x099C}, {0x11498, 0x099E},
	{0x11499, 0x099F}, {0x1149B, 0x09A1}, {0x1149D, 0x09B2}, {0x1149E, 0x09A4},
	{0x1149F, 0x09A5}, {0x114A0, 0x09A6}, {0x114A1, 0x09A7}, {0x114A2, 0x09A8},
	{0x114A3, 0x09AA}, {0x114A7, 0x09AE}, {0x114A8, 0x09AF}, {0x114A9, 0x09AC},
	{0x114AA, 0x09A3}, {0x114AB, 0x09B0}, {0x114AD, 0x09B7}, {0x114AE, 0x09B8},
	{0x114B0, 0x09BE}, {0x114B1, 0x09BF}, {0x114B9, 0x09C7}, {0x114BC, 0x09CB},
	{0x114BD, 0x09D7}, {0x114BE, 0x09CC}, {0x114BF, 0x06E8}, {0x114C1, 0x0983},
	{0x114C2, 0x09CD}, {0x114C3, 0x05B4}, {0x114C4, 0x09BD}, {0x114D0, 0x0030},
	{0x114D1, 0x09E7}, {0x114D2, 0x09E8}, {0x114D6, 0x09EC}, {0x115D8, 0x11582},
	{0x115D9, 0x11582}, {0x115DA, 0x11583}, {0x115DB, 0x11584}, {0x115DC, 0x115B2},
	{0x115DD, 0x115B3}, {0x11700, LOOK_SEQ + 0}, {0x11706, 0x006E}, {0x1170A, 0x0077},
	{0x1170E, 0x0077}, {0x1170F, 0x0077}, {0x118C0, 0x006E}, {0x118C1, 0x0073},
	{0x118C2, 0x0066}, {0x118C3, 0x0031}, {0x118C4, 0x0072}, {0x118C6, 0x0065},
	{0x118C8, 0x0030}, {0x118C9, 0x0072}, {0x118CE, 0x0065}, {0x118D2, 0x0031},
	{0x118D5, 0x0030}, {0x118D7, 0x0030}, {0x118D8, 0x0072}, {0x118DC, 0x0072},
	{0x118E0, 0x0030}, {0x118E3, LOOK_SEQ + 0}, {0x118E4, 0x0669}, {0x118E5, 0x0072},
	{0x118E6, 0x0077}, {0x118E9, 0x0063}, {0x11AE6, LOOK_SEQ + 470}, {0x11AE7, LOOK_SEQ + 473},
	{0x11AE8, LOOK_SEQ + 476}, {0x11AE9, LOOK_SEQ + 479}, {0x11AEA, LOOK_SEQ + 483},
	{0x11AEC, LOOK_SEQ + 487}, {0x11AED, LOOK_SEQ + 490}, {0x11AEE, LOOK_SEQ + 493},
	{0x11AF4, LOOK_SEQ + 497}, {0x11AF5, LOOK_SEQ + 500}, {0x11AF6, LOOK_SEQ + 503},
	{0x11AF7, LOOK_SEQ + 506}, {0x11AF8, LOOK_SEQ + 510}, {0x11CB2, 0x11CAA},
	{0x12038, 0x1039A}, {0x132F9, 0x1099E}, {0x16F07, 0x0072}, {0x16F08, 0x006E},
	{0x16F0A, 0x0072}, {0x16F16, 0x0031}, {0x16F1A, 0x03B4}, {0x16F1C, 0xA659},
	{0x16F26, 0xA4F6}, {0x16F28, 0x0031}, {0x16F2D, 0x0065}, {0x16F35, 0x0072},
	{0x16F3A, 0x0073}, {0x16F3D, 0x028C}, {0x16F40, 0x0061}, {0x16F42, 0x0072},
	{0x16F43, 0x0072}, {0x16F51, 0x05D9}, {0x16F52, 0x05D9}, {0x21FE8, 0x304F},
};
static const uint32_t look_alike_seq[] = {
	0x0072, 0x006E, 0, 0x0061, 0x0065, 0, 0x0030, 0x0065, 0, 0x0030, 0x05D9, 0, 0x0031, 0x0031,
	0, 0x0062, 0x0031, 0, 0x0031, 0x05D9, 0, 0x05D9, 0x05D9, 0, 0x0031, 0x0674, 0, 0x0648,
	0x0674, 0, 0x0031, 0x065F, 0, 0x0649, 0x0674, 0, 0x0649, 0x06DB, 0, 0x0633, 0x06DB, 0,
	0x0649, 0x065B, 0, 0x0649, 0x0615, 0, 0x062D, 0x06DB, 0, 0x062F, 0x0615, 0, 0x068A, 0x0615,
	0, 0x062F, 0x06DB, 0, 0x0631, 0x0615, 0, 0x0631, 0x0658, 0, 0x0631, 0x06DB, 0, 0x0635,
	0x06DB, 0, 0x0637, 0x06DB, 0, 0x066F, 0x06DB, 0, 0x0643, 0x06DB, 0, 0x06AF, 0x06DB, 0,
	0x0644, 0x0658, 0, 0x0644, 0x06DB, 0, 0x0648, 0x0658, 0, 0x0648, 0x0619, 0, 0x0648, 0x065B,
	0, 0x0648, 0x06DB, 0, 0x0649, 0x0658, 0, 0x062F, 0x065B, 0, 0x0631, 0x065B, 0, 0x0030,
	0x065B, 0, 0x0628, 0x06DB, 0, 0x0646, 0x0615, 0, 0x0646, 0x0658, 0, 0x0697, 0x0615, 0,
	0x0633, 0x065B, 0, 0x06A2, 0x06DB, 0, 0x0645, 0x06DB, 0, 0x0632, 0x065B, 0, 0x0628, 0x06E2,
	0, 0x0649, 0x06DB, 0x06E2, 0, 0x0905, 0x0946, 0, 0x0905, 0x093E, 0, 0x0930, 0x094D, 0x0907,
	0, 0x090F, 0x0945, 0, 0x090F, 0x0946, 0, 0x090F, 0x0947, 0, 0x0905, 0x0949, 0, 0x0905,
	0x093E, 0x0946, 0, 0x0905, 0x093E, 0x0947, 0, 0x0905, 0x093E, 0x0948, 0, 0x0985, 0x09BE, 0,
	0x098B, 0x09C3, 0, 0x0A05, 0x0A3E, 0, 0x0A72, 0x0A3F, 0, 0x0A72, 0x0A40, 0, 0x0A73, 0x0A41,
	0, 0x0A73, 0x0A42, 0, 0x0A72, 0x0A47, 0, 0x0A05, 0x0A48, 0, 0x0A05, 0x0A4C, 0, 0x0A85,
	0x0ABE, 0, 0x0A85, 0x0AC5, 0, 0x0A85, 0x0AC7, 0, 0x0A85, 0x0AC8, 0, 0x0A85, 0x0ABE, 0x0AC5,
	0, 0x0A85, 0x0ABE, 0x0AC7, 0, 0x0A85, 0x0ABE, 0x0AC8, 0, 0x0B05, 0x0B3E, 0, 0x0B89, 0x0BB3,
	0, 0x0BC6, 0x0B88, 0, 0x0BC7, 0x0B88, 0, 0x0BC6, 0x0BB3, 0, 0x0B88, 0x0BC1, 0, 0x0B9A,
	0x0BC1, 0, 0x0C12, 0x0C55, 0, 0x0C12, 0x0C4C, 0, 0x0C35, 0x0C41, 0, 0x0C35, 0x0C3E, 0,
	0x0C41, 0x0C3E, 0, 0x0C43, 0x0C3E, 0, 0x0C0B, 0x0C3E, 0, 0x0C0C, 0x0C3E, 0, 0x0C8C, 0x0CBE,
	0, 0x0D07, 0x0D57, 0, 0x0D28, 0x0D41, 0, 0x0D0E, 0x0D46, 0, 0x0D12, 0x0D3E, 0, 0x0D12,
	0x0D57, 0, 0x0B9F, 0x0BBF, 0, 0x0D46, 0x0D46, 0, 0x0030, 0x0D30, 0x0030, 0, 0x0D30, 0x0D4D,
	0, 0x0D26, 0x0D4D, 0x0D30, 0, 0x0D28, 0x0D4D, 0x0D28, 0, 0x0D35, 0x0D4D, 0x0D30, 0, 0x0D28,
	0x0D4D, 0, 0x0DE8, 0x0DCF, 0, 0x0DE8, 0x0DD3, 0, 0x0E40, 0x0E40, 0, 0x0F68, 0x0F7C, 0x0F7E,
	0, 0x1002, 0x102C, 0, 0x0030, 0x102C, 0, 0x1015, 0x102C, 0, 0x101E, 0x103C, 0, 0x101E,
	0x103C, 0x1031, 0x102C, 0x103A, 0, 0x1015, 0x103E, 0, 0x1015, 0x102C, 0x103E, 0, 0x1003,
	0x103E, 0, 0x107D, 0x103E, 0, 0x1002, 0x103E, 0, 0x1401, 0x1420, 0, 0x150B, 0x1455, 0,
	0x150B, 0x1490, 0, 0x1550, 0x146C, 0, 0x1550, 0x146E, 0, 0x1550, 0x1470, 0, 0x1550, 0x1483,
	0, 0x1595, 0x148A, 0, 0x1595, 0x148B, 0, 0x1595, 0x148C, 0, 0x1595, 0x148E, 0, 0x1595,
	0x1490, 0, 0x1595, 0x1491, 0, 0x1550, 0x146B, 0, 0x1595, 0x1489, 0, 0x1596, 0x148B, 0,
	0x1596, 0x148C, 0, 0x1596, 0x148E, 0, 0x1596, 0x1490, 0, 0x1596, 0x1491, 0, 0x18DF, 0x141E,
	0, 0x141E, 0x18DF, 0, 0x002E, 0x002E, 0, 0x002E, 0xA4F9, 0, 0x0030, 0x0030, 0, 0x11434,
	0x11442, 0x11412, 0, 0x11434, 0x11442, 0x11418, 0, 0x11434, 0x11442, 0x11423, 0, 0x11434,
	0x11442, 0x11429, 0, 0x11434, 0x11442, 0x1142C, 0, 0x11434, 0x11442, 0x1142E, 0, 0x11AE5,
	0x11AEF, 0, 0x11AE5, 0x11AF0, 0, 0x11AE5, 0x11AE5, 0, 0x11AE5, 0x11AE5, 0x11AEF, 0,
	0x11AE5, 0x11AE5, 0x11AF0, 0, 0x11AEB, 0x11AEF, 0, 0x11AEB, 0x11AEB, 0, 0x11AEB, 0x11AEB,
	0x11AEF, 0, 0x11AF3, 0x11AEF, 0, 0x11AF3, 0x11AF0, 0, 0x11AF3, 0x11AF3, 0, 0x11AF3,
	0x11AF3, 0x11AEF, 0, 0x11AF3, 0x11AF3, 0x11AF0, 0,
};

/* case_fold: simple case folding (CaseFolding.txt status C and S). A code point c in [lo, hi]
 * with (c - lo) % stride == 0 folds to c + delta; the others in the range, and all code points
 * in no range, fold to themselves. */
static const struct ufold case_fold[] = {
	{{0x0041, 0x005A}, 32, 1}, {{0x00B5, 0x00B5}, 775, 1}, {{0x00C0, 0x00D6}, 32, 1},
	{{0x00D8, 0x00DE}, 32, 1}, {{0x0100, 0x012E}, 1, 2}, {{0x0132, 0x0136}, 1, 2},
	{{0x0139, 0x0147}, 1, 2}, {{0x014A, 0x0176}, 1, 2}, {{0x0178, 0x0178}, -121, 1},
	{{0x0179, 0x017D}, 1, 2}, {{0x017F, 0x017F}, -268, 1}, {{0x0181, 0x0181}, 210, 1},
	{{0x0182, 0x0184}, 1, 2}, {{0x0186, 0x0186}, 206, 1}, {{0x0187, 0x0187}, 1, 1},
	{{0x0189, 0x018A}, 205, 1}, {{0x018B, 0x018B}, 1, 1}, {{0x018E, 0x018E}, 79, 1},
	{{0x018F, 0x018F}, 202, 1}, {{0x0190, 0x0190}, 203, 1}, {{0x0191, 0x0191}, 1, 1},
	{{0x0193, 0x0193}, 205, 1}, {{0x0194, 0x0194}, 207, 1}, {{0x0196, 0x0196}, 211, 1},
	{{0x0197, 0x0197}, 209, 1}, {{0x0198, 0x0198}, 1, 1}, {{0x019C, 0x019C}, 211, 1},
	{{0x019D, 0x019D}, 213, 1}, {{0x019F, 0x019F}, 214, 1}, {{0x01A0, 0x01A4}, 1, 2},
	{{0x01A6, 0x01A6}, 218, 1}, {{0x01A7, 0x01A7}, 1, 1}, {{0x01A9, 0x01A9}, 218, 1},
	{{0x01AC, 0x01AC}, 1, 1}, {{0x01AE, 0x01AE}, 218, 1}, {{0x01AF, 0x01AF}, 1, 1},
	{{0x01B1, 0x01B2}, 217, 1}, {{0x01B3, 0x01B5}, 1, 2}, {{0x01B7, 0x01B7}, 219, 1},
	{{0x01B8, 0x01B8}, 1, 1}, {{0x01BC, 0x01BC}, 1, 1}, {{0x01C4, 0x01C4}, 2, 1},
	{{0x01C5, 0x01C5}, 1, 1}, {{0x01C7, 0x01C7}, 2, 1}, {{0x01C8, 0x01C8}, 1, 1},
	{{0x01CA, 0x01CA}, 2, 1}, {{0x01CB, 0x01DB}, 1, 2}, {{0x01DE, 0x01EE}, 1, 2},
	{{0x01F1, 0x01F1}, 2, 1}, {{0x01F2, 0x01F4}, 1, 2}, {{0x01F6, 0x01F6}, -97, 1},
	{{0x01F7, 0x01F7}, -56, 1}, {{0x01F8, 0x021E}, 1, 2}, {{0x0220, 0x0220}, -130, 1},
	{{0x0222, 0x0232}, 1, 2}, {{0x023A, 0x023A}, 10795, 1}, {{0x023B, 0x023B}, 1, 1},
	{{0x023D, 0x023D}, -163, 1}, {{0x023E, 0x023E}, 10792, 1}, {{0x0241, 0x0241}, 1, 1},
	{{0x0243, 0x0243}, -195, 1}, {{0x0244, 0x0244}, 69, 1}, {{0x0245, 0x0245}, 71, 1},
	{{0x0246, 0x024E}, 1, 2}, {{0x0345, 0x0345}, 116, 1}, {{0x0370, 0x0372}, 1, 2},
	{{0x0376, 0x0376}, 1, 1}, {{0x037F, 0x037F}, 116, 1}, {{0x0386, 0x0386}, 38, 1},
	{{0x0388, 0x038A}, 37, 1}, {{0x038C, 0x038C}, 64, 1}, {{0x038E, 0x038F}, 63, 1},
	{{0x0391, 0x03A1}, 32, 1}, {{0x03A3, 0x03AB}, 32, 1}, {{0x03C2, 0x03C2}, 1, 1},
	{{0x03CF, 0x03CF}, 8, 1}, {{0x03D0, 0x03D0}, -30, 1}, {{0x03D1, 0x03D1}, -25, 1},
	{{0x03D5, 0x03D5}, -15, 1}, {{0x03D6, 0x03D6}, -22, 1}, {{0x03D8, 0x03EE}, 1, 2},
	{{0x03F0, 0x03F0}, -54, 1}, {{0x03F1, 0x03F1}, -48, 1}, {{0x03F4, 0x03F4}, -60, 1},
	{{0x03F5, 0x03F5}, -64, 1}, {{0x03F7, 0x03F7}, 1, 1}, {{0x03F9, 0x03F9}, -7, 1},
	{{0x03FA, 0x03FA}, 1, 1}, {{0x03FD, 0x03FF}, -130, 1}, {{0x0400, 0x040F}, 80, 1},
	{{0x0410, 0x042F}, 32, 1}, {{0x0460, 0x0480}, 1, 2}, {{0x048A, 0x04BE}, 1, 2},
	{{0x04C0, 0x04C0}, 15, 1}, {{0x04C1, 0x04CD}, 1, 2}, {{0x04D0, 0x052E}, 1, 2},
	{{0x0531, 0x0556}, 48, 1}, {{0x10A0, 0x10C5}, 7264, 1}, {{0x10C7, 0x10C7}, 7264, 1},
	{{0x10CD, 0x10CD}, 7264, 1}, {{0x13F8, 0x13FD}, -8, 1}, {{0x1C80, 0x1C80}, -6222, 1},
	{{0x1C81, 0x1C81}, -6221, 1}, {{0x1C82, 0x1C82}, -6212, 1}, {{0x1C83, 0x1C84}, -6210, 1},
	{{0x1C85, 0x1C85}, -6211, 1}, {{0x1C86, 0x1C86}, -6204, 1}, {{0x1C87, 0x1C87}, -6180, 1},
	{{0x1C88, 0x1C88}, 35267, 1}, {{0x1C90, 0x1CBA}, -3008, 1}, {{0x1CBD, 0x1CBF}, -3008, 1},
	{{0x1E00, 0x1E94}, 1, 2}, {{0x1E9B, 0x1E9B}, -58, 1}, {{0x1E9E, 0x1E9E}, -7615, 1},
	{{0x1EA0, 0x1EFE}, 1, 2}, {{0x1F08, 0x1F0F}, -8, 1}, {{0x1F18, 0x1F1D}, -8, 1},
	{{0x1F28, 0x1F2F}, -8, 1}, {{0x1F38, 0x1F3F}, -8, 1}, {{0x1F48, 0x1F4D}, -8, 1},
	{{0x1F59, 0x1F5F}, -8, 2}, {{0x1F68, 0x1F6F}, -8, 1}, {{0x1F88, 0x1F8F}, -8, 1},
	{{0x1F98, 0x1F9F}, -8, 1}, {{0x1FA8, 0x1FAF}, -8, 1}, {{0x1FB8, 0x1FB9}, -8, 1},
	{{0x1FBA, 0x1FBB}, -74, 1}, {{0x1FBC, 0x1FBC}, -9, 1}, {{0x1FBE, 0x1FBE}, -7173, 1},
	{{0x1FC8, 0x1FCB}, -86, 1}, {{0x1FCC, 0x1FCC}, -9, 1}, {{0x1FD8, 0x1FD9}, -8, 1},
	{{0x1FDA, 0x1FDB}, -100, 1}, {{0x1FE8, 0x1FE9}, -8, 1}, {{0x1FEA, 0x1FEB}, -112, 1},
	{{0x1FEC, 0x1FEC}, -7, 1}, {{0x1FF8, 0x1FF9}, -128, 1}, {{0x1FFA, 0x1FFB}, -126, 1},
	{{0x1FFC, 0x1FFC}, -9, 1}, {{0x2126, 0x2126}, -7517, 1}, {{0x212A, 0x212A}, -8383, 1},
	{{0x212B, 0x212B}, -8262, 1}, {{0x2132, 0x2132}, 28, 1}, {{0x2160, 0x216F}, 16, 1},
	{{0x2183, 0x2183}, 1, 1}, {{0x24B6, 0x24CF}, 26, 1}, {{0x2C00, 0x2C2F}, 48, 1},
	{{0x2C60, 0x2C60}, 1, 1}, {{0x2C62, 0x2C62}, -10743, 1}, {{0x2C63, 0x2C63}, -3814, 1},
	{{0x2C64, 0x2C64}, -10727, 1}, {{0x2C67, 0x2C6B}, 1, 2}, {{0x2C6D, 0x2C6D}, -10780, 1},
	{{0x2C6E, 0x2C6E}, -10749, 1}, {{0x2C6F, 0x2C6F}, -10783, 1},
	{{0x2C70, 0x2C70}, -10782, 1}, {{0x2C72, 0x2C72}, 1, 1}, {{0x2C75, 0x2C75}, 1, 1},
	{{0x2C7E, 0x2C7F}, -10815, 1}, {{0x2C80, 0x2CE2}, 1, 2}, {{0x2CEB, 0x2CED}, 1, 2},
	{{0x2CF2, 0x2CF2}, 1, 1}, {{0xA640, 0xA66C}, 1, 2}, {{0xA680, 0xA69A}, 1, 2},
	{{0xA722, 0xA72E}, 1, 2}, {{0xA732, 0xA76E}, 1, 2}, {{0xA779, 0xA77B}, 1, 2},
	{{0xA77D, 0xA77D}, -35332, 1}, {{0xA77E, 0xA786}, 1, 2}, {{0xA78B, 0xA78B}, 1, 1},
	{{0xA78D, 0xA78D}, -42280, 1}, {{0xA790, 0xA792}, 1, 2}, {{0xA796, 0xA7A8}, 1, 2},
	{{0xA7AA, 0xA7AA}, -42308, 1}, {{0xA7AB, 0xA7AB}, -42319, 1},
	{{0xA7AC, 0xA7AC}, -42315, 1}, {{0xA7AD, 0xA7AD}, -42305, 1},
	{{0xA7AE, 0xA7AE}, -42308, 1}, {{0xA7B0, 0xA7B0}, -42258, 1},
	{{0xA7B1, 0xA7B1}, -42282, 1}, {{0xA7B2, 0xA7B2}, -42261, 1}, {{0xA7B3, 0xA7B3}, 928, 1},
	{{0xA7B4, 0xA7C2}, 1, 2}, {{0xA7C4, 0xA7C4}, -48, 1}, {{0xA7C5, 0xA7C5}, -42307, 1},
	{{0xA7C6, 0xA7C6}, -35384, 1}, {{0xA7C7, 0xA7C9}, 1, 2}, {{0xA7D0, 0xA7D0}, 1, 1},
	{{0xA7D6, 0xA7D8}, 1, 2}, {{0xA7F5, 0xA7F5}, 1, 1}, {{0xAB70, 0xABBF}, -38864, 1},
	{{0xFF21, 0xFF3A}, 32, 1}, {{0x10400, 0x10427}, 40, 1}, {{0x104B0, 0x104D3}, 40, 1},
	{{0x10570, 0x1057A}, 39, 1}, {{0x1057C, 0x1058A}, 39, 1}, {{0x1058C, 0x10592}, 39, 1},
	{{0x10594, 0x10595}, 39, 1}, {{0x10C80, 0x10CB2}, 64, 1}, {{0x118A0, 0x118BF}, 32, 1},
	{{0x16E40, 0x16E5F}, 32, 1}, {{0x1E900, 0x1E921}, 34, 1},
};

/* wide_chars: East_Asian_Width W or F, two terminal columns. zero_width: no column: Mn, Me, Cf,
 * U+1160..U+11FF, U+200B and Default_Ignorable_Code_Point, but not U+00AD. A few code points
 * are in both (U+115F, U+3164, wide combining marks): look in zero_width first. */
static const struct urange wide_chars[] = {
	{0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC}, {0x23F0, 0x23F0},
	{0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615}, {0x2648, 0x2653}, {0x267F, 0x267F},
	{0x2693, 0x2693}, {0x26A1, 0x26A1}, {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5},
	{0x26CE, 0x26CE}, {0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
	{0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B}, {0x2728, 0x2728},
	{0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755}, {0x2757, 0x2757}, {0x2795, 0x2797},
	{0x27B0, 0x27B0}, {0x27BF, 0x27BF}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},
	{0x2E80, 0x2E99}, {0x2E9B, 0x2EF3}, {0x2F00, 0x2FD5}, {0x2FF0, 0x2FFB}, {0x3000, 0x303E},
	{0x3041, 0x3096}, {0x3099, 0x30FF}, {0x3105, 0x312F}, {0x3131, 0x318E}, {0x3190, 0x31E3},
	{0x31F0, 0x321E}, {0x3220, 0x3247}, {0x3250, 0x4DBF}, {0x4E00, 0xA48C}, {0xA490, 0xA4C6},
	{0xA960, 0xA97C}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19}, {0xFE30, 0xFE52},
	{0xFE54, 0xFE66}, {0xFE68, 0xFE6B}, {0xFF01, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x16FE4},
	{0x16FF0, 0x16FF1}, {0x17000, 0x187F7}, {0x18800, 0x18CD5}, {0x18D00, 0x18D08},
	{0x1AFF0, 0x1AFF3}, {0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE}, {0x1B000, 0x1B122},
	{0x1B132, 0x1B132}, {0x1B150, 0x1B152}, {0x1B155, 0x1B155}, {0x1B164, 0x1B167},
	{0x1B170, 0x1B2FB}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
	{0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B}, {0x1F240, 0x1F248},
	{0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F320}, {0x1F32D, 0x1F335},
	{0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3},
	{0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440},
	{0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567},
	{0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F},
	{0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7},
	{0x1F6DC, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB},
	{0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF},
	{0x1FA70, 0x1FA7C}, {0x1FA80, 0x1FA88}, {0x1FA90, 0x1FABD}, {0x1FABF, 0x1FAC5},
	{0x1FACE, 0x1FADB}, {0x1FAE0, 0x1FAE8}, {0x1FAF0, 0x1FAF8}, {0x20000, 0x2FFFD},
	{0x30000, 0x3FFFD},
};
static const struct urange zero_width[] = {
	{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
	{0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0600, 0x0605}, {0x0610, 0x061A}, {0x061C, 0x061C},
	{0x064B, 0x065F}, {0x0670, 0x0670}, {0x06D6, 0x06DD}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8},
	{0x06EA, 0x06ED}, {0x070F, 0x070F}, {0x0711, 0x0711}, {0x0730, 0x074A}, {0x07A6, 0x07B0},
	{0x07EB, 0x07F3}, {0x07FD, 0x07FD}, {0x0816, 0x0819}, {0x081B, 0x0823}, {0x0825, 0x0827},
	{0x0829, 0x082D}, {0x0859, 0x085B}, {0x0890, 0x0891}, {0x0898, 0x089F}, {0x08CA, 0x0902},
	{0x093A, 0x093A}, {0x093C, 0x093C}, {0x0941, 0x0948}, {0x094D, 0x094D}, {0x0951, 0x0957},
	{0x0962, 0x0963}, {0x0981, 0x0981}, {0x09BC, 0x09BC}, {0x09C1, 0x09C4}, {0x09CD, 0x09CD},
	{0x09E2, 0x09E3}, {0x09FE, 0x09FE}, {0x0A01, 0x0A02}, {0x0A3C, 0x0A3C}, {0x0A41, 0x0A42},
	{0x0A47, 0x0A48}, {0x0A4B, 0x0A4D}, {0x0A51, 0x0A51}, {0x0A70, 0x0A71}, {0x0A75, 0x0A75},
	{0x0A81, 0x0A82}, {0x0ABC, 0x0ABC}, {0x0AC1, 0x0AC5}, {0x0AC7, 0x0AC8}, {0x0ACD, 0x0ACD},
	{0x0AE2, 0x0AE3}, {0x0AFA, 0x0AFF}, {0x0B01, 0x0B01}, {0x0B3C, 0x0B3C}, {0x0B3F, 0x0B3F},
	{0x0B41, 0x0B44}, {0x0B4D, 0x0B4D}, {0x0B55, 0x0B56}, {0x0B62, 0x0B63}, {0x0B82, 0x0B82},
	{0x0BC0, 0x0BC0}, {0x0BCD, 0x0BCD}, {0x0C00, 0x0C00}, {0x0C04, 0x0C04}, {0x0C3C, 0x0C3C},
	{0x0C3E, 0x0C40}, {0x0C46, 0x0C48}, {0x0C4A, 0x0C4D}, {0x0C55, 0x0C56}, {0x0C62, 0x0C63},
	{0x0C81, 0x0C81}, {0x0CBC, 0x0CBC}, {0x0CBF, 0x0CBF}, {0x0CC6, 0x0CC6}, {0x0CCC, 0x0CCD},
	{0x0CE2, 0x0CE3}, {0x0D00, 0x0D01}, {0x0D3B, 0x0D3C}, {0x0D41, 0x0D44}, {0x0D4D, 0x0D4D},
	{0x0D62, 0x0D63}, {0x0D81, 0x0D81}, {0x0DCA, 0x0DCA}, {0x0DD2, 0x0DD4}, {0x0DD6, 0x0DD6},
	{0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x0EB1, 0x0EB1}, {0x0EB4, 0x0EBC},
	{0x0EC8, 0x0ECE}, {0x0F18, 0x0F19}, {0x0F35, 0x0F35}, {0x0F37, 0x0F37}, {0x0F39, 0x0F39},
	{0x0F71, 0x0F7E}, {0x0F80, 0x0F84}, {0x0F86, 0x0F87}, {0x0F8D, 0x0F97}, {0x0F99, 0x0FBC},
	{0x0FC6, 0x0FC6}, {0x102D, 0x1030}, {0x1032, 0x1037}, {0x1039, 0x103A}, {0x103D, 0x103E},
	{0x1058, 0x1059}, {0x105E, 0x1060}, {0x1071, 0x1074}, {0x1082, 0x1082}, {0x1085, 0x1086},
	{0x108D, 0x108D}, {0x109D, 0x109D}, {0x115F, 0x11FF}, {0x135D, 0x135F}, {0x1712, 0x1714},
	{0x1732, 0x1733}, {0x1752, 0x1753}, {0x1772, 0x1773}, {0x17B4, 0x17B5}, {0x17B7, 0x17BD},
	{0x17C6, 0x17C6}, {0x17C9, 0x17D3}, {0x17DD, 0x17DD}, {0x180B, 0x180F}, {0x1885, 0x1886},
	{0x18A9, 0x18A9}, {0x1920, 0x1922}, {0x1927, 0x1928}, {0x1932, 0x1932}, {0x1939, 0x193B},
	{0x1A17, 0x1A18}, {0x1A1B, 0x1A1B}, {0x1A56, 0x1A56}, {0x1A58, 0x1A5E}, {0x1A60, 0x1A60},
	{0x1A62, 0x1A62}, {0x1A65, 0x1A6C}, {0x1A73, 0x1A7C}, {0x1A7F, 0x1A7F}, {0x1AB0, 0x1ACE},
	{0x1B00, 0x1B03}, {0x1B34, 0x1B34}, {0x1B36, 0x1B3A}, {0x1B3C, 0x1B3C}, {0x1B42, 0x1B42},
	{0x1B6B, 0x1B73}, {0x1B80, 0x1B81}, {0x1BA2, 0x1BA5}, {0x1BA8, 0x1BA9}, {0x1BAB, 0x1BAD},
	{0x1BE6, 0x1BE6}, {0x1BE8, 0x1BE9}, {0x1BED, 0x1BED}, {0x1BEF, 0x1BF1}, {0x1C2C, 0x1C33},
	{0x1C36, 0x1C37}, {0x1CD0, 0x1CD2}, {0x1CD4, 0x1CE0}, {0x1CE2, 0x1CE8}, {0x1CED, 0x1CED},
	{0x1CF4, 0x1CF4}, {0x1CF8, 0x1CF9}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x202A, 0x202E},
	{0x2060, 0x206F}, {0x20D0, 0x20F0}, {0x2CEF, 0x2CF1}, {0x2D7F, 0x2D7F}, {0x2DE0, 0x2DFF},
	{0x302A, 0x302D}, {0x3099, 0x309A}, {0x3164, 0x3164}, {0xA66F, 0xA672}, {0xA674, 0xA67D},
	{0xA69E, 0xA69F}, {0xA6F0, 0xA6F1}, {0xA802, 0xA802}, {0xA806, 0xA806}, {0xA80B, 0xA80B},
	{0xA825, 0xA826}, {0xA82C, 0xA82C}, {0xA8C4, 0xA8C5}, {0xA8E0, 0xA8F1}, {0xA8FF, 0xA8FF},
	{0xA926, 0xA92D}, {0xA947, 0xA951}, {0xA980, 0xA982}, {0xA9B3, 0xA9B3}, {0xA9B6, 0xA9B9},
	{0xA9BC, 0xA9BD}, {0xA9E5, 0xA9E5}, {0xAA29, 0xAA2E}, {0xAA31, 0xAA32}, {0xAA35, 0xAA36},
	{0xAA43, 0xAA43}, {0xAA4C, 0xAA4C}, {0xAA7C, 0xAA7C}, {0xAAB0, 0xAAB0}, {0xAAB2, 0xAAB4},
	{0xAAB7, 0xAAB8}, {0xAABE, 0xAABF}, {0xAAC1, 0xAAC1}, {0xAAEC, 0xAAED}, {0xAAF6, 0xAAF6},
	{0xABE5, 0xABE5}, {0xABE8, 0xABE8}, {0xABED, 0xABED}, {0xFB1E, 0xFB1E}, {0xFE00, 0xFE0F},
	{0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFFB}, {0x101FD, 0x101FD},
	{0x102E0, 0x102E0}, {0x10376, 0x1037A}, {0x10A01, 0x10A03}, {0x10A05, 0x10A06},
	{0x10A0C, 0x10A0F}, {0x10A38, 0x10A3A}, {0x10A3F, 0x10A3F}, {0x10AE5, 0x10AE6},
	{0x10D24, 0x10D27}, {0x10EAB, 0x10EAC}, {0x10EFD, 0x10EFF}, {0x10F46, 0x10F50},
	{0x10F82, 0x10F85}, {0x11001, 0x11001}, {0x11038, 0x11046}, {0x11070, 0x11070},
	{0x11073, 0x11074}, {0x1107F, 0x11081}, {0x110B3, 0x110B6}, {0x110B9, 0x110BA},
	{0x110BD, 0x110BD}, {0x110C2, 0x110C2}, {0x110CD, 0x110CD}, {0x11100, 0x11102},
	{0x11127, 0x1112B}, {0x1112D, 0x11134}, {0x11173, 0x11173}, {0x11180, 0x11181},
	{0x111B6, 0x111BE}, {0x111C9, 0x111CC}, {0x111CF, 0x111CF}, {0x1122F, 0x11231},
	{0x11234, 0x11234}, {0x11236, 0x11237}, {0x1123E, 0x1123E}, {0x11241, 0x11241},
	{0x112DF, 0x112DF}, {0x112E3, 0x112EA}, {0x11300, 0x11301}, {0x1133B, 0x1133C},
	{0x11340, 0x11340}, {0x11366, 0x1136C}, {0x11370, 0x11374}, {0x11438, 0x1143F},
	{0x11442, 0x11444}, {0x11446, 0x11446}, {0x1145E, 0x1145E}, {0x114B3, 0x114B8},
	{0x114BA, 0x114BA}, {0x114BF, 0x114C0}, {0x114C2, 0x114C3}, {0x115B2, 0x115B5},
	{0x115BC, 0x115BD}, {0x115BF, 0x115C0}, {0x115DC, 0x115DD}, {0x11633, 0x1163A},
	{0x1163D, 0x1163D}, {0x1163F, 0x11640}, {0x116AB, 0x116AB}, {0x116AD, 0x116AD},
	{0x116B0, 0x116B5}, {0x116B7, 0x116B7}, {0x1171D, 0x1171F}, {0x11722, 0x11725},
	{0x11727, 0x1172B}, {0x1182F, 0x11837}, {0x11839, 0x1183A}, {0x1193B, 0x1193C},
	{0x1193E, 0x1193E}, {0x11943, 0x11943}, {0x119D4, 0x119D7}, {0x119DA, 0x119DB},
	{0x119E0, 0x119E0}, {0x11A01, 0x11A0A}, {0x11A33, 0x11A38}, {0x11A3B, 0x11A3E},
	{0x11A47, 0x11A47}, {0x11A51, 0x11A56}, {0x11A59, 0x11A5B}, {0x11A8A, 0x11A96},
	{0x11A98, 0x11A99}, {0x11C30, 0x11C36}, {0x11C38, 0x11C3D}, {0x11C3F, 0x11C3F},
	{0x11C92, 0x11CA7}, {0x11CAA, 0x11CB0}, {0x11CB2, 0x11CB3}, {0x11CB5, 0x11CB6},
	{0x11D31, 0x11D36}, {0x11D3A, 0x11D3A}, {0x11D3C, 0x11D3D}, {0x11D3F, 0x11D45},
	{0x11D47, 0x11D47}, {0x11D90, 0x11D91}, {0x11D95, 0x11D95}, {0x11D97, 0x11D97},
	{0x11EF3, 0x11EF4}, {0x11F00, 0x11F01}, {0x11F36, 0x11F3A}, {0x11F40, 0x11F40},
	{0x11F42, 0x11F42}, {0x13430, 0x13440}, {0x13447, 0x13455}, {0x16AF0, 0x16AF4},
	{0x16B30, 0x16B36}, {0x16F4F, 0x16F4F}, {0x16F8F, 0x16F92}, {0x16FE4, 0x16FE4},
	{0x1BC9D, 0x1BC9E}, {0x1BCA0, 0x1BCA3}, {0x1CF00, 0x1CF2D}, {0x1CF30, 0x1CF46},
	{0x1D167, 0x1D169}, {0x1D173, 0x1D182}, {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD},
	{0x1D242, 0x1D244}, {0x1DA00, 0x1DA36}, {0x1DA3B, 0x1DA6C}, {0x1DA75, 0x1DA75},
	{0x1DA84, 0x1DA84}, {0x1DA9B, 0x1DA9F}, {0x1DAA1, 0x1DAAF}, {0x1E000, 0x1E006},
	{0x1E008, 0x1E018}, {0x1E01B, 0x1E021}, {0x1E023, 0x1E024}, {0x1E026, 0x1E02A},
	{0x1E08F, 0x1E08F}, {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE}, {0x1E2EC, 0x1E2EF},
	{0x1E4EC, 0x1E4EF}, {0x1E8D0, 0x1E8D6}, {0x1E944, 0x1E94A}, {0xE0000, 0xE0FFF},
};

/* grapheme_break: Grapheme_Cluster_Break, with Extended_Pictographic as GCB_PICTO where the
 * break property is Other: v is an enum gcb. Code points in no range are GCB_OTHER, but for the
 * Hangul syllables HANGUL_LO to HANGUL_HI: LV every 28th from HANGUL_LO, LVT between. */
static const struct uvalue grapheme_break[] = {
	{{0x0000, 0x0009}, 3}, {{0x000A, 0x000A}, 2}, {{0x000B, 0x000C}, 3}, {{0x000D, 0x000D}, 1},
	{{0x000E, 0x001F}, 3}, {{0x007F, 0x009F}, 3}, {{0x00A9, 0x00A9}, 14},
	{{0x00AD, 0x00AD}, 3}, {{0x00AE, 0x00AE}, 14}, {{0x0300, 0x036F}, 4},
	{{0x0483, 0x0489}, 4}, {{0x0591, 0x05BD}, 4}, {{0x05BF, 0x05BF}, 4}, {{0x05C1, 0x05C2}, 4},
	{{0x05C4, 0x05C5}, 4}, {{0x05C7, 0x05C7}, 4}, {{0x0600, 0x0605}, 7}, {{0x0610, 0x061A}, 4},
	{{0x061C, 0x061C}, 3}, {{0x064B, 0x065F}, 4}, {{0x0670, 0x0670}, 4}, {{0x06D6, 0x06DC}, 4},
	{{0x06DD, 0x06DD}, 7}, {{0x06DF, 0x06E4}, 4}, {{0x06E7, 0x06E8}, 4}, {{0x06EA, 0x06ED}, 4},
	{{0x070F, 0x070F}, 7}, {{0x0711, 0x0711}, 4}, {{0x0730, 0x074A}, 4}, {{0x07A6, 0x07B0}, 4},
	{{0x07EB, 0x07F3}, 4}, {{0x07FD, 0x07FD}, 4}, {{0x0816, 0x0819}, 4}, {{0x081B, 0x0823}, 4},
	{{0x0825, 0x0827}, 4}, {{0x0829, 0x082D}, 4}, {{0x0859, 0x085B}, 4}, {{0x0890, 0x0891}, 7},
	{{0x0898, 0x089F}, 4}, {{0x08CA, 0x08E1}, 4}, {{0x08E2, 0x08E2}, 7}, {{0x08E3, 0x0902}, 4},
	{{0x0903, 0x0903}, 8}, {{0x093A, 0x093A}, 4}, {{0x093B, 0x093B}, 8}, {{0x093C, 0x093C}, 4},
	{{0x093E, 0x0940}, 8}, {{0x0941, 0x0948}, 4}, {{0x0949, 0x094C}, 8}, {{0x094D, 0x094D}, 4},
	{{0x094E, 0x094F}, 8}, {{0x0951, 0x0957}, 4}, {{0x0962, 0x0963}, 4}, {{0x0981, 0x0981}, 4},
	{{0x0982, 0x0983}, 8}, {{0x09BC, 0x09BC}, 4}, {{0x09BE, 0x09BE}, 4}, {{0x09BF, 0x09C0}, 8},
	{{0x09C1, 0x09C4}, 4}, {{0x09C7, 0x09C8}, 8}, {{0x09CB, 0x09CC}, 8}, {{0x09CD, 0x09CD}, 4},
	{{0x09D7, 0x09D7}, 4}, {{0x09E2, 0x09E3}, 4}, {{0x09FE, 0x09FE}, 4}, {{0x0A01, 0x0A02}, 4},
	{{0x0A03, 0x0A03}, 8}, {{0x0A3C, 0x0A3C}, 4}, {{0x0A3E, 0x0A40}, 8}, {{0x0A41, 0x0A42}, 4},
	{{0x0A47, 0x0A48}, 4}, {{0x0A4B, 0x0A4D}, 4}, {{0x0A51, 0x0A51}, 4}, {{0x0A70, 0x0A71}, 4},
	{{0x0A75, 0x0A75}, 4}, {{0x0A81, 0x0A82}, 4}, {{0x0A83, 0x0A83}, 8}, {{0x0ABC, 0x0ABC}, 4},
	{{0x0ABE, 0x0AC0}, 8}, {{0x0AC1, 0x0AC5}, 4}, {{0x0AC7, 0x0AC8}, 4}, {{0x0AC9, 0x0AC9}, 8},
	{{0x0ACB, 0x0ACC}, 8}, {{0x0ACD, 0x0ACD}, 4}, {{0x0AE2, 0x0AE3}, 4}, {{0x0AFA, 0x0AFF}, 4},
	{{0x0B01, 0x0B01}, 4}, {{0x0B02, 0x0B03}, 8}, {{0x0B3C, 0x0B3C}, 4}, {{0x0B3E, 0x0B3F}, 4},
	{{0x0B40, 0x0B40}, 8}, {{0x0B41, 0x0B44}, 4}, {{0x0B47, 0x0B48}, 8}, {{0x0B4B, 0x0B4C}, 8},
	{{0x0B4D, 0x0B4D}, 4}, {{0x0B55, 0x0B57}, 4}, {{0x0B62, 0x0B63}, 4}, {{0x0B82, 0x0B82}, 4},
	{{0x0BBE, 0x0BBE}, 4}, {{0x0BBF, 0x0BBF}, 8}, {{0x0BC0, 0x0BC0}, 4}, {{0x0BC1, 0x0BC2}, 8},
	{{0x0BC6, 0x0BC8}, 8}, {{0x0BCA, 0x0BCC}, 8}, {{0x0BCD, 0x0BCD}, 4}, {{0x0BD7, 0x0BD7}, 4},
	{{0x0C00, 0x0C00}, 4}, {{0x0C01, 0x0C03}, 8}, {{0x0C04, 0x0C04}, 4}, {{0x0C3C, 0x0C3C}, 4},
	{{0x0C3E, 0x0C40}, 4}, {{0x0C41, 0x0C44}, 8}, {{0x0C46, 0x0C48}, 4}, {{0x0C4A, 0x0C4D}, 4},
	{{0x0C55, 0x0C56}, 4}, {{0x0C62, 0x0C63}, 4}, {{0x0C81, 0x0C81}, 4}, {{0x0C82, 0x0C83}, 8},
	{{0x0CBC, 0x0CBC}, 4}, {{0x0CBE, 0x0CBE}, 8}, {{0x0CBF, 0x0CBF}, 4}, {{0x0CC0, 0x0CC1}, 8},
	{{0x0CC2, 0x0CC2}, 4}, {{0x0CC3, 0x0CC4}, 8}, {{0x0CC6, 0x0CC6}, 4}, {{0x0CC7, 0x0CC8}, 8},
	{{0x0CCA, 0x0CCB}, 8}, {{0x0CCC, 0x0CCD}, 4}, {{0x0CD5, 0x0CD6}, 4}, {{0x0CE2, 0x0CE3}, 4},
	{{0x0CF3, 0x0CF3}, 8}, {{0x0D00, 0x0D01}, 4}, {{0x0D02, 0x0D03}, 8}, {{0x0D3B, 0x0D3C}, 4},
	{{0x0D3E, 0x0D3E}, 4}, {{0x0D3F, 0x0D40}, 8}, {{0x0D41, 0x0D44}, 4}, {{0x0D46, 0x0D48}, 8},
	{{0x0D4A, 0x0D4C}, 8}, {{0x0D4D, 0x0D4D}, 4}, {{0x0D4E, 0x0D4E}, 7}, {{0x0D57, 0x0D57}, 4},
	{{0x0D62, 0x0D63}, 4}, {{0x0D81, 0x0D81}, 4}, {{0x0D82, 0x0D83}, 8}, {{0x0DCA, 0x0DCA}, 4},
	{{0x0DCF, 0x0DCF}, 4}, {{0x0DD0, 0x0DD1}, 8}, {{0x0DD2, 0x0DD4}, 4}, {{0x0DD6, 0x0DD6}, 4},
	{{0x0DD8, 0x0DDE}, 8}, {{0x0DDF, 0x0DDF}, 4}, {{0x0DF2, 0x0DF3}, 8}, {{0x0E31, 0x0E31}, 4},
	{{0x0E33, 0x0E33}, 8}, {{0x0E34, 0x0E3A}, 4}, {{0x0E47, 0x0E4E}, 4}, {{0x0EB1, 0x0EB1}, 4},
	{{0x0EB3, 0x0EB3}, 8}, {{0x0EB4, 0x0EBC}, 4}, {{0x0EC8, 0x0ECE}, 4}, {{0x0F18, 0x0F19}, 4},
	{{0x0F35, 0x0F35}, 4}, {{0x0F37, 0x0F37}, 4}, {{0x0F39, 0x0F39}, 4}, {{0x0F3E, 0x0F3F}, 8},
	{{0x0F71, 0x0F7E}, 4}, {{0x0F7F, 0x0F7F}, 8}, {{0x0F80, 0x0F84}, 4}, {{0x0F86, 0x0F87}, 4},
	{{0x0F8D, 0x0F97}, 4}, {{0x0F99, 0x0FBC}, 4}, {{0x0FC6, 0x0FC6}, 4}, {{0x102D, 0x1030}, 4},
	{{0x1031, 0x1031}, 8}, {{0x1032, 0x1037}, 4}, {{0x1039, 0x103A}, 4}, {{0x103B, 0x103C}, 8},
	{{0x103D, 0x103E}, 4}, {{0x1056, 0x1057}, 8}, {{0x1058, 0x1059}, 4}, {{0x105E, 0x1060}, 4},
	{{0x1071, 0x1074}, 4}, {{0x1082, 0x1082}, 4}, {{0x1084, 0x1084}, 8}, {{0x1085, 0x1086}, 4},
	{{0x108D, 0x108D}, 4}, {{0x109D, 0x109D}, 4}, {{0x1100, 0x115F}, 9},
	{{0x1160, 0x11A7}, 10}, {{0x11A8, 0x11FF}, 11}, {{0x135D, 0x135F}, 4},
	{{0x1712, 0x1714}, 4}, {{0x1715, 0x1715}, 8}, {{0x1732, 0x1733}, 4}, {{0x1734, 0x1734}, 8},
	{{0x1752, 0x1753}, 4}, {{0x1772, 0x1773}, 4}, {{0x17B4, 0x17B5}, 4}, {{0x17B6, 0x17B6}, 8},
	{{0x17B7, 0x17BD}, 4}, {{0x17BE, 0x17C5}, 8}, {{0x17C6, 0x17C6}, 4}, {{0x17C7, 0x17C8}, 8},
	{{0x17C9, 0x17D3}, 4}, {{0x17DD, 0x17DD}, 4}, {{0x180B, 0x180D}, 4}, {{0x180E, 0x180E}, 3},
	{{0x180F, 0x180F}, 4}, {{0x1885, 0x1886}, 4}, {{0x18A9, 0x18A9}, 4}, {{0x1920, 0x1922}, 4},
	{{0x1923, 0x1926}, 8}, {{0x1927, 0x1928}, 4}, {{0x1929, 0x192B}, 8}, {{0x1930, 0x1931}, 8},
	{{0x1932, 0x1932}, 4}, {{0x1933, 0x1938}, 8}, {{0x1939, 0x193B}, 4}, {{0x1A17, 0x1A18}, 4},
	{{0x1A19, 0x1A1A}, 8}, {{0x1A1B, 0x1A1B}, 4}, {{0x1A55, 0x1A55}, 8}, {{0x1A56, 0x1A56}, 4},
	{{0x1A57, 0x1A57}, 8}, {{0x1A58, 0x1A5E}, 4}, {{0x1A60, 0x1A60}, 4}, {{0x1A62, 0x1A62}, 4},
	{{0x1A65, 0x1A6C}, 4}, {{0x1A6D, 0x1A72}, 8}, {{0x1A73, 0x1A7C}, 4}, {{0x1A7F, 0x1A7F}, 4},
	{{0x1AB0, 0x1ACE}, 4}, {{0x1B00, 0x1B03}, 4}, {{0x1B04, 0x1B04}, 8}, {{0x1B34, 0x1B3A}, 4},
	{{0x1B3B, 0x1B3B}, 8}, {{0x1B3C, 0x1B3C}, 4}, {{0x1B3D, 0x1B41}, 8}, {{0x1B42, 0x1B42}, 4},
	{{0x1B43, 0x1B44}, 8}, {{0x1B6B, 0x1B73}, 4}, {{0x1B80, 0x1B81}, 4}, {{0x1B82, 0x1B82}, 8},
	{{0x1BA1, 0x1BA1}, 8}, {{0x1BA2, 0x1BA5}, 4}, {{0x1BA6, 0x1BA7}, 8}, {{0x1BA8, 0x1BA9}, 4},
	{{0x1BAA, 0x1BAA}, 8}, {{0x1BAB, 0x1BAD}, 4}, {{0x1BE6, 0x1BE6}, 4}, {{0x1BE7, 0x1BE7}, 8},
	{{0x1BE8, 0x1BE9}, 4}, {{0x1BEA, 0x1BEC}, 8}, {{0x1BED, 0x1BED}, 4}, {{0x1BEE, 0x1BEE}, 8},
	{{0x1BEF, 0x1BF1}, 4}, {{0x1BF2, 0x1BF3}, 8}, {{0x1C24, 0x1C2B}, 8}, {{0x1C2C, 0x1C33}, 4},
	{{0x1C34, 0x1C35}, 8}, {{0x1C36, 0x1C37}, 4}, {{0x1CD0, 0x1CD2}, 4}, {{0x1CD4, 0x1CE0}, 4},
	{{0x1CE1, 0x1CE1}, 8}, {{0x1CE2, 0x1CE8}, 4}, {{0x1CED, 0x1CED}, 4}, {{0x1CF4, 0x1CF4}, 4},
	{{0x1CF7, 0x1CF7}, 8}, {{0x1CF8, 0x1CF9}, 4}, {{0x1DC0, 0x1DFF}, 4}, {{0x200B, 0x200B}, 3},
	{{0x200C, 0x200C}, 4}, {{0x200D, 0x200D}, 5}, {{0x200E, 0x200F}, 3}, {{0x2028, 0x202E}, 3},
	{{0x203C, 0x203C}, 14}, {{0x2049, 0x2049}, 14}, {{0x2060, 0x206F}, 3},
	{{0x20D0, 0x20F0}, 4}, {{0x2122, 0x2122}, 14}, {{0x2139, 0x2139}, 14},
	{{0x2194, 0x2199}, 14}, {{0x21A9, 0x21AA}, 14}, {{0x231A, 0x231B}, 14},
	{{0x2328, 0x2328}, 14}, {{0x2388, 0x2388}, 14}, {{0x23CF, 0x23CF}, 14},
	{{0x23E9, 0x23F3}, 14}, {{0x23F8, 0x23FA}, 14}, {{0x24C2, 0x24C2}, 14},
	{{0x25AA, 0x25AB}, 14}, {{0x25B6, 0x25B6}, 14}, {{0x25C0, 0x25C0}, 14},
	{{0x25FB, 0x25FE}, 14}, {{0x2600, 0x2605}, 14}, {{0x2607, 0x2612}, 14},
	{{0x2614, 0x2685}, 14}, {{0x2690, 0x2705}, 14}, {{0x2708, 0x2712}, 14},
	{{0x2714, 0x2714}, 14}, {{0x2716, 0x2716}, 14}, {{0x271D, 0x271D}, 14},
	{{0x2721, 0x2721}, 14}, {{0x2728, 0x2728}, 14}, {{0x2733, 0x2734}, 14},
	{{0x2744, 0x2744}, 14}, {{0x2747, 0x2747}, 14}, {{0x274C, 0x274C}, 14},
	{{0x274E, 0x274E}, 14}, {{0x2753, 0x2755}, 14}, {{0x2757, 0x2757}, 14},
	{{0x2763, 0x2767}, 14}, {{0x2795, 0x2797}, 14}, {{0x27A1, 0x27A1}, 14},
	{{0x27B0, 0x27B0}, 14}, {{0x27BF, 0x27BF}, 14}, {{0x2934, 0x2935}, 14},
	{{0x2B05, 0x2B07}, 14}, {{0x2B1B, 0x2B1C}, 14}, {{0x2B50, 0x2B50}, 14},
	{{0x2B55, 0x2B55}, 14}, {{0x2CEF, 0x2CF1}, 4}, {{0x2D7F, 0x2D7F}, 4},
	{{0x2DE0, 0x2DFF}, 4}, {{0x302A, 0x302F}, 4}, {{0x3030, 0x3030}, 14},
	{{0x303D, 0x303D}, 14}, {{0x3099, 0x309A}, 4}, {{0x3297, 0x3297}, 14},
	{{0x3299, 0x3299}, 14}, {{0xA66F, 0xA672}, 4}, {{0xA674, 0xA67D}, 4},
	{{0xA69E, 0xA69F}, 4}, {{0xA6F0, 0xA6F1}, 4}, {{0xA802, 0xA802}, 4}, {{0xA806, 0xA806}, 4},
	{{0xA80B, 0xA80B}, 4}, {{0xA823, 0xA824}, 8}, {{0xA825, 0xA826}, 4}, {{0xA827, 0xA827}, 8},
	{{0xA82C, 0xA82C}, 4}, {{0xA880, 0xA881}, 8}, {{0xA8B4, 0xA8C3}, 8}, {{0xA8C4, 0xA8C5}, 4},
	{{0xA8E0, 0xA8F1}, 4}, {{0xA8FF, 0xA8FF}, 4}, {{0xA926, 0xA92D}, 4}, {{0xA947, 0xA951}, 4},
	{{0xA952, 0xA953}, 8}, {{0xA960, 0xA97C}, 9}, {{0xA980, 0xA982}, 4}, {{0xA983, 0xA983}, 8},
	{{0xA9B3, 0xA9B3}, 4}, {{0xA9B4, 0xA9B5}, 8}, {{0xA9B6, 0xA9B9}, 4}, {{0xA9BA, 0xA9BB}, 8},
	{{0xA9BC, 0xA9BD}, 4}, {{0xA9BE, 0xA9C0}, 8}, {{0xA9E5, 0xA9E5}, 4}, {{0xAA29, 0xAA2E}, 4},
	{{0xAA2F, 0xAA30}, 8}, {{0xAA31, 0xAA32}, 4}, {{0xAA33, 0xAA34}, 8}, {{0xAA35, 0xAA36}, 4},
	{{0xAA43, 0xAA43}, 4}, {{0xAA4C, 0xAA4C}, 4}, {{0xAA4D, 0xAA4D}, 8}, {{0xAA7C, 0xAA7C}, 4},
	{{0xAAB0, 0xAAB0}, 4}, {{0xAAB2, 0xAAB4}, 4}, {{0xAAB7, 0xAAB8}, 4}, {{0xAABE, 0xAABF}, 4},
	{{0xAAC1, 0xAAC1}, 4}, {{0xAAEB, 0xAAEB}, 8}, {{0xAAEC, 0xAAED}, 4}, {{0xAAEE, 0xAAEF}, 8},
	{{0xAAF5, 0xAAF5}, 8}, {{0xAAF6, 0xAAF6}, 4}, {{0xABE3, 0xABE4}, 8}, {{0xABE5, 0xABE5}, 4},
	{{0xABE6, 0xABE7}, 8}, {{0xABE8, 0xABE8}, 4}, {{0xABE9, 0xABEA}, 8}, {{0xABEC, 0xABEC}, 8},
	{{0xABED, 0xABED}, 4}, {{0xD7B0, 0xD7C6}, 10}, {{0xD7CB, 0xD7FB}, 11},
	{{0xFB1E, 0xFB1E}, 4}, {{0xFE00, 0xFE0F}, 4}, {{0xFE20, 0xFE2F}, 4}, {{0xFEFF, 0xFEFF}, 3},
	{{0xFF9E, 0xFF9F}, 4}, {{0xFFF0, 0xFFFB}, 3}, {{0x101FD, 0x101FD}, 4},
	{{0x102E0, 0x102E0}, 4}, {{0x10376, 0x1037A}, 4}, {{0x10A01, 0x10A03}, 4},
	{{0x10A05, 0x10A06}, 4}, {{0x10A0C, 0x10A0F}, 4}, {{0x10A38, 0x10A3A}, 4},
	{{0x10A3F, 0x10A3F}, 4}, {{0x10AE5, 0x10AE6}, 4}, {{0x10D24, 0x10D27}, 4},
	{{0x10EAB, 0x10EAC}, 4}, {{0x10EFD, 0x10EFF}, 4}, {{0x10F46, 0x10F50}, 4},
	{{0x10F82, 0x10F85}, 4}, {{0x11000, 0x11000}, 8}, {{0x11001, 0x11001}, 4},
	{{0x11002, 0x11002}, 8}, {{0x11038, 0x11046}, 4}, {{0x11070, 0x11070}, 4},
	{{0x11073, 0x11074}, 4}, {{0x1107F, 0x11081}, 4}, {{0x11082, 0x11082}, 8},
	{{0x110B0, 0x110B2}, 8}, {{0x110B3, 0x110B6}, 4}, {{0x110B7, 0x110B8}, 8},
	{{0x110B9, 0x110BA}, 4}, {{0x110BD, 0x110BD}, 7}, {{0x110C2, 0x110C2}, 4},
	{{0x110CD, 0x110CD}, 7}, {{0x11100, 0x11102}, 4}, {{0x11127, 0x1112B}, 4},
	{{0x1112C, 0x1112C}, 8}, {{0x1112D, 0x11134}, 4}, {{0x11145, 0x11146}, 8},
	{{0x11173, 0x11173}, 4}, {{0x11180, 0x11181}, 4}, {{0x11182, 0x11182}, 8},
	{{0x111B3, 0x111B5}, 8}, {{0x111B6, 0x111BE}, 4}, {{0x111BF, 0x111C0}, 8},
	{{0x111C2, 0x111C3}, 7}, {{0x111C9, 0x111CC}, 4}, {{0x111CE, 0x111CE}, 8},
	{{0x111CF, 0x111CF}, 4}, {{0x1122C, 0x1122E}, 8}, {{0x1122F, 0x11231}, 4},
	{{0x11232, 0x11233}, 8}, {{0x11234, 0x11234}, 4}, {{0x11235, 0x11235}, 8},
	{{0x11236, 0x11237}, 4}, {{0x1123E, 0x1123E}, 4}, {{0x11241, 0x11241}, 4},
	{{0x112DF, 0x112DF}, 4}, {{0x112E0, 0x112E2}, 8}, {{0x112E3, 0x112EA}, 4},
	{{0x11300, 0x11301}, 4}, {{0x11302, 0x11303}, 8}, {{0x1133B, 0x1133C}, 4},
	{{0x1133E, 0x1133E}, 4}, {{0x1133F, 0x1133F}, 8}, {{0x11340, 0x11340}, 4},
	{{0x11341, 0x11344}, 8}, {{0x11347, 0x11348}, 8}, {{0x1134B, 0x1134D}, 8},
	{{0x11357, 0x11357}, 4}, {{0x11362, 0x11363}, 8}, {{0x11366, 0x1136C}, 4},
	{{0x11370, 0x11374}, 4}, {{0x11435, 0x11437}, 8}, {{0x11438, 0x1143F}, 4},
	{{0x11440, 0x11441}, 8}, {{0x11442, 0x11444}, 4}, {{0x11445, 0x11445}, 8},
	{{0x11446, 0x11446}, 4}, {{0x1145E, 0x1145E}, 4}, {{0x114B0, 0x114B0}, 4},
	{{0x114B1, 0x114B2}, 8}, {{0x114B3, 0x114B8}, 4}, {{0x114B9, 0x114B9}, 8},
	{{0x114BA, 0x114BA}, 4}, {{0x114BB, 0x114BC}, 8}, {{0x114BD, 0x114BD}, 4},
	{{0x114BE, 0x114BE}, 8}, {{0x114BF, 0x114C0}, 4}, {{0x114C1, 0x114C1}, 8},
	{{0x114C2, 0x114C3}, 4}, {{0x115AF, 0x115AF}, 4}, {{0x115B0, 0x115B1}, 8},
	{{0x115B2, 0x115B5}, 4}, {{0x115B8, 0x115BB}, 8}, {{0x115BC, 0x115BD}, 4},
	{{0x115BE, 0x115BE}, 8}, {{0x115BF, 0x115C0}, 4}, {{0x115DC, 0x115DD}, 4},
	{{0x11630, 0x11632}, 8}, {{0x11633, 0x1163A}, 4}, {{0x1163B, 0x1163C}, 8},
	{{0x1163D, 0x1163D}, 4}, {{0x1163E, 0x1163E}, 8}, {{0x1163F, 0x11640}, 4},
	{{0x116AB, 0x116AB}, 4}, {{0x116AC, 0x116AC}, 8}, {{0x116AD, 0x116AD}, 4},
	{{0x116AE, 0x116AF}, 8}, {{0x116B0, 0x116B5}, 4}, {{0x116B6, 0x116B6}, 8},
	{{0x116B7, 0x116B7}, 4}, {{0x1171D, 0x1171F}, 4}, {{0x11722, 0x11725}, 4},
	{{0x11726, 0x11726}, 8}, {{0x11727, 0x1172B}, 4}, {{0x1182C, 0x1182E}, 8},
	{{0x1182F, 0x11837}, 4}, {{0x11838, 0x11838}, 8}, {{0x11839, 0x1183A}, 4},
	{{0x11930, 0x11930}, 4}, {{0x11931, 0x11935}, 8}, {{0x11937, 0x11938}, 8},
	{{0x1193B, 0x1193C}, 4}, {{0x1193D, 0x1193D}, 8}, {{0x1193E, 0x1193E}, 4},
	{{0x1193F, 0x1193F}, 7}, {{0x11940, 0x11940}, 8}, {{0x11941, 0x11941}, 7},
	{{0x11942, 0x11942}, 8}, {{0x11943, 0x11943}, 4}, {{0x119D1, 0x119D3}, 8},
	{{0x119D4, 0x119D7}, 4}, {{0x119DA, 0x119DB}, 4}, {{0x119DC, 0x119DF}, 8},
	{{0x119E0, 0x119E0}, 4}, {{0x119E4, 0x119E4}, 8}, {{0x11A01, 0x11A0A}, 4},
	{{0x11A33, 0x11A38}, 4}, {{0x11A39, 0x11A39}, 8}, {{0x11A3A, 0x11A3A}, 7},
	{{0x11A3B, 0x11A3E}, 4}, {{0x11A47, 0x11A47}, 4}, {{0x11A51, 0x11A56}, 4},
	{{0x11A57, 0x11A58}, 8}, {{0x11A59, 0x11A5B}, 4}, {{0x11A84, 0x11A89}, 7},
	{{0x11A8A, 0x11A96}, 4}, {{0x11A97, 0x11A97}, 8}, {{0x11A98, 0x11A99}, 4},
	{{0x11C2F, 0x11C2F}, 8}, {{0x11C30, 0x11C36}, 4}, {{0x11C38, 0x11C3D}, 4},
	{{0x11C3E, 0x11C3E}, 8}, {{0x11C3F, 0x11C3F}, 4}, {{0x11C92, 0x11CA7}, 4},
	{{0x11CA9, 0x11CA9}, 8}, {{0x11CAA, 0x11CB0}, 4}, {{0x11CB1, 0x11CB1}, 8},
	{{0x11CB2, 0x11CB3}, 4}, {{0x11CB4, 0x11CB4}, 8}, {{0x11CB5, 0x11CB6}, 4},
	{{0x11D31, 0x11D36}, 4}, {{0x11D3A, 0x11D3A}, 4}, {{0x11D3C, 0x11D3D}, 4},
	{{0x11D3F, 0x11D45}, 4}, {{0x11D46, 0x11D46}, 7}, {{0x11D47, 0x11D47}, 4},
	{{0x11D8A, 0x11D8E}, 8}, {{0x11D90, 0x11D91}, 4}, {{0x11D93, 0x11D94}, 8},
	{{0x11D95, 0x11D95}, 4}, {{0x11D96, 0x11D96}, 8}, {{0x11D97, 0x11D97}, 4},
	{{0x11EF3, 0x11EF4}, 4}, {{0x11EF5, 0x11EF6}, 8}, {{0x11F00, 0x11F01}, 4},
	{{0x11F02, 0x11F02}, 7}, {{0x11F03, 0x11F03}, 8}, {{0x11F34, 0x11F35}, 8},
	{{0x11F36, 0x11F3A}, 4}, {{0x11F3E, 0x11F3F}, 8}, {{0x11F40, 0x11F40}, 4},
	{{0x11F41, 0x11F41}, 8}, {{0x11F42, 0x11F42}, 4}, {{0x13430, 0x1343F}, 3},
	{{0x13440, 0x13440}, 4}, {{0x13447, 0x13455}, 4}, {{0x16AF0, 0x16AF4}, 4},
	{{0x16B30, 0x16B36}, 4}, {{0x16F4F, 0x16F4F}, 4}, {{0x16F51, 0x16F87}, 8},
	{{0x16F8F, 0x16F92}, 4}, {{0x16FE4, 0x16FE4}, 4}, {{0x16FF0, 0x16FF1}, 8},
	{{0x1BC9D, 0x1BC9E}, 4}, {{0x1BCA0, 0x1BCA3}, 3}, {{0x1CF00, 0x1CF2D}, 4},
	{{0x1CF30, 0x1CF46}, 4}, {{0x1D165, 0x1D165}, 4}, {{0x1D166, 0x1D166}, 8},
	{{0x1D167, 0x1D169}, 4}, {{0x1D16D, 0x1D16D}, 8}, {{0x1D16E, 0x1D172}, 4},
	{{0x1D173, 0x1D17A}, 3}, {{0x1D17B, 0x1D182}, 4}, {{0x1D185, 0x1D18B}, 4},
	{{0x1D1AA, 0x1D1AD}, 4}, {{0x1D242, 0x1D244}, 4}, {{0x1DA00, 0x1DA36}, 4},
	{{0x1DA3B, 0x1DA6C}, 4}, {{0x1DA75, 0x1DA75}, 4}, {{0x1DA84, 0x1DA84}, 4},
	{{0x1DA9B, 0x1DA9F}, 4}, {{0x1DAA1, 0x1DAAF}, 4}, {{0x1E000, 0x1E006}, 4},
	{{0x1E008, 0x1E018}, 4}, {{0x1E01B, 0x1E021}, 4}, {{0x1E023, 0x1E024}, 4},
	{{0x1E026, 0x1E02A}, 4}, {{0x1E08F, 0x1E08F}, 4}, {{0x1E130, 0x1E136}, 4},
	{{0x1E2AE, 0x1E2AE}, 4}, {{0x1E2EC, 0x1E2EF}, 4}, {{0x1E4EC, 0x1E4EF}, 4},
	{{0x1E8D0, 0x1E8D6}, 4}, {{0x1E944, 0x1E94A}, 4}, {{0x1F000, 0x1F0FF}, 14},
	{{0x1F10D, 0x1F10F}, 14}, {{0x1F12F, 0x1F12F}, 14}, {{0x1F16C, 0x1F171}, 14},
	{{0x1F17E, 0x1F17F}, 14}, {{0x1F18E, 0x1F18E}, 14}, {{0x1F191, 0x1F19A}, 14},
	{{0x1F1AD, 0x1F1E5}, 14}, {{0x1F1E6, 0x1F1FF}, 6}, {{0x1F201, 0x1F20F}, 14},
	{{0x1F21A, 0x1F21A}, 14}, {{0x1F22F, 0x1F22F}, 14}, {{0x1F232, 0x1F23A}, 14},
	{{0x1F23C, 0x1F23F}, 14}, {{0x1F249, 0x1F3FA}, 14}, {{0x1F3FB, 0x1F3FF}, 4},
	{{0x1F400, 0x1F53D}, 14}, {{0x1F546, 0x1F64F}, 14}, {{0x1F680, 0x1F6FF}, 14},
	{{0x1F774, 0x1F77F}, 14}, {{0x1F7D5, 0x1F7FF}, 14}, {{0x1F80C, 0x1F80F}, 14},
	{{0x1F848, 0x1F84F}, 14}, {{0x1F85A, 0x1F85F}, 14}, {{0x1F888, 0x1F88F}, 14},
	{{0x1F8AE, 0x1F8FF}, 14}, {{0x1F90C, 0x1F93A}, 14}, {{0x1F93C, 0x1F945}, 14},
	{{0x1F947, 0x1FAFF}, 14}, {{0x1FC00, 0x1FFFD}, 14}, {{0xE0000, 0xE001F}, 3},
	{{0xE0020, 0xE007F}, 4}, {{0xE0080, 0xE00FF}, 3}, {{0xE0100, 0xE01EF}, 4},
	{{0xE01F0, 0xE0FFF}, 3},
};
/* END unicode tables */

/*
 * The one search of the Unicode tables: the entry of a sorted table
 * whose range holds c, or NULL. Every entry starts with its struct
 * urange; the table has n entries of size bytes.
 */
static const void *
ufind(const void *table, size_t n, size_t size, unsigned long c)
{
	const char *t = table;
	const struct urange *r;
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = (const struct urange *)(const void *)(t + mid * size);
		if (c < r->lo)
			hi = mid;
		else if (c > r->hi)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

#define UFIND(table, c) ufind(table, sizeof(table) / sizeof(table[0]), sizeof(table[0]), c)

/* Simple case folding. */
static unsigned long
fold(unsigned long c)
{
	const struct ufold *f = UFIND(case_fold, c);

	return !f || (c - f->r.lo) % f->stride ? c : (unsigned long)((long)c + f->delta);
}

/*
 * What c, case folded, stands for in a skeleton (look_alike), written
 * to out: one character, or up to LOOK_MAX (m stands for rn); how many.
 */
static size_t
stands_for(unsigned long c, unsigned long *out)
{
	size_t lo = 0, hi = sizeof(look_alike) / sizeof(look_alike[0]), mid, n = 0;
	const uint32_t *s;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c < look_alike[mid][0]) {
			hi = mid;
		} else if (c > look_alike[mid][0]) {
			lo = mid + 1;
		} else if (look_alike[mid][1] < LOOK_SEQ) {
			out[0] = look_alike[mid][1];
			return 1;
		} else {
			for (s = look_alike_seq + (look_alike[mid][1] - LOOK_SEQ); *s; s++)
				out[n++] = *s;
			return n;
		}
	}
	out[0] = c;
	return 1;
}

/* Whether NFC makes the characters a b of a name one (nick_compose). */
static int
composes(unsigned long a, unsigned long b)
{
	size_t i;

	for (i = 0; i < sizeof(nick_compose) / sizeof(nick_compose[0]); i++)
		if (nick_compose[i][0] == a && nick_compose[i][1] == b)
			return 1;
	return 0;
}

/* The script id of a code point a nickname may hold (nick_chars), or -1. */
static int
nick_script(unsigned long c)
{
	const struct uvalue *u = UFIND(nick_chars, c);

	return u ? u->v : -1;
}

/*
 * The columns a code point takes, from the Unicode data and not the
 * locale: two for wide and fullwidth, none for combining marks,
 * joiners, variation selectors and other format characters.
 */
static int
cp_width(unsigned long c)
{
	if (UFIND(zero_width, c))
		return 0;
	if (UFIND(wide_chars, c))
		return 2;
	return 1;
}

/* A code point's Grapheme_Cluster_Break: the Hangul syllables by arithmetic, the rest from grapheme_break. */
static int
gcb_of(unsigned long c)
{
	const struct uvalue *u;

	if (c >= HANGUL_LO && c <= HANGUL_HI)
		return (c - HANGUL_LO) % 28 ? GCB_LVT : GCB_LV;
	u = UFIND(grapheme_break, c);
	return u ? u->v : GCB_OTHER;
}
