//
// StanMonitorTest.cpp
//
// The streaming server's monitoring endpoint (src/server/MonitorServer): off by default; with a
// port, /streaming/serverz, storez, clientsz and channelsz answer in the Go server's JSON shapes
// and values (fields of every kind of subscription: plain, durable, offline durable, queue,
// durable queue member and offline durable queue shadow), in/out counters with the Go server's
// protobuf sizes, queue members' own last_sent, paging, the Go server's 404 texts, JSONP,
// isFTActive; the port is closed by stop(). HTTPS: StanMonitorTlsTest.
//

#include "Nats/Connection.h"
#include "Nats/StanConnection.h"
#include "Nats/StanServer.h"
#include "NatsServerProcess.h"
#include "StanServerFixture.h"
#include "TestUtil.h"
#include "util/HttpGet.h"
#include "server/MonitorSnapshot.h"
#include "protocol.pb.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <cppunit/extensions/HelperMacros.h>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace Nats;

namespace {

const Poco::Timespan WAIT(10, 0);

using Nats::Test::HttpAnswer;

HttpAnswer httpGet(int port, const std::string& pathAndQuery)
{
	Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
	return Nats::Test::httpGet(session, pathAndQuery, WAIT);
}

Poco::JSON::Object::Ptr parse(const std::string& body)
{
	Poco::JSON::Parser parser;
	return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

/// The keys of the flat object `name` in the JSON text `body`, in their order, space-separated
/// (Poco's parser does not keep the order).
std::string objectKeys(const std::string& body, const std::string& name)
{
	std::size_t pos = body.find("\"" + name + "\"");
	CPPUNIT_ASSERT_MESSAGE(body, pos != std::string::npos);
	pos = body.find('{', pos);
	const std::size_t end = body.find('}', pos);
	CPPUNIT_ASSERT_MESSAGE(body, pos != std::string::npos && end != std::string::npos);
	std::string keys;
	for (std::size_t q = body.find('"', pos); q != std::string::npos && q < end; q = body.find('"', q))
	{
		const std::size_t close = body.find('"', q + 1);
		if (!keys.empty()) keys += ' ';
		keys += body.substr(q + 1, close - q - 1);
		// past the value: the next key follows the next comma (the values are numbers)
		q = body.find(',', close);
		if (q == std::string::npos || q > end) break;
	}
	return keys;
}

std::vector<std::string> strings(const Poco::JSON::Array::Ptr& arr)
{
	std::vector<std::string> out;
	for (std::size_t i = 0; arr && i < arr->size(); ++i) out.push_back(arr->getElement<std::string>(static_cast<unsigned>(i)));
	return out;
}

} // namespace

class StanMonitorTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StanMonitorTest);
	CPPUNIT_TEST(testGoFormats);
	CPPUNIT_TEST(testOffByDefault);
	CPPUNIT_TEST(testPortInUse);
	CPPUNIT_TEST(testServerzAndStorez);
	CPPUNIT_TEST(testInOutCountersAreProtobufSizes);
	CPPUNIT_TEST(testQueueMemberLastSentAndOfflineStalled);
	CPPUNIT_TEST(testChannelSubscriptions);
	CPPUNIT_TEST(testPaging);
	CPPUNIT_TEST(testClientsz);
	CPPUNIT_TEST(testErrorsJsonpAndStop);
	CPPUNIT_TEST_SUITE_END();

public:
	void tearDown() override
	{
		_pFixture.reset();
	}

	void testGoFormats()
	{
		// Go's time.Time JSON (RFC 3339 with trailing zeros of the nanoseconds dropped) and the
		// Go server's uptime strings.
		CPPUNIT_ASSERT_EQUAL(std::string("2020-02-11T23:17:33.101243Z"), MonitorSnapshot::rfc3339Nano(1581463053101243000LL));
		CPPUNIT_ASSERT_EQUAL(std::string("2020-02-11T23:17:33Z"), MonitorSnapshot::rfc3339Nano(1581463053000000000LL));
		CPPUNIT_ASSERT_EQUAL(std::string("2020-02-11T23:17:33.000000001Z"), MonitorSnapshot::rfc3339Nano(1581463053000000001LL));
		const std::int64_t s = 1000000000LL;
		CPPUNIT_ASSERT_EQUAL(std::string("17s"), MonitorSnapshot::uptime(17 * s + 5));
		CPPUNIT_ASSERT_EQUAL(std::string("5m3s"), MonitorSnapshot::uptime(303 * s));
		CPPUNIT_ASSERT_EQUAL(std::string("2h0m1s"), MonitorSnapshot::uptime(7201 * s));
		CPPUNIT_ASSERT_EQUAL(std::string("3d1h0m0s"), MonitorSnapshot::uptime((3 * 86400 + 3600) * s));
		CPPUNIT_ASSERT_EQUAL(std::string("1y2d0h0m0s"), MonitorSnapshot::uptime(367 * 86400 * s));
	}

	void testOffByDefault()
	{
		CPPUNIT_ASSERT_EQUAL(0, StanServerOptions().httpPort);
		startFixture(0);
		CPPUNIT_ASSERT_EQUAL(0, _pFixture->stanServer()->monitorPort());
		StanServerOptions bad;
		bad.httpPort = -2;
		CPPUNIT_ASSERT_THROW(bad.validate(), Poco::InvalidArgumentException);
		bad.httpPort = 65536;
		CPPUNIT_ASSERT_THROW(bad.validate(), Poco::InvalidArgumentException);
	}

	void testPortInUse()
	{
		Test::skipIfExternal("starts its own streaming server with monitoring");
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
		Test::NatsServerProcess nats;
		nats.start();
		Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
		StanServerOptions o;
		o.natsUrl = nats.url();
		o.httpHost = "127.0.0.1";
		o.httpPort = taken.address().port();
		StanServer server(o);
		// As the Go server: a monitoring port that cannot be bound fails the start.
		CPPUNIT_ASSERT_THROW(server.start(), Poco::Net::NetException);
		CPPUNIT_ASSERT(!server.isRunning());
		CPPUNIT_ASSERT_EQUAL(0, server.monitorPort());
	}

	void testServerzAndStorez()
	{
		StanServerOptions o;
		o.maxMsgs = 500;
		o.maxBytes = 65536;
		o.maxChannels = 7;
		o.maxSubscriptions = 9;
		o.maxAge = Poco::Timespan(90, 0);
		startFixture(-1, o);
		auto a = connect("srvz-a");
		a->publish("srvz.one", "hello");
		a->publish("srvz.one", "hi");
		a->publish("srvz.two", "x");
		StanSubscription sub = a->subscribeSync("srvz.one", StanSubscriptionOptions().deliverAllAvailable().setManualAckMode());
		sub.nextMessage(WAIT);

		HttpAnswer ans = httpGet(port(), "/streaming/serverz");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(ans.body, 200, ans.status);
		CPPUNIT_ASSERT_EQUAL(std::string("application/json"), ans.contentType);
		CPPUNIT_ASSERT_EQUAL(std::string("*"), ans.cors);
		Poco::JSON::Object::Ptr z = parse(ans.body);
		CPPUNIT_ASSERT_EQUAL(_pFixture->clusterId(), z->getValue<std::string>("cluster_id"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(22), z->getValue<std::string>("server_id").size()); // a NUID
		CPPUNIT_ASSERT_EQUAL(std::string("STANDALONE"), z->getValue<std::string>("state"));
		CPPUNIT_ASSERT(!z->getValue<std::string>("version").empty());
		CPPUNIT_ASSERT(!z->getValue<std::string>("uptime").empty());
		CPPUNIT_ASSERT(z->getValue<std::string>("now").back() == 'Z');
		CPPUNIT_ASSERT(z->getValue<std::string>("start_time") <= z->getValue<std::string>("now"));
		CPPUNIT_ASSERT_EQUAL(1, z->getValue<int>("clients"));
		CPPUNIT_ASSERT_EQUAL(1, z->getValue<int>("subscriptions"));
		CPPUNIT_ASSERT_EQUAL(2, z->getValue<int>("channels"));
		CPPUNIT_ASSERT_EQUAL(3, z->getValue<int>("total_msgs"));
		StanChannelInfo one, two;
		CPPUNIT_ASSERT(_pFixture->stanServer()->channelInfo("srvz.one", one));
		CPPUNIT_ASSERT(_pFixture->stanServer()->channelInfo("srvz.two", two));
		CPPUNIT_ASSERT_EQUAL(one.bytes + two.bytes, z->getValue<std::uint64_t>("total_bytes"));
		CPPUNIT_ASSERT_EQUAL(3, z->getValue<int>("in_msgs"));
		CPPUNIT_ASSERT_EQUAL(2, z->getValue<int>("out_msgs")); // both messages of srvz.one sent (inflight)
		CPPUNIT_ASSERT(z->getValue<int>("open_fds") > 0);

		const std::string storez = httpGet(port(), "/streaming/storez").body;
		Poco::JSON::Object::Ptr st = parse(storez);
		CPPUNIT_ASSERT_EQUAL(std::string("MEMORY"), st->getValue<std::string>("type"));
		Poco::JSON::Object::Ptr lim = st->getObject("limits");
		CPPUNIT_ASSERT_EQUAL(7, lim->getValue<int>("max_channels"));
		CPPUNIT_ASSERT_EQUAL(500, lim->getValue<int>("max_msgs"));
		CPPUNIT_ASSERT_EQUAL(65536, lim->getValue<int>("max_bytes"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(90000000000LL), lim->getValue<std::int64_t>("max_age")); // Go duration: ns
		CPPUNIT_ASSERT_EQUAL(9, lim->getValue<int>("max_subscriptions"));
		// The Go server's limits object is stores.StoreLimits (nats-streaming-server
		// stores/store.go): MaxChannels "max_channels", the embedded ChannelLimits flattened
		// (MsgStoreLimits "max_msgs", "max_bytes", "max_age"; SubStoreLimits "max_subscriptions";
		// then MaxInactivity), PerChannel "channels,omitempty". Without MaxInactivity and
		// per-channel limits (this server has neither) both are left out. MaxInactivity as
		// omitempty is not verified (see MonitorSnapshot::storezJson).
		CPPUNIT_ASSERT(!lim->has("max_inactivity"));
		CPPUNIT_ASSERT(!lim->has("channels"));
		CPPUNIT_ASSERT_EQUAL(std::string("max_channels max_msgs max_bytes max_age max_subscriptions"), objectKeys(storez, "limits"));
		CPPUNIT_ASSERT_EQUAL(3, st->getValue<int>("total_msgs"));
		CPPUNIT_ASSERT_EQUAL(one.bytes + two.bytes, st->getValue<std::uint64_t>("total_bytes"));
		sub.close();
	}

	void testInOutCountersAreProtobufSizes()
	{
		// Go server (server.go): processClientPublish counts every message on the publish subject
		// with len(m.Data), the PubMsg protobuf, before validating it; sendMsgToSub counts each
		// MsgProto sent, redeliveries included, with the size of the marshaled MsgProto (PR #976:
		// "the bytes received (a PubMsg protobuf) and sent (a MsgProto protobuf)").
		startFixture(-1);
		const std::string pubSubject = "_STAN.pub." + _pFixture->clusterId() + ".io.one";
		Options ro;
		ro.servers = {_pFixture->natsUrl()};
		Connection raw(ro);
		raw.connect();
		Subscription spy = raw.subscribeSync("_STAN.pub." + _pFixture->clusterId() + ".>");
		raw.flush(WAIT);

		auto a = connect("io-a");
		a->publish("io.one", "hello");
		a->publish("io.one", std::string(300, 'x'));
		natsstan::PubMsg stranger; // parses, but from no registered client: refused, yet counted
		stranger.set_clientid("nobody");
		stranger.set_guid("g-1");
		stranger.set_subject("io.one");
		stranger.set_data("zz");
		natsstan::PubAck refused;
		CPPUNIT_ASSERT(refused.ParseFromString(raw.request(pubSubject, stranger.SerializeAsString(), WAIT).data()));
		CPPUNIT_ASSERT(!refused.error().empty());
		std::uint64_t inBytes = 0;
		for (int i = 0; i < 3; ++i) inBytes += spy.nextMessage(WAIT).data().size();

		// Two deliveries, then the same two redelivered to the resumed durable.
		std::uint64_t outBytes = 0;
		auto sizeOf = [](const StanMessage& m) {
			natsstan::MsgProto p;
			p.set_sequence(m.sequence());
			p.set_subject(m.channel());
			p.set_data(m.data());
			p.set_timestamp(m.timestamp());
			p.set_redelivered(m.isRedelivered());
			p.set_redeliverycount(m.redeliveryCount());
			return static_cast<std::uint64_t>(p.ByteSizeLong());
		};
		using SO = StanSubscriptionOptions;
		{
			StanSubscription d = a->subscribeSync("io.one", SO().deliverAllAvailable().setDurableName("d").setManualAckMode());
			for (int i = 0; i < 2; ++i) outBytes += sizeOf(d.nextMessage(WAIT));
			d.close();
		}
		StanSubscription d = a->subscribeSync("io.one", SO().deliverAllAvailable().setDurableName("d").setManualAckMode());
		for (int i = 0; i < 2; ++i)
		{
			StanMessage m = d.nextMessage(WAIT);
			CPPUNIT_ASSERT(m.isRedelivered());
			outBytes += sizeOf(m);
			d.ack(m);
		}

		Poco::JSON::Object::Ptr z = parse(httpGet(port(), "/streaming/serverz").body);
		CPPUNIT_ASSERT_EQUAL(3, z->getValue<int>("in_msgs"));
		CPPUNIT_ASSERT_EQUAL(inBytes, z->getValue<std::uint64_t>("in_bytes"));
		CPPUNIT_ASSERT_EQUAL(4, z->getValue<int>("out_msgs"));
		CPPUNIT_ASSERT_EQUAL(outBytes, z->getValue<std::uint64_t>("out_bytes"));
		d.close();
	}

	void testQueueMemberLastSentAndOfflineStalled()
	{
		startFixture(-1);
		auto a = connect("lq-a");
		auto b = connect("lq-b");
		const std::string ch = "lq.orders";
		using SO = StanSubscriptionOptions;
		StanSubscription qa = a->queueSubscribeSync(ch, "w", SO().setManualAckMode());
		for (int i = 1; i <= 5; ++i) a->publish(ch, "m" + std::to_string(i));
		for (int i = 0; i < 5; ++i) qa.ack(qa.nextMessage(WAIT));
		auto ofClient = [](const std::string& id) {
			return [id](const Poco::JSON::Object::Ptr& s) { return s->getValue<std::string>("client_id") == id; };
		};
		CPPUNIT_ASSERT(Test::waitFor([&] { return subOf(ch, ofClient("lq-a"))->getValue<int>("pending_count") == 0; }, WAIT));
		CPPUNIT_ASSERT_EQUAL(5, subOf(ch, ofClient("lq-a"))->getValue<int>("last_sent"));
		// Go server (server.go, processSub): a member joining an existing group is created with
		// setStartPos false, so its LastSent is 0 until it is sent a message.
		StanSubscription qb = b->queueSubscribeSync(ch, "w", SO().setManualAckMode());
		CPPUNIT_ASSERT_EQUAL(0, subOf(ch, ofClient("lq-b"))->getValue<int>("last_sent"));
		// Go server (subStore.Remove): the member leaving with the group's last sent message
		// (and nothing pending to hand over) passes that LastSent to the first remaining member.
		qa.close();
		CPPUNIT_ASSERT_EQUAL(5, subOf(ch, ofClient("lq-b"))->getValue<int>("last_sent"));

		// Go server (subStore.Remove): a durable going offline keeps its stalled flag.
		StanSubscription dur = b->subscribeSync(ch, SO().deliverAllAvailable().setDurableName("st").setManualAckMode().setMaxInflight(2));
		dur.nextMessage(WAIT);
		dur.nextMessage(WAIT);
		auto isDurable = [](const Poco::JSON::Object::Ptr& s) { return s->optValue<std::string>("durable_name", "") == "st"; };
		CPPUNIT_ASSERT(subOf(ch, isDurable)->getValue<bool>("is_stalled"));
		dur.close();
		Poco::JSON::Object::Ptr offline = subOf(ch, isDurable);
		CPPUNIT_ASSERT(offline->getValue<bool>("is_offline"));
		CPPUNIT_ASSERT(offline->getValue<bool>("is_stalled"));
		CPPUNIT_ASSERT_EQUAL(2, offline->getValue<int>("pending_count"));
		qb.close();
	}

	void testChannelSubscriptions()
	{
		startFixture(-1);
		auto a = connect("mon-a");
		auto b = connect("mon-b");
		const std::string ch = "mon.orders";
		for (int i = 1; i <= 10; ++i) a->publish(ch, "m" + std::to_string(i));
		using SO = StanSubscriptionOptions;
		// Nothing is acked below but "gone": pending counts and last_sent are exact, because the
		// server delivers inside the subscribe handler, under the lock the endpoint takes.
		StanSubscription plain = a->subscribeSync(ch, SO().deliverAllAvailable().setManualAckMode().setMaxInflight(4).setAckWait(Poco::Timespan(7, 0)));
		StanSubscription billing = b->subscribeSync(ch, SO().startAtSequence(5).setDurableName("billing").setManualAckMode().setMaxInflight(3));
		StanSubscription workers = a->queueSubscribeSync(ch, "workers", SO().deliverAllAvailable().setManualAckMode().setMaxInflight(100));
		StanSubscription dq = b->queueSubscribeSync(ch, "grp", SO().deliverAllAvailable().setDurableName("dq").setManualAckMode().setMaxInflight(2));
		std::string goneInbox, goneAckInbox;
		{
			StanSubscription gone = a->subscribeSync(ch, SO().deliverAllAvailable().setDurableName("gone").setManualAckMode());
			for (int i = 0; i < 10; ++i) gone.ack(gone.nextMessage(WAIT));
			Poco::JSON::Object::Ptr online = subOf(ch, [](const Poco::JSON::Object::Ptr& s) { return s->optValue<std::string>("durable_name", "") == "gone"; });
			CPPUNIT_ASSERT(!online->getValue<bool>("is_offline"));
			goneInbox = online->getValue<std::string>("inbox");
			goneAckInbox = online->getValue<std::string>("ack_inbox");
			gone.close(); // acks are flushed before the close request: nothing pending
		}
		{
			StanSubscription dq2 = b->queueSubscribeSync(ch, "grp2", SO().deliverAllAvailable().setDurableName("dq2").setManualAckMode().setMaxInflight(5));
			dq2.nextMessage(WAIT);
			dq2.close(); // last member: the group stays as an offline shadow with its 5 pending
		}
		CPPUNIT_ASSERT_EQUAL(10, subOf(ch, isQueue("workers"))->getValue<int>("last_sent"));

		HttpAnswer ans = httpGet(port(), "/streaming/channelsz?channel=" + ch + "&subs=1");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(ans.body, 200, ans.status);
		Poco::JSON::Object::Ptr c = parse(ans.body);
		StanChannelInfo info;
		CPPUNIT_ASSERT(_pFixture->stanServer()->channelInfo(ch, info));
		CPPUNIT_ASSERT_EQUAL(ch, c->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL(10, c->getValue<int>("msgs"));
		CPPUNIT_ASSERT_EQUAL(info.bytes, c->getValue<std::uint64_t>("bytes"));
		CPPUNIT_ASSERT_EQUAL(1, c->getValue<int>("first_seq"));
		CPPUNIT_ASSERT_EQUAL(10, c->getValue<int>("last_seq"));
		Poco::JSON::Array::Ptr subs = c->getArray("subscriptions");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(ans.body, std::size_t(6), subs->size());
		// The Go server's order: active non-queue, offline durables, groups (members, shadow).
		std::vector<std::string> order;
		for (std::size_t i = 0; i < subs->size(); ++i)
		{
			Poco::JSON::Object::Ptr s = subs->getObject(static_cast<unsigned>(i));
			order.push_back(s->optValue<std::string>("durable_name", "") + "|" + s->optValue<std::string>("queue_name", ""));
		}
		CPPUNIT_ASSERT(order == std::vector<std::string>({"|", "billing|", "gone|", "|dq2:grp2", "|dq:grp", "|workers"}));

		auto check = [&](std::size_t i, const std::string& client, bool durable, bool offline, int maxInflight, int ackWait, int lastSent, int pendingCount, bool stalled) {
			Poco::JSON::Object::Ptr s = subs->getObject(static_cast<unsigned>(i));
			const std::string what = ans.body + " #" + std::to_string(i);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, client, s->getValue<std::string>("client_id"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, durable, s->getValue<bool>("is_durable"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, offline, s->getValue<bool>("is_offline"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, maxInflight, s->getValue<int>("max_inflight"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, ackWait, s->getValue<int>("ack_wait"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, lastSent, s->getValue<int>("last_sent"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, pendingCount, s->getValue<int>("pending_count"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, stalled, s->getValue<bool>("is_stalled"));
			CPPUNIT_ASSERT_MESSAGE(what, s->getValue<std::string>("inbox").rfind("_INBOX.", 0) == 0);
			CPPUNIT_ASSERT_MESSAGE(what, !s->getValue<std::string>("ack_inbox").empty());
		};
		check(0, "mon-a", false, false, 4, 7, 4, 4, true);       // plain
		check(1, "mon-b", true, false, 3, 30, 7, 3, true);       // durable from seq 5
		check(2, "mon-a", true, true, 1024, 30, 10, 0, false);   // offline durable, all acked
		check(3, "mon-b", true, true, 5, 30, 5, 5, true);        // shadow of dq2:grp2, stalled as it left
		check(4, "mon-b", true, false, 2, 30, 2, 2, true);       // durable queue member
		check(5, "mon-a", false, false, 100, 30, 10, 10, false); // queue member
		// An offline durable keeps the inboxes it had, as in the Go server.
		CPPUNIT_ASSERT_EQUAL(goneInbox, subs->getObject(2)->getValue<std::string>("inbox"));
		CPPUNIT_ASSERT_EQUAL(goneAckInbox, subs->getObject(2)->getValue<std::string>("ack_inbox"));
		// Durable queue groups: the durable name is in queue_name only (the server clears it).
		CPPUNIT_ASSERT(!subs->getObject(4)->has("durable_name"));
		CPPUNIT_ASSERT(!subs->getObject(0)->has("queue_name"));

		// Without subs=1: the channel alone, byte for byte as Go's json.MarshalIndent.
		const std::string expected = "{\n  \"name\": \"" + ch + "\",\n  \"msgs\": 10,\n  \"bytes\": " + std::to_string(info.bytes) +
			",\n  \"first_seq\": 1,\n  \"last_seq\": 10\n}";
		CPPUNIT_ASSERT_EQUAL(expected, httpGet(port(), "/streaming/channelsz?channel=" + ch).body);
		// The list with subs=1 carries the same subscriptions.
		Poco::JSON::Object::Ptr list = parse(httpGet(port(), "/streaming/channelsz?subs=1").body);
		CPPUNIT_ASSERT(!list->has("names"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(6), list->getArray("channels")->getObject(0)->getArray("subscriptions")->size());
		// serverz counts stored subscriptions, offline ones included, as StanServer does.
		CPPUNIT_ASSERT_EQUAL(6, parse(httpGet(port(), "/streaming/serverz").body)->getValue<int>("subscriptions"));
		plain.close();
		billing.close();
		workers.close();
		dq.close();
	}

	void testPaging()
	{
		startFixture(-1);
		auto a = connect("page-a");
		for (const char* ch: {"p3", "p1", "p5", "p2", "p4"}) a->publish(ch, "x");
		Poco::JSON::Object::Ptr p = parse(httpGet(port(), "/streaming/channelsz?limit=2&offset=1").body);
		CPPUNIT_ASSERT(strings(p->getArray("names")) == std::vector<std::string>({"p2", "p3"}));
		CPPUNIT_ASSERT_EQUAL(1, p->getValue<int>("offset"));
		CPPUNIT_ASSERT_EQUAL(2, p->getValue<int>("limit"));
		CPPUNIT_ASSERT_EQUAL(2, p->getValue<int>("count"));
		CPPUNIT_ASSERT_EQUAL(5, p->getValue<int>("total"));
		p = parse(httpGet(port(), "/streaming/channelsz?offset=4").body);
		CPPUNIT_ASSERT(strings(p->getArray("names")) == std::vector<std::string>({"p5"}));
		CPPUNIT_ASSERT_EQUAL(1024, p->getValue<int>("limit")); // the default
		p = parse(httpGet(port(), "/streaming/channelsz?offset=9&limit=abc").body);
		CPPUNIT_ASSERT_EQUAL(0, p->getValue<int>("count"));
		CPPUNIT_ASSERT_EQUAL(1024, p->getValue<int>("limit"));
		CPPUNIT_ASSERT(!p->has("names")); // omitempty
		p = parse(httpGet(port(), "/streaming/channelsz?subs=1&limit=2").body);
		Poco::JSON::Array::Ptr chans = p->getArray("channels");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), chans->size());
		CPPUNIT_ASSERT_EQUAL(std::string("p1"), chans->getObject(0)->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL(1, chans->getObject(0)->getValue<int>("last_seq"));
		CPPUNIT_ASSERT(!chans->getObject(0)->has("subscriptions")); // none: omitempty

		auto b = connect("page-c");
		auto c = connect("page-b");
		p = parse(httpGet(port(), "/streaming/clientsz?offset=1&limit=1").body);
		CPPUNIT_ASSERT_EQUAL(3, p->getValue<int>("total"));
		CPPUNIT_ASSERT_EQUAL(1, p->getValue<int>("count"));
		CPPUNIT_ASSERT_EQUAL(std::string("page-b"), p->getArray("clients")->getObject(0)->getValue<std::string>("id"));
		p = parse(httpGet(port(), "/streaming/clientsz?offset=5").body);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), p->getArray("clients")->size()); // [] (not omitempty)
	}

	void testClientsz()
	{
		startFixture(-1);
		auto a = connect("cl-a");
		auto b = connect("cl-b");
		StanSubscription s1 = a->subscribeSync("cl.one", StanSubscriptionOptions().setManualAckMode());
		StanSubscription s2 = a->subscribeSync("cl.two", StanSubscriptionOptions().setDurableName("d2"));
		StanSubscription s3 = a->queueSubscribeSync("cl.two", "g");
		Poco::JSON::Object::Ptr one = parse(httpGet(port(), "/streaming/clientsz?client=cl-a&subs=1").body);
		CPPUNIT_ASSERT_EQUAL(std::string("cl-a"), one->getValue<std::string>("id"));
		CPPUNIT_ASSERT(one->getValue<std::string>("hb_inbox").rfind("_INBOX.", 0) == 0);
		Poco::JSON::Object::Ptr subs = one->getObject("subscriptions");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), subs->getArray("cl.one")->size());
		Poco::JSON::Array::Ptr two = subs->getArray("cl.two");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), two->size());
		CPPUNIT_ASSERT_EQUAL(std::string("d2"), two->getObject(0)->getValue<std::string>("durable_name"));
		CPPUNIT_ASSERT_EQUAL(std::string("g"), two->getObject(1)->getValue<std::string>("queue_name"));
		CPPUNIT_ASSERT_EQUAL(std::string("cl-a"), two->getObject(1)->getValue<std::string>("client_id"));
		// Without subs=1, and a client without subscriptions: no "subscriptions" (omitempty).
		CPPUNIT_ASSERT(!parse(httpGet(port(), "/streaming/clientsz?client=cl-a").body)->has("subscriptions"));
		CPPUNIT_ASSERT(!parse(httpGet(port(), "/streaming/clientsz?client=cl-b&subs=1").body)->has("subscriptions"));
		// The list, sorted by client ID, with subscriptions.
		Poco::JSON::Object::Ptr list = parse(httpGet(port(), "/streaming/clientsz?subs=1").body);
		Poco::JSON::Array::Ptr clients = list->getArray("clients");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), clients->size());
		CPPUNIT_ASSERT_EQUAL(std::string("cl-a"), clients->getObject(0)->getValue<std::string>("id"));
		CPPUNIT_ASSERT(clients->getObject(0)->getObject("subscriptions")->has("cl.two"));
		CPPUNIT_ASSERT_EQUAL(std::string("cl-b"), clients->getObject(1)->getValue<std::string>("id"));
		HttpAnswer missing = httpGet(port(), "/streaming/clientsz?client=nobody");
		CPPUNIT_ASSERT_EQUAL(404, missing.status);
		CPPUNIT_ASSERT_EQUAL(std::string("Client nobody not found\n"), missing.body);
		s1.close();
		s2.close();
		s3.close();
	}

	void testErrorsJsonpAndStop()
	{
		startFixture(-1);
		// The Go server's answer to an unknown channel: 404 and http.Error's text.
		HttpAnswer nope = httpGet(port(), "/streaming/channelsz?channel=nope");
		CPPUNIT_ASSERT_EQUAL(404, nope.status);
		CPPUNIT_ASSERT_EQUAL(std::string("Not Found"), nope.reason);
		CPPUNIT_ASSERT_EQUAL(std::string("Channel nope not found\n"), nope.body);
		CPPUNIT_ASSERT_EQUAL(std::string("text/plain; charset=utf-8"), nope.contentType);
		CPPUNIT_ASSERT_EQUAL(404, httpGet(port(), "/streaming/nothing").status);
		CPPUNIT_ASSERT_EQUAL(204, httpGet(port(), "/streaming/isFTActive").status);
		HttpAnswer root = httpGet(port(), "/streaming");
		CPPUNIT_ASSERT_EQUAL(200, root.status);
		CPPUNIT_ASSERT(root.body.find("/streaming/channelsz") != std::string::npos);
		HttpAnswer jsonp = httpGet(port(), "/streaming/storez?callback=cb");
		CPPUNIT_ASSERT_EQUAL(std::string("application/javascript"), jsonp.contentType);
		CPPUNIT_ASSERT(jsonp.body.rfind("cb({", 0) == 0);
		CPPUNIT_ASSERT(jsonp.body.back() == ')');
		const int p = port();
		_pFixture->stopStan();
		CPPUNIT_ASSERT(!Test::portOpen(p));
	}

private:
	void startFixture(int httpPort, StanServerOptions o = StanServerOptions())
	{
		Test::skipIfExternal("starts its own streaming server with monitoring");
		if (!Test::NatsServerProcess::available()) Test::skip("nats-server not installed");
		o.httpPort = httpPort;
		o.httpHost = "127.0.0.1";
		_pFixture.reset(new Test::StanServerFixture(o));
	}

	int port() const
	{
		return _pFixture->stanServer()->monitorPort();
	}

	std::unique_ptr<StanConnection> connect(const std::string& clientId)
	{
		StanOptions so;
		so.natsUrl = _pFixture->natsUrl();
		auto c = std::make_unique<StanConnection>(_pFixture->clusterId(), clientId, so);
		c->connect();
		return c;
	}

	static std::function<bool(const Poco::JSON::Object::Ptr&)> isQueue(const std::string& name)
	{
		return [name](const Poco::JSON::Object::Ptr& s) { return s->optValue<std::string>("queue_name", "") == name; };
	}

	/// The first subscription of `channel` (channelsz?channel=&subs=1) that `pred` accepts.
	Poco::JSON::Object::Ptr subOf(const std::string& channel, const std::function<bool(const Poco::JSON::Object::Ptr&)>& pred)
	{
		Poco::JSON::Object::Ptr c = parse(httpGet(port(), "/streaming/channelsz?channel=" + channel + "&subs=1").body);
		Poco::JSON::Array::Ptr subs = c->getArray("subscriptions");
		for (std::size_t i = 0; subs && i < subs->size(); ++i)
		{
			Poco::JSON::Object::Ptr s = subs->getObject(static_cast<unsigned>(i));
			if (pred(s)) return s;
		}
		CPPUNIT_FAIL("no such subscription on " + channel);
		return nullptr;
	}

	std::unique_ptr<Test::StanServerFixture> _pFixture;
};

CPPUNIT_TEST_SUITE_REGISTRATION(StanMonitorTest);
