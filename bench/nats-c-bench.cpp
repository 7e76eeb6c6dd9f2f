/*
 * nats-c-bench.cpp
 *
 * The nats.c (libnats) equivalent of demo/nats-bench: same flags, same output format, so that
 * bench/run-nats.sh can compare both on the same server.
 *
 *   nats-c-bench [-s url] [-subj subject] [-n count] [-size bytes] [-mode pub|pubsub]
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include <nats/nats.h>
#include <atomic>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static std::atomic<long long> received{0};
static long long target;
static std::atomic<long long> lastAtNs{0};

static long long nowNs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void onMsg(natsConnection*, natsSubscription*, natsMsg* msg, void*)
{
	long long n = received.fetch_add(1) + 1;
	if (n == target) lastAtNs.store(nowNs());
	natsMsg_Destroy(msg);
}

static void usage(void)
{
	fprintf(stderr, "usage: nats-c-bench [-s url] [-subj subject] [-n count] [-size bytes] [-mode pub|pubsub]\n");
	exit(2);
}

static void report(const char* what, long long n, int size, double secs)
{
	printf("%s: %lld msgs x %d B in %.3f s = %.0f msgs/s (%.1f MB/s)\n", what, n, size, secs, n / secs, n * (double)size / secs / 1e6);
	fflush(stdout);
}

static int check(natsStatus s, const char* what)
{
	if (s != NATS_OK)
	{
		fprintf(stderr, "nats-c-bench: %s: %s\n", what, natsStatus_GetText(s));
		exit(1);
	}
	return 0;
}

int main(int argc, char** argv)
{
	const char* url = "nats://127.0.0.1:4222";
	const char* subject = "bench.core";
	long long count = 1000000;
	int size = 128;
	const char* mode = "pub";
	for (int i = 1; i < argc; ++i)
	{
		if (i + 1 >= argc) usage();
		const char* a = argv[i];
		const char* v = argv[++i];
		if (!strcmp(a, "-s"))
			url = v;
		else if (!strcmp(a, "-subj"))
			subject = v;
		else if (!strcmp(a, "-n"))
			count = atoll(v);
		else if (!strcmp(a, "-size"))
			size = atoi(v);
		else if (!strcmp(a, "-mode"))
			mode = v;
		else
			usage();
	}
	int pubsub = !strcmp(mode, "pubsub");
	if (count <= 0 || size < 0 || (!pubsub && strcmp(mode, "pub"))) usage();
	target = count;

	char* payload = static_cast<char*>(malloc((size_t)size + 1));
	memset(payload, 'x', (size_t)size);

	natsConnection* subConn = NULL;
	natsSubscription* sub = NULL;
	if (pubsub)
	{
		check(natsConnection_ConnectTo(&subConn, url), "connect (sub)");
		check(natsConnection_Subscribe(&sub, subConn, subject, onMsg, NULL), "subscribe");
		check(natsSubscription_SetPendingLimits(sub, -1, -1), "pending limits");
		check(natsConnection_FlushTimeout(subConn, 10000), "flush (sub)");
	}
	natsConnection* conn = NULL;
	check(natsConnection_ConnectTo(&conn, url), "connect");
	long long start = nowNs();
	for (long long i = 0; i < count; ++i) check(natsConnection_Publish(conn, subject, payload, size), "publish");
	check(natsConnection_FlushTimeout(conn, 120000), "flush");
	long long end = nowNs();
	report("pub", count, size, (end - start) / 1e9);
	int rc = 0;
	if (pubsub)
	{
		long long deadline = nowNs() + 120000000000LL;
		while (received.load() < count && nowNs() < deadline) nats_Sleep(1);
		if (received.load() < count)
		{
			fprintf(stderr, "subscriber received %lld of %lld\n", (long long)received.load(), count);
			rc = 1;
		}
		else
		{
			report("sub", count, size, (lastAtNs.load() - start) / 1e9);
		}
		natsSubscription_Destroy(sub);
		natsConnection_Destroy(subConn);
	}
	natsConnection_Destroy(conn);
	free(payload);
	nats_Close();
	return rc;
}
