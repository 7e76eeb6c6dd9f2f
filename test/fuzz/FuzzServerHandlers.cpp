//
// FuzzServerHandlers.cpp
//
// libFuzzer target: the streaming server's request handlers (connect, publish, subscribe,
// unsubscribe, subscription close, close, ack, ping), fed as raw NATS messages through the only
// entry point the server has: a real nats-server. The harness starts (once per process) a
// nats-server on a free port, or uses FUZZ_NATS_URL, an in-process StanServer on it, and one core
// connection. It registers the client "fuzz" (connID "fuzzconn") and subscribes it to channel
// "fz" (inbox "_INBOX.fuzzsub"), so that inputs naming them reach the deep paths; both are
// re-created when an input removed them.
//
// Input: byte 0 picks the handler, byte 1 the channel of a publish; the rest is the message body
// (raw protobuf, usually invalid). After each input a request to the discovery subject proves the
// server processed it and still answers within 5 s; a hang or a crash (sanitizer report) is a
// finding. The server keeps state between inputs (as a real one does); limits bound its memory.
//

#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "Nats/StanServer.h"
#include "Nats/StanServerOptions.h"
#include "protocol/StanCodec.h"
#include "util/LocalPort.h"
#include <google/protobuf/stubs/logging.h>
#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Process.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

const char* const CLUSTER = "fuzz-cluster";
const char* const CLIENT = "fuzz";
const char* const CONN_ID = "fuzzconn";
const char* const SUB_INBOX = "_INBOX.fuzzsub";
const char* const REPLY_INBOX = "_INBOX.fuzzreply";

std::atomic<pid_t> natsPid{0};

/// Stops the nats-server this process started, by PID (also on a crash).
void killNats()
{
	pid_t pid = natsPid.exchange(0);
	if (pid > 0)
	{
		::kill(pid, SIGKILL);
		int status = 0;
		::waitpid(pid, &status, 0);
	}
}

void onFatalSignal(int sig)
{
	killNats();
	std::signal(sig, SIG_DFL);
	std::raise(sig);
}

std::string startNats()
{
	std::string bin = "/usr/sbin/nats-server";
	if (!Poco::File(bin).exists()) bin = "nats-server";
	const int port = Nats::Test::freePort();
	Poco::ProcessHandle h = Poco::Process::launch(bin, {"-a", "127.0.0.1", "-p", std::to_string(port), "-l", "/dev/null"}, nullptr, nullptr, nullptr);
	natsPid = static_cast<pid_t>(h.id());
	std::atexit(killNats);
	if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(killNats);
	for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTERM, SIGINT}) std::signal(sig, onFatalSignal);
	Poco::Timestamp start;
	while (!Nats::Test::portOpen(port))
	{
		if (start.elapsed() > 10 * Poco::Timespan::SECONDS)
		{
			std::fprintf(stderr, "fuzz-server-handlers: nats-server did not start\n");
			killNats();
			std::abort();
		}
		Poco::Thread::sleep(10);
	}
	return "nats://127.0.0.1:" + std::to_string(port);
}

struct Harness
{
	std::unique_ptr<Nats::StanServer> server;
	std::unique_ptr<Nats::Connection> conn;
	std::string discover;
	Nats::StanConnectResponse resp;
	std::string ackInbox;
	Nats::Subscription replies;

	Harness()
	{
		// the generated parser logs every non-UTF-8 string field to stderr: keep the fuzzer output readable
		google::protobuf::SetLogHandler(nullptr);
		std::string url = Poco::Environment::get("FUZZ_NATS_URL", "");
		if (url.empty()) url = startNats();
		Nats::StanServerOptions so;
		so.natsUrl = url;
		so.clusterId = CLUSTER;
		so.maxChannels = 50;
		so.maxSubscriptions = 50;
		so.maxMsgs = 1000;
		so.maxBytes = 1 << 20;
		so.hbInterval = Poco::Timespan(3600, 0); // clients of the fuzzer never answer heartbeats
		server.reset(new Nats::StanServer(so));
		server->start();
		Nats::Options o;
		o.servers = {url};
		conn.reset(new Nats::Connection(o));
		conn->connect();
		replies = conn->subscribe(std::string(REPLY_INBOX) + ".>", [](const Nats::Message&) {});
		discover = std::string(Nats::StanServerOptions::DEFAULT_DISCOVER_PREFIX) + "." + CLUSTER;
		ensureClient();
	}

	/// Registers the client "fuzz" and its subscription on "fz" unless they exist.
	void ensureClient()
	{
		if (server->hasClient(CLIENT) && !ackInbox.empty()) return;
		if (!server->hasClient(CLIENT))
		{
			Nats::StanConnectRequest req;
			req.clientID = CLIENT;
			req.heartbeatInbox = std::string(REPLY_INBOX) + ".hb";
			req.protocol = 1;
			req.connID = CONN_ID;
			req.pingInterval = 5;
			req.pingMaxOut = 88;
			Nats::Message m = conn->request(discover, Nats::StanCodec::encodeConnectRequest(req), Poco::Timespan(5, 0));
			Nats::StanConnectResponse r = Nats::StanCodec::decodeConnectResponse(m.data());
			if (!r.error.empty() && r.error != "stan: clientID already registered")
			{
				std::fprintf(stderr, "fuzz-server-handlers: connect refused: %s\n", r.error.c_str());
				std::abort();
			}
			if (r.error.empty()) resp = r;
		}
		Nats::StanSubscriptionRequest sr;
		sr.clientID = CLIENT;
		sr.subject = "fz";
		sr.inbox = SUB_INBOX;
		sr.maxInFlight = 1024;
		sr.ackWaitInSecs = 30;
		sr.startPosition = 4;
		Nats::Message m = conn->request(resp.subRequests, Nats::StanCodec::encodeSubscriptionRequest(sr), Poco::Timespan(5, 0));
		Nats::StanSubscriptionResponse r = Nats::StanCodec::decodeSubscriptionResponse(m.data());
		ackInbox = r.ackInbox; // empty when refused (e.g. too many subscriptions): acks then go nowhere
	}

	void run(const std::uint8_t* bytes, std::size_t size)
	{
		ensureClient();
		if (size < 2) return;
		static const char* const CHANNELS[] = {"fz", "fz.a", "other", "FZ", "a.b.c"};
		const std::string body(reinterpret_cast<const char*>(bytes) + 2, size - 2);
		std::string subject;
		switch (bytes[0] % 8)
		{
		case 0: subject = discover; break;
		case 1: subject = resp.pubPrefix + "." + CHANNELS[bytes[1] % 5]; break;
		case 2: subject = resp.subRequests; break;
		case 3: subject = resp.unsubRequests; break;
		case 4: subject = resp.subCloseRequests; break;
		case 5: subject = resp.closeRequests; break;
		case 6: subject = ackInbox.empty() ? std::string(REPLY_INBOX) + ".noack" : ackInbox; break;
		default: subject = resp.pingRequests; break;
		}
		conn->publishRequest(subject, std::string(REPLY_INBOX) + ".r", body);
		// the server handles its messages in arrival order: an answer to this proves the one above
		// was processed
		try
		{
			conn->request(discover, std::string(), Poco::Timespan(5, 0));
		}
		catch (const Nats::NatsTimeoutException&)
		{
			std::fprintf(stderr, "fuzz-server-handlers: the server stopped answering\n");
			std::abort();
		}
	}
};

} // namespace

namespace {

Harness* harness = nullptr;

/// At exit, before the libraries' static objects go: stop our threads, then nats-server.
void destroyHarness()
{
	Harness* h = harness;
	harness = nullptr;
	if (!h) return;
	try
	{
		h->replies = Nats::Subscription();
		h->conn->close();
		h->server->stop();
	}
	catch (...)
	{
	}
	delete h;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
	if (!harness)
	{
		harness = new Harness();
		std::atexit(destroyHarness);
	}
	harness->run(bytes, size);
	return 0;
}
