//
// TestUtil.h
//
// Helpers shared by every test suite: deadline waits, free ports, skips, external mode.
//

#ifndef Nats_TestUtil_INCLUDED
#define Nats_TestUtil_INCLUDED

#include "util/LocalPort.h" // freePort(), portOpen()
#include "util/WaitFor.h"   // waitFor()
#include "Nats/Message.h"
#include "Nats/Options.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <cppunit/Exception.h>
#include <cppunit/TestAssert.h>
#include <Poco/Timespan.h>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <typeinfo>
#include <vector>

namespace Nats {
namespace Test {

/// Writes `text` to the file `path` (created or truncated, binary). Throws nothing; a test that
/// needs the file fails on reading it.
void writeFile(const std::string& path, const std::string& text);

/// The demangled name of a type ("Nats::NoServerException"); the raw name if it cannot be demangled.
std::string typeName(const std::type_info& type);

/// Connects a core client with `o` and closes it: "connected", or "<type>|<displayText>" of the
/// Poco::Exception connect() threw (type as typeName() of its dynamic type). Blocks as long as
/// Connection::connect() may.
std::string connectOutcome(const Options& o);

/// NATS_URL from the environment (external mode), empty if unset.
std::string externalNatsUrl();

/// True when NATS_URL is set: fixtures start nothing.
bool externalMode();

/// STAN_CLUSTER_ID from the environment, "test-cluster" if unset.
std::string stanClusterId();

/// A unique name (prefix + random suffix) for channels / client IDs, so that runs against an
/// external cluster do not collide.
std::string uniqueName(const std::string& prefix);

/// Marks the running test as skipped with a reason; the runner counts and names it.
[[noreturn]] void skip(const std::string& reason);

/// Skips the running test in external mode (it needs to control the servers).
void skipIfExternal(const std::string& why = "needs to control the servers");

/// Runs `fn` and fails unless it throws E (or a subclass) whose message() is `message`; `what`
/// names the case in a failure. Other exceptions propagate.
template <class E, class Fn>
void expectThrow(const char* what, const std::string& message, Fn&& fn)
{
	try
	{
		fn();
	}
	catch (E& exc)
	{
		CPPUNIT_ASSERT_EQUAL_MESSAGE(what, message, std::string(exc.message()));
		return;
	}
	CPPUNIT_FAIL(std::string("expected an exception: ") + what);
}

/// Thread-safe list of received messages (M: Message or StanMessage): handlers add(), the test
/// thread waits on size() and reads copies.
template <class M>
class BasicCollector
{
public:
	void add(const M& m)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_messages.push_back(m);
	}

	std::size_t size() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _messages.size();
	}

	/// A copy of message `i`; throws std::out_of_range past the end.
	M at(std::size_t i) const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _messages.at(i);
	}

	std::vector<M> messages() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _messages;
	}

	/// The handler to give to subscribe().
	std::function<void(const M&)> handler()
	{
		return [this](const M& m) { add(m); };
	}

protected:
	mutable std::mutex _mutex;
	std::vector<M> _messages;
};

/// Received core messages (the streaming one: StanCollector in StanTestUtil.h).
using MessageCollector = BasicCollector<Message>;

/// Prefix the runner recognises in a failure message to count a skip.
extern const char* const SKIP_MARKER;

/// What publishUntilWriteDeadline() saw.
struct WriteDeadlineRun
{
	bool deadlineHit = false;
	std::string deadlineText;   // WriteDeadlineException::message()
	std::string otherError;     // set when another NatsException ended the run
	std::chrono::steady_clock::duration elapsed{};
};

/// Publishes 512 KiB payloads on `subject` (at most 2 GiB, far more than any pair of socket
/// buffers) until a publish throws: for the write-deadline tests, whose server stops reading.
/// Payloads this large are written by the publishing thread itself, so the blocked send is its.
inline WriteDeadlineRun publishUntilWriteDeadline(Connection& conn, const std::string& subject)
{
	WriteDeadlineRun run;
	const std::string chunk(512 * 1024, 'x');
	const auto start = std::chrono::steady_clock::now();
	for (int i = 0; i < 4096; ++i)
	{
		try
		{
			conn.publish(subject, chunk);
		}
		catch (WriteDeadlineException& e)
		{
			run.deadlineHit = true;
			run.deadlineText = e.message();
			break;
		}
		catch (NatsException& e)
		{
			run.otherError = "publish " + std::to_string(i) + " failed with another error: " + e.displayText();
			break;
		}
	}
	run.elapsed = std::chrono::steady_clock::now() - start;
	return run;
}

/// A gate a handler waits on (bounded), opened by the test thread.
class Gate
{
public:
	void open()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_open = true;
		_cv.notify_all();
	}

	void close()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_open = false;
	}

	/// Waits until open, at most `bound`. Returns false on timeout.
	bool wait(std::chrono::milliseconds bound = std::chrono::seconds(20))
	{
		std::unique_lock<std::mutex> lock(_mutex);
		return _cv.wait_for(lock, bound, [this]() { return _open; });
	}

private:
	std::mutex _mutex;
	std::condition_variable _cv;
	bool _open = false;
};

} // namespace Test
} // namespace Nats

#define NATS_WAIT_FOR(pred, timeout) CPPUNIT_ASSERT_MESSAGE("timed out waiting for: " #pred, ::Nats::Test::waitFor([&]() { return (pred); }, (timeout)))

#endif
