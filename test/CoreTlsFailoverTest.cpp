//
// CoreTlsFailoverTest.cpp
//
// TLS failover with host name verification on: a two-node nats-server cluster whose certificate
// names only "localhost" (no IP SAN) announces its members as bare IPs in connect_urls; after the
// first node stops, the client must verify the second against the host name the user gave.
// Certificates are made with openssl at test time. Needs to start its own servers.
//

#include "NatsServerProcess.h"
#include "TestUtil.h"
#include "util/Certificates.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include <Poco/File.h>
#include <cppunit/extensions/HelperMacros.h>
#include <atomic>
#include <memory>
#include <vector>

using namespace Nats;
using Nats::Test::NatsServerProcess;

namespace {

const Poco::Timespan WAIT(10, 0);

/// ca.pem + server.pem / server.key for DNS:localhost only, in a temporary directory.
class LocalhostCertificates: public Test::Certificates
{
public:
	LocalhostCertificates(): Test::Certificates(
		"openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=NatsCppFailoverCA 2>/dev/null;"
		"openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null;"
		"printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf;"
		"openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null")
	{
	}
};

} // namespace

class CoreTlsFailoverTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(CoreTlsFailoverTest);
	CPPUNIT_TEST(testFailoverToDiscoveredIpVerifiesHostName);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		Test::skipIfExternal();
		if (!NatsServerProcess::available()) Test::skip("nats-server not installed");
		if (!Test::Certificates::haveOpenssl()) Test::skip("openssl not installed");
	}

	void testFailoverToDiscoveredIpVerifiesHostName()
	{
		LocalhostCertificates certs;
		std::vector<std::unique_ptr<NatsServerProcess>> nodes;
		for (int i = 0; i < 2; ++i) nodes.emplace_back(new NatsServerProcess());
		for (std::size_t i = 0; i < 2; ++i)
		{
			nodes[i]->args() = {"--tls", "--tlscert", certs.path("server.pem"), "--tlskey", certs.path("server.key"), "--cluster_name",
				"tls-failover", "--cluster", "nats://127.0.0.1:" + std::to_string(nodes[i]->clusterPort()), "--routes",
				"nats://127.0.0.1:" + std::to_string(nodes[1 - i]->clusterPort())};
		}
		for (auto& n: nodes) n->start();

		// the certificate does not cover the IP: a direct connection by IP fails verification
		Options byIp;
		byIp.servers = {"tls://127.0.0.1:" + std::to_string(nodes[1]->port())};
		byIp.tlsCaFile = certs.path("ca.pem");
		byIp.allowReconnect = false;
		{
			Connection c(byIp);
			CPPUNIT_ASSERT_THROW(c.connect(), TLSException);
		}

		std::atomic<int> reconnected{0};
		Options o;
		o.servers = {"tls://localhost:" + std::to_string(nodes[0]->port())};
		o.tlsCaFile = certs.path("ca.pem");
		o.maxReconnect = -1;
		o.reconnectWait = Poco::Timespan(0, 50000);
		o.reconnectJitterTLS = Poco::Timespan(0, 1000);
		o.reconnectedHandler = [&reconnected]() { ++reconnected; };
		Connection conn(o);
		conn.connect();
		// node 1 is learned from connect_urls as a bare IP (node 0 too: "localhost" is another name)
		auto ipLearned = [&]() {
			for (const auto& u: conn.servers())
				if (u.find("127.0.0.1:" + std::to_string(nodes[1]->port())) != std::string::npos) return true;
			return false;
		};
		NATS_WAIT_FOR(ipLearned(), WAIT);

		nodes[0]->stop();
		NATS_WAIT_FOR(reconnected.load() == 1, WAIT);
		NATS_WAIT_FOR(conn.isConnected(), WAIT);
		CPPUNIT_ASSERT(conn.connectedUrl().find(std::to_string(nodes[1]->port())) != std::string::npos);
		Subscription sub = conn.subscribeSync("tls.failover");
		conn.publish("tls.failover", "after");
		CPPUNIT_ASSERT_EQUAL(std::string("after"), sub.nextMessage(WAIT).data());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(CoreTlsFailoverTest);
