//
// JetStreamInteropTest.cpp
//
// Cross-check of the JetStream backend with nats.c's JetStream API (Debian libnats): what our
// StanConnection publishes a nats.c JetStream consumer reads (sequence, payload, Nats-Msg-Id),
// and what nats.c's js_Publish stores our subscription delivers.
//

#include <nats/nats.h>

#include "NatsServerProcess.h"
#include "StanTestUtil.h"
#include "TestUtil.h"
#include "jetstream/JsStanConnection.h"
#include "Nats/StanConnection.h"
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>

using namespace Nats;
using Nats::Test::StanCollector;
using Nats::Test::seqRange;

class JetStreamInteropTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JetStreamInteropTest);
	CPPUNIT_TEST(testOursPublishNatsCReads);
	CPPUNIT_TEST(testNatsCPublishOursReads);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_pServer = Test::startJetStreamServerUnlessExternal(_url);
		CPPUNIT_ASSERT_EQUAL(NATS_OK, natsConnection_ConnectTo(&_nc, _url.c_str()));
		CPPUNIT_ASSERT_EQUAL(NATS_OK, natsConnection_JetStream(&_js, _nc, nullptr));
	}

	void tearDown() override
	{
		if (_js) jsCtx_Destroy(_js);
		_js = nullptr;
		if (_nc) natsConnection_Destroy(_nc);
		_nc = nullptr;
		_pServer.reset();
	}

	StanOptions options()
	{
		StanOptions o;
		o.natsUrl = _url;
		o.backend = StanOptions::Backend::JETSTREAM;
		o.jetStream.memoryStorage = true;
		return o;
	}

	void testOursPublishNatsCReads()
	{
		StanConnection sc(Test::stanClusterId(), Test::uniqueName("c"), options());
		sc.connect();
		std::string channel = Test::uniqueName("x") + ".orders";
		std::vector<std::string> guids;
		for (int i = 1; i <= 10; ++i)
		{
			if (i % 2) sc.publish(channel, "m" + std::to_string(i));
			else guids.push_back(sc.publishAsync(channel, "m" + std::to_string(i), nullptr));
		}
		NATS_WAIT_FOR(sc.pubAcksInflight() == 0, Poco::Timespan(10, 0));

		const std::string stream = JsStanConnection::streamName("", channel);
		jsSubOptions so;
		jsSubOptions_Init(&so);
		so.Stream = stream.c_str();
		so.Config.DeliverPolicy = js_DeliverAll;
		natsSubscription* sub = nullptr;
		jsErrCode jerr = static_cast<jsErrCode>(0);
		CPPUNIT_ASSERT_EQUAL(NATS_OK, js_SubscribeSync(&sub, _js, channel.c_str(), nullptr, &so, &jerr));
		for (int i = 1; i <= 10; ++i)
		{
			natsMsg* msg = nullptr;
			CPPUNIT_ASSERT_EQUAL(NATS_OK, natsSubscription_NextMsg(&msg, sub, 5000));
			std::string data(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
			CPPUNIT_ASSERT_EQUAL("m" + std::to_string(i), data);
			jsMsgMetaData* meta = nullptr;
			CPPUNIT_ASSERT_EQUAL(NATS_OK, natsMsg_GetMetaData(&meta, msg));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(i), meta->Sequence.Stream);
			CPPUNIT_ASSERT_EQUAL(stream, std::string(meta->Stream));
			jsMsgMetaData_Destroy(meta);
			const char* id = nullptr;
			CPPUNIT_ASSERT_EQUAL(NATS_OK, natsMsgHeader_Get(msg, "Nats-Msg-Id", &id));
			if (i % 2 == 0) CPPUNIT_ASSERT_EQUAL(guids[static_cast<std::size_t>(i / 2 - 1)], std::string(id));
			CPPUNIT_ASSERT_EQUAL(NATS_OK, natsMsg_Ack(msg, nullptr));
			natsMsg_Destroy(msg);
		}
		natsSubscription_Unsubscribe(sub);
		natsSubscription_Destroy(sub);
	}

	void testNatsCPublishOursReads()
	{
		StanConnection sc(Test::stanClusterId(), Test::uniqueName("c"), options());
		sc.connect();
		std::string channel = Test::uniqueName("y");
		// Our backend creates the stream on first use; nats.c publishes into it.
		StanCollector got;
		StanSubscription sub = sc.subscribe(channel, got.handler(), StanSubscriptionOptions().deliverAllAvailable().setDurableName("reader"));
		for (int i = 1; i <= 10; ++i)
		{
			std::string data = "c" + std::to_string(i);
			jsPubAck* pa = nullptr;
			jsErrCode jerr = static_cast<jsErrCode>(0);
			CPPUNIT_ASSERT_EQUAL(NATS_OK, js_Publish(&pa, _js, channel.c_str(), data.data(), static_cast<int>(data.size()), nullptr, &jerr));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(i), pa->Sequence);
			CPPUNIT_ASSERT_EQUAL(JsStanConnection::streamName("", channel), std::string(pa->Stream));
			jsPubAck_Destroy(pa);
		}
		NATS_WAIT_FOR(got.size() == 10, Poco::Timespan(10, 0));
		CPPUNIT_ASSERT(got.sequences() == seqRange(1, 10));
		auto msgs = got.messages();
		for (int i = 0; i < 10; ++i)
		{
			CPPUNIT_ASSERT_EQUAL("c" + std::to_string(i + 1), msgs[static_cast<std::size_t>(i)].data());
			CPPUNIT_ASSERT(!msgs[static_cast<std::size_t>(i)].isRedelivered());
		}
		sub.unsubscribe();
	}

private:
	std::unique_ptr<Test::NatsServerProcess> _pServer;
	std::string _url;
	natsConnection* _nc = nullptr;
	jsCtx* _js = nullptr;
};

CPPUNIT_TEST_SUITE_REGISTRATION(JetStreamInteropTest);
