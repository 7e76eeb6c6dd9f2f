//
// nats-bench.cpp
//
// Throughput of the core client: publish-only or publish + subscribe, fixed message size.
//
//   nats-bench [-s url] [-subj subject] [-n count] [-size bytes] [-mode pub|pubsub]
//
// Prints "pub: <n> msgs x <size> B in <t> s = <rate> msgs/s" and, in pubsub mode, the same for
// "sub". The subscriber uses its own connection with unlimited pending limits (nothing dropped).
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>

namespace {

void usage()
{
	std::cerr << "usage: nats-bench [-s url] [-subj subject] [-n count] [-size bytes] [-mode pub|pubsub]\n";
	std::exit(2);
}

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b)
{
	return std::chrono::duration<double>(b - a).count();
}

void report(const char* what, long long n, int size, double secs)
{
	std::printf("%s: %lld msgs x %d B in %.3f s = %.0f msgs/s (%.1f MB/s)\n", what, n, size, secs, n / secs, n * double(size) / secs / 1e6);
	std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
	std::string url = "nats://127.0.0.1:4222";
	std::string subject = "bench.core";
	long long count = 1000000;
	int size = 128;
	std::string mode = "pub";
	for (int i = 1; i < argc; ++i)
	{
		std::string a = argv[i];
		if (i + 1 >= argc) usage();
		std::string v = argv[++i];
		if (a == "-s")
			url = v;
		else if (a == "-subj")
			subject = v;
		else if (a == "-n")
			count = std::atoll(v.c_str());
		else if (a == "-size")
			size = std::atoi(v.c_str());
		else if (a == "-mode")
			mode = v;
		else
			usage();
	}
	if (count <= 0 || size < 0 || (mode != "pub" && mode != "pubsub")) usage();
	try
	{
		Nats::Options options;
		options.servers = {url};
		options.name = "nats-bench";
		std::string payload(static_cast<std::size_t>(size), 'x');

		std::unique_ptr<Nats::Connection> pSubConn;
		std::atomic<long long> received{0};
		std::mutex mutex;
		std::condition_variable done;
		std::chrono::steady_clock::time_point firstAt, lastAt;
		if (mode == "pubsub")
		{
			pSubConn.reset(new Nats::Connection(options));
			pSubConn->connect();
			Nats::Subscription sub = pSubConn->subscribe(subject, [&](const Nats::Message&) {
				long long n = ++received;
				if (n == 1) firstAt = std::chrono::steady_clock::now();
				if (n == count)
				{
					std::lock_guard<std::mutex> lock(mutex);
					lastAt = std::chrono::steady_clock::now();
					done.notify_all();
				}
			});
			sub.setPendingLimits(-1, -1);
			pSubConn->flush(Poco::Timespan(10, 0));
		}

		Nats::Connection conn(options);
		conn.connect();
		auto start = std::chrono::steady_clock::now();
		for (long long i = 0; i < count; ++i) conn.publish(subject, payload.data(), payload.size());
		conn.flush(Poco::Timespan(120, 0));
		auto end = std::chrono::steady_clock::now();
		report("pub", count, size, seconds(start, end));

		if (mode == "pubsub")
		{
			std::unique_lock<std::mutex> lock(mutex);
			if (!done.wait_for(lock, std::chrono::seconds(120), [&]() { return received.load() >= count; }))
			{
				std::fprintf(stderr, "subscriber received %lld of %lld\n", received.load(), count);
				return 1;
			}
			report("sub", count, size, seconds(start, lastAt));
		}
		conn.close();
		if (pSubConn) pSubConn->close();
	}
	catch (Poco::Exception& e)
	{
		std::cerr << "nats-bench: " << e.displayText() << std::endl;
		return 1;
	}
	return 0;
}
