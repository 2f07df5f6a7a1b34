/* See LICENSE file for copyright and license details. */
#define _POSIX_C_SOURCE 200809L

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__) || defined(__APPLE__) || defined(__FreeBSD__) || \
    defined(__OpenBSD__) || defined(__NetBSD__)
#include <sys/ioctl.h>	/* TIOCGWINSZ: the terminal's width, where there is one */
#endif

#include "chat.h"

static int listening;		/* -l: host a room instead of joining one */
static int family = AF_UNSPEC;	/* -4 or -6 */
static int verbose;		/* -v: say where we listen or connect */
static long quitwait;		/* -q: seconds to stay after stdin EOF, -1 for ever */
static long connwait = -1;	/* -w: seconds per connection attempt, -1 for none */
static const char *password;	/* -P or $CHAT_PASSWORD: asked of every peer */
static size_t maxpeers;		/* -m: most peers at once */
static size_t backmax = BACKLOG_DEFAULT;	/* -b: room lines kept for newcomers */

static struct pollfd *pfd;	/* the poll table; slotpeer[i] owns pfd[i] */
static struct peer **slotpeer;	/* NULL for the signal pipe and listeners */
static size_t nslots, slotcap;

static struct peer *self;	/* the host as a participant, or the client's terminal */
static struct peer *conn;	/* client: the connection to the host */
static int sigfd[2];		/* self-pipe: signal handlers write, the loop reads */
static unsigned holders;	/* queues past OUTQ_HIGH that hold the room */
static size_t nqueued;		/* peers with something queued */
static unsigned long guests;	/* guestN names handed out so far */
static struct msg *batch;	/* room lines and notices, not yet queued */
static struct peer *dirty;	/* queues that grew this turn */
static struct peer *dead;	/* peers to free at the end of the turn */
static struct timerlist timers[NTIMERS];
static long long now;		/* the clock at the start of this turn, ms */
static long long stopping;	/* host: end of the final flush; client: of the leave */
static long long quitting;	/* client: when -q runs out after stdin EOF */
static int leaving;		/* client: /quit was sent, a close is expected */
static int midline;		/* client: the last byte sent was not a newline */
static const char *refused;	/* client: why the host turned us away */
static int redial;		/* -r: connect again when the host goes away */
static const char *dialhost, *dialport, *mynick;
static struct addrinfo *addrs;	/* what HOST resolved to... */
static struct addrinfo *trying;	/* ...and the address being tried */
static int dial_error;		/* why the last attempt failed */
static long long dial_until;	/* -w: end of the attempt under way */
static long long redial_at;	/* -r: when to try again */
static long long backoff;	/* -r: the next wait, doubling to a cap */
static unsigned long dials;	/* connections made so far */

static int stamps;		/* -t: show the local time before each line */
static int tty;			/* stdin and stdout are a terminal: we edit the line */
static int colour;		/* ...and may colour it: no NO_COLOR, no TERM=dumb */
static struct termios saved_tty, raw_tty;
static struct {
	char s[LINE_MAX_BYTES];	/* the input line being typed */
	size_t len, cur;	/* its length and the cursor, in bytes */
	char seq[8];		/* an escape sequence coming in */
	size_t esc;		/* bytes of it so far, plus one; 0 for none */
} edit;
static char *hist[HIST_MAX];	/* lines sent this session, for Up and Down */
static size_t nhist, hpos;

static struct backline {
	char *s;
	size_t len, cap;
} *backlog;			/* host: the last room lines, oldest at backhead */
static size_t nback, backhead;
static size_t npeers;		/* host: peers connected, joined or not */
static size_t nmembers;		/* host: peers in the room, the host too */
static struct peer **nicks;	/* host: peers with a nickname, by its hash */
static size_t nbuckets;		/* a power of two, about one per peer */
static int spare = -1;		/* host: a descriptor kept to shed connections on EMFILE */
static long long relisten;	/* host: when to listen again after running out */

static const char synopsis[] =
    "usage: chat -l [-46tv] [-b lines] [-m max] [-n nick] [-P password] [-s addr] [port]\n"
    "       chat [-46rtv] [-n nick] [-P password] [-q secs] [-w secs] host [port]\n";

static const struct command commands[] = {
	{ "nick", cmd_nick, "/nick NAME        change your nickname" },
	{ "msg", cmd_msg, "/msg NAME TEXT    send TEXT to NAME only" },
	{ "me", cmd_me, "/me TEXT          an action: * you TEXT" },
	{ "who", cmd_who, "/who              list who is here" },
	{ "r", cmd_reply, "/r TEXT           reply to whoever last sent you a /msg" },
	{ "quit", cmd_quit, "/quit [REASON]    leave the room" },
	{ "kick", cmd_kick, "/kick NAME [WHY]  the host only: put NAME out of the room" },
	{ "help", cmd_help, "/help             this list" },
	{ "pass", cmd_pass, "/pass PASSWORD    the room's password, as the first line" },
};

/*
 * Print "chat: " and the message to stderr; a format ending in ':' gets
 * the error of the failed call appended, as suckless tools do.
 */
static void
vwarning(const char *fmt, va_list ap)
{
	int e = errno;
	size_t n = strlen(fmt);

	fputs("chat: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (n && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(e));
	fputc('\n', stderr);
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

static void
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
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

/* Append to a message that is not queued anywhere yet. */
static void
msg_put(struct msg **mp, const char *s, size_t n)
{
	struct msg *m = *mp;
	size_t cap;

	if (m->len + n > m->cap) {
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

/*
 * The one place output is queued: bytes off to end of a message. The
 * write itself waits for the end of the loop turn, so everything queued
 * in one turn goes out in one writev.
 */
static void
outq_push(struct peer *p, struct msg *m, size_t off, size_t end)
{
	struct outq *q = &p->q;
	struct slice *s;

	if ((p->flags & (F_DEAD | F_WDONE)) || off >= end ||
	    (p->wfd < 0 && !(p->flags & F_DIALING)))
		return;
	/* Only notices reach a queue while the room waits; past this, it
	 * would grow for ever. The host's own screen loses lines instead. */
	if (q->bytes > OUTQ_HARD) {
		if (p != self) {
			p->flags |= F_DROP;
			kill_peer(p);
		}
		return;
	}
	outq_grow(q);
	s = &q->ring[(q->head + q->n++) & (q->cap - 1)];
	s->m = m;
	s->off = off;
	s->end = end;
	m->refs++;
	if (!q->bytes)
		nqueued++;
	q->bytes += end - off;
	if (!(p->flags & F_DIRTY)) {
		p->flags |= F_DIRTY;
		p->dnext = dirty;
		dirty = p;
	}
	if (q->bytes > OUTQ_HIGH && !(p->flags & (F_HOLD | F_STALLED)) &&
	    p->state != CLOSING)
		hold(p);
}

/* Make room for one more message in a ring. */
static void
outq_grow(struct outq *q)
{
	struct slice *ring;
	size_t i, cap;

	if (q->n < q->cap)
		return;
	cap = q->cap ? q->cap * 2 : RING_KEEP;
	ring = xmalloc(cap * sizeof(*ring));
	for (i = 0; i < q->n; i++)
		ring[i] = q->ring[(q->head + i) & (q->cap - 1)];
	free(q->ring);
	q->ring = ring;
	q->head = 0;
	q->cap = cap;
}

/* Client: put a message before everything queued (nothing is half sent). */
static void
outq_unshift(struct peer *p, struct msg *m)
{
	struct outq *q = &p->q;

	outq_grow(q);
	q->head = (q->head - 1) & (q->cap - 1);
	q->ring[q->head].m = m;
	q->ring[q->head].off = 0;
	q->ring[q->head].end = m->len;
	q->n++;
	m->refs++;
	if (!q->bytes)
		nqueued++;
	q->bytes += m->len;
}

/*
 * Forget n written bytes from the front of a queue. An empty queue
 * gives back a ring that grew past RING_KEEP: a burst must not leave
 * every idle peer holding a ring sized for it.
 */
static void
outq_pop(struct outq *q, size_t n)
{
	struct slice *s;
	size_t left;

	while (n > 0 && q->n > 0) {
		s = &q->ring[q->head];
		left = s->end - s->off;
		if (n < left) {
			s->off += n;
			q->bytes -= n;
			return;
		}
		n -= left;
		q->bytes -= left;
		q->head = (q->head + 1) & (q->cap - 1);
		q->n--;
		msg_unref(s->m);
	}
	if (!q->bytes)
		nqueued--;
	if (!q->n && q->cap > RING_KEEP) {
		free(q->ring);
		q->ring = NULL;
		q->head = q->cap = 0;
	}
}

static void
outq_clear(struct outq *q)
{
	if (q->bytes)
		outq_pop(q, q->bytes);
	free(q->ring);
	memset(q, 0, sizeof(*q));
}

/*
 * Write as much of a queue as one writev takes. Partial writes, EAGAIN
 * and EINTR are dealt with here and nowhere else.
 */
static void
drain(struct peer *p)
{
	struct iovec iov[IOV_BATCH];
	struct outq *q = &p->q;
	struct slice *s;
	size_t k, total = 0, limit;
	ssize_t n;

	/* A blocking pipe or terminal takes PIPE_BUF without blocking
	 * once poll says it is writable; more might not go at once. */
	limit = (p->flags & F_POLLWRITE) ? PIPE_BUF : SIZE_MAX;
	for (k = 0; k < q->n && k < IOV_BATCH && total < limit; k++) {
		s = &q->ring[(q->head + k) & (q->cap - 1)];
		iov[k].iov_base = s->m->data + s->off;
		iov[k].iov_len = s->end - s->off;
		if (iov[k].iov_len > limit - total)
			iov[k].iov_len = limit - total;
		total += iov[k].iov_len;
	}
	if (!k || (p->flags & F_DIALING))
		return;
	if (p == self && tty) {
		term_show(p);
		return;
	}
	n = writev(p->wfd, iov, (int)k);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		if (p == conn) {
			/* The host may have said why it closed: read that first. */
			if (!redial)
				outq_clear(&p->q);
			stop_writing(p);
		} else {
			lost(p, strerror(errno));
		}
		return;
	}
	if (n > 0)
		outq_pop(q, (size_t)n);
	if ((p->flags & F_HOLD) && q->bytes < OUTQ_LOW)
		release(p);
	if (q->n) {
		set_writing(p, 1);
		if (listening && p != self && p->state == JOINED)
			watch(p, n > 0);
		return;
	}
	set_writing(p, 0);
	if (p->timer == T_STALL || p->timer == T_STUCK)
		timer_set(p, T_NONE, 0);
	p->flags &= ~F_STALLED;
	if (p->state == CLOSING) {
		kill_peer(p);
	} else if (p->flags & F_QUIT) {
		/* The /quit is out: tell the host nothing more comes. */
		shutdown(p->wfd, SHUT_WR);
		stop_writing(p);
	}
}

/*
 * A backlog that moves is a live reader, and may hold the room. One
 * that does not move for STALL_MS stops holding it (run_timers), and
 * is dropped STUCK_MS after it last moved, or once it passes OUTQ_HARD.
 */
static void
watch(struct peer *p, int moved)
{
	if (moved) {
		p->flags &= ~F_STALLED;
		timer_set(p, T_STALL, now + STALL_MS);
	} else if (p->timer != T_STALL && p->timer != T_STUCK) {
		timer_set(p, T_STALL, now + STALL_MS);
	}
}

/* A socket that is only read from now: its slot is switched by fd. */
static void
stop_writing(struct peer *p)
{
	p->flags |= F_WDONE;
	pfd[p->rslot].events = POLLIN;
	set_reading(p, may_read(p));
}

/* Write every queue that grew this turn, or wait for poll to allow it. */
static void
flush_dirty(void)
{
	struct peer *p;

	while ((p = dirty)) {
		dirty = p->dnext;
		p->flags &= ~F_DIRTY;
		if (p->flags & F_DEAD)
			continue;
		if (p->flags & F_POLLWRITE)
			set_writing(p, 1);
		else
			drain(p);
	}
}

/* At exit: what is queued for the terminal is written, blocking. */
static void
flush_blocking(struct peer *p)
{
	p->flags &= ~F_POLLWRITE;
	while (p->q.n && p->wfd >= 0 && !(p->flags & F_DEAD))
		drain(p);
}

/* The pollfd table and the peer table grow together, slot for slot. */
static size_t
slot_add(int fd, short events, struct peer *p)
{
	if (nslots == slotcap) {
		slotcap = slotcap ? slotcap * 2 : 16;
		pfd = xrealloc(pfd, slotcap * sizeof(*pfd));
		slotpeer = xrealloc(slotpeer, slotcap * sizeof(*slotpeer));
	}
	pfd[nslots].fd = fd;
	pfd[nslots].events = events;
	pfd[nslots].revents = 0;
	slotpeer[nslots] = p;
	return nslots++;
}

/* The last slot moves into the hole, so the table stays dense. */
static void
slot_remove(size_t i)
{
	size_t last = --nslots;
	struct peer *p;

	if (i == last)
		return;
	pfd[i] = pfd[last];
	slotpeer[i] = p = slotpeer[last];
	if (p && p->rslot == last)
		p->rslot = i;
	if (p && p->wslot == last)
		p->wslot = i;
}

static struct peer *
peer_new(int rfd, int wfd, size_t rslot, size_t wslot)
{
	struct peer *p = xmalloc(sizeof(*p));

	memset(p, 0, sizeof(*p));
	p->rfd = rfd;
	p->wfd = wfd;
	p->rslot = rslot;
	p->wslot = wslot;
	p->state = JOINING;
	p->hear = hear;
	return p;
}

/*
 * A socket has one slot for both directions; stdin and stdout have one
 * each, switched off by a negative descriptor so a closed pipe cannot
 * make poll spin.
 */
static void
set_reading(struct peer *p, int on)
{
	struct pollfd *f = &pfd[p->rslot];

	if (p->rslot != p->wslot || (p->flags & F_WDONE))
		f->fd = on ? p->rfd : -1;
	else if (on)
		f->events |= POLLIN;
	else
		f->events &= ~POLLIN;
}

static void
set_writing(struct peer *p, int on)
{
	struct pollfd *f = &pfd[p->wslot];

	if (p->rslot != p->wslot)
		f->fd = on ? p->wfd : -1;
	else if (on)
		f->events |= POLLOUT;
	else
		f->events &= ~POLLOUT;
}

/*
 * Flow control in one rule. The host reads nobody while any queue holds
 * the room, so senders slow to the pace of the slowest live reader; the
 * client stops reading one side while the other side's queue is full.
 */
static int
may_read(struct peer *p)
{
	if ((p->flags & (F_DEAD | F_DIALING)) || p->state == CLOSING || p->rfd < 0)
		return 0;
	if (listening)
		return !stopping && holders == 0;
	if (p == self && stopping)
		return 0;	/* leaving on a signal: only wait for the close */
	return !((p == conn ? self : conn)->flags & F_HOLD);
}

static void
update_reading(void)
{
	struct peer *p;
	size_t i;

	for (i = SLOT_STDIN; i < nslots; i++)
		if ((p = slotpeer[i]) && p->rslot == i)
			set_reading(p, may_read(p));
}

static void
hold(struct peer *p)
{
	p->flags |= F_HOLD;
	if (!listening || holders++ == 0)
		update_reading();
}

static void
release(struct peer *p)
{
	p->flags &= ~F_HOLD;
	if (!listening || --holders == 0)
		update_reading();
}

/*
 * Move a peer onto a timer list. Every list takes deadlines of now plus
 * its own constant (T_STUCK: of a T_STALL deadline plus one, in the
 * order those expire), so appending keeps it sorted and the earliest
 * deadline of all is among the heads.
 */
static void
timer_set(struct peer *p, int t, long long when)
{
	struct timerlist *l;

	if (p->timer) {
		l = &timers[p->timer];
		if (p->tprev)
			p->tprev->tnext = p->tnext;
		else
			l->head = p->tnext;
		if (p->tnext)
			p->tnext->tprev = p->tprev;
		else
			l->tail = p->tprev;
	}
	p->timer = t;
	p->deadline = when;
	p->tnext = NULL;
	if (!t)
		return;
	l = &timers[t];
	p->tprev = l->tail;
	if (l->tail)
		l->tail->tnext = p;
	else
		l->head = p;
	l->tail = p;
}

static long long
next_deadline(void)
{
	long long d = -1;
	int t;

	for (t = T_NONE + 1; t < NTIMERS; t++)
		if (timers[t].head && (d < 0 || timers[t].head->deadline < d))
			d = timers[t].head->deadline;
	if (stopping && (d < 0 || stopping < d))
		d = stopping;
	if (quitting && (d < 0 || quitting < d))
		d = quitting;
	if (relisten && (d < 0 || relisten < d))
		d = relisten;
	if (dial_until && (d < 0 || dial_until < d))
		d = dial_until;
	if (redial_at && (d < 0 || redial_at < d))
		d = redial_at;
	return d;
}

static void
run_timers(void)
{
	struct peer *p;

	while ((p = timers[T_AUTH].head) && p->deadline <= now) {
		notice(p, REFUSE_TIMEOUT);
		leave(p, "left", NULL, 0);
	}
	while ((p = timers[T_JOIN].head) && p->deadline <= now)
		join(p, NULL, 0);
	while ((p = timers[T_STALL].head) && p->deadline <= now) {
		p->flags |= F_STALLED;
		if (p->flags & F_HOLD)
			release(p);
		timer_set(p, T_STUCK, p->deadline - STALL_MS + STUCK_MS);
	}
	while ((p = timers[T_STUCK].head) && p->deadline <= now) {
		p->flags |= F_DROP;
		kill_peer(p);
	}
	while ((p = timers[T_CLOSE].head) && p->deadline <= now)
		kill_peer(p);
	if (quitting && quitting <= now) {
		quitting = 0;
		send_quit();
	}
	if (dial_until && dial_until <= now)
		dial_done(ETIMEDOUT);
	if (redial_at && redial_at <= now) {
		redial_at = 0;
		dial_start();
	}
	if (relisten && relisten <= now) {
		relisten = 0;
		set_listening(1);
	}
	if (stopping && stopping <= now)
		finish(0);
}

/*
 * Mark a peer for closing at the end of the turn. Nothing is freed now:
 * the caller may be in the middle of a loop over the peers.
 */
static void
kill_peer(struct peer *p)
{
	if (p->flags & F_DEAD)
		return;
	if (p->flags & F_HOLD)
		release(p);
	if (listening && p->state == JOINED)
		nmembers--;
	p->flags |= F_DEAD;
	timer_set(p, T_NONE, 0);
	set_reading(p, 0);
	set_writing(p, 0);
	p->xnext = dead;
	dead = p;
}

/*
 * End of a turn: write what was queued, then free the dead. Telling the
 * room who was dropped queues more and may drop more, hence the loop.
 */
static void
reap(void)
{
	struct peer *p, *list;

	for (;;) {
		batch_flush();
		flush_dirty();
		if (!(list = dead))
			return;
		dead = NULL;
		for (p = list; p; p = p->xnext) {
			if ((p->flags & F_DROP) && p->state == JOINED) {
				p->state = CLOSING;
				notice_room(p, "%s dropped (not reading)", p->nick);
			}
		}
		while ((p = list)) {
			list = p->xnext;
			close(p->rfd);
			npeers--;
			outq_clear(&p->q);
			nick_remove(p);
			free(p->in);
			slot_remove(p->rslot);
			free(p);
		}
	}
}

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

/* Where to cut s[0..n) so no character is split, given byte next follows. */
static size_t
utf8_cut(const char *s, size_t n, char next)
{
	size_t k = n;

	if ((next & 0xc0) != 0x80)
		return n;
	while (k > 0 && n - k < 4 && (s[k - 1] & 0xc0) == 0x80)
		k--;
	return k > 0 && n - k < 4 ? k - 1 : n;
}

/*
 * Append text safe for any terminal: TAB becomes a space, C0 controls,
 * DEL and C1 controls go, invalid UTF-8 becomes U+FFFD, and valid UTF-8
 * passes untouched. Runs of printable ASCII are copied whole.
 */
static void
sanitize(struct msg **mp, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	size_t i = 0, j, k;

	while (i < n) {
		for (j = i; j < n && u[j] >= 0x20 && u[j] < 0x7f; j++)
			;
		if (j > i) {
			msg_put(mp, s + i, j - i);
			i = j;
		} else if (u[i] < 0x80) {
			if (u[i] == '\t')
				msg_put(mp, " ", 1);
			i++;
		} else if ((k = utf8_len(u + i, n - i, &c))) {
			if (c > 0x9f)
				msg_put(mp, s + i, k);
			i += k;
		} else {
			/* A lone 8-bit C1 byte is a control, not a typo. */
			if (u[i] > 0x9f)
				msg_put(mp, "\xef\xbf\xbd", 3);
			i++;
		}
	}
}

/*
 * The one place where received bytes become lines. Complete lines are
 * handed on straight from the read buffer; only a partial line is
 * copied, into the peer's own buffer of at most LINE_MAX_BYTES.
 */
static void
frame(struct peer *p, const char *s, size_t n)
{
	const char *nl;
	size_t len;

	while (n > 0 && p->state != CLOSING && !(p->flags & F_DEAD)) {
		nl = memchr(s, '\n', n);
		len = nl ? (size_t)(nl - s) : n;
		if (p->flags & F_DISCARD) {
			if (nl)
				p->flags &= ~F_DISCARD;
		} else if (!p->inlen && nl && (len <= LINE_MAX_BYTES ||
		    (len == LINE_MAX_BYTES + 1 && s[len - 1] == '\r'))) {
			line_done(p, s, len);
		} else {
			take(p, s, len, nl != NULL);
		}
		if (!nl)
			return;
		s = nl + 1;
		n -= len + 1;
	}
}

/* EOF ends the last line too: what was sent is not lost. */
static void
frame_end(struct peer *p)
{
	if (p->inlen && !(p->flags & F_DISCARD))
		line_done(p, p->in, p->inlen);
	p->inlen = 0;
	p->flags &= ~F_DISCARD;
}

/*
 * Add a piece of a line to the peer's buffer. A line that outgrows it
 * is cut at a character boundary: the host drops the rest up to the
 * newline and says so; the client shows it as more lines.
 */
static void
take(struct peer *p, const char *s, size_t len, int complete)
{
	size_t room, cut;

	if (!p->in)
		p->in = xmalloc(LINE_MAX_BYTES);
	/* The CR of a CRLF does not count against the limit. */
	if (complete && len && s[len - 1] == '\r' && len == LINE_MAX_BYTES - p->inlen + 1)
		len--;
	while ((room = LINE_MAX_BYTES - p->inlen) < len) {
		memcpy(p->in + p->inlen, s, room);
		s += room;
		len -= room;
		p->inlen = LINE_MAX_BYTES;
		cut = utf8_cut(p->in, LINE_MAX_BYTES, s[0]);
		line_done(p, p->in, cut);
		if (!(p->flags & F_SPLIT)) {
			p->inlen = 0;
			notice(p, "line too long, cut to %d bytes", LINE_MAX_BYTES);
			if (!complete)
				p->flags |= F_DISCARD;
			return;
		}
		memmove(p->in, p->in + cut, LINE_MAX_BYTES - cut);
		p->inlen = LINE_MAX_BYTES - cut;
	}
	memcpy(p->in + p->inlen, s, len);
	p->inlen += len;
	if (complete) {
		line_done(p, p->in, p->inlen);
		p->inlen = 0;
	}
}

/* A whole line: one CR before the LF goes, empty lines are ignored. */
static void
line_done(struct peer *p, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	if (n && p->state != CLOSING && !(p->flags & F_DEAD))
		p->hear(p, s, n);
}

/* Walk the room: the host itself, then every joined peer. */
static struct peer *
next_member(size_t *i)
{
	struct peer *p;

	while (*i < nslots) {
		p = slotpeer[(*i)++];
		if (p && p->rslot == *i - 1 && p->state == JOINED && !(p->flags & F_DEAD))
			return p;
	}
	return NULL;
}

/*
 * Nicknames are unique ignoring ASCII case (strncasecmp in the C
 * locale), so they are hashed folded. A peer is in the table from its
 * join until it is freed: a lookup passes over those that left, and
 * naming a newcomer does not walk the whole room.
 */
static size_t
nick_hash(const char *s, size_t n)
{
	unsigned long h = 2166136261UL;	/* FNV-1a, of the folded bytes */
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619UL;
	}
	return (size_t)h & (nbuckets - 1);
}

/* The table is made at the first name: a bucket for each peer -m allows. */
static void
nick_add(struct peer *p)
{
	struct peer **b;

	if (!nicks) {
		for (nbuckets = 1; nbuckets < maxpeers; nbuckets *= 2)
			;
		nicks = xmalloc(nbuckets * sizeof(*nicks));
		memset(nicks, 0, nbuckets * sizeof(*nicks));
	}
	b = &nicks[nick_hash(p->nick, strlen(p->nick))];
	p->nnext = *b;
	*b = p;
}

static void
nick_remove(struct peer *p)
{
	struct peer **b;

	if (!nicks)
		return;
	b = &nicks[nick_hash(p->nick, strlen(p->nick))];
	while (*b && *b != p)
		b = &(*b)->nnext;
	if (*b)
		*b = p->nnext;
}

static struct peer *
find_member(const char *name, size_t n)
{
	struct peer *p;

	for (p = nicks ? nicks[nick_hash(name, n)] : NULL; p; p = p->nnext)
		if (p->state == JOINED && !(p->flags & F_DEAD) &&
		    strlen(p->nick) == n && !strncasecmp(p->nick, name, n))
			return p;
	return NULL;
}

/*
 * Characters that draw nothing, look like a space, or look like the
 * markers * < > of the protocol: no place in a name.
 */
static int
lookalike(unsigned long c)
{
	static const unsigned long marks[] = {
		0x2039, 0x203a, 0x204e, 0x2217, 0x2329, 0x232a, 0x2731,
		0x2732, 0x27e8, 0x27e9, 0x3008, 0x3009, 0xfe61, 0xfe64,
		0xfe65, 0xff0a, 0xff1c, 0xff1e,
	};
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (c == marks[i])
			return 1;
	return c == 0xad || c == 0x34f || c == 0x1680 || c == 0x180e ||
	    (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	    (c >= 0x205f && c <= 0x206f) || c == 0x3000 || c == 0x3164 ||
	    c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb);
}

/*
 * A nickname is 1 to NICK_MAX bytes of UTF-8 with no spaces, controls
 * or marker characters, so "<nick>", "* nick" and "*nick*" cannot be
 * mistaken for anything else.
 */
static int
nick_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	size_t i, k;

	if (n < 1 || n > NICK_MAX || s[0] == '-' || s[0] == '/')
		return 0;
	for (i = 0; i < n; i += k) {
		if (!(k = utf8_len(u + i, n - i, &c)))
			return 0;
		if (c <= 0x20 || (c >= 0x7f && c <= 0xa0) || c == '<' ||
		    c == '>' || c == '*' || lookalike(c))
			return 0;
	}
	return 1;
}

static int
nick_free(const char *s, size_t n)
{
	return !find_member(s, n);
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
		if (nick_free(out, strlen(out)))
			return;
	}
	nick_guest(out);
}

static void
nick_guest(char *out)
{
	do
		snprintf(out, NICK_MAX + 1, "guest%lu", ++guests);
	while (!nick_free(out, strlen(out)));
}

/* Queue one message for one peer, after the room lines owed to it. */
static void
send_to(struct peer *p, struct msg *m)
{
	if (p->skip < batch->len)
		batch_flush();
	outq_push(p, m, 0, m->len);
	if (!m->refs)
		free(m);
}

/*
 * Queue a batch for every peer that was a member while it grew: from
 * its skip on, and up to its until if it left meanwhile.
 */
static void
broadcast(struct msg *m)
{
	struct peer *p;
	size_t i;

	for (i = SLOT_STDIN; i < nslots; i++) {
		if (!(p = slotpeer[i]) || p->rslot != i)
			continue;
		if (p->state == JOINED)
			outq_push(p, m, p->skip, m->len);
		else if (p->state == CLOSING)
			outq_push(p, m, p->skip, p->until);
		p->skip = p->until = 0;
	}
	if (!m->refs)
		free(m);
}

/*
 * Room lines and notices are gathered in one scratch buffer and go out
 * as one shared message: per turn, not per line, per receiver. A member
 * is queued the batch from its skip on: what comes before is its own,
 * or was said before it joined. So a line from p may join the batch
 * only if p is owed nothing in it yet. One who leaves is queued it up
 * to where it left.
 */
static size_t
batch_begin(struct peer *from)
{
	if ((from && from->skip < batch->len) || batch->len >= BATCH_MAX)
		batch_flush();
	return batch->len;
}

/* Close a line begun at mark; one with no text left after body goes. */
static void
batch_end(struct peer *from, size_t mark, size_t body)
{
	if (batch->len == body)
		batch->len = mark;
	else
		msg_put(&batch, "\n", 1);
	if (from)
		from->skip = batch->len;
}

static void
batch_flush(void)
{
	struct msg *m;

	if (!batch->len)
		return;
	m = msg_new(batch->len);
	memcpy(m->data, batch->data, batch->len);
	m->len = batch->len;
	batch->len = 0;
	if (listening)
		broadcast(m);
	else
		send_to(self, m);
}

/* A notice, "*** " and the text; only validated names go in fmt. */
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
	msg_put(mp, "*** ", 4);
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

/* A notice to the room, batched: a burst of joins is one message. */
static void
notice_room(struct peer *except, const char *fmt, ...)
{
	va_list ap;
	size_t mark = batch_begin(except);

	va_start(ap, fmt);
	vformat(&batch, fmt, ap);
	va_end(ap);
	batch_end(except, mark, mark);
}

/* A notice quoting what a peer sent, made safe. */
static void
notice_text(struct peer *p, const char *before, const char *text, size_t n,
    const char *after)
{
	struct msg *m = msg_new(64 + n);

	msg_puts(&m, "*** ");
	msg_puts(&m, before);
	sanitize(&m, text, n);
	msg_puts(&m, after);
	msg_puts(&m, "\n");
	send_to(p, m);
}

/*
 * "a, b, c", at most LIST_MAX bytes of it, then "and N more": the rest
 * are counted, not walked, so a newcomer to a big room costs little.
 */
static void
put_members(struct msg **mp)
{
	struct peer *p;
	size_t i = SLOT_STDIN, start = (*mp)->len, listed = 0;
	char num[48];

	while ((*mp)->len - start <= LIST_MAX && (p = next_member(&i))) {
		if ((*mp)->len > start)
			msg_put(mp, ", ", 2);
		msg_puts(mp, p->nick);
		listed++;
	}
	if ((*mp)->len == start)
		msg_puts(mp, "nobody else");
	if (nmembers > listed) {
		snprintf(num, sizeof(num), " and %zu more", nmembers - listed);
		msg_puts(mp, num);
	}
}

/* A room line or an action (/me) from p, to everyone else. */
static void
say(struct peer *p, int action, const char *text, size_t n)
{
	size_t mark = batch_begin(p);

	msg_puts(&batch, action ? "* " : "<");
	msg_puts(&batch, p->nick);
	msg_puts(&batch, action ? " " : "> ");
	sanitize(&batch, text, n);
	batch_end(p, mark, mark + strlen(p->nick) + 3);
	if (batch->len > mark)
		remember(batch->data + mark, batch->len - mark);
}

/* Keep a copy of a room line for late joiners; the oldest goes first. */
static void
remember(const char *s, size_t n)
{
	struct backline *l;

	if (!backmax)
		return;
	if (!backlog) {
		backlog = xmalloc(backmax * sizeof(*backlog));
		memset(backlog, 0, backmax * sizeof(*backlog));
	}
	if (nback < backmax) {
		l = &backlog[(backhead + nback++) % backmax];
	} else {
		l = &backlog[backhead];
		backhead = (backhead + 1) % backmax;
	}
	if (l->cap < n) {
		l->s = xrealloc(l->s, n);
		l->cap = n;
	}
	memcpy(l->s, s, n);
	l->len = n;
}

/* The kept lines, between two notices so scripts can tell them apart. */
static void
replay(struct peer *p)
{
	struct msg *m;
	size_t i;

	if (!nback)
		return;
	m = msg_new(64 + nback * 80);
	msg_puts(&m, "*** history follows\n");
	for (i = 0; i < nback; i++)
		msg_put(&m, backlog[(backhead + i) % backmax].s,
		    backlog[(backhead + i) % backmax].len);
	msg_puts(&m, "*** end of history\n");
	send_to(p, m);
}

/*
 * A new peer becomes a member: with the name it asked for if that is
 * valid and free, a variant of it if taken, guestN if none.
 */
static void
join(struct peer *p, const char *want, size_t n)
{
	struct msg *m = msg_new(128);
	int ok = want && nick_ok(want, n);

	if (ok && nick_free(want, n)) {
		memcpy(p->nick, want, n);
		p->nick[n] = '\0';
	} else if (ok) {
		nick_variant(p->nick, want, n);
	} else {
		nick_guest(p->nick);
	}
	nick_add(p);
	timer_set(p, T_NONE, 0);
	msg_puts(&m, "*** welcome ");
	msg_puts(&m, p->nick);
	if (ok && strlen(p->nick) != n) {
		msg_puts(&m, " (");
		msg_put(&m, want, n);
		msg_puts(&m, " is taken)");
	}
	msg_puts(&m, ". here: ");
	put_members(&m);	/* p is not a member yet */
	msg_puts(&m, ". type /help for commands\n");
	p->state = JOINED;
	nmembers++;
	p->skip = batch->len;	/* the batch so far was said before it joined */
	send_to(p, m);
	replay(p);
	if (want && !ok)
		notice(p, "invalid nickname: 1 to %d bytes, no spaces, "
		    "controls or * < >, not starting with - or /", NICK_MAX);
	notice_room(p, "%s joined", p->nick);
}

/*
 * A member goes: the room is told, and what is queued for it is still
 * written before the socket closes, within CLOSE_MS.
 */
static void
leave(struct peer *p, const char *what, const char *reason, size_t n)
{
	size_t mark;

	if (p->state == CLOSING || (p->flags & F_DEAD))
		return;
	if (p->state == JOINED) {
		mark = batch_begin(NULL);
		p->until = mark;
		p->state = CLOSING;
		nmembers--;
		msg_puts(&batch, "*** ");
		msg_puts(&batch, p->nick);
		msg_puts(&batch, " ");
		msg_puts(&batch, what);
		if (n) {
			msg_puts(&batch, " (");
			sanitize(&batch, reason, n);
			msg_puts(&batch, ")");
		}
		batch_end(NULL, mark, mark);
	}
	p->state = CLOSING;
	if (p->flags & F_HOLD)
		release(p);
	set_reading(p, 0);
	if (p->q.n || p->until > p->skip)
		timer_set(p, T_CLOSE, now + CLOSE_MS);
	else
		kill_peer(p);
}

/*
 * The one place that decides what a line from a peer means: the first
 * line of a new peer may name it, "/x" is a command, "//x" is the text
 * "/x", and anything else is said to the room.
 */
static void
hear(struct peer *p, const char *s, size_t n)
{
	const struct command *c = NULL;
	size_t i, w, a;

	if (!(p->flags & F_AUTHED)) {
		check_password(p, s, n);
		return;
	}
	if (s[0] != '/' || (n > 1 && s[1] == '/')) {
		if (p->state == JOINING)
			join(p, NULL, 0);
		if (s[0] == '/')
			s++, n--;
		say(p, 0, s, n);
		return;
	}
	for (w = 1; w < n && s[w] != ' '; w++)
		;
	for (a = w; a < n && s[a] == ' '; a++)
		;
	while (n > a && s[n - 1] == ' ')
		n--;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strlen(commands[i].name) == w - 1 &&
		    !strncasecmp(commands[i].name, s + 1, w - 1))
			c = &commands[i];
	if (p->state == JOINING) {
		if (c && c->run == cmd_nick) {
			join(p, s + a, n - a);
			return;
		}
		if (c && c->run == cmd_pass)
			return;	/* a room with no password: the name may follow */
		join(p, NULL, 0);
	}
	if (c)
		c->run(p, s + a, n - a);
	else
		notice_text(p, "unknown command ", s, w, " (try /help)");
}

/*
 * In a room with a password, a peer's first line must be "/pass SECRET".
 * The comparison takes the same time wherever the first difference is.
 */
static void
check_password(struct peer *p, const char *s, size_t n)
{
	size_t i, len = strlen(password);
	unsigned char diff;

	if (n < 6 || strncasecmp(s, "/pass ", 6)) {
		diff = 1;
	} else {
		s += 6, n -= 6;
		diff = n != len;
		for (i = 0; i < n; i++)
			diff |= (unsigned char)(s[i] ^ password[len ? i % len : 0]);
	}
	if (diff) {
		notice(p, REFUSE_PASSWORD);
		leave(p, "left", NULL, 0);
		return;
	}
	p->flags |= F_AUTHED;
	timer_set(p, T_JOIN, now + JOIN_MS);
}

static void
cmd_nick(struct peer *p, const char *arg, size_t n)
{
	struct peer *q;
	char old[NICK_MAX + 1];

	if (!n) {
		notice(p, "usage: /nick NAME");
		return;
	}
	if (!nick_ok(arg, n)) {
		notice(p, "invalid nickname: 1 to %d bytes, no spaces, "
		    "controls or * < >, not starting with - or /", NICK_MAX);
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
	memcpy(p->nick, arg, n);
	p->nick[n] = '\0';
	nick_add(p);
	notice_room(NULL, "%s is now %s", old, p->nick);
}

/* A private line: "*alice* TEXT" for bob, "-> *bob* TEXT" for alice. */
static void
cmd_msg(struct peer *p, const char *arg, size_t n)
{
	struct msg *to, *back;
	struct peer *q;
	size_t w, t, body;

	for (w = 0; w < n && arg[w] != ' '; w++)
		;
	for (t = w; t < n && arg[t] == ' '; t++)
		;
	if (!w || t == n) {
		notice(p, "usage: /msg NAME TEXT");
		return;
	}
	if (!(q = find_member(arg, w))) {
		notice_text(p, "no such nick: ", arg, w, "");
		return;
	}
	to = msg_new(n + 48);
	msg_puts(&to, "*");
	msg_puts(&to, p->nick);
	msg_puts(&to, "* ");
	body = to->len;
	sanitize(&to, arg + t, n - t);
	if (to->len == body) {
		free(to);
		return;
	}
	msg_puts(&to, "\n");
	back = msg_new(to->len - body + 48);
	msg_puts(&back, "-> *");
	msg_puts(&back, q->nick);
	msg_puts(&back, "* ");
	msg_put(&back, to->data + body, to->len - body);
	memcpy(q->reply, p->nick, sizeof(q->reply));
	send_to(q, to);
	send_to(p, back);
}

/* /r TEXT is /msg to whoever last sent us one, by the name they had. */
static void
cmd_reply(struct peer *p, const char *arg, size_t n)
{
	struct msg *m;
	size_t w = strlen(p->reply);

	if (!w) {
		notice(p, "nobody has sent you a private message yet");
		return;
	}
	if (!n) {
		notice(p, "usage: /r TEXT");
		return;
	}
	m = msg_new(w + 1 + n);
	msg_put(&m, p->reply, w);
	msg_put(&m, " ", 1);
	msg_put(&m, arg, n);
	cmd_msg(p, m->data, m->len);
	free(m);
}

/* The host puts a peer out; the peer is told why, the room too. */
static void
cmd_kick(struct peer *p, const char *arg, size_t n)
{
	struct peer *q;
	size_t w, r;

	if (p != self) {
		notice(p, "only the host can /kick");
		return;
	}
	for (w = 0; w < n && arg[w] != ' '; w++)
		;
	for (r = w; r < n && arg[r] == ' '; r++)
		;
	if (!w) {
		notice(p, "usage: /kick NAME [REASON]");
	} else if (!(q = find_member(arg, w)) || q == self) {
		notice_text(p, "no such nick: ", arg, w, "");
	} else {
		notice(q, REFUSE_KICK);
		leave(q, "was kicked by the host", arg + r, n - r);
	}
}

static void
cmd_me(struct peer *p, const char *arg, size_t n)
{
	if (!n)
		notice(p, "usage: /me TEXT");
	else
		say(p, 1, arg, n);
}

static void
cmd_who(struct peer *p, const char *arg, size_t n)
{
	struct msg *m = msg_new(128);

	(void)arg, (void)n;
	msg_puts(&m, "*** here: ");
	put_members(&m);
	msg_puts(&m, "\n");
	send_to(p, m);
}

/* A peer leaves; the host leaving stops the room. */
static void
cmd_quit(struct peer *p, const char *arg, size_t n)
{
	if (p == self)
		shut_down();
	else
		leave(p, "left", arg, n);
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
	size_t i;

	(void)arg, (void)n;
	notice(p, "commands:");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		notice(p, "%s", commands[i].help);
	notice(p, "//TEXT            say a line that starts with /");
}

/*
 * The terminal. When stdin and stdout are both a terminal, chat edits
 * one input line at the bottom itself, in raw mode, and every incoming
 * line is printed above it: erase the input line, print, redraw.
 */
static void
term_start(void)
{
	struct termios raw;
	const char *t = getenv("TERM"), *nc = getenv("NO_COLOR");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return;
	raw = saved_tty;
	/* ISIG stays: Ctrl-C and Ctrl-Z arrive as signals. */
	raw.c_lflag &= ~(ICANON | ECHO | IEXTEN);
	raw.c_iflag &= ~(ICRNL | INLCR | IGNCR | IXON);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
		return;
	raw_tty = raw;
	tty = 1;
	colour = !(nc && *nc) && !(t && !strcmp(t, "dumb"));
	atexit(term_stop);
}

/* On every way out: the input line goes, the terminal is as we found it. */
static void
term_stop(void)
{
	if (!tty)
		return;
	term_write("\r\033[K", 4);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
}

/* Ctrl-Z: give the shell its terminal back; on SIGCONT take it again. */
static void
on_stop(int sig)
{
	int e = errno;

	(void)sig;
	tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
	kill(getpid(), SIGSTOP);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &raw_tty);
	on_signal(SIGCONT);	/* the loop redraws */
	errno = e;
}

/* A terminal write: blocking, all of it, whatever EINTR does. */
static void
term_write(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDOUT_FILENO, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static size_t
term_width(void)
{
#ifdef TIOCGWINSZ
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col;
#endif
	return 80;
}

/* Count the characters of s[0..n): UTF-8 lead bytes. */
static size_t
chars(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += (s[i] & 0xc0) != 0x80;
	return k;
}

/* Byte offset of character k of the input line. */
static size_t
char_offset(size_t k)
{
	size_t i;

	for (i = 0; i < edit.len && k > 0; k--)
		while (++i < edit.len && (edit.s[i] & 0xc0) == 0x80)
			;
	return i;
}

/*
 * Draw the input line, scrolled sideways so the cursor stays on screen
 * when the line is wider than the terminal.
 */
static void
term_redraw(void)
{
	char seq[32];
	size_t w = term_width() - 1, cur = chars(edit.s, edit.cur);
	size_t from = cur > w ? cur - w : 0, a, b;
	int n;

	a = char_offset(from);
	b = char_offset(from + w);
	term_write("\r\033[K", 4);
	term_write(edit.s + a, b - a);
	n = snprintf(seq, sizeof(seq), "\r\033[%zuC", cur - from);
	if (cur > from)
		term_write(seq, (size_t)n);
	else
		term_write("\r", 1);
}

/* A stable colour for a nickname: one of six, from a hash of its bytes. */
static void
put_nick(struct msg **mp, const char *s, size_t n)
{
	unsigned h = 5381;
	size_t i;
	char seq[16];

	for (i = 0; i < n; i++)
		h = h * 33 + (unsigned char)s[i];
	snprintf(seq, sizeof(seq), "\033[%um", 31 + h % 6);
	if (colour)
		msg_puts(mp, seq);
	msg_put(mp, s, n);
	if (colour)
		msg_puts(mp, "\033[0m");
}

/*
 * One protocol line as the terminal shows it: the time with -t, nicks
 * in their colour, notices dim, private messages bold.
 */
static void
present(struct msg **mp, const char *s, size_t n)
{
	char stamp[16];
	time_t t;
	struct tm tm;
	const char *e;

	if (stamps && (t = time(NULL)) != (time_t)-1 && localtime_r(&t, &tm))
		msg_put(mp, stamp, strftime(stamp, sizeof(stamp), "%H:%M ", &tm));
	if (!colour) {
		msg_put(mp, s, n);
	} else if (n > 4 && !memcmp(s, "*** ", 4)) {
		msg_puts(mp, "\033[2m");
		msg_put(mp, s, n);
		msg_puts(mp, "\033[0m");
	} else if (s[0] == '<' && (e = memchr(s, '>', n))) {
		msg_puts(mp, "<");
		put_nick(mp, s + 1, (size_t)(e - s - 1));
		msg_put(mp, e, n - (size_t)(e - s));
	} else if (n > 2 && !memcmp(s, "* ", 2) && (e = memchr(s + 2, ' ', n - 2))) {
		msg_puts(mp, "* ");
		put_nick(mp, s + 2, (size_t)(e - s - 2));
		msg_put(mp, e, n - (size_t)(e - s));
	} else if (s[0] == '*' || (n > 3 && !memcmp(s, "-> ", 3))) {
		msg_puts(mp, "\033[1m");
		msg_put(mp, s, n);
		msg_puts(mp, "\033[0m");
	} else {
		msg_put(mp, s, n);
	}
	msg_puts(mp, "\n");
}

/* Write all that is queued for the terminal above the input line. */
static void
term_show(struct peer *p)
{
	struct outq *q = &p->q;
	struct msg *out = msg_new(256);
	struct slice *sl;
	const char *s, *nl;
	size_t k, left;

	msg_puts(&out, "\r\033[K");
	for (k = 0; k < q->n; k++) {
		sl = &q->ring[(q->head + k) & (q->cap - 1)];
		s = sl->m->data + sl->off;
		for (left = sl->end - sl->off; left > 0; left -= (size_t)(nl - s) + 1, s = nl + 1) {
			if (!(nl = memchr(s, '\n', left)))
				nl = s + left - 1;
			present(&out, s, (size_t)(nl - s));
		}
	}
	term_write(out->data, out->len);
	free(out);
	outq_pop(q, q->bytes);
	set_writing(p, 0);
	term_redraw();
}

/* Enter: the line leaves the input line, stays on screen, and is sent. */
static void
term_enter(void)
{
	char *line;

	term_write("\r\033[K", 4);
	if (!edit.len)
		return;
	term_write(edit.s, edit.len);
	term_write("\n", 1);
	line = xmalloc(edit.len + 1);
	memcpy(line, edit.s, edit.len);
	line[edit.len] = '\0';
	if (nhist == HIST_MAX) {
		free(hist[0]);
		memmove(hist, hist + 1, (HIST_MAX - 1) * sizeof(*hist));
		nhist--;
	}
	hist[nhist++] = line;
	hpos = nhist;
	edit.len = edit.cur = 0;
	if (listening) {
		line_done(self, line, strlen(line));
		batch_flush();
	} else {
		user_send(line, strlen(line));
		user_send("\n", 1);
	}
}

/* Up and Down: walk the lines sent this session. */
static void
term_history(int dir)
{
	const char *s;

	if ((dir < 0 && hpos == 0) || (dir > 0 && hpos >= nhist))
		return;
	hpos += dir;
	s = hpos < nhist ? hist[hpos] : "";
	edit.len = edit.cur = strlen(s);
	memcpy(edit.s, s, edit.len);
}

/* Remove bytes [a, b) of the input line; the cursor goes to a. */
static void
term_cut(size_t a, size_t b)
{
	memmove(edit.s + a, edit.s + b, edit.len - b);
	edit.len -= b - a;
	edit.cur = a;
}

/* The byte offset one character left or right of the cursor. */
static size_t
term_step(int dir)
{
	size_t i = edit.cur;

	if (dir < 0)
		while (i > 0 && (edit.s[--i] & 0xc0) == 0x80)
			;
	else
		while (i < edit.len && (edit.s[++i] & 0xc0) == 0x80 && i < edit.len)
			;
	return i;
}

/* Keys that come as escape sequences: arrows, Home, End, Delete. */
static void
term_escape(const char *seq)
{
	if (!strcmp(seq, "[A") || !strcmp(seq, "OA"))
		term_history(-1);
	else if (!strcmp(seq, "[B") || !strcmp(seq, "OB"))
		term_history(1);
	else if (!strcmp(seq, "[C") || !strcmp(seq, "OC"))
		edit.cur = term_step(1);
	else if (!strcmp(seq, "[D") || !strcmp(seq, "OD"))
		edit.cur = term_step(-1);
	else if (!strcmp(seq, "[H") || !strcmp(seq, "OH") || !strcmp(seq, "[1~") || !strcmp(seq, "[7~"))
		edit.cur = 0;
	else if (!strcmp(seq, "[F") || !strcmp(seq, "OF") || !strcmp(seq, "[4~") || !strcmp(seq, "[8~"))
		edit.cur = edit.len;
	else if (!strcmp(seq, "[3~") && edit.cur < edit.len)
		term_cut(edit.cur, term_step(1));
}

/* One key (a byte, or the end of an escape sequence) edits the line. */
static void
term_key(unsigned char c)
{
	size_t i;

	if (edit.esc) {
		edit.seq[edit.esc - 1] = (char)c;
		edit.seq[edit.esc++] = '\0';
		/* done at a final byte, or at once if it is not ESC [ or ESC O */
		if ((edit.esc > 2 && c >= 0x40 && c <= 0x7e) ||
		    (edit.esc == 2 && c != '[' && c != 'O') ||
		    edit.esc == sizeof(edit.seq)) {
			term_escape(edit.seq);
			edit.esc = 0;
		}
		return;
	}
	switch (c) {
	case 0x1b: edit.esc = 1; return;
	case '\r': case '\n': term_enter(); break;
	case 0x01: edit.cur = 0; break;				/* Ctrl-A */
	case 0x05: edit.cur = edit.len; break;			/* Ctrl-E */
	case 0x02: edit.cur = term_step(-1); break;		/* Ctrl-B */
	case 0x06: edit.cur = term_step(1); break;		/* Ctrl-F */
	case 0x10: term_history(-1); break;			/* Ctrl-P */
	case 0x0e: term_history(1); break;			/* Ctrl-N */
	case 0x15: term_cut(0, edit.cur); break;		/* Ctrl-U */
	case 0x0b: edit.len = edit.cur; break;			/* Ctrl-K */
	case 0x7f: case 0x08:					/* Backspace */
		if (edit.cur)
			term_cut(term_step(-1), edit.cur);
		break;
	case 0x17:						/* Ctrl-W */
		for (i = edit.cur; i > 0 && edit.s[i - 1] == ' '; i--)
			;
		while (i > 0 && edit.s[i - 1] != ' ')
			i--;
		term_cut(i, edit.cur);
		break;
	case 0x04:						/* Ctrl-D */
		if (edit.len)
			term_cut(edit.cur, term_step(1));
		else
			leave_room();
		break;
	default:
		if ((c < 0x20) || edit.len == sizeof(edit.s))
			break;
		memmove(edit.s + edit.cur + 1, edit.s + edit.cur, edit.len - edit.cur);
		edit.s[edit.cur++] = (char)c;
		edit.len++;
		/* the rest of a character may still be on its way */
		if ((c & 0xc0) == 0x80 || c >= 0xc0)
			return;
	}
	if (tty)
		term_redraw();
}

/*
 * Listen on every address ADDR (or the wildcard) resolves to, IPv6
 * sockets IPv6 only, all on one port: the one the first socket got
 * when PORT is 0.
 */
static void
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
	hints.ai_family = family;
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
		nonblock(fd);
		slot_add(fd, POLLIN, NULL);
		nlisten++;
		if (verbose && !getnameinfo((struct sockaddr *)&ss, len, host,
		    sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV))
			fprintf(stderr, "chat: listening on %s port %s\n", host, serv);
	}
	freeaddrinfo(res);
	if (!nlisten) {
		errno = err;
		die("cannot listen on %s port %s:", addr ? addr : "*", port);
	}
}

/*
 * Options for every peer socket: small lines go out at once, and a peer
 * whose machine vanished is noticed within minutes, not hours.
 */
static void
tune_socket(int fd)
{
	int one = 1, v;

	nonblock(fd);
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

	for (i = SLOT_FIRST; i < nslots && !slotpeer[i]; i++)
		pfd[i].events = on ? POLLIN : 0;
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

	if (spare >= 0) {
		close(spare);
		if ((fd = accept(lfd, NULL, NULL)) >= 0) {
			refuse(fd, REFUSE_BUSY);
			close(fd);
		}
		spare = open("/dev/null", O_RDONLY);
	}
	if (spare < 0) {
		set_listening(0);
		relisten = now + RELISTEN_MS;
	}
}

/* One notice to a connection we will not serve; it may well not arrive. */
static void
refuse(int fd, const char *why)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "*** %s\n", why);

	if (write(fd, buf, (size_t)n) < 0) {
		/* the connection goes anyway */
	}
}

/* Take the connections waiting on a listener, a bounded number a turn. */
static void
accept_peers(int lfd)
{
	struct peer *p;
	int i, fd;

	for (i = 0; i < ACCEPT_BURST; i++) {
		if ((fd = accept(lfd, NULL, NULL)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				shed(lfd);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				warnx("accept:");
			return;
		}
		if (npeers >= maxpeers) {
			refuse(fd, REFUSE_FULL);
			close(fd);
			continue;
		}
		tune_socket(fd);
		npeers++;
		p = peer_new(fd, fd, 0, 0);
		p->rslot = p->wslot = slot_add(fd, 0, p);
		set_reading(p, may_read(p));
		if (password) {
			timer_set(p, T_AUTH, now + AUTH_MS);
		} else {
			p->flags |= F_AUTHED;
			timer_set(p, T_JOIN, now + JOIN_MS);
		}
	}
}

/* Read one chunk and hand its lines on; EOF and errors end the peer. */
static void
peer_read(struct peer *p)
{
	static char buf[READ_CHUNK];
	ssize_t n, i;

	n = read(p->rfd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0 && p->rfd == p->wfd) {
		lost(p, strerror(errno));
		return;
	}
	if (n > 0 && p == self && tty) {
		for (i = 0; i < n; i++)
			term_key((unsigned char)buf[i]);
		return;
	}
	if (n > 0) {
		frame(p, buf, (size_t)n);
		return;
	}
	frame_end(p);
	if (p == conn) {
		host_gone("connection closed by host");
	} else if (p == self) {
		/* The host keeps serving without a keyboard. */
		set_reading(p, 0);
		p->rfd = -1;
	} else {
		leave(p, "left", NULL, 0);
	}
}

/* A peer's socket failed: it goes now, nothing more is written to it. */
static void
lost(struct peer *p, const char *why)
{
	if (p == conn) {
		host_gone(why);
		return;
	}
	if (p == self) {
		/* Nobody reads our stdout any more: stop writing to it. */
		set_writing(p, 0);
		outq_clear(&p->q);
		p->wfd = -1;
		if (!listening)
			send_quit();
		return;
	}
	if (p->state == JOINED) {
		leave(p, "left", why, strlen(why));
		outq_clear(&p->q);
	}
	kill_peer(p);
}

/* SIGINT or SIGTERM at the host: tell everyone, flush, go. */
static void
shut_down(void)
{
	size_t i;

	if (stopping)
		return;
	notice_room(NULL, "host shutting down");
	stopping = now + SHUTDOWN_MS;
	for (i = SLOT_FIRST; i < nslots; i++) {
		if (!slotpeer[i]) {
			close(pfd[i].fd);
			pfd[i].fd = -1;
		}
	}
	update_reading();
}

/*
 * Client: the connection to the host is made inside the loop, so the
 * terminal stays live meanwhile, and made again after a drop with -r.
 * Each address HOST resolves to is tried in turn, -w bounding each.
 */
static void
dial_start(void)
{
	struct addrinfo hints;
	int e;

	if (!addrs) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = family;
		hints.ai_socktype = SOCK_STREAM;
		if ((e = getaddrinfo(dialhost, dialport, &hints, &addrs))) {
			addrs = NULL;
			dial_failed(gai_strerror(e));
			return;
		}
	}
	trying = addrs;
	dial_next();
}

/* Start a connection to the address tried now, or the next that takes. */
static void
dial_next(void)
{
	int fd;

	for (; trying; trying = trying->ai_next) {
		if ((fd = socket(trying->ai_family, trying->ai_socktype,
		    trying->ai_protocol)) < 0) {
			dial_error = errno;
			continue;
		}
		nonblock(fd);
		if (connect(fd, trying->ai_addr, trying->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			/* writable once connected or refused */
			conn->rfd = conn->wfd = fd;
			pfd[conn->rslot].fd = fd;
			pfd[conn->rslot].events = POLLOUT;
			dial_until = connwait > 0 ? now + connwait * 1000 : 0;
			return;
		}
		dial_error = errno;
		close(fd);
	}
	dial_failed(strerror(dial_error));
}

/* The attempt under way ended (err is set on a timeout). */
static void
dial_done(int err)
{
	socklen_t len = sizeof(err);

	if (!err && getsockopt(conn->rfd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	dial_until = 0;
	if (!err) {
		connected();
		return;
	}
	dial_error = err;
	close(conn->rfd);
	conn->rfd = conn->wfd = -1;
	pfd[conn->rslot].fd = -1;
	trying = trying->ai_next;
	dial_next();
}

/* No address took: give up, or with -r try again later, backing off. */
static void
dial_failed(const char *why)
{
	long long delay = backoff ? backoff : RECONNECT_MIN_MS;

	if (!redial)
		die("cannot connect to %s port %s: %s", dialhost, dialport, why);
	backoff = delay * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : delay * 2;
	/* up to a quarter either way, so a room of clients spreads out */
	delay += rand() % (delay / 2 + 1) - delay / 4;
	warnx("cannot connect to %s port %s: %s; trying again in %.1f s",
	    dialhost, dialport, why, delay / 1000.0);
	redial_at = now + delay;
}

/*
 * Connected: the password and the name go first, ahead of any lines
 * typed while we were away.
 */
static void
connected(void)
{
	char addr[ADDR_TEXT];
	struct msg *m = msg_new(64);

	conn->flags &= ~F_DIALING;
	tune_socket(conn->rfd);
	pfd[conn->rslot].events = 0;
	if ((verbose || dials) && !getnameinfo(trying->ai_addr, trying->ai_addrlen,
	    addr, sizeof(addr), NULL, 0, NI_NUMERICHOST))
		fprintf(stderr, "chat: %s %s port %s\n", dials ? "reconnected to" :
		    "connected to", addr, dialport);
	dials++;
	backoff = 0;
	if (password) {
		msg_puts(&m, "/pass ");
		msg_puts(&m, password);
		msg_puts(&m, "\n");
	}
	if (mynick) {
		msg_puts(&m, "/nick ");
		msg_puts(&m, mynick);
		msg_puts(&m, "\n");
	}
	if (m->len)
		outq_unshift(conn, m);
	else
		free(m);
	set_reading(conn, may_read(conn));
	set_writing(conn, conn->q.n > 0);
}

/*
 * -r: the host went away. What was queued stays queued for the next
 * connection, all but the rest of a line half written to this one.
 */
static void
redial_later(const char *why)
{
	struct outq *q = &conn->q;
	const char *s, *nl;
	size_t left;

	warnx("%s; reconnecting", why);
	close(conn->rfd);
	conn->rfd = conn->wfd = -1;
	pfd[conn->rslot].fd = -1;
	pfd[conn->rslot].events = 0;
	conn->inlen = 0;
	conn->flags &= ~(F_DISCARD | F_WDONE);
	conn->flags |= F_DIALING;
	if (q->n && q->ring[q->head].off) {
		s = q->ring[q->head].m->data + q->ring[q->head].off;
		left = q->ring[q->head].end - q->ring[q->head].off;
		nl = memchr(s, '\n', left);
		outq_pop(q, nl ? (size_t)(nl - s) + 1 : left);
	}
	redial_at = now + RECONNECT_MIN_MS;
}

/*
 * Client: a line from the host, made safe for the terminal. A host that
 * turns us away says why before it closes; then leaving is a failure.
 */
static void
show(struct peer *p, const char *s, size_t n)
{
	static const char *const refusals[] = {
		REFUSE_PASSWORD, REFUSE_TIMEOUT, REFUSE_FULL, REFUSE_BUSY,
		REFUSE_KICK,
	};
	size_t i, mark;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (n == strlen(refusals[i]) + 4 && !memcmp(s, "*** ", 4) &&
		    !memcmp(s + 4, refusals[i], n - 4))
			refused = refusals[i];
	mark = batch_begin(p);

	sanitize(&batch, s, n);
	batch_end(p, mark, mark);
}

/*
 * Client: stdin goes to the host as it is; the host does the framing.
 * We only note whether a line is open, and whether the user said /quit.
 */
static void
user_read(struct peer *p)
{
	static char buf[READ_CHUNK];
	ssize_t n, i;

	n = read(p->rfd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n > 0 && tty) {
		for (i = 0; i < n; i++)
			term_key((unsigned char)buf[i]);
		return;
	}
	if (n > 0) {
		user_send(buf, (size_t)n);
		return;
	}
	set_reading(p, 0);
	p->rfd = -1;
	if (quitwait > 0)
		quitting = now + quitwait * 1000;
	else if (quitwait == 0)
		send_quit();
}

/* Client: bytes for the host, noting an open line and a typed /quit. */
static void
user_send(const char *s, size_t n)
{
	struct msg *m;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!midline && n - i >= 5 && !strncasecmp(s + i, "/quit", 5) &&
		    (n - i == 5 || s[i + 5] == ' ' || s[i + 5] == '\r' || s[i + 5] == '\n'))
			leaving = 1;
		midline = s[i] != '\n';
	}
	m = msg_new(n);
	msg_put(&m, s, n);
	send_to(conn, m);
}

/* Client: finish any open line, say /quit, then half-close (in drain). */
static void
send_quit(void)
{
	struct msg *m;

	if (leaving && (conn->flags & F_QUIT))
		return;
	m = msg_new(8);
	if (midline)
		msg_put(&m, "\n", 1);
	msg_puts(&m, "/quit\n");
	midline = 0;
	leaving = 1;
	conn->flags |= F_QUIT;
	send_to(conn, m);
}

/*
 * Client: the host closed the connection. That is the normal end after
 * our /quit (or with -q -1 after EOF), and a failure otherwise.
 */
static void
host_gone(const char *why)
{
	if (refused) {
		warnx("the host said: %s", refused);
		finish(1);
	}
	if (leaving || (quitwait < 0 && self->rfd < 0))
		finish(0);
	if (redial) {
		redial_later(why);
		return;
	}
	warnx("%s", why);
	finish(1);
}

static void
finish(int status)
{
	if (!listening) {
		batch_flush();
		flush_blocking(self);
	}
	exit(status);
}

static void
on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int e = errno;

	if (write(sigfd[1], &c, 1) < 0) {
		/* full pipe: a signal is already pending */
	}
	errno = e;
}

/* Signals arrive through the self-pipe, so poll never misses one. */
static void
handle_signals(void)
{
	unsigned char c[16];
	ssize_t n, i;

	while ((n = read(sigfd[0], c, sizeof(c))) > 0) {
		for (i = 0; i < n; i++) {
			if (c[i] == SIGCONT)
				term_redraw();
			else
				leave_room();
		}
	}
}

/* Ctrl-C, Ctrl-D, SIGTERM: the host closes the room, a client leaves it. */
static void
leave_room(void)
{
	if (listening) {
		shut_down();
	} else if (stopping) {
		finish(0);	/* asked twice: go now */
	} else {
		send_quit();
		stopping = now + LEAVE_MS;
		update_reading();
	}
}

static void
handle_slot(size_t i, short rev)
{
	struct peer *p = slotpeer[i];

	if (i == SLOT_SIGNAL) {
		handle_signals();
		return;
	}
	if (!p) {
		accept_peers(pfd[i].fd);
		return;
	}
	if (p->flags & F_DEAD)
		return;
	if (p->flags & F_DIALING) {
		dial_done(0);
		return;
	}
	if (i == p->wslot && (rev & (POLLOUT | POLLERR | POLLHUP)) && p->q.n)
		drain(p);
	if (i != p->rslot || (p->flags & F_DEAD))
		return;
	if ((rev & POLLIN) || (p->rslot != p->wslot && (rev & POLLHUP)))
		(!listening && p == self ? user_read : peer_read)(p);
	else if (rev & (POLLHUP | POLLERR))
		lost(p, "connection lost");
}

/* The one loop, host and client alike. */
static void
loop(void)
{
	long long d;
	size_t i, n0;
	int n, timeout;

	for (;;) {
		now = now_ms();
		d = next_deadline();
		timeout = d < 0 ? -1 : d <= now ? 0 : d - now > INT_MAX ? INT_MAX : (int)(d - now);
		n = poll(pfd, (nfds_t)nslots, timeout);
		if (n < 0 && errno != EINTR)
			die("poll:");
		now = now_ms();
		for (i = 0, n0 = nslots; n > 0 && i < n0; i++)
			if (pfd[i].revents)
				handle_slot(i, pfd[i].revents);
		run_timers();
		reap();
		if (stopping && listening && !nqueued)
			finish(0);
	}
}

static void
usage(void)
{
	fputs(synopsis, stderr);
	exit(2);
}

static void
help(void)
{
	size_t i;

	fputs(synopsis, stdout);
	printf("\n"
	    "  -l        host a room (port %s unless given; 0 picks a free one)\n"
	    "  -4, -6    IPv4 or IPv6 only\n"
	    "  -b LINES  host: room lines replayed to newcomers (default %d, 0: none)\n"
	    "  -h        this help\n"
	    "  -m MAX    host: most peers at once (default %d, or what the\n"
	    "            descriptor limit allows)\n"
	    "  -n NICK   nickname (default $USER, then $LOGNAME)\n"
	    "  -P PASS   the room's password (or $CHAT_PASSWORD, kept out of ps)\n"
	    "  -q SECS   after stdin EOF, stay SECS before leaving; -1: until the host goes\n"
	    "  -r        keep trying to connect, and connect again after a drop\n"
	    "  -s ADDR   host: listen on ADDR only (default: every address)\n"
	    "  -t        at a terminal, show the local time before each line\n"
	    "  -v        report where we listen or connect on stderr\n"
	    "  -w SECS   give up a connection attempt after SECS\n"
	    "\n"
	    "room commands:\n", DEFAULT_PORT, BACKLOG_DEFAULT, PEERS_DEFAULT);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %s\n", commands[i].help);
	printf("  //TEXT            say a line that starts with /\n");
}

/* The nickname: -n, else $USER, else $LOGNAME; NULL lets the host pick. */
static const char *
pick_nick(const char *arg)
{
	const char *env[] = { "USER", "LOGNAME" }, *s;
	size_t i;

	if (arg) {
		if (!nick_ok(arg, strlen(arg))) {
			fprintf(stderr, "chat: invalid nickname: %s\n", arg);
			usage();
		}
		return arg;
	}
	for (i = 0; i < 2; i++)
		if ((s = getenv(env[i])) && nick_ok(s, strlen(s)))
			return s;
	return NULL;
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

/* Signals, the self-pipe and the stdin and stdout slots: both modes. */
static void
setup(void)
{
	struct sigaction sa;
	struct stat st;

	signal(SIGPIPE, SIG_IGN);
	if (pipe(sigfd) < 0)
		die("pipe:");
	nonblock(sigfd[0]);
	nonblock(sigfd[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	term_start();
	if (tty) {
		sa.sa_handler = on_stop;
		sigaction(SIGTSTP, &sa, NULL);
	}
	batch = msg_new(BATCH_MAX + 4 * LINE_MAX_BYTES);
	slot_add(sigfd[0], POLLIN, NULL);
	self = peer_new(STDIN_FILENO, STDOUT_FILENO, SLOT_STDIN, SLOT_STDOUT);
	self->state = JOINED;
	slot_add(-1, POLLIN, self);
	slot_add(-1, POLLOUT, self);
	if (fstat(STDIN_FILENO, &st) < 0)
		self->rfd = -1;
	/* Regular files and /dev/null never block; pipes and terminals may. */
	if (fstat(STDOUT_FILENO, &st) < 0)
		self->wfd = -1;
	else if (!S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) && !isatty(STDOUT_FILENO)))
		self->flags |= F_POLLWRITE;
}

int
main(int argc, char *argv[])
{
	const char *port = DEFAULT_PORT, *addr = NULL, *nick, *nickarg = NULL;
	long maxarg = -1, backarg = -1;
	int c, qset = 0;

	opterr = 0;
	while ((c = getopt(argc, argv, ":46b:hlm:n:P:q:rs:tvw:")) != -1) {
		switch (c) {
		case '4': family = AF_INET; break;
		case '6': family = AF_INET6; break;
		case 'b': backarg = number(optarg, 0, BACKLOG_MAX, "-b value"); break;
		case 'h': help(); return 0;
		case 'l': listening = 1; break;
		case 'm': maxarg = number(optarg, 1, 1000000, "-m value"); break;
		case 'n': nickarg = optarg; break;
		case 'P': password = optarg; break;
		case 'q': quitwait = number(optarg, -1, 1000000, "-q value"); qset = 1; break;
		case 'r': redial = 1; break;
		case 's': addr = optarg; break;
		case 't': stamps = 1; break;
		case 'v': verbose = 1; break;
		case 'w': connwait = number(optarg, 1, 1000000, "-w value"); break;
		case ':':
			fprintf(stderr, "chat: option -%c needs a value\n", optopt);
			usage();
			break;
		default:
			fprintf(stderr, "chat: unknown option -%c\n", optopt);
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (listening && (qset || connwait >= 0 || redial)) {
		fprintf(stderr, "chat: cannot use -q, -r or -w with -l\n");
		usage();
	}
	if (!listening && (addr || maxarg >= 0 || backarg >= 0)) {
		fprintf(stderr, "chat: -b, -m and -s need -l\n");
		usage();
	}
	if (backarg >= 0)
		backmax = (size_t)backarg;
	if (!password)
		password = getenv("CHAT_PASSWORD");
	if (password && (!*password || strpbrk(password, "\r\n"))) {
		fprintf(stderr, "chat: the password must be one line, not empty\n");
		usage();
	}
	if (argc > (listening ? 1 : 2) || (!listening && argc < 1))
		usage();
	if (argc == (listening ? 1 : 2))
		port = argv[argc - 1];
	number(port, listening ? 0 : 1, 65535, "port");
	nick = pick_nick(nickarg);
	setup();
	if (listening) {
		snprintf(self->nick, sizeof(self->nick), "%s", nick ? nick : "host");
		self->flags |= F_AUTHED;
		maxpeers = peer_limit(maxarg);
		nick_add(self);
		nmembers = 1;
		spare = open("/dev/null", O_RDONLY);
		listen_on(addr, port);
	} else {
		conn = peer_new(-1, -1, 0, 0);
		conn->rslot = conn->wslot = slot_add(-1, 0, conn);
		conn->state = JOINED;
		conn->flags |= F_SPLIT | F_DIALING;
		conn->hear = show;
		dialhost = argv[0];
		dialport = port;
		mynick = nick;
		srand((unsigned)time(NULL) ^ (unsigned)getpid());
		now = now_ms();
		dial_start();
	}
	update_reading();
	now = now_ms();
	reap();
	loop();
	return 0;
}
