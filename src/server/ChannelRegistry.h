//
// ChannelRegistry.h
//
// Library: Nats
// Package: Server
// Module:  ChannelRegistry
//
// The streaming server's channels: creation with limits and case clashes, publish, max-age expiry.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ChannelRegistry_INCLUDED
#define Nats_ChannelRegistry_INCLUDED

#include "server/ServerContext.h"
#include "server/ServerState.h"
#include "Nats/Message.h"
#include <memory>
#include <string>
#include <unordered_map>

namespace Nats {

/// Creates channels on first use (protocol.md 3.2: maxChannels, names differing only in case
/// refused), stores published messages and has them delivered before the PubAck (3.3), expires
/// messages older than maxAge on the timer thread.
///
/// Thread safety: handlers (on*) take ServerContext::mutex; *Locked methods REQUIRE it held.
class ChannelRegistry
{
public:
	explicit ChannelRegistry(ServerContext& ctx);

	ChannelRegistry(const ChannelRegistry&) = delete;
	ChannelRegistry& operator=(const ChannelRegistry&) = delete;

	/// NATS handler (reader thread): a PubMsg on "<pubPrefix>.<channel>".
	void onPublish(const Message& msg);

	/// The channel, created if needed; nullptr with `error` set (the text for the client) if a
	/// limit or a case clash refuses it. REQUIRES: `name` is a valid channel name.
	ChannelState* lookupOrCreateLocked(const std::string& name, std::string& error);

	/// The channel, nullptr if it does not exist.
	ChannelState* findLocked(const std::string& name) const;

	std::size_t sizeLocked() const;
	/// Subscriptions counted against maxSubscriptions, over all channels.
	std::size_t numSubscriptionsLocked() const;
	bool channelInfoLocked(const std::string& name, StanChannelInfo& info) const;
	void clearLocked();

	/// Every channel by name (the monitoring endpoint's snapshot reads it).
	const std::unordered_map<std::string, std::unique_ptr<ChannelState>>& allLocked() const { return _channels; }

private:
	void armAgeTimerLocked(ChannelState* channel);
	/// Timer task: expires the messages of `channel` older than maxAge.
	void onAgeTimer(const std::string& channel);

	ServerContext& _ctx;
	std::unordered_map<std::string, std::unique_ptr<ChannelState>> _channels;
	std::unordered_map<std::string, std::string> _channelsLower;
};

} // namespace Nats

#endif // Nats_ChannelRegistry_INCLUDED
