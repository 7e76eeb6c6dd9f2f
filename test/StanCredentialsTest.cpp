//
// StanCredentialsTest.cpp
//
// The streaming client on a nats-server in operator mode: it connects with a .creds file (user
// JWTs the test generates) passed through StanOptions::natsOptions. One body for both backends
// (issue #13): StanCredentialsStreamingTest (test-client) also runs our streaming server with
// creds of its own (StanServerOptions::natsOptions); StanCredentialsJetStreamTest
// (test-jetstream) runs nats-server -js with an account JWT that allows JetStream. Not on
// StanBackendFixture: both variants need a nats-server in operator mode, which that fixture does
// not start. Needs to start its own servers (skipped with NATS_URL).
//
// SPDX-License-Identifier: Apache-2.0
//

#include "JwtTestUtil.h"
#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include "Nats/StanServer.h"
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

using namespace Nats;
using namespace Nats::Test::Jwt;
using Nats::Test::NatsServerProcess;
using Nats::Test::writeFile;

class StanCredentialsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanCredentialsTest);
	CPPUNIT_TEST(testStreamingWithCredsFile);
	CPPUNIT_TEST(testPublishDeniedByUserClaims);
	CPPUNIT_TEST_SUITE_END_ABSTRACT();

public:
	void setUp() override
	{
		Test::skipIfExternal();
		if (!NatsServerProcess::available()) Test::skip("nats-server not installed");
		_pOp.reset(new NKeyPair(NKeyPair::create(NKeyPair::OPERATOR)));
		_pAccount.reset(new NKeyPair(NKeyPair::create(NKeyPair::ACCOUNT)));
		_pNats.reset(new NatsServerProcess);
		_pNats->setConfig(operatorConfig(*_pOp, *_pAccount, jetStream()));
		if (jetStream()) _pNats->enableJetStream();
		_pNats->start();
		_clusterId = Test::uniqueName("creds-cluster");
		if (!jetStream())
		{
			// our streaming server is a NATS client of the operator-mode server like any other
			NKeyPair serverUser = NKeyPair::create(NKeyPair::USER);
			writeFile(_serverCreds.path(), creds(userJwt(*_pAccount, serverUser), serverUser.seed()));
			StanServerOptions so;
			so.natsUrl = _pNats->url();
			so.clusterId = _clusterId;
			so.natsOptions.credentialsFile = _serverCreds.path();
			_pServer.reset(new StanServer(so));
			_pServer->start();
		}
	}

	void tearDown() override
	{
		if (_pServer) _pServer->stop();
		_pServer.reset();
		_pNats.reset();
	}

	void testStreamingWithCredsFile()
	{
		Poco::TemporaryFile clientCreds;
		writeFile(clientCreds.path(), userCreds({}));
		StanConnection sc(_clusterId, Test::uniqueName("creds-client"), options(clientCreds.path()));
		sc.connect();
		StanSubscription sub = sc.subscribeSync("creds.channel", StanSubscriptionOptions().deliverAllAvailable());
		sc.publish("creds.channel", "through JWT auth");
		StanMessage m = sub.nextMessage(Poco::Timespan(5, 0));
		CPPUNIT_ASSERT_EQUAL(std::string("through JWT auth"), m.data());
		sc.close();

		// without credentials the streaming client cannot even reach NATS
		StanOptions none = options("");
		none.natsOptions.allowReconnect = false;
		StanConnection refused(_clusterId, Test::uniqueName("creds-none"), none);
		CPPUNIT_ASSERT_THROW(refused.connect(), AuthorizationException);
	}

	// A user whose JWT denies publishing the channel's messages (on JetStream the channel's
	// subject itself; on the streaming backend the subject the client sends the channel's PubMsgs
	// to, "<pubPrefix>.<channel>", protocol.md): nats-server drops the message and tells the
	// client with -ERR 'Permissions Violation for Publish to "<subject>"'. The core connection
	// reports that to the NATS error handler as AuthorizationException; the streaming publish
	// gets no PubAck and fails with its pub-ack timeout (it does not see the -ERR: the report names
	// the subject, not the message, and the ack bookkeeping knows only guids). Nothing is stored.
	void testPublishDeniedByUserClaims()
	{
		const std::string channel = "creds.denied";
		const std::string deniedSubject = jetStream() ? channel : "_STAN.pub.*." + channel;
		Poco::TemporaryFile allowedCreds, deniedCreds;
		writeFile(allowedCreds.path(), userCreds({}));
		writeFile(deniedCreds.path(), userCreds({deniedSubject}));

		// the allowed user creates the channel (its stream on JetStream) and listens
		StanConnection allowed(_clusterId, Test::uniqueName("creds-allowed"), options(allowedCreds.path()));
		allowed.connect();
		StanSubscription sub = allowed.subscribeSync(channel, StanSubscriptionOptions().deliverAllAvailable());
		allowed.publish(channel, "first");
		CPPUNIT_ASSERT_EQUAL(std::string("first"), sub.nextMessage(Poco::Timespan(5, 0)).data());

		std::mutex mutex;
		std::vector<std::string> natsErrors;
		StanOptions o = options(deniedCreds.path());
		o.pubAckWait = Poco::Timespan(1, 0);
		o.natsOptions.errorHandler = [&](const Poco::Exception& e) {
			if (dynamic_cast<const AuthorizationException*>(&e) == nullptr) return;
			std::lock_guard<std::mutex> lock(mutex);
			natsErrors.push_back(e.message());
		};
		StanConnection denied(_clusterId, Test::uniqueName("creds-denied"), o);
		denied.connect();
		CPPUNIT_ASSERT_THROW(denied.publish(channel, "denied"), StanPubAckTimeoutException);
		NATS_WAIT_FOR(([&]() {
			std::lock_guard<std::mutex> lock(mutex);
			for (const auto& text: natsErrors)
			{
				if (text.find("Permissions Violation for Publish to") != std::string::npos && text.find(channel) != std::string::npos)
					return true;
			}
			return false;
		})(), Poco::Timespan(5, 0));
		denied.close();

		// the denied message was not stored: the next one the subscriber gets is the next allowed one
		allowed.publish(channel, "second");
		CPPUNIT_ASSERT_EQUAL(std::string("second"), sub.nextMessage(Poco::Timespan(5, 0)).data());
		allowed.close();
	}

protected:
	virtual bool jetStream() const = 0;

private:
	std::string userCreds(const std::vector<std::string>& pubDeny) const
	{
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		return creds(userJwt(*_pAccount, user, pubDeny), user.seed());
	}

	/// A client of this backend on the operator-mode server; `credsFile` empty: no credentials.
	StanOptions options(const std::string& credsFile) const
	{
		StanOptions o;
		o.natsOptions.servers = {_pNats->url()};
		o.natsOptions.credentialsFile = credsFile;
		o.connectWait = Poco::Timespan(5, 0);
		if (jetStream())
		{
			o.backend = StanOptions::Backend::JETSTREAM;
			o.jetStream.memoryStorage = true;
		}
		return o;
	}

	std::unique_ptr<NKeyPair> _pOp;
	std::unique_ptr<NKeyPair> _pAccount;
	std::unique_ptr<NatsServerProcess> _pNats;
	Poco::TemporaryFile _serverCreds;
	std::unique_ptr<StanServer> _pServer;
	std::string _clusterId;
};

#ifdef NATS_JETSTREAM_SUITE
class StanCredentialsJetStreamTest: public StanCredentialsTest
{
	CPPUNIT_TEST_SUB_SUITE(StanCredentialsJetStreamTest, StanCredentialsTest);
	CPPUNIT_TEST_SUITE_END();

protected:
	bool jetStream() const override { return true; }
};
CPPUNIT_TEST_SUITE_REGISTRATION(StanCredentialsJetStreamTest);
#else
class StanCredentialsStreamingTest: public StanCredentialsTest
{
	CPPUNIT_TEST_SUB_SUITE(StanCredentialsStreamingTest, StanCredentialsTest);
	CPPUNIT_TEST_SUITE_END();

protected:
	bool jetStream() const override { return false; }
};
CPPUNIT_TEST_SUITE_REGISTRATION(StanCredentialsStreamingTest);
#endif
