/*
 * The floor for the ping-pong comparison: a UDP echo server that does nothing but
 * recvmmsg a batch and sendmmsg it back to where each datagram came from.
 * One thread, one socket, blocking receive. Usage: echo <bind address> <port>.
 * Prints "echo-c listening on A:P" when ready; exits 0 on SIGTERM or SIGINT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAX_DATAGRAM 2048

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) { (void)sig; stop_requested = 1; }

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <bind address> <port>\n", argv[0]);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked recvmmsg returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", argv[1]); return 2; }
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }

    static char data[BATCH][MAX_DATAGRAM];
    static struct sockaddr_in peers[BATCH];
    static struct iovec iov[BATCH];
    static struct mmsghdr msgs[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = data[i];
        iov[i].iov_len = MAX_DATAGRAM;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &peers[i];
    }

    printf("echo-c listening on %s:%s\n", argv[1], argv[2]);
    fflush(stdout);

    unsigned long long echoed = 0;
    while (!stop_requested) {
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_len = MAX_DATAGRAM;
            msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
        }
        /* Block for the first datagram, then take whatever else is queued. */
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            perror("recvmmsg");
            return 1;
        }
        for (int i = 0; i < n; i++)
            iov[i].iov_len = msgs[i].msg_len;
        int sent = 0;
        while (sent < n) {
            int m = sendmmsg(fd, msgs + sent, (unsigned)(n - sent), 0);
            if (m < 0) {
                if (errno == EINTR) continue;
                break; /* drop the rest of the batch: it is UDP */
            }
            sent += m;
        }
        echoed += (unsigned long long)n;
    }
    printf("echo-c stopped after %llu datagrams\n", echoed);
    close(fd);
    return 0;
}
