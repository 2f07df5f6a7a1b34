# chat - a small line-based chat room in the style of netcat
.POSIX:

PREFIX = /usr/local
CC = cc
CFLAGS = -std=c99 -O2 -Wall -Wextra -pedantic
LDFLAGS =

all: chat

chat: chat.c chat.h
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ chat.c

test: chat
	prove t/

install: chat
	mkdir -p $(DESTDIR)$(PREFIX)/bin
	cp -f chat $(DESTDIR)$(PREFIX)/bin/chat
	chmod 755 $(DESTDIR)$(PREFIX)/bin/chat

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/chat

clean:
	rm -f chat

.PHONY: all test install uninstall clean
