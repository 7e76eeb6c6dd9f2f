//
// StanCredentialsTest.cpp
//
// The streaming client and our streaming server on a nats-server in operator mode: both connect
// with .creds files (user JWTs the test generates), passed through StanOptions::natsOptions and
// StanServerOptions::natsOptions. Needs to start its own servers (skipped with NATS_URL).
//

#include "JwtTestUtil.h"
#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include "Nats/StanServer.h"
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>
#include <fstream>

using namespace Nats;
using namespace Nats::Test::Jwt;
using Nats::Test::NatsServerProcess;
using Nats::Test::writeFile;

class StanCredentialsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanCredentialsTest);
	CPPUNIT_TEST(testStreamingWithCredsFile);
	CPPUNIT_TEST_SUITE_END();

public:
	void testStreamingWithCredsFile()
	{
		Test::skipIfExternal();
		if (!NatsServerProcess::available()) Test::skip("nats-server not installed");
		NKeyPair op = NKeyPair::create(NKeyPair::OPERATOR);
		NKeyPair account = NKeyPair::create(NKeyPair::ACCOUNT);
		NKeyPair serverUser = NKeyPair::create(NKeyPair::USER);
		NKeyPair clientUser = NKeyPair::create(NKeyPair::USER);
		NatsServerProcess nats;
		nats.setConfig(operatorConfig(op, account));
		nats.start();
		Poco::TemporaryFile serverCreds, clientCreds;
		writeFile(serverCreds.path(), creds(userJwt(account, serverUser), serverUser.seed()));
		writeFile(clientCreds.path(), creds(userJwt(account, clientUser), clientUser.seed()));

		StanServerOptions so;
		so.natsUrl = nats.url();
		so.clusterId = Test::uniqueName("creds-cluster");
		so.natsOptions.credentialsFile = serverCreds.path();
		StanServer server(so);
		server.start();

		StanOptions co;
		co.natsOptions.servers = {nats.url()};
		co.natsOptions.credentialsFile = clientCreds.path();
		co.connectWait = Poco::Timespan(5, 0);
		StanConnection sc(so.clusterId, Test::uniqueName("creds-client"), co);
		sc.connect();
		StanSubscription sub = sc.subscribeSync("creds.channel", StanSubscriptionOptions().deliverAllAvailable());
		sc.publish("creds.channel", "through JWT auth");
		StanMessage m = sub.nextMessage(Poco::Timespan(5, 0));
		CPPUNIT_ASSERT_EQUAL(std::string("through JWT auth"), m.data());
		sc.close();

		// without credentials the streaming client cannot even reach NATS
		StanOptions none;
		none.natsOptions.servers = {nats.url()};
		none.natsOptions.allowReconnect = false;
		StanConnection refused(so.clusterId, Test::uniqueName("creds-none"), none);
		CPPUNIT_ASSERT_THROW(refused.connect(), AuthorizationException);
		server.stop();
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanCredentialsTest);
