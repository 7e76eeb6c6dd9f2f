//
// DeliveryEngine.h
//
// Library: Nats
// Package: Server
// Module:  DeliveryEngine
//
// The streaming server's delivery: send within maxInFlight, acks, ack-wait redelivery, queue
// group member choice and the transfer of pending messages.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_DeliveryEngine_INCLUDED
#define Nats_DeliveryEngine_INCLUDED

#include "server/ServerContext.h"
#include "server/ServerState.h"
#include "Nats/Message.h"
#include <cstdint>
#include <utility>

namespace Nats {

/// Sends stored messages to subscriptions and queue groups (protocol.md 3.6, 3.8), processes
/// acks, redelivers messages not acknowledged within ackWait (timer thread). Holds no state of its
/// own: everything lives in ServerState (SubState, QueueGroup, ChannelState).
///
/// Thread safety: handlers (on*) take ServerContext::mutex; *Locked methods REQUIRE it held.
class DeliveryEngine
{
public:
	explicit DeliveryEngine(ServerContext& ctx);

	DeliveryEngine(const DeliveryEngine&) = delete;
	DeliveryEngine& operator=(const DeliveryEngine&) = delete;

	/// NATS handler (reader thread): an Ack on a subscription's ack inbox.
	void onAck(const Message& msg);

	/// Sends what every subscription and queue group of `channel` may receive now.
	void deliverLocked(ChannelState* channel);
	void sendAvailableLocked(SubState* sub);
	void sendAvailableToGroupLocked(QueueGroup* group);

	/// Resumed durable / reactivated durable queue group: every pending message first, ascending,
	/// flagged redelivered (3.7).
	void redeliverAllPendingLocked(SubState* sub);

	/// Arms the ack timer of `sub` at `atNs` (Unix ns) unless it is armed to fire earlier.
	void armAckTimerLocked(SubState* sub, std::int64_t atNs);
	void cancelAckTimerLocked(SubState* sub);

private:
	/// Timer task: redelivers the expired pending messages of subscription `subId`.
	void onAckTimer(std::uint64_t subId);

	SubState* findBestQueueSubLocked(QueueGroup* group);
	/// Sends `m` to `sub`; returns {sent, sendMore}. `force` ignores maxInFlight (redeliveries).
	std::pair<bool, bool> sendMsgToSubLocked(SubState* sub, const StoredMsg& m, bool redelivery, bool force);
	void processAckLocked(SubState* sub, std::uint64_t sequence, bool fromUser);
	bool hasFailedHBLocked(const SubState* sub) const;

	ServerContext& _ctx;
};

} // namespace Nats

#endif // Nats_DeliveryEngine_INCLUDED
