/*
 * The floor for issue 9's CPU budget: a socketmap server that does nothing. It answers every well-formed netstring
 * request with "NOTFOUND " at once, single-threaded, epoll, non-blocking, no allocation per request. Whatever CPU per
 * request it needs under SocketmapLoad is what the kernel, the loopback TCP stack and two system calls cost; no
 * server can answer for less.
 *
 *   gcc -O2 -o /tmp/noop-server benchmarks/SocketmapLoad/noop-server.c && /tmp/noop-server 8462 &
 *   dotnet run -c Release --project benchmarks/SocketmapLoad -- --target inet:127.0.0.1:8462 --pid $! --key x.test
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 4096
#define BUF 4096

static char buffers[MAX_FDS][BUF];
static int filled[MAX_FDS];
static const char reply[] = "9:NOTFOUND ,";

/* Answers every complete netstring in the connection's buffer; returns -1 when the input is not a netstring. */
static int serve(int fd)
{
    int start = 0;
    char out[BUF];
    int out_len = 0;
    for (;;) {
        int i = start, len = 0;
        while (i < filled[fd] && buffers[fd][i] >= '0' && buffers[fd][i] <= '9') {
            len = len * 10 + (buffers[fd][i++] - '0');
        }
        if (i >= filled[fd]) break;                      /* length not complete yet */
        if (buffers[fd][i] != ':' || len > BUF - 16) return -1;
        if (i + 1 + len + 1 > filled[fd]) break;          /* body not complete yet */
        if (buffers[fd][i + 1 + len] != ',') return -1;
        start = i + 1 + len + 1;
        if (out_len + (int)sizeof reply > BUF) break;
        memcpy(out + out_len, reply, sizeof reply - 1);
        out_len += sizeof reply - 1;
    }
    memmove(buffers[fd], buffers[fd] + start, filled[fd] - start);
    filled[fd] -= start;
    if (out_len > 0 && write(fd, out, out_len) != out_len) return -1;
    return 0;
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8462;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 512) != 0) {
        perror("listen");
        return 1;
    }

    int epoll = epoll_create1(0);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = listener };
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    struct epoll_event ready[256];
    for (;;) {
        int n = epoll_wait(epoll, ready, 256, -1);
        for (int k = 0; k < n; k++) {
            int fd = ready[k].data.fd;
            if (fd == listener) {
                int client;
                while ((client = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (client >= MAX_FDS) { close(client); continue; }
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    filled[client] = 0;
                    struct epoll_event e = { .events = EPOLLIN, .data.fd = client };
                    epoll_ctl(epoll, EPOLL_CTL_ADD, client, &e);
                }
                continue;
            }
            ssize_t got = read(fd, buffers[fd] + filled[fd], BUF - filled[fd]);
            if (got <= 0 || (filled[fd] += (int)got, serve(fd) != 0)) {
                if (got < 0 && errno == EAGAIN) continue;
                epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
                close(fd);
            }
        }
    }
}
