/* See LICENSE file for copyright and license details. */
/*
 * POSIX.1-2008, and the per-socket keepalive options, which no standard
 * has: macOS and NetBSD show them beside POSIX on request, FreeBSD and
 * DragonFly only when no standard is asked for at all.
 */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE
#elif defined(__NetBSD__)
#define _NETBSD_SOURCE
#endif
#if !defined(__FreeBSD__) && !defined(__DragonFly__)
#define _POSIX_C_SOURCE 200809L
#endif

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

/* The command line, as main read it; nothing changes it afterwards. */
static struct {
	int family;		/* -4 or -6: AF_INET or AF_INET6, else AF_UNSPEC */
	int verbose;		/* -v: say where we listen or connect */
	int stamps;		/* -t: show the local time before each line */
	int redial;		/* -r: connect again when the host goes away */
	int commands;		/* -C: lines from a pipe may be commands, not only text */
	long quitwait;		/* -q: seconds to stay after stdin EOF, -1 for ever */
	long connwait;		/* -w: seconds per connection attempt, -1 for none */
	const char *password;	/* -P or $CHAT_PASSWORD: asked of every peer */
	size_t maxpeers;	/* -m: most peers at once */
	size_t backmax;		/* -b: room lines kept for newcomers */
} opt = { AF_UNSPEC, 0, 0, 0, 0, 0, -1, NULL, 0, BACKLOG_DEFAULT };

/* The loop's tables, lists and clock: the same in both modes. */
static struct {
	struct pollfd *pfd;	/* the poll table; slotpeer[i] owns pfd[i] */
	struct peer **slotpeer;	/* NULL for the signal pipe and listeners */
	size_t nslots, slotcap;
	int sigfd[2];		/* self-pipe: signal handlers write, the loop reads */
	struct peer *stdio;	/* our stdin and stdout: the host's console, the client's user */
	struct msg *batch;	/* lines gathered this turn for everyone, not yet queued */
	struct peer *dirty;	/* queues that grew this turn */
	struct peer *dead;	/* peers to free at the end of the turn */
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
		[T_QUIT] = { NULL, NULL, quit_expired },
		[T_DIAL] = { NULL, NULL, dial_expired },
		[T_REDIAL] = { NULL, NULL, redial_expired },
		[T_RELISTEN] = { NULL, NULL, relisten_expired },
		[T_LEAVE] = { NULL, NULL, leave_expired },
		[T_SHUTDOWN] = { NULL, NULL, shutdown_expired },
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
	struct backline {
		char *s;
		size_t len, cap;
	} *backlog;		/* the last room lines, oldest at backhead */
	size_t nback, backhead;
	int spare;		/* a descriptor kept to shed connections on EMFILE */
	struct timer relisten;	/* out of descriptors: listen again then */
	struct timer shutdown;	/* the end of the final flush */
} room = { .spare = -1 };

/* The client's link to a host. */
static struct {
	struct peer *host;	/* the connection, also while there is none */
	struct gate up;		/* what we type goes up to the host... */
	struct gate down;	/* ...what it sends comes down to our stdout */
	const char *hostname, *port, *nick;	/* where to, and as whom */
	struct addrinfo *addrs;	/* what the host name resolved to... */
	struct addrinfo *trying;	/* ...and the address being tried */
	int dial_error;		/* why the last attempt failed */
	long long backoff;	/* -r: the next wait, doubling to a cap */
	unsigned long dials;	/* connections made so far */
	long long since;	/* when the last one was made */
	int quit_sent;		/* /quit went to the host: a close is expected */
	const char *refused;	/* why the host turned us away */
	struct timer quit;	/* -q: when to leave after stdin EOF */
	struct timer leave;	/* after Ctrl-C: when to stop waiting for the close */
	struct timer dial;	/* -w: the end of the attempt under way */
	struct timer redial;	/* -r: when to try again */
} uplink;

/* The terminal, when stdin and stdout are one: the line being edited. */
static struct {
	int on;			/* chat edits the input line itself */
	int colour;		/* ...and may colour: no NO_COLOR, no TERM=dumb */
	struct termios saved, raw;	/* the mode we found, the mode we use */
	struct role role;	/* the stdio peer's role, reading keys, drawing lines */
	char line[LINE_MAX_BYTES];	/* the input line being typed */
	size_t len, cur;	/* its length and the cursor, in bytes */
	char seq[8];		/* an escape sequence coming in */
	size_t esc;		/* bytes of it so far, plus one; 0 for none */
	char *hist[HIST_MAX];	/* lines sent this session, for Up and Down */
	size_t nhist, hpos;
} term;

/* A remote peer at the host: a member of the room, once it joins. */
static const struct role member = {
	frame, hear, member_eof, member_lost, member_lost, member_drained,
	NULL, member_quit, LINE_MAX_BYTES, R_WATCHED
};

/* The host's own stdin and stdout: a member that cannot be put out. */
static const struct role console = {
	frame, hear, console_eof, stdout_lost, stdout_lost, NULL,
	NULL, room_close, LINE_MAX_BYTES, R_HOST
};

/* The client's connection: lines from the host go to our stdout. */
static const struct role link_role = {
	frame, link_hear, link_eof, link_lost, link_wfail, link_drained,
	NULL, NULL, RECV_MAX, R_MARKCUT
};

/* The client's stdin and stdout: lines typed go to the host. */
static const struct role user = {
	frame, user_line, user_eof, user_lost, user_lost, NULL,
	NULL, user_quit, LINE_MAX_BYTES, 0
};

static const char synopsis[] =
    "usage: chat -l [-46Ctv] [-b lines] [-m max] [-n nick] [-P password] [-s addr] [port]\n"
    "       chat [-46Crtv] [-n nick] [-P password] [-q secs] [-w secs] host [port]\n";

static const struct command commands[] = {
	{ "nick", cmd_nick, 1, C_FIRST, "NAME", "change your nickname" },
	{ "msg", cmd_msg, 2, 0, "NAME TEXT", "send TEXT to NAME only" },
	{ "me", cmd_me, 1, 0, "TEXT", "an action: * you TEXT" },
	{ "who", cmd_who, 0, 0, "", "list who is here" },
	{ "r", cmd_reply, 1, 0, "TEXT", "reply to whoever last sent you a /msg" },
	{ "quit", cmd_quit, 0, C_LEAVES, "[REASON]", "leave the room" },
	{ "kick", cmd_kick, 1, C_HOST, "NAME [REASON]", "the host only: put NAME out of the room" },
	{ "help", cmd_help, 0, 0, "", "this list" },
	{ "pass", cmd_pass, 0, C_FIRST, "PASSWORD", "the room's password, as the first line" },
};

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
 * Queue bytes off to end of a message for a peer; outq_unshift is the
 * only other way in. The write itself waits for the end of the loop
 * turn, so everything queued in one turn goes out in one writev.
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
	 * would grow for ever. Our own screen loses lines instead. */
	if (q->bytes > OUTQ_HARD) {
		if (p->role->flags & R_WATCHED) {
			p->flags |= F_DROP;
			peer_close(p);
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
		io.nqueued++;
	q->bytes += end - off;
	if (!(p->flags & F_DIRTY)) {
		p->flags |= F_DIRTY;
		p->dnext = io.dirty;
		io.dirty = p;
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
	q->n++;
	m->refs++;
	if (!q->bytes)
		io.nqueued++;
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
	size_t left, had = q->bytes;

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
	if (had && !q->bytes)
		io.nqueued--;
	if (!q->n && q->cap > RING_KEEP) {
		free(q->ring);
		q->ring = NULL;
		q->head = q->cap = 0;
	}
}

static void
outq_clear(struct outq *q)
{
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

	if (!q->n || (p->flags & F_DIALING))
		return;
	if (p->role->show) {
		p->role->show(p);
		return;
	}
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
	n = writev(p->wfd, iov, (int)k);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		p->role->wfail(p, strerror(errno));
		return;
	}
	if (n > 0)
		outq_pop(q, (size_t)n);
	if ((p->flags & F_HOLD) && q->bytes < OUTQ_LOW)
		release(p);
	if (q->n) {
		set_writing(p, 1);
		if ((p->role->flags & R_WATCHED) && p->state == JOINED)
			watch(p, n > 0);
		return;
	}
	set_writing(p, 0);
	if (p->timer.list == T_STALL || p->timer.list == T_STUCK)
		timer_set(&p->timer, T_NONE, 0);
	p->flags &= ~F_STALLED;
	if (p->role->drained)
		p->role->drained(p);
}

/*
 * A backlog that moves is a live reader, and may hold the room. One
 * that does not move for STALL_MS stops holding it (stall_expired), and
 * is dropped STUCK_MS after it last moved, or once it passes OUTQ_HARD.
 */
static void
watch(struct peer *p, int moved)
{
	if (moved) {
		p->flags &= ~F_STALLED;
		timer_set(&p->timer, T_STALL, io.now + STALL_MS);
	} else if (p->timer.list != T_STALL && p->timer.list != T_STUCK) {
		timer_set(&p->timer, T_STALL, io.now + STALL_MS);
	}
}

/* A socket that is only read from now: its slot is switched by fd. */
static void
stop_writing(struct peer *p)
{
	p->flags |= F_WDONE;
	io.pfd[p->rslot].events = POLLIN;
	set_reading(p, may_read(p));
}

/* Write every queue that grew this turn, or wait for poll to allow it. */
static void
flush_dirty(void)
{
	struct peer *p;

	while ((p = io.dirty)) {
		io.dirty = p->dnext;
		p->flags &= ~F_DIRTY;
		if (p->flags & F_DEAD)
			continue;
		if (p->flags & F_POLLWRITE)
			set_writing(p, 1);
		else
			drain(p);
	}
}

/* At exit: what is queued for our stdout is written, blocking. */
static void
flush_blocking(struct peer *p)
{
	p->flags &= ~F_POLLWRITE;
	while (p->q.n && p->wfd >= 0 && !(p->flags & F_DEAD))
		drain(p);
}

/* ---- peers, slots, gates and timers ------------------------------- */

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
	p->in = p->out = &room.gate;
	p->id = xmalloc(sizeof(*p->id));
	p->id->refs = 1;
	p->id->p = p;
	return p;
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

	if (p->rslot != p->wslot || (ev == POLLIN && (p->flags & F_WDONE)))
		f->fd = on ? fd : -1;
	else if (on)
		f->events |= ev;
	else
		f->events &= ~ev;
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
 * Flow control: a peer is read only while the gate its input goes
 * through is open. A queue past OUTQ_HIGH holds its gate, so at the
 * host senders slow to the pace of the slowest live reader, and the
 * client stops reading one side while the other side's queue is full.
 */
static int
may_read(struct peer *p)
{
	return !(p->flags & (F_DEAD | F_DIALING)) && p->state != CLOSING &&
	    p->rfd >= 0 && !p->in->holders && !p->in->shut;
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

/* A queue passed OUTQ_HIGH: the input that feeds it waits. */
static void
hold(struct peer *p)
{
	p->flags |= F_HOLD;
	if (p->out->holders++ == 0)
		update_reading();
}

static void
release(struct peer *p)
{
	p->flags &= ~F_HOLD;
	if (--p->out->holders == 0)
		update_reading();
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

/* A backlog that did not move for STALL_MS holds no one back. */
static void
stall_expired(struct timer *t)
{
	struct peer *p = timer_peer(t);

	p->flags |= F_STALLED;
	if (p->flags & F_HOLD)
		release(p);
	timer_set(t, T_STUCK, t->when - STALL_MS + STUCK_MS);
}

static void
stuck_expired(struct timer *t)
{
	struct peer *p = timer_peer(t);

	p->flags |= F_DROP;
	peer_close(p);
}

static void
close_expired(struct timer *t)
{
	peer_close(timer_peer(t));
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
	if (p->flags & F_HOLD)
		release(p);
	if (p->state == JOINED)
		room.nmembers--;
	p->flags |= F_DEAD;
	timer_set(&p->timer, T_NONE, 0);
	set_reading(p, 0);
	set_writing(p, 0);
	p->xnext = io.dead;
	io.dead = p;
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
		if (!(list = io.dead))
			return;
		io.dead = NULL;
		for (p = list; p; p = p->xnext) {
			if ((p->flags & F_DROP) && p->state == JOINED) {
				p->state = CLOSING;
				notice_room(p, "%s dropped (not reading)", p->nick);
			}
		}
		while ((p = list)) {
			list = p->xnext;
			close(p->rfd);
			room.npeers--;
			outq_clear(&p->q);
			nick_remove(p);
			memcpy(p->id->nick, p->nick, sizeof(p->nick));
			p->id->p = NULL;
			ident_drop(p->id);
			if (p->reply)
				ident_drop(p->reply);
			free(p->in_line);
			slot_remove(p->rslot);
			free(p);
		}
	}
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
		p->role->lost(p, strerror(errno));
		return;
	}
	if (n > 0) {
		p->role->input(p, buf, (size_t)n);
		return;
	}
	frame_end(p);
	if (!(p->flags & F_DEAD))
		p->role->eof(p);
}

/* ---- framing and sanitising --------------------------------------- */

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
 * DEL and C1 controls go, invalid UTF-8 becomes U+FFFD, and valid UTF-8
 * passes untouched. Runs of printable ASCII are copied whole. At most
 * max bytes are appended, cut at a character: a line of invalid bytes
 * would triple. Says whether it cut.
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
			if (c <= 0x9f)
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
		nl = memchr(s, '\n', n);
		len = nl ? (size_t)(nl - s) : n;
		if (p->flags & F_DISCARD) {
			if (nl)
				p->flags &= ~F_DISCARD;
		} else if (!p->inlen && nl && bare_len(s, len) <= p->role->line_max) {
			line_done(p, s, len);
		} else {
			take(p, s, len, nl != NULL);
		}
		if (!nl)
			return;
		s += len + 1;
		n -= len + 1;
	}
}

/* EOF ends the last line too: what was sent is not lost. */
static void
frame_end(struct peer *p)
{
	if (p->inlen && !(p->flags & F_DISCARD))
		take(p, "", 0, 1);
	p->inlen = 0;
	p->flags &= ~F_DISCARD;
}

/*
 * Add a piece of a line to the peer's buffer. Its length is known for
 * certain only at the LF (a CR before it does not count), so the buffer
 * keeps one byte more than the limit; a line that outgrows that is cut.
 */
static void
take(struct peer *p, const char *s, size_t len, int complete)
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

/* A whole line, its CR gone, to the peer's role; empty lines are ignored. */
static void
line_done(struct peer *p, const char *s, size_t n)
{
	n = bare_len(s, n);
	if (n && p->state != CLOSING && !(p->flags & F_DEAD))
		p->role->hear(p, s, n);
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
	if (n && s[0] == MARK_PRIVATE[0])
		return FORM_PRIVATE;
	if (n >= sizeof(MARK_SENT) - 1 && !memcmp(s, MARK_SENT, sizeof(MARK_SENT) - 1))
		return FORM_SENT;
	return FORM_TEXT;
}

/* ---- the room ----------------------------------------------------- */

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
	return (size_t)h & (room.nbuckets - 1);
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
	b = &room.nicks[nick_hash(p->nick, strlen(p->nick))];
	p->nnext = *b;
	*b = p;
}

static void
nick_remove(struct peer *p)
{
	struct peer **b;

	if (!room.nicks)
		return;
	b = &room.nicks[nick_hash(p->nick, strlen(p->nick))];
	while (*b && *b != p)
		b = &(*b)->nnext;
	if (*b)
		*b = p->nnext;
}

static struct peer *
find_member(const char *name, size_t n)
{
	struct peer *p;

	for (p = room.nicks ? room.nicks[nick_hash(name, n)] : NULL; p; p = p->nnext)
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

/* Queue one message for one peer, after the room lines owed to it. */
static void
send_to(struct peer *p, struct msg *m)
{
	if (p->skip < io.batch->len)
		batch_flush();
	outq_push(p, m, 0, m->len);
	if (!m->refs)
		free(m);
}

/*
 * Queue a batch for every peer that was a member while it grew: from
 * its skip on, and up to its until if it left meanwhile. At the client
 * the members are the link, which is owed nothing of its own lines,
 * and our stdout.
 */
static void
broadcast(struct msg *m)
{
	struct peer *p;
	size_t i;

	for (i = SLOT_STDIN; i < io.nslots; i++) {
		if (!(p = io.slotpeer[i]) || p->rslot != i)
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
	if ((from && from->skip < io.batch->len) || io.batch->len >= BATCH_MAX)
		batch_flush();
	return io.batch->len;
}

/* Close a line begun at mark; one with no text left after body goes. */
static void
batch_end(struct peer *from, size_t mark, size_t body)
{
	if (io.batch->len == body)
		io.batch->len = mark;
	else
		msg_put(&io.batch, "\n", 1);
	if (from)
		from->skip = io.batch->len;
}

static void
batch_flush(void)
{
	struct msg *m;

	if (!io.batch->len)
		return;
	m = msg_new(io.batch->len);
	memcpy(m->data, io.batch->data, io.batch->len);
	m->len = io.batch->len;
	io.batch->len = 0;
	broadcast(m);
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

/* A notice to the room, batched: a burst of joins is one message. */
static void
notice_room(struct peer *except, const char *fmt, ...)
{
	va_list ap;
	size_t mark = batch_begin(except);

	va_start(ap, fmt);
	vformat(&io.batch, fmt, ap);
	va_end(ap);
	batch_end(except, mark, mark);
}

/* A notice quoting what a peer sent, made safe. */
static void
notice_text(struct peer *p, const char *before, const char *text, size_t n,
    const char *after)
{
	struct msg *m = msg_new(64 + n);

	put_form(&m, FORM_NOTICE, NULL);
	msg_puts(&m, before);
	sanitize(&m, text, n, LINE_MAX_BYTES);
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
	if (room.nmembers > listed) {
		snprintf(num, sizeof(num), " and %zu more", room.nmembers - listed);
		msg_puts(mp, num);
	}
}

/* A room line or an action (/me) from p, to everyone else. */
static void
say(struct peer *p, enum form f, const char *text, size_t n)
{
	size_t mark = batch_begin(p), body;
	int cut;

	put_form(&io.batch, f, p->nick);
	body = io.batch->len;
	cut = sanitize(&io.batch, text, n, LINE_MAX_BYTES);
	batch_end(p, mark, body);
	if (io.batch->len > mark)
		remember(io.batch->data + mark, io.batch->len - mark);
	if (cut)
		notice(p, "line too long, cut to %d bytes", LINE_MAX_BYTES);
}

/* Keep a copy of a room line for late joiners; the oldest goes first. */
static void
remember(const char *s, size_t n)
{
	struct backline *l;

	if (!opt.backmax)
		return;
	if (!room.backlog) {
		room.backlog = xmalloc(opt.backmax * sizeof(*room.backlog));
		memset(room.backlog, 0, opt.backmax * sizeof(*room.backlog));
	}
	if (room.nback < opt.backmax) {
		l = &room.backlog[(room.backhead + room.nback++) % opt.backmax];
	} else {
		l = &room.backlog[room.backhead];
		room.backhead = (room.backhead + 1) % opt.backmax;
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
	struct backline *l;
	struct msg *m;
	size_t i;

	if (!room.nback)
		return;
	m = msg_new(64 + room.nback * 80);
	put_form(&m, FORM_NOTICE, NULL);
	msg_puts(&m, "history follows\n");
	for (i = 0; i < room.nback; i++) {
		l = &room.backlog[(room.backhead + i) % opt.backmax];
		msg_put(&m, l->s, l->len);
	}
	put_form(&m, FORM_NOTICE, NULL);
	msg_puts(&m, "end of history\n");
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

	if (ok && !find_member(want, n)) {
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
	if (ok && strlen(p->nick) != n) {
		msg_puts(&m, " (");
		msg_put(&m, want, n);
		msg_puts(&m, " is taken)");
	}
	msg_puts(&m, ". here: ");
	put_members(&m);	/* p is not a member yet */
	msg_puts(&m, ". type /help for commands\n");
	p->state = JOINED;
	room.nmembers++;
	p->skip = io.batch->len;	/* the batch so far was said before it joined */
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
		room.nmembers--;
		put_form(&io.batch, FORM_NOTICE, NULL);
		msg_puts(&io.batch, p->nick);
		msg_puts(&io.batch, " ");
		msg_puts(&io.batch, what);
		if (n) {
			msg_puts(&io.batch, " (");
			sanitize(&io.batch, reason, n, LINE_MAX_BYTES);
			msg_puts(&io.batch, ")");
		}
		batch_end(NULL, mark, mark);
	}
	p->state = CLOSING;
	if (p->flags & F_HOLD)
		release(p);
	set_reading(p, 0);
	if (p->q.n || p->until > p->skip)
		timer_set(&p->timer, T_CLOSE, io.now + CLOSE_MS);
	else
		peer_close(p);
}

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
		if (s[0] == '/' && !(p->flags & F_TEXT))
			s++, n--;
		say(p, FORM_SAY, s, n);
		return;
	}
	while (n > 1 && s[n - 1] == ' ')
		n--;
	if ((c = find_command(s, n, &a))) {
		run_command(p, c, s + a, n - a);
		return;
	}
	if (p->state == JOINING)
		join(p, NULL, 0);
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
 * that may come first; some are the host's alone; a member's command
 * gets the words it needs, or a usage notice.
 */
static void
run_command(struct peer *p, const struct command *c, const char *arg, size_t n)
{
	size_t rest;

	if (p->state == JOINING && !(c->flags & C_FIRST))
		join(p, NULL, 0);
	if ((c->flags & C_HOST) && !(p->role->flags & R_HOST)) {
		notice(p, "only the host can /%s", c->name);
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

/*
 * In a room with a password, a peer's first line must be "/pass SECRET".
 * The comparison takes the same time wherever the first difference is.
 */
static void
check_password(struct peer *p, const char *s, size_t n)
{
	const size_t pl = sizeof(CMD_PASS) - 1;
	size_t i, len = strlen(opt.password);
	unsigned char diff;

	if (n < pl || strncasecmp(s, CMD_PASS, pl)) {
		diff = 1;
	} else {
		s += pl, n -= pl;
		diff = n != len;
		for (i = 0; i < n; i++)
			diff |= (unsigned char)(s[i] ^ opt.password[len ? i % len : 0]);
	}
	if (diff) {
		notice(p, REFUSE_PASSWORD);
		leave(p, "left", NULL, 0);
		return;
	}
	p->flags |= F_AUTHED;
	timer_set(&p->timer, T_JOIN, io.now + JOIN_MS);
}

static void
auth_expired(struct timer *t)
{
	struct peer *p = timer_peer(t);

	notice(p, REFUSE_TIMEOUT);
	leave(p, "left", NULL, 0);
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

	if (p->state == JOINING) {
		join(p, arg, n);
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
	if (q->reply != p->id) {
		if (q->reply)
			ident_drop(q->reply);
		q->reply = p->id;
		p->id->refs++;
	}
	send_to(q, to);
	send_to(p, back);
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
ident_drop(struct ident *id)
{
	if (--id->refs == 0)
		free(id);
}

/* The host puts a peer out; the peer is told why, the room too. */
static void
cmd_kick(struct peer *p, const char *arg, size_t n)
{
	struct peer *q;
	size_t w, r;

	w = split_word(arg, n, &r);
	if (!(q = find_member(arg, w)) || (q->role->flags & R_HOST)) {
		notice_text(p, "no such nick: ", arg, w, "");
		return;
	}
	notice(q, REFUSE_KICK);
	leave(q, "was kicked by the host", arg + r, n - r);
}

static void
cmd_me(struct peer *p, const char *arg, size_t n)
{
	say(p, FORM_ACTION, arg, n);
}

static void
cmd_who(struct peer *p, const char *arg, size_t n)
{
	struct msg *m = msg_new(128);

	(void)arg, (void)n;
	put_form(&m, FORM_NOTICE, NULL);
	msg_puts(&m, "here: ");
	put_members(&m);
	msg_puts(&m, "\n");
	send_to(p, m);
}

/* A peer leaves; the host leaving closes the room: the role knows which. */
static void
cmd_quit(struct peer *p, const char *arg, size_t n)
{
	p->role->quit(p, arg, n);
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
	for (; n < HELP_COLUMN; n++)
		msg_put(mp, " ", 1);
	msg_puts(mp, c ? c->help : "say a line that starts with /");
	msg_puts(mp, "\n");
}

/* ---- the terminal ------------------------------------------------- */

/* Back to the start of the row, and clear it: where the input line is. */
static const char erase_line[] = "\r\033[K";

/*
 * When stdin and stdout are both a terminal, chat edits one input line
 * at the bottom itself, in raw mode, and every incoming line is printed
 * above it: erase the input line, print, redraw.
 */
static void
term_start(void)
{
	struct termios raw;
	const char *t = getenv("TERM"), *nc = getenv("NO_COLOR");

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
	term.colour = !(nc && *nc) && !(t && !strcmp(t, "dumb"));
	atexit(term_stop);
}

/* On every way out: the input line goes, the terminal is as we found it. */
static void
term_stop(void)
{
	if (!term.on)
		return;
	term_erase();
	tcsetattr(STDIN_FILENO, TCSADRAIN, &term.saved);
}

/* Ctrl-Z: give the shell its terminal back; on SIGCONT take it again. */
static void
on_stop(int sig)
{
	int e = errno;

	(void)sig;
	tcsetattr(STDIN_FILENO, TCSADRAIN, &term.saved);
	kill(getpid(), SIGSTOP);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &term.raw);
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

static void
term_erase(void)
{
	term_write(erase_line, sizeof(erase_line) - 1);
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

	for (i = 0; i < term.len && k > 0; k--)
		while (++i < term.len && (term.line[i] & 0xc0) == 0x80)
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
	size_t w = term_width() - 1, cur = chars(term.line, term.cur);
	size_t from = cur > w ? cur - w : 0, a, b;
	int n;

	a = char_offset(from);
	b = char_offset(from + w);
	term_erase();
	term_write(term.line + a, b - a);
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
	if (term.colour)
		msg_puts(mp, seq);
	msg_put(mp, s, n);
	if (term.colour)
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
	size_t at, len;
	enum form f = parse_form(s, n, &at, &len);

	if (opt.stamps && (t = time(NULL)) != (time_t)-1 && localtime_r(&t, &tm))
		msg_put(mp, stamp, strftime(stamp, sizeof(stamp), "%H:%M ", &tm));
	if (!term.colour || f == FORM_TEXT) {
		msg_put(mp, s, n);
	} else if (f == FORM_NOTICE) {
		msg_puts(mp, "\033[2m");
		msg_put(mp, s, n);
		msg_puts(mp, "\033[0m");
	} else if (f == FORM_SAY || f == FORM_ACTION) {
		msg_put(mp, s, at);
		put_nick(mp, s + at, len);
		msg_put(mp, s + at + len, n - at - len);
	} else {
		msg_puts(mp, "\033[1m");
		msg_put(mp, s, n);
		msg_puts(mp, "\033[0m");
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
	const char *s, *end, *nl;
	size_t k;

	msg_puts(&out, erase_line);
	for (k = 0; k < q->n; k++) {
		sl = &q->ring[(q->head + k) & (q->cap - 1)];
		end = sl->m->data + sl->end;
		for (s = sl->m->data + sl->off; s < end; s = nl + 1) {
			if (!(nl = memchr(s, '\n', (size_t)(end - s))))
				nl = end;
			present(&out, s, (size_t)(nl - s));
		}
	}
	term_write(out->data, out->len);
	free(out);
	outq_pop(q, q->bytes);
	set_writing(p, 0);
	term_redraw();
}

/* Keys, one byte at a time, for the stdio peer at a terminal. */
static void
term_input(struct peer *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		term_key(p, (unsigned char)s[i]);
}

/* Enter: the line leaves the input line, stays on screen, and is heard. */
static void
term_enter(struct peer *p)
{
	char *line;
	size_t n = term.len;

	term_erase();
	if (!n)
		return;
	term_write(term.line, n);
	term_write("\n", 1);
	line = xmalloc(n + 1);
	memcpy(line, term.line, n);
	line[n] = '\0';
	if (term.nhist == HIST_MAX) {
		free(term.hist[0]);
		memmove(term.hist, term.hist + 1, (HIST_MAX - 1) * sizeof(*term.hist));
		term.nhist--;
	}
	term.hist[term.nhist++] = line;
	term.hpos = term.nhist;
	term.len = term.cur = 0;
	line_done(p, line, n);
}

/* Up and Down: walk the lines sent this session. */
static void
term_history(int dir)
{
	const char *s;

	if ((dir < 0 && term.hpos == 0) || (dir > 0 && term.hpos >= term.nhist))
		return;
	term.hpos += dir;
	s = term.hpos < term.nhist ? term.hist[term.hpos] : "";
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

/* The byte offset one character left or right of the cursor. */
static size_t
term_step(int dir)
{
	size_t i = term.cur;

	if (dir < 0) {
		while (i > 0 && (term.line[--i] & 0xc0) == 0x80)
			;
	} else if (i < term.len) {
		while (++i < term.len && (term.line[i] & 0xc0) == 0x80)
			;
	}
	return i;
}

/* Keys that come as escape sequences: arrows, Home, End, Delete. */
static void
term_escape(struct peer *p, const char *seq)
{
	(void)p;
	if (!strcmp(seq, "[A") || !strcmp(seq, "OA"))
		term_history(-1);
	else if (!strcmp(seq, "[B") || !strcmp(seq, "OB"))
		term_history(1);
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

/* One key (a byte, or the end of an escape sequence) edits the line. */
static void
term_key(struct peer *p, unsigned char c)
{
	size_t i;

	if (term.esc) {
		term.seq[term.esc - 1] = (char)c;
		term.seq[term.esc++] = '\0';
		/* done at a final byte, or at once if it is not ESC [ or ESC O */
		if ((term.esc > 2 && c >= 0x40 && c <= 0x7e) ||
		    (term.esc == 2 && c != '[' && c != 'O') ||
		    term.esc == sizeof(term.seq)) {
			term_escape(p, term.seq);
			term.esc = 0;
		}
		return;
	}
	switch (c) {
	case 0x1b: term.esc = 1; return;
	case '\r': case '\n': term_enter(p); break;
	case 0x01: term.cur = 0; break;				/* Ctrl-A */
	case 0x05: term.cur = term.len; break;			/* Ctrl-E */
	case 0x02: term.cur = term_step(-1); break;		/* Ctrl-B */
	case 0x06: term.cur = term_step(1); break;		/* Ctrl-F */
	case 0x10: term_history(-1); break;			/* Ctrl-P */
	case 0x0e: term_history(1); break;			/* Ctrl-N */
	case 0x15: term_cut(0, term.cur); break;		/* Ctrl-U */
	case 0x0b: term.len = term.cur; break;			/* Ctrl-K */
	case 0x7f: case 0x08:					/* Backspace */
		if (term.cur)
			term_cut(term_step(-1), term.cur);
		break;
	case 0x17:						/* Ctrl-W */
		for (i = term.cur; i > 0 && term.line[i - 1] == ' '; i--)
			;
		while (i > 0 && term.line[i - 1] != ' ')
			i--;
		term_cut(i, term.cur);
		break;
	case 0x04:						/* Ctrl-D */
		if (term.len)
			term_cut(term.cur, term_step(1));
		else
			p->role->quit(p, NULL, 0);
		break;
	default:
		if ((c < 0x20) || term.len == sizeof(term.line))
			break;
		memmove(term.line + term.cur + 1, term.line + term.cur, term.len - term.cur);
		term.line[term.cur++] = (char)c;
		term.len++;
		/* the rest of a character may still be on its way */
		if ((c & 0xc0) == 0x80 || c >= 0xc0)
			return;
	}
	term_redraw();
}

/* ---- the host ----------------------------------------------------- */

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
 * whose machine vanished is noticed within minutes, not hours. Where a
 * system has no per-socket keepalive timing (OpenBSD), its sysctls rule.
 */
static void
tune_socket(int fd)
{
	int one = 1, v;

	own_fd(fd);
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
		if (room.npeers >= opt.maxpeers) {
			refuse(fd, REFUSE_FULL);
			close(fd);
			continue;
		}
		tune_socket(fd);
		room.npeers++;
		p = peer_new(&member, fd, fd);
		set_reading(p, may_read(p));
		if (opt.password) {
			timer_set(&p->timer, T_AUTH, io.now + AUTH_MS);
		} else {
			p->flags |= F_AUTHED;
			timer_set(&p->timer, T_JOIN, io.now + JOIN_MS);
		}
	}
}

static void
member_eof(struct peer *p)
{
	leave(p, "left", NULL, 0);
}

/* A peer's socket failed: it goes now, nothing more is written to it. */
static void
member_lost(struct peer *p, const char *why)
{
	if (p->state == JOINED) {
		leave(p, "left", why, strlen(why));
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
	leave(p, "left", reason, n);
}

/* The host keeps serving without a keyboard. */
static void
console_eof(struct peer *p)
{
	set_reading(p, 0);
	p->rfd = -1;
}

/* Nobody reads our stdout any more: stop writing to it. */
static void
stdout_lost(struct peer *p, const char *why)
{
	(void)why;
	set_writing(p, 0);
	outq_clear(&p->q);
	p->wfd = -1;
}

/*
 * The host leaves (Ctrl-C, Ctrl-D, /quit, SIGTERM): the room is told,
 * nobody is read any more, and every queue gets SHUTDOWN_MS to drain.
 */
static void
room_close(struct peer *p, const char *reason, size_t n)
{
	size_t i;

	(void)p, (void)reason, (void)n;
	if (room.closing)
		return;
	notice_room(NULL, "host shutting down");
	room.closing = 1;
	room.gate.shut = 1;
	timer_set(&room.shutdown, T_SHUTDOWN, io.now + SHUTDOWN_MS);
	for (i = SLOT_FIRST; i < io.nslots; i++) {
		if (!io.slotpeer[i]) {
			close(io.pfd[i].fd);
			io.pfd[i].fd = -1;
		}
	}
	update_reading();
}

static void
shutdown_expired(struct timer *t)
{
	(void)t;
	exit(0);
}

/* chat -l: the host's console is the room's first member. */
static void
host_start(const char *addr, const char *port, const char *nick, long maxarg)
{
	struct peer *p = stdio_new(&console);

	snprintf(p->nick, sizeof(p->nick), "%s", nick ? nick : "host");
	p->flags |= F_AUTHED;
	opt.maxpeers = peer_limit(maxarg);
	nick_add(p);
	room.nmembers = 1;
	room.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	listen_on(addr, port);
}

/* ---- the client --------------------------------------------------- */

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
		die("cannot connect to %s port %s: %s", uplink.hostname, uplink.port, why);
	delay = redial_wait();
	warnx("cannot connect to %s port %s: %s; trying again in %.1f s",
	    uplink.hostname, uplink.port, why, delay / 1000.0);
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
	char addr[ADDR_TEXT];
	struct msg *m = msg_new(64);

	h->flags &= ~F_DIALING;
	tune_socket(h->rfd);
	io.pfd[h->rslot].events = 0;
	if ((opt.verbose || uplink.dials) && !getnameinfo(ai->ai_addr, ai->ai_addrlen,
	    addr, sizeof(addr), NULL, 0, NI_NUMERICHOST))
		fprintf(stderr, "chat: %s %s port %s\n", uplink.dials ? "reconnected to" :
		    "connected to", addr, uplink.port);
	uplink.dials++;
	uplink.since = io.now;
	if (opt.password) {
		msg_puts(&m, CMD_PASS);
		msg_puts(&m, opt.password);
		msg_puts(&m, "\n");
	}
	if (uplink.nick) {
		msg_puts(&m, "/nick ");
		msg_puts(&m, uplink.nick);
		msg_puts(&m, "\n");
	}
	if (m->len)
		outq_unshift(h, m);
	else
		free(m);
	set_reading(h, may_read(h));
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
 * -r: the host went away. What was queued stays queued for the next
 * connection, all but the rest of a line half written to this one.
 */
static void
redial_later(const char *why)
{
	struct peer *h = uplink.host;
	struct outq *q = &h->q;
	const char *s, *nl;
	size_t left;

	warnx("%s; reconnecting", why);
	link_close();
	h->inlen = 0;
	h->flags &= ~(F_DISCARD | F_WDONE);
	h->flags |= F_DIALING;
	if (q->n && q->ring[q->head].off) {
		s = q->ring[q->head].m->data + q->ring[q->head].off;
		left = q->ring[q->head].end - q->ring[q->head].off;
		nl = memchr(s, '\n', left);
		outq_pop(q, nl ? (size_t)(nl - s) + 1 : left);
	}
	if (io.now - uplink.since >= LASTED_MS)
		uplink.backoff = 0;
	redial_wait();
}

/*
 * A line from the host, made safe for the terminal, for our stdout. A
 * host that turns us away says why before it closes; then leaving is a
 * failure.
 */
static void
link_hear(struct peer *p, const char *s, size_t n)
{
	static const char *const refusals[] = {
		REFUSE_PASSWORD, REFUSE_TIMEOUT, REFUSE_FULL, REFUSE_BUSY,
		REFUSE_KICK,
	};
	const size_t ml = sizeof(MARK_NOTICE) - 1;
	size_t i, mark, at, len;

	if (parse_form(s, n, &at, &len) == FORM_NOTICE)
		for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
			if (n - ml == strlen(refusals[i]) &&
			    !memcmp(s + ml, refusals[i], n - ml))
				uplink.refused = refusals[i];
	mark = batch_begin(p);
	sanitize(&io.batch, s, n, SIZE_MAX);
	batch_end(p, mark, mark);
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

/* A write failed: the host may have said why it closed, so read that first. */
static void
link_wfail(struct peer *p, const char *why)
{
	(void)why;
	if (!opt.redial)
		outq_clear(&p->q);
	stop_writing(p);
}

/* The /quit is out: tell the host nothing more comes. */
static void
link_drained(struct peer *p)
{
	if (p->flags & F_QUIT) {
		shutdown(p->wfd, SHUT_WR);
		stop_writing(p);
	}
}

/* A line typed or piped: to the host, noting a /quit; from a pipe, as text. */
static void
user_line(struct peer *p, const char *s, size_t n)
{
	const struct command *c;
	struct msg *m;
	size_t a;

	m = msg_new(n + 2);
	if ((p->flags & F_TEXT) && s[0] == '/')
		msg_put(&m, "/", 1);	/* the host's escape: //x is the text /x */
	else if ((c = find_command(s, n, &a)) && (c->flags & C_LEAVES))
		uplink.quit_sent = 1;
	msg_put(&m, s, n);
	msg_put(&m, "\n", 1);
	send_to(uplink.host, m);
}

/* stdin ended: leave now, after -q seconds, or (-q -1) when the host goes. */
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
 * /quit (or with -q -1 after EOF), and a failure otherwise.
 */
static void
host_gone(const char *why)
{
	if (uplink.refused) {
		warnx("the host said: %s", uplink.refused);
		link_exit(1);
	}
	if (uplink.quit_sent || (opt.quitwait < 0 && io.stdio->rfd < 0))
		link_exit(0);
	if (opt.redial) {
		redial_later(why);
		return;
	}
	warnx("%s", why);
	link_exit(1);
}

/* What the host sent us is written out before we go. */
static void
link_exit(int status)
{
	batch_flush();
	flush_blocking(io.stdio);
	exit(status);
}

/*
 * chat HOST: our stdin goes up the link, the host's lines come down to
 * our stdout, each way through its own gate.
 */
static void
client_start(const char *host, const char *port, const char *nick)
{
	struct peer *u = stdio_new(&user), *h;

	h = uplink.host = peer_new(&link_role, -1, -1);
	h->state = JOINED;
	h->flags |= F_DIALING;
	u->in = h->out = &uplink.up;
	h->in = u->out = &uplink.down;
	uplink.hostname = host;
	uplink.port = port;
	uplink.nick = nick;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	io.now = now_ms();
	dial_start();
}

/* ---- the loop ----------------------------------------------------- */

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
 * but SIGCONT is the person at stdin asking to go.
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
			else
				io.stdio->role->quit(io.stdio, NULL, 0);
		}
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
	if (i == p->wslot && (rev & (POLLOUT | POLLERR | POLLHUP)) && p->q.n)
		drain(p);
	if (i != p->rslot || (p->flags & F_DEAD))
		return;
	if ((rev & POLLIN) || (p->rslot != p->wslot && (rev & POLLHUP)))
		peer_read(p);
	else if (rev & (POLLHUP | POLLERR))
		p->role->lost(p, "connection lost");
}

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
		n = poll(io.pfd, (nfds_t)io.nslots, timeout);
		if (n < 0 && errno != EINTR)
			die("poll:");
		io.now = now_ms();
		for (i = 0, n0 = io.nslots; n > 0 && i < n0; i++)
			if (io.pfd[i].revents)
				handle_slot(i, io.pfd[i].revents);
		run_timers();
		reap();
		if (room.closing && !io.nqueued)
			exit(0);
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
	struct msg *m = msg_new(1024);
	size_t i;

	fputs(synopsis, stdout);
	printf("\n"
	    "  -l        host a room (port %s unless given; 0 picks a free one)\n"
	    "  -4, -6    IPv4 or IPv6 only\n"
	    "  -b LINES  host: room lines replayed to newcomers (default %d, 0: none)\n"
	    "  -C        lines from a pipe may be commands (default: all are text)\n"
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
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		msg_puts(&m, "  ");
		put_help(&m, &commands[i]);
	}
	msg_puts(&m, "  ");
	put_help(&m, NULL);
	fwrite(m->data, 1, m->len, stdout);
	free(m);
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

/* Signals, the self-pipe and the terminal: both modes. */
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
	term_start();
	if (term.on) {
		sa.sa_handler = on_stop;
		sigaction(SIGTSTP, &sa, NULL);
	}
	io.batch = msg_new(BATCH_MAX + 4 * LINE_MAX_BYTES);
	slot_add(io.sigfd[0], POLLIN, NULL);
}

/*
 * Our own stdin and stdout, as a peer of the given role; at a terminal
 * it reads keys and draws lines above the input line instead. Lines
 * from a pipe or a file are text: a log line that starts with / is
 * not a command, unless -C says they may be.
 */
static struct peer *
stdio_new(const struct role *role)
{
	struct stat st;
	struct peer *p;

	if (term.on) {
		term.role = *role;
		term.role.input = term_input;
		term.role.show = term_show;
		role = &term.role;
	}
	p = peer_new(role, STDIN_FILENO, STDOUT_FILENO);
	p->state = JOINED;
	if (!term.on && !opt.commands)
		p->flags |= F_TEXT;
	if (fstat(STDIN_FILENO, &st) < 0)
		p->rfd = -1;
	/* Regular files and /dev/null never block; pipes and terminals may. */
	if (fstat(STDOUT_FILENO, &st) < 0)
		p->wfd = -1;
	else if (!S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) && !isatty(STDOUT_FILENO)))
		p->flags |= F_POLLWRITE;
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

int
main(int argc, char *argv[])
{
	const char *port = DEFAULT_PORT, *addr = NULL, *nick, *nickarg = NULL;
	long maxarg = -1, backarg = -1;
	int c, listening = 0, qset = 0;

	open_stdio();
	opterr = 0;
	while ((c = getopt(argc, argv, ":46b:Chlm:n:P:q:rs:tvw:")) != -1) {
		switch (c) {
		case 'C': opt.commands = 1; break;
		case '4': opt.family = AF_INET; break;
		case '6': opt.family = AF_INET6; break;
		case 'b': backarg = number(optarg, 0, BACKLOG_MAX, "-b value"); break;
		case 'h': help(); return 0;
		case 'l': listening = 1; break;
		case 'm': maxarg = number(optarg, 1, 1000000, "-m value"); break;
		case 'n': nickarg = optarg; break;
		case 'P': opt.password = optarg; break;
		case 'q': opt.quitwait = number(optarg, -1, 1000000, "-q value"); qset = 1; break;
		case 'r': opt.redial = 1; break;
		case 's': addr = optarg; break;
		case 't': opt.stamps = 1; break;
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
	argc -= optind;
	argv += optind;
	if (listening && (qset || opt.connwait >= 0 || opt.redial)) {
		fprintf(stderr, "chat: cannot use -q, -r or -w with -l\n");
		usage();
	}
	if (!listening && (addr || maxarg >= 0 || backarg >= 0)) {
		fprintf(stderr, "chat: -b, -m and -s need -l\n");
		usage();
	}
	if (backarg >= 0)
		opt.backmax = (size_t)backarg;
	if (!opt.password)
		opt.password = getenv("CHAT_PASSWORD");
	if (opt.password && (!*opt.password || strpbrk(opt.password, "\r\n"))) {
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
	if (listening)
		host_start(addr, port, nick, maxarg);
	else
		client_start(argv[0], port, nick);
	update_reading();
	io.now = now_ms();
	reap();
	loop();
	return 0;
}
