//
// StanSoak.cpp
//
// The client side of bench/soak.sh (#11; not a CTest test): publishers (async, paced) and
// subscribers of every kind (plain, durable, a queue group of two, manual ack) on one channel of a
// streaming server, for a number of minutes while the script restarts nats-server every minute.
// At the end it waits (bounded) for the subscribers to catch up and prints messages
// sent / acked / failed / received / lost per subscriber kind, and this process's RSS and thread
// count at the start and at the end.
//
//   stan-soak -s nats://127.0.0.1:4222 -c test-cluster -m 10 [-r 1000] [-np 2]
//
// "lost" = acked by the server but never received by that subscriber (must be 0). "failed" =
// completed with an error to the ack handler (ack timeouts across a restart: the publisher knows).
//

#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace Nats;
using Clock = std::chrono::steady_clock;

namespace {

struct ProcStatus
{
	long rssKb = 0;
	int threads = 0;
};

ProcStatus procStatus()
{
	ProcStatus s;
	std::ifstream in("/proc/self/status");
	std::string key;
	while (in >> key)
	{
		if (key == "VmRSS:") in >> s.rssKb;
		else if (key == "Threads:") in >> s.threads;
		std::string rest;
		std::getline(in, rest);
	}
	return s;
}

/// Which (publisher, index) a subscriber has seen; thread-safe.
class Seen
{
public:
	Seen(int publishers): _bits(static_cast<std::size_t>(publishers)) {}

	void mark(const std::string& data)
	{
		int p = 0;
		long i = 0;
		if (std::sscanf(data.c_str(), "p%d-%ld", &p, &i) != 2 || p < 0 || i < 0) return;
		std::lock_guard<std::mutex> lock(_mutex);
		if (static_cast<std::size_t>(p) >= _bits.size()) return;
		auto& b = _bits[static_cast<std::size_t>(p)];
		if (static_cast<std::size_t>(i) >= b.size()) b.resize(static_cast<std::size_t>(i) * 2 + 1024, false);
		if (!b[static_cast<std::size_t>(i)]) ++_distinct;
		else ++_duplicates;
		b[static_cast<std::size_t>(i)] = true;
		++_total;
	}

	bool has(int p, long i) const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const auto& b = _bits[static_cast<std::size_t>(p)];
		return static_cast<std::size_t>(i) < b.size() && b[static_cast<std::size_t>(i)];
	}

	long total() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _total;
	}

	long duplicates() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _duplicates;
	}

private:
	mutable std::mutex _mutex;
	std::vector<std::vector<bool>> _bits;
	long _total = 0;
	long _distinct = 0;
	long _duplicates = 0;
};

struct Publisher
{
	int id = 0;
	std::atomic<long> sent{0};
	std::atomic<long> acked{0};
	std::atomic<long> failed{0};
	std::atomic<long> refused{0};
	std::mutex mutex;
	std::vector<bool> ackedBits;
	std::unique_ptr<StanConnection> conn;
	std::thread thread;
};

} // namespace

int main(int argc, char** argv)
{
	std::string url = "nats://127.0.0.1:4222";
	std::string cluster = "test-cluster";
	double minutes = 1;
	int rate = 1000;
	int numPubs = 2;
	for (int i = 1; i + 1 < argc; i += 2)
	{
		std::string f = argv[i];
		if (f == "-s") url = argv[i + 1];
		else if (f == "-c") cluster = argv[i + 1];
		else if (f == "-m") minutes = std::stod(argv[i + 1]);
		else if (f == "-r") rate = std::stoi(argv[i + 1]);
		else if (f == "-np") numPubs = std::stoi(argv[i + 1]);
	}
	const std::string channel = "soak";
	StanOptions o;
	o.natsUrl = url;
	o.pubAckWait = Poco::Timespan(5, 0);
	o.maxPubAcksInflight = 1000;
	o.natsOptions.reconnectWait = Poco::Timespan(0, 200000);
	std::atomic<long> lostSessions{0};
	o.connectionLostHandler = [&lostSessions](StanConnection&, const std::string& err) {
		++lostSessions;
		std::cerr << "soak: session lost: " << err << std::endl;
	};
	// e.g. a manual ack that could not be sent while reconnecting (the message is redelivered)
	std::atomic<long> asyncErrors{0};
	o.errorHandler = [&asyncErrors](const Poco::Exception& e) {
		if (++asyncErrors <= 3) std::cerr << "soak: async error: " << e.displayText() << std::endl;
	};

	try
	{
		// subscribers first: every kind sees every message published from now on
		Seen plain(numPubs), durable(numPubs), queue(numPubs), manual(numPubs);
		StanSubscriptionOptions sopts;
		sopts.ackWait = Poco::Timespan(5, 0);
		StanConnection subConn(cluster, "soak-sub", o);
		subConn.connect();
		StanSubscription sPlain = subConn.subscribe(channel, [&](const StanMessage& m) { plain.mark(m.data()); }, sopts);
		StanSubscriptionOptions dopts = sopts;
		dopts.setDurableName("soak-durable");
		StanSubscription sDurable = subConn.subscribe(channel, [&](const StanMessage& m) { durable.mark(m.data()); }, dopts);
		StanConnection q1(cluster, "soak-q1", o), q2(cluster, "soak-q2", o);
		q1.connect();
		q2.connect();
		StanSubscription sQ1 = q1.queueSubscribe(channel, "soak-group", [&](const StanMessage& m) { queue.mark(m.data()); }, sopts);
		StanSubscription sQ2 = q2.queueSubscribe(channel, "soak-group", [&](const StanMessage& m) { queue.mark(m.data()); }, sopts);
		StanSubscriptionOptions mopts = sopts;
		mopts.setManualAckMode();
		StanSubscription sManual = subConn.subscribe(channel, [&](const StanMessage& m) {
			manual.mark(m.data());
			m.ack();
		}, mopts);

		std::atomic<bool> stop{false};
		std::vector<std::unique_ptr<Publisher>> pubs;
		for (int p = 0; p < numPubs; ++p)
		{
			pubs.emplace_back(new Publisher());
			Publisher& pub = *pubs.back();
			pub.id = p;
			pub.conn.reset(new StanConnection(cluster, "soak-pub-" + std::to_string(p), o));
			pub.conn->connect();
		}
		// every connection and subscription exists: the baseline
		const ProcStatus start = procStatus();
		std::cout << "soak: start: RSS " << start.rssKb << " kB, threads " << start.threads << std::endl;
		for (auto& pp : pubs)
		{
			Publisher* pub = pp.get();
			pub->thread = std::thread([pub, &stop, rate, numPubs, &channel]() {
				const auto interval = std::chrono::microseconds(1000000L * numPubs / std::max(1, rate));
				auto next = Clock::now();
				for (long i = 0; !stop.load(); ++i)
				{
					next += interval;
					std::this_thread::sleep_until(next); // pacing (a benchmark, not a test)
					const std::string data = "p" + std::to_string(pub->id) + "-" + std::to_string(i);
					try
					{
						pub->conn->publishAsync(channel, data, [pub, i](const std::string&, const std::string& err) {
							if (err.empty())
							{
								std::lock_guard<std::mutex> lock(pub->mutex);
								if (static_cast<std::size_t>(i) >= pub->ackedBits.size()) pub->ackedBits.resize(static_cast<std::size_t>(i) * 2 + 1024, false);
								pub->ackedBits[static_cast<std::size_t>(i)] = true;
								++pub->acked;
							}
							else
							{
								++pub->failed;
							}
						});
						++pub->sent;
					}
					catch (const NatsException&)
					{
						++pub->refused; // reconnecting: no buffering
					}
				}
			});
		}

		const auto end = Clock::now() + std::chrono::milliseconds(static_cast<long>(minutes * 60000));
		int minute = 0;
		while (Clock::now() < end)
		{
			std::this_thread::sleep_until(std::min(end, Clock::now() + std::chrono::seconds(60)));
			long sent = 0, acked = 0;
			for (auto& p : pubs)
			{
				sent += p->sent;
				acked += p->acked;
			}
			const ProcStatus now = procStatus();
			std::cout << "soak: minute " << ++minute << ": sent " << sent << ", acked " << acked << ", received plain "
				<< plain.total() << " durable " << durable.total() << " queue " << queue.total() << " manual " << manual.total()
				<< ", RSS " << now.rssKb << " kB, threads " << now.threads << std::endl;
		}
		stop = true;
		for (auto& p : pubs) p->thread.join();

		// every publish completes (ack or error) within pubAckWait; then the subscribers catch up
		auto completed = [&]() {
			for (auto& p : pubs)
				if (p->acked + p->failed != p->sent) return false;
			return true;
		};
		const auto deadline = Clock::now() + std::chrono::seconds(120);
		while (!completed() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
		auto lostOf = [&](const Seen& s) {
			long lost = 0;
			for (auto& p : pubs)
			{
				std::lock_guard<std::mutex> lock(p->mutex);
				for (std::size_t i = 0; i < p->ackedBits.size(); ++i)
					if (p->ackedBits[i] && !s.has(p->id, static_cast<long>(i))) ++lost;
			}
			return lost;
		};
		while (Clock::now() < deadline
			&& (lostOf(plain) || lostOf(durable) || lostOf(queue) || lostOf(manual)))
			std::this_thread::sleep_for(std::chrono::milliseconds(200));

		const ProcStatus fin = procStatus();
		long sent = 0, acked = 0, failed = 0, refused = 0;
		for (auto& p : pubs)
		{
			sent += p->sent;
			acked += p->acked;
			failed += p->failed;
			refused += p->refused;
		}
		std::cout << "soak: publishers: sent " << sent << ", acked " << acked << ", failed " << failed
			<< " (to the ack handler), refused " << refused << " (publishAsync threw while reconnecting)" << std::endl;
		const struct { const char* name; const Seen* s; } kinds[] = {{"plain", &plain}, {"durable", &durable}, {"queue", &queue}, {"manual-ack", &manual}};
		long totalLost = 0;
		for (const auto& k : kinds)
		{
			const long lost = lostOf(*k.s);
			totalLost += lost;
			std::cout << "soak: " << k.name << ": received " << k.s->total() << " (redelivered duplicates " << k.s->duplicates()
				<< "), lost " << lost << std::endl;
		}
		std::cout << "soak: sessions lost " << lostSessions.load() << ", async errors " << asyncErrors.load() << std::endl;
		std::cout << "soak: end: RSS " << fin.rssKb << " kB, threads " << fin.threads << " (start: " << start.rssKb << " kB, "
			<< start.threads << " threads)" << std::endl;
		for (auto& p : pubs) p->conn->close();
		sManual.unsubscribe();
		sDurable.unsubscribe();
		q1.close();
		q2.close();
		subConn.close();
		return totalLost == 0 && lostSessions.load() == 0 ? 0 : 1;
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "soak: " << e.displayText() << std::endl;
		return 2;
	}
}
