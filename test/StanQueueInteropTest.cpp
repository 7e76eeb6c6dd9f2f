//
// StanQueueInteropTest.cpp
//
// Our StanServer driven by the nats.c streaming client and raw protocol requests:
// Queue groups: distribution, stalled members, redistribution, durable queue groups.
// Every test asserts what the client observes.
//

#include "StanInteropTest.h"

using namespace Nats;
using namespace Nats::Test;
using namespace Nats::Test::Interop;

class StanQueueInteropTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanQueueInteropTest);
	CPPUNIT_TEST(testQueueSkipsStalledMember);
	CPPUNIT_TEST(testQueueRoundRobinRaw);
	CPPUNIT_TEST(testQueueRedeliveryToOtherMember);
	CPPUNIT_TEST(testQueueDistribution);
	CPPUNIT_TEST(testQueueRedistribution);
	CPPUNIT_TEST(testDurableQueueGroupSurvival);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		openNatsC();
	}

	void testQueueSkipsStalledMember()
	{
		StanServerFixture f;
		std::string ch = uniqueName("qstall");
		CStan c(f, uniqueName("qs"));
		CPPUNIT_ASSERT_MESSAGE(c.error, c.ok());
		Collector slow, fast;
		slow.keepForAck = true; // maxInflight 1, never acks: stalled after one message
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(slow, ch, manualAckInflight(1), "g"));
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
		CPPUNIT_ASSERT_EQUAL(std::string(), c.subscribe(holder, ch, manualAckWait(1000), "g"));
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
		}
		// The last member's connection closes with the member still subscribed: the durable group
		// is kept (its sub.Close() case is in the close/unsubscribe matrix test). Any client can
		// rejoin it.
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
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanQueueInteropTest);
