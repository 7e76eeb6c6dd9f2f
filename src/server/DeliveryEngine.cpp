//
// DeliveryEngine.cpp
//
// Library: Nats
// Package: Server
// Module:  DeliveryEngine
//
// Section numbers refer to protocol.md.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/DeliveryEngine.h"
#include "server/SubscriptionManager.h"
#include "protocol/ServerProtocol.h"
#include "protocol/StanCodec.h"
#include "protocol.pb.h"
#include <algorithm>
#include <vector>

namespace Nats {

namespace {

/// 15 ms: pending messages expiring within this margin are redelivered together (3.6).
const std::int64_t ACK_EXPIRATION_DELTA_NS = 15 * 1000000LL;

} // namespace

DeliveryEngine::DeliveryEngine(ServerContext& ctx)
	: _ctx(ctx)
{
}

void DeliveryEngine::deliverLocked(ChannelState* c)
{
	for (SubState* sub : c->subs) sendAvailableLocked(sub);
	for (auto& g : c->groups) sendAvailableToGroupLocked(g.second.get());
}

void DeliveryEngine::sendAvailableLocked(SubState* sub)
{
	if (sub->offline || sub->stalled) return;
	MemoryMsgStore& store = sub->channel->store;
	for (;;)
	{
		std::uint64_t next = sub->lastSent + 1;
		if (next < store.firstSequence()) next = store.firstSequence();
		const StoredMsg* m = store.lookup(next);
		if (!m) break;
		auto r = sendMsgToSubLocked(sub, *m, false, false);
		if (!r.first || !r.second) break;
	}
}

void DeliveryEngine::sendAvailableToGroupLocked(QueueGroup* group)
{
	if (group->members.empty()) return;
	MemoryMsgStore& store = group->members.front()->channel->store;
	while (group->stalledCount < group->members.size())
	{
		std::uint64_t next = group->lastSent + 1;
		if (next < store.firstSequence())
		{
			next = store.firstSequence();
			group->lastSent = next - 1;
		}
		const StoredMsg* m = store.lookup(next);
		if (!m) break;
		SubState* pick = findBestQueueSubLocked(group);
		bool wasStalled = pick->stalled;
		auto r = sendMsgToSubLocked(pick, *m, false, false);
		if (!wasStalled && pick->stalled) ++group->stalledCount;
		if (r.first && pick->lastSent > group->lastSent) group->lastSent = pick->lastSent;
		// Unlike a plain subscription, one member becoming stalled does not stop the group:
		// the loop ends when every member is stalled (or nothing was sent).
		if (!r.first) break;
	}
}

bool DeliveryEngine::hasFailedHBLocked(const SubState* sub) const
{
	return sub->client && sub->client->failedHB > 0;
}

SubState* DeliveryEngine::findBestQueueSubLocked(QueueGroup* group)
{
	auto& members = group->members;
	SubState* best = nullptr;
	std::size_t least = static_cast<std::size_t>(-1);
	for (SubState* s : members)
	{
		if (!s->stalled && !hasFailedHBLocked(s) && s->pending.size() < least)
		{
			least = s->pending.size();
			best = s;
		}
	}
	if (!best && !members.empty()) best = members.front();
	// Moving the chosen head to the tail gives round robin among equally loaded members.
	if (members.size() > 1 && best == members.front())
	{
		members.erase(members.begin());
		members.push_back(best);
	}
	return best;
}

std::pair<bool, bool> DeliveryEngine::sendMsgToSubLocked(SubState* sub, const StoredMsg& m, bool redelivery, bool force)
{
	if (sub->offline) return {false, false};
	std::size_t ap = sub->pending.size();
	if (!force && ap >= static_cast<std::size_t>(sub->maxInFlight))
	{
		sub->stalled = true;
		return {false, false};
	}
	if (redelivery)
	{
		std::uint32_t& count = sub->group ? sub->group->redeliveries[m.sequence] : sub->redeliveries[m.sequence];
		++count;
		std::string buf;
		buf.reserve(m.encoded.size() + 8);
		buf = m.encoded;
		StanCodec::appendRedelivered(buf, count);
		// As the Go server: a message that cannot be sent is not pending and stops the delivery.
		if (!_ctx.sendLocked(sub->inbox, buf)) return {false, false};
		_ctx.outBytes += buf.size();
	}
	else if (!_ctx.sendLocked(sub->inbox, m.encoded))
	{
		return {false, false};
	}
	else
	{
		_ctx.outBytes += m.encoded.size();
	}
	// As the Go server (server.go, sendMsgToSub): new and redelivered messages count, with the
	// size of the MsgProto sent.
	++_ctx.outMsgs;
	std::int64_t now = ServerProtocol::nowNanos();
	auto it = sub->pending.find(m.sequence);
	if (it != sub->pending.end())
	{
		// Already pending (redelivery to the same member): the next expiry is one ackWait later.
		it->second += sub->ackWaitNs;
		if (sub->ackTimer == 0) armAckTimerLocked(sub, now + sub->ackWaitNs);
		return {true, true};
	}
	if (m.sequence > sub->lastSent) sub->lastSent = m.sequence;
	sub->pending.emplace_hint(sub->pending.end(), m.sequence, now + sub->ackWaitNs);
	if (sub->ackTimer == 0) armAckTimerLocked(sub, now + sub->ackWaitNs);
	if (!force && ap + 1 >= static_cast<std::size_t>(sub->maxInFlight))
	{
		sub->stalled = true;
		return {true, false};
	}
	return {true, true};
}

void DeliveryEngine::armAckTimerLocked(SubState* sub, std::int64_t atNs)
{
	if (sub->ackTimer)
	{
		if (sub->ackTimerAt <= atNs) return;
		_ctx.timer.cancel(sub->ackTimer);
	}
	std::uint64_t id = sub->id;
	sub->ackTimerAt = atNs;
	sub->ackTimer = _ctx.scheduleAfterNs(atNs - ServerProtocol::nowNanos(), [this, id] { onAckTimer(id); });
}

void DeliveryEngine::cancelAckTimerLocked(SubState* sub)
{
	_ctx.timer.cancel(sub->ackTimer);
	sub->ackTimer = 0;
	sub->ackTimerAt = 0;
}

void DeliveryEngine::onAckTimer(std::uint64_t subId)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	SubState* sub = _ctx.subscriptions->findLocked(subId);
	if (!sub) return;
	sub->ackTimer = 0;
	sub->ackTimerAt = 0;
	if (sub->offline || sub->pending.empty()) return;
	if (!sub->group && hasFailedHBLocked(sub))
	{
		// The client misses heartbeats: no redelivery now, check again one ackWait later.
		armAckTimerLocked(sub, ServerProtocol::nowNanos() + sub->ackWaitNs);
		return;
	}
	// Pending messages by expiry (ties by sequence).
	std::vector<std::pair<std::int64_t, std::uint64_t>> sorted;
	sorted.reserve(sub->pending.size());
	for (const auto& p : sub->pending) sorted.emplace_back(p.second, p.first);
	std::sort(sorted.begin(), sorted.end());

	ChannelState* c = sub->channel;
	QueueGroup* group = sub->group;
	std::int64_t limit = ServerProtocol::nowNanos() + ACK_EXPIRATION_DELTA_NS;
	std::int64_t nextExpiration = 0;
	for (const auto& e : sorted)
	{
		std::uint64_t seq = e.second;
		if (!_ctx.subscriptions->findLocked(subId)) return; // removed by an implicit ack cascade
		const StoredMsg* m = c->store.lookup(seq);
		if (!m)
		{
			// Dropped by a limit: implicitly acknowledged, its redelivery count forgotten.
			processAckLocked(sub, seq, false);
			if (group) group->redeliveries.erase(seq);
			else sub->redeliveries.erase(seq);
			continue;
		}
		if (sub->pending.find(seq) == sub->pending.end()) continue;
		if (e.first > limit)
		{
			nextExpiration = e.first;
			break;
		}
		if (group)
		{
			// May go to another member; the original one then gets an implicit ack.
			SubState* pick = findBestQueueSubLocked(group);
			bool wasStalled = pick->stalled;
			auto r = sendMsgToSubLocked(pick, *m, true, true);
			(void) wasStalled;
			if (pick != sub && r.first) processAckLocked(sub, seq, false);
		}
		else
		{
			sendMsgToSubLocked(sub, *m, true, true);
		}
	}
	if (sub->pending.empty())
	{
		cancelAckTimerLocked(sub);
		return;
	}
	std::int64_t now = ServerProtocol::nowNanos();
	std::int64_t at = nextExpiration > now ? nextExpiration : now + sub->ackWaitNs;
	cancelAckTimerLocked(sub);
	armAckTimerLocked(sub, at);
}

void DeliveryEngine::onAck(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	SubState* sub = _ctx.subscriptions->findByAckInboxLocked(msg.subject());
	if (!sub) return;
	natsstan::Ack ack;
	if (!ack.ParseFromString(msg.data())) return;
	if (ack.subject() != sub->channel->name) return;
	if (_ctx.options.trace) _ctx.logger.trace("[Client:" + sub->clientID + "] ack \"" + ack.subject() + "\" seq " + std::to_string(ack.sequence()));
	processAckLocked(sub, ack.sequence(), true);
}

void DeliveryEngine::processAckLocked(SubState* sub, std::uint64_t sequence, bool fromUser)
{
	QueueGroup* group = sub->group;
	auto it = sub->pending.find(sequence);
	if (it != sub->pending.end())
	{
		sub->pending.erase(it);
		if (fromUser)
		{
			if (group) group->redeliveries.erase(sequence);
			else sub->redeliveries.erase(sequence);
		}
	}
	else if (group && fromUser)
	{
		// Not pending on this member: apply it to the member that has it (3.8).
		for (SubState* other : group->members)
		{
			if (other == sub) continue;
			auto oit = other->pending.find(sequence);
			if (oit == other->pending.end()) continue;
			other->pending.erase(oit);
			group->redeliveries.erase(sequence);
			if (other->stalled && other->pending.size() < static_cast<std::size_t>(other->maxInFlight))
			{
				other->stalled = false;
				if (group->stalledCount > 0) --group->stalledCount;
			}
			break;
		}
	}
	bool resume = false;
	if (sub->stalled && sub->pending.size() < static_cast<std::size_t>(sub->maxInFlight))
	{
		sub->stalled = false;
		if (group && group->stalledCount > 0) --group->stalledCount;
		resume = true;
	}
	if (resume && !sub->offline)
	{
		if (group) sendAvailableToGroupLocked(group);
		else sendAvailableLocked(sub);
	}
}

void DeliveryEngine::redeliverAllPendingLocked(SubState* sub)
{
	// Resumed durable / reactivated durable queue group: every pending message first, ascending,
	// flagged redelivered (3.7), before any new message.
	std::vector<std::uint64_t> seqs;
	seqs.reserve(sub->pending.size());
	for (const auto& p : sub->pending) seqs.push_back(p.first);
	for (std::uint64_t seq : seqs)
	{
		const StoredMsg* m = sub->channel->store.lookup(seq);
		if (!m)
		{
			sub->pending.erase(seq);
			continue;
		}
		// Expiry restarts from now for messages of an offline period.
		sub->pending[seq] = ServerProtocol::nowNanos();
		sendMsgToSubLocked(sub, *m, true, true);
	}
	sub->stalled = sub->pending.size() >= static_cast<std::size_t>(sub->maxInFlight);
}

} // namespace Nats
