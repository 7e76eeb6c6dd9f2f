//
// StanCrossClientTest.cpp
//
// Our streaming client and the nats.c streaming client (Debian libnats-dev) on the same channel
// of our streaming server: each publishes, the other subscribes; data and sequences must match.
//

#define NATS_HAS_STREAMING
#include <nats/nats.h>

#include "StanServerFixture.h"
#include "StanTestUtil.h"
#include "Nats/StanConnection.h"
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

using namespace Nats;

namespace {

const Poco::Timespan WAIT(10, 0);
const int COUNT = 200;

std::string payload(int i)
{
	// binary: NUL, CR, LF and high bytes
	std::string s = "msg-" + std::to_string(i);
	s.push_back('\0');
	s += "\r\n";
	s.push_back(static_cast<char>(0xFF - (i & 0x7F)));
	return s;
}

struct CRecord
{
	std::uint64_t seq;
	std::string data;
	std::int64_t timestamp;
};

struct CCollector
{
	std::mutex mutex;
	std::vector<CRecord> recs;

	static void onMsg(stanConnection*, stanSubscription*, const char*, stanMsg* msg, void* closure)
	{
		CCollector* self = static_cast<CCollector*>(closure);
		CRecord r{stanMsg_GetSequence(msg), std::string(stanMsg_GetData(msg), static_cast<std::size_t>(stanMsg_GetDataLength(msg))),
			stanMsg_GetTimestamp(msg)};
		{
			std::lock_guard<std::mutex> lock(self->mutex);
			self->recs.push_back(r);
		}
		stanMsg_Destroy(msg);
	}

	std::size_t size()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return recs.size();
	}
};

/// RAII wrapper of a nats.c streaming connection.
class CStan
{
public:
	CStan(const std::string& url, const std::string& cluster, const std::string& id)
	{
		check(stanConnOptions_Create(&_opts), "stanConnOptions_Create");
		check(stanConnOptions_SetURL(_opts, url.c_str()), "SetURL");
		check(stanConnection_Connect(&_sc, cluster.c_str(), id.c_str(), _opts), "stanConnection_Connect");
	}
	~CStan()
	{
		if (_sub) stanSubscription_Destroy(_sub);
		if (_subOpts) stanSubOptions_Destroy(_subOpts);
		if (_sc)
		{
			stanConnection_Close(_sc);
			stanConnection_Destroy(_sc);
		}
		if (_opts) stanConnOptions_Destroy(_opts);
	}
	void publish(const std::string& channel, const std::string& data)
	{
		check(stanConnection_Publish(_sc, channel.c_str(), data.data(), static_cast<int>(data.size())), "stanConnection_Publish");
	}
	void subscribeAll(const std::string& channel, CCollector& c)
	{
		check(stanSubOptions_Create(&_subOpts), "stanSubOptions_Create");
		check(stanSubOptions_DeliverAllAvailable(_subOpts), "DeliverAllAvailable");
		check(stanConnection_Subscribe(&_sub, _sc, channel.c_str(), &CCollector::onMsg, &c, _subOpts), "stanConnection_Subscribe");
	}

private:
	static void check(natsStatus s, const char* what)
	{
		if (s != NATS_OK) CPPUNIT_FAIL(std::string(what) + ": " + natsStatus_GetText(s));
	}

	stanConnOptions* _opts = nullptr;
	stanConnection* _sc = nullptr;
	stanSubOptions* _subOpts = nullptr;
	stanSubscription* _sub = nullptr;
};

} // namespace

class StanCrossClientTest: public Test::StanFixtureTest
{
	CPPUNIT_TEST_SUITE(StanCrossClientTest);
	CPPUNIT_TEST(testNatsCPublishesWeSubscribe);
	CPPUNIT_TEST(testWePublishNatsCSubscribes);
	CPPUNIT_TEST_SUITE_END();

public:
	void testNatsCPublishesWeSubscribe()
	{
		std::string channel = Test::uniqueName("cross");
		StanOptions o = Test::optionsFor(*_pFixture);
		StanConnection ours(_pFixture->clusterId(), Test::uniqueName("ours"), o);
		ours.connect();
		Test::StanCollector live;
		StanSubscription liveSub = ours.subscribe(channel, live.handler()); // subscribed before the publishes
		{
			CStan c(_pFixture->natsUrl(), _pFixture->clusterId(), Test::uniqueName("natsc"));
			for (int i = 1; i <= COUNT; ++i) c.publish(channel, payload(i));
		}
		Test::StanCollector replay;
		StanSubscription replaySub = ours.subscribe(channel, replay.handler(), StanSubscriptionOptions().deliverAllAvailable());
		NATS_WAIT_FOR(live.size() == COUNT && replay.size() == COUNT, WAIT);
		for (const Test::StanCollector* col : {&live, &replay})
		{
			auto msgs = col->messages();
			for (int i = 0; i < COUNT; ++i)
			{
				CPPUNIT_ASSERT_EQUAL(std::uint64_t(i + 1), msgs[i].sequence());
				CPPUNIT_ASSERT(payload(i + 1) == msgs[i].data());
				CPPUNIT_ASSERT_EQUAL(channel, msgs[i].channel());
			}
		}
	}

	void testWePublishNatsCSubscribes()
	{
		std::string channel = Test::uniqueName("cross");
		StanOptions o = Test::optionsFor(*_pFixture);
		StanConnection ours(_pFixture->clusterId(), Test::uniqueName("ours"), o);
		ours.connect();
		for (int i = 1; i <= COUNT / 2; ++i) ours.publish(channel, payload(i));
		for (int i = COUNT / 2 + 1; i <= COUNT; ++i) ours.publishAsync(channel, payload(i), nullptr);
		CCollector got;
		CStan c(_pFixture->natsUrl(), _pFixture->clusterId(), Test::uniqueName("natsc"));
		c.subscribeAll(channel, got);
		NATS_WAIT_FOR(got.size() == COUNT, WAIT);
		// and our own replay sees the same sequences and timestamps
		StanSubscription mine = ours.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable());
		std::lock_guard<std::mutex> lock(got.mutex);
		for (int i = 0; i < COUNT; ++i)
		{
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(i + 1), got.recs[i].seq);
			CPPUNIT_ASSERT(payload(i + 1) == got.recs[i].data);
			StanMessage m = mine.nextMessage(WAIT);
			CPPUNIT_ASSERT_EQUAL(got.recs[i].seq, m.sequence());
			CPPUNIT_ASSERT(got.recs[i].data == m.data());
			CPPUNIT_ASSERT_EQUAL(got.recs[i].timestamp, m.timestamp());
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanCrossClientTest);
