//
// readme-snippets.cpp
//
// Every C++ snippet of README.md, verbatim inside functions, so that the build proves they compile
// against the public headers. Built with the demos, never run (the demos run the same code paths).
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include "Nats/StanServer.h"
#include "Nats/Exception.h"
#include <iostream>
#include <string>
#include <vector>

namespace {

void headersSnippet(Nats::Connection& conn)
{
	Nats::Headers h;
	h.add("Trace-Id", "42");
	h.add("Tag", "a");
	h.add("Tag", "b");                                    // two values for one name
	conn.publish("orders", h, "payload");
	Nats::Message r = conn.request("service", h, "q", Poco::Timespan(1, 0));
	std::string trace = r.headers().get("Trace-Id");       // first value, "" if absent
	std::vector<std::string> tags = r.headers().values("Tag");
}

void credentialsSnippet()
{
	Nats::Options opts;
	opts.servers = {"tls://connect.example.com:4222"};
	opts.credentialsFile = "/etc/nats/app.creds";         // nsc .creds: user JWT + seed blocks
	// or: opts.credentialsFile = "user.jwt"; opts.credentialsSeedFile = "user.nk";
	// or: opts.nkeySeedFile = "user.nk";                  // nkey user ("SU..."), no JWT
	Nats::Connection conn(opts);
	conn.connect();
}

void basicUsage(const Nats::Options& natsOptions)
{
	Nats::Connection nc(natsOptions);          // the application's own NATS connection
	nc.connect();

	Nats::StanOptions options;
	options.natsConnection = &nc;              // borrowed: sc.close() leaves it open
	Nats::StanConnection sc("test-cluster", "client-123", options);
	sc.connect();

	sc.publish("foo", "Hello World 1");        // blocks until the server stored it
	sc.publish("foo", "Hello World 2");

	Nats::StanSubscription sub = sc.subscribe("foo", [](const Nats::StanMessage& m)
	{
		std::cout << "Received a message: [#" << m.sequence() << "] " << m.data() << std::endl;
	}, Nats::StanSubscriptionOptions().deliverAllAvailable());

	sub.unsubscribe();   // or sub.close(); destroying the last handle closes
	sc.close();
}

std::vector<Nats::StanSubscriptionOptions> replayOptions(const Poco::Timestamp& someTimestamp)
{
	return {
		Nats::StanSubscriptionOptions()                                   // new messages only (default)
		, Nats::StanSubscriptionOptions().startWithLastReceived()           // the last stored message, then new ones
		, Nats::StanSubscriptionOptions().deliverAllAvailable()             // everything stored
		, Nats::StanSubscriptionOptions().startAtSequence(3)                // from sequence 3
		, Nats::StanSubscriptionOptions().startAtTimeDelta(Poco::Timespan(2 * 60, 0))   // the last 2 minutes
		, Nats::StanSubscriptionOptions().startAtTime(someTimestamp)        // from an absolute time
	};
}

void durable(Nats::StanConnection& sc, const std::string& channel, const std::string& clientId,
	const Nats::StanOptions& options, const Nats::StanMessageHandler& handler)
{
	auto sub = sc.subscribe(channel, handler, Nats::StanSubscriptionOptions().setDurableName("my-durable"));
	// ... receive 1-40, then
	sc.close();                    // closing (the connection or the subscription) keeps the durable
	// ... 41-80 are published meanwhile; the same client ID re-subscribes with the same durable name:
	Nats::StanConnection sc2("test-cluster", clientId, options);
	sc2.connect();
	auto resumed = sc2.subscribe(channel, handler, Nats::StanSubscriptionOptions().setDurableName("my-durable"));
	// receives 41-80 only; resumed.unsubscribe() would delete the durable on the server
}

void queues(Nats::StanConnection& sc, const std::string& channel, const Nats::StanMessageHandler& handler)
{
	auto member = sc.queueSubscribe(channel, "bar", handler);    // each message to one member of "bar"
	auto durableMember = sc.queueSubscribe(channel, "bar", handler,
		Nats::StanSubscriptionOptions().setDurableName("dur"));  // group "dur:bar" survives all members closing
}

void asyncPublish(Nats::StanConnection& sc, const std::string& channel)
{
	std::string guid = sc.publishAsync(channel, "Hello World",
		[](const std::string& guid, const std::string& error)
		{
			// exactly once per publishAsync(): error empty on success, else
			// "stan: publish ack timeout", "stan: connection closed" or the server's text
		});
}

void manualAcks(Nats::StanConnection& sc, const std::string& channel)
{
	Nats::StanSubscription sub = sc.subscribe(channel, [](const Nats::StanMessage& m)
	{
		if (m.isRedelivered()) std::cout << "redelivered #" << m.sequence() << std::endl;
		else return;                           // not acked: comes back after ackWait
		m.ack();                               // or sub.ack(m) from outside the handler
	}, Nats::StanSubscriptionOptions().setManualAckMode().setAckWait(Poco::Timespan(1, 0)).deliverAllAvailable());
}

void rateLimits(Nats::StanOptions& options, Nats::StanConnection& sc, const std::string& channel, const std::string& data,
	const Nats::StanAckHandler& handler)
{
	options.maxPubAcksInflight = 512;     // publishAsync() blocks while 512 acks are outstanding
	sc.publishAsync(channel, data, handler, Poco::Timespan(5, 0));   // ... or waits at most 5 s, then throws

	Nats::StanSubscriptionOptions().setMaxInflight(128);   // the server sends at most 128 unacked messages
}

void pull(Nats::StanConnection& sc, const std::string& channel)
{
	Nats::StanSubscription sub = sc.subscribeSync(channel, Nats::StanSubscriptionOptions().deliverAllAvailable());
	Nats::StanMessage m = sub.nextMessage(Poco::Timespan(1, 0));   // throws NatsTimeoutException when nothing came
}

void core()
{
	Nats::Connection conn;                  // nats://127.0.0.1:4222
	conn.connect();
	conn.subscribe("greet", [](const Nats::Message& m) { std::cout << m.data() << '\n'; });
	conn.publish("greet", "hello");
	Nats::Message reply = conn.request("service", "ping", Poco::Timespan(1, 0));
	conn.flush(Poco::Timespan(1, 0));
	conn.close();
}

void embeddedServer()
{
	Nats::StanServerOptions so;
	so.natsUrl = "nats://127.0.0.1:4222";
	so.clusterId = "test-cluster";
	Nats::StanServer server(so);
	server.start();
	// ...
	server.stop();
}

} // namespace

int main(int argc, char**)
{
	// Never runs the snippets: this program exists so that the build compiles them.
	if (argc > 1000)
	{
		basicUsage(Nats::Options());
		replayOptions(Poco::Timestamp());
		core();
		embeddedServer();
	}
	(void) &durable;
	(void) &queues;
	(void) &asyncPublish;
	(void) &manualAcks;
	(void) &rateLimits;
	(void) &pull;
	(void) &headersSnippet;
	(void) &credentialsSnippet;
	std::cout << "README snippets compiled" << std::endl;
	return 0;
}
