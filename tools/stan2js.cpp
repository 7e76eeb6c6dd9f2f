//
// stan2js.cpp
//
// Library: Nats
// Package: Tools
// Module:  stan2js
//
// Copies NATS Streaming channels into JetStream streams, in sequence order, with the original
// sequence and timestamp in headers; creates the durable consumers it is told about.
//
//   stan2js [-s urls] [-c cluster] [-id client] [-js urls] [-prefix P] [-replicas N] [-memory]
//           [-durable channel:clientID:durable:lastAckedSeq]... [-monitor http(s)://host:8222]
//           [-monitor-ca ca.pem] [-timeout 5s] [-dry-run] [<channel>...]
//
// With -monitor, the channels and the durables (plain and queue, online and offline) come from
// the streaming server's monitoring endpoint (GET <url>/streaming/channelsz?subs=1, paged); the
// endpoint reports last_sent and pending_count but not the acked position, so a durable's
// consumer starts after last_sent - pending_count: the unacked messages are delivered again
// (at least once). -durable flags override the durables of the endpoint. An https:// endpoint
// (stan-server -ms, the Go server's -ms) must present a certificate that the system's CAs or the
// -monitor-ca file trust, for the URL's host name.
//
// Exit codes: 0 done (or nothing to do), 1 runtime error (connection, timeout, API error),
// 2 usage error.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "ToolFlags.h"
#include "jetstream/JetStreamContext.h"
#include "jetstream/JetStreamException.h"
#include "jetstream/JsStanConnection.h"
#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "Nats/StanConnection.h"
#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <Poco/NumberParser.h>
#include <Poco/Timestamp.h>
#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace Nats;

namespace {

const char* const USAGE =
	"usage: stan2js [-s urls] [-c cluster] [-id client] [-js urls] [-prefix P] [-replicas N] [-memory]\n"
	"               [-durable channel:clientID:durable:lastAckedSeq]... [-monitor url] [-monitor-ca file]\n"
	"               [-timeout 5s] [-dry-run] [<channel>...]\n"
	"  -s        NATS URLs of the streaming server (default nats://127.0.0.1:4222)\n"
	"  -c        streaming cluster ID (default test-cluster)\n"
	"  -id       client ID used to read the channels (default stan2js)\n"
	"  -js       NATS URLs of the JetStream server (default: same as -s)\n"
	"  -prefix   stream name prefix (StanOptions::jetStream.streamPrefix; default none)\n"
	"  -replicas replicas of created streams (default 1); -memory: memory storage (default file)\n"
	"  -durable  create the JetStream durable of a streaming durable that acked up to lastAckedSeq\n"
	"            (overrides the same durable from -monitor)\n"
	"  -monitor  monitoring URL of the streaming server (ours: stan-server -m <port>, or the Go one):\n"
	"            every channel of GET <url>/streaming/channelsz?subs=1 is copied (with the channels given\n"
	"            as arguments) and every durable there (online or offline, plain or queue) gets its\n"
	"            consumer. Position: the endpoint reports last_sent and pending_count, not the acked\n"
	"            position, so the consumer starts after last_sent - pending_count; the unacked messages\n"
	"            are delivered again (at least once; an older unacked message outside that window is\n"
	"            not: use -durable for an exact position)\n"
	"  -monitor-ca  CA certificates (PEM) trusted for an https:// -monitor URL (default: the system's);\n"
	"            the certificate must also match the URL's host name\n"
	"  -timeout  longest wait for a message or an answer (default 5s)\n"
	"  -dry-run  print what would be copied and created, change nothing\n"
	"Headers of copied messages: Stan-Sequence, Stan-Timestamp (ns), Nats-Msg-Id stan2js.<channel>.<seq>.\n"
	"Resumable: a channel continues after the last Stan-Sequence already in its stream.\n";

int usageError(const std::string& message)
{
	std::cerr << "stan2js: " << message << "\n" << USAGE;
	return 2;
}

/// A durable to create: plain (group empty; consumer d__<clientID>__<durable>) or a durable
/// queue group (consumer q__<durable>__<group>, any client may join).
struct DurableSpec
{
	std::string channel;
	std::string clientId;
	std::string durable;
	std::string group;
	std::uint64_t lastAcked = 0;
	Poco::Timespan ackWait = StanSubscriptionOptions::DEFAULT_ACK_WAIT;
	int maxInflight = StanSubscriptionOptions::DEFAULT_MAX_INFLIGHT;
	std::string origin; ///< how the position was found, for the output
};

bool parseDurable(const std::string& text, DurableSpec& out)
{
	std::string::size_type a = text.find(':');
	std::string::size_type z = text.rfind(':');
	if (a == std::string::npos || z == a) return false;
	std::string::size_type b = text.find(':', a + 1);
	if (b == std::string::npos || b >= z) return false;
	out.channel = text.substr(0, a);
	out.clientId = text.substr(a + 1, b - a - 1);
	out.durable = text.substr(b + 1, z - b - 1);
	Poco::UInt64 seq = 0;
	if (!Poco::NumberParser::tryParseUnsigned64(text.substr(z + 1), seq)) return false;
	out.lastAcked = seq;
	return !out.channel.empty() && !out.clientId.empty() && !out.durable.empty();
}

bool parseDuration(const std::string& text, Poco::Timespan& out)
{
	double v = 0;
	std::string unit;
	std::size_t i = 0;
	while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
	if (i == 0 || !Poco::NumberParser::tryParseFloat(text.substr(0, i), v)) return false;
	unit = text.substr(i);
	double us;
	if (unit == "ms") us = v * 1000;
	else if (unit == "s" || unit.empty()) us = v * 1000000;
	else if (unit == "m") us = v * 60000000;
	else return false;
	out = Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(us));
	return out.totalMicroseconds() > 0;
}

/// Stream message by sequence or last by subject ($JS.API.STREAM.MSG.GET): its headers.
/// Returns false if there is none.
bool messageHeaders(JetStreamContext& js, const std::string& stream, const std::string& lastBySubject, std::uint64_t seq, Headers& out)
{
	Poco::JSON::Object::Ptr req = new Poco::JSON::Object;
	if (!lastBySubject.empty()) req->set("last_by_subj", lastBySubject);
	else req->set("seq", static_cast<Poco::UInt64>(seq));
	try
	{
		Poco::JSON::Object::Ptr obj = js.apiRequest("STREAM.MSG.GET." + stream, JetStreamJson::stringify(req));
		Poco::JSON::Object::Ptr msg = obj->getObject("message");
		std::string b64 = msg ? msg->optValue<std::string>("hdrs", "") : std::string();
		if (b64.empty())
		{
			out = Headers();
			return true;
		}
		std::istringstream in(b64);
		Poco::Base64Decoder dec(in);
		std::string raw((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
		out = Headers::parse(raw);
		return true;
	}
	catch (const JetStreamApiException& e)
	{
		if (e.code() == 404) return false; // no message
		throw;
	}
}

std::uint64_t stanSequenceOf(const Headers& h)
{
	Poco::UInt64 v = 0;
	return Poco::NumberParser::tryParseUnsigned64(h.get("Stan-Sequence"), v) ? v : 0;
}

/// What the monitoring endpoint lists: channel names and durables.
struct Monitored
{
	std::vector<std::string> channels;
	std::vector<DurableSpec> durables;
};

/// The TLS context for an https:// monitoring URL `base` (nullptr for http://), made once per
/// run: it verifies the server's chain against `caFile` (empty: the system's CAs) and its host
/// name (VERIFY_STRICT: with RELAXED, POCO skips the host name check for loopback addresses), as
/// the NATS connections do. Throws Poco::InvalidArgumentException for any other scheme.
Poco::Net::Context::Ptr monitorTlsContext(const Poco::URI& base, const std::string& caFile, const std::string& url)
{
	const std::string scheme = Poco::toLower(base.getScheme());
	if (scheme == "http") return nullptr;
	if (scheme != "https") throw Poco::InvalidArgumentException("monitoring endpoint " + url + ": expected an http:// or https:// URL");
	Poco::Net::initializeSSL();
	Poco::Net::Context::Params p;
	p.caLocation = caFile;
	p.loadDefaultCAs = caFile.empty();
	p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
	Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
	ctx->enableExtendedCertificateVerification(true);
	return ctx;
}

/// GET `pathAndQuery` below the monitoring URL `base`; over HTTPS when `tls` is set.
std::string httpGet(const Poco::URI& base, const std::string& pathAndQuery, Poco::Timespan timeout, const std::string& url,
	const Poco::Net::Context::Ptr& tls, const std::string& caFile)
{
	std::unique_ptr<Poco::Net::HTTPClientSession> pSession;
	if (tls) pSession = std::make_unique<Poco::Net::HTTPSClientSession>(base.getHost(), base.getPort(), tls);
	else pSession = std::make_unique<Poco::Net::HTTPClientSession>(base.getHost(), base.getPort());
	pSession->setTimeout(timeout);
	std::string path = base.getPath();
	if (!path.empty() && path.back() == '/') path.pop_back();
	Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path + pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
	Poco::Net::HTTPResponse resp;
	std::string body;
	try
	{
		pSession->sendRequest(req);
		std::istream& in = pSession->receiveResponse(resp);
		Poco::StreamCopier::copyToString(in, body);
	}
	catch (const Poco::Net::SSLException& e)
	{
		// An untrusted or mismatching certificate: say where and what to do about it.
		throw Poco::IOException("monitoring endpoint " + url + ": TLS: " + e.displayText()
			+ (caFile.empty() ? " (an endpoint with a private CA needs -monitor-ca <file>)" : " (CA file " + caFile + ")"));
	}
	if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
		throw Poco::IOException("monitoring endpoint " + url + ": HTTP " + std::to_string(static_cast<int>(resp.getStatus())));
	return body;
}

/// The durables among one channel's subscriptions (Go Subscriptionz): durable_name set for plain
/// durables; is_durable with queue_name "<durable>:<group>" for durable queue groups, whose
/// members (and offline shadow) are merged: highest last_sent, pending counts summed.
void durablesOf(const std::string& channel, const Poco::JSON::Array::Ptr& subs, std::vector<DurableSpec>& out)
{
	struct Group
	{
		DurableSpec spec;
		std::uint64_t lastSent = 0;
		std::uint64_t pending = 0;
	};
	std::vector<Group> groups;
	for (std::size_t i = 0; subs && i < subs->size(); ++i)
	{
		Poco::JSON::Object::Ptr sub = subs->getObject(static_cast<unsigned>(i));
		if (!sub) continue;
		const std::string durable = sub->optValue<std::string>("durable_name", "");
		const std::string queue = sub->optValue<std::string>("queue_name", "");
		const bool isDurable = sub->optValue<bool>("is_durable", false);
		const std::uint64_t lastSent = sub->optValue<Poco::UInt64>("last_sent", 0);
		const std::uint64_t pending = sub->optValue<Poco::UInt64>("pending_count", 0);
		DurableSpec d;
		d.channel = channel;
		d.clientId = sub->optValue<std::string>("client_id", "");
		const int ackWait = sub->optValue<int>("ack_wait", 0);
		if (ackWait > 0) d.ackWait = Poco::Timespan(ackWait, 0);
		const int maxInflight = sub->optValue<int>("max_inflight", 0);
		if (maxInflight > 0) d.maxInflight = maxInflight;
		if (queue.empty() && !durable.empty())
		{
			d.durable = durable;
			d.lastAcked = lastSent > pending ? lastSent - pending : 0;
			d.origin = "monitoring: last_sent " + std::to_string(lastSent) + ", pending " + std::to_string(pending);
			out.push_back(d);
		}
		else if (isDurable && queue.find(':') != std::string::npos)
		{
			d.durable = queue.substr(0, queue.find(':'));
			d.group = queue.substr(queue.find(':') + 1);
			d.clientId.clear();
			auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.spec.durable == d.durable && g.spec.group == d.group; });
			if (it == groups.end())
			{
				groups.push_back(Group{d, 0, 0});
				it = groups.end() - 1;
			}
			it->lastSent = std::max(it->lastSent, lastSent);
			it->pending += pending;
		}
	}
	for (auto& g: groups)
	{
		g.spec.lastAcked = g.lastSent > g.pending ? g.lastSent - g.pending : 0;
		g.spec.origin = "monitoring: last_sent " + std::to_string(g.lastSent) + ", pending " + std::to_string(g.pending);
		out.push_back(g.spec);
	}
}

/// The channels and durables of a streaming server's monitoring endpoint (ours or the Go one):
/// GET /streaming/channelsz?subs=1, paged by offset/limit until "total" is reached.
Monitored readMonitor(const std::string& url, const std::string& caFile, Poco::Timespan timeout)
{
	const Poco::URI uri(url);
	const Poco::Net::Context::Ptr tls = monitorTlsContext(uri, caFile, url);
	Monitored m;
	for (std::size_t offset = 0;;)
	{
		const std::string body =
			httpGet(uri, "/streaming/channelsz?subs=1&offset=" + std::to_string(offset) + "&limit=1024", timeout, url, tls, caFile);
		Poco::JSON::Object::Ptr obj = JetStreamJson::parseObject(body);
		std::size_t got = 0;
		if (obj->has("channels") && !obj->isNull("channels"))
		{
			Poco::JSON::Array::Ptr arr = obj->getArray("channels");
			got = arr->size();
			for (std::size_t i = 0; i < got; ++i)
			{
				Poco::JSON::Object::Ptr ch = arr->getObject(static_cast<unsigned>(i));
				const std::string name = ch->getValue<std::string>("name");
				m.channels.push_back(name);
				if (ch->has("subscriptions") && !ch->isNull("subscriptions")) durablesOf(name, ch->getArray("subscriptions"), m.durables);
			}
		}
		else if (obj->has("names") && !obj->isNull("names"))
		{
			// A server that ignores subs=1 lists names only: no durables from it.
			Poco::JSON::Array::Ptr arr = obj->getArray("names");
			got = arr->size();
			for (std::size_t i = 0; i < got; ++i) m.channels.push_back(arr->getElement<std::string>(static_cast<unsigned>(i)));
		}
		const std::size_t total = obj->optValue<std::size_t>("total", m.channels.size());
		offset += got;
		if (got == 0 || offset >= total) break;
	}
	return m;
}

struct Settings
{
	std::string clusterId = "test-cluster";
	std::string clientId = "stan2js";
	std::string sourceUrls = StanOptions::DEFAULT_NATS_URL;
	std::string targetUrls;
	std::string prefix;
	int replicas = 1;
	bool memory = false;
	bool dryRun = false;
	Poco::Timespan timeout = Poco::Timespan(5, 0);
	std::string monitor;
	std::string monitorCa;
};

/// Copies one channel; returns the number of messages copied.
std::uint64_t copyChannel(const Settings& s, StanConnection& source, JetStreamContext& js, const std::string& channel)
{
	const std::string stream = JsStanConnection::streamName(s.prefix, channel);
	bool exists = true;
	StreamInfo info;
	try
	{
		info = js.streamInfo(stream);
	}
	catch (const JetStreamApiException& e)
	{
		if (e.errCode() != JetStreamApiException::STREAM_NOT_FOUND) throw;
		exists = false;
	}
	std::uint64_t resumeFrom = 1;
	if (exists && info.state.messages > 0)
	{
		Headers last;
		if (messageHeaders(js, stream, channel, 0, last) && stanSequenceOf(last) > 0) resumeFrom = stanSequenceOf(last) + 1;
	}
	// The channel's last sequence now: what this run copies up to.
	std::uint64_t lastSeq = 0;
	{
		StanSubscription probe = source.subscribeSync(channel, StanSubscriptionOptions().startWithLastReceived());
		try
		{
			lastSeq = probe.nextMessage(s.timeout).sequence();
		}
		catch (const NatsTimeoutException&)
		{
			lastSeq = 0; // empty channel
		}
		probe.close();
	}
	const std::uint64_t todo = lastSeq >= resumeFrom ? lastSeq - resumeFrom + 1 : 0;
	if (s.dryRun)
	{
		std::cout << channel << ": would copy " << todo << " message(s)";
		if (todo) std::cout << " (seq " << resumeFrom << "-" << lastSeq << ")";
		std::cout << " into " << (exists ? "existing" : "new") << " stream " << stream << std::endl;
		return 0;
	}
	if (!exists)
	{
		StreamConfig cfg;
		cfg.name = stream;
		cfg.subjects = {channel};
		cfg.replicas = s.replicas;
		cfg.storage = s.memory ? StreamConfig::Storage::MEMORY : StreamConfig::Storage::FILE;
		js.addStream(cfg);
	}
	std::uint64_t copied = 0;
	if (todo)
	{
		StanSubscription sub = source.subscribeSync(channel, StanSubscriptionOptions().startAtSequence(resumeFrom).setMaxInflight(1024));
		Poco::Timestamp lastProgress;
		while (true)
		{
			StanMessage m = sub.nextMessage(s.timeout);
			if (m.sequence() < resumeFrom) continue;
			Headers h;
			h.set("Stan-Sequence", std::to_string(m.sequence()));
			h.set("Stan-Timestamp", std::to_string(m.timestamp()));
			PubAck ack = js.publish(channel, m.data(), "stan2js." + channel + "." + std::to_string(m.sequence()), h);
			if (ack.stream != stream)
				throw StanPublishException("stan2js: subject " + channel + " is bound to stream " + ack.stream + ", not " + stream);
			++copied;
			if (lastProgress.elapsed() > 200000)
			{
				std::cerr << "\r" << channel << ": " << copied << "/" << todo << std::flush;
				lastProgress.update();
			}
			if (m.sequence() >= lastSeq) break;
		}
		sub.close();
		std::cerr << "\r" << channel << ": " << copied << "/" << todo << std::endl;
	}
	std::cout << channel << ": copied " << copied << " message(s)";
	if (copied) std::cout << " (seq " << resumeFrom << "-" << lastSeq << ")";
	std::cout << " into stream " << stream << (resumeFrom > 1 ? ", resumed after seq " + std::to_string(resumeFrom - 1) : std::string()) << std::endl;
	return copied;
}

void createDurable(const Settings& s, Connection& target, JetStreamContext& js, const DurableSpec& d)
{
	const std::string stream = JsStanConnection::streamName(s.prefix, d.channel);
	// The names the JetStream backend uses (src/jetstream/JsStanSubscription.h).
	const std::string name = d.group.empty() ? "d__" + JsStanConnection::escapeName(d.clientId) + "__" + JsStanConnection::escapeName(d.durable)
											 : "q__" + JsStanConnection::escapeName(d.durable) + "__" + JsStanConnection::escapeName(d.group);
	const std::string what = d.group.empty() ? "durable " + d.clientId + "/" + d.durable + " on " + d.channel
											 : "queue durable " + d.durable + ":" + d.group + " on " + d.channel;
	const std::string from = d.origin.empty() ? std::string() : " (" + d.origin + ")";
	// Stream sequence of the first message the durable has not acked.
	StreamInfo info;
	try
	{
		info = js.streamInfo(stream);
	}
	catch (const JetStreamApiException& e)
	{
		if (!s.dryRun || e.errCode() != JetStreamApiException::STREAM_NOT_FOUND) throw;
		std::cout << what << ": would create consumer " << name << " after the copy" << from << std::endl;
		return;
	}
	std::uint64_t startSeq = info.state.lastSeq + 1;
	if (info.state.messages > 0)
	{
		Headers first;
		if (messageHeaders(js, stream, "", info.state.firstSeq, first) && stanSequenceOf(first) > 0)
		{
			const std::uint64_t stanFirst = stanSequenceOf(first);
			const std::uint64_t want = d.lastAcked + 1;
			startSeq = want <= stanFirst ? info.state.firstSeq : info.state.firstSeq + (want - stanFirst);
		}
	}
	bool exists = true;
	try
	{
		js.consumerInfo(stream, name);
	}
	catch (const JetStreamApiException& e)
	{
		if (e.errCode() != JetStreamApiException::CONSUMER_NOT_FOUND) throw;
		exists = false;
	}
	if (exists)
	{
		std::cout << what << ": consumer " << name << " exists, kept" << std::endl;
		return;
	}
	if (s.dryRun)
	{
		std::cout << what << ": would create consumer " << name << " starting at stream seq " << startSeq << from << std::endl;
		return;
	}
	ConsumerConfig cc;
	cc.durableName = name;
	cc.deliverSubject = target.newInbox();
	cc.deliverPolicy = ConsumerConfig::DeliverPolicy::BY_START_SEQUENCE;
	cc.optStartSeq = startSeq;
	cc.ackPolicy = ConsumerConfig::AckPolicy::EXPLICIT;
	cc.ackWait = d.ackWait;
	cc.maxAckPending = d.maxInflight;
	if (d.group.empty())
	{
		cc.flowControl = true;
		cc.idleHeartbeat = StanOptions::JetStreamOptions::DEFAULT_IDLE_HEARTBEAT;
	}
	else
	{
		// As the backend's durable queue consumers: a deliver group, no flow control.
		cc.deliverGroup = d.group;
	}
	js.addConsumer(stream, cc);
	std::cout << what << ": created consumer " << name << " starting at stream seq " << startSeq << from << std::endl;
}

} // namespace

int main(int argc, char** argv)
{
	Settings s;
	std::vector<DurableSpec> durables;
	Demo::GoFlags flags(argc, argv);
	while (flags.next())
	{
		const std::string& name = flags.name();
		std::string v;
		auto take = [&]() { return flags.value(v); };
		if (name == "h" || name == "help")
		{
			std::cout << USAGE;
			return 0;
		}
		else if (name == "dry-run") s.dryRun = true;
		else if (name == "memory") s.memory = true;
		else if (name == "s" || name == "c" || name == "id" || name == "js" || name == "prefix" || name == "replicas" || name == "durable"
			|| name == "timeout" || name == "monitor" || name == "monitor-ca")
		{
			if (!take()) return usageError("flag needs an argument: -" + name);
			if (name == "s") s.sourceUrls = v;
			else if (name == "c") s.clusterId = v;
			else if (name == "id") s.clientId = v;
			else if (name == "js") s.targetUrls = v;
			else if (name == "prefix") s.prefix = v;
			else if (name == "monitor") s.monitor = v;
			else if (name == "monitor-ca") s.monitorCa = v;
			else if (name == "replicas")
			{
				if (!Poco::NumberParser::tryParse(v, s.replicas) || s.replicas < 1 || s.replicas > 5)
					return usageError("-replicas must be 1..5: " + v);
			}
			else if (name == "timeout")
			{
				if (!parseDuration(v, s.timeout)) return usageError("invalid -timeout: " + v);
			}
			else
			{
				DurableSpec d;
				if (!parseDurable(v, d)) return usageError("invalid -durable (channel:clientID:durable:lastAckedSeq): " + v);
				durables.push_back(d);
			}
		}
		else
		{
			return usageError("flag provided but not defined: " + flags.arg());
		}
	}
	std::vector<std::string> channels = flags.positional();
	if (channels.empty() && s.monitor.empty()) return usageError("expected at least one <channel> (or -monitor)");
	if (!s.monitorCa.empty() && s.monitor.empty()) return usageError("-monitor-ca needs -monitor");
	if (s.targetUrls.empty()) s.targetUrls = s.sourceUrls;
	try
	{
		if (!s.monitor.empty())
		{
			Monitored m = readMonitor(s.monitor, s.monitorCa, s.timeout);
			for (const auto& ch: m.channels)
			{
				if (std::find(channels.begin(), channels.end(), ch) == channels.end()) channels.push_back(ch);
			}
			std::size_t fromMonitor = 0;
			for (const auto& md: m.durables)
			{
				// An explicit -durable for the same durable wins.
				const bool overridden = std::any_of(durables.begin(), durables.end(), [&](const DurableSpec& d) {
					return d.channel == md.channel && d.clientId == md.clientId && d.durable == md.durable && d.group == md.group;
				});
				if (overridden) continue;
				durables.push_back(md);
				++fromMonitor;
			}
			std::cout << "stan2js: " << channels.size() << " channel(s) to copy, " << fromMonitor << " durable(s) from the monitoring endpoint" << std::endl;
		}
		StanOptions so;
		so.natsUrl = s.sourceUrls;
		so.connectWait = s.timeout;
		StanConnection source(s.clusterId, s.clientId, so);
		source.connect();
		Options to;
		to.servers.clear();
		std::istringstream urls(s.targetUrls);
		for (std::string u; std::getline(urls, u, ',');)
		{
			if (!u.empty()) to.servers.push_back(u);
		}
		Connection target(to);
		target.connect();
		JetStreamContext js(target, s.timeout);
		js.accountInfo();
		std::uint64_t total = 0;
		for (const auto& ch: channels) total += copyChannel(s, source, js, ch);
		for (const auto& d: durables) createDurable(s, target, js, d);
		source.close();
		if (!s.dryRun) std::cout << "stan2js: copied " << total << " message(s) from " << channels.size() << " channel(s)" << std::endl;
		return 0;
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << std::endl << "stan2js: " << e.displayText() << std::endl;
		return 1;
	}
}
