//
// StanServerToolTest.cpp
//
// The stan-server program: usage errors and --help exit codes, a working cluster from
// "stan-server -p <port> -cid <id>" alone (nats-server child), clean SIGINT shutdown that also
// stops the child, exit code 1 when -ns points at nothing, and the monitoring endpoint of
// -m <port> (--http_host).
//

#define NATS_HAS_STREAMING
#include <nats/nats.h>

#include "NatsServerProcess.h"
#include "TestUtil.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/StreamCopier.h>
#include <Poco/Process.h>
#include <atomic>
#include <memory>
#include <string>
#include <vector>
#include <sys/wait.h>

#ifndef STAN_SERVER_BIN
#error "STAN_SERVER_BIN must be defined by the build"
#endif

using namespace Nats::Test;

namespace {

/// A stan-server child process, killed by the destructor if still running.
class Tool
{
public:
	explicit Tool(const std::vector<std::string>& args)
		: _handle(Poco::Process::launch(STAN_SERVER_BIN, args, nullptr, &_out, &_err))
	{
	}

	~Tool()
	{
		if (!reaped())
		{
			Poco::Process::kill(_handle);
			int status = 0;
			waitpid(_handle.id(), &status, 0);
		}
	}

	/// Waits for the exit (at most `timeout`) and returns the exit code; -1000 on timeout,
	/// -signal when killed by a signal.
	int exitCode(Poco::Timespan timeout)
	{
		if (!waitFor([this] { return reaped(); }, timeout)) return -1000;
		return _exitCode;
	}

	void interrupt()
	{
		Poco::Process::requestTermination(_handle.id());
	}

private:
	bool reaped()
	{
		if (_done) return true;
		int status = 0;
		if (waitpid(_handle.id(), &status, WNOHANG) != _handle.id()) return false;
		_done = true;
		_exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
		return true;
	}

	bool _done = false;
	int _exitCode = 0;
	Poco::Pipe _out;
	Poco::Pipe _err;
	Poco::ProcessHandle _handle;
};

} // namespace

class StanServerToolTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanServerToolTest);
	CPPUNIT_TEST(testUsageExitCodes);
	CPPUNIT_TEST(testStandaloneCluster);
	CPPUNIT_TEST(testUnreachableNats);
	CPPUNIT_TEST(testMonitoringPort);
	CPPUNIT_TEST_SUITE_END();

public:
	void testUsageExitCodes()
	{
		CPPUNIT_ASSERT_EQUAL(0, Tool({"--help"}).exitCode(Poco::Timespan(10, 0)));
		CPPUNIT_ASSERT_EQUAL(2, Tool({"-bogus"}).exitCode(Poco::Timespan(10, 0)));
		CPPUNIT_ASSERT_EQUAL(2, Tool({"-hbi", "5"}).exitCode(Poco::Timespan(10, 0)));       // duration without unit
		CPPUNIT_ASSERT_EQUAL(2, Tool({"-mc", "many"}).exitCode(Poco::Timespan(10, 0)));
		CPPUNIT_ASSERT_EQUAL(2, Tool({"-cid", "bad.cluster"}).exitCode(Poco::Timespan(10, 0)));
		CPPUNIT_ASSERT_EQUAL(2, Tool({"-cid"}).exitCode(Poco::Timespan(10, 0)));            // missing value
		CPPUNIT_ASSERT_EQUAL(2, Tool({"-m", "web"}).exitCode(Poco::Timespan(10, 0)));
		CPPUNIT_ASSERT_EQUAL(2, Tool({"--http_port", "70000"}).exitCode(Poco::Timespan(10, 0)));
		// As the Go server: HTTP or HTTPS monitoring, not both; HTTPS needs --tlscert and --tlskey.
		CPPUNIT_ASSERT_EQUAL(2, Tool({"-m", "8222", "-ms", "8443", "--tlscert", "c.pem", "--tlskey", "k.pem"}).exitCode(Poco::Timespan(10, 0)));
		CPPUNIT_ASSERT_EQUAL(2, Tool({"-ms", "8443", "--tlscert", "c.pem"}).exitCode(Poco::Timespan(10, 0)));
		CPPUNIT_ASSERT_EQUAL(2, Tool({"--https_port", "-5", "--tlscert", "c.pem", "--tlskey", "k.pem"}).exitCode(Poco::Timespan(10, 0)));
	}

	void testStandaloneCluster()
	{
		if (!NatsServerProcess::available()) skip("nats-server is not installed");
		int port = freePort();
		std::string cid = uniqueName("toolc");
		Tool tool({"-a", "127.0.0.1", "-p", std::to_string(port), "-cid", cid, "-hbi", "500ms", "-mm", "10"});
		nats_Open(-1);
		// The streaming server answers once the connect succeeds; retry while it starts.
		stanConnection* sc = nullptr;
		std::string url = "nats://127.0.0.1:" + std::to_string(port);
		bool connected = waitFor([&] {
			stanConnOptions* opts = nullptr;
			stanConnOptions_Create(&opts);
			stanConnOptions_SetURL(opts, url.c_str());
			stanConnOptions_SetConnectionWait(opts, 500);
			natsStatus s = stanConnection_Connect(&sc, cid.c_str(), "tool-client", opts);
			stanConnOptions_Destroy(opts);
			return s == NATS_OK;
		}, Poco::Timespan(15, 0));
		CPPUNIT_ASSERT_MESSAGE("could not connect to the stan-server cluster", connected);
		for (int i = 0; i < 12; ++i) CPPUNIT_ASSERT_EQUAL(NATS_OK, stanConnection_Publish(sc, "toolchan", "x", 1));
		struct Count
		{
			std::atomic<int> n{0};
			std::atomic<std::uint64_t> first{0};
		} count;
		stanSubOptions* so = nullptr;
		stanSubOptions_Create(&so);
		stanSubOptions_DeliverAllAvailable(so);
		stanSubscription* sub = nullptr;
		CPPUNIT_ASSERT_EQUAL(NATS_OK, stanConnection_Subscribe(&sub, sc, "toolchan", [](stanConnection*, stanSubscription*, const char*, stanMsg* m, void* c) {
			Count* cnt = static_cast<Count*>(c);
			if (cnt->n++ == 0) cnt->first = stanMsg_GetSequence(m);
			stanMsg_Destroy(m);
		}, &count, so));
		stanSubOptions_Destroy(so);
		NATS_WAIT_FOR(count.n.load() == 10, Poco::Timespan(10, 0)); // -mm 10 applied
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), count.first.load());
		stanSubscription_Destroy(sub);
		stanConnection_Close(sc);
		stanConnection_Destroy(sc);

		tool.interrupt();
		CPPUNIT_ASSERT_EQUAL(0, tool.exitCode(Poco::Timespan(15, 0)));
		// The nats-server child is gone with it.
		NATS_WAIT_FOR(!portOpen(port), Poco::Timespan(10, 0));
	}

	void testUnreachableNats()
	{
		Tool tool({"-ns", "nats://127.0.0.1:" + std::to_string(freePort())});
		CPPUNIT_ASSERT_EQUAL(1, tool.exitCode(Poco::Timespan(15, 0)));
	}

	void testMonitoringPort()
	{
		if (!NatsServerProcess::available()) skip("nats-server is not installed");
		const int port = freePort();
		const int httpPort = freePort();
		const std::string cid = uniqueName("monc");
		Tool tool({"-a", "127.0.0.1", "-p", std::to_string(port), "-cid", cid, "-m", std::to_string(httpPort), "--http_host", "127.0.0.1"});
		// The endpoint answers once the server is ready; retry while it starts.
		std::string body;
		bool up = waitFor([&] {
			try
			{
				Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(httpPort));
				session.setTimeout(Poco::Timespan(2, 0));
				Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/streaming/serverz");
				session.sendRequest(req);
				Poco::Net::HTTPResponse resp;
				body.clear();
				Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
				return resp.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
			}
			catch (Poco::Exception&)
			{
				return false;
			}
		}, Poco::Timespan(15, 0));
		CPPUNIT_ASSERT_MESSAGE("no monitoring endpoint on -m " + std::to_string(httpPort), up);
		CPPUNIT_ASSERT_MESSAGE(body, body.find("\"cluster_id\": \"" + cid + "\"") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(body, body.find("\"state\": \"STANDALONE\"") != std::string::npos);
		tool.interrupt();
		CPPUNIT_ASSERT_EQUAL(0, tool.exitCode(Poco::Timespan(15, 0)));
		CPPUNIT_ASSERT(!portOpen(httpPort));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanServerToolTest);
