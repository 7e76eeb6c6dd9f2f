//
// alloc-bench.cpp
//
// Heap allocations per message on the client's hot paths (issue #10), against a running
// nats-server + streaming server (bench/run-alloc.sh starts both):
//
//     alloc-bench -s <url> -c <cluster> core <N>      core async subscription, N messages delivered
//     alloc-bench -s <url> -c <cluster> stan <N>      streaming async subscription (replay + auto-ack)
//     alloc-bench -s <url> -c <cluster> pubasync <N>  streaming publishAsync() + its pub ack
//
// This binary replaces the global operator new/delete with a counting version. The messages of
// "core" and "stan" are published by a forked child process, so the counter of this process only
// sees the receiving side. The first tenth of the messages is a warm-up (buffers, pools and
// queues reach their steady size); the figure is the number of operator new calls between
// message N/10 and message N, divided by the number of messages in between. It counts every
// thread of the process (reader, dispatcher, flusher, timer), so it is the whole cost per
// message. Prints "key: value" lines. Speed is measured here, never asserted in tests.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

std::atomic<unsigned long long> g_allocations{0};

void* countedAlloc(std::size_t size)
{
	g_allocations.fetch_add(1, std::memory_order_relaxed);
	void* p = std::malloc(size ? size : 1);
	if (!p) throw std::bad_alloc();
	return p;
}

void* countedAlignedAlloc(std::size_t size, std::size_t alignment)
{
	g_allocations.fetch_add(1, std::memory_order_relaxed);
	void* p = nullptr;
	if (posix_memalign(&p, alignment < sizeof(void*) ? sizeof(void*) : alignment, size ? size : 1) != 0) throw std::bad_alloc();
	return p;
}

} // namespace

void* operator new(std::size_t size) { return countedAlloc(size); }
void* operator new[](std::size_t size) { return countedAlloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
	try { return countedAlloc(size); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
	try { return countedAlloc(size); } catch (...) { return nullptr; }
}
void* operator new(std::size_t size, std::align_val_t a) { return countedAlignedAlloc(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return countedAlignedAlloc(size, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using Clock = std::chrono::steady_clock;

const std::string PAYLOAD(128, 'x');

// Counts deliveries; snapshots the allocation counter at the warm-up mark and at the last one.
struct Probe
{
	explicit Probe(long long count): total(count), warm(count / 10) {}

	void onMessage()
	{
		long long n = ++received;
		if (n == warm) atWarm = g_allocations.load(std::memory_order_relaxed);
		if (n == total)
		{
			atEnd = g_allocations.load(std::memory_order_relaxed);
			std::lock_guard<std::mutex> lock(mutex);
			done = true;
			cv.notify_all();
		}
	}

	bool wait()
	{
		std::unique_lock<std::mutex> lock(mutex);
		return cv.wait_for(lock, std::chrono::minutes(5), [this]() { return done; });
	}

	void report(const char* what) const
	{
		const long long n = total - warm;
		std::printf("mode: %s\nmessages measured: %lld\nallocations: %llu\nallocations per message: %.3f\n", what, n,
			atEnd - atWarm, static_cast<double>(atEnd - atWarm) / static_cast<double>(n));
	}

	const long long total;
	const long long warm;
	std::atomic<long long> received{0};
	unsigned long long atWarm = 0;
	unsigned long long atEnd = 0;
	std::mutex mutex;
	std::condition_variable cv;
	bool done = false;
};

// Runs `publish` in a child process once the parent writes a byte to the returned pipe.
struct Publisher
{
	template <typename F>
	explicit Publisher(F publish)
	{
		int fds[2];
		if (pipe(fds) != 0) std::exit(2);
		pid = fork();
		if (pid == 0)
		{
			close(fds[1]);
			char c;
			if (read(fds[0], &c, 1) != 1) _exit(0);
			try
			{
				publish();
			}
			catch (Poco::Exception& exc)
			{
				std::fprintf(stderr, "publisher: %s\n", exc.displayText().c_str());
				_exit(1);
			}
			_exit(0);
		}
		close(fds[0]);
		go = fds[1];
	}

	void start()
	{
		if (write(go, "g", 1) != 1) std::exit(2);
	}

	bool finish()
	{
		close(go);
		int status = 0;
		waitpid(pid, &status, 0);
		return WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}

	pid_t pid = -1;
	int go = -1;
};

int runCore(const std::string& url, long long count)
{
	const std::string subject = "alloc.core." + std::to_string(getpid());
	Publisher publisher([&]() {
		Nats::Options o;
		o.servers = {url};
		Nats::Connection nc(o);
		nc.connect();
		for (long long i = 0; i < count; ++i) nc.publish(subject, PAYLOAD);
		nc.flush(Poco::Timespan(30, 0));
	});
	Nats::Options o;
	o.servers = {url};
	Nats::Connection nc(o);
	nc.connect();
	Probe probe(count);
	Nats::Subscription sub = nc.subscribe(subject, [&probe](const Nats::Message&) { probe.onMessage(); });
	sub.setPendingLimits(-1, -1);
	nc.flush(Poco::Timespan(5, 0));
	publisher.start();
	const bool ok = probe.wait() && publisher.finish();
	probe.report("core");
	return ok ? 0 : 1;
}

int runStan(const std::string& url, const std::string& cluster, long long count)
{
	const std::string channel = "alloc-stan-" + std::to_string(getpid());
	Publisher publisher([&]() {
		Nats::StanOptions o;
		o.natsUrl = url;
		o.maxPubAcksInflight = 16384;
		Nats::StanConnection sc(cluster, "alloc-fill-" + std::to_string(getpid()), o);
		sc.connect();
		std::mutex m;
		std::condition_variable cv;
		long long acked = 0;
		for (long long i = 0; i < count; ++i)
			sc.publishAsync(channel, PAYLOAD, [&](const std::string&, const std::string&) {
				std::lock_guard<std::mutex> lock(m);
				if (++acked == count) cv.notify_all();
			});
		std::unique_lock<std::mutex> lock(m);
		cv.wait(lock, [&]() { return acked == count; });
	});
	publisher.start();
	if (!publisher.finish())
	{
		std::fprintf(stderr, "filling the channel failed\n");
		return 1;
	}
	Nats::StanOptions o;
	o.natsUrl = url;
	Nats::StanConnection sc(cluster, "alloc-sub-" + std::to_string(getpid()), o);
	sc.connect();
	Probe probe(count);
	Nats::StanSubscriptionOptions so;
	so.deliverAllAvailable();
	so.maxInflight = 16384;
	Nats::StanSubscription sub = sc.subscribe(channel, [&probe](const Nats::StanMessage&) { probe.onMessage(); }, so);
	const bool ok = probe.wait();
	probe.report("stan");
	sub.close();
	sc.close();
	return ok ? 0 : 1;
}

int runPubAsync(const std::string& url, const std::string& cluster, long long count)
{
	const std::string channel = "alloc-pub-" + std::to_string(getpid());
	Nats::StanOptions o;
	o.natsUrl = url;
	o.maxPubAcksInflight = 16384;
	Nats::StanConnection sc(cluster, "alloc-pub-" + std::to_string(getpid()), o);
	sc.connect();
	Probe probe(count);
	// one pointer of captured state: fits std::function's small buffer, as a real caller would do
	Probe* pProbe = &probe;
	Nats::StanAckHandler onAck = [pProbe](const std::string&, const std::string&) { pProbe->onMessage(); };
	// The counter window runs from the warm-up ack to the last ack: it holds the publishes and
	// the acks of about (count - warm) messages (the window shifts by at most the inflight limit).
	for (long long i = 0; i < count; ++i) sc.publishAsync(channel, PAYLOAD, onAck);
	const bool ok = probe.wait();
	probe.report("pubasync");
	sc.close();
	return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
	std::string url = "nats://127.0.0.1:4222";
	std::string cluster = "test-cluster";
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2)
	{
		std::string flag = argv[i];
		if (flag == "-s")
			url = argv[i + 1];
		else if (flag == "-c")
			cluster = argv[i + 1];
	}
	if (argc - i < 2)
	{
		std::fprintf(stderr, "usage: alloc-bench [-s url] [-c cluster] core|stan|pubasync <count>\n");
		return 2;
	}
	const std::string mode = argv[i];
	const long long count = std::atoll(argv[i + 1]);
	if (count < 10)
	{
		std::fprintf(stderr, "count must be at least 10\n");
		return 2;
	}
	try
	{
		if (mode == "core") return runCore(url, count);
		if (mode == "stan") return runStan(url, cluster, count);
		if (mode == "pubasync") return runPubAsync(url, cluster, count);
	}
	catch (Poco::Exception& exc)
	{
		std::fprintf(stderr, "alloc-bench: %s\n", exc.displayText().c_str());
		return 1;
	}
	std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
	return 2;
}
