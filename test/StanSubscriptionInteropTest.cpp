//
// StanSubscriptionInteropTest.cpp
//
// Our StanServer driven by the nats.c streaming client and raw protocol requests:
// Start positions, durables, redelivery, max inflight, subscribe/unsubscribe requests.
// Every test asserts what the client observes.
//

#include "StanInteropTest.h"

using namespace Nats;
using namespace Nats::Test;
using namespace Nats::Test::Interop;

class StanSubscriptionInteropTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanSubscriptionInteropTest);
	CPPUNIT_TEST(testCloseVsUnsubscribeMatrix);
	CPPUNIT_TEST(testStartPositions);
	CPPUNIT_TEST(testStartAtTime);
	CPPUNIT_TEST(testStartOnEmptyChannel);
	CPPUNIT_TEST(testDurableResumeVsUnsubscribe);
	CPPUNIT_TEST(testDurableResumeRedeliversPending);
	CPPUNIT_TEST(testDuplicateDurable);
	CPPUNIT_TEST(testRedeliveryAfterAckWait);
	CPPUNIT_TEST(testRedeliveryCountRaw);
	CPPUNIT_TEST(testMaxInflight);
	CPPUNIT_TEST(testDroppedPendingImplicitlyAcked);
	CPPUNIT_TEST(testSubscribeErrors);
	CPPUNIT_TEST(testUnsubscribeErrors);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		openNatsC();
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

	void testRedeliveryAfterAckWait()
	{
		StanServerFixture f;
		std::string ch = uniqueName("redeliver");
		CStan c(f, uniqueName("rd"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector col;
		col.keepForAck = true;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(col, ch, manualAckWait(1000)));
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
		req.set_ackwaitinsecs(1); // the smallest ack wait a released server accepts
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
		NATS_WAIT_FOR(in.count() >= 3, WAIT);
		for (std::size_t i = 0; i < 3; ++i)
		{
			natsstan::MsgProto m = in.at(i);
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), m.sequence());
			CPPUNIT_ASSERT_EQUAL(std::string("payload"), m.data());
			CPPUNIT_ASSERT_EQUAL(i > 0, m.redelivered());
			CPPUNIT_ASSERT_EQUAL(std::uint32_t(i), m.redeliverycount());
		}
		// Ack stops the redeliveries: after the ack and a barrier request, nothing more arrives
		// within longer than one ack wait.
		natsstan::Ack ack;
		ack.set_subject("rdcount");
		ack.set_sequence(1);
		raw.publish(sr.ackinbox(), ack.SerializeAsString());
		pm.set_subject("other");
		CPPUNIT_ASSERT(raw.request(s.resp.pubprefix() + ".other", pm.SerializeAsString(), reply)); // barrier
		std::uint64_t afterAck = in.received();
		CPPUNIT_ASSERT(!waitFor([&] { return in.received() > afterAck; }, Poco::Timespan(1, 500000)));
	}

	void testDroppedPendingImplicitlyAcked()
	{
		// A pending message removed by a limit counts as acknowledged at the next ack timer:
		// the stalled subscription (maxInflight 1) then gets the next message without any ack.
		skipIfExternal("needs server limits");
		StanServerOptions o;
		o.maxMsgs = 2;
		StanServerFixture f(o);
		CNats raw(f.natsUrl());
		RawSession s = rawConnect(raw, f, uniqueName("dropped"), "_INBOX.dropped-hb");
		RawInbox in(raw, "_INBOX.dropped-msgs");
		natsstan::SubscriptionRequest req;
		req.set_clientid(s.clientId);
		req.set_subject("dropped");
		req.set_inbox("_INBOX.dropped-msgs");
		req.set_maxinflight(1);
		req.set_ackwaitinsecs(1);
		std::string reply;
		CPPUNIT_ASSERT(raw.request(s.resp.subrequests(), req.SerializeAsString(), reply));
		natsstan::PubMsg pm;
		pm.set_clientid(s.clientId);
		pm.set_connid(s.connId);
		pm.set_subject("dropped");
		for (int i = 1; i <= 3; ++i)
		{
			pm.set_guid("d" + std::to_string(i));
			CPPUNIT_ASSERT(raw.request(s.resp.pubprefix() + ".dropped", pm.SerializeAsString(), reply));
		}
		// Seq 1 was delivered, then dropped (maxMsgs 2 keeps 2 and 3).
		NATS_WAIT_FOR(in.count() >= 2, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), in.at(0).sequence());
		natsstan::MsgProto next = in.at(1);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), next.sequence());
		CPPUNIT_ASSERT(!next.redelivered());
	}

	void testMaxInflight()
	{
		StanServerFixture f;
		std::string ch = uniqueName("inflight");
		CStan c(f, uniqueName("mi"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector col;
		col.keepForAck = true;
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(col, ch, manualAckInflight(3)));
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
		// Negative values are refused too (a released server has no millisecond reading).
		r.set_ackwaitinsecs(-5);
		CPPUNIT_ASSERT_EQUAL(std::string("stan: invalid ack wait time, should be >= 1s"), subErr(r));
		r.set_ackwaitinsecs(-1000);
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
		// The channel is checked before the inbox: an unknown channel is its own error, on both
		// the unsubscribe and the subscription-close subject.
		CPPUNIT_ASSERT_EQUAL(std::string("stan: unknown channel"), unsub(s.resp.unsubrequests(), u));
		CPPUNIT_ASSERT_EQUAL(std::string("stan: unknown channel"), unsub(s.resp.subcloserequests(), u));
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
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanSubscriptionInteropTest);
