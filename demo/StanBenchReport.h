//
// StanBenchReport.h
//
// Library: Nats
// Package: Demo
// Module:  StanBenchReport
//
// What demo/stan-bench and its nats.c twin bench/stan-bench-natsc share, so that both take the
// same flags and report the same way: the Go stan-bench flags, samples, the msgs/s and CPU report
// and the CSV file.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanBenchReport_INCLUDED
#define Nats_StanBenchReport_INCLUDED

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace Nats {
namespace Bench {

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

inline void usage(const char* program)
{
	std::cerr << "Usage: " << program << " [-s urls] [-c cluster] [-id clientID] [-np pubs] [-ns subs] [-n msgs] [-ms size]\n"
	             "       [-mpa maxPubAcksInflight] [-sync] [-a] [-qgroup group] [-io] [-csv file] [channel]\n";
}

inline bool parse(int argc, char** argv, Args& a)
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

/// Parses the flags into `a`. Returns -1 to go on, else the exit status: 0 after -h (usage
/// printed), 2 after a bad flag (error and usage on stderr).
inline int parseArgs(const char* program, int argc, char** argv, Args& a)
{
	try
	{
		if (parse(argc, argv, a)) return -1;
		usage(program);
		return 0;
	}
	catch (std::exception& exc)
	{
		std::cerr << program << ": " << exc.what() << "\n";
		usage(program);
		return 2;
	}
}

inline double cpuSeconds()
{
	rusage ru{};
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/// The first line of a run (`client`: empty for ours, e.g. " (nats.c streaming client)") and
/// the payload every publisher sends.
inline std::string printStart(const Args& a, const char* client)
{
	std::printf("Starting benchmark [msgs=%lld, msgsize=%d, pubs=%d, subs=%d, %s]%s\n", a.numMsgs, a.msgSize, a.numPubs, a.numSubs,
		a.sync ? "sync" : "async", client);
	return std::string(static_cast<std::size_t>(a.msgSize), 'a');
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
	/// A publisher's end: `count` messages of `size` bytes were sent (and acked) by now.
	void finish(long long count, std::size_t size)
	{
		end = Clock::now();
		msgs = count;
		bytes = count * static_cast<long long>(size);
	}
};

/// A publisher's async acks: the ack handler calls acked(); the publisher waits in
/// waitAll() until `share` acks arrived and reads the number of errors.
///
/// Thread safety: acked() from any thread; waitAll() from the publisher.
class AckCounter
{
public:
	explicit AckCounter(long long share): _share(share) {}

	void acked(bool failed)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (failed) ++_errors;
		if (++_acked == _share) _cv.notify_all();
	}

	/// Blocks until every ack of the share arrived (the clients call each ack handler once: ack,
	/// timeout or close); returns the errors among them.
	long long waitAll()
	{
		std::unique_lock<std::mutex> lock(_mutex);
		_cv.wait(lock, [&]() { return _acked == _share; });
		return _errors;
	}

private:
	std::mutex _mutex;
	std::condition_variable _cv;
	long long _acked = 0;
	long long _errors = 0;
	const long long _share;
};

/// How many of the messages publisher `i` sends: an equal share, the remainder to publisher 0.
inline long long publisherShare(const Args& a, int i)
{
	return a.numMsgs / a.numPubs + (i == 0 ? a.numMsgs % a.numPubs : 0);
}

/// The JetStream benches run one publisher and one subscriber at the most: false (with a message
/// on stderr) for other flags.
inline bool singlePublisherAndSubscriber(const char* program, const Args& a)
{
	if (a.numPubs > 1 || a.numSubs > 1 || !a.queue.empty())
	{
		std::cerr << program << ": at most one publisher and one subscriber, no queue group\n";
		return false;
	}
	return true;
}

/// After the publishers joined: waits (at most 10 minutes) until `subsDone` (guarded by `mutex`,
/// signalled on `cv`) reaches `numSubs`; false, with a message on stderr, when it did not.
inline bool awaitSubscribers(std::mutex& mutex, std::condition_variable& cv, const int& subsDone, int numSubs)
{
	if (numSubs <= 0) return true;
	std::unique_lock<std::mutex> lock(mutex);
	if (cv.wait_for(lock, std::chrono::minutes(10), [&]() { return subsDone >= numSubs; })) return true;
	std::fprintf(stderr, "subscribers did not receive all messages\n");
	return false;
}

inline std::string human(double v)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.0f", v);
	std::string s = buf;
	for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
	return s;
}

inline void printGroup(const char* title, const std::vector<Sample>& samples)
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


/// Prints the per-side rates, the process CPU time per message handled and, with -csv, writes
/// the samples in the Go stan-bench CSV format. `program` names the rows of the CSV file.
inline void report(const char* program, const Args& a, double cpu, const std::vector<Sample>& pubSamples,
	const std::vector<Sample>& subSamples)
{
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
				out << program << ", " << s.name << ", " << s.msgs << ", " << s.bytes << ", " << static_cast<long long>(s.rate()) << ", "
				    << static_cast<long long>(s.bytes / s.seconds()) << ", " << s.seconds() << "\n";
	}
}

/// Prints `text()` on stderr once a second until destroyed, so that a long run shows it is alive
/// (short runs print nothing). The destructor stops and joins the thread.
class ProgressLine
{
public:
	explicit ProgressLine(std::function<std::string()> text): _text(std::move(text)), _thread([this]() { run(); }) {}

	~ProgressLine()
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_stop = true;
		}
		_cv.notify_all();
		_thread.join();
	}

	ProgressLine(const ProgressLine&) = delete;
	ProgressLine& operator=(const ProgressLine&) = delete;

private:
	void run()
	{
		std::unique_lock<std::mutex> lock(_mutex);
		while (!_cv.wait_for(lock, std::chrono::seconds(1), [this]() { return _stop; }))
			std::fprintf(stderr, "%s\n", _text().c_str());
	}

	std::function<std::string()> _text;
	std::mutex _mutex;
	std::condition_variable _cv;
	bool _stop = false;
	std::thread _thread; // last: starts after the members above exist
};

} // namespace Bench
} // namespace Nats

#endif // Nats_StanBenchReport_INCLUDED
