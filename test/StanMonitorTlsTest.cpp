//
// StanMonitorTlsTest.cpp
//
// The monitoring endpoint over HTTPS (StanServerOptions::httpsPort, tlsCert, tlsKey; the Go
// server's -ms/--https_port with --tlscert/--tlskey): a client trusting the CA reads
// /streaming/serverz, one that does not fails the TLS verification; the Go server's option
// errors (nats-server StartMonitoring); a port in use or an unreadable key fails start().
// Certificates are made with openssl at test time.
//

#include "Nats/StanServer.h"
#include "NatsServerProcess.h"
#include "StanServerFixture.h"
#include "TestUtil.h"
#include "util/Certificates.h"
#include "util/HttpGet.h"
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SSLException.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>

using namespace Nats;

namespace {

const Poco::Timespan WAIT(10, 0);

/// A CA and a server certificate it signed for localhost / 127.0.0.1.
class MonitorCertificates: public Test::Certificates
{
public:
	MonitorCertificates(): Test::Certificates(
		"openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=NatsCppMonitorCA 2>/dev/null;"
		"openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null;"
		"printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf;"
		"openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null;"
		"echo not-a-key > bad.key")
	{
	}
};

/// GET https://127.0.0.1:port/path, verifying the server's chain against `caFile` ("" = no CA
/// at all, not even the system's). Host names are not checked: the chain is what is tested.
std::string httpsGet(int port, const std::string& path, const std::string& caFile, int& status)
{
	static const bool sslReady = (Poco::Net::initializeSSL(), true);
	(void)sslReady;
	Poco::Net::Context::Params p;
	p.caLocation = caFile;
	p.loadDefaultCAs = false;
	p.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
	Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
	ctx->enableExtendedCertificateVerification(false);
	Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port), ctx);
	const Test::HttpAnswer a = Test::httpGet(session, path, WAIT);
	status = a.status;
	return a.body;
}

} // namespace

class StanMonitorTlsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanMonitorTlsTest);
	CPPUNIT_TEST(testOptions);
	CPPUNIT_TEST(testServerzOverHttps);
	CPPUNIT_TEST(testPortInUseAndBadKey);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		if (!Test::Certificates::haveOpenssl()) Test::skip("openssl not installed");
	}

	void testOptions()
	{
		StanServerOptions o;
		CPPUNIT_ASSERT_EQUAL(0, o.httpsPort);
		o.validate();
		// nats-server's StartMonitoring (server/monitor.go), which the Go streaming server uses.
		o.httpPort = 8222;
		o.httpsPort = 8443;
		assertInvalid(o, "can't specify both HTTP (8222) and HTTPs (8443) ports");
		o.httpPort = 0;
		assertInvalid(o, "TLS cert and key required for HTTPS");
		o.tlsCert = "cert.pem";
		assertInvalid(o, "TLS cert and key required for HTTPS");
		o.tlsKey = "key.pem";
		o.validate();
		o.httpsPort = 65536;
		CPPUNIT_ASSERT_THROW(o.validate(), Poco::InvalidArgumentException);
	}

	void testServerzOverHttps()
	{
		MonitorCertificates certs;
		startFixture(certs.path("server.pem"), certs.path("server.key"));
		const int port = _pFixture->stanServer()->monitorPort();
		CPPUNIT_ASSERT(port > 0);
		int status = 0;
		// No client certificate: none is asked for, as nats-server's startMonitoring sets
		// ClientAuth = tls.NoClientCert on the monitoring listener even with --tlsverify.
		const std::string body = httpsGet(port, "/streaming/serverz", certs.path("ca.pem"), status);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(body, 200, status);
		Poco::JSON::Parser parser;
		Poco::JSON::Object::Ptr z = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
		CPPUNIT_ASSERT_EQUAL(_pFixture->clusterId(), z->getValue<std::string>("cluster_id"));
		// A client that does not trust the CA fails the handshake: the certificate is ours.
		CPPUNIT_ASSERT_THROW(httpsGet(port, "/streaming/serverz", "", status), Poco::Net::SSLException);
		// The endpoint still serves after a failed handshake.
		httpsGet(port, "/streaming/storez", certs.path("ca.pem"), status);
		CPPUNIT_ASSERT_EQUAL(200, status);
	}

	void testPortInUseAndBadKey()
	{
		Test::skipIfExternal("starts its own streaming server with monitoring");
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
		MonitorCertificates certs;
		Test::NatsServerProcess nats;
		nats.start();
		Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
		StanServerOptions o;
		o.natsUrl = nats.url();
		o.httpHost = "127.0.0.1";
		o.httpsPort = taken.address().port();
		o.tlsCert = certs.path("server.pem");
		o.tlsKey = certs.path("server.key");
		{
			// As with -m: a port that cannot be bound fails the start.
			StanServer server(o);
			CPPUNIT_ASSERT_THROW(server.start(), Poco::Net::NetException);
			CPPUNIT_ASSERT(!server.isRunning());
			CPPUNIT_ASSERT_EQUAL(0, server.monitorPort());
		}
		o.httpsPort = StanServerOptions::RANDOM_HTTP_PORT;
		o.tlsKey = certs.path("bad.key");
		StanServer server(o);
		CPPUNIT_ASSERT_THROW(server.start(), Poco::Net::SSLException);
		CPPUNIT_ASSERT(!server.isRunning());
	}

private:
	static void assertInvalid(const StanServerOptions& o, const std::string& text)
	{
		try
		{
			o.validate();
			CPPUNIT_FAIL("validate() accepted the options; expected: " + text);
		}
		catch (const Poco::InvalidArgumentException& e)
		{
			CPPUNIT_ASSERT_EQUAL(text, e.message());
		}
	}

	void startFixture(const std::string& cert, const std::string& key)
	{
		Test::skipIfExternal("starts its own streaming server with monitoring");
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
		StanServerOptions o;
		o.httpsPort = StanServerOptions::RANDOM_HTTP_PORT;
		o.httpHost = "127.0.0.1";
		o.tlsCert = cert;
		o.tlsKey = key;
		_pFixture.reset(new Test::StanServerFixture(o));
	}

	std::unique_ptr<Test::StanServerFixture> _pFixture;
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanMonitorTlsTest);
