# chat - a small line-based chat room in the style of netcat
.POSIX:

PREFIX = /usr/local
CC = cc
CFLAGS = -std=c99 -O2 -Wall -Wextra -pedantic
LDFLAGS =

all: chat

chat: chat.c chat.h
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ chat.c

# The scripts run side by side, JOBS at a time, the slowest first, so
# the run takes about as long as the slowest one: t/08-flow.t and
# t/10-password.t, which wait out one of chat's 10 s limits (STUCK_MS,
# AUTH_MS) with their other checks run meanwhile. The CPU goes to perl
# (one process per wait, t/wait.pl, the raw peers and 15-unicode's
# tables), sh, tmux (17-screen), chat's floods and the compiler in
# 14-build; no longer to a date, grep and sleep per 50 ms of waiting.
# JOBS=1: one at a time. FLOOD=full: the floods at the sizes the suite
# once used, well past their limits (make check uses them).
JOBS = 8
FLOOD =
SLOW = t/08-flow.t t/10-password.t t/25-queues.t t/26-big.t t/16-hostile.t t/17-screen.t t/22-exec.t t/20-exhaust.t t/13-extras.t t/15-unicode.t t/18-newcomer.t

test: chat
	FLOOD=$(FLOOD) prove -j$(JOBS) $(SLOW) t/

# The suite again against a clang build with AddressSanitizer and
# UndefinedBehaviorSanitizer, then under valgrind memcheck. Every report
# lands in t/reports; any report at all fails the check.
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

t/chat-asan: chat.c chat.h
	clang -std=c99 -g -O1 $(SANITIZE) -o $@ chat.c

check: chat t/chat-asan
	rm -rf t/reports && mkdir t/reports
	ASAN_OPTIONS=log_path=$$PWD/t/reports/asan \
	UBSAN_OPTIONS=log_path=$$PWD/t/reports/ubsan:print_stacktrace=1 \
	CHAT=$$PWD/t/chat-asan FLOOD=full prove t/
	CHAT_REPORTS=$$PWD/t/reports CHAT=$$PWD/t/valgrind-chat FLOOD=full prove t/
	@if [ -n "$$(find t/reports -type f -size +0c)" ]; then \
		cat t/reports/*; echo 'make check: sanitiser or valgrind reports above'; exit 1; \
	fi
	@echo 'make check: no sanitiser or valgrind reports'

# libFuzzer on framing, commands and sanitising; new inputs go to
# t/corpus, the seeds stay in t/fuzz-corpus. FUZZTIME=600 runs longer.
FUZZTIME = 60

t/fuzz: t/fuzz.c chat.c chat.h
	clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ t/fuzz.c

fuzz: t/fuzz
	mkdir -p t/corpus
	t/fuzz -max_total_time=$(FUZZTIME) -print_final_stats=1 t/corpus t/fuzz-corpus

# The load generator against chat -l and, where installed, ncat --chat;
# it prints a table of medians. RUNS=1 for a quick look; CHAT_OLD=path
# measures another build of chat beside this one, round by round.
RUNS = 5
CHAT_OLD =

t/bench: t/bench.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ t/bench.c

bench: chat t/bench
	CHAT_OLD="$(CHAT_OLD)" sh t/bench.sh $(RUNS)

install: chat
	mkdir -p $(DESTDIR)$(PREFIX)/bin
	cp -f chat $(DESTDIR)$(PREFIX)/bin/chat
	chmod 755 $(DESTDIR)$(PREFIX)/bin/chat

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/chat

clean:
	rm -rf chat t/chat-asan t/fuzz t/bench t/corpus t/reports

.PHONY: all test check fuzz bench install uninstall clean
