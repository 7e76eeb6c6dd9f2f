//
// JetStreamTypes.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JetStreamTypes
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JetStreamTypes.h"
#include "jetstream/JetStreamException.h"
#include "Nats/Exception.h"
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace Nats {

namespace {

std::int64_t nanos(const Poco::Timespan& t)
{
	return t.totalMicroseconds() * 1000;
}

Poco::Timespan fromNanos(std::int64_t ns)
{
	return Poco::Timespan(ns / 1000);
}

template <typename T>
T get(const Poco::JSON::Object::Ptr& obj, const std::string& key, T deflt)
{
	if (!obj || !obj->has(key) || obj->isNull(key)) return deflt;
	try
	{
		return obj->getValue<T>(key);
	}
	catch (const Poco::Exception&)
	{
		return deflt;
	}
}

Poco::JSON::Object::Ptr child(const Poco::JSON::Object::Ptr& obj, const std::string& key)
{
	if (!obj || !obj->has(key)) return nullptr;
	return obj->getObject(key);
}

const char* deliverPolicyName(ConsumerConfig::DeliverPolicy p)
{
	switch (p)
	{
	case ConsumerConfig::DeliverPolicy::ALL: return "all";
	case ConsumerConfig::DeliverPolicy::LAST: return "last";
	case ConsumerConfig::DeliverPolicy::NEW: return "new";
	case ConsumerConfig::DeliverPolicy::BY_START_SEQUENCE: return "by_start_sequence";
	case ConsumerConfig::DeliverPolicy::BY_START_TIME: return "by_start_time";
	}
	return "all";
}

ConsumerConfig::DeliverPolicy deliverPolicyFrom(const std::string& s)
{
	if (s == "last") return ConsumerConfig::DeliverPolicy::LAST;
	if (s == "new") return ConsumerConfig::DeliverPolicy::NEW;
	if (s == "by_start_sequence") return ConsumerConfig::DeliverPolicy::BY_START_SEQUENCE;
	if (s == "by_start_time") return ConsumerConfig::DeliverPolicy::BY_START_TIME;
	return ConsumerConfig::DeliverPolicy::ALL;
}

const char* ackPolicyName(ConsumerConfig::AckPolicy p)
{
	switch (p)
	{
	case ConsumerConfig::AckPolicy::NONE: return "none";
	case ConsumerConfig::AckPolicy::ALL: return "all";
	case ConsumerConfig::AckPolicy::EXPLICIT: return "explicit";
	}
	return "explicit";
}

ConsumerConfig::AckPolicy ackPolicyFrom(const std::string& s)
{
	if (s == "none") return ConsumerConfig::AckPolicy::NONE;
	if (s == "all") return ConsumerConfig::AckPolicy::ALL;
	return ConsumerConfig::AckPolicy::EXPLICIT;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = static_cast<unsigned>(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d)
{
	z += 719468;
	const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = static_cast<unsigned>(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = static_cast<std::int64_t>(yoe) + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
}

} // namespace

Poco::JSON::Object::Ptr StreamConfig::toJson() const
{
	Poco::JSON::Object::Ptr obj = new Poco::JSON::Object;
	obj->set("name", name);
	Poco::JSON::Array::Ptr subs = new Poco::JSON::Array;
	for (const auto& s: subjects) subs->add(s);
	obj->set("subjects", subs);
	obj->set("retention", "limits");
	obj->set("storage", storage == Storage::MEMORY ? "memory" : "file");
	obj->set("num_replicas", replicas);
	obj->set("max_msgs", maxMsgs);
	obj->set("max_bytes", maxBytes);
	obj->set("max_age", nanos(maxAge));
	obj->set("max_consumers", maxConsumers);
	obj->set("discard", "old");
	if (duplicateWindow.totalMicroseconds() > 0) obj->set("duplicate_window", nanos(duplicateWindow));
	return obj;
}

StreamConfig StreamConfig::fromJson(const Poco::JSON::Object::Ptr& obj)
{
	StreamConfig c;
	c.name = get<std::string>(obj, "name", "");
	if (obj && obj->has("subjects") && !obj->isNull("subjects"))
	{
		Poco::JSON::Array::Ptr subs = obj->getArray("subjects");
		for (std::size_t i = 0; subs && i < subs->size(); ++i) c.subjects.push_back(subs->getElement<std::string>(static_cast<unsigned>(i)));
	}
	c.storage = get<std::string>(obj, "storage", "file") == "memory" ? Storage::MEMORY : Storage::FILE;
	c.replicas = get<int>(obj, "num_replicas", 1);
	c.maxMsgs = get<Poco::Int64>(obj, "max_msgs", -1);
	c.maxBytes = get<Poco::Int64>(obj, "max_bytes", -1);
	c.maxAge = fromNanos(get<Poco::Int64>(obj, "max_age", 0));
	c.maxConsumers = get<int>(obj, "max_consumers", -1);
	c.duplicateWindow = fromNanos(get<Poco::Int64>(obj, "duplicate_window", 0));
	return c;
}

StreamInfo StreamInfo::fromJson(const Poco::JSON::Object::Ptr& obj)
{
	StreamInfo info;
	info.config = StreamConfig::fromJson(child(obj, "config"));
	Poco::JSON::Object::Ptr st = child(obj, "state");
	info.state.messages = get<Poco::UInt64>(st, "messages", 0);
	info.state.bytes = get<Poco::UInt64>(st, "bytes", 0);
	info.state.firstSeq = get<Poco::UInt64>(st, "first_seq", 0);
	info.state.lastSeq = get<Poco::UInt64>(st, "last_seq", 0);
	info.state.consumerCount = get<int>(st, "consumer_count", 0);
	info.leader = get<std::string>(child(obj, "cluster"), "leader", "");
	return info;
}

Poco::JSON::Object::Ptr ConsumerConfig::toJson() const
{
	Poco::JSON::Object::Ptr obj = new Poco::JSON::Object;
	if (!durableName.empty()) obj->set("durable_name", durableName);
	if (!deliverSubject.empty()) obj->set("deliver_subject", deliverSubject);
	if (!deliverGroup.empty()) obj->set("deliver_group", deliverGroup);
	obj->set("deliver_policy", deliverPolicyName(deliverPolicy));
	if (deliverPolicy == DeliverPolicy::BY_START_SEQUENCE) obj->set("opt_start_seq", static_cast<Poco::UInt64>(optStartSeq));
	if (deliverPolicy == DeliverPolicy::BY_START_TIME) obj->set("opt_start_time", JetStreamJson::formatTime(optStartTimeNs));
	obj->set("ack_policy", ackPolicyName(ackPolicy));
	if (ackWait.totalMicroseconds() > 0) obj->set("ack_wait", nanos(ackWait));
	obj->set("max_deliver", maxDeliver);
	if (maxAckPending > 0) obj->set("max_ack_pending", maxAckPending);
	if (!filterSubject.empty()) obj->set("filter_subject", filterSubject);
	obj->set("replay_policy", "instant");
	if (flowControl) obj->set("flow_control", true);
	if (idleHeartbeat.totalMicroseconds() > 0) obj->set("idle_heartbeat", nanos(idleHeartbeat));
	if (inactiveThreshold.totalMicroseconds() > 0) obj->set("inactive_threshold", nanos(inactiveThreshold));
	return obj;
}

ConsumerConfig ConsumerConfig::fromJson(const Poco::JSON::Object::Ptr& obj)
{
	ConsumerConfig c;
	c.durableName = get<std::string>(obj, "durable_name", "");
	c.deliverSubject = get<std::string>(obj, "deliver_subject", "");
	c.deliverGroup = get<std::string>(obj, "deliver_group", "");
	c.deliverPolicy = deliverPolicyFrom(get<std::string>(obj, "deliver_policy", "all"));
	c.optStartSeq = get<Poco::UInt64>(obj, "opt_start_seq", 0);
	std::string t = get<std::string>(obj, "opt_start_time", "");
	if (!t.empty()) c.optStartTimeNs = JetStreamJson::parseTime(t);
	c.ackPolicy = ackPolicyFrom(get<std::string>(obj, "ack_policy", "explicit"));
	c.ackWait = fromNanos(get<Poco::Int64>(obj, "ack_wait", 0));
	c.maxDeliver = get<int>(obj, "max_deliver", -1);
	c.maxAckPending = get<int>(obj, "max_ack_pending", 0);
	c.filterSubject = get<std::string>(obj, "filter_subject", "");
	c.flowControl = get<bool>(obj, "flow_control", false);
	c.idleHeartbeat = fromNanos(get<Poco::Int64>(obj, "idle_heartbeat", 0));
	c.inactiveThreshold = fromNanos(get<Poco::Int64>(obj, "inactive_threshold", 0));
	return c;
}

ConsumerInfo ConsumerInfo::fromJson(const Poco::JSON::Object::Ptr& obj)
{
	ConsumerInfo info;
	info.stream = get<std::string>(obj, "stream_name", "");
	info.name = get<std::string>(obj, "name", "");
	info.config = ConsumerConfig::fromJson(child(obj, "config"));
	Poco::JSON::Object::Ptr d = child(obj, "delivered");
	info.deliveredConsumerSeq = get<Poco::UInt64>(d, "consumer_seq", 0);
	info.deliveredStreamSeq = get<Poco::UInt64>(d, "stream_seq", 0);
	Poco::JSON::Object::Ptr a = child(obj, "ack_floor");
	info.ackFloorConsumerSeq = get<Poco::UInt64>(a, "consumer_seq", 0);
	info.ackFloorStreamSeq = get<Poco::UInt64>(a, "stream_seq", 0);
	info.numAckPending = get<Poco::Int64>(obj, "num_ack_pending", 0);
	info.numRedelivered = get<Poco::Int64>(obj, "num_redelivered", 0);
	info.numPending = get<Poco::UInt64>(obj, "num_pending", 0);
	info.pushBound = get<bool>(obj, "push_bound", false);
	return info;
}

AccountInfo AccountInfo::fromJson(const Poco::JSON::Object::Ptr& obj)
{
	AccountInfo info;
	info.memory = get<Poco::UInt64>(obj, "memory", 0);
	info.storage = get<Poco::UInt64>(obj, "storage", 0);
	info.streams = get<Poco::Int64>(obj, "streams", 0);
	info.consumers = get<Poco::Int64>(obj, "consumers", 0);
	info.domain = get<std::string>(obj, "domain", "");
	return info;
}

bool AckMetadata::parse(const std::string& reply, AckMetadata& out)
{
	// Hot path (every delivered message): token boundaries by index, no temporary strings. Every
	// token must be non-empty and no token a wildcard, so an accepted reply is a valid publish
	// subject (the parser already excludes white space): acks are sent to it unchecked.
	if (reply.size() < 8 || reply.compare(0, 8, "$JS.ACK.") != 0) return false;
	const char* p = reply.data();
	const std::size_t size = reply.size();
	std::size_t starts[13];
	std::size_t ends[13];
	std::size_t n = 0;
	std::size_t pos = 0;
	while (true)
	{
		if (n == 13) return false;
		const void* hit = std::memchr(p + pos, '.', size - pos);
		const std::size_t end = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - p) : size;
		if (end == pos) return false;                                       // empty token
		if (end == pos + 1 && (p[pos] == '*' || p[pos] == '>')) return false; // wildcard token
		starts[n] = pos;
		ends[n] = end;
		++n;
		if (!hit) break;
		pos = end + 1;
	}
	std::size_t base;
	if (n == 9)
	{
		out.domain.clear();
		out.accountHash.clear();
		base = 2;
	}
	else if (n == 11 || n == 12)
	{
		if (ends[2] - starts[2] == 1 && p[starts[2]] == '_') out.domain.clear();
		else out.domain.assign(p + starts[2], ends[2] - starts[2]);
		out.accountHash.assign(p + starts[3], ends[3] - starts[3]);
		base = 4;
	}
	else
	{
		return false;
	}
	std::uint64_t values[5];
	for (std::size_t k = 0; k < 5; ++k)
	{
		const std::size_t b = starts[base + 2 + k];
		const std::size_t e = ends[base + 2 + k];
		if (e - b > 20) return false;
		std::uint64_t v = 0;
		for (std::size_t i = b; i < e; ++i)
		{
			const unsigned digit = static_cast<unsigned char>(p[i]) - static_cast<unsigned>('0');
			if (digit > 9) return false;
			v = v * 10 + digit;
		}
		// 19 digits always fit in 64 bits; a 20-digit value fits only from 1e19 up to 2^64 - 1.
		if (e - b == 20 && (p[b] != '1' || v < UINT64_C(10000000000000000000))) return false;
		values[k] = v;
	}
	out.stream.assign(p + starts[base], ends[base] - starts[base]);
	out.consumer.assign(p + starts[base + 1], ends[base + 1] - starts[base + 1]);
	out.numDelivered = values[0];
	out.streamSequence = values[1];
	out.consumerSequence = values[2];
	out.timestamp = static_cast<std::int64_t>(values[3]);
	out.numPending = values[4];
	return true;
}

namespace JetStreamJson {

Poco::JSON::Object::Ptr parseObject(const std::string& text)
{
	try
	{
		Poco::JSON::Parser parser;
		Poco::Dynamic::Var v = parser.parse(text);
		Poco::JSON::Object::Ptr obj = v.extract<Poco::JSON::Object::Ptr>();
		if (!obj) throw NatsProtocolException("JetStream: answer is not a JSON object: " + text.substr(0, 200));
		return obj;
	}
	catch (const NatsProtocolException&)
	{
		throw;
	}
	catch (const Poco::Exception& e)
	{
		throw NatsProtocolException("JetStream: malformed JSON answer (" + e.displayText() + "): " + text.substr(0, 200));
	}
}

std::string stringify(const Poco::JSON::Object::Ptr& obj)
{
	std::ostringstream out;
	obj->stringify(out);
	return out.str();
}

void throwIfError(const Poco::JSON::Object::Ptr& obj)
{
	if (!obj || !obj->has("error")) return;
	Poco::JSON::Object::Ptr err = obj->getObject("error");
	if (!err) throw JetStreamApiException("unknown JetStream error", 0, 0);
	throw JetStreamApiException(get<std::string>(err, "description", "unknown JetStream error"), get<int>(err, "code", 0),
		get<int>(err, "err_code", 0));
}

std::string formatTime(std::int64_t unixNanos)
{
	std::int64_t secs = unixNanos / 1000000000;
	std::int64_t frac = unixNanos % 1000000000;
	if (frac < 0)
	{
		frac += 1000000000;
		--secs;
	}
	std::int64_t days = secs / 86400;
	std::int64_t rem = secs % 86400;
	if (rem < 0)
	{
		rem += 86400;
		--days;
	}
	std::int64_t y;
	unsigned m, d;
	civilFromDays(days, y, m, d);
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d.%09lldZ", static_cast<long long>(y), m, d,
		static_cast<int>(rem / 3600), static_cast<int>((rem / 60) % 60), static_cast<int>(rem % 60), static_cast<long long>(frac));
	return buf;
}

std::int64_t parseTime(const std::string& text)
{
	// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)
	int y, mo, d, h, mi, s;
	if (text.size() < 20 || std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
	{
		throw NatsProtocolException("JetStream: malformed time: " + text);
	}
	std::size_t i = 19;
	std::int64_t frac = 0;
	if (i < text.size() && text[i] == '.')
	{
		++i;
		int digits = 0;
		while (i < text.size() && text[i] >= '0' && text[i] <= '9')
		{
			if (digits < 9)
			{
				frac = frac * 10 + (text[i] - '0');
				++digits;
			}
			++i;
		}
		while (digits++ < 9) frac *= 10;
	}
	std::int64_t offset = 0;
	if (i < text.size() && (text[i] == '+' || text[i] == '-'))
	{
		int oh = 0, om = 0;
		if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) throw NatsProtocolException("JetStream: malformed time: " + text);
		offset = (oh * 3600 + om * 60) * (text[i] == '+' ? 1 : -1);
	}
	std::int64_t secs = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s - offset;
	return secs * 1000000000 + frac;
}

} // namespace JetStreamJson

} // namespace Nats
