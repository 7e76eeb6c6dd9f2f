//
// stan-bench.cpp
//
// NATS Streaming benchmark with the flags of the Go stan-bench (nats-io/stan.go
// examples/stan-bench), on our streaming client:
//
//     stan-bench [-s urls] [-c cluster] [-id clientID] [-np pubs] [-ns subs] [-n msgs] [-ms size]
//                [-mpa maxPubAcksInflight] [-sync] [-a] [-qgroup group] [-io] [-csv file] [channel]
//
// Subscribers start first (all available messages unless -io), then the publishers publish
// -n messages in total (async with an ack handler, or -sync). Prints msgs/s per side and the
// process CPU time per message (user + sys, getrusage).
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/StanConnection.h"
#include "Nats/Exception.h"
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
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args
{
	std::string urls = "nats://127.0.0.1:4222";
	std::string cluster = "test-cluster";
	std::string clientId = "benchmark";
	int numPubs = 1;
	int numSubs = 0;
	long long numMsgs = 100000;
	int msgSize = 128;
	int maxPubAcks = 1000;
	bool sync = false;
	bool ignoreOld = false;
	std::string queue;
	std::string csv;
	std::string channel = "foo";
};

void usage()
{
	std::cerr << "Usage: stan-bench [-s urls] [-c cluster] [-id clientID] [-np pubs] [-ns subs] [-n msgs] [-ms size]\n"
	             "                  [-mpa maxPubAcksInflight] [-sync] [-a] [-qgroup group] [-io] [-csv file] [channel]\n";
}

bool parse(int argc, char** argv, Args& a)
{
	for (int i = 1; i < argc; ++i)
	{
		std::string f = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc) throw std::invalid_argument("missing value for " + f);
			return argv[++i];
		};
		if (f == "-s") a.urls = value();
		else if (f == "-c") a.cluster = value();
		else if (f == "-id") a.clientId = value();
		else if (f == "-np") a.numPubs = std::stoi(value());
		else if (f == "-ns") a.numSubs = std::stoi(value());
		else if (f == "-n") a.numMsgs = std::stoll(value());
		else if (f == "-ms") a.msgSize = std::stoi(value());
		else if (f == "-mpa") a.maxPubAcks = std::stoi(value());
		else if (f == "-sync") a.sync = true;
		else if (f == "-a") a.sync = false;
		else if (f == "-io") a.ignoreOld = true;
		else if (f == "-qgroup") a.queue = value();
		else if (f == "-csv") a.csv = value();
		else if (f == "-h" || f == "--help") return false;
		else if (!f.empty() && f[0] == '-') throw std::invalid_argument("unknown flag " + f);
		else a.channel = f;
	}
	if (a.numPubs < 0 || a.numSubs < 0 || a.numMsgs <= 0 || a.msgSize < 0 || a.maxPubAcks < 1)
		throw std::invalid_argument("invalid numbers");
	if (a.numPubs == 0 && a.numSubs == 0) throw std::invalid_argument("nothing to do: -np 0 and -ns 0");
	return true;
}

double cpuSeconds()
{
	rusage ru{};
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

struct Sample
{
	std::string name;
	long long msgs = 0;
	long long bytes = 0;
	Clock::time_point start;
	Clock::time_point end;
	double seconds() const { return std::chrono::duration<double>(end - start).count(); }
	double rate() const { return seconds() > 0 ? msgs / seconds() : 0; }
};

std::string human(double v)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.0f", v);
	std::string s = buf;
	for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
	return s;
}

void printGroup(const char* title, const std::vector<Sample>& samples)
{
	if (samples.empty()) return;
	Sample agg;
	agg.start = samples[0].start;
	agg.end = samples[0].end;
	for (const auto& s : samples)
	{
		agg.msgs += s.msgs;
		agg.bytes += s.bytes;
		if (s.start < agg.start) agg.start = s.start;
		if (s.end > agg.end) agg.end = s.end;
	}
	std::printf("%s stats: %s msgs/sec ~ %.2f MB/sec\n", title, human(agg.rate()).c_str(), agg.bytes / agg.seconds() / (1024.0 * 1024.0));
	if (samples.size() > 1)
		for (std::size_t i = 0; i < samples.size(); ++i)
			std::printf(" [%zu] %s msgs/sec ~ %.2f MB/sec (%lld msgs)\n", i + 1, human(samples[i].rate()).c_str(),
				samples[i].bytes / samples[i].seconds() / (1024.0 * 1024.0), samples[i].msgs);
}

} // namespace

int main(int argc, char** argv)
{
	Args a;
	try
	{
		if (!parse(argc, argv, a))
		{
			usage();
			return 0;
		}
	}
	catch (std::exception& exc)
	{
		std::cerr << "stan-bench: " << exc.what() << "\n";
		usage();
		return 2;
	}

	const std::string payload(static_cast<std::size_t>(a.msgSize), 'a');
	const double cpuStart = cpuSeconds();
	std::printf("Starting benchmark [msgs=%lld, msgsize=%d, pubs=%d, subs=%d, %s]\n", a.numMsgs, a.msgSize, a.numPubs, a.numSubs,
		a.sync ? "sync" : "async");

	std::mutex mutex;
	std::condition_variable cv;
	int subsReady = 0;
	int subsDone = 0;
	std::atomic<long long> groupReceived{0};
	std::vector<Sample> subSamples(static_cast<std::size_t>(a.numSubs));
	std::vector<Sample> pubSamples(static_cast<std::size_t>(a.numPubs));
	std::atomic<int> failures{0};

	try
	{
		std::vector<std::unique_ptr<Nats::StanConnection>> subConns;
		std::vector<Nats::StanSubscription> subs;
		std::vector<std::unique_ptr<std::atomic<long long>>> counts;
		for (int i = 0; i < a.numSubs; ++i)
		{
			Nats::StanOptions o;
			o.natsUrl = a.urls;
			subConns.emplace_back(new Nats::StanConnection(a.cluster, a.clientId + "-sub-" + std::to_string(i), o));
			subConns.back()->connect();
			counts.emplace_back(new std::atomic<long long>(0));
			Sample* pSample = &subSamples[static_cast<std::size_t>(i)];
			pSample->name = "sub-" + std::to_string(i);
			std::atomic<long long>* pCount = counts.back().get();
			const long long expected = a.numMsgs;
			const bool queue = !a.queue.empty();
			auto handler = [&, pSample, pCount, expected, queue](const Nats::StanMessage& m) {
				long long n = ++*pCount;
				if (n == 1) pSample->start = Clock::now();
				pSample->msgs = n;
				pSample->bytes += static_cast<long long>(m.data().size());
				bool done = queue ? (++groupReceived == expected) : (n == expected);
				if (done)
				{
					pSample->end = Clock::now();
					std::lock_guard<std::mutex> lock(mutex);
					subsDone += queue ? a.numSubs : 1;
					cv.notify_all();
				}
				else if (queue)
				{
					pSample->end = Clock::now();
				}
			};
			Nats::StanSubscriptionOptions so;
			if (!a.ignoreOld) so.deliverAllAvailable();
			if (queue)
				subs.push_back(subConns.back()->queueSubscribe(a.channel, a.queue, handler, so));
			else
				subs.push_back(subConns.back()->subscribe(a.channel, handler, so));
			++subsReady;
		}

		std::vector<std::thread> pubs;
		for (int i = 0; i < a.numPubs; ++i)
		{
			long long share = a.numMsgs / a.numPubs + (i == 0 ? a.numMsgs % a.numPubs : 0);
			pubs.emplace_back([&, i, share]() {
				try
				{
					Nats::StanOptions o;
					o.natsUrl = a.urls;
					o.maxPubAcksInflight = a.maxPubAcks;
					Nats::StanConnection sc(a.cluster, a.clientId + "-pub-" + std::to_string(i), o);
					sc.connect();
					Sample& s = pubSamples[static_cast<std::size_t>(i)];
					s.name = "pub-" + std::to_string(i);
					// One pointer of captured state keeps the handler inside std::function's small buffer
					// (no allocation per publish), like the closure pointer of the nats.c API.
					struct AckState
					{
						std::mutex mutex;
						std::condition_variable cv;
						long long acked = 0;
						long long errors = 0;
						long long share = 0;
					} st;
					st.share = share;
					s.start = Clock::now();
					if (a.sync)
					{
						for (long long k = 0; k < share; ++k) sc.publish(a.channel, payload);
					}
					else
					{
						AckState* pState = &st;
						Nats::StanAckHandler onAck = [pState](const std::string&, const std::string& err) {
							std::lock_guard<std::mutex> lock(pState->mutex);
							if (!err.empty()) ++pState->errors;
							if (++pState->acked == pState->share) pState->cv.notify_all();
						};
						for (long long k = 0; k < share; ++k) sc.publishAsync(a.channel, payload, onAck);
						std::unique_lock<std::mutex> lock(st.mutex);
						st.cv.wait(lock, [&]() { return st.acked == share; });
						if (st.errors)
						{
							std::fprintf(stderr, "pub-%d: %lld publish errors\n", i, st.errors);
							++failures;
						}
					}
					s.end = Clock::now();
					s.msgs = share;
					s.bytes = share * static_cast<long long>(payload.size());
					sc.close();
				}
				catch (Poco::Exception& exc)
				{
					std::fprintf(stderr, "pub-%d: %s\n", i, exc.displayText().c_str());
					++failures;
				}
			});
		}
		for (auto& t : pubs) t.join();
		if (a.numSubs > 0)
		{
			std::unique_lock<std::mutex> lock(mutex);
			if (!cv.wait_for(lock, std::chrono::minutes(10), [&]() { return subsDone >= a.numSubs; }))
			{
				std::fprintf(stderr, "subscribers did not receive all messages\n");
				++failures;
			}
		}
		for (auto& s : subs) s.close();
		for (auto& c : subConns) c->close();
	}
	catch (Poco::Exception& exc)
	{
		std::fprintf(stderr, "stan-bench: %s\n", exc.displayText().c_str());
		return 1;
	}
	const double cpu = cpuSeconds() - cpuStart;

	if (a.numPubs > 0) printGroup("Pub", pubSamples);
	if (a.numSubs > 0) printGroup("Sub", subSamples);
	long long handled = (a.numPubs > 0 ? a.numMsgs : 0) + (a.numSubs > 0 ? a.numMsgs * (a.queue.empty() ? a.numSubs : 1) : 0);
	std::printf("CPU: %.3f s user+sys, %.3f us/msg over %lld msgs handled\n", cpu, cpu * 1e6 / static_cast<double>(handled), handled);

	if (!a.csv.empty())
	{
		std::ofstream out(a.csv);
		out << "#RunID, ClientID, MsgCount, MsgBytes, MsgsPerSec, BytesPerSec, DurationSecs\n";
		for (const auto* group : {&pubSamples, &subSamples})
			for (const auto& s : *group)
				out << "stan-bench, " << s.name << ", " << s.msgs << ", " << s.bytes << ", " << static_cast<long long>(s.rate()) << ", "
				    << static_cast<long long>(s.bytes / s.seconds()) << ", " << s.seconds() << "\n";
	}
	return failures.load() ? 1 : 0;
}
