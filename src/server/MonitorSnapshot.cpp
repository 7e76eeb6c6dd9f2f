//
// MonitorSnapshot.cpp
//
// Library: Nats
// Package: Server
// Module:  MonitorSnapshot
//
// Field names, order and omitempty follow the Go server's Serverz, Storez, Clientsz, Clientz,
// Channelsz, Channelz and Subscriptionz structs (nats-streaming-server server/monitor.go) and
// stores.StoreLimits; the order of a channel's subscriptions is the Go server's: active
// non-queue ones, offline durables, then each queue group's members and its offline shadow.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/MonitorSnapshot.h"
#include "server/ServerContext.h"
#include "server/ServerState.h"
#include "server/ChannelRegistry.h"
#include "server/ClientRegistry.h"
#include "server/SubscriptionManager.h"
#include "Nats/Version.h"
#include <algorithm>
#include <cstdio>
#include <ctime>

namespace Nats {

namespace {

/// A JSON writer that indents like Go's json.MarshalIndent(v, "", "  "): one member per line,
/// "key": value, empty objects and arrays as {} and [].
class GoJson
{
public:
	GoJson& open(const char* key, char bracket)
	{
		item(key);
		_out += bracket;
		_stack.push_back({bracket == '{' ? '}' : ']', false});
		return *this;
	}

	GoJson& close()
	{
		const Level level = _stack.back();
		_stack.pop_back();
		if (level.hasItems) newline();
		_out += level.closer;
		return *this;
	}

	GoJson& str(const char* key, const std::string& v)
	{
		item(key);
		quote(v);
		return *this;
	}

	GoJson& num(const char* key, std::uint64_t v)
	{
		item(key);
		_out += std::to_string(v);
		return *this;
	}

	GoJson& inum(const char* key, std::int64_t v)
	{
		item(key);
		_out += std::to_string(v);
		return *this;
	}

	GoJson& boolean(const char* key, bool v)
	{
		item(key);
		_out += v ? "true" : "false";
		return *this;
	}

	std::string take() { return std::move(_out); }

private:
	struct Level
	{
		char closer;
		bool hasItems;
	};

	void newline()
	{
		_out += '\n';
		_out.append(_stack.size() * 2, ' ');
	}

	void item(const char* key)
	{
		if (!_stack.empty())
		{
			if (_stack.back().hasItems) _out += ',';
			_stack.back().hasItems = true;
			newline();
		}
		if (key)
		{
			quote(key);
			_out += ": ";
		}
	}

	/// Go's escaping: quotes, backslashes and control characters, and (HTML-safe by default)
	/// '<', '>', '&', U+2028 and U+2029 as \u escapes.
	void quote(const std::string& s)
	{
		_out += '"';
		for (std::size_t i = 0; i < s.size(); ++i)
		{
			const unsigned char c = static_cast<unsigned char>(s[i]);
			char buf[8];
			switch (c)
			{
			case '"': _out += "\\\""; break;
			case '\\': _out += "\\\\"; break;
			case '\n': _out += "\\n"; break;
			case '\r': _out += "\\r"; break;
			case '\t': _out += "\\t"; break;
			default:
				if (c < 0x20 || c == '<' || c == '>' || c == '&')
				{
					std::snprintf(buf, sizeof(buf), "\\u%04x", c);
					_out += buf;
				}
				else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
					(static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9))
				{
					_out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
					i += 2;
				}
				else
				{
					_out += static_cast<char>(c);
				}
			}
		}
		_out += '"';
	}

	std::string _out;
	std::vector<Level> _stack;
};

SubscriptionSnapshot copySub(const SubState& sub)
{
	SubscriptionSnapshot s;
	s.clientId = sub.clientID;
	s.inbox = sub.offline ? sub.lastInbox : sub.inbox;
	s.ackInbox = sub.offline ? sub.lastAckInbox : sub.ackInbox;
	s.durableName = sub.durableName;
	s.queueName = sub.group ? sub.group->name : std::string();
	s.isDurable = !sub.durableName.empty() || (sub.group && sub.group->durable);
	s.isOffline = sub.offline;
	s.maxInflight = sub.maxInFlight;
	s.ackWaitSecs = sub.ackWaitNs / 1000000000LL;
	s.lastSent = sub.lastSent;
	s.pendingCount = sub.pending.size();
	s.isStalled = sub.stalled;
	return s;
}

void copyChannel(const ChannelState& c, bool withSubs, ChannelSnapshot& out)
{
	out.name = c.name;
	out.msgs = c.store.count();
	out.bytes = c.store.bytes();
	// As the Go server: 0/0 for a channel that never had a message.
	out.firstSeq = c.store.lastSequence() == 0 ? 0 : c.store.firstSequence();
	out.lastSeq = c.store.lastSequence();
	out.subs.clear();
	if (!withSubs) return;
	for (const SubState* s: c.subs) out.subs.push_back(copySub(*s));
	// Offline durables, by key (the Go server walks a map: no defined order).
	std::vector<const SubState*> offline;
	for (const auto& d: c.durables)
	{
		if (d.second->offline) offline.push_back(d.second);
	}
	std::sort(offline.begin(), offline.end(), [](const SubState* a, const SubState* b) { return a->id < b->id; });
	for (const SubState* s: offline) out.subs.push_back(copySub(*s));
	for (const auto& g: c.groups)
	{
		for (const SubState* s: g.second->members) out.subs.push_back(copySub(*s));
		if (g.second->shadow) out.subs.push_back(copySub(*g.second->shadow));
	}
}

/// [offset, offset + limit) of `total`, clamped as the Go server's getMinMaxOffset.
void sliceBounds(const MonitorPage& page, std::size_t& from, std::size_t& to)
{
	from = std::min(page.offset, page.total);
	to = page.limit > page.total - from ? page.total : from + page.limit;
}

void header(GoJson& j, const ServerSnapshot& s, std::int64_t nowNs)
{
	j.str("cluster_id", s.clusterId).str("server_id", s.serverId).str("now", MonitorSnapshot::rfc3339Nano(nowNs));
}

void subscriptionJson(GoJson& j, const SubscriptionSnapshot& s)
{
	j.open(nullptr, '{').str("client_id", s.clientId).str("inbox", s.inbox).str("ack_inbox", s.ackInbox);
	if (!s.durableName.empty()) j.str("durable_name", s.durableName);
	if (!s.queueName.empty()) j.str("queue_name", s.queueName);
	j.boolean("is_durable", s.isDurable).boolean("is_offline", s.isOffline).inum("max_inflight", s.maxInflight);
	j.inum("ack_wait", s.ackWaitSecs).num("last_sent", s.lastSent).num("pending_count", s.pendingCount);
	j.boolean("is_stalled", s.isStalled).close();
}

void channelBody(GoJson& j, const ChannelSnapshot& c, bool withSubs)
{
	j.str("name", c.name).num("msgs", c.msgs).num("bytes", c.bytes).num("first_seq", c.firstSeq).num("last_seq", c.lastSeq);
	if (withSubs && !c.subs.empty())
	{
		j.open("subscriptions", '[');
		for (const auto& s: c.subs) subscriptionJson(j, s);
		j.close();
	}
}

void clientBody(GoJson& j, const ClientSnapshot& c, bool withSubs)
{
	j.str("id", c.id).str("hb_inbox", c.hbInbox);
	if (withSubs && !c.subs.empty())
	{
		j.open("subscriptions", '{');
		for (const auto& ch: c.subs)
		{
			j.open(ch.first.c_str(), '[');
			for (const auto& s: ch.second) subscriptionJson(j, s);
			j.close();
		}
		j.close();
	}
}

} // namespace

ServerSnapshot MonitorSnapshot::serverLocked(const ServerContext& ctx)
{
	ServerSnapshot s;
	s.clusterId = ctx.options.clusterId;
	s.serverId = ctx.serverId;
	s.startNs = ctx.startTimeNs;
	s.clients = ctx.clients->sizeLocked();
	s.channels = ctx.channels->sizeLocked();
	s.subscriptions = ctx.channels->numSubscriptionsLocked();
	for (const auto& c: ctx.channels->allLocked())
	{
		s.totalMsgs += c.second->store.count();
		s.totalBytes += c.second->store.bytes();
	}
	s.inMsgs = ctx.inMsgs;
	s.inBytes = ctx.inBytes;
	s.outMsgs = ctx.outMsgs;
	s.outBytes = ctx.outBytes;
	return s;
}

bool MonitorSnapshot::channelLocked(const ServerContext& ctx, const std::string& name, bool withSubs, ChannelSnapshot& out)
{
	const ChannelState* c = ctx.channels->findLocked(name);
	if (!c) return false;
	copyChannel(*c, withSubs, out);
	return true;
}

std::vector<std::string> MonitorSnapshot::channelNamesLocked(const ServerContext& ctx, MonitorPage& page)
{
	std::vector<std::string> names;
	for (const auto& c: ctx.channels->allLocked()) names.push_back(c.first);
	std::sort(names.begin(), names.end());
	page.total = names.size();
	std::size_t from, to;
	sliceBounds(page, from, to);
	return std::vector<std::string>(names.begin() + static_cast<std::ptrdiff_t>(from), names.begin() + static_cast<std::ptrdiff_t>(to));
}

std::vector<ChannelSnapshot> MonitorSnapshot::channelsLocked(const ServerContext& ctx, MonitorPage& page, bool withSubs)
{
	std::vector<ChannelSnapshot> out;
	for (const std::string& name: channelNamesLocked(ctx, page))
	{
		out.emplace_back();
		copyChannel(*ctx.channels->findLocked(name), withSubs, out.back());
	}
	return out;
}

bool MonitorSnapshot::clientLocked(const ServerContext& ctx, const std::string& id, bool withSubs, ClientSnapshot& out)
{
	const ClientState* c = ctx.clients->findLocked(id);
	if (!c) return false;
	out.id = c->id;
	out.hbInbox = c->hbInbox;
	out.subs.clear();
	if (!withSubs) return true;
	for (std::uint64_t subId: c->subs) // ascending ids: subscription order
	{
		const SubState* s = ctx.subscriptions->findLocked(subId);
		if (s && s->channel) out.subs[s->channel->name].push_back(copySub(*s));
	}
	return true;
}

std::vector<ClientSnapshot> MonitorSnapshot::clientsLocked(const ServerContext& ctx, MonitorPage& page, bool withSubs)
{
	std::vector<std::string> ids;
	for (const auto& c: ctx.clients->allLocked()) ids.push_back(c.first);
	std::sort(ids.begin(), ids.end());
	page.total = ids.size();
	std::size_t from, to;
	sliceBounds(page, from, to);
	std::vector<ClientSnapshot> out;
	for (std::size_t i = from; i < to; ++i)
	{
		out.emplace_back();
		clientLocked(ctx, ids[i], withSubs, out.back());
	}
	return out;
}

std::string MonitorSnapshot::serverzJson(const ServerSnapshot& s, std::int64_t nowNs, int openFds, int maxFds)
{
	GoJson j;
	j.open(nullptr, '{').str("cluster_id", s.clusterId).str("server_id", s.serverId);
	// "go" is the Go runtime version in the Go server; here the compiler that built this one.
	j.str("version", NATS_CPP_VERSION_STRING).str("go", std::string("C++ ") + __VERSION__).str("state", "STANDALONE");
	j.str("now", rfc3339Nano(nowNs)).str("start_time", rfc3339Nano(s.startNs)).str("uptime", uptime(nowNs - s.startNs));
	j.num("clients", s.clients).num("subscriptions", s.subscriptions).num("channels", s.channels);
	j.num("total_msgs", s.totalMsgs).num("total_bytes", s.totalBytes);
	j.num("in_msgs", s.inMsgs).num("in_bytes", s.inBytes).num("out_msgs", s.outMsgs).num("out_bytes", s.outBytes);
	if (openFds) j.inum("open_fds", openFds);
	if (maxFds) j.inum("max_fds", maxFds);
	return j.close().take();
}

std::string MonitorSnapshot::storezJson(const ServerSnapshot& s, const ServerContext& ctx, std::int64_t nowNs)
{
	const StanServerOptions& o = ctx.options;
	GoJson j;
	j.open(nullptr, '{');
	header(j, s, nowNs);
	j.str("type", "MEMORY");
	// stores.StoreLimits (nats-streaming-server stores/store.go): MaxChannels, then the embedded
	// ChannelLimits flattened (MsgStoreLimits max_msgs/max_bytes/max_age, SubStoreLimits
	// max_subscriptions, then MaxInactivity), PerChannel "channels,omitempty". We have neither
	// MaxInactivity nor per-channel limits, so both stay out. NOT VERIFIED for MaxInactivity: this
	// reads it as `json:"max_inactivity,omitempty"`, but the only store.go read here (f482f9c,
	// 2018) has no json tag on it, under which Go writes "MaxInactivity":0; check against a
	// running Go server. Durations are Go time.Duration: integer nanoseconds.
	j.open("limits", '{').inum("max_channels", o.maxChannels).inum("max_msgs", o.maxMsgs).inum("max_bytes", o.maxBytes);
	j.inum("max_age", o.maxAge.totalMicroseconds() * 1000).inum("max_subscriptions", o.maxSubscriptions);
	j.close();
	j.num("total_msgs", s.totalMsgs).num("total_bytes", s.totalBytes);
	return j.close().take();
}

std::string MonitorSnapshot::channelsJson(const ServerSnapshot& s, std::int64_t nowNs, const MonitorPage& page,
	const std::vector<std::string>* names, const std::vector<ChannelSnapshot>* channels)
{
	GoJson j;
	j.open(nullptr, '{');
	header(j, s, nowNs);
	const std::size_t count = names ? names->size() : (channels ? channels->size() : 0);
	j.num("offset", page.offset).num("limit", page.limit).num("count", count).num("total", page.total);
	if (names && !names->empty())
	{
		j.open("names", '[');
		for (const auto& n: *names) j.str(nullptr, n);
		j.close();
	}
	if (channels && !channels->empty())
	{
		j.open("channels", '[');
		for (const auto& c: *channels)
		{
			j.open(nullptr, '{');
			channelBody(j, c, true);
			j.close();
		}
		j.close();
	}
	return j.close().take();
}

std::string MonitorSnapshot::channelJson(const ChannelSnapshot& c, bool withSubs)
{
	GoJson j;
	j.open(nullptr, '{');
	channelBody(j, c, withSubs);
	return j.close().take();
}

std::string MonitorSnapshot::clientsJson(const ServerSnapshot& s, std::int64_t nowNs, const MonitorPage& page, const std::vector<ClientSnapshot>& clients, bool withSubs)
{
	GoJson j;
	j.open(nullptr, '{');
	header(j, s, nowNs);
	j.num("offset", page.offset).num("limit", page.limit).num("count", clients.size()).num("total", page.total);
	// Not omitempty in the Go struct (and never nil there): [] when there is no client.
	j.open("clients", '[');
	for (const auto& c: clients)
	{
		j.open(nullptr, '{');
		clientBody(j, c, withSubs);
		j.close();
	}
	j.close();
	return j.close().take();
}

std::string MonitorSnapshot::clientJson(const ClientSnapshot& c, bool withSubs)
{
	GoJson j;
	j.open(nullptr, '{');
	clientBody(j, c, withSubs);
	return j.close().take();
}

std::string MonitorSnapshot::rfc3339Nano(std::int64_t unixNs)
{
	std::int64_t secs = unixNs / 1000000000LL;
	std::int64_t frac = unixNs % 1000000000LL;
	if (frac < 0)
	{
		frac += 1000000000LL;
		--secs;
	}
	std::time_t t = static_cast<std::time_t>(secs);
	std::tm tm{};
	gmtime_r(&t, &tm);
	char buf[48];
	std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	std::string out(buf);
	if (frac)
	{
		char f[16];
		std::snprintf(f, sizeof(f), ".%09lld", static_cast<long long>(frac));
		std::string fs(f);
		while (fs.back() == '0') fs.pop_back();
		out += fs;
	}
	return out + "Z";
}

std::string MonitorSnapshot::uptime(std::int64_t ns)
{
	const std::int64_t secs = ns < 0 ? 0 : ns / 1000000000LL;
	const std::int64_t mins = secs / 60, hours = mins / 60, days = hours / 24, years = days / 365;
	auto s = [](std::int64_t v, const char* unit) { return std::to_string(v) + unit; };
	if (years > 0) return s(years, "y") + s(days % 365, "d") + s(hours % 24, "h") + s(mins % 60, "m") + s(secs % 60, "s");
	if (days > 0) return s(days, "d") + s(hours % 24, "h") + s(mins % 60, "m") + s(secs % 60, "s");
	if (hours > 0) return s(hours, "h") + s(mins % 60, "m") + s(secs % 60, "s");
	if (mins > 0) return s(mins, "m") + s(secs % 60, "s");
	return s(secs, "s");
}

} // namespace Nats
