/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-app-probe: an application that misbehaves on purpose, for the app channel's tests
 * (scripts/netns/app-misbehave.sh). Each mode prints one line saying what it saw:
 *   unsealed             hand in an unsealed memfd: ursad must refuse it (exit 0 if so)
 *   truncate             hand in a sealed memfd, then try to shrink it: the kernel must
 *                        refuse (EPERM) and the channel still work (exit 0 if so)
 *   flood                fill the command ring and never read a reply, then sleep
 *   badcursor            publish a command cursor far past what the ring holds, then sleep
 *   noread ADDR PORT     connect and never read, then sleep
 * The sleeping modes print "ready" once in place and wait to be killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ursa_app.h"
#include "ursa_app_abi.h"

static int sealed_memfd(void)
{
	int fd = memfd_create("probe", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)ursa_app_shm_size()) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
		perror("ursa-app-probe: memfd");
		exit(2);
	}
	return fd;
}

static struct ursa_app *attach_own(int fd, struct ursa_app_shm **shm)
{
	char why[URSA_APP_ERR_MAX];
	struct ursa_app *a;
	int rc = ursa_app_attach(NULL, fd, why, sizeof(why), &a);

	if (rc) {
		fprintf(stderr, "ursa-app-probe: attach: %s: %s\n", strerror(-rc), why);
		exit(2);
	}
	*shm = mmap(NULL, ursa_app_shm_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*shm == MAP_FAILED) {
		perror("ursa-app-probe: mmap");
		exit(2);
	}
	return a;
}

static int unsealed(void)
{
	char why[URSA_APP_ERR_MAX];
	struct ursa_app *a;
	int fd = memfd_create("probe", MFD_CLOEXEC), rc;

	if (fd < 0 || ftruncate(fd, (off_t)ursa_app_shm_size()) != 0)
		return 2;
	rc = ursa_app_attach(NULL, fd, why, sizeof(why), &a);
	if (rc == 0) {
		printf("unsealed: ACCEPTED (wrong)\n");
		return 1;
	}
	printf("unsealed: refused: %s: %s\n", strerror(-rc), why);
	return rc == -EPERM ? 0 : 1;
}

static int truncate_mem(void)
{
	struct ursa_app_shm *shm;
	int fd = sealed_memfd(), s, err;
	struct ursa_app *a = attach_own(fd, &shm);

	if (ftruncate(fd, 4096) == 0) {
		printf("truncate: the memfd shrank (wrong)\n");
		return 1;
	}
	err = errno;
	printf("truncate: refused: %s\n", strerror(err));
	s = ursa_app_socket(a, AF_INET, SOCK_STREAM, 0);
	if (s < 0 || ursa_app_close(a, s) != 0) {
		printf("truncate: the channel no longer works: %s\n", strerror(-s));
		return 1;
	}
	printf("truncate: the channel still works\n");
	ursa_app_detach(a);
	return err == EPERM ? 0 : 1;
}

/* Write raw commands: NOPs until the command ring is full, replies never read. */
__attribute__((noreturn)) static void flood(int bad)
{
	struct ursa_app_shm *shm;
	int fd = sealed_memfd();
	struct ursa_app *a = attach_own(fd, &shm);
	struct ursa_app_cmd *cmd = (struct ursa_app_cmd *)((uint8_t *)shm + URSA_APP_OFF_CMD);
	uint32_t prod = shm->cmd_prod;

	(void)a;
	if (bad) {
		ursa_app_store(&shm->cmd_prod, prod + 100000u);
	} else {
		/* Keep the ring full for 2 s: ursad takes 256 (the event ring's room), then
		 * stalls this application alone; the ring stays full after that. */
		for (unsigned t = 0; t < 2000; t++) {
			while (prod - ursa_app_load(&shm->cmd_cons) < URSA_APP_CMD_SLOTS) {
				memset(&cmd[prod % URSA_APP_CMD_SLOTS], 0, sizeof(*cmd));
				ursa_app_store(&shm->cmd_prod, ++prod); /* no bell: ursad looks */
			}
			usleep(1000);
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

__attribute__((noreturn)) static void noread(const char *addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct ursa_app_pollfd p;
	struct ursa_app *a;
	int rc = ursa_app_attach(NULL, -1, NULL, 0, &a), s;

	if (rc || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		exit(2);
	s = ursa_app_socket(a, AF_INET, SOCK_STREAM, 0);
	rc = ursa_app_connect(a, s, (struct sockaddr *)&sa, sizeof(sa));
	p = (struct ursa_app_pollfd){.s = s, .events = POLLOUT};
	if (rc == -EINPROGRESS)
		ursa_app_poll(a, &p, 1, 10000);
	if (ursa_app_connect(a, s, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	    ursa_app_connect(a, s, (struct sockaddr *)&sa, sizeof(sa)) != -EISCONN) {
		printf("noread: cannot connect\n");
		exit(1);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "unsealed") == 0)
		return unsealed();
	if (argc >= 2 && strcmp(argv[1], "truncate") == 0)
		return truncate_mem();
	if (argc >= 2 && strcmp(argv[1], "flood") == 0)
		flood(0);
	if (argc >= 2 && strcmp(argv[1], "badcursor") == 0)
		flood(1);
	if (argc >= 4 && strcmp(argv[1], "noread") == 0)
		noread(argv[2], atoi(argv[3]));
	fprintf(stderr,
		"usage: ursa-app-probe unsealed|truncate|flood|badcursor|noread ADDR PORT\n");
	return 2;
}
