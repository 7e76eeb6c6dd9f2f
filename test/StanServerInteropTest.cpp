//
// StanServerInteropTest.cpp
//
// Our StanServer driven by the nats.c streaming client (Debian libnats-dev, the independent
// oracle), plus raw protocol requests over a nats.c core connection for what the C client
// cannot express (redeliveryCount, millisecond ack waits, a client that stops answering
// heartbeats, malformed input). Every test asserts what the client observes.
//

#define NATS_HAS_STREAMING
#include <nats/nats.h>

#include "StanServerFixture.h"
#include "TestUtil.h"
#include "protocol.pb.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Timestamp.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

using namespace Nats;
using namespace Nats::Test;

namespace {

const Poco::Timespan WAIT(10, 0);

std::string lastError(natsStatus s)
{
	natsStatus st = s;
	const char* text = nats_GetLastError(&st);
	std::string out = text ? std::string(text) : std::string(natsStatus_GetText(s));
	// nats.c prefixes its location: "(stan/sub.c:470): <server text>".
	if (!out.empty() && out[0] == '(')
	{
		std::string::size_type pos = out.find("): ");
		if (pos != std::string::npos) out = out.substr(pos + 3);
	}
	return out;
}

std::int64_t nowMillis()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// One received streaming message.
struct Rec
{
	std::uint64_t seq = 0;
	bool redelivered = false;
	std::string data;
	std::int64_t timestamp = 0;
};

/// Collects the messages of a nats.c streaming subscription. In manual mode the messages are kept
/// for ack() from the test thread, unless autoAckInHandler.
struct Collector
{
	std::mutex mutex;
	std::vector<Rec> recs;
	std::vector<stanMsg*> unacked;
	bool keepForAck = false;
	stanSubscription* sub = nullptr;

	static void onMsg(stanConnection*, stanSubscription* sub, const char*, stanMsg* msg, void* closure)
	{
		Collector* self = static_cast<Collector*>(closure);
		Rec r;
		r.seq = stanMsg_GetSequence(msg);
		r.redelivered = stanMsg_IsRedelivered(msg);
		r.data.assign(stanMsg_GetData(msg), static_cast<std::size_t>(stanMsg_GetDataLength(msg)));
		r.timestamp = stanMsg_GetTimestamp(msg);
		std::lock_guard<std::mutex> lock(self->mutex);
		self->recs.push_back(r);
		if (self->keepForAck)
			self->unacked.push_back(msg);
		else
			stanMsg_Destroy(msg);
	}

	std::size_t count()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return recs.size();
	}

	std::vector<Rec> snapshot()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return recs;
	}

	std::vector<std::uint64_t> seqs()
	{
		std::vector<std::uint64_t> out;
		for (const Rec& r : snapshot()) out.push_back(r.seq);
		return out;
	}

	/// Acks up to `n` kept messages (all when n < 0); returns how many.
	int ack(int n = -1)
	{
		std::vector<stanMsg*> todo;
		{
			std::lock_guard<std::mutex> lock(mutex);
			while (!unacked.empty() && (n < 0 || static_cast<int>(todo.size()) < n))
			{
				todo.push_back(unacked.front());
				unacked.erase(unacked.begin());
			}
		}
		for (stanMsg* m : todo)
		{
			stanSubscription_AckMsg(sub, m);
			stanMsg_Destroy(m);
		}
		return static_cast<int>(todo.size());
	}

	~Collector()
	{
		for (stanMsg* m : unacked) stanMsg_Destroy(m);
	}
};

/// RAII nats.c streaming connection.
class CStan
{
public:
	CStan(const StanServerFixture& f, const std::string& clientId, int pingInterval = 0, int pingMaxOut = 0)
	{
		stanConnOptions* opts = nullptr;
		stanConnOptions_Create(&opts);
		stanConnOptions_SetURL(opts, f.natsUrl().c_str());
		stanConnOptions_SetConnectionWait(opts, 5000);
		stanConnOptions_SetPubAckWait(opts, 10000);
		if (pingInterval > 0) stanConnOptions_SetPings(opts, pingInterval, pingMaxOut);
		stanConnOptions_SetConnectionLostHandler(opts, &CStan::onLost, this);
		status = stanConnection_Connect(&sc, f.clusterId().c_str(), clientId.c_str(), opts);
		if (status != NATS_OK)
		{
			error = lastError(status);
			sc = nullptr;
		}
		stanConnOptions_Destroy(opts);
	}

	~CStan()
	{
		for (stanSubscription* s : _subs) stanSubscription_Destroy(s);
		if (sc)
		{
			stanConnection_Close(sc);
			stanConnection_Destroy(sc);
		}
	}

	bool ok() const { return sc != nullptr; }

	/// Subscribes; `setup` configures the options. Returns the error text ("" on success).
	std::string subscribe(Collector& c, const std::string& channel, const std::function<void(stanSubOptions*)>& setup = {}, const std::string& queue = "")
	{
		stanSubOptions* so = nullptr;
		stanSubOptions_Create(&so);
		if (setup) setup(so);
		stanSubscription* sub = nullptr;
		natsStatus s = queue.empty()
			? stanConnection_Subscribe(&sub, sc, channel.c_str(), &Collector::onMsg, &c, so)
			: stanConnection_QueueSubscribe(&sub, sc, channel.c_str(), queue.c_str(), &Collector::onMsg, &c, so);
		stanSubOptions_Destroy(so);
		if (s != NATS_OK) return lastError(s);
		c.sub = sub;
		_subs.push_back(sub);
		return std::string();
	}

	/// Closes (or unsubscribes) the collector's subscription; returns the error text.
	std::string closeSub(Collector& c, bool unsubscribe = false)
	{
		natsStatus s = unsubscribe ? stanSubscription_Unsubscribe(c.sub) : stanSubscription_Close(c.sub);
		return s == NATS_OK ? std::string() : lastError(s);
	}

	std::string publish(const std::string& channel, const std::string& data)
	{
		natsStatus s = stanConnection_Publish(sc, channel.c_str(), data.data(), static_cast<int>(data.size()));
		return s == NATS_OK ? std::string() : lastError(s);
	}

	/// Closes the streaming connection now (sends the CloseRequest).
	void close()
	{
		if (sc)
		{
			for (stanSubscription* s : _subs) stanSubscription_Destroy(s);
			_subs.clear();
			stanConnection_Close(sc);
			stanConnection_Destroy(sc);
			sc = nullptr;
		}
	}

	std::string lost()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _lost;
	}

	stanConnection* sc = nullptr;
	natsStatus status = NATS_OK;
	std::string error;

private:
	static void onLost(stanConnection*, const char* errorTxt, void* closure)
	{
		CStan* self = static_cast<CStan*>(closure);
		std::lock_guard<std::mutex> lock(self->_mutex);
		self->_lost = errorTxt ? errorTxt : "?";
	}

	std::vector<stanSubscription*> _subs;
	std::mutex _mutex;
	std::string _lost;
};

/// RAII nats.c core connection for raw protocol requests.
class CNats
{
public:
	explicit CNats(const std::string& url)
	{
		natsStatus s = natsConnection_ConnectTo(&nc, url.c_str());
		CPPUNIT_ASSERT_EQUAL_MESSAGE("raw nats.c connect", std::string("OK"), std::string(natsStatus_GetText(s)));
	}

	~CNats()
	{
		if (nc)
		{
			natsConnection_Close(nc);
			natsConnection_Destroy(nc);
		}
	}

	/// Request with a 2 s timeout; returns false on timeout.
	bool request(const std::string& subject, const std::string& data, std::string& reply)
	{
		natsMsg* msg = nullptr;
		natsStatus s = natsConnection_Request(&msg, nc, subject.c_str(), data.data(), static_cast<int>(data.size()), 2000);
		if (s != NATS_OK) return false;
		reply.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
		natsMsg_Destroy(msg);
		return true;
	}

	void publish(const std::string& subject, const std::string& data)
	{
		natsConnection_Publish(nc, subject.c_str(), data.data(), static_cast<int>(data.size()));
	}

	void flush()
	{
		natsConnection_Flush(nc);
	}

	natsConnection* nc = nullptr;
};

/// Raw streaming session opened with a ConnectRequest over a nats.c core connection.
struct RawSession
{
	natsstan::ConnectResponse resp;
	std::string clientId;
	std::string connId;
};

std::string subjectFor(const StanServerFixture& f)
{
	return "_STAN.discover." + f.clusterId();
}

RawSession rawConnect(CNats& raw, const StanServerFixture& f, const std::string& clientId, const std::string& hbInbox)
{
	natsstan::ConnectRequest req;
	req.set_clientid(clientId);
	req.set_heartbeatinbox(hbInbox);
	req.set_protocol(1);
	req.set_connid(clientId + "-conn");
	req.set_pinginterval(5);
	req.set_pingmaxout(88);
	std::string reply;
	CPPUNIT_ASSERT(raw.request(subjectFor(f), req.SerializeAsString(), reply));
	RawSession s;
	CPPUNIT_ASSERT(s.resp.ParseFromString(reply));
	CPPUNIT_ASSERT_EQUAL(std::string(), s.resp.error());
	s.clientId = clientId;
	s.connId = clientId + "-conn";
	return s;
}

/// Collects the raw MsgProto frames of a nats.c core subscription.
struct RawInbox
{
	std::mutex mutex;
	std::vector<natsstan::MsgProto> msgs;
	natsSubscription* sub = nullptr;

	RawInbox(CNats& raw, const std::string& subject)
	{
		natsConnection_Subscribe(&sub, raw.nc, subject.c_str(), &RawInbox::onMsg, this);
		natsConnection_Flush(raw.nc);
	}

	~RawInbox()
	{
		natsSubscription_Unsubscribe(sub);
		natsSubscription_Destroy(sub);
	}

	static void onMsg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure)
	{
		RawInbox* self = static_cast<RawInbox*>(closure);
		natsstan::MsgProto m;
		m.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
		natsMsg_Destroy(msg);
		std::lock_guard<std::mutex> lock(self->mutex);
		self->msgs.push_back(m);
	}

	std::size_t count()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return msgs.size();
	}

	natsstan::MsgProto at(std::size_t i)
	{
		std::lock_guard<std::mutex> lock(mutex);
		return msgs.at(i);
	}
};

/// Answers requests (heartbeats) on a subject and remembers the last reply subject.
struct RawRequests
{
	std::mutex mutex;
	std::string reply;
	natsSubscription* sub = nullptr;
	natsConnection* nc = nullptr;

	RawRequests(CNats& raw, const std::string& subject)
		: nc(raw.nc)
	{
		natsConnection_Subscribe(&sub, raw.nc, subject.c_str(), &RawRequests::onMsg, this);
		natsConnection_Flush(raw.nc);
	}

	~RawRequests()
	{
		natsSubscription_Unsubscribe(sub);
		natsSubscription_Destroy(sub);
	}

	static void onMsg(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure)
	{
		RawRequests* self = static_cast<RawRequests*>(closure);
		const char* reply = natsMsg_GetReply(msg);
		if (reply)
		{
			natsConnection_Publish(nc, reply, nullptr, 0);
			std::lock_guard<std::mutex> lock(self->mutex);
			self->reply = reply;
		}
		natsMsg_Destroy(msg);
	}

	std::string lastReply()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return reply;
	}
};

/// Receives heartbeat requests; answers those for which `answer(n)` is true (n counts from 1).
struct HeartbeatPeer
{
	std::atomic<int> received{0};
	std::function<bool(int)> answer;
	natsSubscription* sub = nullptr;

	HeartbeatPeer(CNats& raw, const std::string& inbox, std::function<bool(int)> policy)
		: answer(std::move(policy))
	{
		natsConnection_Subscribe(&sub, raw.nc, inbox.c_str(), &HeartbeatPeer::onMsg, this);
		natsConnection_Flush(raw.nc);
	}

	~HeartbeatPeer()
	{
		natsSubscription_Unsubscribe(sub);
		natsSubscription_Destroy(sub);
	}

	static void onMsg(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure)
	{
		HeartbeatPeer* self = static_cast<HeartbeatPeer*>(closure);
		int n = ++self->received;
		const char* reply = natsMsg_GetReply(msg);
		if (reply && self->answer(n)) natsConnection_Publish(nc, reply, nullptr, 0);
		natsMsg_Destroy(msg);
	}
};

StanServerOptions shortHB()
{
	StanServerOptions o;
	o.hbInterval = Poco::Timespan(0, 100000);
	o.hbTimeout = Poco::Timespan(0, 100000);
	o.hbFailCount = 2;
	return o;
}

} // namespace

class StanServerInteropTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanServerInteropTest);
	CPPUNIT_TEST(testConnectAndClose);
	CPPUNIT_TEST(testConnectErrors);
	CPPUNIT_TEST(testDuplicateClientAlive);
	CPPUNIT_TEST(testDuplicateClientDead);
	CPPUNIT_TEST(testDuplicateClientSilent);
	CPPUNIT_TEST(testDuplicateConnectWhileChecking);
	CPPUNIT_TEST(testCloseVsUnsubscribeMatrix);
	CPPUNIT_TEST(testQueueSkipsStalledMember);
	CPPUNIT_TEST(testQueueRoundRobinRaw);
	CPPUNIT_TEST(testQueueRedeliveryToOtherMember);
	CPPUNIT_TEST(testPublishSyncAndAsync);
	CPPUNIT_TEST(testPublishErrors);
	CPPUNIT_TEST(testStartPositions);
	CPPUNIT_TEST(testStartAtTime);
	CPPUNIT_TEST(testStartOnEmptyChannel);
	CPPUNIT_TEST(testDurableResumeVsUnsubscribe);
	CPPUNIT_TEST(testDurableResumeRedeliversPending);
	CPPUNIT_TEST(testDuplicateDurable);
	CPPUNIT_TEST(testQueueDistribution);
	CPPUNIT_TEST(testQueueRedistribution);
	CPPUNIT_TEST(testDurableQueueGroupSurvival);
	CPPUNIT_TEST(testRedeliveryAfterAckWait);
	CPPUNIT_TEST(testRedeliveryCountRaw);
	CPPUNIT_TEST(testMaxInflight);
	CPPUNIT_TEST(testHeartbeatRemovesDeadClient);
	CPPUNIT_TEST(testHeartbeatFailCount);
	CPPUNIT_TEST(testHeartbeatSuccessResetsCount);
	CPPUNIT_TEST(testPingUnknownConnID);
	CPPUNIT_TEST(testServerRestartLosesClient);
	CPPUNIT_TEST(testSubscribeErrors);
	CPPUNIT_TEST(testUnsubscribeErrors);
	CPPUNIT_TEST(testLimitChannelsAndSubs);
	CPPUNIT_TEST(testLimitMsgsAndBytes);
	CPPUNIT_TEST(testLimitMaxAge);
	CPPUNIT_TEST(testCloseRequest);
	CPPUNIT_TEST(testMalformedInput);
	CPPUNIT_TEST(testNatsRestartKeepsSession);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		static std::once_flag once;
		std::call_once(once, [] { nats_Open(-1); });
	}

	void testConnectAndClose()
	{
		skipIfExternal("inspects the server state");
		StanServerFixture f;
		{
			CStan c(f, "me");
			CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
			CPPUNIT_ASSERT(f.stanServer()->hasClient("me"));
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), f.stanServer()->numClients());
			c.close();
			CPPUNIT_ASSERT(!f.stanServer()->hasClient("me"));
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), f.stanServer()->numClients());
	}

	void testConnectErrors()
	{
		StanServerFixture f;
		CStan bad(f, "bad id!");
		CPPUNIT_ASSERT(!bad.ok());
		CPPUNIT_ASSERT_MESSAGE(bad.error, bad.error.find("stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed") != std::string::npos);

		CNats raw(f.natsUrl());
		std::string reply;
		natsstan::ConnectRequest req;
		req.set_clientid("x");
		CPPUNIT_ASSERT(raw.request(subjectFor(f), req.SerializeAsString(), reply)); // no heartbeat inbox
		natsstan::ConnectResponse resp;
		CPPUNIT_ASSERT(resp.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid connection request"), resp.error());
	}

	void testDuplicateClientAlive()
	{
		StanServerFixture f;
		std::string id = uniqueName("dup");
		CStan a(f, id);
		CPPUNIT_ASSERT_MESSAGE(a.error, a.ok());
		CStan b(f, id);
		CPPUNIT_ASSERT(!b.ok());
		CPPUNIT_ASSERT_MESSAGE(b.error, b.error.find("stan: clientID already registered") != std::string::npos);
		// The first client still works.
		CPPUNIT_ASSERT_EQUAL(std::string(), a.publish("foo", "still here"));
	}

	void testDuplicateClientDead()
	{
		StanServerFixture f;
		std::string id = uniqueName("dead");
		CNats raw(f.natsUrl());
		// Registered with a heartbeat inbox nobody answers.
		rawConnect(raw, f, id, "_INBOX.nobody-" + id);
		CStan c(f, id);
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("foo", "replaced"));
	}

	void testDuplicateClientSilent()
	{
		// The registered client's heartbeat inbox has a subscriber that never answers: the
		// 500 ms check times out and the new client replaces the old one.
		StanServerFixture f;
		std::string id = uniqueName("silent");
		CNats raw(f.natsUrl());
		RawInbox silent(raw, "_INBOX.silent-" + id);
		rawConnect(raw, f, id, "_INBOX.silent-" + id);
		CStan c(f, id);
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		CPPUNIT_ASSERT(silent.count() >= 1); // it was asked
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("foo", "replaced"));
	}

	void testDuplicateConnectWhileChecking()
	{
		StanServerFixture f;
		std::string id = uniqueName("racing");
		CNats raw(f.natsUrl());
		RawInbox silent(raw, "_INBOX.racing-hb-" + id);
		rawConnect(raw, f, id, "_INBOX.racing-hb-" + id);
		// Two connects for the same ID while the first duplicate check is running: the second
		// is refused at once, the first replaces the silent client after the check.
		natsSubscription* replies = nullptr;
		std::string inbox = "_INBOX.racing-replies-" + id;
		CPPUNIT_ASSERT_EQUAL(NATS_OK, natsConnection_SubscribeSync(&replies, raw.nc, inbox.c_str()));
		natsstan::ConnectRequest req;
		req.set_clientid(id);
		req.set_protocol(1);
		req.set_heartbeatinbox("_INBOX.racing-new1");
		req.set_connid("new1");
		std::string r1 = req.SerializeAsString();
		req.set_heartbeatinbox("_INBOX.racing-new2");
		req.set_connid("new2");
		std::string r2 = req.SerializeAsString();
		natsConnection_PublishRequest(raw.nc, subjectFor(f).c_str(), inbox.c_str(), r1.data(), static_cast<int>(r1.size()));
		natsConnection_PublishRequest(raw.nc, subjectFor(f).c_str(), inbox.c_str(), r2.data(), static_cast<int>(r2.size()));
		natsConnection_Flush(raw.nc);
		std::vector<std::string> errors;
		for (int i = 0; i < 2; ++i)
		{
			natsMsg* m = nullptr;
			CPPUNIT_ASSERT_EQUAL(NATS_OK, natsSubscription_NextMsg(&m, replies, 5000));
			natsstan::ConnectResponse resp;
			CPPUNIT_ASSERT(resp.ParseFromArray(natsMsg_GetData(m), natsMsg_GetDataLength(m)));
			natsMsg_Destroy(m);
			errors.push_back(resp.error());
		}
		natsSubscription_Destroy(replies);
		CPPUNIT_ASSERT_EQUAL(std::string("stan: clientID already registered"), errors[0]); // the second, at once
		CPPUNIT_ASSERT_EQUAL(std::string(), errors[1]);                                    // the first, after 500 ms
		// The first new connection (connID "new1") is the registered one now.
		natsstan::Ping ping;
		ping.set_connid("new1");
		std::string reply;
		CPPUNIT_ASSERT(raw.request(subjectFor(f) + ".pings", ping.SerializeAsString(), reply));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), reply.size());
		ping.set_connid(id + "-conn");
		CPPUNIT_ASSERT(raw.request(subjectFor(f) + ".pings", ping.SerializeAsString(), reply));
		natsstan::PingResponse pr;
		CPPUNIT_ASSERT(pr.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string("client has been replaced or is no longer registered"), pr.error());
	}

	void testCloseVsUnsubscribeMatrix()
	{
		skipIfExternal("inspects the server state");
		StanServerFixture f;
		StanServer* srv = f.stanServer();
		std::string ch = "matrix";
		CStan c(f, "matrix-client");
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		StanChannelInfo info;
		auto subs = [&]() { return srv->channelInfo(ch, info) ? info.subscriptions : 0; };
		{
			Collector plain; // plain: close removes it
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(plain, ch));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), subs());
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(plain));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), subs());
		}
		{
			Collector d; // durable: close suspends, unsubscribe removes
			auto durable = [](stanSubOptions* o) { stanSubOptions_SetDurableName(o, "m"); };
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(d, ch, durable));
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(d));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), subs());
			Collector d2;
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(d2, ch, durable));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), subs());
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(d2, true));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), subs());
		}
		{
			Collector q1, q2; // non-durable group: removed with its last member, close or not
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(q1, ch, {}, "g"));
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(q2, ch, {}, "g"));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), subs());
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(q1));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), subs());
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(q2));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), subs());
		}
		{
			Collector dq; // durable group: kept on close of the last member (also by connection close)
			auto durable = [](stanSubOptions* o) { stanSubOptions_SetDurableName(o, "dq"); };
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(dq, ch, durable, "g"));
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(dq));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), subs());
		}
		{
			Collector d; // durable suspended by the connection's close
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(d, ch, [](stanSubOptions* o) { stanSubOptions_SetDurableName(o, "byconn"); }));
			Collector p;
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(p, ch));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), subs());
		}
		c.close();
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), subs()); // the plain one is gone, the durables stay
		CStan c2(f, "other-client");
		Collector dq2;
		CPPUNIT_ASSERT_EQUAL(std::string(), c2.subscribe(dq2, ch, [](stanSubOptions* o) { stanSubOptions_SetDurableName(o, "dq"); }, "g"));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), subs()); // reactivated, not added
		CPPUNIT_ASSERT_EQUAL(std::string(), c2.closeSub(dq2, true));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), subs());
	}

	void testQueueSkipsStalledMember()
	{
		StanServerFixture f;
		std::string ch = uniqueName("qstall");
		CStan c(f, uniqueName("qs"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector slow, fast;
		slow.keepForAck = true; // maxInflight 1, never acks: stalled after one message
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(slow, ch, [](stanSubOptions* o) {
			stanSubOptions_SetManualAckMode(o, true);
			stanSubOptions_SetMaxInflight(o, 1);
		}, "g"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(fast, ch, {}, "g"));
		for (int i = 0; i < 10; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m"));
		NATS_WAIT_FOR(slow.count() + fast.count() == 10, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), slow.count());
		CPPUNIT_ASSERT_EQUAL(std::size_t(9), fast.count());
		slow.ack();
	}

	void testQueueRoundRobinRaw()
	{
		// Two members that never ack: the least-pending rule with the head-to-tail move gives
		// strict alternation.
		StanServerFixture f;
		CNats raw(f.natsUrl());
		RawSession s = rawConnect(raw, f, uniqueName("rr"), "_INBOX.rr-hb");
		RawInbox a(raw, "_INBOX.rr-a"), b(raw, "_INBOX.rr-b");
		for (const char* inbox : {"_INBOX.rr-a", "_INBOX.rr-b"})
		{
			natsstan::SubscriptionRequest req;
			req.set_clientid(s.clientId);
			req.set_subject("rr");
			req.set_qgroup("workers");
			req.set_inbox(inbox);
			req.set_maxinflight(100);
			req.set_ackwaitinsecs(30);
			std::string reply;
			CPPUNIT_ASSERT(raw.request(s.resp.subrequests(), req.SerializeAsString(), reply));
			natsstan::SubscriptionResponse sr;
			CPPUNIT_ASSERT(sr.ParseFromString(reply));
			CPPUNIT_ASSERT_EQUAL(std::string(), sr.error());
		}
		natsstan::PubMsg pm;
		pm.set_clientid(s.clientId);
		pm.set_connid(s.connId);
		pm.set_subject("rr");
		for (int i = 0; i < 10; ++i)
		{
			pm.set_guid("g" + std::to_string(i));
			std::string reply;
			CPPUNIT_ASSERT(raw.request(s.resp.pubprefix() + ".rr", pm.SerializeAsString(), reply));
		}
		NATS_WAIT_FOR(a.count() == 5 && b.count() == 5, WAIT);
		for (std::size_t i = 0; i < 5; ++i)
		{
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(2 * i + 1), a.at(i).sequence());
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(2 * i + 2), b.at(i).sequence());
		}
	}

	void testQueueRedeliveryToOtherMember()
	{
		StanServerFixture f;
		std::string ch = uniqueName("qother");
		CStan c(f, uniqueName("qo"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector holder, worker;
		holder.keepForAck = true; // receives first, never acks
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(holder, ch, [](stanSubOptions* o) {
			stanSubOptions_SetManualAckMode(o, true);
			stanSubOptions_SetAckWait(o, 1000);
		}, "g"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(worker, ch, {}, "g"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m"));
		NATS_WAIT_FOR(holder.count() == 1, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), worker.count());
		// After the ack wait the least loaded member gets the redelivery; the holder's copy is
		// implicitly acknowledged.
		NATS_WAIT_FOR(worker.count() == 1, WAIT);
		Rec r = worker.snapshot()[0];
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), r.seq);
		CPPUNIT_ASSERT(r.redelivered);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), holder.count());
	}

	void testPublishSyncAndAsync()
	{
		StanServerFixture f;
		CStan c(f, uniqueName("pub"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		std::string ch = uniqueName("pubchan");
		for (int i = 0; i < 10; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "sync" + std::to_string(i)));

		struct Acks
		{
			std::atomic<int> ok{0};
			std::atomic<int> failed{0};
		} acks;
		auto handler = [](const char*, const char* error, void* closure) {
			Acks* a = static_cast<Acks*>(closure);
			if (error) ++a->failed;
			else ++a->ok;
		};
		for (int i = 0; i < 200; ++i)
		{
			std::string data = "async" + std::to_string(i);
			CPPUNIT_ASSERT_EQUAL(NATS_OK, stanConnection_PublishAsync(c.sc, ch.c_str(), data.data(), static_cast<int>(data.size()), handler, &acks));
		}
		NATS_WAIT_FOR(acks.ok.load() == 200, WAIT);
		CPPUNIT_ASSERT_EQUAL(0, acks.failed.load());

		Collector all;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(all, ch, [](stanSubOptions* o) { stanSubOptions_DeliverAllAvailable(o); }));
		NATS_WAIT_FOR(all.count() == 210, WAIT);
		std::vector<Rec> recs = all.snapshot();
		for (std::size_t i = 0; i < recs.size(); ++i)
		{
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(i + 1), recs[i].seq);
			CPPUNIT_ASSERT(!recs[i].redelivered);
			if (i > 0) CPPUNIT_ASSERT(recs[i].timestamp >= recs[i - 1].timestamp);
		}
		CPPUNIT_ASSERT_EQUAL(std::string("sync0"), recs[0].data);
		CPPUNIT_ASSERT_EQUAL(std::string("async199"), recs[209].data);
		if (f.stanServer())
		{
			StanChannelInfo info;
			CPPUNIT_ASSERT(f.stanServer()->channelInfo(ch, info));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(210), info.lastSequence);
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(210), info.msgs);
		}
	}

	void testPublishErrors()
	{
		StanServerFixture f;
		CNats raw(f.natsUrl());
		RawSession s = rawConnect(raw, f, uniqueName("rawpub"), "_INBOX.rawpub-hb");
		auto pubAck = [&](const natsstan::PubMsg& pm) {
			std::string reply;
			CPPUNIT_ASSERT(raw.request(s.resp.pubprefix() + ".x", pm.SerializeAsString(), reply));
			natsstan::PubAck ack;
			CPPUNIT_ASSERT(ack.ParseFromString(reply));
			return ack;
		};
		natsstan::PubMsg pm;
		pm.set_clientid(s.clientId);
		pm.set_connid(s.connId);
		pm.set_guid("g1");
		pm.set_subject("foo.*");
		natsstan::PubAck ack = pubAck(pm);
		CPPUNIT_ASSERT_EQUAL(std::string("g1"), ack.guid());
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid publish request"), ack.error());

		pm.set_subject("foo");
		pm.set_guid("");
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid publish request"), pubAck(pm).error());

		pm.set_guid("g2");
		pm.set_connid("unknown-conn");
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid publish request"), pubAck(pm).error());

		pm.set_connid(s.connId);
		ack = pubAck(pm);
		CPPUNIT_ASSERT_EQUAL(std::string("g2"), ack.guid());
		CPPUNIT_ASSERT_EQUAL(std::string(), ack.error());

		// Without connID the client ID is checked.
		pm.clear_connid();
		pm.set_guid("g3");
		CPPUNIT_ASSERT_EQUAL(std::string(), pubAck(pm).error());
		pm.set_clientid("someone-else");
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid publish request"), pubAck(pm).error());

		// Case clash.
		pm.set_clientid(s.clientId);
		pm.set_subject("FOO");
		CPPUNIT_ASSERT_EQUAL(std::string("rejecting channel \"FOO\" because channel \"foo\" alreay exists (different cases not allowed)"), pubAck(pm).error());
	}

	void testStartPositions()
	{
		StanServerFixture f;
		CStan c(f, uniqueName("start"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		std::string ch = uniqueName("startchan");
		for (int i = 1; i <= 5; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m" + std::to_string(i)));

		Collector all, last, seq3, seqBeyond, seq0, newOnly;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(all, ch, [](stanSubOptions* o) { stanSubOptions_DeliverAllAvailable(o); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(last, ch, [](stanSubOptions* o) { stanSubOptions_StartWithLastReceived(o); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(seq3, ch, [](stanSubOptions* o) { stanSubOptions_StartAtSequence(o, 3); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(seqBeyond, ch, [](stanSubOptions* o) { stanSubOptions_StartAtSequence(o, 100); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(newOnly, ch));
		NATS_WAIT_FOR(all.count() == 5 && last.count() == 1 && seq3.count() == 3, WAIT);
		// Barrier: the PubAck of message 6 comes after every delivery of it.
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m6"));
		NATS_WAIT_FOR(all.count() == 6 && last.count() == 2 && seq3.count() == 4 && seqBeyond.count() == 1 && newOnly.count() == 1, WAIT);
		CPPUNIT_ASSERT((all.seqs() == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6}));
		CPPUNIT_ASSERT((last.seqs() == std::vector<std::uint64_t>{5, 6}));
		CPPUNIT_ASSERT((seq3.seqs() == std::vector<std::uint64_t>{3, 4, 5, 6}));
		CPPUNIT_ASSERT((seqBeyond.seqs() == std::vector<std::uint64_t>{6}));
		CPPUNIT_ASSERT((newOnly.seqs() == std::vector<std::uint64_t>{6}));
		CPPUNIT_ASSERT_EQUAL(std::string("m3"), seq3.snapshot()[0].data);
	}

	void testStartAtTime()
	{
		StanServerFixture f;
		CStan c(f, uniqueName("time"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		std::string ch = uniqueName("timechan");
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "old1"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "old2"));
		// Let the wall clock move past the old messages (a condition on the clock, not a sleep).
		std::int64_t t0 = nowMillis();
		CPPUNIT_ASSERT(waitFor([&] { return nowMillis() > t0 + 2; }, WAIT));
		std::int64_t start = nowMillis();
		CPPUNIT_ASSERT(waitFor([&] { return nowMillis() > start + 2; }, WAIT));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "new3"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "new4"));

		Collector atTime, hourAgo, future;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(atTime, ch, [start](stanSubOptions* o) { stanSubOptions_StartAtTime(o, start); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(hourAgo, ch, [](stanSubOptions* o) { stanSubOptions_StartAtTimeDelta(o, 3600 * 1000); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(future, ch, [](stanSubOptions* o) { stanSubOptions_StartAtTime(o, nowMillis() + 3600 * 1000); }));
		NATS_WAIT_FOR(atTime.count() == 2 && hourAgo.count() == 4, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m5"));
		NATS_WAIT_FOR(atTime.count() == 3 && hourAgo.count() == 5 && future.count() == 1, WAIT);
		CPPUNIT_ASSERT((atTime.seqs() == std::vector<std::uint64_t>{3, 4, 5}));
		CPPUNIT_ASSERT((future.seqs() == std::vector<std::uint64_t>{5}));
	}

	void testStartOnEmptyChannel()
	{
		StanServerFixture f;
		CStan c(f, uniqueName("empty"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		std::string ch = uniqueName("emptychan");
		Collector all, last, seq, time;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(all, ch, [](stanSubOptions* o) { stanSubOptions_DeliverAllAvailable(o); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(last, ch, [](stanSubOptions* o) { stanSubOptions_StartWithLastReceived(o); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(seq, ch, [](stanSubOptions* o) { stanSubOptions_StartAtSequence(o, 10); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(time, ch, [](stanSubOptions* o) { stanSubOptions_StartAtTimeDelta(o, 60000); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "first"));
		NATS_WAIT_FOR(all.count() == 1 && last.count() == 1 && seq.count() == 1 && time.count() == 1, WAIT);
		for (Collector* col : {&all, &last, &seq, &time}) CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), col->snapshot()[0].seq);
	}

	void testDurableResumeVsUnsubscribe()
	{
		StanServerFixture f;
		std::string id = uniqueName("durc");
		std::string ch = uniqueName("durchan");
		CStan c(f, id);
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		auto durable = [](stanSubOptions* o) {
			stanSubOptions_SetDurableName(o, "dur");
			stanSubOptions_DeliverAllAvailable(o);
		};
		for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m" + std::to_string(i)));
		{
			Collector d1;
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(d1, ch, durable));
			NATS_WAIT_FOR(d1.count() == 3, WAIT);
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(d1));
		}
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m4"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m5"));
		{
			Collector d2;
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(d2, ch, durable));
			NATS_WAIT_FOR(d2.count() == 2, WAIT);
			CPPUNIT_ASSERT((d2.seqs() == std::vector<std::uint64_t>{4, 5}));
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(d2, true)); // unsubscribe: removed
		}
		{
			Collector d3;
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(d3, ch, durable));
			NATS_WAIT_FOR(d3.count() == 5, WAIT);
			CPPUNIT_ASSERT((d3.seqs() == std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(d3));
		}
		// Durable survives the connection's close, for the same client ID.
		c.close();
		CStan c2(f, id);
		CPPUNIT_ASSERT_MESSAGE(c2.error, c2.ok());
		CPPUNIT_ASSERT_EQUAL(std::string(), c2.publish(ch, "m6"));
		Collector d4;
		CPPUNIT_ASSERT_EQUAL(std::string(), c2.subscribe(d4, ch, durable));
		NATS_WAIT_FOR(d4.count() == 1, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(6), d4.snapshot()[0].seq);
	}

	void testDurableResumeRedeliversPending()
	{
		StanServerFixture f;
		std::string ch = uniqueName("durpend");
		CStan c(f, uniqueName("durp"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		auto durable = [](stanSubOptions* o) {
			stanSubOptions_SetDurableName(o, "dp");
			stanSubOptions_DeliverAllAvailable(o);
			stanSubOptions_SetManualAckMode(o, true);
		};
		for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m"));
		{
			Collector d1;
			d1.keepForAck = true;
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(d1, ch, durable));
			NATS_WAIT_FOR(d1.count() == 3, WAIT);
			CPPUNIT_ASSERT_EQUAL(1, d1.ack(1)); // seq 1 acked, 2 and 3 pending
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(d1));
		}
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m4"));
		Collector d2;
		d2.keepForAck = true;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(d2, ch, durable));
		NATS_WAIT_FOR(d2.count() == 3, WAIT);
		std::vector<Rec> r = d2.snapshot();
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), r[0].seq);
		CPPUNIT_ASSERT(r[0].redelivered);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), r[1].seq);
		CPPUNIT_ASSERT(r[1].redelivered);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), r[2].seq);
		CPPUNIT_ASSERT(!r[2].redelivered);
		d2.ack();
	}

	void testDuplicateDurable()
	{
		StanServerFixture f;
		std::string ch = uniqueName("dupdur");
		CStan c(f, uniqueName("dd"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		auto durable = [](stanSubOptions* o) { stanSubOptions_SetDurableName(o, "same"); };
		Collector a, b;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(a, ch, durable));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: duplicate durable registration"), c.subscribe(b, ch, durable));
		// Another client may use the same durable name independently.
		CStan other(f, uniqueName("dd2"));
		Collector o;
		CPPUNIT_ASSERT_EQUAL(std::string(), other.subscribe(o, ch, durable));
	}

	void testQueueDistribution()
	{
		StanServerFixture f;
		std::string ch = uniqueName("queue");
		CStan c(f, uniqueName("q"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector m1, m2, plain;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(m1, ch, {}, "group"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(m2, ch, {}, "group"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(plain, ch));
		for (int i = 0; i < 20; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m"));
		NATS_WAIT_FOR(m1.count() + m2.count() == 20 && plain.count() == 20, WAIT);
		std::set<std::uint64_t> seen;
		for (auto s : m1.seqs()) seen.insert(s);
		for (auto s : m2.seqs()) seen.insert(s);
		CPPUNIT_ASSERT_EQUAL(std::size_t(20), seen.size()); // each message to exactly one member
		CPPUNIT_ASSERT(m1.count() > 0);
		CPPUNIT_ASSERT(m2.count() > 0);
	}

	void testQueueRedistribution()
	{
		StanServerFixture f;
		std::string ch = uniqueName("qredist");
		CStan c(f, uniqueName("qr"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector holder, worker;
		holder.keepForAck = true; // never acks
		auto manual = [](stanSubOptions* o) { stanSubOptions_SetManualAckMode(o, true); };
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(holder, ch, manual, "g"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(worker, ch, {}, "g"));
		for (int i = 0; i < 10; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m"));
		NATS_WAIT_FOR(holder.count() + worker.count() == 10, WAIT);
		std::size_t held = holder.count();
		CPPUNIT_ASSERT(held > 0);
		std::vector<std::uint64_t> heldSeqs = holder.seqs();
		CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(holder));
		// The leaving member's unacked messages go to the remaining member, flagged redelivered.
		NATS_WAIT_FOR(worker.count() == 10, WAIT);
		std::set<std::uint64_t> redelivered;
		for (const Rec& r : worker.snapshot())
			if (r.redelivered) redelivered.insert(r.seq);
		CPPUNIT_ASSERT_EQUAL(held, redelivered.size());
		for (auto s : heldSeqs) CPPUNIT_ASSERT(redelivered.count(s) == 1);
	}

	void testDurableQueueGroupSurvival()
	{
		StanServerFixture f;
		std::string ch = uniqueName("dq");
		auto dq = [](stanSubOptions* o) {
			stanSubOptions_SetDurableName(o, "dur");
			stanSubOptions_DeliverAllAvailable(o);
		};
		CStan c(f, uniqueName("dqc"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		for (int i = 1; i <= 2; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m"));
		{
			Collector m;
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(m, ch, dq, "grp"));
			NATS_WAIT_FOR(m.count() == 2, WAIT);
			// A non-durable group with the same name is independent.
			Collector nd;
			CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(nd, ch, [](stanSubOptions* o) { stanSubOptions_DeliverAllAvailable(o); }, "grp"));
			NATS_WAIT_FOR(nd.count() == 2, WAIT);
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(nd));
			CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(m)); // last member closes: group kept
		}
		// Its client goes away too; any client can rejoin.
		c.close();
		CStan c2(f, uniqueName("dqc2"));
		CPPUNIT_ASSERT_MESSAGE(c2.error, c2.ok());
		CPPUNIT_ASSERT_EQUAL(std::string(), c2.publish(ch, "m3"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c2.publish(ch, "m4"));
		{
			Collector m;
			CPPUNIT_ASSERT_EQUAL(std::string(), c2.subscribe(m, ch, dq, "grp"));
			NATS_WAIT_FOR(m.count() == 2, WAIT);
			CPPUNIT_ASSERT((m.seqs() == std::vector<std::uint64_t>{3, 4}));
			CPPUNIT_ASSERT_EQUAL(std::string(), c2.closeSub(m, true)); // last member unsubscribes: removed
		}
		Collector fresh;
		CPPUNIT_ASSERT_EQUAL(std::string(), c2.subscribe(fresh, ch, dq, "grp"));
		NATS_WAIT_FOR(fresh.count() == 4, WAIT);
		CPPUNIT_ASSERT((fresh.seqs() == std::vector<std::uint64_t>{1, 2, 3, 4}));

		Collector badName;
		CPPUNIT_ASSERT_EQUAL(std::string("stan: durable name of a durable queue subscriber can't contain the character ':'"),
			c2.subscribe(badName, ch, [](stanSubOptions* o) { stanSubOptions_SetDurableName(o, "a:b"); }, "grp"));
	}

	void testRedeliveryAfterAckWait()
	{
		StanServerFixture f;
		std::string ch = uniqueName("redeliver");
		CStan c(f, uniqueName("rd"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector col;
		col.keepForAck = true;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(col, ch, [](stanSubOptions* o) {
			stanSubOptions_SetManualAckMode(o, true);
			stanSubOptions_SetAckWait(o, 1000);
		}));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "again"));
		NATS_WAIT_FOR(col.count() >= 2, WAIT);
		std::vector<Rec> r = col.snapshot();
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), r[0].seq);
		CPPUNIT_ASSERT(!r[0].redelivered);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), r[1].seq);
		CPPUNIT_ASSERT(r[1].redelivered);
		CPPUNIT_ASSERT_EQUAL(std::string("again"), r[1].data);
		col.ack();
	}

	void testRedeliveryCountRaw()
	{
		StanServerFixture f;
		CNats raw(f.natsUrl());
		RawSession s = rawConnect(raw, f, uniqueName("rawrd"), "_INBOX.rawrd-hb");
		std::string inbox = "_INBOX.rawrd-deliver";
		RawInbox in(raw, inbox);
		natsstan::SubscriptionRequest req;
		req.set_clientid(s.clientId);
		req.set_subject("rdcount");
		req.set_inbox(inbox);
		req.set_maxinflight(10);
		req.set_ackwaitinsecs(-100); // 100 ms (negative = milliseconds)
		std::string reply;
		CPPUNIT_ASSERT(raw.request(s.resp.subrequests(), req.SerializeAsString(), reply));
		natsstan::SubscriptionResponse sr;
		CPPUNIT_ASSERT(sr.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string(), sr.error());
		CPPUNIT_ASSERT(!sr.ackinbox().empty());

		natsstan::PubMsg pm;
		pm.set_clientid(s.clientId);
		pm.set_connid(s.connId);
		pm.set_guid("rd1");
		pm.set_subject("rdcount");
		pm.set_data("payload");
		CPPUNIT_ASSERT(raw.request(s.resp.pubprefix() + ".rdcount", pm.SerializeAsString(), reply));
		NATS_WAIT_FOR(in.count() >= 4, WAIT);
		for (std::size_t i = 0; i < 4; ++i)
		{
			natsstan::MsgProto m = in.at(i);
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), m.sequence());
			CPPUNIT_ASSERT_EQUAL(std::string("payload"), m.data());
			CPPUNIT_ASSERT_EQUAL(i > 0, m.redelivered());
			CPPUNIT_ASSERT_EQUAL(std::uint32_t(i), m.redeliverycount());
		}
		// Ack stops the redeliveries: after the ack and a barrier request, at most the
		// redeliveries already in flight arrive.
		natsstan::Ack ack;
		ack.set_subject("rdcount");
		ack.set_sequence(1);
		raw.publish(sr.ackinbox(), ack.SerializeAsString());
		pm.set_subject("other");
		CPPUNIT_ASSERT(raw.request(s.resp.pubprefix() + ".other", pm.SerializeAsString(), reply)); // barrier
		std::size_t afterAck = in.count();
		CPPUNIT_ASSERT(!waitFor([&] { return in.count() > afterAck; }, Poco::Timespan(0, 400000)));
	}

	void testMaxInflight()
	{
		StanServerFixture f;
		std::string ch = uniqueName("inflight");
		CStan c(f, uniqueName("mi"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector col;
		col.keepForAck = true;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(col, ch, [](stanSubOptions* o) {
			stanSubOptions_SetManualAckMode(o, true);
			stanSubOptions_SetMaxInflight(o, 3);
		}));
		for (int i = 0; i < 10; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "m"));
		NATS_WAIT_FOR(col.count() == 3, WAIT);
		// All 10 PubAcks are in, so the server has decided every delivery: no 4th message.
		CPPUNIT_ASSERT(!waitFor([&] { return col.count() > 3; }, Poco::Timespan(0, 300000)));
		CPPUNIT_ASSERT_EQUAL(1, col.ack(1));
		NATS_WAIT_FOR(col.count() == 4, WAIT);
		CPPUNIT_ASSERT(!waitFor([&] { return col.count() > 4; }, Poco::Timespan(0, 300000)));
		int acked = 1;
		while (acked < 10)
		{
			acked += col.ack();
			CPPUNIT_ASSERT(waitFor([&] { return col.count() >= std::min<std::size_t>(10, acked + 3) || col.count() == 10; }, WAIT));
		}
		CPPUNIT_ASSERT((col.seqs() == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
	}

	void testHeartbeatRemovesDeadClient()
	{
		skipIfExternal("needs short heartbeat settings");
		StanServerFixture f(shortHB());
		CNats raw(f.natsUrl());
		std::string dead = uniqueName("hbdead");
		rawConnect(raw, f, dead, "_INBOX.nobody-answers-" + dead);
		CStan alive(f, uniqueName("hbalive"));
		CPPUNIT_ASSERT_MESSAGE(alive.error, alive.ok());
		CPPUNIT_ASSERT(f.stanServer()->hasClient(dead));
		NATS_WAIT_FOR(!f.stanServer()->hasClient(dead), WAIT);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), f.stanServer()->numClients()); // the live one answers
		CPPUNIT_ASSERT_EQUAL(std::string(), alive.publish("hb", "ok"));
	}

	void testHeartbeatFailCount()
	{
		// hbFailCount 2: the client is closed after more than 2 consecutive misses, i.e. after
		// exactly 3 unanswered heartbeats, and then no heartbeat is sent any more.
		skipIfExternal("needs short heartbeat settings");
		StanServerFixture f(shortHB());
		CNats raw(f.natsUrl());
		std::string id = uniqueName("hbcount");
		HeartbeatPeer peer(raw, "_INBOX.hbcount-" + id, [](int) { return false; });
		rawConnect(raw, f, id, "_INBOX.hbcount-" + id);
		NATS_WAIT_FOR(!f.stanServer()->hasClient(id), WAIT);
		// Barrier on the server's connection order: a ping round trip.
		natsstan::Ping ping;
		ping.set_connid("x");
		std::string reply;
		CPPUNIT_ASSERT(raw.request(subjectFor(f) + ".pings", ping.SerializeAsString(), reply));
		CPPUNIT_ASSERT_EQUAL(3, peer.received.load());
	}

	void testHeartbeatSuccessResetsCount()
	{
		// Two misses, one answer, two misses, ...: never more than 2 consecutive misses.
		skipIfExternal("needs short heartbeat settings");
		StanServerFixture f(shortHB());
		CNats raw(f.natsUrl());
		std::string id = uniqueName("hbreset");
		HeartbeatPeer peer(raw, "_INBOX.hbreset-" + id, [](int n) { return n % 3 == 0; });
		rawConnect(raw, f, id, "_INBOX.hbreset-" + id);
		NATS_WAIT_FOR(peer.received.load() >= 10, WAIT);
		CPPUNIT_ASSERT(f.stanServer()->hasClient(id));
	}

	void testPingUnknownConnID()
	{
		StanServerFixture f;
		CNats raw(f.natsUrl());
		natsstan::Ping ping;
		ping.set_connid("no-such-connection");
		std::string reply;
		CPPUNIT_ASSERT(raw.request(subjectFor(f) + ".pings", ping.SerializeAsString(), reply));
		natsstan::PingResponse resp;
		CPPUNIT_ASSERT(resp.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string("client has been replaced or is no longer registered"), resp.error());

		RawSession s = rawConnect(raw, f, uniqueName("pinger"), "_INBOX.pinger-hb");
		CPPUNIT_ASSERT_EQUAL(subjectFor(f) + ".pings", s.resp.pingrequests());
		CPPUNIT_ASSERT_EQUAL(5, s.resp.pinginterval());
		CPPUNIT_ASSERT_EQUAL(88, s.resp.pingmaxout());
		CPPUNIT_ASSERT_EQUAL(1, s.resp.protocol());
		ping.set_connid(s.connId);
		CPPUNIT_ASSERT(raw.request(s.resp.pingrequests(), ping.SerializeAsString(), reply));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), reply.size()); // OK = empty PingResponse
	}

	void testServerRestartLosesClient()
	{
		skipIfExternal("restarts the streaming server");
		StanServerFixture f;
		CStan c(f, uniqueName("restart"), 1, 3);
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		f.stopStan();
		f.startStan();
		// The next client ping gets the server's error and the connection is lost with it.
		NATS_WAIT_FOR(!c.lost().empty(), WAIT);
		CPPUNIT_ASSERT_EQUAL(std::string("client has been replaced or is no longer registered"), c.lost());
	}

	void testSubscribeErrors()
	{
		StanServerFixture f;
		CNats raw(f.natsUrl());
		RawSession s = rawConnect(raw, f, uniqueName("suberr"), "_INBOX.suberr-hb");
		auto subErr = [&](const natsstan::SubscriptionRequest& r) {
			std::string reply;
			CPPUNIT_ASSERT(raw.request(s.resp.subrequests(), r.SerializeAsString(), reply));
			natsstan::SubscriptionResponse resp;
			CPPUNIT_ASSERT(resp.ParseFromString(reply));
			return resp.error();
		};
		natsstan::SubscriptionRequest good;
		good.set_clientid(s.clientId);
		good.set_subject("suberr");
		good.set_inbox("_INBOX.suberr-inbox");
		good.set_maxinflight(1);
		good.set_ackwaitinsecs(30);

		natsstan::SubscriptionRequest r = good;
		r.clear_clientid();
		CPPUNIT_ASSERT_EQUAL(std::string("stan: clientID missing"), subErr(r));
		r = good;
		r.set_ackwaitinsecs(0);
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid ack wait time, should be >= 1s"), subErr(r));
		r = good;
		r.set_maxinflight(0);
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid MaxInflight, should be >= 1"), subErr(r));
		r = good;
		r.set_startposition(static_cast<natsstan::StartPosition>(9));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid start position"), subErr(r));
		r = good;
		r.set_subject("foo.>");
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid subject"), subErr(r));
		r = good;
		r.set_clientid("not-registered");
		CPPUNIT_ASSERT_EQUAL(std::string("stan: unknown clientID"), subErr(r));
		std::string reply;
		CPPUNIT_ASSERT(raw.request(s.resp.subrequests(), std::string("\xff\xff\xff", 3), reply));
		natsstan::SubscriptionResponse resp;
		CPPUNIT_ASSERT(resp.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid subscription request"), resp.error());
		CPPUNIT_ASSERT_EQUAL(std::string(), subErr(good));
	}

	void testUnsubscribeErrors()
	{
		StanServerFixture f;
		CNats raw(f.natsUrl());
		RawSession s = rawConnect(raw, f, uniqueName("unsuberr"), "_INBOX.unsuberr-hb");
		natsstan::SubscriptionRequest sub;
		sub.set_clientid(s.clientId);
		sub.set_subject("unsub");
		sub.set_inbox("_INBOX.unsub-inbox");
		sub.set_maxinflight(1);
		sub.set_ackwaitinsecs(30);
		std::string reply;
		CPPUNIT_ASSERT(raw.request(s.resp.subrequests(), sub.SerializeAsString(), reply));
		natsstan::SubscriptionResponse sr;
		CPPUNIT_ASSERT(sr.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string(), sr.error());

		auto unsub = [&](const std::string& subject, const natsstan::UnsubscribeRequest& u) {
			std::string rep;
			CPPUNIT_ASSERT(raw.request(subject, u.SerializeAsString(), rep));
			natsstan::SubscriptionResponse resp;
			CPPUNIT_ASSERT(resp.ParseFromString(rep));
			return resp.error();
		};
		natsstan::UnsubscribeRequest u;
		u.set_clientid(s.clientId);
		u.set_subject("nochannel");
		u.set_inbox(sr.ackinbox());
		CPPUNIT_ASSERT_EQUAL(std::string("stan: unknown channel"), unsub(s.resp.unsubrequests(), u));
		u.set_subject("unsub");
		u.set_inbox("_INBOX.not-a-sub");
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid subscription"), unsub(s.resp.unsubrequests(), u));
		u.set_inbox(sr.ackinbox());
		u.set_clientid("someone-else");
		CPPUNIT_ASSERT_EQUAL(std::string("stan: unknown clientID"), unsub(s.resp.subcloserequests(), u));
		u.set_clientid(s.clientId);
		CPPUNIT_ASSERT_EQUAL(std::string(), unsub(s.resp.unsubrequests(), u));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid subscription"), unsub(s.resp.unsubrequests(), u));
		CPPUNIT_ASSERT(raw.request(s.resp.unsubrequests(), std::string("\x0a\xff", 2), reply));
		CPPUNIT_ASSERT(sr.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid unsubscribe request"), sr.error());
	}

	void testLimitChannelsAndSubs()
	{
		skipIfExternal("needs server limits");
		StanServerOptions o;
		o.maxChannels = 2;
		o.maxSubscriptions = 2;
		StanServerFixture f(o);
		CStan c(f, "limits");
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("a", "1"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("b", "1"));
		CPPUNIT_ASSERT_EQUAL(std::string("too many channels"), c.publish("c", "1"));
		Collector s1, s2, s3, s4;
		CPPUNIT_ASSERT_EQUAL(std::string("too many channels"), c.subscribe(s4, "d"));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(s1, "a", [](stanSubOptions* x) { stanSubOptions_SetDurableName(x, "d1"); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.closeSub(s1)); // offline durable still counts
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(s2, "a"));
		CPPUNIT_ASSERT_EQUAL(std::string("too many subscriptions per channel"), c.subscribe(s3, "a"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), f.stanServer()->numChannels());
	}

	void testLimitMsgsAndBytes()
	{
		skipIfExternal("needs server limits");
		StanServerOptions o;
		o.maxMsgs = 5;
		o.maxBytes = 1000;
		StanServerFixture f(o);
		CStan c(f, "msglimits");
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		for (int i = 1; i <= 10; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("mm", std::to_string(i)));
		Collector all;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(all, "mm", [](stanSubOptions* x) { stanSubOptions_DeliverAllAvailable(x); }));
		NATS_WAIT_FOR(all.count() == 5, WAIT);
		CPPUNIT_ASSERT((all.seqs() == std::vector<std::uint64_t>{6, 7, 8, 9, 10}));

		for (int i = 1; i <= 5; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("mb", std::string(300, 'x')));
		StanChannelInfo info;
		CPPUNIT_ASSERT(f.stanServer()->channelInfo("mb", info));
		CPPUNIT_ASSERT(info.bytes <= 1000);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), info.msgs);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), info.lastSequence);
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("mb", std::string(5000, 'y'))); // alone above maxBytes: kept
		CPPUNIT_ASSERT(f.stanServer()->channelInfo("mb", info));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), info.msgs);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(6), info.firstSequence);
	}

	void testLimitMaxAge()
	{
		skipIfExternal("needs server limits");
		StanServerOptions o;
		o.maxAge = Poco::Timespan(0, 200000);
		StanServerFixture f(o);
		CStan c(f, "agelimit");
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("age", "x"));
		StanChannelInfo info;
		NATS_WAIT_FOR(f.stanServer()->channelInfo("age", info) && info.msgs == 0, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), info.lastSequence);
		Collector all;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(all, "age", [](stanSubOptions* x) { stanSubOptions_DeliverAllAvailable(x); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("age", "fresh"));
		NATS_WAIT_FOR(all.count() == 1, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), all.snapshot()[0].seq);
	}

	void testCloseRequest()
	{
		StanServerFixture f;
		CNats raw(f.natsUrl());
		RawSession s = rawConnect(raw, f, uniqueName("closer"), "_INBOX.closer-hb");
		std::string reply;
		natsstan::CloseRequest req;
		req.set_clientid(s.clientId);
		CPPUNIT_ASSERT(raw.request(s.resp.closerequests(), req.SerializeAsString(), reply));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), reply.size());
		CPPUNIT_ASSERT(raw.request(s.resp.closerequests(), req.SerializeAsString(), reply));
		natsstan::CloseResponse resp;
		CPPUNIT_ASSERT(resp.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: unknown clientID"), resp.error());
		CPPUNIT_ASSERT(raw.request(s.resp.closerequests(), std::string("\x0a\x05x", 3), reply));
		CPPUNIT_ASSERT(resp.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid close request"), resp.error());
		// A closed client cannot publish.
		natsstan::PubMsg pm;
		pm.set_clientid(s.clientId);
		pm.set_connid(s.connId);
		pm.set_guid("after-close");
		pm.set_subject("foo");
		CPPUNIT_ASSERT(raw.request(s.resp.pubprefix() + ".foo", pm.SerializeAsString(), reply));
		natsstan::PubAck ack;
		CPPUNIT_ASSERT(ack.ParseFromString(reply));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid publish request"), ack.error());
	}

	void testMalformedInput()
	{
		StanServerOptions o;
		o.hbInterval = Poco::Timespan(0, 200000); // heartbeats flow, so their reply inbox can be attacked too
		o.hbTimeout = Poco::Timespan(1, 0);
		StanServerFixture f(o);
		std::string ch = uniqueName("sane");
		CStan c(f, uniqueName("victim"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector before;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(before, ch, [](stanSubOptions* o) { stanSubOptions_DeliverAllAvailable(o); }));
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "one"));
		NATS_WAIT_FOR(before.count() == 1, WAIT);

		CNats raw(f.natsUrl());
		const std::string cid = f.clusterId();
		std::vector<std::string> subjects = {
			subjectFor(f), subjectFor(f) + ".pings", "_STAN.pub." + cid + "." + ch, "_STAN.pub." + cid + ".x",
			"_STAN.sub." + cid, "_STAN.unsub." + cid, "_STAN.subclose." + cid, "_STAN.close." + cid};
		std::string huge(300000, '\x0a');
		std::string hugeField = std::string("\x0a\x80\x80\x10", 4) + std::string(262144, 'a'); // clientID of 256 KiB
		std::string truncated = std::string("\x0a\x10", 2) + "abc";                             // length beyond the end
		std::string badVarint(12, '\xff');
		std::vector<std::string> payloads = {std::string(), std::string("\x00", 1), "garbage bytes \r\n PUB x 1",
			truncated, badVarint, huge, hugeField, std::string("\x12\x00\x1a\x00", 4), std::string("\x50\xff\xff\xff\xff\x0f", 6)};
		for (const auto& subject : subjects)
		{
			for (const auto& p : payloads)
			{
				// Requests must get the documented error or nothing; either way no crash.
				natsMsg* msg = nullptr;
				natsConnection_Request(&msg, raw.nc, subject.c_str(), p.data(), static_cast<int>(p.size()), 300);
				if (msg) natsMsg_Destroy(msg);
				raw.publish(subject, p); // and without a reply subject
			}
		}
		// The ack inbox of a raw subscription (maxInflight 1) and the heartbeat reply inbox.
		RawSession rs = rawConnect(raw, f, uniqueName("rawvictim"), "_INBOX.rawvictim-hb");
		RawRequests hb(raw, "_INBOX.rawvictim-hb");
		RawInbox deliveries(raw, "_INBOX.rawvictim-msgs");
		natsstan::SubscriptionRequest sreq;
		sreq.set_clientid(rs.clientId);
		sreq.set_subject(ch);
		sreq.set_inbox("_INBOX.rawvictim-msgs");
		sreq.set_maxinflight(1);
		sreq.set_ackwaitinsecs(30);
		sreq.set_startposition(natsstan::First);
		std::string sreply;
		CPPUNIT_ASSERT(raw.request(rs.resp.subrequests(), sreq.SerializeAsString(), sreply));
		natsstan::SubscriptionResponse sresp;
		CPPUNIT_ASSERT(sresp.ParseFromString(sreply));
		CPPUNIT_ASSERT_EQUAL(std::string(), sresp.error());
		NATS_WAIT_FOR(deliveries.count() == 1 && !hb.lastReply().empty(), WAIT);
		std::string ackInbox = sresp.ackinbox();
		std::string hbReply = hb.lastReply();
		std::string ackPrefix = ackInbox.substr(0, ackInbox.rfind('.') + 1);
		std::string hbPrefix = hbReply.substr(0, hbReply.rfind('.') + 1);
		std::vector<std::string> inboxes = {ackInbox, ackPrefix + "999999", ackPrefix + "x", hbPrefix + "x",
			hbPrefix + "99999999999999999999999", hbPrefix + "-1", hbPrefix + "0"};
		natsstan::Ack wrongChannel;
		wrongChannel.set_subject("not-" + ch);
		wrongChannel.set_sequence(1);
		payloads.push_back(wrongChannel.SerializeAsString());
		// Message 2 is stored but held back: the raw subscription (maxInflight 1) has not acked 1.
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "two"));
		for (const auto& inbox : inboxes)
			for (const auto& p : payloads) raw.publish(inbox, p);
		// Barrier: a ping round trip on the same connection, after everything above.
		natsstan::Ping ping;
		ping.set_connid(rs.connId);
		std::string pong;
		CPPUNIT_ASSERT(raw.request(rs.resp.pingrequests(), ping.SerializeAsString(), pong));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), pong.size());
		// None of the garbage acknowledged message 1...
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), deliveries.count());
		// ...and a valid ack releases message 2.
		natsstan::Ack ack;
		ack.set_subject(ch);
		ack.set_sequence(1);
		raw.publish(ackInbox, ack.SerializeAsString());
		raw.flush();

		// The server still serves the clients correctly and the channel is intact.
		NATS_WAIT_FOR(deliveries.count() == 2, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), deliveries.at(1).sequence());
		CPPUNIT_ASSERT(f.stanServer() == nullptr || f.stanServer()->hasClient(rs.clientId));
		NATS_WAIT_FOR(before.count() == 2, WAIT);
		Collector after;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(after, ch, [](stanSubOptions* o) { stanSubOptions_DeliverAllAvailable(o); }));
		NATS_WAIT_FOR(after.count() == 2, WAIT);
		CPPUNIT_ASSERT((after.seqs() == std::vector<std::uint64_t>{1, 2}));
		CPPUNIT_ASSERT_EQUAL(std::string("two"), after.snapshot()[1].data);
		CStan another(f, uniqueName("another"));
		CPPUNIT_ASSERT_MESSAGE(another.error, another.ok());
	}

	void testNatsRestartKeepsSession()
	{
		skipIfExternal("restarts nats-server");
		StanServerFixture f;
		std::string ch = uniqueName("nrestart");
		CStan c(f, uniqueName("nr"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish(ch, "before"));
		f.restartNats();
		// Both the C client and our server reconnect; the session and the channel survive.
		CPPUNIT_ASSERT(waitFor([&] { return c.publish(ch, "after").empty(); }, Poco::Timespan(20, 0)));
		Collector all;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(all, ch, [](stanSubOptions* o) { stanSubOptions_DeliverAllAvailable(o); }));
		NATS_WAIT_FOR(all.count() >= 2, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::string("before"), all.snapshot()[0].data);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanServerInteropTest);
