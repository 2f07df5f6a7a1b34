/* See LICENSE file for copyright and license details. */

/*
 * chat.h holds the limits, the types and the prototypes, the prototypes
 * in the order of the sections of chat.c: utilities; messages and
 * queues; the loop, slots, timers and signals; flow control; framing,
 * sanitising and the line forms; the room (names, delivery, joining and
 * leaving, commands, people); the room's log; the host; the client; programs as
 * participants; the terminal; usage and main; Unicode.
 */

/* Limits. Each is a trade between memory, fairness and what people type. */
#define DEFAULT_PORT	"54321"
#define LINE_MAX_BYTES	4096	/* one line from a peer, LF not counted: a long paste still fits */
#define NICK_MAX	64	/* bytes of UTF-8 in a nickname: 21 common Chinese characters (3 bytes each), 16 rare ones (4) */
#define SKEL_MAX	(NICK_MAX * LOOK_MAX)	/* characters in a name's skeleton, each standing for up to LOOK_MAX */
/*
 * The longest line a chat host sends: a stamp and LINE_MAX_BYTES of
 * text, or a welcome with LIST_MAX bytes of names. The client cuts a
 * longer one (from some other host) and marks the cut, so what it
 * shows as a line is always one line the host sent.
 */
#define RECV_MAX	(LINE_MAX_BYTES + 256)
#define CUT_MARK	"\xe2\x80\xa6"	/* U+2026 HORIZONTAL ELLIPSIS, after a cut line */
#define READ_CHUNK	65536	/* read per descriptor per loop turn: one flooder cannot starve the rest */
#define SHARED_MAX	65536	/* bytes of lines in one shared message before the next is begun */
/*
 * The most one line takes in a shared message, which cannot grow once
 * it is queued: the client's sanitising makes 3 bytes of each invalid
 * byte in a line the host sent.
 */
#define LINE_ROOM	(3 * (RECV_MAX + 4))
/*
 * Queues share their messages, so the host's memory is bounded by the
 * longest queue, not by their sum: a high mark of several MiB lets a
 * reader that stalls for a moment fall well behind without slowing the
 * room, and still keeps the host small. A queue is charged for every
 * message it holds a part of, whole, so these bound what it keeps alive.
 */
#define OUTQ_HIGH	(8 * 1024 * 1024)	/* a queue this long holds the room... */
#define OUTQ_LOW	(4 * 1024 * 1024)	/* ...until it drains below this */
#define OUTQ_HARD	(16 * 1024 * 1024)	/* notices alone can still grow a queue; past this, drop */
#define IOV_BATCH	64	/* queued messages handed to one writev() */
#define ACCEPT_BURST	1024	/* connections taken per listener per turn; big rooms have long turns */
#define LISTEN_MAX	8	/* listening sockets: one per address family is the usual */
#define LIST_MAX	2048	/* bytes of nicknames in a welcome or /who before "and N more" */
/*
 * In a room of more members than this (-J), who joins and leaves is
 * gathered and told once every GATHER_MS: one notice of a join costs
 * every member a line, so a crowd of N joining costs N * N / 2 lines.
 * Up to 100 that is at most 5,000 short lines, what one line to 5,000
 * peers costs, and a person can still follow who comes and goes.
 */
#define GATHER_DEFAULT	100
#define GATHER_MS	3000
#define GATHER_LIST	1024	/* bytes of names for each of joined and left before "and N more" */
#define TALKED_MS	(5 * 60 * 1000)	/* one who spoke this recently is named alone when leaving */
#define ADDR_TEXT	64	/* a numeric address as text: INET6_ADDRSTRLEN is 46 */
#define SUN_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)	/* -U PATH and its NUL: 108 on Linux, 104 on BSDs */
#define JOIN_MS		250	/* a peer that says nothing joins as guestN after this */
#define AUTH_MS		10000	/* time to give the password in */
#define WAITING_MAX	8	/* connections from one address waiting to give the password; a ninth pushes out the oldest */
#define PAUSE_MS	1000	/* after a wrong password, none from its address is read for this long... */
#define GUESS_MS	50	/* ...nor before its turn: the room answers 20 a second */
#define SOURCES_MAX	4096	/* addresses kept apart; those past it share one entry */
#define SOURCE_BUCKETS	1024	/* hash buckets for them */
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
/*
 * The room waits for a reader that is behind only while it keeps pace:
 * one that holds it this long has fallen behind the others, and the
 * room goes on without waiting for it. A reader that keeps up drains
 * 4 MiB well within this; the bench's fan-out holds for a few ms.
 */
#define LAG_MS		1500
/*
 * A peer with more than this of answers to it queued (notices, /who,
 * private lines: what is its own, not the room's lines it shares) is
 * not read: the answers to its commands cannot pile up, and one that
 * floods commands without reading the answers slows only itself. A
 * member behind on the room's lines may still talk.
 */
#define INPUT_MARK	(64 * 1024)
#define CLOSE_MS	10000	/* time to flush a leaving peer's queue */
#define SHUTDOWN_MS	2000	/* time to flush every queue when the host stops */
#define LEAVE_MS	2000	/* time a client waits for the host to close after SIGINT */
#define PASSWORD_TRIES	3	/* passwords typed at the prompt before giving up, as ssh */
#define SEEN_MAX	64	/* room lines a client remembers showing, to skip in history after a drop */
#define HELD_MAX	(4 * 1024 * 1024)	/* most history held back after a drop before it is shown as is */
#define RECONNECT_MIN_MS 500	/* -r: first wait before connecting again... */
#define RECONNECT_MAX_MS 30000	/* ...doubling up to this, give or take a quarter... */
#define LASTED_MS	10000	/* ...starting over after a connection that lasted this long */
#define RECALL_MAX	100	/* lines kept for Up and Down at the terminal */
#define TERM_CHUNK	65536	/* bytes of room lines drawn on the terminal at a time */
#define ERASE_LINE	"\r\033[K"	/* back to the start of the row and clear it: the input line */
/*
 * A line typed while the link is down, at the terminal: queued for the
 * screen behind this byte, which no line from a host can start with
 * (sanitize takes controls out), and drawn dim behind PENDING_SIGN.
 */
#define MARK_PENDING	"\001"
#define PENDING_SIGN	"\342\200\246 "	/* U+2026 HORIZONTAL ELLIPSIS: on its way */
#define CLEAR_SCREEN	"\033[H\033[2J"	/* Ctrl-L: to the top left, and clear the screen */
#define PASTE_ON	"\033[?2004h"	/* the terminal marks a paste: ESC [200~ ... ESC [201~ */
#define PASTE_OFF	"\033[?2004l"
#define BACKLOG_DEFAULT	20	/* room lines a newcomer is shown (-b) */
#define BACKLOG_MAX	10000	/* most -b allows: at most ~42 MiB, lines cut to 4096 bytes of text after sanitising */
#define REFUSED_MS	1000	/* the host is told of connections turned away at most this often, each reason */
#define OPERANDS_MAX	3	/* command-line operands kept: one more than any mode takes */
#define HELP_COLUMN	20	/* where the text of a /help line starts */
#define SESSION_MIN	16	/* bytes of a /session key: a guess is not a way in... */
#define SESSION_MAX	64	/* ...and the client's 32 hex digits fit */
#define SESSION_BYTES	16	/* random bytes in the client's key: 128 bits */
#define AWAY_MAX	160	/* bytes of an /away reason: one row of a wide terminal */
#define TOPIC_MAX	300	/* bytes of a topic */
#define TOPIC_HIDDEN	"someone you ignore set the topic"	/* what they see of it */
#define IGNORE_MAX	32	/* people one may /ignore at once: bounds the list walked */
#define TOLD_MAX	32	/* senders remembered as told one is away; past it, told again */
/*
 * -R LINES: a member may send LINES lines a second on average, and
 * RATE_BURST seconds' worth at once after a quiet spell: a paste of a
 * screenful goes at once, a flood at the rate.
 */
#define RATE_BURST	2
#define RATE_MAX	10000	/* most -R allows: past it pacing means nothing */
#define BANS_MAX	256	/* bans at once; /ban past it is refused until one ends or is lifted */
#define BAN_MINUTES	60	/* a /ban without MINUTES */
#define BAN_MINUTES_MAX	525600	/* a year */
#define BAN_REASON_MAX	160	/* bytes of a ban's reason kept for /bans */
/*
 * The room's log (-L): each line is a stamp, the time in UTC, and a
 * room line. At start only its end is read, back from the end: as far
 * as -b lines of history need, and the topic, which the log states
 * again after each LOG_RESTATE bytes while one is set; never past
 * LOG_REACH, so a log of gigabytes starts as fast as a small one.
 */
#define LOG_STAMP	"%Y-%m-%dT%H:%M:%SZ "	/* 2026-12-02T06:40:01Z, then the line */
#define LOG_STAMP_LEN	21
#define LOG_LINE_MAX	(LOG_STAMP_LEN + RECV_MAX)	/* a stamp and the longest line a host sends */
#define LOG_CHUNK	65536	/* read back at a time */
#define LOG_RESTATE	(1024 * 1024)	/* the topic is stated again after this many bytes */
#define LOG_REACH	(64 * 1024 * 1024)	/* bytes read back for the history at most: -b 10000 lines of 4 KiB fit */
#define LOG_HELD_MAX	(4 * 1024 * 1024)	/* lines kept while the log cannot be written; past it, not logged */

/*
 * The protocol's marks. Every line the host sends starts with one, and
 * the text a peer sends always comes after its stamp, so nothing a peer
 * types can start a line of another form.
 */
#define MARK_NOTICE	"*** "	/* from the host itself */
#define MARK_SAY_OPEN	"<"	/* <nick> text */
#define MARK_SAY_CLOSE	"> "
#define MARK_ACTION	"* "	/* * nick text */
#define MARK_PRIVATE	"*"	/* *nick* text, to one peer */
#define MARK_SENT	"-> "	/* -> *nick* text, the sender's copy */
#define CMD_PASS	"/pass "	/* the client's first line in a password room */
#define NICK_RULE	"1 to %d bytes of letters, digits, marks and _ - . " \
	"of one script, not starting with - or a mark"

/* The forms of line a host sends, as put_form builds them and parse_form reads them. */
enum form { FORM_TEXT, FORM_NOTICE, FORM_SAY, FORM_ACTION, FORM_PRIVATE, FORM_SENT };

/*
 * Notices the client acts on. The first line to a newcomer in a room
 * with a password says so; a chat client that sent one does not show it.
 */
#define NOTICE_PASSWORD	"this room needs a password: send /pass PASSWORD"
#define NOTICE_SHUTDOWN	"host shutting down"	/* an end announced: exit 0 */
#define NOTICE_HISTORY	"history follows"	/* the lines from here... */
#define NOTICE_HISTORY_END "end of history"	/* ...to here were said before one joined */

/*
 * Notices that turn a peer away; the client says why on stderr and
 * exits 1. A kick may carry the host's reason: "REFUSE_KICK (REASON)".
 */
#define REFUSE_PASSWORD	"wrong password"
#define REFUSE_TIMEOUT	"no password given in time"
#define REFUSE_FULL	"room is full"
#define REFUSE_BUSY	"host is out of descriptors, try later"
#define REFUSE_KICK	"you were kicked out by the host"
#define REFUSE_WAITING	"too many connections from your address are waiting, try later"
#define REFUSE_BANNED	"you are banned from this room"	/* a ban may carry a reason too */

/* Slots of the pollfd table before the listeners and peers. */
enum { SLOT_SIGNAL, SLOT_STDIN, SLOT_STDOUT, SLOT_FIRST };

/* BEGIN unicode types: generated by t/unicode.pl from Unicode 15.0.0; do not edit */
/* A set of code points, as sorted ranges; the same with a value for each; and simple case
 * folding: c in [lo, hi] with (c - lo) % stride == 0 folds to c + delta. */
struct urange {
	uint32_t lo, hi;
};
struct uvalue {
	struct urange r;
	unsigned char v;
};
struct ufold {
	struct urange r;
	int32_t delta;
	unsigned char stride;
};
/* Grapheme_Cluster_Break, as grapheme_break has it: Extended_Pictographic is GCB_PICTO where
 * the break property is Other. */
enum gcb {
	GCB_OTHER, GCB_CR, GCB_LF, GCB_CONTROL, GCB_EXTEND, GCB_ZWJ, GCB_RI, GCB_PREPEND,
	GCB_SPACINGMARK, GCB_L, GCB_V, GCB_T, GCB_LV, GCB_LVT, GCB_PICTO,
};
/* The scripts of China, Japan and Korea, which may share a name (nick_chars' v). */
enum {
	SC_BOPOMOFO = 2, SC_HANGUL = 29, SC_HAN = 54, SC_HIRAGANA = 55, SC_KATAKANA = 56,
};
#define LOOK_SEQ 0x110000	/* in look_alike, a sequence in look_alike_seq */
#define LOOK_MAX 5	/* characters in the longest */
#define HANGUL_LO 0xAC00	/* the Hangul syllables, left out of grapheme_break */
#define HANGUL_HI 0xD7A3
/* END unicode types */

/* A message is built once and shared by every queue it is put on. */
struct msg {
	size_t refs;		/* queues holding a slice of it */
	size_t len;		/* bytes used... */
	size_t cap;		/* ...of bytes allocated */
	char data[];
};

/*
 * The part of a shared message that one queue is to write. Lines queued
 * back to back in one message are one slice.
 */
struct slice {
	struct msg *m;
	size_t off, end;	/* bytes off to end; off moves on as they are written */
	size_t charge;		/* what the queue was charged for m with this slice: m->cap or 0 */
};

/*
 * Output queue: a ring of slices of shared messages. A queue that keeps
 * up holds one slice at most, and keeps it in place: a line to all
 * needs no malloc, and an idle peer holds no ring. One that falls
 * behind grows a ring, and gives it back once it is empty.
 */
struct outq {
	struct slice *ring;	/* &one, or a ring of cap slices; NULL before the first */
	struct slice one;	/* the ring of a queue that keeps up */
	size_t head, n, cap;	/* first slice, slices, ring size: 0 or a power of two */
	size_t bytes;		/* bytes not yet written */
	size_t cost;		/* bytes of the messages it holds a part of, whole: its limits count these... */
	size_t hist;		/* ...less history at the front: not held against it */
	size_t answers;		/* ...and at most this its own, not the room's: answers (send_to) */
	size_t drawn;		/* a queue that is drawn (role show): bytes at the front drawn, the rest lines to draw */
	size_t base;		/* the number of the slice at the front: slices are counted as they come */
	struct msg *shared;	/* the last shared message queued, and... */
	size_t carrier;		/* ...the number of its last slice, which carries its charge */
};

/*
 * A deadline on one of the timer lists. Every list takes deadlines of
 * now plus its own constant, or holds one timer only, so appending
 * keeps it sorted and the earliest deadline of all is among the heads.
 */
struct timer {
	long long when;		/* ms on the monotonic clock */
	int list;		/* which list it is on, T_NONE for none */
	struct timer *prev, *next;
};

struct timerlist {
	struct timer *head, *tail;
	void (*fire)(struct timer *);	/* called with the timer off the list */
};

enum {
	T_NONE,
	T_AUTH,		/* peer: AUTH_MS to give the password */
	T_JOIN,		/* peer: JOIN_MS to give a name */
	T_STALL,	/* peer: STALL_MS of a backlog that does not move */
	T_STUCK,	/* peer: STUCK_MS since its backlog last moved */
	T_CLOSE,	/* peer: CLOSE_MS to flush before closing */
	T_LAG,		/* peer: LAG_MS holding the room */
	T_PAUSE,	/* an address: the end of its pause after a wrong password */
	T_QUIT,		/* client: -q seconds after stdin EOF */
	T_DIAL,		/* client: -w seconds for a connection attempt */
	T_REDIAL,	/* client: -r backoff before connecting again */
	T_RELISTEN,	/* host: RELISTEN_MS without listening */
	T_LEAVE,	/* client: LEAVE_MS for the host to close after /quit */
	T_SHUTDOWN,	/* host: SHUTDOWN_MS to flush every queue */
	T_GATHER,	/* host: GATHER_MS, then who joined and left is told */
	T_PACE,		/* peer: -R, the time one line takes, then it may send again */
	NTIMERS
};

/*
 * Whether a peer may be read is decided by the gate its input goes
 * through: shut, or held by a queue past OUTQ_HIGH that this input
 * would grow. At the host every peer feeds the room, one gate; the
 * client has one gate each way.
 */
struct gate {
	unsigned holders;	/* queues past OUTQ_HIGH waiting to drain */
	int shut;		/* no more input is taken */
};

struct peer;

/*
 * A source address (an IPv4 address, an IPv6 /64; all Unix-domain peers
 * are one) with connections that have not given the password yet, or
 * that gave a wrong one lately.
 */
struct source {
	unsigned char key[8];	/* the address, or its first 64 bits */
	size_t keylen;
	struct peer *wait[WAITING_MAX];	/* its connections waiting to give the password, oldest first */
	unsigned nwait;
	long long pause;	/* a wrong password: none of them is read before this */
	struct timer timer;	/* T_PAUSE: the end of it */
	struct source *next;	/* next in its hash bucket */
};

/*
 * A /ban: what keeps a person out, until when. Kept in memory only, in
 * a table of BANS_MAX.
 */
struct ban {
	unsigned char addr[8];	/* the address as struct source has it... */
	size_t addrlen;		/* ...0 for none: a Unix-domain peer, or the host's own */
	char key[SESSION_MAX];	/* its /session key... */
	size_t keylen;		/* ...0 for none */
	char nick[NICK_MAX + 1];	/* the name it was given to, for /bans and /unban */
	char reason[BAN_REASON_MAX];	/* the host's reason, cut at a character */
	size_t reasonlen;
	long long until;	/* when it ends, on the loop's clock */
};

/*
 * Who a peer is, whatever it is called: /r answers the person, not the
 * name, /ignore ignores the person, and a reconnection with the same
 * /session key is the same person again. It outlives its peer while
 * another's /r or /ignore still points to it. Made the first time one
 * of these needs it, so most peers have none.
 */
struct ident {
	size_t refs;		/* its peer, and every /r and /ignore that points to it */
	struct peer *p;		/* NULL once that peer is gone... */
	char nick[NICK_MAX + 1];	/* ...and then the name it last had */
	struct msg *away;	/* /away: the reason, maybe empty; NULL while here */
	struct ident **told;	/* while away: who was told so, ntold of TOLD_MAX */
	size_t ntold;
	struct ident **ignores;	/* whom it ignores, nignores of IGNORE_MAX... */
	size_t nignores;
	size_t ignorers;	/* ...and how many ignore it: deliver asks only then */
	int quiet;		/* /quiet: not told who joins, leaves or is renamed */
	size_t keylen;		/* /session: the key, if any, that takes the name back */
	char key[SESSION_MAX];
};

/*
 * What a kind of peer does: set once, when the peer is made, one hook
 * for each thing that can happen to it (NULL: nothing to do, or it
 * cannot happen to this kind).
 */
struct role {
	void (*on_read)(struct peer *, const char *, size_t);	/* bytes were read */
	void (*on_line)(struct peer *, const char *, size_t);	/* a whole line of them */
	void (*on_eof)(struct peer *);				/* its input ended */
	void (*on_lost)(struct peer *, const char *);		/* its descriptor failed or hung up */
	void (*on_write_error)(struct peer *, const char *);	/* a write to it failed */
	void (*on_drained)(struct peer *);			/* its queue is empty */
	void (*on_ctrl_d)(struct peer *, const char *, size_t);	/* Ctrl-D, the input line empty */
	void (*on_quit)(struct peer *, const char *, size_t);	/* /quit [REASON], or a signal */
	void (*on_exit)(struct peer *);		/* -e: its program exited, all it wrote is read */
	void (*show)(struct peer *);		/* draws its queued lines at the front, before a write; NULL: written as they are */
	size_t line_max;	/* bytes in a line it sends, CR and LF not counted */
	struct gate *in;	/* what its input feeds: read only while open */
	struct gate *out;	/* what its queue holds when it passes OUTQ_HIGH */
	unsigned flags;		/* R_ values */
};

/* What our stdin and stdout are: the console's and the user's roles come in each. */
enum face { FACE_PLAIN, FACE_TERM, FACE_PROG };	/* pipes or files, a terminal, the -e program */

enum {
	R_WATCHED = 1 << 0,	/* a reader the room waits for only while it keeps up */
	R_MARKCUT = 1 << 1,	/* an overlong line is shown cut and marked, not answered */
	R_HOST = 1 << 2,	/* speaks for the host: may /kick, cannot be kicked */
	R_ANSWERED = 1 << 3,	/* commands answered on its own queue: read only while it is short */
	R_SKIPS = 1 << 4,	/* past OUTQ_HARD it misses lines, counted, instead of being dropped */
	R_PACED = 1 << 5,	/* -R: its lines are paced, once it has joined */
};

enum state { JOINING, JOINED, CLOSING };
/* The client, between the history's notices: shown as it comes, left out, or held till its end. */
enum history { H_NONE, H_SHOW, H_HIDE, H_HOLD };

/* What the room is told of a member coming or going, and on which side it is gathered. */
enum event { P_JOINED, P_BACK, P_LEFT, P_DROPPED, P_KICKED };
enum { CAME, WENT };

/* Every value is a distinct power of two. */
enum {
	F_HOLD = 1 << 0,	/* queue passed OUTQ_HIGH: its gate is held */
	F_DIRTY = 1 << 1,	/* on the list of queues to write this turn */
	F_DEAD = 1 << 2,	/* to be closed and freed at the end of the turn */
	F_DISCARD = 1 << 3,	/* dropping the rest of an overlong line */
	F_POLLWRITE = 1 << 4,	/* a blocking descriptor: write only when poll says so */
	F_QUIT = 1 << 5,	/* client: /quit is queued, shut down writing after it */
	F_WDONE = 1 << 6,	/* nothing more will ever be written */
	F_DROP = 1 << 7,	/* dropped for not reading: the room is told */
	F_AUTHED = 1 << 8,	/* gave the password, or none is needed */
	F_DIALING = 1 << 9,	/* not connected (yet, or again): queue, do not write */
	F_GONE = 1 << 10,	/* a write failed: the peer is gone, and what it sent is read to its end */
	F_TEXT = 1 << 11,	/* its lines are text, whatever they start with (a pipe) */
	F_LAGGARD = 1 << 12,	/* held the room LAG_MS, or its queue took nothing for STALL_MS: may not hold it until it has caught up */
	F_STASHED = 1 << 13,	/* on the list of peers with input put aside */
	F_REPLAY = 1 << 14,	/* what is queued now is history (q.hist) */
	F_PAUSED = 1 << 15,	/* its address gave a wrong password: not read, what it sent waits */
	F_WATCHOUT = 1 << 16,	/* stdout a pipe or socket: polled idle too, for its reader going */
};

struct peer {
	const struct role *role;	/* what it does with input, loss and its queue */
	int rfd, wfd;		/* the same socket, or stdin and stdout */
	size_t rslot, wslot;	/* their places in the pollfd table */
	enum state state;	/* at the host: joining, in the room, leaving */
	unsigned flags;		/* F_ values */
	char nick[NICK_MAX + 1];
	struct ident *id;	/* who it is, once someone may /r it; or NULL */
	struct ident *reply;	/* who sent it the last /msg, for /r; or NULL */
	struct source *src;	/* while it waits to give the password: its address */
	char *in_line;		/* a line begun, not ended: line_max + 1 bytes, or NULL */
	size_t inlen;		/* bytes of it */
	struct outq q;		/* what is to be written to it */
	struct timer timer;	/* its deadline in the stage it is in: T_AUTH, T_JOIN joining; T_STALL, T_STUCK behind (flow); T_CLOSE leaving */
	struct timer lag;	/* while it holds the room: T_LAG */
	long long moved;	/* when its queue last took bytes */
	long long said;		/* when it last said a room line, 0 for never */
	long long paced;	/* -R: its lines are paid for up to this time, in ms times -R */
	struct timer pace;	/* while it may send no more lines: T_PACE */
	char *stash;		/* input read but put aside while its queue is long */
	size_t stashlen;
	struct peer *next_stashed;	/* next on the list of peers with a stash */
	size_t missed;		/* R_SKIPS: lines it did not get, to be told */
	struct peer *next_dirty;	/* next on the dirty list */
	struct peer *next_dead;	/* next on the dead list */
	struct peer *next_same_hash;	/* next in its nickname's hash bucket */
	uint64_t skel;		/* the keyed hash of its nickname's skeleton */
};

enum {
	C_HOST = 1 << 0,	/* the host only */
	C_FIRST = 1 << 1,	/* may come before joining, and does not join */
	C_LEAVES = 1 << 2,	/* the host closes the connection after it */
	C_ACTION = 1 << 3,	/* its text is said to the room as an action (term_own shows it) */
	C_BEFORE = 1 << 4,	/* only before joining: a member is told so, /help and Tab leave it out */
};

/* A room command and its rules, checked in run_command before it runs. */
struct command {
	const char *name;
	void (*run)(struct peer *, const char *, size_t);
	int words;		/* words of argument it needs: 0, 1 (any text) or 2 (NAME TEXT) */
	unsigned flags;		/* C_ values */
	const char *args;	/* its arguments, as usage and /help show them */
	const char *help;
};
/* utilities */
static void vwarning(const char *, va_list);
static void warnx(const char *, ...);
static void die(const char *, ...);
static void *xmalloc(size_t);
static void *xrealloc(void *, size_t);
static long long now_ms(void);
static void own_fd(int);
static long number(const char *, long, long, const char *);
static unsigned long hash(const void *, size_t);
static uint64_t keyed_hash(const void *, size_t);
static int random_bytes(void *, size_t);
static int bidi_control(unsigned long);
static const char *time_text(time_t, int);
static const char *hhmm(void);
static size_t split_word(const char *, size_t, size_t *);

/* messages and queues */
static struct msg *msg_new(size_t);
static void msg_put(struct msg **, const char *, size_t);
static void msg_puts(struct msg **, const char *);
static void msg_unref(struct msg *);
static size_t count_lines(const char *, size_t);
static struct slice *outq_at(struct outq *, size_t);
static struct slice *outq_tail(struct outq *);
static void outq_push(struct peer *, struct msg *, size_t, size_t);
static void outq_grow(struct outq *);
static void outq_charge(struct outq *, struct slice *);
static void outq_unshift(struct peer *, struct msg *);
static void outq_pop(struct outq *, size_t);
static void outq_clear(struct outq *);
static ssize_t queue_writev(struct peer *);
static void drain(struct peer *);
static void stop_writing(struct peer *);
static void flush_dirty(void);
static void flush_blocking(struct peer *);

/* the loop, slots, timers and signals */
static void loop(void);
static void handle_slot(size_t, short);
static void peer_read(struct peer *);
static void end_turn(void);
static void on_signal(int);
static void handle_signals(void);
static size_t slot_add(int, short, struct peer *);
static void slot_remove(size_t);
static struct peer *peer_new(const struct role *, int, int);
static void set_state(struct peer *, enum state);
static void set_polling(struct peer *, size_t, int, short, int);
static void set_reading(struct peer *, int);
static void set_writing(struct peer *, int);
static void peer_close(struct peer *);
static struct peer *timer_peer(struct timer *);
static void timer_set(struct timer *, int, long long);
static long long next_deadline(void);
static void run_timers(void);
static void close_expired(struct timer *);

/* flow control */
static void flow(struct peer *);
static int may_read(struct peer *);
static int input_waits(struct peer *);
static int answers_wait(struct peer *);
static int paced(const struct peer *);
static void pace(struct peer *);
static void pace_expired(struct timer *);
static void update_reading(void);
static void stall_expired(struct timer *);
static void stuck_expired(struct timer *);
static void lag_expired(struct timer *);
static void stash(struct peer *, const char *, size_t);
static int resume_input(int);
static void unstash(struct peer *);

/* framing, sanitising and the line forms */
static size_t utf8_len(const unsigned char *, size_t, unsigned long *);
static size_t utf8_cut(const char *, size_t, char);
static int sanitize(struct msg **, const char *, size_t, size_t);
static size_t bare_len(const char *, size_t);
static int blank(const char *, size_t);
static void frame(struct peer *, const char *, size_t);
static void frame_end(struct peer *);
static void gather(struct peer *, const char *, size_t, int);
static void cut_line(struct peer *, int);
static void line_done(struct peer *, const char *, size_t);
static void put_form(struct msg **, enum form, const char *);
static enum form parse_form(const char *, size_t, size_t *, size_t *);

/* the room: names */
static struct peer *next_member(size_t *);
static uint64_t skel_hash(const char *, size_t);
static struct peer **nick_bucket(uint64_t);
static void nick_add(struct peer *);
static void nick_remove(struct peer *);
static void sort_in(struct peer *);
static void sort_out(struct peer *);
static size_t sorted_at(const char *, size_t, int);
static struct peer *find_member(const char *, size_t);
static int same_name(const char *, size_t, const char *);
static size_t skeleton(const char *, size_t, unsigned long *);
static int scripts_ok(int *, int);
static int nick_ok(const char *, size_t);
static int nick_char(unsigned long, int);
static void nick_variant(char *, const char *, size_t);
static void nick_guest(char *);

/* the room: delivery */
static void deliver(const struct peer *, struct peer *, int, struct msg *, size_t, size_t);
static void deliver_room(const struct peer *, const struct ident *, int,
    struct msg *, size_t, size_t, struct msg *);
static void run_flush(void);
static void send_to(struct peer *, struct msg *);
static size_t line_begin(void);
static int line_end(const struct peer *, struct peer *, size_t, size_t);
static void vformat(struct msg **, const char *, va_list);
static void notice(struct peer *, const char *, ...);
static size_t notice_room(const struct peer *, int, const char *, ...);
static void notice_by(const struct peer *, int, size_t, const char *);
static void notice_why(struct peer *, const char *, const char *, size_t);
static void notice_text(struct peer *, const char *, const char *, size_t,
    const char *);
static void put_quoted(struct msg **, const char *, const char *, size_t,
    const char *);
static void put_members(struct msg **, struct msg **, const struct peer *);

/* the room: join, leave, say */
static void join(struct peer *, const char *, size_t);
static struct peer *resumed(struct peer *, const char *, size_t);
static void take_over(struct peer *, struct peer *);
static void leave(struct peer *, enum event, const char *, size_t);
static void presence(struct peer *, enum event, const char *, size_t);
static void gather_name(const char *, int);
static int unlist(struct msg *, const char *, size_t);
static void tell_gathered(void);
static void gather_expired(struct timer *);
static void say(struct peer *, enum form, const char *, size_t);
static struct msg *kept_line(time_t, const char *, size_t);
static void remember(struct msg *, struct ident *);
static void replay(struct peer *);

/* the room: commands */
static void hear(struct peer *, const char *, size_t);
static const struct command *find_command(const char *, size_t, size_t *);
static void run_command(struct peer *, const struct command *, const char *,
    size_t);
static void check_password(struct peer *, const char *, size_t);
static int secret_differs(const char *, size_t, const char *, size_t);
static void auth_expired(struct timer *);
static void join_expired(struct timer *);
static void cmd_nick(struct peer *, const char *, size_t);
static void cmd_msg(struct peer *, const char *, size_t);
static void cmd_reply(struct peer *, const char *, size_t);
static void cmd_me(struct peer *, const char *, size_t);
static void cmd_who(struct peer *, const char *, size_t);
static void who_starts(struct msg **, const char *, size_t);
static void cmd_quiet(struct peer *, const char *, size_t);
static void cmd_kick(struct peer *, const char *, size_t);
static struct peer *target(struct peer *, const char *, size_t, size_t *,
    const char *);
static void put_out(struct peer *, const char *, const char *, size_t);
static void cmd_ban(struct peer *, const char *, size_t);
static void cmd_unban(struct peer *, const char *, size_t);
static void cmd_bans(struct peer *, const char *, size_t);
static void tell_ban(struct peer *, const char *, const struct ban *, int);
static long long minutes_ms(const char *, size_t);
static void cmd_quit(struct peer *, const char *, size_t);
static void cmd_pass(struct peer *, const char *, size_t);
static void cmd_help(struct peer *, const char *, size_t);
static void put_help(struct msg **, const struct command *);

/* the room: people */
static struct ident *ident_of(struct peer *);
static void ident_drop(struct ident *);
static void ident_forget(struct ident *);
static int ignores(const struct peer *, const struct ident *);
static void cmd_session(struct peer *, const char *, size_t);
static void cmd_away(struct peer *, const char *, size_t);
static void cmd_back(struct peer *, const char *, size_t);
static void away_end(struct peer *);
static void away_clear(struct ident *);
static void tell_away(struct peer *, struct peer *);
static void put_away(struct msg **, struct peer *, int);
static void cmd_ignore(struct peer *, const char *, size_t);
static void cmd_unignore(struct peer *, const char *, size_t);
static void unignore_at(struct ident *, size_t);
static void list_ignores(struct peer *);
static void cmd_topic(struct peer *, const char *, size_t);
static void tell_topic(struct peer *);

/* the room's log (-L) */
static void log_open(const char *);
static void log_links(const char *);
static void log_read(void);
static int log_enough(off_t);
static void log_scan(char *, size_t, off_t, size_t *);
static void log_seen(const char *, size_t, off_t);
static int log_topic(const char *, size_t);
static time_t log_time(const char *, size_t);
static long digits(const char *, size_t);
static int clean_text(const char *, size_t);
static void log_lines(const char *, size_t);
static void log_put(const char *, size_t);
static void log_restate(struct msg **);
static void log_flush(void);
static void log_truncated(void);
static void log_failed(void);

/* the host */
static void host_start(const char *, const char *, const char *, long);
static unsigned listen_on(const char *, const char *);
static void unix_address(struct sockaddr_un *, const char *);
static void listen_unix(const char *);
static void unix_stale(const struct sockaddr_un *);
static void unix_unlink(void);
static void tune_socket(int, int);
static void set_listening(int);
static void relisten_expired(struct timer *);
static void announce(const char *, unsigned);
static void accept_peers(int);
static void shed(int);
static void refuse(int, const char *);
static void turn_away(struct peer *, const char *);
static void refused(int, const char *);
static size_t address_key(const struct sockaddr_storage *, const unsigned char **);
static struct source *source_of(const struct sockaddr_storage *, int);
static int peer_uid(int, uint32_t *);
static struct source **source_bucket(const unsigned char *, size_t);
static void source_wait(struct source *, struct peer *);
static struct source *source_get(const unsigned char *, size_t);
static void source_pause(struct source *);
static void pause_peer(struct peer *);
static void pause_expired(struct timer *);
static void source_done(struct peer *);
static void source_free(struct source *);
static void address_text(const unsigned char *, size_t, char *);
static size_t address_parse(const char *, size_t, unsigned char *);
static void bans_expire(void);
static struct ban *ban_new(void);
static const char *ban_of(struct ban *, const struct peer *);
static void ban_waiting(const unsigned char *, size_t);
static int banned(const struct sockaddr_storage *, const struct ident *);
static void member_eof(struct peer *);
static void member_lost(struct peer *, const char *);
static void member_drained(struct peer *);
static void member_quit(struct peer *, const char *, size_t);
static void console_eof(struct peer *);
static void stdout_lost(struct peer *, const char *);
static void console_ctrl_d(struct peer *, const char *, size_t);
static void room_close(struct peer *, const char *, size_t);
static void console_ended(struct peer *);
static void shutdown_expired(struct timer *);

/* the client */
static void client_start(const char *, const char *, const char *);
static void make_key(void);
static void dial_start(void);
static void dial_next(void);
static void dial_done(int);
static void dial_expired(struct timer *);
static void redial_expired(struct timer *);
static void dial_failed(const char *);
static long long redial_wait(void);
static void connected(void);
static void link_close(void);
static void link_reset(void);
static void redial_later(const char *);
static void link_hear(struct peer *, const char *, size_t);
static int same(const char *, size_t, const char *);
static int same_why(const char *, size_t, const char *);
static int host_says(const char *, size_t);
static void track_names(const char *, size_t);
static void track_counted(const char *, size_t);
static size_t welcome_name(const char *, size_t);
static void link_eof(struct peer *);
static void link_lost(struct peer *, const char *);
static void link_wfail(struct peer *, const char *);
static void link_drained(struct peer *);
static void user_line(struct peer *, const char *, size_t);
static void user_eof(struct peer *);
static void user_lost(struct peer *, const char *);
static void user_quit(struct peer *, const char *, size_t);
static void quit_expired(struct timer *);
static void leave_expired(struct timer *);
static void send_quit(void);
static void host_gone(const char *);
static void turned_away(void);
static const char *ask_password(const char *why);
static size_t unsent(void);
static void link_show(struct peer *, const char *, size_t);
static void seen_add(const char *, size_t);
static void history_since(struct peer *, int);
static unsigned long held_hash(const char *, size_t);
static size_t history_anchor(const unsigned long *, size_t);
static int agrees(const unsigned long *, size_t);
static int offline(void);
static int typed(char *);
static void link_exit(int);

/* programs as participants (-e) */
static struct peer *program_new(const struct role *);
static void program_start(int *, int *);
static void program_exec(int, int);
static void program_eof(struct peer *);
static void program_reap(void);
static void program_end(void);
static void program_kill(void);
static int exit_status(int);

/* the terminal */
static void term_start(void);
static void term_stop(void);
static void paste_mode(int);
static void on_stop(int);
static void term_size(struct msg **);
static int joins(int, int, size_t, int);
static size_t cluster(const char *, size_t, size_t, size_t *);
static size_t text_cols(const char *, size_t);
static size_t cluster_before(size_t);
static size_t term_step(int);
static int lines_wait(void);
static void term_put(struct msg *);
static void term_note(const char *);
static size_t term_scroll(size_t);
static void put_input(struct msg **);
static void term_redraw(void);
static void term_resize(void);
static void put_nick(struct msg **, const char *, size_t);
static const char *my_nick(void);
static int word_byte(unsigned char);
static int mentions(const char *, size_t, const char *);
static size_t name_find(const char *, size_t, int *);
static void name_add(const char *, size_t);
static void name_del(const char *, size_t);
static void name_list(const char *, size_t, void (*)(const char *, size_t));
static int starts(const char *, size_t, const char *);
static int is_time(const char *, size_t);
static void present(struct msg **, const char *, size_t);
static int whole_word(const char *, size_t);
static void wrap_put(struct msg **, const char *, size_t, size_t);
static void term_show(struct peer *);
static void term_input(struct peer *, const char *, size_t);
static void term_own(struct peer *, const char *, size_t);
static void term_enter(struct peer *);
static void term_recall(int);
static void term_cut(size_t, size_t);
static void term_kill(size_t, size_t);
static size_t word_start(void);
static size_t word_end(void);
static void term_insert(const char *, size_t);
static int by_name(const void *, const void *);
static void offer(const char **, size_t *, const char *, const char *, size_t);
static size_t completions(const char *, size_t, int, const char **, size_t);
static void term_tab(void);
static void term_clear(void);
static void term_escape(const char *);
static void term_meta(struct peer *, unsigned char);
static void term_pasted(struct peer *, unsigned char);
static void term_rubout(void);
static void term_key(struct peer *, unsigned char);

/* usage and main */
static void usage(void);
static void help(void);
static int next_option(int, char *[], const char *, char **, int *);
static const char *pick_nick(const char *, const char *);
static void operands_check(int, char *[], int);
static int nick_of(const char *, char *);
static size_t peer_limit(long);
static void setup(void);
static struct peer *stdio_new(const struct role *);
static void open_stdio(void);

/* Unicode */
static const void *ufind(const void *, size_t, size_t, unsigned long);
static unsigned long fold(unsigned long);
static size_t stands_for(unsigned long, unsigned long *);
static int composes(unsigned long, unsigned long);
static int nick_script(unsigned long);
static int cp_width(unsigned long);
static int gcb_of(unsigned long);
