//
// CoreAuthTest.cpp
//
// NKey and JWT authentication against Debian's nats-server (2.9): nkey users in a config file,
// operator mode with a memory resolver and operator / account / user JWTs generated here (signed
// with seeds created by the test), .creds files. Needs to start its own servers (skipped with
// NATS_URL).
//

#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "JwtTestUtil.h"
#include "core/NKeys.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <Poco/JSON/Object.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <fstream>
#include <sstream>

using namespace Nats;
using Nats::Test::NatsServerProcess;
using namespace Nats::Test::Jwt;
using Nats::Test::writeFile;

namespace {

const Poco::Timespan WAIT(5, 0);

} // namespace

class CoreAuthTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(CoreAuthTest);
	CPPUNIT_TEST(testNkeyUser);
	CPPUNIT_TEST(testNkeyWrongKey);
	CPPUNIT_TEST(testNkeySignatureHandler);
	CPPUNIT_TEST(testOperatorModeCreds);
	CPPUNIT_TEST(testOperatorModeSeparateFiles);
	CPPUNIT_TEST(testUserOfAnotherAccountRefused);
	CPPUNIT_TEST(testWrongSeedForJwtRefused);
	CPPUNIT_TEST(testBadCredsFileFailsFast);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		Test::skipIfExternal();
		if (!NatsServerProcess::available()) Test::skip("nats-server not installed");
	}

	Options optionsFor(const NatsServerProcess& server)
	{
		Options o;
		o.servers = {server.url()};
		o.allowReconnect = false;
		return o;
	}

	std::unique_ptr<NatsServerProcess> nkeyServer(const NKeyPair& user)
	{
		std::unique_ptr<NatsServerProcess> server(new NatsServerProcess);
		server->setConfig("authorization { users = [ { nkey: " + user.publicKey() + " } ] }\n");
		server->start();
		return server;
	}

	void roundTrip(Connection& conn)
	{
		Subscription sub = conn.subscribeSync("auth.check");
		conn.publish("auth.check", "ok");
		CPPUNIT_ASSERT_EQUAL(std::string("ok"), sub.nextMessage(WAIT).data());
	}

	void testNkeyUser()
	{
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		auto server = nkeyServer(user);
		Poco::TemporaryFile seedFile;
		writeFile(seedFile.path(), user.seed() + "\n");
		Options o = optionsFor(*server);
		o.nkeySeedFile = seedFile.path();
		Connection conn(o);
		conn.connect();
		roundTrip(conn);
		// without credentials the same server refuses
		CPPUNIT_ASSERT_EQUAL(std::string("Nats::AuthorizationException"), Test::connectOutcome(optionsFor(*server)).substr(0, 28));
	}

	void testNkeyWrongKey()
	{
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		NKeyPair other = NKeyPair::create(NKeyPair::USER);
		auto server = nkeyServer(user);
		Poco::TemporaryFile seedFile;
		writeFile(seedFile.path(), other.seed());
		Options o = optionsFor(*server);
		o.nkeySeedFile = seedFile.path();
		std::string f = Test::connectOutcome(o);
		CPPUNIT_ASSERT_MESSAGE(f, f.find("Nats::AuthorizationException|") == 0);
		CPPUNIT_ASSERT_MESSAGE(f, f.find("Authorization Violation") != std::string::npos);
		CPPUNIT_ASSERT(f.find(other.seed()) == std::string::npos);
		// the right public key with a signature by another key is refused too
		Options forged = optionsFor(*server);
		forged.nkey = user.publicKey();
		forged.nkeySignatureHandler = [&other](const std::string& nonce) { return other.sign(nonce); };
		f = Test::connectOutcome(forged);
		CPPUNIT_ASSERT_MESSAGE(f, f.find("Nats::AuthorizationException|") == 0);
	}

	void testNkeySignatureHandler()
	{
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		auto server = nkeyServer(user);
		int calls = 0;
		Options o = optionsFor(*server);
		o.nkey = user.publicKey();
		o.nkeySignatureHandler = [&user, &calls](const std::string& nonce) {
			++calls;
			return user.sign(nonce);
		};
		Connection conn(o);
		conn.connect();
		roundTrip(conn);
		CPPUNIT_ASSERT_EQUAL(1, calls);
	}

	struct Operator
	{
		NKeyPair op = NKeyPair::create(NKeyPair::OPERATOR);
		NKeyPair account = NKeyPair::create(NKeyPair::ACCOUNT);
		std::unique_ptr<NatsServerProcess> server;

		Operator()
		{
			server.reset(new NatsServerProcess);
			server->setConfig(operatorConfig(op, account));
			server->start();
		}
	};

	void testOperatorModeCreds()
	{
		Operator o;
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		Poco::TemporaryFile file;
		writeFile(file.path(), creds(userJwt(o.account, user), user.seed()));
		Options opts = optionsFor(*o.server);
		opts.credentialsFile = file.path();
		Connection conn(opts);
		conn.connect();
		roundTrip(conn);
		// no credentials: refused
		std::string f = Test::connectOutcome(optionsFor(*o.server));
		CPPUNIT_ASSERT_MESSAGE(f, f.find("Nats::AuthorizationException|") == 0);
	}

	void testOperatorModeSeparateFiles()
	{
		Operator o;
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		Poco::TemporaryFile jwtFile, seedFile;
		writeFile(jwtFile.path(), userJwt(o.account, user) + "\r\n");
		writeFile(seedFile.path(), "-----BEGIN USER NKEY SEED-----\r\n" + user.seed() + "\r\n------END USER NKEY SEED------\r\n");
		Options opts = optionsFor(*o.server);
		opts.credentialsFile = jwtFile.path();
		opts.credentialsSeedFile = seedFile.path();
		Connection conn(opts);
		conn.connect();
		roundTrip(conn);
	}

	void testUserOfAnotherAccountRefused()
	{
		Operator o;
		// an account the operator signed but the server's resolver does not know
		NKeyPair otherAccount = NKeyPair::create(NKeyPair::ACCOUNT);
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		Poco::TemporaryFile file;
		writeFile(file.path(), creds(userJwt(otherAccount, user), user.seed()));
		Options opts = optionsFor(*o.server);
		opts.credentialsFile = file.path();
		std::string f = Test::connectOutcome(opts);
		CPPUNIT_ASSERT_MESSAGE(f, f.find("Nats::AuthorizationException|") == 0);
		CPPUNIT_ASSERT(f.find(user.seed()) == std::string::npos);
	}

	void testWrongSeedForJwtRefused()
	{
		Operator o;
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		NKeyPair thief = NKeyPair::create(NKeyPair::USER);
		Poco::TemporaryFile file;
		writeFile(file.path(), creds(userJwt(o.account, user), thief.seed()));
		Options opts = optionsFor(*o.server);
		opts.credentialsFile = file.path();
		std::string f = Test::connectOutcome(opts);
		CPPUNIT_ASSERT_MESSAGE(f, f.find("Nats::AuthorizationException|") == 0);
	}

	void testBadCredsFileFailsFast()
	{
		Operator o;
		NKeyPair user = NKeyPair::create(NKeyPair::USER);
		std::string seed = user.seed();
		Poco::TemporaryFile file;
		writeFile(file.path(), "garbage\n" + seed.substr(0, 30) + "\n");
		Options opts = optionsFor(*o.server);
		opts.credentialsFile = file.path();
		std::string f = Test::connectOutcome(opts);
		CPPUNIT_ASSERT_MESSAGE(f, f.find("Poco::InvalidArgumentException|") == 0);
		CPPUNIT_ASSERT_MESSAGE(f, f.find("credentialsFile") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(f, f.find(seed.substr(0, 30)) == std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(CoreAuthTest);
