//
// Stan2JsToolTest.cpp
//
// The stan2js migration tool (tools/stan2js.cpp) as a process: a channel of our streaming server
// is copied into a JetStream stream in order with the original sequence and timestamp in headers,
// a second run resumes, -dry-run changes nothing, a durable continues on the JetStream backend
// after its last acked message, and the exit codes (0, 1, 2). With -monitor pointed at our
// server's monitoring endpoint, the channels and durables (offline, online, durable queue) come
// from it and the JetStream consumers resume after last_sent - pending_count; -durable overrides.
// A stand-in endpoint that lists names only, in pages of one, checks the tool's paging. An
// https:// endpoint (our server with -ms) is read with -monitor-ca; without it the tool fails with
// the endpoint and the flag named, exit code 1.
//

#include "NatsServerProcess.h"
#include "StanServerFixture.h"
#include "StanTestUtil.h"
#include "TestUtil.h"
#include "util/Certificates.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JetStreamException.h"
#include "jetstream/JsStanConnection.h"
#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include "Nats/StanServer.h"
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>

using namespace Nats;
using Nats::Test::StanCollector;
using Nats::Test::seqRange;

namespace {

const Poco::Timespan WAIT(10, 0);

struct Run
{
	int rc = -1;
	std::string out;
};

Run runTool(const std::vector<std::string>& args)
{
	Poco::Pipe outPipe;
	Poco::ProcessHandle ph = Poco::Process::launch(STAN2JS_BIN, args, nullptr, &outPipe, &outPipe);
	Poco::PipeInputStream in(outPipe);
	Run r;
	Poco::StreamCopier::copyToString(in, r.out);
	r.rc = ph.wait();
	return r;
}

/// A stand-in for the Go server's monitoring endpoint: /streaming/channelsz in pages of 1 name
/// (so the tool must follow offset/total), in the Go server's JSON shape.
class ChannelszHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit ChannelszHandler(std::vector<std::string> names): _names(std::move(names)) {}

	void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override
	{
		Poco::URI uri(req.getURI());
		if (uri.getPath() != "/streaming/channelsz")
		{
			resp.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
			resp.send();
			return;
		}
		std::size_t offset = 0;
		for (const auto& kv: uri.getQueryParameters())
		{
			if (kv.first == "offset") offset = std::stoul(kv.second);
		}
		std::string names;
		if (offset < _names.size()) names = "\"" + _names[offset] + "\"";
		resp.setContentType("application/json");
		resp.send() << "{\"cluster_id\":\"test-cluster\",\"server_id\":\"x\",\"now\":\"2026-12-02T06:00:00Z\",\"offset\":" << offset
					<< ",\"limit\":1,\"count\":" << (names.empty() ? 0 : 1) << ",\"total\":" << _names.size() << ",\"names\":[" << names << "]}";
	}

private:
	std::vector<std::string> _names;
};

class ChannelszFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit ChannelszFactory(std::vector<std::string> names): _names(std::move(names)) {}
	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new ChannelszHandler(_names); }

private:
	std::vector<std::string> _names;
};

/// The JSON text of the subscription of `channel` with durable name `durable`, from the
/// monitoring endpoint ("" if there is none).
std::string monitoredSub(const std::string& monitor, const std::string& channel, const std::string& durable)
{
	Poco::URI uri(monitor);
	Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
	session.setTimeout(WAIT);
	Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/streaming/channelsz?subs=1&channel=" + channel, Poco::Net::HTTPMessage::HTTP_1_1);
	session.sendRequest(req);
	Poco::Net::HTTPResponse resp;
	std::string body;
	Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
	const std::string key = "\"durable_name\": \"" + durable + "\"";
	const std::size_t at = body.find(key);
	if (at == std::string::npos) return std::string();
	const std::size_t from = body.rfind('{', at);
	const std::size_t to = body.find('}', at);
	return body.substr(from, to - from + 1);
}

} // namespace

class Stan2JsToolTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(Stan2JsToolTest);
	CPPUNIT_TEST(testCopyResumeDurable);
	CPPUNIT_TEST(testExitCodes);
	CPPUNIT_TEST(testDurablesFromOurMonitoringEndpoint);
	CPPUNIT_TEST(testChannelsFromPagedStandIn);
	CPPUNIT_TEST(testChannelsFromHttpsMonitor);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		Test::skipIfExternal("starts a streaming server and a JetStream server");
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
		StanServerOptions o;
		o.httpPort = StanServerOptions::RANDOM_HTTP_PORT;
		o.httpHost = "127.0.0.1";
		_pSource.reset(new Test::StanServerFixture(o));
		_pTarget = Test::startJetStreamServerUnlessExternal(_targetUrl);
	}

	void tearDown() override
	{
		_pTarget.reset();
		_pSource.reset();
	}

	void testCopyResumeDurable()
	{
		StanOptions so;
		so.natsUrl = _pSource->natsUrl();
		StanConnection src(_pSource->clusterId(), "app-publisher", so);
		src.connect();
		const std::string a = "orders.eu";
		const std::string b = "audit";
		for (int i = 1; i <= 25; ++i) src.publish(a, "a" + std::to_string(i));
		for (int i = 1; i <= 3; ++i) src.publish(b, "b" + std::to_string(i));
		// The original timestamps, as the streaming server stored them.
		StanCollector orig;
		{
			StanSubscription s = src.subscribe(a, orig.handler(), StanSubscriptionOptions().deliverAllAvailable());
			NATS_WAIT_FOR(orig.size() == 25, WAIT);
		}
		const std::vector<std::string> common = {"-s", _pSource->natsUrl(), "-c", _pSource->clusterId(), "-js", _targetUrl, "-memory"};

		// Dry run: the plan, nothing created.
		std::vector<std::string> args = common;
		args.insert(args.end(), {"-dry-run", "-durable", a + ":app:billing:10", a, b});
		Run dry = runTool(args);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(dry.out, 0, dry.rc);
		CPPUNIT_ASSERT_MESSAGE(dry.out, dry.out.find(a + ": would copy 25 message(s) (seq 1-25) into new stream orders_2Eeu") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(dry.out, dry.out.find(b + ": would copy 3 message(s)") != std::string::npos);
		Options no;
		no.servers = {_targetUrl};
		Connection target(no);
		target.connect();
		JetStreamContext js(target, WAIT);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), js.accountInfo().streams);

		// The copy.
		args = common;
		args.insert(args.end(), {a, b});
		Run first = runTool(args);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(first.out, 0, first.rc);
		CPPUNIT_ASSERT_MESSAGE(first.out, first.out.find(a + ": copied 25 message(s) (seq 1-25) into stream orders_2Eeu") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(first.out, first.out.find("stan2js: copied 28 message(s) from 2 channel(s)") != std::string::npos);
		const std::string stream = JsStanConnection::streamName("", a);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(25), js.streamInfo(stream).state.messages);
		{
			std::string inbox = target.newInbox();
			Subscription sub = target.subscribeSync(inbox);
			ConsumerConfig cc;
			cc.deliverSubject = inbox;
			cc.ackPolicy = ConsumerConfig::AckPolicy::NONE;
			js.addConsumer(stream, cc);
			auto om = orig.messages();
			for (std::size_t i = 0; i < 25; ++i)
			{
				Message m = sub.nextMessage(WAIT);
				CPPUNIT_ASSERT_EQUAL("a" + std::to_string(i + 1), m.data());
				CPPUNIT_ASSERT_EQUAL(std::to_string(i + 1), m.headers().get("Stan-Sequence"));
				CPPUNIT_ASSERT_EQUAL(std::to_string(om[i].timestamp()), m.headers().get("Stan-Timestamp"));
			}
			sub.unsubscribe();
		}

		// More messages, a second run: only the new ones are copied; the durable is created.
		for (int i = 26; i <= 30; ++i) src.publish(a, "a" + std::to_string(i));
		args = common;
		args.insert(args.end(), {"-durable", a + ":app:billing:10", a});
		Run second = runTool(args);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(second.out, 0, second.rc);
		CPPUNIT_ASSERT_MESSAGE(second.out, second.out.find(a + ": copied 5 message(s) (seq 26-30) into stream orders_2Eeu, resumed after seq 25") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(second.out, second.out.find("created consumer d__app__billing starting at stream seq 11") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(30), js.streamInfo(stream).state.messages);
		// A third run has nothing left to do and keeps the consumer.
		Run third = runTool(args);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(third.out, 0, third.rc);
		CPPUNIT_ASSERT_MESSAGE(third.out, third.out.find(a + ": copied 0 message(s)") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(third.out, third.out.find("consumer d__app__billing exists, kept") != std::string::npos);

		// The application, now on JetStream, resumes its durable after message 10.
		StanOptions jo;
		jo.natsUrl = _targetUrl;
		jo.backend = StanOptions::Backend::JETSTREAM;
		StanConnection app(Test::stanClusterId(), "app", jo);
		app.connect();
		StanCollector got;
		StanSubscription sub = app.subscribe(a, got.handler(), StanSubscriptionOptions().setDurableName("billing"));
		NATS_WAIT_FOR(got.size() == 20, WAIT);
		CPPUNIT_ASSERT(got.sequences() == seqRange(11, 30));
		CPPUNIT_ASSERT_EQUAL(std::string("a11"), got.messages()[0].data());
		sub.close();
	}

	void testExitCodes()
	{
		CPPUNIT_ASSERT_EQUAL(2, runTool({}).rc);                               // no channel
		CPPUNIT_ASSERT_EQUAL(2, runTool({"-bogus", "x"}).rc);
		CPPUNIT_ASSERT_EQUAL(2, runTool({"-durable", "nonsense", "x"}).rc);
		CPPUNIT_ASSERT_EQUAL(0, runTool({"-h"}).rc);
		// Nothing listening: a runtime error.
		const std::string dead = "nats://127.0.0.1:" + std::to_string(Test::freePort());
		Run r = runTool({"-s", dead, "-timeout", "1s", "x"});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out, 1, r.rc);
		// Target without JetStream (the streaming server's nats-server): a runtime error.
		Run nojs = runTool({"-s", _pSource->natsUrl(), "-c", _pSource->clusterId(), "-timeout", "1s", "x"});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(nojs.out, 1, nojs.rc);
		CPPUNIT_ASSERT_MESSAGE(nojs.out, nojs.out.find("JetStream not enabled") != std::string::npos);
	}

	void testDurablesFromOurMonitoringEndpoint()
	{
		using SO = StanSubscriptionOptions;
		const std::string monitor = "http://127.0.0.1:" + std::to_string(_pSource->stanServer()->monitorPort());
		StanOptions so;
		so.natsUrl = _pSource->natsUrl();
		StanConnection src(_pSource->clusterId(), "mon-pub", so);
		src.connect();
		const std::string ch = "mon.ch";
		for (int i = 1; i <= 20; ++i) src.publish(ch, "m" + std::to_string(i));
		src.publish("mon.other", "o1");
		src.publish("mon.other", "o2");
		// Offline durable app/billing: all 20 sent, 1-12 acked, then closed (acks flushed first).
		StanConnection app(_pSource->clusterId(), "app", so);
		app.connect();
		{
			StanSubscription billing = app.subscribeSync(ch, SO().deliverAllAvailable().setDurableName("billing").setManualAckMode());
			for (int i = 1; i <= 12; ++i) billing.ack(billing.nextMessage(WAIT));
			billing.close();
		}
		// Online durable app2/live, max 5 in flight: 1-5 acked, so 6-10 are sent and unacked.
		StanConnection app2(_pSource->clusterId(), "app2", so);
		app2.connect();
		StanSubscription live = app2.subscribeSync(ch, SO().deliverAllAvailable().setDurableName("live").setManualAckMode().setMaxInflight(5));
		for (int i = 1; i <= 5; ++i) live.ack(live.nextMessage(WAIT));
		NATS_WAIT_FOR(monitoredSub(monitor, ch, "live").find("\"last_sent\": 10,") != std::string::npos, WAIT);
		// Durable queue group dq:workers, one online member of app3 with 3 unacked.
		StanConnection app3(_pSource->clusterId(), "app3", so);
		app3.connect();
		StanSubscription worker = app3.queueSubscribeSync(ch, "workers", SO().deliverAllAvailable().setDurableName("dq").setManualAckMode().setMaxInflight(3));

		const std::vector<std::string> common = {"-s", _pSource->natsUrl(), "-c", _pSource->clusterId(), "-js", _targetUrl, "-memory", "-monitor", monitor};
		std::vector<std::string> args = common;
		args.push_back("-dry-run");
		Run dry = runTool(args);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(dry.out, 0, dry.rc);
		CPPUNIT_ASSERT_MESSAGE(dry.out, dry.out.find("stan2js: 2 channel(s) to copy, 3 durable(s) from the monitoring endpoint") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(dry.out, dry.out.find("durable app/billing on mon.ch: would create consumer d__app__billing after the copy (monitoring: last_sent 20, pending 8)") != std::string::npos);

		// The copy; app2/live is overridden on the command line (acked up to 7).
		args = common;
		args.insert(args.end(), {"-durable", ch + ":app2:live:7"});
		Run r = runTool(args);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out, 0, r.rc);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("stan2js: 2 channel(s) to copy, 2 durable(s) from the monitoring endpoint") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("stan2js: copied 22 message(s) from 2 channel(s)") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("durable app/billing on mon.ch: created consumer d__app__billing starting at stream seq 13 (monitoring: last_sent 20, pending 8)") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("durable app2/live on mon.ch: created consumer d__app2__live starting at stream seq 8\n") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("queue durable dq:workers on mon.ch: created consumer q__dq__workers starting at stream seq 1 (monitoring: last_sent 3, pending 3)") != std::string::npos);
		worker.close();
		live.close();

		// The applications, now on JetStream, resume their durables.
		StanOptions jo;
		jo.natsUrl = _targetUrl;
		jo.backend = StanOptions::Backend::JETSTREAM;
		StanConnection japp(Test::stanClusterId(), "app", jo);
		japp.connect();
		StanCollector gotBilling;
		StanSubscription b = japp.subscribe(ch, gotBilling.handler(), SO().setDurableName("billing"));
		NATS_WAIT_FOR(gotBilling.size() == 8, WAIT);
		CPPUNIT_ASSERT(gotBilling.sequences() == seqRange(13, 20));
		CPPUNIT_ASSERT_EQUAL(std::string("m13"), gotBilling.messages()[0].data());
		b.close();
		StanConnection japp2(Test::stanClusterId(), "app2", jo);
		japp2.connect();
		StanCollector gotLive;
		StanSubscription l = japp2.subscribe(ch, gotLive.handler(), SO().setDurableName("live"));
		NATS_WAIT_FOR(gotLive.size() == 13, WAIT);
		CPPUNIT_ASSERT(gotLive.sequences() == seqRange(8, 20));
		l.close();
		StanCollector gotQueue;
		StanSubscription q = japp.queueSubscribe(ch, "workers", gotQueue.handler(), SO().setDurableName("dq"));
		NATS_WAIT_FOR(gotQueue.size() == 20, WAIT);
		CPPUNIT_ASSERT(gotQueue.sequences() == seqRange(1, 20));
		q.close();
	}

	void testChannelsFromPagedStandIn()
	{
		StanOptions so;
		so.natsUrl = _pSource->natsUrl();
		StanConnection src(_pSource->clusterId(), "mon-publisher", so);
		src.connect();
		for (const char* ch: {"m1", "m2", "m3"})
		{
			src.publish(ch, "x");
			src.publish(ch, "y");
		}
		Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
		Poco::Net::HTTPServer http(new ChannelszFactory({"m1", "m2", "m3"}), socket, new Poco::Net::HTTPServerParams);
		http.start();
		const std::string monitor = "http://127.0.0.1:" + std::to_string(socket.address().port());
		Run r = runTool({"-s", _pSource->natsUrl(), "-c", _pSource->clusterId(), "-js", _targetUrl, "-memory", "-monitor", monitor});
		http.stop();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out, 0, r.rc);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("stan2js: 3 channel(s) to copy, 0 durable(s) from the monitoring endpoint") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("stan2js: copied 6 message(s) from 3 channel(s)") != std::string::npos);
		Options no;
		no.servers = {_targetUrl};
		Connection target(no);
		target.connect();
		JetStreamContext js(target, WAIT);
		for (const char* ch: {"m1", "m2", "m3"}) CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), js.streamInfo(ch).state.messages);
		// An endpoint that is not there: a runtime error.
		Run bad = runTool({"-s", _pSource->natsUrl(), "-c", _pSource->clusterId(), "-js", _targetUrl, "-monitor", monitor + "/nothing", "-timeout", "1s"});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(bad.out, 1, bad.rc);
	}

	void testChannelsFromHttpsMonitor()
	{
		if (!Test::Certificates::haveOpenssl()) Test::skip("openssl not installed");
		// A CA and a server certificate it signed for localhost / 127.0.0.1.
		Test::Certificates certs(
			"openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=Stan2JsMonitorCA 2>/dev/null;"
			"openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null;"
			"printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf;"
			"openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null");
		// A second streaming server on the source's nats-server, its monitoring on HTTPS only.
		StanServerOptions o;
		o.natsUrl = _pSource->natsUrl();
		o.clusterId = Test::uniqueName("https-cluster");
		o.httpHost = "127.0.0.1";
		o.httpsPort = StanServerOptions::RANDOM_HTTP_PORT;
		o.tlsCert = certs.path("server.pem");
		o.tlsKey = certs.path("server.key");
		StanServer server(o);
		server.start();
		StanOptions so;
		so.natsUrl = _pSource->natsUrl();
		StanConnection src(o.clusterId, "https-publisher", so);
		src.connect();
		src.publish("https-a", "1");
		src.publish("https-a", "2");
		src.publish("https-b", "3");
		src.close();

		const std::string monitor = "https://127.0.0.1:" + std::to_string(server.monitorPort());
		const std::vector<std::string> common = {"-s", _pSource->natsUrl(), "-c", o.clusterId, "-js", _targetUrl, "-memory", "-monitor", monitor, "-timeout", "3s"};
		Options no;
		no.servers = {_targetUrl};
		Connection target(no);
		target.connect();
		JetStreamContext js(target, WAIT);

		// Without the CA the certificate is not trusted: a runtime error naming the endpoint and
		// the flag, and nothing copied.
		Run untrusted = runTool(common);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(untrusted.out, 1, untrusted.rc);
		CPPUNIT_ASSERT_MESSAGE(untrusted.out, untrusted.out.find("monitoring endpoint " + monitor + ": TLS: ") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(untrusted.out, untrusted.out.find("-monitor-ca <file>") != std::string::npos);
		CPPUNIT_ASSERT_THROW(js.streamInfo("https-a"), JetStreamApiException);

		std::vector<std::string> args = common;
		args.insert(args.end(), {"-monitor-ca", certs.path("ca.pem")});
		Run r = runTool(args);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out, 0, r.rc);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("stan2js: 2 channel(s) to copy, 0 durable(s) from the monitoring endpoint") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("stan2js: copied 3 message(s) from 2 channel(s)") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), js.streamInfo("https-a").state.messages);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), js.streamInfo("https-b").state.messages);

		// The CA flag alone is a usage error.
		CPPUNIT_ASSERT_EQUAL(2, runTool({"-monitor-ca", certs.path("ca.pem"), "x"}).rc);
		server.stop();
	}

private:
	std::unique_ptr<Test::StanServerFixture> _pSource;
	std::unique_ptr<Test::NatsServerProcess> _pTarget;
	std::string _targetUrl;
};

CPPUNIT_TEST_SUITE_REGISTRATION(Stan2JsToolTest);
