//
// ConnectionTest.cpp
//

#include "ConnectionTest.h"
#include "TestUtil.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/ThreadName.h"
#include "Nats/Exception.h"
#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace Nats;
using Nats::Test::waitFor;

CPPUNIT_TEST_SUITE_REGISTRATION(ConnectionTest);

namespace {

const Poco::Timespan WAIT(5, 0);

/// The burst tests' receiver: payloads start "<publisher>:<seq>"; every message must come from a
/// known publisher with that publisher's next sequence number (and be `size` bytes, if non-zero).
class OrderChecker
{
public:
	OrderChecker(int publishers, std::size_t size): _next(static_cast<std::size_t>(publishers), 0), _size(size) {}

	void onMessage(const Message& m)
	{
		std::size_t c1 = m.data().find(':');
		int t = std::stoi(m.data().substr(0, c1));
		int seq = std::stoi(m.data().substr(c1 + 1)); // stops at a second ':' or the padding
		std::lock_guard<std::mutex> lock(_mutex);
		if ((_size && m.data().size() != _size) || t < 0 || t >= static_cast<int>(_next.size()) || _next[static_cast<std::size_t>(t)] != seq)
			++_bad;
		else
			++_next[static_cast<std::size_t>(t)];
		++_total;
	}
	int bad() const { return _bad.load(); }
	int total() const { return _total.load(); }

private:
	std::mutex _mutex;
	std::vector<int> _next;
	std::size_t _size;
	std::atomic<int> _bad{0};
	std::atomic<int> _total{0};
};

/// Runs `attempt(t, i)` for i in [0, perThread) on each of `threads` threads at once; returns how
/// many attempts returned true (one that threw counts as failed).
int concurrently(int threads, int perThread, const std::function<bool(int t, int i)>& attempt)
{
	std::atomic<int> ok{0};
	std::vector<std::thread> workers;
	for (int t = 0; t < threads; ++t)
	{
		workers.emplace_back([&, t]() {
			for (int i = 0; i < perThread; ++i)
			{
				try
				{
					if (attempt(t, i)) ++ok;
				}
				catch (...)
				{
				}
			}
		});
	}
	for (auto& w: workers) w.join();
	return ok.load();
}

/// Starts one thread per publisher 0..publishers-1, each publishing `perThread` messages
/// "<publisher>:<seq><suffix>" padded with `pad` to 100 bytes. The caller joins them.
std::vector<std::thread> startBursts(Connection& pub, const std::string& subject, int publishers, int perThread, const std::string& suffix, char pad)
{
	std::vector<std::thread> workers;
	for (int t = 0; t < publishers; ++t)
	{
		workers.emplace_back([&pub, subject, t, perThread, suffix, pad]() {
			for (int i = 0; i < perThread; ++i)
			{
				std::string body = std::to_string(t) + ":" + std::to_string(i) + suffix;
				body.resize(100, pad);
				pub.publish(subject, body);
			}
		});
	}
	return workers;
}

} // namespace

void ConnectionTest::setUp()
{
	_pServer = Test::startNatsServerUnlessExternal(_url);
}

void ConnectionTest::tearDown()
{
	_pServer.reset();
}

Options ConnectionTest::options() const
{
	Options o;
	o.servers = {_url};
	o.name = "core-test";
	return o;
}

void ConnectionTest::testConnectAndClose()
{
	std::atomic<int> closed{0};
	Options o = options();
	o.closedHandler = [&closed]() { ++closed; };
	Connection conn(o);
	CPPUNIT_ASSERT(conn.status() == Connection::Status::DISCONNECTED);
	conn.connect();
	CPPUNIT_ASSERT(conn.isConnected());
	CPPUNIT_ASSERT(!conn.connectedUrl().empty());
	CPPUNIT_ASSERT(!conn.connectedServerId().empty());
	CPPUNIT_ASSERT(conn.maxPayload() > 0);
	CPPUNIT_ASSERT_THROW(conn.connect(), Poco::IllegalStateException);
	conn.close();
	CPPUNIT_ASSERT(conn.isClosed());
	conn.close(); // idempotent
	NATS_WAIT_FOR(closed.load() == 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(1, closed.load());
	CPPUNIT_ASSERT(conn.connectedUrl().empty());
}

void ConnectionTest::testPublishSubscribeAsync()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.async");
	Test::MessageCollector got;
	Subscription sub = conn.subscribe(subject, got.handler());
	CPPUNIT_ASSERT(sub.isValid());
	CPPUNIT_ASSERT(sub.sid() > 0);
	CPPUNIT_ASSERT_EQUAL(subject, sub.subject());
	conn.flush(WAIT);
	conn.publish(subject, "hello");
	conn.publish(subject, std::string("bin\0\r\nary", 9));
	NATS_WAIT_FOR(got.size() == 2, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::string("hello"), got.at(0).data());
	CPPUNIT_ASSERT_EQUAL(subject, got.at(0).subject());
	CPPUNIT_ASSERT(got.at(0).reply().empty());
	CPPUNIT_ASSERT_EQUAL(std::string("bin\0\r\nary", 9), got.at(1).data());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), sub.delivered());
}

void ConnectionTest::testSubscribeSync()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.sync");
	Subscription sub = conn.subscribeSync(subject);
	conn.flush(WAIT);
	conn.publish(subject, "one");
	conn.publish(subject, "two");
	CPPUNIT_ASSERT_EQUAL(std::string("one"), sub.nextMessage(WAIT).data());
	CPPUNIT_ASSERT_EQUAL(std::string("two"), sub.nextMessage(WAIT).data());
	CPPUNIT_ASSERT_THROW(sub.nextMessage(Poco::Timespan(0, 50000)), NatsTimeoutException);
	Subscription async = conn.subscribe(subject, [](const Message&) {});
	CPPUNIT_ASSERT_THROW(async.nextMessage(Poco::Timespan(0, 1000)), Poco::IllegalStateException);
	CPPUNIT_ASSERT_THROW(Subscription().nextMessage(Poco::Timespan(0, 1000)), Poco::IllegalStateException);
}

void ConnectionTest::testQueueSubscribe()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.queue");
	std::atomic<int> a{0}, b{0}, plain{0};
	conn.queueSubscribe(subject, "workers", [&a](const Message&) { ++a; });
	conn.queueSubscribe(subject, "workers", [&b](const Message&) { ++b; });
	conn.subscribe(subject, [&plain](const Message&) { ++plain; });
	conn.flush(WAIT);
	const int n = 200;
	for (int i = 0; i < n; ++i) conn.publish(subject, "x");
	NATS_WAIT_FOR(a + b == n && plain == n, WAIT);
	// each message goes to exactly one member of the group
	CPPUNIT_ASSERT_EQUAL(n, a + b);
	CPPUNIT_ASSERT_EQUAL(n, plain.load());
	CPPUNIT_ASSERT_THROW(conn.queueSubscribe(subject, "bad queue", [](const Message&) {}), Poco::InvalidArgumentException);
}

void ConnectionTest::testUnsubscribe()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.unsub");
	Subscription sub = conn.subscribeSync(subject);
	Subscription witness = conn.subscribeSync(subject);
	conn.flush(WAIT);
	conn.publish(subject, "1");
	CPPUNIT_ASSERT_EQUAL(std::string("1"), sub.nextMessage(WAIT).data());
	sub.unsubscribe();
	CPPUNIT_ASSERT(!sub.isValid());
	sub.unsubscribe(); // idempotent
	conn.publish(subject, "2");
	conn.flush(WAIT);
	// the witness got both; the unsubscribed one throws instead of waiting
	CPPUNIT_ASSERT_EQUAL(std::string("1"), witness.nextMessage(WAIT).data());
	CPPUNIT_ASSERT_EQUAL(std::string("2"), witness.nextMessage(WAIT).data());
	CPPUNIT_ASSERT_THROW(sub.nextMessage(Poco::Timespan(0, 1000)), Poco::IllegalStateException);
}

void ConnectionTest::testAutoUnsubscribe()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.auto");
	std::atomic<int> count{0};
	Subscription sub = conn.subscribe(subject, [&count](const Message&) { ++count; });
	CPPUNIT_ASSERT_THROW(sub.autoUnsubscribe(0), Poco::InvalidArgumentException);
	sub.autoUnsubscribe(3);
	conn.flush(WAIT);
	for (int i = 0; i < 10; ++i) conn.publish(subject, "x");
	conn.flush(WAIT);
	NATS_WAIT_FOR(count == 3 && !sub.isValid(), WAIT);
	Subscription witness = conn.subscribeSync(subject);
	conn.flush(WAIT);
	conn.publish(subject, "after");
	witness.nextMessage(WAIT);
	CPPUNIT_ASSERT_EQUAL(3, count.load());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), sub.delivered());

	// limit already reached when set: unsubscribed at once
	Subscription sync = conn.subscribeSync(subject);
	conn.flush(WAIT);
	conn.publish(subject, "a");
	conn.publish(subject, "b");
	conn.flush(WAIT);
	NATS_WAIT_FOR(sync.pendingMessages() == 2, WAIT);
	sync.autoUnsubscribe(1);
	CPPUNIT_ASSERT_EQUAL(std::string("a"), sync.nextMessage(WAIT).data());
}

void ConnectionTest::testRequestReply()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.service");
	Connection* pConn = &conn;
	conn.subscribe(subject, [pConn](const Message& m) { pConn->publish(m.reply(), "re:" + m.data()); });
	conn.flush(WAIT);
	for (int i = 0; i < 20; ++i)
	{
		Message reply = conn.request(subject, std::to_string(i), WAIT);
		CPPUNIT_ASSERT_EQUAL("re:" + std::to_string(i), reply.data());
	}
	// concurrent requests are matched to their own replies
	int ok = concurrently(4, 25, [&](int t, int i) {
		std::string body = std::to_string(t) + "-" + std::to_string(i);
		return conn.request(subject, body, WAIT).data() == "re:" + body;
	});
	CPPUNIT_ASSERT_EQUAL(100, ok);
}

void ConnectionTest::testRequestTimeout()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.silent");
	// a subscriber that never answers: no 503, just a timeout
	conn.subscribe(subject, [](const Message&) {});
	conn.flush(WAIT);
	CPPUNIT_ASSERT_THROW(conn.request(subject, "x", Poco::Timespan(0, 200000)), NatsTimeoutException);
	CPPUNIT_ASSERT(conn.isConnected());
}

void ConnectionTest::testNoResponders()
{
	Connection conn(options());
	conn.connect();
	CPPUNIT_ASSERT_THROW(conn.request(Test::uniqueName("core.nobody"), "x", WAIT), NoRespondersException);
}

void ConnectionTest::testFlush()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.flush");
	Subscription sub = conn.subscribeSync(subject);
	conn.flush(WAIT);
	for (int i = 0; i < 1000; ++i) conn.publish(subject, "x");
	conn.flush(WAIT);
	// the server processed everything before the PONG; our own messages come back in order and all
	NATS_WAIT_FOR(sub.pendingMessages() == 1000, WAIT);
	// several flushes in parallel
	int ok = concurrently(4, 1, [&](int, int) {
		conn.flush(WAIT);
		return true;
	});
	CPPUNIT_ASSERT_EQUAL(4, ok);
}

void ConnectionTest::testOrdering()
{
	Options o = options();
	o.dispatcherThreads = 3;
	Connection conn(o);
	conn.connect();
	std::string subject = Test::uniqueName("core.order");
	std::vector<int> seen;
	std::mutex mutex;
	conn.subscribe(subject, [&](const Message& m) {
		std::lock_guard<std::mutex> lock(mutex);
		seen.push_back(std::stoi(m.data()));
	});
	conn.flush(WAIT);
	const int n = 5000;
	for (int i = 0; i < n; ++i) conn.publish(subject, std::to_string(i));
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return seen.size() == std::size_t(n); })(), WAIT);
	std::lock_guard<std::mutex> lock(mutex);
	for (int i = 0; i < n; ++i) CPPUNIT_ASSERT_EQUAL(i, seen[static_cast<std::size_t>(i)]);
}

void ConnectionTest::testLargePayload()
{
	Connection conn(options());
	conn.connect();
	if (conn.maxPayload() < 1024 * 1024) Test::skip("server max_payload below 1 MiB");
	std::string subject = Test::uniqueName("core.large");
	Subscription sub = conn.subscribeSync(subject);
	conn.flush(WAIT);
	std::string payload(1024 * 1024, 'x');
	for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>((i * 7 + 13) % 256);
	conn.publish(subject, payload);
	Message m = sub.nextMessage(WAIT);
	CPPUNIT_ASSERT_EQUAL(payload.size(), m.data().size());
	CPPUNIT_ASSERT(payload == m.data());
}

void ConnectionTest::testMaxPayloadViolation()
{
	Connection conn(options());
	conn.connect();
	std::string big(static_cast<std::size_t>(conn.maxPayload()) + 1, 'x');
	CPPUNIT_ASSERT_THROW(conn.publish("core.big", big), MaxPayloadException);
	// still usable
	conn.flush(WAIT);
	CPPUNIT_ASSERT(conn.isConnected());
}

void ConnectionTest::testBadSubjects()
{
	Connection conn(options());
	conn.connect();
	CPPUNIT_ASSERT_THROW(conn.publish("", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.publish("a..b", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.publish("a b", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.publish("a.*", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.publish("a.>", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.publish("a.", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.publishRequest("a", "", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.publishRequest("a", "r\tx", "x"), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.subscribe("", [](const Message&) {}), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.subscribe("a.>.b", [](const Message&) {}), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.subscribe("a\r\n", [](const Message&) {}), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.subscribe("a", MessageHandler()), Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_THROW(conn.request("a.*", "x", WAIT), Poco::InvalidArgumentException);
	// wildcards are fine for subscriptions, "foo*" is a literal token
	conn.subscribe("a.*.c", [](const Message&) {});
	conn.subscribe("a.>", [](const Message&) {});
	conn.publish("foo*", "x");
	conn.flush(WAIT);
	CPPUNIT_ASSERT(conn.isConnected());
}

void ConnectionTest::testUseAfterClose()
{
	Connection conn(options());
	conn.connect();
	Subscription sub = conn.subscribeSync("core.closed");
	conn.close();
	CPPUNIT_ASSERT_THROW(conn.publish("a", "x"), ConnectionClosedException);
	CPPUNIT_ASSERT_THROW(conn.subscribe("a", [](const Message&) {}), ConnectionClosedException);
	CPPUNIT_ASSERT_THROW(conn.flush(WAIT), ConnectionClosedException);
	CPPUNIT_ASSERT_THROW(conn.request("a", "x", WAIT), ConnectionClosedException);
	CPPUNIT_ASSERT_THROW(sub.nextMessage(WAIT), ConnectionClosedException);
	CPPUNIT_ASSERT_THROW(sub.unsubscribe(), ConnectionClosedException);
	CPPUNIT_ASSERT(!sub.isValid());
	CPPUNIT_ASSERT_THROW(conn.connect(), Poco::IllegalStateException);
}

void ConnectionTest::testNotConnected()
{
	Connection conn(options());
	CPPUNIT_ASSERT_THROW(conn.publish("a", "x"), Poco::IllegalStateException);
	CPPUNIT_ASSERT_THROW(conn.subscribe("a", [](const Message&) {}), Poco::IllegalStateException);
	Options bad = options();
	bad.servers = {"nats://host:notaport"};
	Connection badConn(bad);
	CPPUNIT_ASSERT_THROW(badConn.connect(), Poco::InvalidArgumentException);
}

void ConnectionTest::testNoServer()
{
	Test::skipIfExternal("uses unused local ports");
	Options o;
	int p1 = Test::freePort();
	int p2 = Test::freePort();
	o.servers = {"nats://127.0.0.1:" + std::to_string(p1), "nats://127.0.0.1:" + std::to_string(p2)};
	o.connectTimeout = Poco::Timespan(0, 500000);
	Connection conn(o);
	try
	{
		conn.connect();
		CPPUNIT_FAIL("connect() must fail");
	}
	catch (NoServerException& e)
	{
		CPPUNIT_ASSERT(e.message().find(std::to_string(p1)) != std::string::npos);
		CPPUNIT_ASSERT(e.message().find(std::to_string(p2)) != std::string::npos);
	}
	CPPUNIT_ASSERT(!conn.isConnected());
}

void ConnectionTest::testSlowConsumer()
{
	std::atomic<int> slowErrors{0};
	Options o = options();
	o.maxPendingMessages = 10;
	o.errorHandler = [&slowErrors](const Poco::Exception& e) {
		if (dynamic_cast<const SlowConsumerException*>(&e)) ++slowErrors;
	};
	Connection conn(o);
	conn.connect();
	std::string subject = Test::uniqueName("core.slow");
	std::mutex gate;
	std::unique_lock<std::mutex> block(gate);
	std::atomic<int> handled{0};
	std::atomic<bool> entered{false};
	Subscription sub = conn.subscribe(subject, [&](const Message&) {
		entered = true;
		std::lock_guard<std::mutex> wait(gate);
		++handled;
	});
	conn.flush(WAIT);
	// the callback holds the first message ...
	conn.publish(subject, "first");
	NATS_WAIT_FOR(entered.load(), WAIT);
	const int n = 100;
	for (int i = 0; i < n; ++i) conn.publish(subject, "x");
	conn.flush(WAIT);
	// ... the queue takes 10 more; the rest are dropped, and the reader never blocked
	NATS_WAIT_FOR(sub.dropped() + static_cast<std::uint64_t>(sub.pendingMessages()) == std::uint64_t(n), WAIT);
	CPPUNIT_ASSERT_EQUAL(10, sub.pendingMessages());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(n - 10), sub.dropped());
	NATS_WAIT_FOR(slowErrors.load() >= 1, WAIT);
	block.unlock();
	NATS_WAIT_FOR(handled.load() == 11, WAIT);
	CPPUNIT_ASSERT(conn.isConnected());
}

void ConnectionTest::testCallbackException()
{
	std::mutex mutex;
	std::string error;
	Options o = options();
	o.errorHandler = [&](const Poco::Exception& e) {
		std::lock_guard<std::mutex> lock(mutex);
		error = e.message();
	};
	Connection conn(o);
	conn.connect();
	std::string subject = Test::uniqueName("core.throw");
	std::atomic<int> calls{0};
	conn.subscribe(subject, [&calls](const Message& m) {
		++calls;
		if (m.data() == "boom") throw Poco::RuntimeException("callback failed");
	});
	conn.flush(WAIT);
	conn.publish(subject, "boom");
	conn.publish(subject, "fine");
	NATS_WAIT_FOR(calls.load() == 2, WAIT);
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return error == "callback failed"; })(), WAIT);
}

void ConnectionTest::testCloseFromCallback()
{
	std::atomic<bool> closedHandler{false};
	Options o = options();
	o.closedHandler = [&closedHandler]() { closedHandler = true; };
	Connection conn(o);
	conn.connect();
	std::string subject = Test::uniqueName("core.selfclose");
	std::atomic<bool> returned{false};
	Connection* pConn = &conn;
	conn.subscribe(subject, [pConn, &returned](const Message&) {
		pConn->close();
		returned = true;
	});
	conn.flush(WAIT);
	conn.publish(subject, "x");
	NATS_WAIT_FOR(returned.load(), WAIT);
	CPPUNIT_ASSERT(conn.isClosed());
	NATS_WAIT_FOR(closedHandler.load(), WAIT);
}

void ConnectionTest::testHeadersAndReplyInMessage()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.reply");
	Subscription sub = conn.subscribeSync(subject);
	conn.flush(WAIT);
	conn.publishRequest(subject, "my.reply", "q");
	Message m = sub.nextMessage(WAIT);
	CPPUNIT_ASSERT_EQUAL(std::string("my.reply"), m.reply());
	CPPUNIT_ASSERT(m.headers().empty());
	CPPUNIT_ASSERT_EQUAL(0, m.status());
}

void ConnectionTest::testInlineSubscriptionPublishes()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.inline");
	auto impl = ImplAccess::impl(conn);
	std::atomic<bool> onReader{false};
	Subscription inl = impl->subscribeInline(subject, "", [impl, &onReader](const Message& m) {
		onReader = Poco::Thread::current() && std::string(Poco::Thread::current()->getName()) == "nats-reader";
		// publishing from the reader thread must not deadlock
		for (int i = 0; i < 100; ++i) impl->publish(m.reply(), "", "pong", 4);
	});
	conn.flush(WAIT);
	std::string inbox = conn.newInbox();
	Subscription replies = conn.subscribeSync(inbox);
	conn.flush(WAIT);
	conn.publishRequest(subject, inbox, "ping");
	for (int i = 0; i < 100; ++i) CPPUNIT_ASSERT_EQUAL(std::string("pong"), replies.nextMessage(WAIT).data());
	CPPUNIT_ASSERT(onReader.load());
	CPPUNIT_ASSERT(inl.maxPendingMessages() < 0);
}

void ConnectionTest::testOsThreadNames()
{
	// Every library thread carries an OS name (top -H, gdb, perf): dispatcher, reader, events.
	std::mutex mutex;
	std::string dispatcher, reader, events;
	Options o = options();
	o.closedHandler = [&]() {
		std::lock_guard<std::mutex> lock(mutex);
		events = Nats::currentThreadName();
	};
	{
		Connection conn(o);
		conn.connect();
		std::string subject = Test::uniqueName("core.names");
		Subscription a = conn.subscribe(subject, [&](const Message&) {
			std::lock_guard<std::mutex> lock(mutex);
			dispatcher = Nats::currentThreadName();
		});
		Subscription b = ImplAccess::impl(conn)->subscribeInline(subject, "", [&](const Message&) {
			std::lock_guard<std::mutex> lock(mutex);
			reader = Nats::currentThreadName();
		});
		conn.flush(WAIT);
		conn.publish(subject, "x");
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return !dispatcher.empty() && !reader.empty(); })(), WAIT);
		conn.close();
		NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return !events.empty(); })(), WAIT);
	}
	std::lock_guard<std::mutex> lock(mutex);
	CPPUNIT_ASSERT_EQUAL(std::string("nats-dispatch-0"), dispatcher);
	CPPUNIT_ASSERT_EQUAL(std::string("nats-reader"), reader);
	CPPUNIT_ASSERT_EQUAL(std::string("nats-events"), events);
}

void ConnectionTest::testRequestAsync()
{
	Connection conn(options());
	conn.connect();
	auto impl = ImplAccess::impl(conn);
	std::string subject = Test::uniqueName("core.async.req");
	conn.subscribe(subject, [&conn](const Message& m) { conn.publish(m.reply(), "ok:" + m.data()); });
	conn.flush(WAIT);
	std::mutex mutex;
	std::vector<std::string> results;
	auto handler = [&](const Message* pm, const Poco::Exception* pe) {
		std::lock_guard<std::mutex> lock(mutex);
		if (pm)
			results.push_back(pm->data());
		else if (dynamic_cast<const NatsTimeoutException*>(pe))
			results.push_back("timeout");
		else if (dynamic_cast<const NoRespondersException*>(pe))
			results.push_back("noresponders");
		else
			results.push_back("other");
	};
	impl->requestAsync(subject, "a", 1, WAIT, handler);
	impl->requestAsync(Test::uniqueName("core.nobody"), "b", 1, WAIT, handler);
	std::string silent = Test::uniqueName("core.silent");
	conn.subscribe(silent, [](const Message&) {});
	conn.flush(WAIT);
	impl->requestAsync(silent, "c", 1, Poco::Timespan(0, 100000), handler);
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(mutex); return results.size() == 3; })(), WAIT);
	std::multiset<std::string> got(results.begin(), results.end());
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.count("ok:a"));
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.count("noresponders"));
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), got.count("timeout"));

	// pending async requests are failed by close
	std::atomic<int> closedErrors{0};
	impl->requestAsync(silent, "d", 1, Poco::Timespan(60, 0), [&closedErrors](const Message*, const Poco::Exception* pe) {
		if (dynamic_cast<const ConnectionClosedException*>(pe)) ++closedErrors;
	});
	conn.close();
	CPPUNIT_ASSERT_EQUAL(1, closedErrors.load());
}

void ConnectionTest::testDrain()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.drain");
	std::atomic<int> count{0};
	conn.subscribe(subject, [&count](const Message&) {
		Poco::Thread::sleep(1); // a slow handler, so that messages are still queued when drain starts
		++count;
	});
	conn.flush(WAIT);
	for (int i = 0; i < 200; ++i) conn.publish(subject, "x");
	conn.flush(WAIT);
	conn.drain(Poco::Timespan(10, 0));
	CPPUNIT_ASSERT_EQUAL(200, count.load());
	CPPUNIT_ASSERT(conn.isClosed());
}

void ConnectionTest::testDrainStatus()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.drain2");
	std::mutex gate;
	std::unique_lock<std::mutex> block(gate);
	std::atomic<int> count{0};
	conn.subscribe(subject, [&](const Message&) {
		std::lock_guard<std::mutex> wait(gate);
		++count;
	});
	conn.flush(WAIT);
	for (int i = 0; i < 10; ++i) conn.publish(subject, "x");
	conn.flush(WAIT);
	std::atomic<bool> drained{false};
	std::thread drainer([&]() {
		try
		{
			conn.drain(Poco::Timespan(10, 0));
			drained = true;
		}
		catch (...)
		{
		}
	});
	NATS_WAIT_FOR(conn.status() == Connection::Status::DRAINING, WAIT);
	CPPUNIT_ASSERT(!drained.load());
	CPPUNIT_ASSERT_THROW(conn.drain(WAIT), Poco::IllegalStateException);
	block.unlock();
	drainer.join();
	CPPUNIT_ASSERT(drained.load());
	CPPUNIT_ASSERT_EQUAL(10, count.load());
	CPPUNIT_ASSERT(conn.isClosed());
}

void ConnectionTest::testSyncSlowConsumer()
{
	Options o = options();
	o.maxPendingMessages = 5;
	Connection conn(o);
	conn.connect();
	std::string subject = Test::uniqueName("core.syncslow");
	Subscription sub = conn.subscribeSync(subject);
	conn.flush(WAIT);
	for (int i = 0; i < 8; ++i) conn.publish(subject, std::to_string(i));
	conn.flush(WAIT);
	NATS_WAIT_FOR(sub.dropped() == 3, WAIT);
	// reported once, then the queued messages come
	CPPUNIT_ASSERT_THROW(sub.nextMessage(WAIT), SlowConsumerException);
	for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT_EQUAL(std::to_string(i), sub.nextMessage(WAIT).data());
	CPPUNIT_ASSERT_THROW(sub.nextMessage(Poco::Timespan(0, 50000)), NatsTimeoutException);
	sub.setPendingLimits(-1, -1);
	CPPUNIT_ASSERT_EQUAL(-1, sub.maxPendingMessages());
	CPPUNIT_ASSERT_THROW(sub.setPendingLimits(0, 10), Poco::InvalidArgumentException);
}

void ConnectionTest::testConnectSkipsDeadServer()
{
	Test::skipIfExternal("uses an unused local port");
	Options o = options();
	o.servers = {"nats://127.0.0.1:" + std::to_string(Test::freePort()), _url};
	o.noRandomize = true;
	o.connectTimeout = Poco::Timespan(0, 500000);
	Connection conn(o);
	conn.connect();
	CPPUNIT_ASSERT(conn.isConnected());
	CPPUNIT_ASSERT(_url.find(conn.connectedUrl().substr(conn.connectedUrl().rfind(':'))) != std::string::npos);
	CPPUNIT_ASSERT_EQUAL(std::size_t(2), conn.servers().size());
}

void ConnectionTest::testConcurrentPublishers()
{
	// several threads publish bursts at once (direct writes and the flusher interleave): nothing is
	// lost, nothing is corrupted, and each publisher's order is kept
	Connection sub(options());
	sub.connect();
	Connection pub(options());
	pub.connect();
	std::string subject = Test::uniqueName("core.mt");
	const int threads = 4;
	const int perThread = 20000;
	// payload: "<thread>:<seq>:" padded with 'p' to 100 bytes
	OrderChecker checker(threads, 100);
	Subscription s = sub.subscribe(subject, [&](const Message& m) { checker.onMessage(m); });
	s.setPendingLimits(-1, -1);
	sub.flush(WAIT);
	std::vector<std::thread> workers = startBursts(pub, subject, threads, perThread, ":", 'p');
	for (auto& w: workers) w.join();
	pub.flush(Poco::Timespan(30, 0));
	NATS_WAIT_FOR(checker.total() == threads * perThread, Poco::Timespan(30, 0));
	CPPUNIT_ASSERT_EQUAL(0, checker.bad());
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(threads * perThread), pub.statistics().outMsgs);
}

void ConnectionTest::testWriteNowDuringBursts()
{
	// flush() and publish(writeNow) write on the caller's thread unless a write is in progress;
	// while other threads publish bursts (direct 32 KiB writes, the flusher lingering) every flush
	// still completes, nothing is lost and each publisher's order is kept
	Connection sub(options());
	sub.connect();
	Connection pub(options());
	pub.connect();
	std::string subject = Test::uniqueName("core.writenow");
	const int threads = 3; // 0, 1: bursts with publish(); 2: publish(writeNow) one by one
	const int perThread = 20000;
	const int writeNowCount = 2000;
	OrderChecker checker(threads, 0);
	Subscription s = sub.subscribe(subject, [&](const Message& m) { checker.onMessage(m); });
	s.setPendingLimits(-1, -1);
	sub.flush(WAIT);
	std::shared_ptr<ConnectionImpl> impl = ImplAccess::impl(pub);
	std::atomic<bool> stop{false};
	std::atomic<int> flushes{0};
	std::atomic<int> flushErrors{0};
	std::vector<std::thread> workers = startBursts(pub, subject, 2, perThread, "", ' ');
	std::thread writeNow([&]() {
		for (int i = 0; i < writeNowCount; ++i)
		{
			std::string body = "2:" + std::to_string(i);
			impl->publish(subject, std::string(), body.data(), body.size(), true);
		}
	});
	std::thread flusher([&]() {
		do
		{
			try
			{
				pub.flush(WAIT);
				++flushes;
			}
			catch (...)
			{
				++flushErrors;
			}
		}
		while (!stop.load());
	});
	for (auto& w: workers) w.join();
	writeNow.join();
	stop = true;
	flusher.join();
	pub.flush(Poco::Timespan(30, 0));
	const int expected = 2 * perThread + writeNowCount;
	NATS_WAIT_FOR(checker.total() == expected, Poco::Timespan(30, 0));
	CPPUNIT_ASSERT_EQUAL(0, checker.bad());
	CPPUNIT_ASSERT_EQUAL(0, flushErrors.load());
	CPPUNIT_ASSERT(flushes.load() >= 1);
	CPPUNIT_ASSERT_EQUAL(std::uint64_t(expected), pub.statistics().outMsgs);
}

void ConnectionTest::testStatistics()
{
	Connection conn(options());
	conn.connect();
	std::string subject = Test::uniqueName("core.stats");
	Subscription sub = conn.subscribeSync(subject);
	conn.flush(WAIT);
	Statistics before = conn.statistics();
	conn.publish(subject, "12345");
	sub.nextMessage(WAIT);
	Statistics after = conn.statistics();
	CPPUNIT_ASSERT_EQUAL(before.outMsgs + 1, after.outMsgs);
	CPPUNIT_ASSERT_EQUAL(before.outBytes + 5, after.outBytes);
	CPPUNIT_ASSERT(after.inMsgs >= before.inMsgs + 1);
	CPPUNIT_ASSERT(after.inBytes >= before.inBytes + 5);
}

void ConnectionTest::testNoEcho()
{
	Options o = options();
	o.noEcho = true;
	Connection conn(o);
	conn.connect();
	Connection other(options());
	other.connect();
	std::string subject = Test::uniqueName("core.echo");
	Subscription sub = conn.subscribeSync(subject);
	conn.flush(WAIT);
	conn.publish(subject, "mine");
	other.publish(subject, "theirs");
	other.flush(WAIT);
	conn.flush(WAIT);
	CPPUNIT_ASSERT_EQUAL(std::string("theirs"), sub.nextMessage(WAIT).data());
	CPPUNIT_ASSERT_THROW(sub.nextMessage(Poco::Timespan(0, 100000)), NatsTimeoutException);
}

void ConnectionTest::testDispatcherPool()
{
	Options o = options();
	o.dispatcherThreads = 2;
	Connection conn(o);
	conn.connect();
	// a blocked callback on one worker does not stop a subscription pinned to the other
	std::string s1 = Test::uniqueName("core.pool1");
	std::string s2 = Test::uniqueName("core.pool2");
	std::mutex gate;
	std::unique_lock<std::mutex> block(gate);
	std::atomic<int> first{0}, second{0};
	conn.subscribe(s1, [&](const Message&) {
		std::lock_guard<std::mutex> wait(gate);
		++first;
	});
	conn.subscribe(s2, [&](const Message&) { ++second; });
	conn.flush(WAIT);
	conn.publish(s1, "x");
	conn.publish(s2, "y");
	NATS_WAIT_FOR(second.load() == 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(0, first.load());
	block.unlock();
	NATS_WAIT_FOR(first.load() == 1, WAIT);
}
