/* See LICENSE file for copyright and license details. */
/*
 * libFuzzer target for the code that turns received bytes into lines,
 * commands and sanitised text: `make fuzz`. It includes chat.c whole so
 * the static functions are reachable, and plays a room of the host and
 * two peers whose sockets are /dev/null.
 *
 * Input: one byte of flags (bit 0: the room has a password), then
 * chunks, each a length byte and that many bytes, read in turn by peer
 * one, peer two and the host's own stdin.
 */
#define main chat_main
#include "../chat.c"
#undef main

#include <stdint.h>

/* What sanitize() promises: UTF-8 with no C0 (not even TAB), DEL or C1. */
static void
check_clean(const struct msg *m)
{
	const unsigned char *u = (const unsigned char *)m->data;
	unsigned long c;
	size_t i, k;

	for (i = 0; i < m->len; i += k) {
		if (!(k = utf8_len(u + i, m->len - i, &c)))
			abort();
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			abort();
	}
}

static void
room_init(void)
{
	struct peer *host;

	io.shared = msg_new(SHARED_MAX + LINE_ROOM);
	io.shared->refs = 1;
	slot_add(-1, POLLIN, NULL);
	host = peer_new(&console[FACE_PLAIN], -1, open("/dev/null", O_WRONLY));
	set_state(host, JOINED);
	host->flags |= F_AUTHED;
	strcpy(host->nick, "host");
	io.stdio = host;
	nick_add(host);
}

static struct peer *
fake_peer(void)
{
	int fd = open("/dev/null", O_RDWR);
	struct peer *p = peer_new(&member, fd, fd);

	set_reading(p, 1);
	if (!opt.password)
		p->flags |= F_AUTHED;
	room.npeers++;
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct peer *who[3];
	struct msg *m;
	size_t i, len, turn = 0;

	if (!ready) {
		room_init();
		ready = 1;
	}
	if (size < 1)
		return 0;
	m = msg_new(16);
	sanitize(&m, (const char *)data, size, SIZE_MAX);
	check_clean(m);
	free(m);

	opt.password = (data[0] & 1) ? "secret" : NULL;
	who[0] = fake_peer();
	who[1] = fake_peer();
	who[2] = io.stdio;
	for (i = 1; i < size; i += len, turn++) {
		len = data[i++];
		if (len > size - i)
			len = size - i;
		/* the loop reads neither one that is dead nor one whose
		 * input waits put aside (stash) */
		if ((who[turn % 3]->flags & F_DEAD) || who[turn % 3]->stash)
			continue;
		frame(who[turn % 3], (const char *)data + i, len);
		flush_dirty();	/* end_turn() would free who[] under us */
		resume_input(1);	/* the queues are written: what waits is read */
		flush_dirty();
	}
	for (i = SLOT_FIRST; i < io.nslots; i++)
		peer_close(io.slotpeer[i]);
	end_turn();
	frame_end(io.stdio);
	/* the host's /quit closes the room: open it again for the next input */
	room.closing = 0;
	room.gate.shut = 0;
	timer_set(&room.shutdown, T_NONE, 0);
	return 0;
}
