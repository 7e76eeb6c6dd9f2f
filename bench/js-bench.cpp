//
// js-bench.cpp
//
// The JetStream benchmark of our streaming API: demo/stan-bench's flags and report
// (demo/StanBenchReport.h) with StanOptions::Backend::JETSTREAM, one publisher and/or one
// subscriber. bench/run-js.sh runs it beside bench/js-bench-natsc (nats.c's JetStream API).
// Streams are created in memory storage by both.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "StanBenchReport.h"
#include "Nats/StanConnection.h"
#include "Nats/Exception.h"
#include <atomic>
#include <condition_variable>
#include <mutex>

using namespace Nats::Bench;

int main(int argc, char** argv)
{
	Args a;
	const int status = parseArgs("js-bench", argc, argv, a);
	if (status >= 0) return status;
	if (!singlePublisherAndSubscriber("js-bench", a)) return 2;
	const std::string payload(static_cast<std::size_t>(a.msgSize), 'a');
	const double cpuStart = cpuSeconds();
	std::vector<Sample> pubSamples(static_cast<std::size_t>(a.numPubs));
	std::vector<Sample> subSamples(static_cast<std::size_t>(a.numSubs));
	try
	{
		Nats::StanOptions o;
		o.natsUrl = a.urls;
		o.backend = Nats::StanOptions::Backend::JETSTREAM;
		o.jetStream.memoryStorage = true;
		o.maxPubAcksInflight = a.maxPubAcks;
		Nats::StanConnection sc(a.cluster, a.clientId, o);
		sc.connect();
		if (a.numPubs)
		{
			Sample& s = pubSamples[0];
			s.name = "pub-0";
			AckCounter acks(a.numMsgs);
			s.start = Clock::now();
			if (a.sync)
			{
				for (long long k = 0; k < a.numMsgs; ++k) sc.publish(a.channel, payload);
			}
			else
			{
				AckCounter* pAcks = &acks;
				Nats::StanAckHandler onAck = [pAcks](const std::string&, const std::string& err) { pAcks->acked(!err.empty()); };
				for (long long k = 0; k < a.numMsgs; ++k) sc.publishAsync(a.channel, payload, onAck);
				const long long errors = acks.waitAll();
				if (errors)
				{
					std::fprintf(stderr, "js-bench: %lld publish errors\n", errors);
					return 1;
				}
			}
			s.finish(a.numMsgs, payload.size());
		}
		if (a.numSubs)
		{
			Sample& s = subSamples[0];
			s.name = "sub-0";
			std::mutex mutex;
			std::condition_variable cv;
			std::atomic<long long> n{0};
			Nats::StanSubscriptionOptions so;
			if (!a.ignoreOld) so.deliverAllAvailable();
			Nats::StanSubscription sub = sc.subscribe(a.channel, [&](const Nats::StanMessage& m) {
				long long k = ++n;
				if (k == 1) s.start = Clock::now();
				s.bytes += static_cast<long long>(m.data().size());
				if (k == a.numMsgs)
				{
					s.end = Clock::now();
					std::lock_guard<std::mutex> lock(mutex);
					cv.notify_all();
				}
			}, so);
			std::unique_lock<std::mutex> lock(mutex);
			if (!cv.wait_for(lock, std::chrono::minutes(10), [&]() { return n.load() >= a.numMsgs; }))
			{
				std::fprintf(stderr, "js-bench: subscriber did not receive all messages\n");
				return 1;
			}
			s.msgs = n.load();
			lock.unlock();
			sub.close();
		}
		sc.close();
	}
	catch (const Poco::Exception& exc)
	{
		std::fprintf(stderr, "js-bench: %s\n", exc.displayText().c_str());
		return 1;
	}
	report("js-bench", a, cpuSeconds() - cpuStart, pubSamples, subSamples);
	return 0;
}
