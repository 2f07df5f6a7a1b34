/* See LICENSE file for copyright and license details. */
/*
 * t/bench - a load generator for a chat room host (chat -l, ncat --chat),
 * and the bare relay they are measured against.
 *
 *	t/bench fanout PORT HOSTPID READERS LINES
 *	t/bench stuck  PORT HOSTPID READERS LINES
 *	t/bench scale  PORT HOSTPID PEERS
 *	t/bench idle   PORT HOSTPID PEERS SECS
 *	t/bench busy   PORT HOSTPID PEERS TALKERS RATE SECS PASTE
 *	t/bench names  PORT HOSTPID PEERS LINES COLLIDE
 *	t/bench port			a free port on 127.0.0.1, for ncat
 *	t/bench relay			the floor: a host that only copies bytes
 *
 * One process, one epoll loop (poll() over 20,000 sockets would cost
 * it more than one line to all of them costs the host), to 127.0.0.1
 * only, from 127.0.0.1 to 127.0.0.SOURCES. It prints one line of
 * key=value results, or error=... and exits 1. The host's CPU, memory
 * and wake-ups come from /proc/HOSTPID (Linux).
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT	24	/* Linux 4.2: <linux/in.h> has it, <netinet/in.h> not */
#endif

#define LINE_LEN	64	/* a payload line: seq, space, filler, LF */
#define BODY_LEN	63	/* the same without the LF */
#define SEQ_DIGITS	8
#define PART_MAX	4096	/* a partial line; chat's welcome lists up to 2 KiB of names */
#define READ_BUF	65536	/* one read per socket per turn: every reader gets its turn */
#define SEND_BUF	65536	/* 1024 payload lines per write */
#define WRITES_MAX	16	/* sender writes per turn, so readers are not starved */
#define SYNC_EVERY_MS	100
#define SYNC_MS		60000	/* every reader must see a sync within this */
#define QUIET_MS	3000	/* nothing arrived this long after the last write: done */
#define STALL_MS	12000	/* nothing moved at all: longer than chat's 10 s stuck timeout */
#define SETTLE_MS	500	/* after the sync: the last syncs are still on their way */
#define GATHER_SETTLE_MS 3500	/* scale, idle: chat's last notice of joins too, gathered every 3 s */
#define ONE_LINE_MS	30000	/* scale: every peer must have the line within this */
#define TURN_MS		10	/* between turns while joining: each read takes many notices */
#define CONNECT_WINDOW	256	/* connections not yet accepted by the host, at most... */
#define WINDOW_UNKNOWN	4	/* ...or this when the backlog cannot be read */
#define EVENTS_MAX	4096	/* ready sockets taken from epoll at a time */
/*
 * Connections come from 127.0.0.1 to 127.0.0.SOURCES in turn: each
 * source address has its own ephemeral ports, so a room as big as the
 * descriptor limit allows never runs out of them, even with the last
 * runs' connections still in TIME_WAIT.
 */
#define SOURCES		8
/*
 * A busy room's line: who says it, its number, the microsecond it was
 * written (from the start of the run), then filler, BODY_LEN in all.
 */
#define WHO_DIGITS	5
#define NUM_DIGITS	6
#define US_DIGITS	11
#define BUSY_HEAD	(WHO_DIGITS + 1 + NUM_DIGITS + 1 + US_DIGITS + 1)
#define DELAY_STEP_US	100	/* delays are counted in buckets this wide... */
#define DELAY_BUCKETS	600000	/* ...up to a minute; longer ones in the last */

struct peer {
	int fd;
	int reader;		/* its lines are counted; the sender's are not */
	unsigned events;	/* what epoll waits for on it */
	int mute;		/* never read */
	int synced;
	int skipping;		/* dropping the rest of an overlong line */
	int replaying;		/* between chat's history notices */
	long next;		/* the sequence number expected next... */
	char want[SEQ_DIGITS];	/* ...as the digits it comes as */
	long delivered, garbled, lost, reordered;
	size_t plen;
	char *part;		/* a line not yet complete, PART_MAX when allocated */
	long *heard;		/* busy: the number expected next from each talker */
};

static const char filler[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.";

static unsigned short port;
static long hostpid;
static struct peer *peers;	/* the epoll data of peers[i] is i */
static int efd = -1;		/* the epoll instance every peer but a mute one is on */
static size_t npeers, peercap;
static size_t nreaders, nsynced, ncomplete;
static size_t window = CONNECT_WINDOW;	/* ...and at most half its listen backlog */
static long fds0;		/* descriptors the host held before we came */
static size_t sender = (size_t)-1;	/* index: peers[] moves as it grows */
static long lines;		/* payload lines in this run */
static char **hello;		/* names: the first line of peers[i] */
static double now;		/* seconds, monotonic, at the last turn */
static double last_payload;	/* when the last payload line arrived */
static double last_move;	/* when any byte was last read or written */
static double last_turn;	/* when the last paced turn began */

/* The sender's output: payload lines [nextseq, endseq) still to go. */
static char obuf[SEND_BUF];
static size_t olen, ooff;
static long nextseq, endseq;

/*
 * The busy room: who talks, what they said, and the delays of every
 * line at every reader. Its lines come from the talkers, which are
 * peers[0] to peers[talkers - 1], and from the one that pastes, whose
 * lines say who == talkers. Delays are counted apart for the two.
 */
static struct {
	int on;			/* lines are busy lines, timed when read */
	size_t talkers;		/* peers that talk, at a rate each */
	size_t paster;		/* the peer that pastes, or (size_t)-1 */
	double t0;		/* lines are timed from here */
	double paste_t;		/* when the paste began */
	long *said;		/* lines written, by who */
	long long expected;	/* deliveries owed: lines written times other readers */
	long long heard;	/* lines that arrived, each once at each reader */
	long long lost;		/* gaps in what a reader heard from one who */
	unsigned long long *delay[2];	/* counts by DELAY_STEP_US: talkers, the paste */
	unsigned long long ndelay[2];
	double max[2];		/* the longest delay, in seconds */
} busy = { .paster = (size_t)-1 };

static void
fail(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("error=", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fmt[strlen(fmt) - 1] == ':')
		printf(" %s", strerror(e));
	putchar('\n');
	exit(1);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		fail("out of memory");
	return p;
}

static double
clock_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
number(const char *s, long min, long max, const char *what)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = *s ? strtol(s, &end, 10) : 0;
	if (!end || *end || errno || v < min || v > max)
		fail("invalid %s: %s", what, s);
	return v;
}

/* Thousands of sockets need more than the usual soft limit of 1024. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The host's user plus system CPU, in clock ticks; a vanished host fails. */
static long long
host_ticks(void)
{
	char path[64], buf[1024], *s;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", hostpid);
	if (!(f = fopen(path, "r")))
		fail("host %ld is gone", hostpid);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces: fields count from its ')'. */
	if (!(s = strrchr(buf, ')')) || sscanf(s + 1,
	    " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		fail("cannot parse %s", path);
	return (long long)(ut + st);
}

/* One number from /proc/HOSTPID/status, such as VmRSS in kB. */
static long long
host_status(const char *key)
{
	char path[64], line[256];
	size_t k = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", hostpid);
	if (!(f = fopen(path, "r")))
		fail("host %ld is gone", hostpid);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, k) && line[k] == ':')
			v = atoll(line + k + 1);
	fclose(f);
	if (v < 0)
		fail("no %s in %s", key, path);
	return v;
}

/* Descriptors the host holds: each connection it accepted is one. */
static long
host_fds(void)
{
	char path[64];
	struct dirent *e;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/fd", hostpid);
	if (!(d = opendir(path)))
		fail("host %ld is gone", hostpid);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Half the host's listen backlog, from the kernel's socket diagnostics
 * (/proc/net/tcp does not show it). A connection that finds the accept
 * queue full is dropped and retried for a minute; ncat listens with 10.
 */
static void
set_window(void)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} q;
	struct sockaddr_nl sa;
	unsigned int buf[4096];	/* aligned for nlmsghdr */
	struct inet_diag_msg *m;
	struct nlmsghdr *h;
	unsigned int n;
	ssize_t got;
	int fd, done = 0, found = 0;

	if ((fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG)) < 0)
		goto out;
	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = sizeof(q);
	q.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.r.sdiag_family = AF_INET;
	q.r.sdiag_protocol = IPPROTO_TCP;
	q.r.idiag_states = 1 << 10;	/* TCP_LISTEN */
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(fd, &q, sizeof(q), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	while (!done && (got = recv(fd, buf, sizeof(buf), 0)) > 0) {
		n = (unsigned int)got;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			m = NLMSG_DATA(h);
			if (ntohs(m->id.idiag_sport) != port)
				continue;
			found = 1;
			if (m->idiag_wqueue / 2 < window)
				window = m->idiag_wqueue > 1 ? m->idiag_wqueue / 2 : 1;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	if (!found)
		window = WINDOW_UNKNOWN;
}

static long long
host_wakeups(void)
{
	return host_status("voluntary_ctxt_switches") +
	    host_status("nonvoluntary_ctxt_switches");
}

static void
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		fail("fcntl:");
}

static struct sockaddr_in
loopback(unsigned short p)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(p);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/*
 * Bind a socket about to connect to the source address 127.0.0.(k + 1).
 * The port is left to connect, which picks one free for the pair of
 * addresses, not one free for every destination.
 */
static void
from_source(int fd, size_t k)
{
	struct sockaddr_in sa = loopback(0);
	int on = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK + k);
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("bind to 127.0.0.%zu:", k + 1);
}

/* The digits of the sequence number p->next, for a quick compare. */
static void
expect(struct peer *p)
{
	long v = p->next;
	int i;

	for (i = SEQ_DIGITS - 1; i >= 0; i--, v /= 10)
		p->want[i] = '0' + v % 10;
}

/* Add one to a number written in SEQ_DIGITS digits, dividing nothing. */
static void
count_up(char *d)
{
	int i = SEQ_DIGITS - 1;

	while (i > 0 && d[i] == '9')
		d[i--] = '0';
	d[i]++;
}

/* Add peers[i] to the epoll set, or change what it is waited for. */
static void
watch(size_t i, int op, unsigned events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = i;
	if (epoll_ctl(efd, op, peers[i].fd, &ev) < 0)
		fail("epoll_ctl:");
	peers[i].events = events;
}

/*
 * Connect to the host and give the socket a slot. A blocking connect on
 * loopback returns at once while the host's accept queue has room, and
 * connect_readers sees that it has. rcvbuf > 0 shrinks the receive
 * buffer before the handshake, when the window is agreed.
 */
static size_t
dial(int reader, int rcvbuf, int mute)
{
	struct sockaddr_in sa = loopback(port);
	struct peer *p;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		fail("socket:");
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		fail("SO_RCVBUF:");
	from_source(fd, npeers % SOURCES);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("connect to 127.0.0.1 port %u (connection %zu):", port, npeers + 1);
	if (hello && write(fd, hello[npeers], strlen(hello[npeers])) < 0)
		fail("write to connection %zu:", npeers + 1);
	nonblock(fd);
	if (npeers == peercap) {
		peercap = peercap ? peercap * 2 : 64;
		peers = realloc(peers, peercap * sizeof(*peers));
		if (!peers)
			fail("out of memory");
	}
	p = &peers[npeers];
	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->reader = reader;
	p->mute = mute;
	expect(p);
	if (!mute)	/* one that is mute is never waited for */
		watch(npeers, EPOLL_CTL_ADD, EPOLLIN);
	if (reader)
		nreaders++;
	return npeers++;
}

/* A number written in n digits, or -1 if they are not all digits. */
static long
digits(const char *s, int n)
{
	long v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * 8 digits, a space and the filler: a payload line, whatever came
 * before. The number is most often the one p expects next: a compare
 * of the digits it was last told to expect saves parsing them.
 */
static long
payload_seq(const struct peer *p, const char *s)
{
	if (s[SEQ_DIGITS] != ' ' || memcmp(s + SEQ_DIGITS + 1, filler, sizeof(filler) - 1))
		return -1;
	if (!memcmp(s, p->want, SEQ_DIGITS))
		return p->next;
	return digits(s, SEQ_DIGITS);
}

/* "<X> " and nothing else before the body: the line was stamped whole. */
static int
stamped(const char *s, size_t n)
{
	return n >= 4 && s[0] == '<' && s[n - 2] == '>' && s[n - 1] == ' ' &&
	    !memchr(s, '>', n - 2);
}

/* Did the line end in the word "sync"? */
static int
is_sync(const char *s, size_t n)
{
	return n >= 4 && !memcmp(s + n - 4, "sync", 4) && (n == 4 || s[n - 5] == ' ');
}

static int
is_line(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(s, want, n);
}

/* Write v in n digits, the last at s[n - 1]. */
static void
put_digits(char *s, int n, long v)
{
	while (n-- > 0) {
		s[n] = '0' + v % 10;
		v /= 10;
	}
}

/* A busy room's line, LINE_LEN bytes: who, its number, when, filler. */
static void
busy_line(char *s, size_t who, long num, double t)
{
	long us = (long)((t - busy.t0) * 1e6);

	put_digits(s, WHO_DIGITS, (long)who);
	s[WHO_DIGITS] = ' ';
	put_digits(s + WHO_DIGITS + 1, NUM_DIGITS, num);
	s[WHO_DIGITS + 1 + NUM_DIGITS] = ' ';
	put_digits(s + BUSY_HEAD - US_DIGITS - 1, US_DIGITS, us > 0 ? us : 0);
	s[BUSY_HEAD - 1] = ' ';
	memcpy(s + BUSY_HEAD, filler, BODY_LEN - BUSY_HEAD);
	s[LINE_LEN - 1] = '\n';
}

/* One delay into its histogram: 0 for a talker's line, 1 for the paste. */
static void
count_delay(int k, double d)
{
	size_t b;

	if (d < 0)
		d = 0;
	b = (size_t)(d * 1e6 / DELAY_STEP_US);
	if (!busy.delay[k])
		busy.delay[k] = xcalloc(DELAY_BUCKETS, sizeof(*busy.delay[k]));
	busy.delay[k][b < DELAY_BUCKETS ? b : DELAY_BUCKETS - 1]++;
	busy.ndelay[k]++;
	if (d > busy.max[k])
		busy.max[k] = d;
}

/* The delay q of the way up the histogram k, in ms (the bucket's top). */
static double
percentile(int k, double q)
{
	unsigned long long want = (unsigned long long)(q * busy.ndelay[k]), sum = 0;
	size_t b;

	if (!busy.ndelay[k])
		return 0;
	if (want < 1)
		want = 1;
	for (b = 0; b < DELAY_BUCKETS; b++)
		if ((sum += busy.delay[k][b]) >= want)
			break;
	return (b + 1) * DELAY_STEP_US / 1000.0;
}

/*
 * A line of the busy room, its last BODY_LEN bytes at s (whatever stamp
 * came before), at a reader: heard once, timed, and checked for gaps in
 * what this reader heard from its sender. It was read at now.
 */
static int
busy_heard(struct peer *p, const char *s)
{
	long who, num, us;
	size_t nwho = busy.talkers + 1;

	if (s[WHO_DIGITS] != ' ' || s[WHO_DIGITS + 1 + NUM_DIGITS] != ' ' ||
	    s[BUSY_HEAD - 1] != ' ' ||
	    memcmp(s + BUSY_HEAD, filler, BODY_LEN - BUSY_HEAD) ||
	    (who = digits(s, WHO_DIGITS)) < 0 || (size_t)who >= nwho ||
	    (num = digits(s + WHO_DIGITS + 1, NUM_DIGITS)) < 0 ||
	    (us = digits(s + BUSY_HEAD - US_DIGITS - 1, US_DIGITS)) < 0)
		return 0;
	if (!p->heard)
		p->heard = xcalloc(nwho, sizeof(*p->heard));
	if (num < p->heard[who]) {
		p->reordered++;
		return 1;
	}
	busy.lost += num - p->heard[who];
	p->heard[who] = num + 1;
	busy.heard++;
	count_delay((size_t)who == busy.talkers, now - busy.t0 - us / 1e6);
	last_payload = now;
	return 1;
}

/*
 * One whole line for a reader. Payload lines are delivered, good or
 * garbled, and checked for order; of the rest only a sync matters.
 * Lines chat replays to a newcomer were delivered to somebody else
 * before, so they are not counted again (a sync among them still shows
 * the reader is in the room).
 */
static void
classify(struct peer *p, const char *s, size_t n)
{
	long seq, before = p->next;

	if (is_line(s, n, "*** history follows")) {
		p->replaying = 1;
	} else if (is_line(s, n, "*** end of history")) {
		p->replaying = 0;
	} else if (busy.on && !p->replaying && n >= BODY_LEN &&
	    busy_heard(p, s + n - BODY_LEN)) {
		return;
	} else if (!busy.on && !p->replaying && n >= BODY_LEN &&
	    (seq = payload_seq(p, s + n - BODY_LEN)) >= 0) {
		p->delivered++;
		if (!stamped(s, n - BODY_LEN))
			p->garbled++;
		if (seq == p->next) {
			p->next++;
			count_up(p->want);
		} else if (seq > p->next) {
			p->lost += seq - p->next;
			p->next = seq + 1;
			expect(p);
		} else {
			p->reordered++;
		}
		if (before < lines && p->next >= lines)
			ncomplete++;
		last_payload = now;
	} else if (is_sync(s, n) && !p->synced) {
		p->synced = 1;
		nsynced++;
	}
}

/* Split what a reader received into lines, keeping a partial one. */
static void
take(struct peer *p, const char *s, size_t n)
{
	const char *nl;
	size_t len;

	while (n > 0) {
		nl = memchr(s, '\n', n);
		len = nl ? (size_t)(nl - s) : n;
		if (p->skipping) {
			p->skipping = !nl;
		} else if (p->plen + len > PART_MAX) {
			/* No host sends a line this long: it is debris. */
			p->garbled++;
			p->plen = 0;
			p->skipping = !nl;
		} else if (!p->plen && nl) {
			classify(p, s, len);
		} else {
			if (!p->part)
				p->part = xcalloc(1, PART_MAX);
			memcpy(p->part + p->plen, s, len);
			p->plen += len;
			if (nl) {
				classify(p, p->part, p->plen);
				p->plen = 0;
			}
		}
		if (!nl)
			return;
		s = nl + 1;
		n -= len + 1;
	}
}

/* One read from a peer; the host closing on us ends the run. */
static void
peer_read(struct peer *p)
{
	static char buf[READ_BUF];
	ssize_t n;

	if ((n = read(p->fd, buf, sizeof(buf))) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		fail("read from connection %zu:", (size_t)(p - peers) + 1);
	}
	if (n == 0)
		fail("host closed connection %zu of %zu", (size_t)(p - peers) + 1, npeers);
	if (busy.on)
		now = clock_s();	/* what it holds arrived by now */
	last_move = now;
	if (p->reader)
		take(p, buf, (size_t)n);
}

/* Queue bytes for the sender; only used for short lines like sync. */
static void
queue_out(const char *s, size_t n)
{
	if (ooff == olen)
		olen = ooff = 0;
	if (olen + n > sizeof(obuf))
		return;	/* the host is not reading: one sync fewer is fine */
	memcpy(obuf + olen, s, n);
	olen += n;
}

/* Refill the sender's buffer with as many payload lines as fit. */
static void
fill_payload(void)
{
	char *s;
	long v;
	int i;

	olen = ooff = 0;
	while (busy.on && nextseq < endseq && olen + LINE_LEN <= sizeof(obuf)) {
		busy_line(obuf + olen, busy.talkers, nextseq++, busy.paste_t);
		olen += LINE_LEN;
	}
	while (nextseq < endseq && olen + LINE_LEN <= sizeof(obuf)) {
		s = obuf + olen;
		for (i = SEQ_DIGITS - 1, v = nextseq; i >= 0; i--, v /= 10)
			s[i] = '0' + v % 10;
		s[SEQ_DIGITS] = ' ';
		memcpy(s + SEQ_DIGITS + 1, filler, sizeof(filler) - 1);
		s[LINE_LEN - 1] = '\n';
		olen += LINE_LEN;
		nextseq++;
	}
}

static int
sending(void)
{
	return ooff < olen || nextseq < endseq;
}

/* Write what the socket takes, a bounded number of writes per turn. */
static void
send_more(void)
{
	ssize_t n;
	int i;

	for (i = 0; i < WRITES_MAX; i++) {
		if (ooff == olen)
			fill_payload();
		if (ooff == olen)
			break;
		n = write(peers[sender].fd, obuf + ooff, olen - ooff);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n < 0)
			fail("write to the host:");
		ooff += (size_t)n;
		last_move = now;
	}
}

/*
 * The one loop turn: wait for any socket (or timeout ms), read one chunk
 * from every readable peer, and write for the sender while it has
 * something to send.
 */
static void
turn(int timeout)
{
	static struct epoll_event ev[EVENTS_MAX];
	struct peer *p;
	unsigned want;
	size_t i;
	int k, n;

	if (sender < npeers) {
		want = sending() ? EPOLLIN | EPOLLOUT : EPOLLIN;
		if (peers[sender].events != want)
			watch(sender, EPOLL_CTL_MOD, want);
	}
	n = epoll_wait(efd, ev, EVENTS_MAX, timeout);
	if (n < 0 && errno != EINTR)
		fail("epoll_wait:");
	now = clock_s();
	for (k = 0; k < n; k++) {
		i = (size_t)ev[k].data.u64;
		p = &peers[i];
		if (ev[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			peer_read(p);
		if (i == sender && (ev[k].events & EPOLLOUT))
			send_more();
	}
}

/* Milliseconds to wait for, at most, until the moment t. */
static int
until(double t)
{
	double d = (t - now) * 1000;

	return d <= 0 ? 0 : d > 1000 ? 1000 : (int)d + 1;
}

/*
 * A turn at most every TURN_MS, for all but the measured stretches.
 * While thousands of peers join, every join is a notice to all: reading
 * each one as it comes would cost us more than the host, and the
 * socket buffers hold them meanwhile.
 */
static void
paced_turn(int timeout)
{
	int wait = until(last_turn + TURN_MS / 1000.0);

	if (wait > 0)
		poll(NULL, 0, wait);
	last_turn = now = clock_s();
	turn(timeout);
}

/*
 * Connect n readers, with no more than window of our connections not
 * yet accepted by the host (it counts one descriptor for each), and
 * read what arrives on the others meanwhile.
 */
static void
connect_readers(size_t n)
{
	size_t want = npeers + n, accepted = 0;
	long k;

	while (npeers < want) {
		if (npeers - accepted < window) {
			dial(1, 0, 0);
			continue;
		}
		paced_turn(0);
		k = host_fds() - fds0;
		if (k > 0 && (size_t)k > accepted) {
			accepted = (size_t)k;
			last_move = now;
		}
		if (now - last_move > STALL_MS / 1000.0)
			fail("host accepted %zu of %zu connections", accepted, npeers);
	}
}

/*
 * The sender says "sync" every SYNC_EVERY_MS until every reader has seen
 * one: by then each has joined the room and reads what the room says.
 */
static void
sync_readers(void)
{
	double deadline = now + SYNC_MS / 1000.0, next = now;

	while (nsynced < nreaders) {
		if (now >= deadline)
			fail("sync timed out: %zu of %zu readers", nsynced, nreaders);
		if (now >= next) {
			queue_out("sync\n", 5);
			next = now + SYNC_EVERY_MS / 1000.0;
			send_more();
		}
		paced_turn(until(next));
	}
}

/*
 * The syncs sent before the last reader saw one are still on their way
 * to the others: let them arrive, so that what is measured next is not
 * a sync.
 */
static void
settle(long ms)
{
	double end = now + ms / 1000.0;

	while (now < end)
		paced_turn(until(end));
}

/* Sums over the readers. */
static void
totals(long *delivered, long *garbled, long *lost, long *reordered)
{
	size_t i;

	*delivered = *garbled = *lost = *reordered = 0;
	for (i = 0; i < npeers; i++) {
		if (!peers[i].reader)
			continue;
		*delivered += peers[i].delivered;
		*garbled += peers[i].garbled;
		*lost += peers[i].lost + (lines - peers[i].next);
		*reordered += peers[i].reordered;
	}
}

/*
 * fanout and stuck: a sender floods, readers count. Done when every
 * reader has the last line, when nothing came for QUIET_MS after the
 * last write, or when nothing moved for STALL_MS (a host that stopped).
 * With a stuck peer a host may rightly hold the room for a while, even
 * with all lines written: then only STALL_MS of silence ends the run.
 */
static void
fanout(int stuck, size_t nread, long nlines)
{
	long long t0;
	long delivered, garbled, lost, reordered;
	double start, secs, quiet = (stuck ? STALL_MS : QUIET_MS) / 1000.0;

	now = last_move = clock_s();
	if (stuck)
		dial(0, 4096, 1);	/* joins first, never reads */
	connect_readers(nread);
	sender = dial(0, 0, 0);
	lines = nlines;
	sync_readers();
	t0 = host_ticks();
	start = last_payload = last_move = now = clock_s();
	nextseq = 0;
	endseq = nlines;
	send_more();
	while (ncomplete < nreaders) {
		if (!sending() && now - last_move > quiet)
			break;
		if (now - last_move > STALL_MS / 1000.0)
			break;
		turn(100);
	}
	t0 = host_ticks() - t0;
	totals(&delivered, &garbled, &lost, &reordered);
	secs = last_payload - start;
	printf("delivered=%ld seconds=%.3f rate=%.0f cpu_per_M=%.3f "
	    "garbled=%ld lost=%ld reordered=%ld hwm_kb=%lld\n",
	    delivered, secs, secs > 0 ? delivered / secs : 0.0,
	    delivered ? (double)t0 / sysconf(_SC_CLK_TCK) / (delivered / 1e6) : 0.0,
	    garbled, lost, reordered, host_status("VmHWM"));
}

/*
 * scale: the cost of a crowd. Time to bring npeer idle peers in, the
 * host's memory per peer, then how long one line takes to reach all.
 */
static void
scale(size_t npeer)
{
	long long rss0, rss1;
	double start, connect_s;

	rss0 = host_status("VmRSS");
	start = now = last_move = clock_s();
	sender = dial(0, 0, 0);
	connect_readers(npeer);
	lines = 1;
	sync_readers();
	connect_s = now - start;
	settle(GATHER_SETTLE_MS);
	rss1 = host_status("VmRSS");
	nextseq = 0;
	endseq = 1;
	start = now = clock_s();
	send_more();
	while (ncomplete < nreaders) {
		if (now - start > ONE_LINE_MS / 1000.0)
			fail("one line reached %zu of %zu peers in %d s",
			    ncomplete, nreaders, ONE_LINE_MS / 1000);
		turn(100);
	}
	printf("connect_s=%.3f rss_per_peer_b=%lld one_line_ms=%.1f\n",
	    connect_s, (rss1 - rss0) * 1024 / (long long)npeer,
	    (last_payload - start) * 1000);
}

/* idle: what a quiet room costs the host, in CPU and in wake-ups. */
static void
idle(size_t npeer, long secs)
{
	long long t0, w0;
	double end;

	now = last_move = clock_s();
	sender = dial(0, 0, 0);
	connect_readers(npeer);
	lines = 0;
	sync_readers();
	settle(GATHER_SETTLE_MS);
	t0 = host_ticks();
	w0 = host_wakeups();
	end = clock_s() + secs;
	while (now < end)
		paced_turn(until(end));
	t0 = host_ticks() - t0;
	w0 = host_wakeups() - w0;
	printf("cpu_s=%.2f wakeups=%lld\n", (double)t0 / sysconf(_SC_CLK_TCK), w0);
}

/*
 * names: what a name lookup costs when an attacker picks the names.
 * With collide, every name of the room falls into one bucket of the
 * unkeyed FNV-1a that chat hashed skeletons with until 2026-12 (a
 * skeleton of ASCII lower case is the letters as unsigned longs, 8
 * bytes each here), for a table of the size -m PEERS+1 makes; without,
 * they are random. The names are 64 letters of NAME_ABC, so a prefix's
 * hash is worked out once and only the last NAME_TAIL letters vary.
 */
#define NAME_LEN	64
#define NAME_TAIL	4
#define NAMES_MS	90000	/* names: the lookups and the line, however slow */
static const char name_abc[] = "abcdefghjkpqstuv";	/* 16: no l, i, m, o, look-alikes of others */

static unsigned long
fnv_letter(unsigned long h, int c)
{
	int k;

	h = ((h ^ (unsigned char)c) * 16777619UL) & 0xffffffffUL;
	for (k = 1; k < (int)sizeof(unsigned long); k++)
		h = (h * 16777619UL) & 0xffffffffUL;
	return h;
}

/* Fill want names, "/nick NAME\n" each, from one prefix's tails that hash to bucket 0. */
static size_t
colliding(char **out, size_t want, size_t have, unsigned long mask, char *name)
{
	unsigned long h[NAME_TAIL + 1];
	int d[NAME_TAIL] = { 0 }, k = 0;
	size_t i;

	for (i = 0; i < NAME_LEN - NAME_TAIL; i++)
		name[i] = name_abc[rand() % 16];
	h[0] = 2166136261UL;
	for (i = 0; i < NAME_LEN - NAME_TAIL; i++)
		h[0] = fnv_letter(h[0], name[i]);
	for (;;) {	/* an odometer over the tail, the hash of each level kept */
		for (; k < NAME_TAIL; k++) {
			name[NAME_LEN - NAME_TAIL + k] = name_abc[d[k]];
			h[k + 1] = fnv_letter(h[k], name_abc[d[k]]);
		}
		if (!(h[NAME_TAIL] & mask) && have < want) {
			out[have] = xcalloc(1, NAME_LEN + 8);
			snprintf(out[have++], NAME_LEN + 8, "/nick %.*s\n", NAME_LEN, name);
		}
		for (k = NAME_TAIL - 1; k >= 0 && ++d[k] == 16; k--)
			d[k] = 0;
		if (k < 0)
			return have;
	}
}

static char **
make_names(size_t n, int collide, size_t buckets)
{
	char **out = xcalloc(n, sizeof(*out)), name[NAME_LEN];
	size_t have = 0, i;

	srand(1);
	while (collide && have < n)
		have = colliding(out, n, have, buckets - 1, name);
	for (; have < n; have++) {
		for (i = 0; i < NAME_LEN; i++)
			name[i] = name_abc[rand() % 16];
		out[have] = xcalloc(1, NAME_LEN + 8);
		snprintf(out[have], NAME_LEN + 8, "/nick %.*s\n", NAME_LEN, name);
	}
	return out;
}

/*
 * npeer peers join with those names, then one of them sends nlines
 * "/nick" of its own name, which chat answers with nothing but looks
 * up, and one line: the host's CPU for the joins and for the lookups,
 * and how long the others wait for that line.
 */
static void
names(size_t npeer, long nlines, int collide)
{
	size_t buckets = 1, len, off = 0;
	long long t0, t1;
	double start;
	char *flood, *s;
	long i;
	ssize_t k;

	while (buckets < npeer + 1)
		buckets *= 2;
	hello = make_names(npeer + 1, collide, buckets);
	now = last_move = clock_s();
	t0 = host_ticks();
	sender = dial(0, 0, 0);
	connect_readers(npeer);
	lines = 1;
	sync_readers();
	t0 = host_ticks() - t0;
	settle(GATHER_SETTLE_MS);
	len = strlen(hello[0]);
	flood = xcalloc((size_t)nlines + 1, len + LINE_LEN);
	for (i = 0, s = flood; i < nlines; i++, s += len)
		memcpy(s, hello[0], len);
	put_digits(s, SEQ_DIGITS, 0);
	s[SEQ_DIGITS] = ' ';
	memcpy(s + SEQ_DIGITS + 1, filler, sizeof(filler) - 1);
	s[LINE_LEN - 1] = '\n';
	len = (size_t)(s + LINE_LEN - flood);
	t1 = host_ticks();
	start = now = clock_s();
	while (ncomplete < nreaders) {
		if (off < len && (k = write(peers[sender].fd, flood + off, len - off)) > 0)
			off += (size_t)k, last_move = now;
		if (now - start > NAMES_MS / 1000.0)	/* a host that walks a bucket a lookup is slow, not stopped */
			fail("the line reached %zu of %zu peers in %d s", ncomplete, nreaders, NAMES_MS / 1000);
		turn(off < len ? 1 : 100);
	}
	printf("join_cpu_s=%.2f nick_cpu_s=%.2f line_ms=%.0f\n",
	    (double)t0 / sysconf(_SC_CLK_TCK),
	    (double)(host_ticks() - t1) / sysconf(_SC_CLK_TCK),
	    (last_payload - start) * 1000);
}

/* Talker who says its line number num, now, in one write. */
static void
talk(size_t who, long num)
{
	char line[LINE_LEN];
	ssize_t n;

	now = clock_s();
	busy_line(line, who, num, now);
	/* A few lines a second fit a socket buffer unless the host stopped. */
	if ((n = write(peers[who].fd, line, LINE_LEN)) < 0)
		fail("talker %zu: write:", who + 1);
	if (n != LINE_LEN)
		fail("talker %zu: the host took %zd of %d bytes", who + 1, n, LINE_LEN);
	busy.said[who]++;
	last_move = now;
}

/*
 * busy: what people in a busy room feel. npeer peers, every one of
 * them reading; the first ntalk each say rate lines a second for secs
 * seconds, their turns spread evenly, each line carrying the moment
 * it was written. With paste > 0 one more peer pastes that many lines
 * at once half way through. Every line is timed at every reader. Done
 * when all have arrived, or nothing did for QUIET_MS after the last.
 */
static void
busy_room(size_t npeer, size_t ntalk, long rate, long secs, long paste)
{
	long long t0;
	long g, total = (long)ntalk * rate * secs;
	double start, every = 1.0 / ((double)ntalk * rate), paste_at;
	size_t i, w;
	int pasted = !paste;

	if (ntalk > npeer)
		fail("%zu talkers in a room of %zu", ntalk, npeer);
	if (rate * secs >= 1000000 || paste >= 1000000)
		fail("more than %d digits of line numbers", NUM_DIGITS);
	busy.on = 1;
	busy.talkers = ntalk;
	busy.said = xcalloc(ntalk + 1, sizeof(*busy.said));
	now = last_move = clock_s();
	connect_readers(npeer);
	if (paste) {
		connect_readers(1);
		busy.paster = npeers - 1;
	}
	sender = paste ? busy.paster : 0;	/* says sync, and pastes */
	peers[sender].synced = 1;	/* a reader, not told its own sync */
	nsynced++;
	sync_readers();
	settle(SETTLE_MS);
	t0 = host_ticks();
	busy.t0 = start = last_payload = last_move = now = clock_s();
	paste_at = start + secs / 2.0;
	for (g = 0;;) {
		while (g < total && now >= start + g * every) {
			talk((size_t)(g % (long)ntalk), g / (long)ntalk);
			g++;
		}
		if (!pasted && now >= paste_at) {
			pasted = 1;
			busy.paste_t = now;
			nextseq = 0;
			endseq = paste;
			send_more();
		}
		if (g == total && pasted && !sending()) {
			busy.said[ntalk] = nextseq;
			for (busy.expected = 0, w = 0; w <= ntalk; w++)
				busy.expected += busy.said[w] * (long long)(npeers - 1);
			if (busy.heard >= busy.expected ||
			    now - last_payload > QUIET_MS / 1000.0)
				break;
		}
		if (now - last_move > STALL_MS / 1000.0)
			fail("nothing moved for %d s", STALL_MS / 1000);
		turn(g < total ? until(start + g * every) : 100);
	}
	t0 = host_ticks() - t0;
	/* What never came is lost too: the numbers each reader still lacks. */
	for (i = 0; i < npeers; i++)
		for (w = 0; w <= ntalk; w++)
			if (i != (w < ntalk ? w : busy.paster))
				busy.lost += busy.said[w] - (peers[i].heard ? peers[i].heard[w] : 0);
	printf("p50_ms=%.1f p99_ms=%.1f max_ms=%.1f lost=%lld cpu_s=%.2f",
	    percentile(0, 0.50), percentile(0, 0.99), busy.max[0] * 1000,
	    busy.lost, (double)t0 / sysconf(_SC_CLK_TCK));
	if (paste)
		printf(" paste_ms=%.1f", busy.max[1] * 1000);
	putchar('\n');
}

/* Write all of n bytes to a blocking socket; false if it failed. */
static int
write_all(int fd, const char *s, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = write(fd, s, n)) < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0;
		s += k;
		n -= (size_t)k;
	}
	return 1;
}

/*
 * relay: the floor a host is measured against. Each read from one
 * connection is written as it came to every other connection at once,
 * blocking: no lines, no names, no queues, no limits, no flow control
 * but the kernel's. It waits with poll(), as chat does. What chat
 * costs beyond it pays for its framing, its stamps and its guarantees.
 * It says its port on stderr, as chat -v does, and runs until killed.
 */
static void
relay(void)
{
	static char buf[READ_BUF];
	struct sockaddr_in sa = loopback(0);
	socklen_t len = sizeof(sa);
	struct pollfd *fds;
	size_t n = 1, cap = 64, i, j;
	ssize_t got;
	int lfd, fd, on = 1;

	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, SOMAXCONN) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) < 0)
		fail("relay: listen:");
	nonblock(lfd);
	fprintf(stderr, "relay: listening on 127.0.0.1 port %u\n", ntohs(sa.sin_port));
	fds = xcalloc(cap, sizeof(*fds));
	fds[0].fd = lfd;
	fds[0].events = POLLIN;
	for (;;) {
		if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR)
			fail("relay: poll:");
		while ((fds[0].revents & POLLIN) && (fd = accept(lfd, NULL, NULL)) >= 0) {
			if (n == cap && !(fds = realloc(fds, (cap *= 2) * sizeof(*fds))))
				fail("out of memory");
			/* at once means at once, as chat writes */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
			fds[n++] = (struct pollfd){ fd, POLLIN, 0 };
		}
		for (i = 1; i < n; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((got = read(fds[i].fd, buf, sizeof(buf))) < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				continue;
			}
			for (j = 1; j < n; j++) {
				if (j == i || fds[j].fd < 0 || write_all(fds[j].fd, buf, (size_t)got))
					continue;
				close(fds[j].fd);
				fds[j].fd = -1;
			}
		}
		for (i = j = 1; i < n; i++)
			if (fds[i].fd >= 0)
				fds[j++] = fds[i];
		n = j;
	}
}

/* For a host that cannot pick its own port: one that was free just now. */
static void
free_port(void)
{
	struct sockaddr_in sa = loopback(0);
	socklen_t len = sizeof(sa);
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		fail("free port:");
	printf("%u\n", ntohs(sa.sin_port));
	close(fd);
}

static void
usage(void)
{
	fputs("usage: t/bench fanout|stuck PORT HOSTPID READERS LINES\n"
	    "       t/bench scale PORT HOSTPID PEERS\n"
	    "       t/bench idle PORT HOSTPID PEERS SECS\n"
	    "       t/bench busy PORT HOSTPID PEERS TALKERS RATE SECS PASTE\n"
	    "       t/bench names PORT HOSTPID PEERS LINES COLLIDE\n"
	    "       t/bench port\n"
	    "       t/bench relay\n", stderr);
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *mode;

	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if (argc == 2 && !strcmp(argv[1], "port")) {
		free_port();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "relay"))
		relay();
	if (argc < 5)
		usage();
	mode = argv[1];
	port = (unsigned short)number(argv[2], 1, 65535, "port");
	hostpid = number(argv[3], 1, 1L << 30, "host pid");
	fds0 = host_fds();
	set_window();
	if ((efd = epoll_create1(0)) < 0)
		fail("epoll_create1:");
	if ((!strcmp(mode, "fanout") || !strcmp(mode, "stuck")) && argc == 6)
		fanout(mode[0] == 's', (size_t)number(argv[4], 1, 1000000, "readers"),
		    number(argv[5], 1, 99999999, "lines"));
	else if (!strcmp(mode, "scale") && argc == 5)
		scale((size_t)number(argv[4], 1, 1000000, "peers"));
	else if (!strcmp(mode, "idle") && argc == 6)
		idle((size_t)number(argv[4], 1, 1000000, "peers"),
		    number(argv[5], 1, 86400, "seconds"));
	else if (!strcmp(mode, "busy") && argc == 9)
		busy_room((size_t)number(argv[4], 1, 1000000, "peers"),
		    (size_t)number(argv[5], 1, 99999, "talkers"),
		    number(argv[6], 1, 1000, "rate"),
		    number(argv[7], 1, 3600, "seconds"),
		    number(argv[8], 0, 999999, "paste lines"));
	else if (!strcmp(mode, "names") && argc == 7)
		names((size_t)number(argv[4], 1, 1000000, "peers"),
		    number(argv[5], 1, 9999999, "lines"), (int)number(argv[6], 0, 1, "collide"));
	else
		usage();
	return 0;
}
