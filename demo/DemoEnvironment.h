//
// DemoEnvironment.h
//
// Library: Nats
// Package: Demo
// Module:  DemoEnvironment
//
// The servers a demo runs against, and the few helpers every demo shares.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_DemoEnvironment_INCLUDED
#define Nats_DemoEnvironment_INCLUDED

#include "Nats/StanOptions.h"
#include "Nats/StanMessage.h"
#include <Poco/Timespan.h>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>
#include <cstdint>
#include <string>

namespace Poco {
class ProcessHandle;
}

namespace Nats {

class StanServer;

namespace Demo {

/// Where a demo's streaming cluster comes from, plus the helpers the demos share.
///
/// By default (NATS_URL unset) the environment is *embedded*: it starts /usr/sbin/nats-server as
/// a child process on a free loopback port and an in-process Nats::StanServer (cluster
/// "test-cluster") connected to it, and stops both when destroyed. With NATS_URL set (and
/// optionally STAN_CLUSTER_ID, default "test-cluster") it starts nothing and the demo runs against
/// those servers; client IDs and channels then get a random suffix (uniqueName()) so that runs do
/// not collide.
///
/// STAN_BACKEND=jetstream runs the demo on JetStream instead (StanOptions::Backend::JETSTREAM):
/// embedded, nats-server is started with "-js" and a temporary store directory (removed at the
/// end) and no streaming server; with NATS_URL, that server must run JetStream. Any other value
/// than "jetstream", "streaming" or empty is refused.
///
///     int main()
///     {
///         return Nats::Demo::DemoEnvironment::run("demo-basic", [](Nats::Demo::DemoEnvironment& env)
///         {
///             Nats::StanConnection sc(env.clusterId(), env.uniqueName("client"), env.stanOptions());
///             sc.connect();
///             ...
///             env.check(received == 2, "received 2 messages");
///         });
///     }
///
/// Thread safety: check() may be called from any thread; the rest from the demo's main thread.
class DemoEnvironment
{
public:
	using Body = std::function<void(DemoEnvironment& env)>;

	/// A thread-safe record of the messages a handler received: handlers call add(), the demo's
	/// main thread waits for a count and reads the sequences.
	///
	/// Thread safety: Thread-safe.
	class MessageLog
	{
	public:
		MessageLog() = default;
		MessageLog(const MessageLog& other): _messages(other.messages()) {}
		MessageLog& operator=(const MessageLog&) = delete;

		/// Records `message` (sequence, redelivered flag, data).
		void add(const StanMessage& message);

		/// Messages recorded so far.
		std::size_t count() const;

		/// Waits until at least `n` messages were recorded, at most `timeout`. Returns count() >= n.
		bool waitForCount(std::size_t n, Poco::Timespan timeout) const;

		/// The sequences in the order received.
		std::vector<std::uint64_t> sequences() const;

		/// The messages in the order received.
		std::vector<StanMessage> messages() const;

		/// True if the sequences are exactly first, first + 1, ..., last.
		bool isRange(std::uint64_t first, std::uint64_t last) const;

		/// "1-40", "3, 5, 9" style summary of the sequences, in order received.
		std::string describe() const;

	private:
		mutable std::mutex _mutex;
		std::vector<StanMessage> _messages;
	};

	/// Creates the environment (starting the servers when embedded), runs `body`, stops the
	/// servers and prints "<name>: OK" or "<name>: FAILED". Returns 0 if the body returned and every
	/// check() passed, 1 otherwise (an exception is printed as "<name>: error: <text>").
	static int run(const std::string& name, const Body& body);

	/// Starts the embedded servers unless NATS_URL is set. Blocks until nats-server accepts
	/// connections (at most 10 s) and the streaming server is up.
	/// Throws: Poco::RuntimeException when nats-server cannot be started, and the StanServer's
	/// errors.
	DemoEnvironment();

	/// Stops the streaming server, then kills nats-server (embedded mode only).
	~DemoEnvironment();

	DemoEnvironment(const DemoEnvironment&) = delete;
	DemoEnvironment& operator=(const DemoEnvironment&) = delete;

	/// The NATS URL to connect to ("nats://127.0.0.1:<port>" when embedded).
	const std::string& natsUrl() const { return _natsUrl; }

	/// The streaming cluster ID ("test-cluster" when embedded).
	const std::string& clusterId() const { return _clusterId; }

	/// True when the servers were started by this environment.
	bool embedded() const { return _embedded; }

	/// True when STAN_BACKEND=jetstream: stanOptions() selects the JetStream backend.
	bool jetStream() const { return _jetStream; }

	/// Default StanOptions pointing at natsUrl(), with the backend STAN_BACKEND chose.
	StanOptions stanOptions() const;

	/// Default core NATS Options whose servers are natsUrl() (split at commas).
	Options natsOptions() const;

	/// `name` when embedded (a fresh server: output stays readable); "<name>-<random hex>" against
	/// external servers, so that repeated runs use fresh channels and client IDs.
	std::string uniqueName(const std::string& name) const;

	/// Prints "  [ok] <what>" or "  [FAILED] <what>" and remembers a failure. Returns `condition`.
	bool check(bool condition, const std::string& what);

	/// True if every check() so far passed.
	bool passed() const { return _failures == 0; }

	/// Polls `predicate` (every 1 ms, growing to 20 ms) until it is true or `timeout` passed.
	/// Returns the predicate's last value. Blocks at most `timeout` (plus one evaluation).
	static bool waitFor(const std::function<bool()>& predicate, Poco::Timespan timeout);

private:
	void startEmbedded();
	void stopEmbedded();

	std::string _natsUrl;
	std::string _clusterId;
	bool _embedded = false;
	bool _jetStream = false;
	std::string _storeDir;
	std::string _logFile;
	bool _keepLog = false;
	std::unique_ptr<Poco::ProcessHandle> _pNatsServer;
	std::unique_ptr<StanServer> _pStanServer;
	std::atomic<int> _failures{0};
};

} // namespace Demo
} // namespace Nats

#endif // Nats_DemoEnvironment_INCLUDED
