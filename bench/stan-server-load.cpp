//
// stan-server-load.cpp
//
// Load for the streaming server benchmark, driven by the nats.c streaming client (the reference
// client, so the figures measure the server): async publish of N messages with a bounded
// pub-ack window, then replay of the N stored messages to one auto-ack subscriber.
//
//     stan-server-load -s nats://127.0.0.1:4222 -c test-cluster -n 100000 -size 128
//
// Prints one line per phase: "<phase>: <n> msgs in <s> s = <rate> msgs/s". Exit code 1 on error.
//
// SPDX-License-Identifier: Apache-2.0
//

#define NATS_HAS_STREAMING
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace {

struct State
{
	std::mutex mutex;
	std::condition_variable cond;
	std::atomic<long> acked{0};
	std::atomic<long> ackErrors{0};
	std::atomic<long> received{0};
	long target = 0;
};

void onAck(const char*, const char* error, void* closure)
{
	State* s = static_cast<State*>(closure);
	if (error) ++s->ackErrors;
	if (++s->acked == s->target)
	{
		std::lock_guard<std::mutex> lock(s->mutex);
		s->cond.notify_all();
	}
}

void onMsg(stanConnection*, stanSubscription*, const char*, stanMsg* msg, void* closure)
{
	State* s = static_cast<State*>(closure);
	stanMsg_Destroy(msg);
	if (++s->received == s->target)
	{
		std::lock_guard<std::mutex> lock(s->mutex);
		s->cond.notify_all();
	}
}

bool waitUntil(State& s, const std::atomic<long>& counter, int timeoutSec)
{
	std::unique_lock<std::mutex> lock(s.mutex);
	return s.cond.wait_for(lock, std::chrono::seconds(timeoutSec), [&] { return counter.load() >= s.target; });
}

void report(const char* phase, long n, double secs)
{
	std::printf("%s: %ld msgs in %.3f s = %.0f msgs/s\n", phase, n, secs, secs > 0 ? n / secs : 0.0);
	std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
	std::string url = "nats://127.0.0.1:4222";
	std::string cluster = "test-cluster";
	std::string channel = "bench";
	long count = 100000;
	int size = 128;
	int pubInflight = 16384;
	int subInflight = 1024;
	for (int i = 1; i < argc; ++i)
	{
		std::string a = argv[i];
		auto next = [&]() -> const char* {
			if (i + 1 >= argc)
			{
				std::fprintf(stderr, "missing value for %s\n", a.c_str());
				std::exit(2);
			}
			return argv[++i];
		};
		if (a == "-s") url = next();
		else if (a == "-c") cluster = next();
		else if (a == "-subj") channel = next();
		else if (a == "-n") count = std::atol(next());
		else if (a == "-size") size = std::atoi(next());
		else if (a == "-pubinflight") pubInflight = std::atoi(next());
		else if (a == "-subinflight") subInflight = std::atoi(next());
		else
		{
			std::fprintf(stderr, "usage: stan-server-load [-s url] [-c cluster] [-subj channel] [-n count] [-size bytes] [-pubinflight n] [-subinflight n]\n");
			return 2;
		}
	}

	nats_Open(-1);
	stanConnOptions* opts = nullptr;
	stanConnOptions_Create(&opts);
	stanConnOptions_SetURL(opts, url.c_str());
	stanConnOptions_SetMaxPubAcksInflight(opts, pubInflight, 0.5f);
	stanConnection* sc = nullptr;
	natsStatus s = stanConnection_Connect(&sc, cluster.c_str(), "stan-server-load", opts);
	stanConnOptions_Destroy(opts);
	if (s != NATS_OK)
	{
		std::fprintf(stderr, "connect failed: %s\n", nats_GetLastError(nullptr));
		return 1;
	}

	std::vector<char> payload(static_cast<std::size_t>(size), 'x');
	State pub;
	pub.target = count;
	auto t0 = std::chrono::steady_clock::now();
	for (long i = 0; i < count && s == NATS_OK; ++i)
		s = stanConnection_PublishAsync(sc, channel.c_str(), payload.data(), size, onAck, &pub);
	bool ok = s == NATS_OK && waitUntil(pub, pub.acked, 120);
	double pubSecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	if (!ok || pub.ackErrors.load() != 0)
	{
		std::fprintf(stderr, "publish failed: status %s, %ld acks, %ld errors\n", natsStatus_GetText(s), pub.acked.load(), pub.ackErrors.load());
		return 1;
	}
	report("async publish", count, pubSecs);

	State sub;
	sub.target = count;
	stanSubOptions* so = nullptr;
	stanSubOptions_Create(&so);
	stanSubOptions_DeliverAllAvailable(so);
	stanSubOptions_SetMaxInflight(so, subInflight);
	stanSubscription* ss = nullptr;
	t0 = std::chrono::steady_clock::now();
	s = stanConnection_Subscribe(&ss, sc, channel.c_str(), onMsg, &sub, so);
	stanSubOptions_Destroy(so);
	ok = s == NATS_OK && waitUntil(sub, sub.received, 120);
	double subSecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	if (!ok)
	{
		std::fprintf(stderr, "replay failed: status %s, %ld received\n", natsStatus_GetText(s), sub.received.load());
		return 1;
	}
	report("replay", count, subSecs);

	stanSubscription_Unsubscribe(ss);
	stanSubscription_Destroy(ss);
	stanConnection_Close(sc);
	stanConnection_Destroy(sc);
	return 0;
}
