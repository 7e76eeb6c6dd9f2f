//
// SubscriptionManager.h
//
// Library: Nats
// Package: Server
// Module:  SubscriptionManager
//
// The streaming server's subscriptions: subscribe (start positions, durables, queue groups),
// unsubscribe and close, offline durables and durable queue groups.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_SubscriptionManager_INCLUDED
#define Nats_SubscriptionManager_INCLUDED

#include "server/ServerContext.h"
#include "server/ServerState.h"
#include "Nats/Message.h"
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace Nats {

/// Creates, resumes and removes subscriptions (protocol.md 3.4, 3.5, 3.7 - 3.10) and owns them;
/// each gets a server-chosen ack inbox under ServerContext::ackPrefix.
///
/// Thread safety: handlers (on*) take ServerContext::mutex; *Locked methods REQUIRE it held.
class SubscriptionManager
{
public:
	explicit SubscriptionManager(ServerContext& ctx);

	SubscriptionManager(const SubscriptionManager&) = delete;
	SubscriptionManager& operator=(const SubscriptionManager&) = delete;

	// ---- NATS handlers (reader thread) ----
	void onSubscribe(const Message& msg);
	/// An UnsubscribeRequest on the unsubscribe (`isClose` false) or subscription-close subject.
	void onUnsubscribe(const Message& msg, bool isClose);

	/// The subscription with this id, nullptr if removed.
	SubState* findLocked(std::uint64_t id) const;

	/// The active subscription with this ack inbox, nullptr if none.
	SubState* findByAckInboxLocked(const std::string& ackInbox) const;

	/// A client is closed: its subscriptions are closed (durables stay, offline).
	void removeClientSubsLocked(ClientState* client);

	void clearLocked();

private:
	void removeSubLocked(SubState* sub, bool unsubscribe);
	void deleteSubLocked(SubState* sub);
	std::string newAckInboxLocked();

	ServerContext& _ctx;
	std::unordered_map<std::uint64_t, std::unique_ptr<SubState>> _subs;
	std::unordered_map<std::string, SubState*> _subsByAckInbox;
	std::uint64_t _nextSubId = 1;
	std::uint64_t _nextAckInbox = 1;
};

} // namespace Nats

#endif // Nats_SubscriptionManager_INCLUDED
