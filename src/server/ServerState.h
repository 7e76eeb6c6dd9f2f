//
// ServerState.h
//
// Library: Nats
// Package: Server
// Module:  ServerState
//
// The records of the streaming server's state: clients, subscriptions, queue groups, channels.
// Plain structs owned by StanServerImpl and protected by its lock.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ServerState_INCLUDED
#define Nats_ServerState_INCLUDED

#include "server/MemoryMsgStore.h"
#include "core/Timer.h"
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace Nats {

struct ChannelState;
struct QueueGroup;

/// A registered client (protocol.md 3.1). `generation` is unique per registration, so timer
/// tasks and heartbeat replies of a replaced client are recognised and ignored.
struct ClientState
{
	std::string id;
	std::string hbInbox;
	std::string connID;
	std::int32_t protocol = 0;
	std::int32_t pingInterval = 0;
	std::int32_t pingMaxOut = 0;
	std::uint64_t generation = 0;
	int failedHB = 0;
	Timer::Id hbTimer = 0;    ///< next heartbeat, 0 while one is outstanding
	std::uint64_t hbToken = 0;      ///< outstanding heartbeat request, 0 if none
	std::set<std::uint64_t> subs;   ///< ids of its active subscriptions
};

/// A subscription (plain, durable, or queue member; an offline durable or the shadow of a durable
/// queue group has `offline` set and no client). Pending acks are ordered by sequence; the ack
/// timer is armed while messages are pending.
struct SubState
{
	std::uint64_t id = 0;
	std::string clientID;           ///< owner; kept for an offline durable (part of its key)
	ClientState* client = nullptr;  ///< nullptr while offline
	ChannelState* channel = nullptr;
	std::string inbox;              ///< delivery inbox of the client
	std::string ackInbox;           ///< where the client sends Acks (server-chosen)
	std::string lastInbox;          ///< inbox / ackInbox before going offline: the monitoring
	std::string lastAckInbox;       ///< endpoint shows them for offline durables, as the Go server
	std::string durableName;        ///< non-queue durable name, empty otherwise
	QueueGroup* group = nullptr;    ///< queue group, nullptr for plain subscriptions
	std::int32_t maxInFlight = 1;
	std::int64_t ackWaitNs = 0;
	std::uint64_t lastSent = 0;
	std::map<std::uint64_t, std::int64_t> pending; ///< sequence -> expiry (Unix ns)
	std::unordered_map<std::uint64_t, std::uint32_t> redeliveries; ///< plain subs only
	bool stalled = false;
	bool offline = false;
	Timer::Id ackTimer = 0;
	std::int64_t ackTimerAt = 0;    ///< Unix ns the ack timer fires at, 0 if not armed
};

/// A queue group of a channel; durable groups are named "<durable>:<group>".
struct QueueGroup
{
	std::string name;
	bool durable = false;
	std::vector<SubState*> members;
	std::uint64_t lastSent = 0;
	std::unordered_map<std::uint64_t, std::uint32_t> redeliveries;
	std::size_t stalledCount = 0;
	SubState* shadow = nullptr;     ///< offline state of a durable group without members
};

/// A channel: its messages and subscriptions.
struct ChannelState
{
	ChannelState(const std::string& n, std::int64_t maxMsgs, std::int64_t maxBytes, std::int64_t maxAgeNs)
		: name(n), store(maxMsgs, maxBytes, maxAgeNs)
	{
	}

	std::string name;
	MemoryMsgStore store;
	std::vector<SubState*> subs;                            ///< active non-queue subscriptions
	std::unordered_map<std::string, SubState*> durables;    ///< "<clientID>-<durable>" -> sub (active or offline)
	std::map<std::string, std::unique_ptr<QueueGroup>> groups;
	std::size_t storedSubs = 0;                             ///< counted against maxSubscriptions
	Timer::Id ageTimer = 0;
};

} // namespace Nats

#endif // Nats_ServerState_INCLUDED
