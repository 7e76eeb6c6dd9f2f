//
// stan-bench-natsc.cpp
//
// The baseline of demo/stan-bench: the same flags, work and report, on the nats.c streaming
// client (Debian libnats-dev). bench/run-stan.sh runs both against the same server.
//
// SPDX-License-Identifier: Apache-2.0
//

#define NATS_HAS_STREAMING
#include "NatsCBench.h"
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
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace {

using namespace Nats::Bench;

struct SubCtx
{
	Sample* pSample = nullptr;
	long long count = 0;
	long long expected = 0;
	bool queue = false;
	std::atomic<long long>* pGroup = nullptr;
	std::mutex* pMutex = nullptr;
	std::condition_variable* pCv = nullptr;
	int* pDone = nullptr;
	int numSubs = 0;
};

void onMsg(stanConnection*, stanSubscription*, const char*, stanMsg* msg, void* closure)
{
	SubCtx* c = static_cast<SubCtx*>(closure);
	long long n = ++c->count;
	if (n == 1) c->pSample->start = Clock::now();
	c->pSample->msgs = n;
	c->pSample->bytes += stanMsg_GetDataLength(msg);
	stanMsg_Destroy(msg);
	bool done = c->queue ? (++*c->pGroup == c->expected) : (n == c->expected);
	c->pSample->end = Clock::now();
	if (done)
	{
		std::lock_guard<std::mutex> lock(*c->pMutex);
		*c->pDone += c->queue ? c->numSubs : 1;
		c->pCv->notify_all();
	}
}

void onAck(const char*, const char* error, void* closure)
{
	static_cast<AckCounter*>(closure)->acked(error && *error);
}

stanConnOptions* connOptions(const Args& a, int maxPubAcks)
{
	stanConnOptions* o = nullptr;
	check(stanConnOptions_Create(&o), "stanConnOptions_Create");
	check(stanConnOptions_SetURL(o, a.urls.c_str()), "stanConnOptions_SetURL");
	check(stanConnOptions_SetMaxPubAcksInflight(o, maxPubAcks, 0.5f), "stanConnOptions_SetMaxPubAcksInflight");
	return o;
}

} // namespace

int main(int argc, char** argv)
{
	Args a;
	const int status = parseArgs("stan-bench-natsc", argc, argv, a);
	if (status >= 0) return status;
	const double cpuStart = cpuSeconds();
	const std::string payload = printStart(a, " (nats.c streaming client)");
	std::mutex mutex;
	std::condition_variable cv;
	int subsDone = 0;
	std::atomic<long long> groupReceived{0};
	std::vector<Sample> subSamples(static_cast<std::size_t>(a.numSubs));
	std::vector<Sample> pubSamples(static_cast<std::size_t>(a.numPubs));
	std::atomic<int> failures{0};
	std::vector<stanConnection*> subConns;
	std::vector<stanSubscription*> subs;
	std::vector<std::unique_ptr<SubCtx>> ctxs;
	try
	{
		for (int i = 0; i < a.numSubs; ++i)
		{
			stanConnOptions* o = connOptions(a, 16384);
			stanConnection* sc = nullptr;
			std::string id = a.clientId + "-sub-" + std::to_string(i);
			check(stanConnection_Connect(&sc, a.cluster.c_str(), id.c_str(), o), "stanConnection_Connect");
			stanConnOptions_Destroy(o);
			subConns.push_back(sc);
			ctxs.emplace_back(new SubCtx());
			SubCtx* c = ctxs.back().get();
			c->pSample = &subSamples[static_cast<std::size_t>(i)];
			c->pSample->name = "sub-" + std::to_string(i);
			c->expected = a.numMsgs;
			c->queue = !a.queue.empty();
			c->pGroup = &groupReceived;
			c->pMutex = &mutex;
			c->pCv = &cv;
			c->pDone = &subsDone;
			c->numSubs = a.numSubs;
			stanSubOptions* so = nullptr;
			check(stanSubOptions_Create(&so), "stanSubOptions_Create");
			if (!a.ignoreOld) check(stanSubOptions_DeliverAllAvailable(so), "DeliverAllAvailable");
			stanSubscription* sub = nullptr;
			if (c->queue)
				check(stanConnection_QueueSubscribe(&sub, sc, a.channel.c_str(), a.queue.c_str(), onMsg, c, so), "QueueSubscribe");
			else
				check(stanConnection_Subscribe(&sub, sc, a.channel.c_str(), onMsg, c, so), "Subscribe");
			stanSubOptions_Destroy(so);
			subs.push_back(sub);
		}
		std::vector<std::thread> pubs;
		for (int i = 0; i < a.numPubs; ++i)
		{
			long long share = publisherShare(a, i);
			pubs.emplace_back([&, i, share]() {
				stanConnection* sc = nullptr;
				try
				{
					stanConnOptions* o = connOptions(a, a.maxPubAcks);
					std::string id = a.clientId + "-pub-" + std::to_string(i);
					check(stanConnection_Connect(&sc, a.cluster.c_str(), id.c_str(), o), "stanConnection_Connect");
					stanConnOptions_Destroy(o);
					Sample& s = pubSamples[static_cast<std::size_t>(i)];
					s.name = "pub-" + std::to_string(i);
					AckCounter ctx(share);
					s.start = Clock::now();
					if (a.sync)
					{
						for (long long k = 0; k < share; ++k)
							check(stanConnection_Publish(sc, a.channel.c_str(), payload.data(), static_cast<int>(payload.size())), "Publish");
					}
					else
					{
						for (long long k = 0; k < share; ++k)
							check(stanConnection_PublishAsync(sc, a.channel.c_str(), payload.data(), static_cast<int>(payload.size()), onAck, &ctx),
								"PublishAsync");
						const long long errors = ctx.waitAll();
						if (errors)
						{
							std::fprintf(stderr, "pub-%d: %lld publish errors\n", i, errors);
							++failures;
						}
					}
					s.finish(share, payload.size());
				}
				catch (std::exception& exc)
				{
					std::fprintf(stderr, "pub-%d: %s\n", i, exc.what());
					++failures;
				}
				if (sc)
				{
					stanConnection_Close(sc);
					stanConnection_Destroy(sc);
				}
			});
		}
		for (auto& t : pubs) t.join();
		if (!awaitSubscribers(mutex, cv, subsDone, a.numSubs)) ++failures;
	}
	catch (std::exception& exc)
	{
		std::fprintf(stderr, "stan-bench-natsc: %s\n", exc.what());
		return 1;
	}
	for (auto* s : subs) stanSubscription_Close(s);
	for (auto* s : subs) stanSubscription_Destroy(s);
	for (auto* c : subConns)
	{
		stanConnection_Close(c);
		stanConnection_Destroy(c);
	}
	const double cpu = cpuSeconds() - cpuStart;
	report("stan-bench-natsc", a, cpu, pubSamples, subSamples);
	nats_Close();
	return failures.load() ? 1 : 0;
}
