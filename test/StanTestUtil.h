//
// StanTestUtil.h
//
// Helpers shared by the streaming client's integration tests.
//

#ifndef Nats_StanTestUtil_INCLUDED
#define Nats_StanTestUtil_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/StanMessage.h"
#include "Nats/StanOptions.h"
#include "NatsServerProcess.h"
#include "StanServerFixture.h"
#include "TestUtil.h"
#include "core/ImplAccess.h"
#include "stan/StanConnectionImpl.h"
#include <Poco/Exception.h>
#include <cppunit/TestFixture.h>
#include <algorithm>
#include <condition_variable>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Nats {
namespace Test {

/// The streaming-server implementation behind `sc` (tests' hooks); throws
/// Poco::IllegalStateException on another backend.
inline std::shared_ptr<StanConnectionImpl> stanImpl(StanConnection& sc)
{
	std::shared_ptr<StanConnectionImpl> p = std::dynamic_pointer_cast<StanConnectionImpl>(ImplAccess::impl(sc));
	if (!p) throw Poco::IllegalStateException("not a streaming-server backend connection");
	return p;
}

/// Thread-safe list of received streaming messages, with their sequences.
class StanCollector: public BasicCollector<StanMessage>
{
public:
	std::vector<std::uint64_t> sequences() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::vector<std::uint64_t> s;
		for (const auto& m : _messages) s.push_back(m.sequence());
		return s;
	}
};

/// [first, last]
inline std::vector<std::uint64_t> seqRange(std::uint64_t first, std::uint64_t last)
{
	std::vector<std::uint64_t> v;
	for (std::uint64_t s = first; s <= last; ++s) v.push_back(s);
	return v;
}

/// Publishes "m<first>" ... "m<last>" to `channel`, each waiting for its ack.
inline void publishRange(StanConnection& sc, const std::string& channel, int first, int last)
{
	for (int i = first; i <= last; ++i) sc.publish(channel, "m" + std::to_string(i));
}

/// The message() of the Poco::Exception `f` throws, "no exception" when it throws none.
inline std::string errorOf(const std::function<void()>& f)
{
	try
	{
		f();
	}
	catch (const Poco::Exception& e)
	{
		return e.message();
	}
	return "no exception";
}

/// Client options for the fixture's servers (natsUrl set, the rest default).
inline StanOptions optionsFor(const StanServerFixture& f)
{
	StanOptions o;
	o.natsUrl = f.natsUrl();
	return o;
}

/// The streaming fixtures' setUp(): skips the test when nats-server is missing (unless in external
/// mode), else starts a StanServerFixture with default options.
inline std::unique_ptr<StanServerFixture> startStanFixture()
{
	if (!externalMode() && !NatsServerProcess::available()) skip("nats-server not installed");
	return std::unique_ptr<StanServerFixture>(new StanServerFixture());
}

/// Base of the streaming suites that run each test against a fresh StanServerFixture with
/// default options: setUp() starts it (startStanFixture()), tearDown() stops both servers.
class StanFixtureTest: public CppUnit::TestFixture
{
public:
	void setUp() override { _pFixture = startStanFixture(); }
	void tearDown() override { _pFixture.reset(); }

protected:
	/// The usual bound of a wait for a message or a condition.
	const Poco::Timespan WAIT{10, 0};

	std::unique_ptr<StanServerFixture> _pFixture;
};

} // namespace Test
} // namespace Nats

#endif
