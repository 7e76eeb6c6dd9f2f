//
// stan-bench-natsc.cpp
//
// The baseline of demo/stan-bench: the same flags, work and report, on the nats.c streaming
// client (Debian libnats-dev). bench/run-stan.sh runs both against the same server.
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
	std::cerr << "Usage: stan-bench-natsc [-s urls] [-c cluster] [-id clientID] [-np pubs] [-ns subs] [-n msgs] [-ms size]\n"
	             "                        [-mpa maxPubAcksInflight] [-sync] [-a] [-qgroup group] [-io] [-csv file] [channel]\n";
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


void check(natsStatus s, const char* what)
{
	if (s != NATS_OK)
	{
		const char* text = nats_GetLastError(nullptr);
		throw std::runtime_error(std::string(what) + ": " + natsStatus_GetText(s) + (text ? std::string(" ") + text : std::string()));
	}
}

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

struct PubCtx
{
	std::mutex mutex;
	std::condition_variable cv;
	long long acked = 0;
	long long errors = 0;
	long long share = 0;
};

void onAck(const char*, const char* error, void* closure)
{
	PubCtx* c = static_cast<PubCtx*>(closure);
	std::lock_guard<std::mutex> lock(c->mutex);
	if (error && *error) ++c->errors;
	if (++c->acked == c->share) c->cv.notify_all();
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
		std::cerr << "stan-bench-natsc: " << exc.what() << "\n";
		usage();
		return 2;
	}
	const std::string payload(static_cast<std::size_t>(a.msgSize), 'a');
	const double cpuStart = cpuSeconds();
	std::printf("Starting benchmark [msgs=%lld, msgsize=%d, pubs=%d, subs=%d, %s] (nats.c streaming client)\n", a.numMsgs, a.msgSize,
		a.numPubs, a.numSubs, a.sync ? "sync" : "async");
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
			long long share = a.numMsgs / a.numPubs + (i == 0 ? a.numMsgs % a.numPubs : 0);
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
					PubCtx ctx;
					ctx.share = share;
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
						std::unique_lock<std::mutex> lock(ctx.mutex);
						ctx.cv.wait(lock, [&]() { return ctx.acked == share; });
						if (ctx.errors)
						{
							std::fprintf(stderr, "pub-%d: %lld publish errors\n", i, ctx.errors);
							++failures;
						}
					}
					s.end = Clock::now();
					s.msgs = share;
					s.bytes = share * static_cast<long long>(payload.size());
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
		if (a.numSubs > 0)
		{
			std::unique_lock<std::mutex> lock(mutex);
			if (!cv.wait_for(lock, std::chrono::minutes(10), [&]() { return subsDone >= a.numSubs; }))
			{
				std::fprintf(stderr, "subscribers did not receive all messages\n");
				++failures;
			}
		}
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
				out << "stan-bench-natsc, " << s.name << ", " << s.msgs << ", " << s.bytes << ", " << static_cast<long long>(s.rate()) << ", "
				    << static_cast<long long>(s.bytes / s.seconds()) << ", " << s.seconds() << "\n";
	}
	nats_Close();
	return failures.load() ? 1 : 0;
}
