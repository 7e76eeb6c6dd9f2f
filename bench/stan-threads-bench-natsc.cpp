//
// stan-threads-bench-natsc.cpp
//
// The nats.c streaming client's side of bench/stan-threads-bench (fanout and conns modes):
//
//     stan-threads-bench-natsc -s <url> -c <cluster> fanout <S> <M>
//     stan-threads-bench-natsc -s <url> -c <cluster> conns <N>
//
// -global: nats.c's global message delivery (natsOptions_UseGlobalMessageDelivery).
//
// SPDX-License-Identifier: Apache-2.0
//

#define NATS_HAS_STREAMING
#include "NatsCBench.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

using Nats::Bench::check;

namespace {

using Clock = std::chrono::steady_clock;

long threads()
{
	std::ifstream in("/proc/self/status");
	std::string line;
	while (std::getline(in, line))
	{
		if (line.compare(0, 8, "Threads:") == 0) return std::atol(line.c_str() + 8);
	}
	return -1;
}

struct Fan
{
	std::atomic<long long> received{0};
	long long expected = 0;
	std::mutex mutex;
	std::condition_variable cv;
	bool done = false;
};

void onMsg(stanConnection*, stanSubscription*, const char*, stanMsg* msg, void* closure)
{
	Fan* f = static_cast<Fan*>(closure);
	if (++f->received == f->expected)
	{
		std::lock_guard<std::mutex> lock(f->mutex);
		f->done = true;
		f->cv.notify_all();
	}
	stanMsg_Destroy(msg);
}

stanConnection* connect(const std::string& url, const std::string& cluster, const std::string& id, bool global)
{
	natsOptions* nopts = nullptr;
	stanConnOptions* sopts = nullptr;
	check(natsOptions_Create(&nopts), "natsOptions_Create");
	check(natsOptions_SetURL(nopts, url.c_str()), "natsOptions_SetURL");
	if (global) check(natsOptions_UseGlobalMessageDelivery(nopts, true), "UseGlobalMessageDelivery");
	check(stanConnOptions_Create(&sopts), "stanConnOptions_Create");
	check(stanConnOptions_SetNATSOptions(sopts, nopts), "SetNATSOptions");
	check(stanConnOptions_SetConnectionWait(sopts, 30000), "SetConnectionWait");
	stanConnection* sc = nullptr;
	check(stanConnection_Connect(&sc, cluster.c_str(), id.c_str(), sopts), "stanConnection_Connect");
	stanConnOptions_Destroy(sopts);
	natsOptions_Destroy(nopts);
	return sc;
}

std::string id(const char* what, int i = 0)
{
	return std::string(what) + "-natsc-" + std::to_string(getpid()) + "-" + std::to_string(i);
}

} // namespace

int main(int argc, char** argv)
{
	std::string url = "nats://127.0.0.1:4222", cluster = "test-cluster";
	bool global = false;
	std::vector<std::string> rest;
	for (int i = 1; i < argc; ++i)
	{
		std::string a = argv[i];
		if (a == "-s" && i + 1 < argc) url = argv[++i];
		else if (a == "-c" && i + 1 < argc) cluster = argv[++i];
		else if (a == "-global") global = true;
		else rest.push_back(a);
	}
	try
	{
		if (rest.size() == 3 && rest[0] == "fanout")
		{
			const int numSubs = std::atoi(rest[1].c_str()), numMsgs = std::atoi(rest[2].c_str());
			stanConnection* sc = connect(url, cluster, id("fanout-sub"), global);
			stanConnection* pub = connect(url, cluster, id("fanout-pub"), global);
			const std::string channel = id("fanout");
			Fan f;
			f.expected = static_cast<long long>(numSubs) * numMsgs;
			std::vector<stanSubscription*> subs;
			for (int i = 0; i < numSubs; ++i)
			{
				stanSubscription* s = nullptr;
				check(stanConnection_Subscribe(&s, sc, channel.c_str(), onMsg, &f, nullptr), "stanConnection_Subscribe");
				subs.push_back(s);
			}
			const std::string payload(128, 'x');
			auto t0 = Clock::now();
			for (int i = 0; i < numMsgs; ++i)
				check(stanConnection_PublishAsync(pub, channel.c_str(), payload.data(), static_cast<int>(payload.size()), nullptr, nullptr),
					"stanConnection_PublishAsync");
			{
				std::unique_lock<std::mutex> lock(f.mutex);
				if (!f.cv.wait_for(lock, std::chrono::minutes(5), [&]() { return f.done; }))
				{
					std::fprintf(stderr, "fanout: only %lld of %lld delivered\n", f.received.load(), f.expected);
					return 1;
				}
			}
			auto t1 = Clock::now();
			std::printf("fanout: %d subscriptions x %d messages\n", numSubs, numMsgs);
			std::printf("threads: %ld\n", threads());
			std::printf("fanout msgs/s: %.0f\n", f.expected / std::chrono::duration<double>(t1 - t0).count());
			for (auto* s : subs)
			{
				stanSubscription_Close(s);
				stanSubscription_Destroy(s);
			}
			stanConnection_Close(pub);
			stanConnection_Destroy(pub);
			stanConnection_Close(sc);
			stanConnection_Destroy(sc);
			return 0;
		}
		if (rest.size() == 2 && rest[0] == "conns")
		{
			const int n = std::atoi(rest[1].c_str());
			const long t0 = threads();
			std::vector<stanConnection*> all;
			for (int i = 0; i < n; ++i) all.push_back(connect(url, cluster, id("conn", i), global));
			const long t1 = threads();
			std::printf("connections: %d\n", n);
			std::printf("threads connected: %ld (%.2f per connection)\n", t1, static_cast<double>(t1 - t0) / n);
			for (auto* c : all)
			{
				stanConnection_Close(c);
				stanConnection_Destroy(c);
			}
			return 0;
		}
	}
	catch (std::exception& e)
	{
		std::fprintf(stderr, "error: %s\n", e.what());
		return 1;
	}
	std::fprintf(stderr, "usage: stan-threads-bench-natsc [-s url] [-c cluster] [-global] fanout <S> <M> | conns <N>\n");
	return 2;
}
