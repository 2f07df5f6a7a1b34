/* See LICENSE file for copyright and license details. */

/* Limits. Each is a trade between memory, fairness and what people type. */
#define DEFAULT_PORT	"54321"
#define LINE_MAX_BYTES	4096	/* one line from a peer, LF not counted: a long paste still fits */
#define NICK_MAX	32	/* bytes of UTF-8 in a nickname */
#define READ_CHUNK	65536	/* read per descriptor per loop turn: one flooder cannot starve the rest */
#define BATCH_MAX	65536	/* room lines gathered into one shared message before it is queued */
/*
 * Queues share their messages, so the host's memory is bounded by the
 * longest queue, not by their sum: a high mark of several MiB lets a
 * reader that stalls for a moment fall well behind without slowing the
 * room, and still keeps the host small.
 */
#define OUTQ_HIGH	(8 * 1024 * 1024)	/* a queue this long holds the room... */
#define OUTQ_LOW	(4 * 1024 * 1024)	/* ...until it drains below this */
#define OUTQ_HARD	(16 * 1024 * 1024)	/* notices alone can still grow a queue; past this, drop */
#define IOV_BATCH	64	/* queued messages handed to one writev() */
#define RING_KEEP	4	/* slices an empty queue keeps, so a line to all needs no malloc */
#define ACCEPT_BURST	1024	/* connections taken per listener per turn; big rooms have long turns */
#define LISTEN_MAX	8	/* listening sockets: one per address family is the usual */
#define LIST_MAX	2048	/* bytes of nicknames in a welcome or /who before "and N more" */
#define ADDR_TEXT	64	/* a numeric address as text: INET6_ADDRSTRLEN is 46 */
#define JOIN_MS		250	/* a peer that says nothing joins as guestN after this */
#define AUTH_MS		10000	/* time to give the password in */
#define RELISTEN_MS	1000	/* out of descriptors with no spare: pause listening */
#define PEERS_DEFAULT	10000	/* most peers at once unless -m says otherwise */
#define FD_RESERVE	16	/* descriptors kept for stdio, listeners and the spare */
#define KEEPALIVE_IDLE	60	/* seconds of silence before TCP probes a peer... */
#define KEEPALIVE_INTERVAL 10	/* ...how often it probes... */
#define KEEPALIVE_COUNT	3	/* ...and how many it sends: dead in 90 s */
/*
 * A reader that takes nothing at all for STALL_MS has stopped, not
 * slowed: holding the room for it would stall everyone and save nobody.
 * Half a second outlasts a TCP retransmission or two on a live link.
 */
#define STALL_MS	500	/* a backlog that drains nothing this long holds no one back... */
#define STUCK_MS	10000	/* ...and this long, its peer is dropped */
#define CLOSE_MS	10000	/* time to flush a leaving peer's queue */
#define SHUTDOWN_MS	2000	/* time to flush every queue when the host stops */
#define LEAVE_MS	2000	/* time a client waits for the host to close after SIGINT */
#define RECONNECT_MIN_MS 500	/* -r: first wait before connecting again... */
#define RECONNECT_MAX_MS 30000	/* ...doubling up to this, give or take a quarter */
#define HIST_MAX	100	/* lines kept for Up and Down at the terminal */
#define BACKLOG_DEFAULT	20	/* room lines a newcomer is shown (-b) */
#define BACKLOG_MAX	10000	/* most -b allows: at most ~120 MiB of 12 KiB lines */

/* Notices that turn a peer away; the client exits 1 on seeing one. */
#define REFUSE_PASSWORD	"wrong password"
#define REFUSE_TIMEOUT	"no password given in time"
#define REFUSE_FULL	"room is full"
#define REFUSE_BUSY	"host is out of descriptors, try later"
#define REFUSE_KICK	"you were kicked out by the host"

/* Slots of the pollfd table before the listeners and peers. */
enum { SLOT_SIGNAL, SLOT_STDIN, SLOT_STDOUT, SLOT_FIRST };

/* A message is built once and shared by every queue it is put on. */
struct msg {
	size_t refs;
	size_t len;
	size_t cap;
	char data[];
};

/* The part of a shared message that one queue is to write. */
struct slice {
	struct msg *m;
	size_t off, end;	/* bytes off to end; off moves on as they are written */
};

/* Output queue: a ring of slices of shared messages. */
struct outq {
	struct slice *ring;
	size_t head, n, cap;	/* cap is 0 or a power of two */
	size_t bytes;		/* bytes not yet written */
};

enum state { JOINING, JOINED, CLOSING };

enum {
	F_HOLD = 1 << 0,	/* queue passed OUTQ_HIGH: room is waiting */
	F_DIRTY = 1 << 1,	/* on the list of queues to write this turn */
	F_DEAD = 1 << 2,	/* to be closed and freed at the end of the turn */
	F_DISCARD = 1 << 3,	/* dropping the rest of an overlong line */
	F_SPLIT = 1 << 4,	/* overlong lines are split, not cut (client) */
	F_POLLWRITE = 1 << 5,	/* a blocking descriptor: write only when poll says so */
	F_QUIT = 1 << 6,	/* client: /quit is queued, shut down writing after it */
	F_WDONE = 1 << 7,	/* nothing more will ever be written */
	F_DROP = 1 << 8,	/* dropped for not reading: the room is told */
	F_AUTHED = 1 << 9,	/* gave the password, or none is needed */
	F_DIALING = 1 << 10,	/* client: not connected (yet, or again) */
	F_STALLED = 1 << 11,	/* drained nothing for STALL_MS: may not hold the room */
};

/* Timer lists: each keeps its peers in deadline order. */
enum { T_NONE, T_AUTH, T_JOIN, T_STALL, T_STUCK, T_CLOSE, NTIMERS };

struct peer {
	int rfd, wfd;		/* the same socket, or stdin and stdout */
	size_t rslot, wslot;	/* their places in the pollfd table */
	enum state state;
	unsigned flags;
	char nick[NICK_MAX + 1];
	char reply[NICK_MAX + 1];	/* who sent the last /msg here, for /r */
	void (*hear)(struct peer *, const char *, size_t);
	char *in;		/* partial line, LINE_MAX_BYTES when allocated */
	size_t inlen;
	struct outq q;
	size_t skip, until;	/* its part of the room batch, until set if it left */
	int timer;		/* which timer list, T_NONE for none */
	long long deadline;
	struct peer *tprev, *tnext;
	struct peer *dnext;	/* next on the dirty list */
	struct peer *xnext;	/* next on the dead list */
	struct peer *nnext;	/* next in its nickname's hash bucket */
};

struct timerlist {
	struct peer *head, *tail;
};

struct command {
	const char *name;
	void (*run)(struct peer *, const char *, size_t);
	const char *help;
};

/* utilities */
static void vwarning(const char *, va_list);
static void warnx(const char *, ...);
static void die(const char *, ...);
static void *xmalloc(size_t);
static void *xrealloc(void *, size_t);
static long long now_ms(void);
static void nonblock(int);
static long number(const char *, long, long, const char *);

/* messages and queues */
static struct msg *msg_new(size_t);
static void msg_put(struct msg **, const char *, size_t);
static void msg_puts(struct msg **, const char *);
static void msg_unref(struct msg *);
static void outq_push(struct peer *, struct msg *, size_t, size_t);
static void outq_grow(struct outq *);
static void outq_unshift(struct peer *, struct msg *);
static void outq_pop(struct outq *, size_t);
static void outq_clear(struct outq *);
static void drain(struct peer *);
static void watch(struct peer *, int);
static void stop_writing(struct peer *);
static void flush_dirty(void);
static void flush_blocking(struct peer *);

/* peers, slots and timers */
static size_t slot_add(int, short, struct peer *);
static void slot_remove(size_t);
static struct peer *peer_new(int, int, size_t, size_t);
static void set_reading(struct peer *, int);
static void set_writing(struct peer *, int);
static int may_read(struct peer *);
static void update_reading(void);
static void hold(struct peer *);
static void release(struct peer *);
static void timer_set(struct peer *, int, long long);
static long long next_deadline(void);
static void run_timers(void);
static void kill_peer(struct peer *);
static void reap(void);

/* framing and sanitising */
static size_t utf8_len(const unsigned char *, size_t, unsigned long *);
static size_t utf8_cut(const char *, size_t, char);
static void sanitize(struct msg **, const char *, size_t);
static void frame(struct peer *, const char *, size_t);
static void frame_end(struct peer *);
static void take(struct peer *, const char *, size_t, int);
static void line_done(struct peer *, const char *, size_t);

/* the room */
static struct peer *next_member(size_t *);
static size_t nick_hash(const char *, size_t);
static void nick_add(struct peer *);
static void nick_remove(struct peer *);
static struct peer *find_member(const char *, size_t);
static int lookalike(unsigned long);
static int nick_ok(const char *, size_t);
static int nick_free(const char *, size_t);
static void nick_variant(char *, const char *, size_t);
static void nick_guest(char *);
static void send_to(struct peer *, struct msg *);
static void broadcast(struct msg *);
static size_t batch_begin(struct peer *);
static void batch_end(struct peer *, size_t, size_t);
static void batch_flush(void);
static void notice(struct peer *, const char *, ...);
static void notice_room(struct peer *, const char *, ...);
static void notice_text(struct peer *, const char *, const char *, size_t,
    const char *);
static void vformat(struct msg **, const char *, va_list);
static void put_members(struct msg **);
static void say(struct peer *, int, const char *, size_t);
static void remember(const char *, size_t);
static void replay(struct peer *);
static void join(struct peer *, const char *, size_t);
static void leave(struct peer *, const char *, const char *, size_t);
static void hear(struct peer *, const char *, size_t);
static void check_password(struct peer *, const char *, size_t);
static void cmd_nick(struct peer *, const char *, size_t);
static void cmd_msg(struct peer *, const char *, size_t);
static void cmd_me(struct peer *, const char *, size_t);
static void cmd_who(struct peer *, const char *, size_t);
static void cmd_reply(struct peer *, const char *, size_t);
static void cmd_kick(struct peer *, const char *, size_t);
static void cmd_quit(struct peer *, const char *, size_t);
static void cmd_pass(struct peer *, const char *, size_t);
static void cmd_help(struct peer *, const char *, size_t);

/* the terminal */
static void term_start(void);
static void term_stop(void);
static void on_stop(int);
static void term_write(const char *, size_t);
static size_t term_width(void);
static size_t chars(const char *, size_t);
static size_t char_offset(size_t);
static void term_redraw(void);
static void put_nick(struct msg **, const char *, size_t);
static void present(struct msg **, const char *, size_t);
static void term_show(struct peer *);
static void term_enter(void);
static void term_history(int);
static void term_cut(size_t, size_t);
static size_t term_step(int);
static void term_escape(const char *);
static void term_key(unsigned char);

/* host */
static void listen_on(const char *, const char *);
static void tune_socket(int);
static void set_listening(int);
static void shed(int);
static void refuse(int, const char *);
static void accept_peers(int);
static void peer_read(struct peer *);
static void lost(struct peer *, const char *);
static void shut_down(void);

/* client */
static void dial_start(void);
static void dial_next(void);
static void dial_done(int);
static void dial_failed(const char *);
static void connected(void);
static void redial_later(const char *);
static void show(struct peer *, const char *, size_t);
static void user_read(struct peer *);
static void user_send(const char *, size_t);
static void send_quit(void);
static void host_gone(const char *);
static void finish(int);

/* the loop */
static void on_signal(int);
static void handle_signals(void);
static void leave_room(void);
static void handle_slot(size_t, short);
static void loop(void);
static void usage(void);
static void help(void);
static const char *pick_nick(const char *);
static size_t peer_limit(long);
static void setup(void);
