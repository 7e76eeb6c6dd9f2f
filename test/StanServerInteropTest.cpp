//
// StanServerInteropTest.cpp
//
// Our StanServer driven by the nats.c streaming client and raw protocol requests:
// Clients, publishing, heartbeats and pings, limits, close, malformed input, restarts.
// Every test asserts what the client observes.
//

#include "StanInteropTest.h"

using namespace Nats;
using namespace Nats::Test;
using namespace Nats::Test::Interop;

class StanServerInteropTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanServerInteropTest);
	CPPUNIT_TEST(testConnectAndClose);
	CPPUNIT_TEST(testConnectErrors);
	CPPUNIT_TEST(testDuplicateClientAlive);
	CPPUNIT_TEST(testDuplicateClientDead);
	CPPUNIT_TEST(testDuplicateClientSilent);
	CPPUNIT_TEST(testDuplicateConnectWhileChecking);
	CPPUNIT_TEST(testPublishSyncAndAsync);
	CPPUNIT_TEST(testPublishErrors);
	CPPUNIT_TEST(testHeartbeatRemovesDeadClient);
	CPPUNIT_TEST(testHeartbeatFailCount);
	CPPUNIT_TEST(testHeartbeatSuccessResetsCount);
	CPPUNIT_TEST(testNoRedeliveryWhileHeartbeatsFail);
	CPPUNIT_TEST(testPingUnknownConnID);
	CPPUNIT_TEST(testServerRestartLosesClient);
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
		openNatsC();
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

	/// A nats.c client connects as `id` (so the registered one was replaced) and can publish.
	static void expectReplacedBy(StanServerFixture& f, const std::string& id)
	{
		CStan c(f, id);
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		CPPUNIT_ASSERT_EQUAL(std::string(), c.publish("foo", "replaced"));
	}

	/// A raw client registered as `id` whose heartbeat inbox `hbInbox` has a subscriber that never
	/// answers (the server's duplicate check times out on it).
	struct SilentClient
	{
		SilentClient(StanServerFixture& f, const std::string& id, const std::string& hbInbox): raw(f.natsUrl()), heartbeats(raw, hbInbox)
		{
			rawConnect(raw, f, id, hbInbox);
		}

		CNats raw;
		RawInbox heartbeats;
	};

	void testDuplicateClientDead()
	{
		StanServerFixture f;
		std::string id = uniqueName("dead");
		CNats raw(f.natsUrl());
		// Registered with a heartbeat inbox nobody answers.
		rawConnect(raw, f, id, "_INBOX.nobody-" + id);
		expectReplacedBy(f, id);
	}

	void testDuplicateClientSilent()
	{
		// The registered client's heartbeat inbox has a subscriber that never answers: the
		// 500 ms check times out and the new client replaces the old one.
		StanServerFixture f;
		std::string id = uniqueName("silent");
		SilentClient old(f, id, "_INBOX.silent-" + id);
		expectReplacedBy(f, id);
		CPPUNIT_ASSERT(old.heartbeats.count() >= 1); // it was asked
	}

	void testDuplicateConnectWhileChecking()
	{
		StanServerFixture f;
		std::string id = uniqueName("racing");
		SilentClient old(f, id, "_INBOX.racing-hb-" + id);
		CNats& raw = old.raw;
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
		pm.set_subject("foo*"); // a literal NATS token, but not a valid channel (protocol.md 3.2)
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid publish request"), pubAck(pm).error());

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
		StanServerOptions o = shortHB();
		o.hbInterval = Poco::Timespan(0, 50000);
		o.hbTimeout = Poco::Timespan(0, 500000);
		StanServerFixture f(o);
		CNats raw(f.natsUrl());
		std::string id = uniqueName("hbreset");
		HeartbeatPeer peer(raw, "_INBOX.hbreset-" + id, [](int n) { return n % 3 == 0; });
		rawConnect(raw, f, id, "_INBOX.hbreset-" + id);
		NATS_WAIT_FOR(peer.received.load() >= 8, Poco::Timespan(20, 0));
		CPPUNIT_ASSERT(f.stanServer()->hasClient(id));
	}

	void testNoRedeliveryWhileHeartbeatsFail()
	{
		// A plain subscription of a client that misses heartbeats gets no redelivery; once the
		// client answers again, redelivery resumes.
		skipIfExternal("needs short heartbeat settings");
		StanServerOptions o;
		o.hbInterval = Poco::Timespan(0, 100000);
		o.hbTimeout = Poco::Timespan(0, 100000);
		o.hbFailCount = 1000;
		StanServerFixture f(o);
		CNats raw(f.natsUrl());
		std::string id = uniqueName("hbfail");
		std::atomic<bool> answering{false};
		HeartbeatPeer peer(raw, "_INBOX.hbfail-" + id, [&answering](int) { return answering.load(); });
		RawSession s = rawConnect(raw, f, id, "_INBOX.hbfail-" + id);
		// The second heartbeat is only sent after the first one failed.
		NATS_WAIT_FOR(peer.received.load() >= 2, WAIT);
		RawInbox in(raw, "_INBOX.hbfail-msgs");
		natsstan::SubscriptionRequest req;
		req.set_clientid(id);
		req.set_subject("hbfail");
		req.set_inbox("_INBOX.hbfail-msgs");
		req.set_maxinflight(10);
		req.set_ackwaitinsecs(1);
		std::string reply;
		CPPUNIT_ASSERT(raw.request(s.resp.subrequests(), req.SerializeAsString(), reply));
		natsstan::PubMsg pm;
		pm.set_clientid(id);
		pm.set_connid(s.connId);
		pm.set_subject("hbfail");
		pm.set_guid("g");
		CPPUNIT_ASSERT(raw.request(s.resp.pubprefix() + ".hbfail", pm.SerializeAsString(), reply));
		NATS_WAIT_FOR(in.count() == 1, WAIT);
		// Two ack waits pass without a redelivery...
		CPPUNIT_ASSERT(!waitFor([&] { return in.count() > 1; }, Poco::Timespan(2, 500000)));
		CPPUNIT_ASSERT(f.stanServer()->hasClient(id));
		// ...until the client answers its heartbeats again.
		answering = true;
		NATS_WAIT_FOR(in.count() >= 2, WAIT);
		CPPUNIT_ASSERT(in.at(1).redelivered());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), in.at(1).sequence());
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
		NATS_WAIT_FOR(deliveries.count() == 1, WAIT);
		std::string ackInbox = sresp.ackinbox();
		std::string ackPrefix = ackInbox.substr(0, ackInbox.rfind('.') + 1);
		std::vector<std::string> inboxes = {ackInbox, ackPrefix + "999999", ackPrefix + "x"};
		if (!externalMode())
		{
			// Heartbeats come every 200 ms here (an external server's interval is unknown).
			NATS_WAIT_FOR(!hb.lastReply().empty(), WAIT);
			std::string hbReply = hb.lastReply();
			std::string hbPrefix = hbReply.substr(0, hbReply.rfind('.') + 1);
			for (const char* token : {"x", "99999999999999999999999", "-1", "0"}) inboxes.push_back(hbPrefix + token);
		}
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
