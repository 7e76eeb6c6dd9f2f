//
// StanBackendFixture.h
//
// The servers a streaming scenario runs against, on either backend (issue #13: one test body,
// two fixtures): nats-server + our streaming server, or nats-server -js with a temporary store.
//

#ifndef Nats_StanBackendFixture_INCLUDED
#define Nats_StanBackendFixture_INCLUDED

#include "Nats/StanOptions.h"
#include "NatsServerProcess.h"
#include "StanServerFixture.h"
#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Timespan.h>
#include <cstdint>
#include <memory>
#include <string>

namespace Nats {
namespace Test {

/// One backend's servers for a streaming test; the destructor stops what it started (RAII, also
/// when a test fails). External mode (NATS_URL set): starts nothing, natsServer() is nullptr and
/// stopAnswering() skips the test.
///
/// Thread safety: none; use from the test thread.
class StanBackendFixture
{
public:
	virtual ~StanBackendFixture();

	virtual bool isJetStream() const = 0;

	/// Options for a client of this backend: natsUrl, backend and its settings, the rest default.
	virtual StanOptions options() const = 0;

	virtual std::string clusterId() const = 0;

	/// The nats-server the clients talk to; nullptr in external mode.
	virtual NatsServerProcess* natsServer() = 0;

	/// The streaming-server fixture; nullptr on JetStream.
	virtual StanServerFixture* stan() { return nullptr; }

	/// From now on nobody answers streaming requests (connect, publish, subscribe, close) while the
	/// NATS sockets stay open, so every request runs into its timeout: the streaming server stops
	/// and a silent subscriber takes its subjects (no "no responders"); on JetStream nats-server is
	/// paused. Skips the test in external mode.
	virtual void stopAnswering() = 0;

	/// Kills and restarts nats-server on the same port (the streaming server reconnects and keeps
	/// its state; JetStream keeps its file streams, memory streams are gone). Skips the test in
	/// external mode.
	virtual void restartNats() = 0;

	/// The backend loses its streaming state while the client's NATS connection stays usable:
	/// our streaming server is stopped and started again (memory store: clients, channels and
	/// durables are gone); on JetStream nats-server is killed and restarted (memory streams and
	/// their consumers are gone, file streams stay). Skips the test in external mode.
	virtual void restartLosingState() = 0;

	/// The last sequence stored in `channel` as the backend reports it (the streaming server's
	/// channel info; JetStream: the stream's last_seq by STREAM.INFO), 0 for an unknown channel.
	/// Skips the test in external mode on the streaming backend (no in-process server to ask).
	/// Throws on JetStream what JetStreamContext::streamInfo() throws (other than "stream not
	/// found"); blocks at most 10 s.
	virtual std::uint64_t lastSequence(const std::string& channel) = 0;

	/// Undoes stopAnswering() (a fresh streaming server: its state is gone; on JetStream
	/// nats-server continues with its streams). Also done by the destructor.
	virtual void resumeAnswering() = 0;
};

/// nats-server + our streaming server (a StanServerFixture with default options). Skips the
/// running test when nats-server is missing (unless in external mode).
std::unique_ptr<StanBackendFixture> startStreamingBackend();

/// nats-server -js with a temporary store directory; clients use memory streams. Skips the
/// running test when nats-server is missing, or in external mode when NATS_URL has no JetStream.
std::unique_ptr<StanBackendFixture> startJetStreamBackend();

/// Base of the suites whose tests run on both backends: setUp() starts the backend of the
/// concrete suite (NATS_STAN_BACKEND_SUITES), tearDown() stops it.
class StanBackendFixtureTest: public CppUnit::TestFixture
{
public:
	void setUp() override { _pBackend = startBackend(); }
	void tearDown() override { _pBackend.reset(); }

protected:
	virtual std::unique_ptr<StanBackendFixture> startBackend() = 0;

	StanOptions options() const { return _pBackend->options(); }
	std::string clusterId() const { return _pBackend->clusterId(); }
	bool isJetStream() const { return _pBackend->isJetStream(); }

	/// The usual bound of a wait for a message or a condition.
	const Poco::Timespan WAIT{10, 0};

	std::unique_ptr<StanBackendFixture> _pBackend;
};

} // namespace Test
} // namespace Nats

/// One concrete suite `Name` of the abstract suite `Base` (a StanBackendFixtureTest ending with
/// CPPUNIT_TEST_SUITE_END_ABSTRACT) on the backend `start` starts, registered with CppUnit.
#define NATS_STAN_BACKEND_SUITE(Name, Base, start)                                                     \
	class Name: public Base                                                                            \
	{                                                                                                  \
		CPPUNIT_TEST_SUB_SUITE(Name, Base);                                                            \
		CPPUNIT_TEST_SUITE_END();                                                                      \
                                                                                                       \
	protected:                                                                                         \
		std::unique_ptr<Nats::Test::StanBackendFixture> startBackend() override { return start(); }    \
	};                                                                                                 \
	CPPUNIT_TEST_SUITE_REGISTRATION(Name)

/// The suites of `Base` on both backends, `Base`'s tests written once. A source file is built into
/// two runners: test-client registers the streaming-server suite `Streaming`, test-jetstream
/// (built with NATS_JETSTREAM_SUITE) the JetStream suite `JetStream`, so each runner's time stays
/// with its backend and `ctest -R test-jetstream` covers the JetStream backend.
#ifdef NATS_JETSTREAM_SUITE
#define NATS_STAN_BACKEND_SUITES(Base, Streaming, JetStream) NATS_STAN_BACKEND_SUITE(JetStream, Base, Nats::Test::startJetStreamBackend)
#else
#define NATS_STAN_BACKEND_SUITES(Base, Streaming, JetStream) NATS_STAN_BACKEND_SUITE(Streaming, Base, Nats::Test::startStreamingBackend)
#endif

#endif
