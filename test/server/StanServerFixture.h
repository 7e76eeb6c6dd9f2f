//
// StanServerFixture.h
//
// A nats-server process plus an in-process StanServer on free ports, for streaming tests.
//

#ifndef Nats_StanServerFixture_INCLUDED
#define Nats_StanServerFixture_INCLUDED

#include "Nats/StanServer.h"
#include "Nats/StanServerOptions.h"
#include "NatsServerProcess.h"
#include <memory>
#include <string>

namespace Nats {
namespace Test {

/// Starts a real nats-server (NatsServerProcess, free loopback port) and an in-process
/// StanServer connected to it; the destructor stops both (RAII, also when a test fails).
///
/// External mode (NATS_URL set): starts nothing; natsUrl() = NATS_URL, clusterId() =
/// STAN_CLUSTER_ID (default "test-cluster"), natsServer() and stanServer() return nullptr and
/// restartNats()/stopStan()/startStan() skip the running test.
///
///     Nats::StanServerOptions opts;
///     opts.hbInterval = Poco::Timespan(0, 100000);
///     Nats::Test::StanServerFixture fixture(opts);   // cluster "test-cluster"
///     connect a client to fixture.natsUrl(), fixture.clusterId()
///
/// Thread safety: none; use from the test thread.
class StanServerFixture
{
public:
	/// Starts both servers. `options.natsUrl` is ignored (set to the started nats-server).
	/// Throws: Poco::RuntimeException if nats-server does not start within 10 s; the errors of
	/// StanServer::start().
	explicit StanServerFixture(const StanServerOptions& options = StanServerOptions());
	~StanServerFixture();

	StanServerFixture(const StanServerFixture&) = delete;
	StanServerFixture& operator=(const StanServerFixture&) = delete;

	/// URL of the nats-server ("nats://127.0.0.1:<port>" or NATS_URL).
	std::string natsUrl() const;

	/// Cluster ID clients must use.
	std::string clusterId() const;

	/// The nats-server process, nullptr in external mode.
	NatsServerProcess* natsServer() { return _pNats.get(); }

	/// The streaming server, nullptr in external mode or after stopStan().
	StanServer* stanServer() { return _pStan.get(); }

	/// The options the streaming server runs with (natsUrl filled in).
	const StanServerOptions& options() const { return _options; }

	/// Kills and restarts nats-server on the same port (the streaming server reconnects and keeps
	/// its state). Skips the test in external mode.
	void restartNats();

	/// Stops the streaming server (its memory state is lost). Skips the test in external mode.
	void stopStan();

	/// Starts a fresh streaming server with the same options. Skips the test in external mode.
	void startStan();

private:
	StanServerOptions _options;
	std::unique_ptr<NatsServerProcess> _pNats;
	std::unique_ptr<StanServer> _pStan;
	bool _external;
};

} // namespace Test
} // namespace Nats

#endif
