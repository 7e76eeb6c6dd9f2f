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
#include "StanBenchReport.h"
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

using namespace Nats::Bench;

int main(int argc, char** argv)
{
	Args a;
	const int status = parseArgs("stan-bench", argc, argv, a);
	if (status >= 0) return status;

	const double cpuStart = cpuSeconds();
	const std::string payload = printStart(a, "");

	std::mutex mutex;
	std::condition_variable cv;
	int subsReady = 0;
	int subsDone = 0;
	std::atomic<long long> groupReceived{0};
	std::vector<Sample> subSamples(static_cast<std::size_t>(a.numSubs));
	std::vector<Sample> pubSamples(static_cast<std::size_t>(a.numPubs));
	std::atomic<int> failures{0};
	std::atomic<long long> published{0};

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

		const long long expectedReceived = a.queue.empty() ? a.numMsgs * a.numSubs : (a.numSubs > 0 ? a.numMsgs : 0);
		ProgressLine progress([&]() {
			long long received = 0;
			for (const auto& c : counts) received += c->load();
			return "progress: published " + std::to_string(published.load()) + "/" + std::to_string(a.numPubs > 0 ? a.numMsgs : 0) +
				", received " + std::to_string(received) + "/" + std::to_string(expectedReceived);
		});

		std::vector<std::thread> pubs;
		for (int i = 0; i < a.numPubs; ++i)
		{
			long long share = publisherShare(a, i);
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
					AckCounter acks(share);
					s.start = Clock::now();
					if (a.sync)
					{
						for (long long k = 0; k < share; ++k)
						{
							sc.publish(a.channel, payload);
							if ((k & 1023) == 1023) published.fetch_add(1024, std::memory_order_relaxed);
						}
					}
					else
					{
						// One pointer of captured state keeps the handler inside std::function's small buffer
						// (no allocation per publish), like the closure pointer of the nats.c API.
						AckCounter* pAcks = &acks;
						Nats::StanAckHandler onAck = [pAcks](const std::string&, const std::string& err) { pAcks->acked(!err.empty()); };
						for (long long k = 0; k < share; ++k)
						{
							sc.publishAsync(a.channel, payload, onAck);
							if ((k & 1023) == 1023) published.fetch_add(1024, std::memory_order_relaxed);
						}
						const long long errors = acks.waitAll();
						if (errors)
						{
							std::fprintf(stderr, "pub-%d: %lld publish errors\n", i, errors);
							++failures;
						}
					}
					published.fetch_add(share & 1023, std::memory_order_relaxed);
					s.finish(share, payload.size());
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
		if (!awaitSubscribers(mutex, cv, subsDone, a.numSubs)) ++failures;
		for (auto& s : subs) s.close();
		for (auto& c : subConns) c->close();
	}
	catch (Poco::Exception& exc)
	{
		std::fprintf(stderr, "stan-bench: %s\n", exc.displayText().c_str());
		return 1;
	}
	if (failures.load())
	{
		std::fprintf(stderr, "stan-bench: failed\n");
		return 1;
	}
	const double cpu = cpuSeconds() - cpuStart;
	report("stan-bench", a, cpu, pubSamples, subSamples);
	return 0;
}
