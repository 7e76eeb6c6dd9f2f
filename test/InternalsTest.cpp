//
// InternalsTest.cpp
//
// Unit tests (no network) of the small internal classes: Dispatcher/DispatcherPool,
// EventQueue, ServerInfo, SubscriptionImpl (queueing, limits, sync delivery), Message.
//

#include "core/ConnectionImpl.h"
#include "core/Dispatcher.h"
#include "core/EventQueue.h"
#include "core/ServerInfo.h"
#include "core/SubscriptionImpl.h"
#include "core/SubjectRules.h"
#include "TestUtil.h"
#include "Nats/Exception.h"
#include "Nats/Message.h"
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <mutex>
#include <set>
#include <vector>

using namespace Nats;

namespace {

const Poco::Timespan WAIT(5, 0);

struct Counter: public Dispatchable
{
	std::atomic<int> runs{0};
	int remaining;
	explicit Counter(int n): remaining(n) {}
	bool dispatch(int) override
	{
		++runs;
		return --remaining > 0;
	}
};

} // namespace

class InternalsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(InternalsTest);
	CPPUNIT_TEST(testDispatcherRunsUntilDone);
	CPPUNIT_TEST(testPoolRoundRobin);
	CPPUNIT_TEST(testEventQueueOrder);
	CPPUNIT_TEST(testServerInfo);
	CPPUNIT_TEST(testServerInfoMalformed);
	CPPUNIT_TEST(testAsyncSubscriptionOrderAndLimits);
	CPPUNIT_TEST(testSyncSubscription);
	CPPUNIT_TEST(testAutoUnsubscribeCounting);
	CPPUNIT_TEST(testMessageStatus);
	CPPUNIT_TEST(testSubjectValidation);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDispatcherRunsUntilDone()
	{
		Dispatcher d("test-dispatch");
		d.start();
		auto c = std::make_shared<Counter>(5);
		d.schedule(c);
		NATS_WAIT_FOR(c->runs.load() == 5, WAIT);
		d.stop();
		d.join();
		d.join(); // twice is fine
		CPPUNIT_ASSERT_EQUAL(5, c->runs.load());
	}

	void testPoolRoundRobin()
	{
		DispatcherPool pool(3, "rr");
		std::set<Dispatcher*> seen;
		for (int i = 0; i < 6; ++i) seen.insert(pool.next());
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), seen.size());
		pool.start();
		CPPUNIT_ASSERT(!pool.isWorkerThread());
		pool.stop();
		pool.join();
	}

	void testEventQueueOrder()
	{
		std::vector<int> order;
		{
			EventQueue q("test-events");
			q.start();
			for (int i = 0; i < 100; ++i) q.post([&order, i]() { order.push_back(i); });
			q.post([]() { throw std::runtime_error("swallowed"); });
			q.post([&order]() { order.push_back(100); });
			q.shutdown(); // runs what is queued, then joins
			q.post([&order]() { order.push_back(-1); });
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(101), order.size());
		for (int i = 0; i <= 100; ++i) CPPUNIT_ASSERT_EQUAL(i, order[static_cast<std::size_t>(i)]);
	}

	void testServerInfo()
	{
		ServerInfo i = ServerInfo::parse("{\"server_id\":\"NABC\",\"version\":\"2.9.10\",\"proto\":1,\"headers\":true,"
			"\"max_payload\":2048,\"tls_required\":true,\"auth_required\":true,\"connect_urls\":[\"10.0.0.1:4222\",\"10.0.0.2:4222\"],"
			"\"ldm\":true,\"unknown_key\":{\"nested\":[1,2]}}");
		CPPUNIT_ASSERT_EQUAL(std::string("NABC"), i.serverId);
		CPPUNIT_ASSERT_EQUAL(1, i.proto);
		CPPUNIT_ASSERT(i.headers);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(2048), i.maxPayload);
		CPPUNIT_ASSERT(i.tlsRequired);
		CPPUNIT_ASSERT(i.authRequired);
		CPPUNIT_ASSERT(i.lameDuck);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), i.connectUrls.size());
		CPPUNIT_ASSERT_EQUAL(std::string("10.0.0.2:4222"), i.connectUrls[1]);
		ServerInfo d = ServerInfo::parse("{}");
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1048576), d.maxPayload);
		CPPUNIT_ASSERT(!d.tlsRequired);
		CPPUNIT_ASSERT(d.connectUrls.empty());
	}

	void testServerInfoMalformed()
	{
		CPPUNIT_ASSERT_THROW(ServerInfo::parse("{"), NatsProtocolException);
		CPPUNIT_ASSERT_THROW(ServerInfo::parse("[1,2]"), NatsProtocolException);
		// a field of the wrong type falls back to its default (unknown/odd keys never break the client)
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1048576), ServerInfo::parse("{\"max_payload\":\"big\"}").maxPayload);
	}

	void testAsyncSubscriptionOrderAndLimits()
	{
		Dispatcher d("sub-dispatch");
		d.start();
		std::mutex gate;
		std::unique_lock<std::mutex> block(gate);
		std::mutex mutex;
		std::vector<std::string> got;
		std::atomic<bool> entered{false};
		auto sub = std::make_shared<SubscriptionImpl>(std::weak_ptr<ConnectionImpl>(), 1, "s", "", SubscriptionImpl::Kind::ASYNC,
			[&](const Message& m) {
				entered = true;
				std::lock_guard<std::mutex> wait(gate);
				std::lock_guard<std::mutex> lock(mutex);
				got.push_back(m.data());
			},
			3, -1, &d);
		bool slow = false;
		CPPUNIT_ASSERT(sub->enqueue(Message("s", "", "0"), slow));
		NATS_WAIT_FOR(entered.load(), WAIT);
		for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT(sub->enqueue(Message("s", "", std::to_string(i)), slow));
		CPPUNIT_ASSERT(!slow);
		CPPUNIT_ASSERT_EQUAL(3, sub->pendingMessages());
		CPPUNIT_ASSERT(!sub->enqueue(Message("s", "", "dropped"), slow));
		CPPUNIT_ASSERT(slow); // the first drop starts a slow-consumer episode
		CPPUNIT_ASSERT(!sub->enqueue(Message("s", "", "dropped"), slow));
		CPPUNIT_ASSERT(!slow); // reported once per episode
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), sub->dropped());
		CPPUNIT_ASSERT(!sub->idle());
		block.unlock();
		NATS_WAIT_FOR(sub->idle(), WAIT);
		std::lock_guard<std::mutex> lock(mutex);
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), got.size());
		for (int i = 0; i < 4; ++i) CPPUNIT_ASSERT_EQUAL(std::to_string(i), got[static_cast<std::size_t>(i)]);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), sub->delivered());
		CPPUNIT_ASSERT_EQUAL(0, sub->pendingMessages());
		CPPUNIT_ASSERT_EQUAL(0LL, sub->pendingBytes());
		d.stop();
		d.join();
	}

	void testSyncSubscription()
	{
		auto sub = std::make_shared<SubscriptionImpl>(std::weak_ptr<ConnectionImpl>(), 2, "s", "q", SubscriptionImpl::Kind::SYNC, MessageHandler(),
			-1, 10, nullptr);
		bool slow = false;
		CPPUNIT_ASSERT(sub->enqueue(Message("s", "", "12345"), slow));
		CPPUNIT_ASSERT(sub->enqueue(Message("s", "", "67890"), slow));
		CPPUNIT_ASSERT(!sub->enqueue(Message("s", "", "x"), slow)); // byte limit 10
		CPPUNIT_ASSERT_EQUAL(10LL, sub->pendingBytes());
		CPPUNIT_ASSERT_THROW(sub->nextMessage(WAIT), SlowConsumerException);
		CPPUNIT_ASSERT_EQUAL(std::string("12345"), sub->nextMessage(WAIT).data());
		CPPUNIT_ASSERT_EQUAL(std::string("67890"), sub->nextMessage(WAIT).data());
		CPPUNIT_ASSERT_THROW(sub->nextMessage(Poco::Timespan(0, 10000)), NatsTimeoutException);
		sub->markClosed(true);
		CPPUNIT_ASSERT_THROW(sub->nextMessage(WAIT), ConnectionClosedException);
		CPPUNIT_ASSERT(sub->isClosed());
	}

	void testAutoUnsubscribeCounting()
	{
		auto sub = std::make_shared<SubscriptionImpl>(std::weak_ptr<ConnectionImpl>(), 3, "s", "", SubscriptionImpl::Kind::SYNC, MessageHandler(),
			-1, -1, nullptr);
		bool last = false;
		CPPUNIT_ASSERT(sub->countReceived(last));
		CPPUNIT_ASSERT(!last);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), sub->setMax(3));
		CPPUNIT_ASSERT(sub->countReceived(last));
		CPPUNIT_ASSERT(!last);
		CPPUNIT_ASSERT(sub->countReceived(last));
		CPPUNIT_ASSERT(last);
		CPPUNIT_ASSERT(!sub->countReceived(last)); // beyond the limit
		bool slow;
		for (int i = 0; i < 3; ++i) sub->enqueue(Message("s", "", "m"), slow);
		sub->nextMessage(WAIT);
		sub->nextMessage(WAIT);
		CPPUNIT_ASSERT(!sub->isClosed());
		sub->nextMessage(WAIT);
		CPPUNIT_ASSERT(sub->isClosed()); // the third delivery reached max
	}

	void testSubjectValidation()
	{
		for (const char* ok: {"a", "a.b", "foo*", "a.b*c", "*a", "a.>b", "_INBOX.abc.def", "x.y.z.1.2.3"})
			SubjectRules::checkPublishSubject(ok);
		for (const std::string& bad: std::vector<std::string>{"", ".", "a.", ".a", "a..b", "*", "a.*", "*.a", ">", "a.>", "a.*.b", "a b",
				 "a\tb", "a\r", "\na", std::string("a\0b", 3)})
			CPPUNIT_ASSERT_THROW_MESSAGE(bad, SubjectRules::checkPublishSubject(bad), Poco::InvalidArgumentException);
		for (const char* ok: {"a", "*", ">", "a.*.c", "a.>", "*.*", "foo*.>"})
			SubjectRules::checkSubscribeSubject(ok);
		for (const char* bad: {"", "a.>.b", "a..b", "a.", ".a", "a b", ">.a"})
			CPPUNIT_ASSERT_THROW_MESSAGE(bad, SubjectRules::checkSubscribeSubject(bad), Poco::InvalidArgumentException);
		SubjectRules::checkQueue("workers");
		SubjectRules::checkQueue("");
		CPPUNIT_ASSERT_THROW(SubjectRules::checkQueue("a b"), Poco::InvalidArgumentException);
		// The streaming channel rule differs on purpose (protocol.md 3.2): stricter on wildcards
		// and '/', silent on whitespace.
		CPPUNIT_ASSERT(SubjectRules::isValidChannel("foo bar"));
		CPPUNIT_ASSERT_THROW(SubjectRules::checkPublishSubject("foo bar"), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel("foo*"));
		SubjectRules::checkPublishSubject("foo*");
		CPPUNIT_ASSERT(!SubjectRules::isValidChannel("a/b"));
		SubjectRules::checkPublishSubject("a/b");
		CPPUNIT_ASSERT(SubjectRules::isValidToken("my-cluster"));
		for (const char* bad: {"", "a.b", "*", ">", "a b"})
			CPPUNIT_ASSERT_MESSAGE(bad, !SubjectRules::isValidToken(bad));
	}

	void testMessageStatus()
	{
		CPPUNIT_ASSERT_EQUAL(503, Message("s", "", "", "NATS/1.0 503\r\n\r\n").status());
		CPPUNIT_ASSERT(Message("s", "", "", "NATS/1.0 503\r\n\r\n").isNoResponders());
		CPPUNIT_ASSERT(!Message("s", "", "body", "NATS/1.0 503\r\n\r\n").isNoResponders());
		CPPUNIT_ASSERT_EQUAL(408, Message("s", "", "", "NATS/1.0 408 Request Timeout\r\n\r\n").status());
		CPPUNIT_ASSERT_EQUAL(0, Message("s", "", "", "NATS/1.0\r\nA: b\r\n\r\n").status());
		CPPUNIT_ASSERT_EQUAL(0, Message("s", "", "x").status());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(InternalsTest);
