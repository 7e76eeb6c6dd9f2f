//
// FuzzSeeds.cpp
//
// Writes the seed corpora of the fuzz targets: fuzz-seeds <dir> creates <dir>/<target>/<name>.
// Run by hand when a target's input format changes; the output is committed under
// test/fuzz/corpus/.
//

#include "protocol/StanCodec.h"
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>

using Nats::StanCodec;

namespace {

std::string root;

void seed(const std::string& target, const std::string& name, const std::string& bytes)
{
	::mkdir((root + "/" + target).c_str(), 0755);
	std::ofstream out(root + "/" + target + "/" + name, std::ios::binary);
	out << bytes;
}

std::string byte(int b)
{
	return std::string(1, static_cast<char>(b));
}

std::string u64(std::uint64_t v)
{
	return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

std::string z()
{
	return std::string(1, '\0');
}

void parserSeeds()
{
	const char* t = "parser";
	seed(t, "info", byte(0) + "INFO {\"server_id\":\"x\",\"max_payload\":1048576,\"proto\":1,\"connect_urls\":[\"127.0.0.1:4223\"]}\r\n");
	seed(t, "msg", byte(7) + "MSG foo.bar 12 5\r\nhello\r\n");
	seed(t, "msg-reply", byte(20) + "MSG foo 1 _INBOX.abc 3\r\nabc\r\nMSG foo 1 0\r\n\r\n");
	seed(t, "hmsg", byte(33) + "HMSG foo 2 18 23\r\nNATS/1.0\r\nA: b\r\n\r\nhello\r\n");
	seed(t, "hmsg-status", byte(9) + "HMSG _INBOX.x.1 3 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
	seed(t, "ping-pong-ok", byte(3) + "PING\r\nPONG\r\n+OK\r\n");
	seed(t, "err", byte(5) + "-ERR 'Authorization Violation'\r\n");
	seed(t, "lowercase", byte(2) + "msg foo 1 1\r\nx\r\nping\r\n");
	seed(t, "bad-len", byte(4) + "MSG foo 1 -1\r\n");
	seed(t, "payload-crlf", byte(11) + "MSG a 1 4\r\n\r\n\r\n\r\n");
}

void codecSeeds()
{
	const char* t = "stan-codec";
	// decoders: 0 MsgProto, 1 PubAck, 2 PingResponse, 3 ConnectResponse, 4 SubscriptionResponse, 5 CloseResponse
	std::string msg;
	StanCodec::appendVarintField(msg, 1, 42);
	StanCodec::appendBytesField(msg, 2, "foo", 3);
	StanCodec::appendBytesField(msg, 4, "hello", 5);
	StanCodec::appendVarintField(msg, 5, 1700000000000000000ULL);
	StanCodec::appendVarintField(msg, 6, 1);
	StanCodec::appendVarintField(msg, 7, 3);
	seed(t, "msgproto", byte(0) + msg);
	std::string ack;
	StanCodec::appendBytesField(ack, 1, "guid1", 5);
	StanCodec::appendBytesField(ack, 2, "stan: invalid publish request", 29);
	seed(t, "puback", byte(1) + ack);
	std::string ping;
	StanCodec::appendBytesField(ping, 1, "client has been replaced or is no longer registered", 51);
	seed(t, "pingresponse", byte(2) + ping);
	std::string cr;
	StanCodec::appendBytesField(cr, 1, "_STAN.pub.x", 11);
	StanCodec::appendBytesField(cr, 2, "_STAN.sub.x", 11);
	StanCodec::appendBytesField(cr, 3, "_STAN.unsub.x", 13);
	StanCodec::appendBytesField(cr, 4, "_STAN.close.x", 13);
	StanCodec::appendBytesField(cr, 6, "_STAN.subclose.x", 16);
	StanCodec::appendBytesField(cr, 7, "_STAN.discover.x.pings", 22);
	StanCodec::appendVarintField(cr, 8, 5);
	StanCodec::appendVarintField(cr, 9, 88);
	StanCodec::appendVarintField(cr, 10, 1);
	seed(t, "connectresponse", byte(3) + cr);
	std::string sr;
	StanCodec::appendBytesField(sr, 2, "_INBOX.ack", 10);
	seed(t, "subresponse", byte(4) + sr);
	seed(t, "closeresponse", byte(5) + std::string());
	// encoders: 6 PubMsg, 7 Ack, 8 Ping, 9 ConnectRequest, 10 SubscriptionRequest, 11 Unsubscribe, 12 Close, 13 redelivered
	seed(t, "pubmsg", byte(6) + "client" + z() + "guid" + z() + "foo" + z() + "data" + z() + "conn");
	seed(t, "ack", byte(7) + "foo" + z() + u64(7));
	seed(t, "ping", byte(8) + "connid");
	seed(t, "connectrequest", byte(9) + "client" + z() + "_INBOX.hb" + z() + "conn" + z() + u64(0x0000005800000501ULL));
	seed(t, "subrequest", byte(10) + "client" + z() + "foo" + z() + "q" + z() + "_INBOX.x" + z() + "dur" + z() + u64(0x00000003001e0400ULL));
	seed(t, "unsubrequest", byte(11) + "client" + z() + "foo" + z() + "_INBOX.ack" + z() + "dur");
	seed(t, "closerequest", byte(12) + "client");
	seed(t, "redelivered", byte(13) + u64(0x0000000200000009ULL) + z() + "payload");
}

void serverSeeds()
{
	const char* t = "server-handlers";
	// byte 0: 0 connect, 1 publish, 2 subscribe, 3 unsubscribe, 4 subscription close, 5 close,
	// 6 ack, 7 ping; byte 1: channel of a publish (0 "fz", 1 "fz.a", 2 "other", 3 "FZ", 4 "a.b.c")
	Nats::StanConnectRequest c;
	c.clientID = "other-client";
	c.heartbeatInbox = "_INBOX.fuzzreply.hb2";
	c.protocol = 1;
	c.connID = "otherconn";
	c.pingInterval = 5;
	c.pingMaxOut = 88;
	seed(t, "connect", byte(0) + byte(0) + StanCodec::encodeConnectRequest(c));
	c.clientID = "fuzz";
	seed(t, "connect-duplicate", byte(0) + byte(0) + StanCodec::encodeConnectRequest(c));
	c.clientID = "bad id";
	seed(t, "connect-bad-id", byte(0) + byte(0) + StanCodec::encodeConnectRequest(c));
	c.clientID = "x";
	c.heartbeatInbox.clear();
	seed(t, "connect-no-hb", byte(0) + byte(0) + StanCodec::encodeConnectRequest(c));
	seed(t, "connect-garbage", byte(0) + byte(0) + "\xff\xff\xff");
	for (int ch = 0; ch < 5; ++ch)
	{
		std::string pub;
		const char* names[] = {"fz", "fz.a", "other", "FZ", "a.b.c"};
		StanCodec::encodePubMsg(pub, "fuzz", "guid" + std::to_string(ch), names[ch], "hello", 5, "fuzzconn");
		seed(t, "publish-" + std::to_string(ch), byte(1) + byte(ch) + pub);
	}
	std::string badPub;
	StanCodec::encodePubMsg(badPub, "fuzz", "", "fz", "x", 1, "fuzzconn");
	seed(t, "publish-no-guid", byte(1) + byte(0) + badPub);
	std::string unknownPub;
	StanCodec::encodePubMsg(unknownPub, "nobody", "g", "fz", "x", 1, "nope");
	seed(t, "publish-unknown-client", byte(1) + byte(0) + unknownPub);
	Nats::StanSubscriptionRequest s;
	s.clientID = "fuzz";
	s.subject = "fz";
	s.inbox = "_INBOX.fuzzreply.s1";
	s.maxInFlight = 10;
	s.ackWaitInSecs = 1;
	for (int pos = 0; pos <= 4; ++pos)
	{
		s.startPosition = pos;
		s.startSequence = 1;
		s.startTimeDelta = 1000000000;
		seed(t, "subscribe-start-" + std::to_string(pos), byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	}
	s.startPosition = 4;
	s.durableName = "dur";
	seed(t, "subscribe-durable", byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	s.qGroup = "q";
	seed(t, "subscribe-durable-queue", byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	s.durableName = "a:b";
	seed(t, "subscribe-durable-queue-colon", byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	s.durableName.clear();
	seed(t, "subscribe-queue", byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	s.qGroup.clear();
	s.ackWaitInSecs = 0;
	seed(t, "subscribe-bad-ackwait", byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	s.ackWaitInSecs = 30;
	s.maxInFlight = 0;
	seed(t, "subscribe-bad-inflight", byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	s.maxInFlight = 1;
	s.startPosition = 9;
	seed(t, "subscribe-bad-start", byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	s.startPosition = 0;
	s.subject = "fz.*";
	seed(t, "subscribe-wildcard", byte(2) + byte(0) + StanCodec::encodeSubscriptionRequest(s));
	Nats::StanUnsubscribeRequest u;
	u.clientID = "fuzz";
	u.subject = "fz";
	u.inbox = "_INBOX.fuzzsub";
	seed(t, "unsubscribe", byte(3) + byte(0) + StanCodec::encodeUnsubscribeRequest(u));
	seed(t, "subclose", byte(4) + byte(0) + StanCodec::encodeUnsubscribeRequest(u));
	u.durableName = "dur";
	u.inbox = "_INBOX.fuzzreply.s1";
	seed(t, "unsubscribe-durable", byte(3) + byte(0) + StanCodec::encodeUnsubscribeRequest(u));
	u.subject = "nochannel";
	seed(t, "unsubscribe-unknown-channel", byte(3) + byte(0) + StanCodec::encodeUnsubscribeRequest(u));
	seed(t, "close-other", byte(5) + byte(0) + StanCodec::encodeCloseRequest("other-client"));
	seed(t, "close-fuzz", byte(5) + byte(0) + StanCodec::encodeCloseRequest("fuzz"));
	seed(t, "close-unknown", byte(5) + byte(0) + StanCodec::encodeCloseRequest("nobody"));
	for (int seq = 1; seq <= 3; ++seq)
	{
		std::string a;
		StanCodec::encodeAck(a, "fz", static_cast<std::uint64_t>(seq));
		seed(t, "ack-" + std::to_string(seq), byte(6) + byte(0) + a);
	}
	std::string wrongAck;
	StanCodec::encodeAck(wrongAck, "other", 1);
	seed(t, "ack-wrong-channel", byte(6) + byte(0) + wrongAck);
	seed(t, "ping", byte(7) + byte(0) + StanCodec::encodePing("fuzzconn"));
	seed(t, "ping-unknown", byte(7) + byte(0) + StanCodec::encodePing("nope"));
}

void poolSeeds()
{
	const char* t = "server-pool";
	seed(t, "one", "nats://127.0.0.1:4222");
	seed(t, "several", "nats://a:1,tls://b:2,c:3,d");
	seed(t, "credentials", "nats://user:pass@host:4222,nats://token@host2");
	seed(t, "ipv6", "nats://[::1]:4222,[fe80::1]");
	seed(t, "discovered", "nats://127.0.0.1:4222" + z() + "127.0.0.1:4223,127.0.0.1:4224,[::1]:5");
	seed(t, "bad", "http://x:1,nats://:1,nats://h:0,nats://h:99999,nats://h:1/path, nats://a b");
	seed(t, "slash", "nats://host:4222/");
}

void toolSeeds()
{
	const char* t = "tool-flags";
	seed(t, "stan-pub", "-s" + z() + "nats://127.0.0.1:4222" + z() + "-c=test-cluster" + z() + "--id" + z() + "me" + z() + "-a" + z() + "foo" + z() + "hello");
	seed(t, "stan-sub", "--all" + z() + "--durable=d" + z() + "-qgroup" + z() + "q" + z() + "--" + z() + "-notaflag");
	seed(t, "stan-bench", "-np" + z() + "2" + z() + "-ns" + z() + "1" + z() + "-n" + z() + "1000" + z() + "-ms" + z() + "16" + z() + "-mpa" + z() + "10" + z() + "-sync" + z() + "chan");
	seed(t, "stan-bench-bad", "-n" + z() + "99999999999999999999" + z() + "-ms" + z() + "x" + z() + "-np");
	seed(t, "help", "-h");
}

} // namespace

int main(int argc, char** argv)
{
	if (argc != 2)
	{
		std::fprintf(stderr, "usage: fuzz-seeds <corpus-dir>\n");
		return 2;
	}
	root = argv[1];
	::mkdir(root.c_str(), 0755);
	parserSeeds();
	codecSeeds();
	serverSeeds();
	poolSeeds();
	toolSeeds();
	return 0;
}
