//
// stan-threads-bench.cpp
//
// Threads, memory and lifecycle costs of our streaming client (issue #10), against a running
// nats-server + streaming server (bench/run-threads.sh starts both):
//
//     stan-threads-bench -s <url> -c <cluster> subs <N>        N idle async subscriptions on one connection
//     stan-threads-bench -s <url> -c <cluster> conns <N>       N StanConnections in one process
//     stan-threads-bench -s <url> -c <cluster> fanout <S> <M>  S subscriptions on one connection, M messages
//
// Options: -pool <n> (Options::dispatcherThreads), -shared (the process-wide shared pool),
// -js (StanOptions::Backend::JETSTREAM against nats-server -js, memory streams).
// Prints one "key: value" line per figure. Speed is measured here, never asserted in tests.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanConnection.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

long statusField(const char* key)
{
	std::ifstream in("/proc/self/status");
	std::string line;
	const std::string k(key);
	while (std::getline(in, line))
	{
		if (line.compare(0, k.size(), k) == 0) return std::atol(line.c_str() + k.size());
	}
	return -1;
}

long threads() { return statusField("Threads:"); }
long rssKiB() { return statusField("VmRSS:"); }

double ms(Clock::time_point a, Clock::time_point b)
{
	return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Setup
{
	std::string url = "nats://127.0.0.1:4222";
	std::string cluster = "test-cluster";
	int pool = 0;
	bool shared = false;
	bool jetStream = false;
};

Nats::StanOptions options(const Setup& s)
{
	Nats::StanOptions o;
	o.natsUrl = s.url;
	o.connectWait = Poco::Timespan(30, 0);
	if (s.pool > 0) o.natsOptions.dispatcherThreads = s.pool;
	o.natsOptions.sharedDispatcher = s.shared;
	if (s.jetStream)
	{
		o.backend = Nats::StanOptions::Backend::JETSTREAM;
		o.jetStream.memoryStorage = true;
	}
	return o;
}

std::string id(const char* what, int i = 0)
{
	return std::string(what) + "-" + std::to_string(getpid()) + "-" + std::to_string(i);
}

int subs(const Setup& s, int n)
{
	const long threads0 = threads();
	Nats::StanConnection sc(s.cluster, id("subs"), options(s));
	sc.connect();
	const long threads1 = threads();
	const long rss1 = rssKiB();
	const std::string channel = id("idle");
	std::vector<Nats::StanSubscription> all;
	all.reserve(static_cast<std::size_t>(n));
	auto t0 = Clock::now();
	for (int i = 0; i < n; ++i) all.push_back(sc.subscribe(channel, [](const Nats::StanMessage&) {}));
	auto t1 = Clock::now();
	const long threads2 = threads();
	const long rss2 = rssKiB();
	for (auto& sub : all) sub.close();
	auto t2 = Clock::now();
	all.clear();
	std::printf("subscriptions: %d\n", n);
	std::printf("threads before connect: %ld\n", threads0);
	std::printf("threads connected: %ld\n", threads1);
	std::printf("threads with subscriptions: %ld\n", threads2);
	std::printf("rss per idle subscription KiB: %.2f\n", static_cast<double>(rss2 - rss1) / n);
	std::printf("subscribe all ms: %.0f (%.1f us each)\n", ms(t0, t1), ms(t0, t1) * 1000 / n);
	std::printf("close all ms: %.0f (%.1f us each)\n", ms(t1, t2), ms(t1, t2) * 1000 / n);
	sc.close();
	return 0;
}

int conns(const Setup& s, int n)
{
	const long threads0 = threads();
	std::vector<std::unique_ptr<Nats::StanConnection>> all;
	auto t0 = Clock::now();
	for (int i = 0; i < n; ++i)
	{
		all.emplace_back(new Nats::StanConnection(s.cluster, id("conn", i), options(s)));
		all.back()->connect();
	}
	auto t1 = Clock::now();
	const long threads1 = threads();
	for (auto& c : all) c->close();
	all.clear();
	std::printf("connections: %d\n", n);
	std::printf("threads before: %ld\n", threads0);
	std::printf("threads connected: %ld (%.2f per connection)\n", threads1, static_cast<double>(threads1 - threads0) / n);
	std::printf("connect all ms: %.0f\n", ms(t0, t1));
	return 0;
}

int fanout(const Setup& s, int numSubs, int numMsgs)
{
	Nats::StanConnection sc(s.cluster, id("fanout-sub"), options(s));
	sc.connect();
	Nats::StanConnection pub(s.cluster, id("fanout-pub"), options(s));
	pub.connect();
	const std::string channel = id("fanout");
	const long long expected = static_cast<long long>(numSubs) * numMsgs;
	std::atomic<long long> received{0};
	std::mutex mutex;
	std::condition_variable cv;
	bool done = false;
	std::vector<Nats::StanSubscription> all;
	for (int i = 0; i < numSubs; ++i)
	{
		all.push_back(sc.subscribe(channel, [&](const Nats::StanMessage&) {
			if (++received == expected)
			{
				std::lock_guard<std::mutex> lock(mutex);
				done = true;
				cv.notify_all();
			}
		}));
	}
	const std::string payload(128, 'x');
	auto t0 = Clock::now();
	for (int i = 0; i < numMsgs; ++i) pub.publishAsync(channel, payload, nullptr);
	{
		std::unique_lock<std::mutex> lock(mutex);
		if (!cv.wait_for(lock, std::chrono::minutes(5), [&]() { return done; }))
		{
			std::fprintf(stderr, "fanout: only %lld of %lld delivered\n", received.load(), expected);
			return 1;
		}
	}
	auto t1 = Clock::now();
	std::printf("fanout: %d subscriptions x %d messages\n", numSubs, numMsgs);
	std::printf("threads: %ld\n", threads());
	std::printf("fanout msgs/s: %.0f\n", expected / (ms(t0, t1) / 1000));
	for (auto& sub : all) sub.close();
	return 0;
}

} // namespace

int main(int argc, char** argv)
{
	Setup s;
	std::vector<std::string> rest;
	for (int i = 1; i < argc; ++i)
	{
		std::string a = argv[i];
		if (a == "-s" && i + 1 < argc) s.url = argv[++i];
		else if (a == "-c" && i + 1 < argc) s.cluster = argv[++i];
		else if (a == "-pool" && i + 1 < argc) s.pool = std::atoi(argv[++i]);
		else if (a == "-shared") s.shared = true;
		else if (a == "-js") s.jetStream = true;
		else rest.push_back(a);
	}
	try
	{
		if (rest.size() == 2 && rest[0] == "subs") return subs(s, std::atoi(rest[1].c_str()));
		if (rest.size() == 2 && rest[0] == "conns") return conns(s, std::atoi(rest[1].c_str()));
		if (rest.size() == 3 && rest[0] == "fanout") return fanout(s, std::atoi(rest[1].c_str()), std::atoi(rest[2].c_str()));
	}
	catch (Poco::Exception& e)
	{
		std::cerr << "error: " << e.displayText() << '\n';
		return 1;
	}
	std::cerr << "usage: stan-threads-bench [-s url] [-c cluster] [-pool n] [-shared] [-js] subs <N> | conns <N> | fanout <S> <M>\n";
	return 2;
}
