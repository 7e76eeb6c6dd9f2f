//
// StanFakeServerTest.cpp
//

#include "StanFakeServerTest.h"
#include "TestUtil.h"
#include "NatsServerProcess.h"
#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include "Nats/Exception.h"
#include "protocol.pb.h"
#include "core/ThreadName.h"
#include <Poco/Event.h>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace Nats;
using Nats::Test::waitFor;

CPPUNIT_TEST_SUITE_REGISTRATION(StanFakeServerTest);

namespace {

const Poco::Timespan WAIT(10, 0);

/// A scripted streaming server on a core NATS connection. Subjects are prefixed with a unique
/// name so that several fakes (or a real server) can share one nats-server.
class FakeStan
{
public:
	enum PubMode
	{
		PUB_ACK,
		PUB_IGNORE,
		PUB_ERROR
	};

	FakeStan(const std::string& url, const std::string& clusterId)
		: _clusterId(clusterId), _prefix(Test::uniqueName("_FAKE"))
	{
		Options o;
		o.servers = {url};
		_nc.reset(new Connection(o));
		_nc->connect();
		sub("_STAN.discover." + clusterId, [this](const Message& m) { onConnect(m); });
		sub(_prefix + ".pub.>", [this](const Message& m) { onPub(m); });
		sub(_prefix + ".sub", [this](const Message& m) { onSub(m); });
		sub(_prefix + ".unsub", [this](const Message& m) { onUnsub(m, "unsub"); });
		sub(_prefix + ".subclose", [this](const Message& m) { onUnsub(m, "subclose"); });
		sub(_prefix + ".close", [this](const Message& m) { onClose(m); });
		sub(_prefix + ".ping", [this](const Message& m) { onPing(m); });
		_nc->flush(WAIT);
	}

	~FakeStan()
	{
		try
		{
			_nc->close();
		}
		catch (...)
		{
		}
	}

	std::atomic<int> pubMode{PUB_ACK};
	std::atomic<bool> msgBeforeResponse{true};
	std::atomic<bool> answerPings{true};
	std::string pubError = "stan: invalid publish request";
	std::string pingError; // set before the client pings
	std::string silentChannel = "silent";

	std::vector<std::string> events()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _events;
	}
	std::size_t countEvents(const std::string& prefix)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::size_t n = 0;
		for (const auto& e : _events)
			if (e.compare(0, prefix.size(), prefix) == 0) ++n;
		return n;
	}
	natsstan::ConnectRequest lastConnect()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _lastConnect;
	}
	std::vector<natsstan::PubMsg> pubs()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _pubs;
	}
	/// Acks the first `n` publishes received (in order) that were not acked yet.
	void ackPending(std::size_t n)
	{
		std::vector<std::pair<std::string, std::string>> todo;
		{
			std::lock_guard<std::mutex> lock(_mutex);
			while (n-- > 0 && _acked < _pubs.size())
			{
				todo.emplace_back(_pubReplies[_acked], _pubs[_acked].guid());
				++_acked;
			}
		}
		for (auto& t : todo)
		{
			natsstan::PubAck a;
			a.set_guid(t.second);
			_nc->publish(t.first, a.SerializeAsString());
		}
	}
	Connection& nc() { return *_nc; }

private:
	void sub(const std::string& subject, MessageHandler h) { _subs.push_back(_nc->subscribe(subject, std::move(h))); }

	void event(const std::string& e)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_events.push_back(e);
	}

	void onConnect(const Message& m)
	{
		natsstan::ConnectRequest req;
		req.ParseFromString(m.data());
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_lastConnect = req;
		}
		event("connect:" + req.clientid());
		natsstan::ConnectResponse resp;
		if (req.clientid().compare(0, 3, "dup") == 0)
			resp.set_error("stan: clientID already registered");
		else if (req.clientid().compare(0, 3, "bad") == 0)
			resp.set_error("stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed");
		else
		{
			resp.set_pubprefix(_prefix + ".pub");
			resp.set_subrequests(_prefix + ".sub");
			resp.set_unsubrequests(_prefix + ".unsub");
			resp.set_closerequests(_prefix + ".close");
			resp.set_subcloserequests(_prefix + ".subclose");
			resp.set_pingrequests(_prefix + ".ping");
			resp.set_pinginterval(req.pinginterval());
			resp.set_pingmaxout(req.pingmaxout());
			resp.set_protocol(1);
		}
		_nc->publish(m.reply(), resp.SerializeAsString());
	}

	void onPub(const Message& m)
	{
		natsstan::PubMsg pm;
		pm.ParseFromString(m.data());
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_pubs.push_back(pm);
			_pubReplies.push_back(m.reply());
		}
		int mode = pubMode.load();
		if (mode == PUB_IGNORE) return;
		natsstan::PubAck a;
		a.set_guid(pm.guid());
		if (mode == PUB_ERROR) a.set_error(pubError);
		{
			std::lock_guard<std::mutex> lock(_mutex);
			++_acked;
		}
		_nc->publish(m.reply(), a.SerializeAsString());
	}

	void onSub(const Message& m)
	{
		natsstan::SubscriptionRequest req;
		req.ParseFromString(m.data());
		event("sub:" + req.subject());
		event("ackwait:" + std::to_string(req.ackwaitinsecs()));
		if (req.subject() == silentChannel) return;
		std::string ackInbox = _prefix + ".acks." + std::to_string(++_subCount);
		_subs.push_back(_nc->subscribe(ackInbox, [this](const Message& am) {
			natsstan::Ack a;
			a.ParseFromString(am.data());
			event("ack:" + std::to_string(a.sequence()));
		}));
		_nc->flush(WAIT);
		if (msgBeforeResponse)
		{
			// The first message goes out before the SubscriptionResponse (protocol.md 2.4).
			natsstan::MsgProto mp;
			mp.set_sequence(1);
			mp.set_subject(req.subject());
			mp.set_data("early");
			mp.set_timestamp(1700000000000000000LL);
			_nc->publish(req.inbox(), mp.SerializeAsString());
		}
		natsstan::SubscriptionResponse resp;
		resp.set_ackinbox(ackInbox);
		_nc->publish(m.reply(), resp.SerializeAsString());
	}

	void onUnsub(const Message& m, const std::string& what)
	{
		natsstan::UnsubscribeRequest req;
		req.ParseFromString(m.data());
		event(what + ":" + req.inbox());
		if (!m.reply().empty()) _nc->publish(m.reply(), "");
	}

	void onClose(const Message& m)
	{
		natsstan::CloseRequest req;
		req.ParseFromString(m.data());
		event("close:" + req.clientid());
		_nc->publish(m.reply(), "");
	}

	void onPing(const Message& m)
	{
		if (!answerPings) return;
		natsstan::PingResponse r;
		if (!pingError.empty()) r.set_error(pingError);
		_nc->publish(m.reply(), r.SerializeAsString());
	}

	std::string _clusterId;
	std::string _prefix;
	std::unique_ptr<Connection> _nc;
	std::vector<Subscription> _subs;
	std::mutex _mutex;
	std::vector<std::string> _events;
	natsstan::ConnectRequest _lastConnect;
	std::vector<natsstan::PubMsg> _pubs;
	std::vector<std::string> _pubReplies;
	std::size_t _acked = 0;
	std::atomic<int> _subCount{0};
};

StanOptions fakeOptions(const std::string& url)
{
	StanOptions o;
	o.natsUrl = url;
	o.connectWait = Poco::Timespan(2, 0);
	return o;
}

/// Records the connectionLostHandler calls of a client: how many, and the last error (written
/// before `calls` is incremented, so it may be read once `calls` was seen to change).
struct LostRecorder
{
	std::atomic<int> calls{0};
	std::string error;

	void install(StanOptions& o)
	{
		o.connectionLostHandler = [this](StanConnection&, const std::string& err) {
			error = err;
			++calls;
		};
	}
};

} // namespace

void StanFakeServerTest::setUp()
{
	_pServer = Test::startNatsServerUnlessExternal(_url);
}

void StanFakeServerTest::tearDown()
{
	_pServer.reset();
}

void StanFakeServerTest::testConnectRequestFields()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	StanOptions o = fakeOptions(_url);
	o.pingInterval = Poco::Timespan(1900 * Poco::Timespan::MILLISECONDS); // sent truncated: 1 s
	o.pingMaxOut = 7;
	std::string id = Test::uniqueName("cli");
	StanConnection sc(cluster, id, o);
	sc.connect();
	CPPUNIT_ASSERT(sc.isConnected());
	natsstan::ConnectRequest req = fake.lastConnect();
	CPPUNIT_ASSERT_EQUAL(id, req.clientid());
	CPPUNIT_ASSERT(req.heartbeatinbox().compare(0, 7, "_INBOX.") == 0);
	CPPUNIT_ASSERT_EQUAL(1, req.protocol());
	CPPUNIT_ASSERT(!req.connid().empty());
	CPPUNIT_ASSERT_EQUAL(1, req.pinginterval()); // whole seconds, truncated toward zero
	CPPUNIT_ASSERT_EQUAL(7, req.pingmaxout());
	// The owned NATS connection is named after the client ID and never buffers while reconnecting.
	CPPUNIT_ASSERT_EQUAL(id, sc.natsConnection().options().name);
	CPPUNIT_ASSERT_EQUAL(-1, sc.natsConnection().options().maxReconnect);
	CPPUNIT_ASSERT(sc.natsConnection().options().reconnectBufferSize < 0);
	// Heartbeats are answered.
	Message hb = fake.nc().request(req.heartbeatinbox(), "", WAIT);
	CPPUNIT_ASSERT(hb.data().empty());
	// Publishes carry clientID, guid, channel, data and connID.
	sc.publish("orders", "payload");
	std::vector<natsstan::PubMsg> pubs = fake.pubs();
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), pubs.size());
	CPPUNIT_ASSERT_EQUAL(id, pubs[0].clientid());
	CPPUNIT_ASSERT_EQUAL(std::string("orders"), pubs[0].subject());
	CPPUNIT_ASSERT_EQUAL(std::string("payload"), pubs[0].data());
	CPPUNIT_ASSERT_EQUAL(req.connid(), pubs[0].connid());
	CPPUNIT_ASSERT(!pubs[0].guid().empty());
	sc.close();
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), fake.countEvents("close:" + id));
	sc.close(); // idempotent
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), fake.countEvents("close:"));
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::CLOSED);

	StanOptions whole = fakeOptions(_url);
	StanConnection sc2(cluster, Test::uniqueName("cli"), whole);
	sc2.connect();
	CPPUNIT_ASSERT_EQUAL(5, fake.lastConnect().pinginterval());
	CPPUNIT_ASSERT_EQUAL(88, fake.lastConnect().pingmaxout());
}

void StanFakeServerTest::testAckWaitSentInWholeSeconds()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	StanConnection sc(cluster, Test::uniqueName("cli"), fakeOptions(_url));
	sc.connect();
	auto noop = [](const StanMessage&) {};
	StanSubscription a = sc.subscribe("aw1", noop, StanSubscriptionOptions().setAckWait(Poco::Timespan(1900 * Poco::Timespan::MILLISECONDS)));
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), fake.countEvents("ackwait:1"));
	StanSubscription b = sc.subscribe("aw30", noop);
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), fake.countEvents("ackwait:30"));
	// Below one second nothing is sent: the server would refuse it.
	CPPUNIT_ASSERT_THROW(sc.subscribe("aw0", noop, StanSubscriptionOptions().setAckWait(Poco::Timespan(500 * Poco::Timespan::MILLISECONDS))),
		Poco::InvalidArgumentException);
	CPPUNIT_ASSERT_EQUAL(std::size_t(0), fake.countEvents("sub:aw0"));
	CPPUNIT_ASSERT_EQUAL(std::size_t(2), fake.countEvents("ackwait:"));
}

void StanFakeServerTest::testMsgBeforeSubscriptionResponse()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	StanConnection sc(cluster, Test::uniqueName("cli"), fakeOptions(_url));
	sc.connect();
	std::mutex m;
	std::vector<StanMessage> got;
	StanSubscription sub = sc.subscribe("early", [&](const StanMessage& msg) {
		std::lock_guard<std::mutex> lock(m);
		got.push_back(msg);
	});
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(m); return got.size() == 1; }()), WAIT);
	{
		std::lock_guard<std::mutex> lock(m);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), got[0].sequence());
		CPPUNIT_ASSERT_EQUAL(std::string("early"), got[0].data());
		CPPUNIT_ASSERT_EQUAL(std::string("early"), got[0].channel());
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1700000000000000000LL), got[0].timestamp());
	}
	// auto-ack went to the ack inbox the response named
	NATS_WAIT_FOR(fake.countEvents("ack:1") == 1, WAIT);

	// pull style: the early message is also held for nextMessage()
	StanSubscription pull = sc.subscribeSync("early2");
	StanMessage first = pull.nextMessage(WAIT);
	CPPUNIT_ASSERT_EQUAL(std::string("early"), first.data());
	// acked when the application pulls again, not before it had the message
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), fake.countEvents("ack:1"));
	CPPUNIT_ASSERT_THROW(pull.nextMessage(Poco::Timespan(20 * Poco::Timespan::MILLISECONDS)), NatsTimeoutException);
	NATS_WAIT_FOR(fake.countEvents("ack:1") == 2, WAIT);
}

void StanFakeServerTest::testPubAckTimeout()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	fake.pubMode = FakeStan::PUB_IGNORE;
	StanOptions o = fakeOptions(_url);
	o.pubAckWait = Poco::Timespan(200 * Poco::Timespan::MILLISECONDS);
	StanConnection sc(cluster, Test::uniqueName("cli"), o);
	sc.connect();
	Nats::Test::expectThrow<StanPubAckTimeoutException>("publish must time out", "stan: publish ack timeout", [&]() {
		sc.publish("ch", "x");
	});
	std::mutex m;
	std::map<std::string, std::vector<std::string>> results;
	std::string guid = sc.publishAsync("ch", "y", [&](const std::string& g, const std::string& err) {
		std::lock_guard<std::mutex> lock(m);
		results[g].push_back(err);
	});
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(m); return results.size() == 1; }()), WAIT);
	CPPUNIT_ASSERT_EQUAL(0, sc.pubAcksInflight());
	// a late ack is ignored: the handler ran exactly once
	fake.ackPending(10);
	sc.natsConnection().flush(WAIT);
	fake.nc().flush(WAIT);
	sc.close();
	std::lock_guard<std::mutex> lock(m);
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), results[guid].size());
	CPPUNIT_ASSERT_EQUAL(std::string("stan: publish ack timeout"), results[guid][0]);
}

void StanFakeServerTest::testPublishServerError()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	fake.pubMode = FakeStan::PUB_ERROR;
	fake.pubError = "too many channels";
	StanConnection sc(cluster, Test::uniqueName("cli"), fakeOptions(_url));
	sc.connect();
	Nats::Test::expectThrow<StanPublishException>("publish must fail", "too many channels", [&]() {
		sc.publish("ch", "x");
	});
	std::atomic<int> calls{0};
	std::string error;
	Poco::Event done;
	sc.publishAsync("ch", "x", [&](const std::string&, const std::string& err) {
		error = err;
		++calls;
		done.set();
	});
	CPPUNIT_ASSERT(done.tryWait(10000));
	CPPUNIT_ASSERT_EQUAL(std::string("too many channels"), error);
	CPPUNIT_ASSERT_THROW(sc.publish("", "x"), Poco::InvalidArgumentException);
}

void StanFakeServerTest::testPublishWindowBlocks()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	fake.pubMode = FakeStan::PUB_IGNORE;
	StanOptions o = fakeOptions(_url);
	o.maxPubAcksInflight = 512;
	StanConnection sc(cluster, Test::uniqueName("cli"), o);
	sc.connect();
	std::atomic<int> acked{0};
	auto handler = [&](const std::string&, const std::string& err) {
		if (err.empty()) ++acked;
	};
	for (int i = 0; i < 512; ++i) sc.publishAsync("ch", "m", handler, Poco::Timespan(0));
	CPPUNIT_ASSERT_EQUAL(512, sc.pubAcksInflight());
	Nats::Test::expectThrow<NatsTimeoutException>("the window is full", "stan: publish window full", [&]() {
		sc.publishAsync("ch", "m", handler, Poco::Timespan(50 * Poco::Timespan::MILLISECONDS));
	});
	CPPUNIT_ASSERT_EQUAL(512, sc.pubAcksInflight());

	// A publisher blocks until the window drains below the 50 % threshold.
	std::atomic<bool> published{false};
	std::thread blocked([&]() {
		sc.publishAsync("ch", "m", handler);
		published = true;
	});
	NATS_WAIT_FOR(fake.pubs().size() == 512, WAIT);
	fake.ackPending(300); // 212 left: below 256
	NATS_WAIT_FOR(published.load(), WAIT);
	blocked.join();
	NATS_WAIT_FOR(acked.load() == 300, WAIT);
	CPPUNIT_ASSERT(sc.pubAcksInflight() <= 512);
	NATS_WAIT_FOR(fake.pubs().size() == 513, WAIT);
	fake.ackPending(1000);
	NATS_WAIT_FOR(acked.load() == 513, WAIT);
	CPPUNIT_ASSERT_EQUAL(0, sc.pubAcksInflight());
}

void StanFakeServerTest::testCloseFailsPendingPublishes()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	fake.pubMode = FakeStan::PUB_IGNORE;
	StanConnection sc(cluster, Test::uniqueName("cli"), fakeOptions(_url));
	sc.connect();
	std::mutex m;
	std::map<std::string, std::vector<std::string>> results;
	std::set<std::string> guids;
	for (int i = 0; i < 10; ++i)
	{
		guids.insert(sc.publishAsync("ch", "m", [&](const std::string& g, const std::string& err) {
			std::lock_guard<std::mutex> lock(m);
			results[g].push_back(err);
		}));
	}
	CPPUNIT_ASSERT_EQUAL(std::size_t(10), guids.size());
	std::atomic<bool> syncFailed{false};
	std::thread syncPublisher([&]() {
		try
		{
			sc.publish("ch", "sync");
		}
		catch (ConnectionClosedException& exc)
		{
			syncFailed = exc.message() == "stan: connection closed";
		}
	});
	NATS_WAIT_FOR(fake.pubs().size() == 11, WAIT);
	sc.close();
	syncPublisher.join();
	CPPUNIT_ASSERT(syncFailed.load());
	{
		std::lock_guard<std::mutex> lock(m);
		CPPUNIT_ASSERT_EQUAL(std::size_t(10), results.size());
		for (const auto& g : guids)
		{
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), results[g].size());
			CPPUNIT_ASSERT_EQUAL(std::string("stan: connection closed"), results[g][0]);
		}
	}
	Nats::Test::expectThrow<ConnectionClosedException>("closed", "stan: connection closed", [&]() {
		sc.publishAsync("ch", "m", nullptr);
	});
	CPPUNIT_ASSERT_THROW(sc.subscribe("ch", [](const StanMessage&) {}), ConnectionClosedException);
}

void StanFakeServerTest::testAcksFlushedBeforeClose()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	std::string id = Test::uniqueName("cli");
	StanConnection sc(cluster, id, fakeOptions(_url));
	sc.connect();
	StanSubscription sub = sc.subscribeSync("ch", StanSubscriptionOptions().setManualAckMode());
	StanMessage msg = sub.nextMessage(WAIT);
	CPPUNIT_ASSERT_THROW(sub.ack(StanMessage()), Poco::InvalidArgumentException);
	msg.ack();
	sc.close();
	std::vector<std::string> ev = fake.events();
	auto ack = std::find(ev.begin(), ev.end(), "ack:1");
	auto close = std::find(ev.begin(), ev.end(), "close:" + id);
	CPPUNIT_ASSERT(ack != ev.end());
	CPPUNIT_ASSERT(close != ev.end());
	CPPUNIT_ASSERT(ack < close);
	CPPUNIT_ASSERT(!sub.isValid());
	sub.close(); // no-op after the connection closed
	CPPUNIT_ASSERT_THROW(sub.unsubscribe(), ConnectionClosedException);
}

void StanFakeServerTest::testPingErrorLosesConnection()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	fake.pingError = "client has been replaced or is no longer registered";
	StanOptions o = fakeOptions(_url);
	o.pingInterval = Poco::Timespan(1, 0);
	std::mutex m;
	std::vector<std::string> errors;
	std::string handlerThread;
	std::thread::id handlerId;
	o.connectionLostHandler = [&](StanConnection& c, const std::string& err) {
		std::lock_guard<std::mutex> lock(m);
		errors.push_back(err);
		handlerThread = Nats::currentThreadName();
		handlerId = std::this_thread::get_id();
		c.close(); // allowed, a no-op
	};
	std::string id = Test::uniqueName("cli");
	StanConnection sc(cluster, id, o);
	sc.connect();
	NATS_WAIT_FOR(([&]() { std::lock_guard<std::mutex> lock(m); return !errors.empty(); }()), WAIT);
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::LOST);
	CPPUNIT_ASSERT_EQUAL(std::string("client has been replaced or is no longer registered"), sc.lostError());
	Nats::Test::expectThrow<ConnectionClosedException>("lost", "stan: connection closed", [&]() {
		sc.publish("ch", "x");
	});
	sc.close();
	std::lock_guard<std::mutex> lock(m);
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), errors.size());
	CPPUNIT_ASSERT_EQUAL(std::string("client has been replaced or is no longer registered"), errors[0]);
	CPPUNIT_ASSERT_EQUAL(std::string("stan-lost"), handlerThread);
	CPPUNIT_ASSERT(handlerId != std::this_thread::get_id());
	// No close request is sent for a lost session.
	CPPUNIT_ASSERT_EQUAL(std::size_t(0), fake.countEvents("close:"));
}

void StanFakeServerTest::testPingsUnansweredLoseConnection()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	fake.answerPings = false;
	StanOptions o = fakeOptions(_url);
	o.pingInterval = Poco::Timespan(1, 0);
	o.pingMaxOut = 2;
	LostRecorder lost;
	lost.install(o);
	StanConnection sc(cluster, Test::uniqueName("cli"), o);
	sc.connect();
	NATS_WAIT_FOR(lost.calls.load() == 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::string("stan: connection lost due to PING failure"), lost.error);
	CPPUNIT_ASSERT(sc.isClosed());
	CPPUNIT_ASSERT_EQUAL(std::size_t(0), fake.countEvents("close:"));
}

void StanFakeServerTest::testBorrowedConnectionClosed()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	Options no;
	no.servers = {_url};
	Connection nc(no);
	nc.connect();
	StanOptions o = fakeOptions(_url);
	o.natsConnection = &nc;
	o.pingInterval = Poco::Timespan(1, 0);
	LostRecorder lost;
	lost.install(o);
	StanConnection sc(cluster, Test::uniqueName("cli"), o);
	sc.connect();
	sc.publish("ch", "x");
	nc.close(); // the application closes the NATS connection under the streaming session
	NATS_WAIT_FOR(lost.calls.load() == 1, WAIT);
	CPPUNIT_ASSERT_EQUAL(std::string("nats: connection closed"), lost.error);
	CPPUNIT_ASSERT(sc.status() == StanConnection::Status::LOST);
	CPPUNIT_ASSERT_THROW(sc.publish("ch", "x"), ConnectionClosedException);
}

void StanFakeServerTest::testConnectErrors()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	Nats::Test::expectThrow<StanClientIDRegisteredException>("duplicate", "stan: clientID already registered", [&]() {
		StanConnection sc(cluster, Test::uniqueName("dup"), fakeOptions(_url));
		sc.connect();
	});
	try
	{
		StanConnection sc(cluster, Test::uniqueName("bad"), fakeOptions(_url));
		sc.connect();
		CPPUNIT_FAIL("invalid");
	}
	catch (StanClientIDRegisteredException&)
	{
		CPPUNIT_FAIL("wrong exception class");
	}
	catch (StanConnectException& exc)
	{
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed"), exc.message());
	}
	StanOptions o = fakeOptions(_url);
	o.connectWait = Poco::Timespan(300 * Poco::Timespan::MILLISECONDS);
	StanConnection wrong(Test::uniqueName("nocluster"), Test::uniqueName("cli"), o);
	Nats::Test::expectThrow<StanConnectTimeoutException>("no server for that cluster", "stan: connect request timeout (possibly wrong cluster ID?)", [&]() {
		wrong.connect();
	});
	CPPUNIT_ASSERT(wrong.status() == StanConnection::Status::DISCONNECTED);
	StanConnection empty(cluster, "", o);
	CPPUNIT_ASSERT_THROW(empty.connect(), Poco::InvalidArgumentException);
	StanOptions badOpts = fakeOptions(_url);
	badOpts.pingMaxOut = 1;
	StanConnection bad(cluster, "x", badOpts);
	CPPUNIT_ASSERT_THROW(bad.connect(), Poco::InvalidArgumentException);
	// connect twice
	StanConnection twice(cluster, Test::uniqueName("cli"), fakeOptions(_url));
	twice.connect();
	CPPUNIT_ASSERT_THROW(twice.connect(), Poco::IllegalStateException);
}

void StanFakeServerTest::testSubscribeTimeout()
{
	std::string cluster = Test::uniqueName("fake");
	FakeStan fake(_url, cluster);
	StanOptions o = fakeOptions(_url);
	o.connectWait = Poco::Timespan(300 * Poco::Timespan::MILLISECONDS);
	StanConnection sc(cluster, Test::uniqueName("cli"), o);
	sc.connect();
	Nats::Test::expectThrow<StanRequestTimeoutException>("no reply", "stan: subscribe request timeout", [&]() {
		StanSubscription s = sc.subscribe("silent", [](const StanMessage&) {});
	});
	// best effort: a sub-close request naming the delivery inbox
	NATS_WAIT_FOR(fake.countEvents("subclose:_INBOX.") == 1, WAIT);
	// the connection is still usable
	StanSubscription s = sc.subscribe("other", [](const StanMessage&) {});
	CPPUNIT_ASSERT(s.isValid());
	s.unsubscribe();
	CPPUNIT_ASSERT(!s.isValid());
	CPPUNIT_ASSERT_EQUAL(std::size_t(1), fake.countEvents("unsub:"));
	CPPUNIT_ASSERT_THROW(s.unsubscribe(), StanSubscriptionException);
	s.close(); // no-op
}
