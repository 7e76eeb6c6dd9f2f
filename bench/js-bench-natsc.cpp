//
// js-bench-natsc.cpp
//
// The baseline of bench/js-bench: the same flags, work and report on nats.c's JetStream API
// (Debian libnats-dev): js_PublishAsync / js_Publish into a memory stream named after the
// channel, js_Subscribe (auto-ack, flow control and 5 s heartbeats as our backend) for the replay.
// Every publish carries a unique Nats-Msg-Id, as our backend's do (the guid), so the server does the
// same de-duplication work for both clients.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "NatsCBench.h"
#include "StanBenchReport.h"
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stdexcept>

using namespace Nats::Bench;

namespace {

struct SubCtx
{
	Sample* pSample = nullptr;
	std::atomic<long long> count{0};
	long long expected = 0;
	std::mutex mutex;
	std::condition_variable cv;
};

void onMsg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure)
{
	SubCtx* c = static_cast<SubCtx*>(closure);
	long long k = ++c->count;
	if (k == 1) c->pSample->start = Clock::now();
	c->pSample->bytes += natsMsg_GetDataLength(msg);
	natsMsg_Ack(msg, nullptr);
	natsMsg_Destroy(msg);
	if (k == c->expected)
	{
		c->pSample->end = Clock::now();
		std::lock_guard<std::mutex> lock(c->mutex);
		c->cv.notify_all();
	}
}

std::atomic<long long> asyncErrors{0};

void onPubErr(jsCtx*, jsPubAckErr*, void*)
{
	++asyncErrors;
}

} // namespace

int main(int argc, char** argv)
{
	Args a;
	const int status = parseArgs("js-bench-natsc", argc, argv, a);
	if (status >= 0) return status;
	if (!singlePublisherAndSubscriber("js-bench-natsc", a)) return 2;
	const std::string payload(static_cast<std::size_t>(a.msgSize), 'a');
	const double cpuStart = cpuSeconds();
	std::vector<Sample> pubSamples(static_cast<std::size_t>(a.numPubs));
	std::vector<Sample> subSamples(static_cast<std::size_t>(a.numSubs));
	natsConnection* nc = nullptr;
	jsCtx* js = nullptr;
	try
	{
		check(natsConnection_ConnectTo(&nc, a.urls.c_str()), "connect");
		jsOptions jo;
		jsOptions_Init(&jo);
		jo.PublishAsync.MaxPending = a.maxPubAcks;
		jo.PublishAsync.ErrHandler = onPubErr;
		jo.PublishAsync.StallWait = 60000;
		check(natsConnection_JetStream(&js, nc, &jo), "jetstream");
		// The stream our backend would create for the channel (bench channels need no escaping).
		jsStreamConfig cfg;
		jsStreamConfig_Init(&cfg);
		cfg.Name = a.channel.c_str();
		const char* subjects[] = {a.channel.c_str()};
		cfg.Subjects = subjects;
		cfg.SubjectsLen = 1;
		cfg.Storage = js_MemoryStorage;
		jsErrCode jerr = static_cast<jsErrCode>(0);
		jsStreamInfo* si = nullptr;
		natsStatus s = js_AddStream(&si, js, &cfg, nullptr, &jerr);
		if (s != NATS_OK && jerr != JSStreamNameExistErr) check(s, "add stream");
		if (si) jsStreamInfo_Destroy(si);
		if (a.numPubs)
		{
			Sample& p = pubSamples[0];
			p.name = "pub-0";
			// A 22-character id like our NUID guids: a per-run prefix and a counter.
			char msgId[32];
			const unsigned prefix = static_cast<unsigned>(Clock::now().time_since_epoch().count() & 0xffffff);
			jsPubOptions mo;
			p.start = Clock::now();
			for (long long k = 0; k < a.numMsgs; ++k)
			{
				std::snprintf(msgId, sizeof msgId, "%08x%014lld", prefix, k);
				jsPubOptions_Init(&mo);
				mo.MsgId = msgId;
				if (a.sync)
				{
					jsPubAck* pa = nullptr;
					check(js_Publish(&pa, js, a.channel.c_str(), payload.data(), static_cast<int>(payload.size()), &mo, &jerr), "publish");
					jsPubAck_Destroy(pa);
				}
				else
				{
					check(js_PublishAsync(js, a.channel.c_str(), payload.data(), static_cast<int>(payload.size()), &mo), "publish async");
				}
			}
			if (!a.sync)
			{
				jsPubOptions po;
				jsPubOptions_Init(&po);
				po.MaxWait = 600000;
				check(js_PublishAsyncComplete(js, &po), "publish async complete");
				if (asyncErrors.load())
				{
					std::fprintf(stderr, "js-bench-natsc: %lld publish errors\n", asyncErrors.load());
					return 1;
				}
			}
			p.finish(a.numMsgs, payload.size());
		}
		if (a.numSubs)
		{
			SubCtx ctx;
			subSamples[0].name = "sub-0";
			ctx.pSample = &subSamples[0];
			ctx.expected = a.numMsgs;
			jsSubOptions so;
			jsSubOptions_Init(&so);
			so.Stream = a.channel.c_str();
			so.Config.DeliverPolicy = a.ignoreOld ? js_DeliverNew : js_DeliverAll;
			so.Config.AckPolicy = js_AckExplicit;
			so.Config.MaxAckPending = 1024;  // our default maxInflight
			so.Config.FlowControl = true;
			so.Config.Heartbeat = 5000000000LL;
			natsSubscription* sub = nullptr;
			check(js_Subscribe(&sub, js, a.channel.c_str(), onMsg, &ctx, nullptr, &so, &jerr), "subscribe");
			{
				std::unique_lock<std::mutex> lock(ctx.mutex);
				if (!ctx.cv.wait_for(lock, std::chrono::minutes(10), [&]() { return ctx.count.load() >= a.numMsgs; }))
					throw std::runtime_error("subscriber did not receive all messages");
			}
			subSamples[0].msgs = ctx.count.load();
			natsSubscription_Unsubscribe(sub);
			natsSubscription_Destroy(sub);
		}
	}
	catch (const std::exception& exc)
	{
		std::fprintf(stderr, "js-bench-natsc: %s\n", exc.what());
		return 1;
	}
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	report("js-bench-natsc", a, cpuSeconds() - cpuStart, pubSamples, subSamples);
	return 0;
}
