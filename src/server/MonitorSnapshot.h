//
// MonitorSnapshot.h
//
// Library: Nats
// Package: Server
// Module:  MonitorSnapshot
//
// What the monitoring endpoint reports: copies of the server's state taken under its lock, and
// the JSON of each page in the shape of nats-streaming-server's server/monitor.go.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_MonitorSnapshot_INCLUDED
#define Nats_MonitorSnapshot_INCLUDED

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace Nats {

struct ServerContext;

/// One subscription (Go: Subscriptionz). Offline durables and the shadow of a durable queue
/// group without members keep the client ID, inbox and ack inbox they had last.
struct SubscriptionSnapshot
{
	std::string clientId;
	std::string inbox;
	std::string ackInbox;
	std::string durableName;  ///< empty for queue subscriptions (durable queues: in queueName)
	std::string queueName;    ///< "<durable>:<group>" for durable queue groups
	bool isDurable = false;
	bool isOffline = false;
	std::int64_t maxInflight = 0;
	std::int64_t ackWaitSecs = 0;
	std::uint64_t lastSent = 0;
	std::size_t pendingCount = 0;
	bool isStalled = false;
};

/// One channel (Go: Channelz); `subs` only when asked for (?subs=1).
struct ChannelSnapshot
{
	std::string name;
	std::uint64_t msgs = 0;
	std::uint64_t bytes = 0;
	std::uint64_t firstSeq = 0;
	std::uint64_t lastSeq = 0;
	std::vector<SubscriptionSnapshot> subs;
};

/// One client (Go: Clientz); `subs` by channel only when asked for (?subs=1).
struct ClientSnapshot
{
	std::string id;
	std::string hbInbox;
	std::map<std::string, std::vector<SubscriptionSnapshot>> subs;
};

/// The counters of /streaming/serverz and /streaming/storez.
struct ServerSnapshot
{
	std::string clusterId;
	std::string serverId;
	std::int64_t startNs = 0;
	std::size_t clients = 0;
	std::size_t subscriptions = 0;
	std::size_t channels = 0;
	std::uint64_t totalMsgs = 0;
	std::uint64_t totalBytes = 0;
	std::uint64_t inMsgs = 0;
	std::uint64_t inBytes = 0;
	std::uint64_t outMsgs = 0;
	std::uint64_t outBytes = 0;
};

/// A page of a list (Go: ?offset=&limit=, limit <= 0 means 1024; offset < 0 means 0).
struct MonitorPage
{
	static constexpr std::size_t DEFAULT_LIMIT = 1024;

	std::size_t offset = 0;
	std::size_t limit = DEFAULT_LIMIT;
	std::size_t total = 0;   ///< filled by the *Locked list functions
};

/// The copies (functions named *Locked REQUIRE ServerContext::mutex held; they only copy) and
/// the JSON of the pages (no lock: built after the copy, so the HTTP threads never format or
/// write while holding the server's lock). JSON is indented with two spaces like Go's
/// json.MarshalIndent, fields in the Go structs' order, omitempty where the Go server has it.
class MonitorSnapshot
{
public:
	static ServerSnapshot serverLocked(const ServerContext& ctx);

	/// False if the channel does not exist.
	static bool channelLocked(const ServerContext& ctx, const std::string& name, bool withSubs, ChannelSnapshot& out);

	/// The channel names sorted by name, the page's slice of them.
	static std::vector<std::string> channelNamesLocked(const ServerContext& ctx, MonitorPage& page);

	/// The channels sorted by name, the page's slice of them.
	static std::vector<ChannelSnapshot> channelsLocked(const ServerContext& ctx, MonitorPage& page, bool withSubs);

	/// False if the client is not registered.
	static bool clientLocked(const ServerContext& ctx, const std::string& id, bool withSubs, ClientSnapshot& out);

	/// The clients sorted by ID, the page's slice of them.
	static std::vector<ClientSnapshot> clientsLocked(const ServerContext& ctx, MonitorPage& page, bool withSubs);

	// ---- JSON; `nowNs` is Unix ns ----
	static std::string serverzJson(const ServerSnapshot& s, std::int64_t nowNs, int openFds, int maxFds);
	static std::string storezJson(const ServerSnapshot& s, const ServerContext& ctx, std::int64_t nowNs);
	static std::string channelsJson(const ServerSnapshot& s, std::int64_t nowNs, const MonitorPage& page,
		const std::vector<std::string>* names, const std::vector<ChannelSnapshot>* channels);
	static std::string channelJson(const ChannelSnapshot& c, bool withSubs);
	static std::string clientsJson(const ServerSnapshot& s, std::int64_t nowNs, const MonitorPage& page, const std::vector<ClientSnapshot>& clients, bool withSubs);
	static std::string clientJson(const ClientSnapshot& c, bool withSubs);

	/// Go's time.Time JSON form (RFC 3339, nanoseconds without trailing zeros), in UTC.
	static std::string rfc3339Nano(std::int64_t unixNs);

	/// The Go server's uptime form: "17s", "5m3s", "2h0m1s", "3d1h0m0s", "1y2d...".
	static std::string uptime(std::int64_t ns);
};

} // namespace Nats

#endif // Nats_MonitorSnapshot_INCLUDED
