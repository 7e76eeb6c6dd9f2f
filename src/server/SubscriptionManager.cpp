//
// SubscriptionManager.cpp
//
// Library: Nats
// Package: Server
// Module:  SubscriptionManager
//
// Section numbers refer to protocol.md.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/SubscriptionManager.h"
#include "server/ChannelRegistry.h"
#include "server/ClientRegistry.h"
#include "server/DeliveryEngine.h"
#include "protocol/ServerProtocol.h"
#include "core/SubjectRules.h"
#include "protocol.pb.h"
#include <algorithm>
#include <vector>

namespace Nats {

namespace {

/// Pending messages handed to other queue members are redelivered after ~100 ms (3.8).
const std::int64_t QUEUE_TRANSFER_DELAY_NS = 100 * 1000000LL;

} // namespace

SubscriptionManager::SubscriptionManager(ServerContext& ctx)
	: _ctx(ctx)
{
}

SubState* SubscriptionManager::findLocked(std::uint64_t id) const
{
	auto it = _subs.find(id);
	return it == _subs.end() ? nullptr : it->second.get();
}

SubState* SubscriptionManager::findByAckInboxLocked(const std::string& ackInbox) const
{
	auto it = _subsByAckInbox.find(ackInbox);
	return it == _subsByAckInbox.end() ? nullptr : it->second;
}

void SubscriptionManager::removeClientSubsLocked(ClientState* client)
{
	std::vector<std::uint64_t> ids(client->subs.begin(), client->subs.end());
	for (std::uint64_t id : ids)
	{
		auto it = _subs.find(id);
		if (it != _subs.end()) removeSubLocked(it->second.get(), false);
	}
}

void SubscriptionManager::clearLocked()
{
	_subsByAckInbox.clear();
	_subs.clear();
}

std::string SubscriptionManager::newAckInboxLocked()
{
	return _ctx.ackPrefix + std::to_string(_nextAckInbox++);
}

void SubscriptionManager::onSubscribe(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	const std::string& reply = msg.reply();
	natsstan::SubscriptionRequest req;
	if (!req.ParseFromString(msg.data()))
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_SUB_REQ);
		return;
	}
	if (req.clientid().empty())
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_MISSING_CLIENT);
		return;
	}
	// A released server refuses every ackWaitInSecs <= 0 (the millisecond reading of negative
	// values exists only in the Go server's test build).
	if (req.ackwaitinsecs() <= 0)
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_ACK_WAIT);
		return;
	}
	if (req.maxinflight() <= 0)
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_MAX_INFLIGHT);
		return;
	}
	int position = static_cast<int>(req.startposition());
	if (position < 0 || position > 4)
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_START);
		return;
	}
	if (!SubjectRules::isValidChannel(req.subject()))
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_SUBJECT);
		return;
	}
	ClientState* client = _ctx.clients->findLocked(req.clientid());
	if (!client)
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_UNKNOWN_CLIENT);
		return;
	}
	std::string error;
	ChannelState* c = _ctx.channels->lookupOrCreateLocked(req.subject(), error);
	if (!c)
	{
		_ctx.sendSubResponseLocked(reply, "", error);
		return;
	}
	std::string qGroup = req.qgroup();
	std::string durableName = req.durablename();
	bool durableQueue = !qGroup.empty() && !durableName.empty();
	if (durableQueue)
	{
		if (durableName.find(':') != std::string::npos)
		{
			_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_DUR_NAME);
			return;
		}
		qGroup = durableName + ":" + qGroup;
		durableName.clear();
	}
	std::string durableKey;
	SubState* resumed = nullptr;
	if (!durableName.empty())
	{
		durableKey = req.clientid() + "-" + durableName;
		auto dit = c->durables.find(durableKey);
		if (dit != c->durables.end())
		{
			if (!dit->second->offline)
			{
				_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_DUP_DURABLE);
				return;
			}
			resumed = dit->second;
		}
	}

	std::int64_t ackWaitNs = ServerProtocol::ackWaitNanos(req.ackwaitinsecs());
	std::int64_t nowNs = ServerProtocol::nowNanos();
	QueueGroup* group = nullptr;
	bool reactivated = false;
	SubState* sub = nullptr;

	if (!qGroup.empty())
	{
		auto git = c->groups.find(qGroup);
		if (git != c->groups.end() && git->second->shadow)
		{
			// Reactivating a durable queue group: the shadow becomes this member (3.9).
			group = git->second.get();
			sub = group->shadow;
			group->shadow = nullptr;
			reactivated = true;
		}
		else
		{
			if (_ctx.options.maxSubscriptions > 0 && c->storedSubs >= static_cast<std::size_t>(_ctx.options.maxSubscriptions))
			{
				_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_TOO_MANY_SUBS);
				return;
			}
			if (git == c->groups.end())
			{
				auto pGroup = std::make_unique<QueueGroup>();
				pGroup->name = qGroup;
				pGroup->durable = durableQueue;
				pGroup->lastSent = c->store.startLastSent(position, req.startsequence(), req.starttimedelta(), nowNs);
				group = pGroup.get();
				c->groups[qGroup] = std::move(pGroup);
			}
			else
			{
				group = git->second.get(); // start position ignored when joining
			}
		}
	}
	else if (resumed)
	{
		sub = resumed;
	}
	else if (_ctx.options.maxSubscriptions > 0 && c->storedSubs >= static_cast<std::size_t>(_ctx.options.maxSubscriptions))
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_TOO_MANY_SUBS);
		return;
	}

	if (!sub)
	{
		auto pSub = std::make_unique<SubState>();
		sub = pSub.get();
		sub->id = _nextSubId++;
		sub->channel = c;
		sub->durableName = durableName;
		// A member joining an existing group starts at 0: the group's lastSent drives the
		// delivery, the member's only says what it was sent (Go: processSub, setStartPos false).
		if (!group) sub->lastSent = c->store.startLastSent(position, req.startsequence(), req.starttimedelta(), nowNs);
		else if (group->members.empty()) sub->lastSent = group->lastSent;
		_subs[sub->id] = std::move(pSub);
		++c->storedSubs;
		if (!durableKey.empty()) c->durables[durableKey] = sub;
	}
	sub->clientID = req.clientid();
	sub->client = client;
	sub->inbox = req.inbox();
	sub->maxInFlight = req.maxinflight();
	sub->ackWaitNs = ackWaitNs;
	sub->offline = false;
	sub->stalled = false;
	sub->ackInbox = newAckInboxLocked();
	_subsByAckInbox[sub->ackInbox] = sub;
	client->subs.insert(sub->id);
	if (group)
	{
		sub->group = group;
		group->members.push_back(sub);
		if (reactivated) sub->lastSent = group->lastSent;
	}
	else
	{
		c->subs.push_back(sub);
	}
	if (_ctx.options.debug)
	{
		_ctx.logger.debug("[Client:" + sub->clientID + "] subscribed to \"" + c->name + "\"" +
			(group ? " queue \"" + group->name + "\"" : std::string()) +
			(sub->durableName.empty() ? std::string() : " durable \"" + sub->durableName + "\"") +
			(resumed || reactivated ? " (resumed)" : ""));
	}
	_ctx.sendSubResponseLocked(reply, sub->ackInbox, "");

	// Initial delivery, after the response (2.4): pending of a resumed durable first.
	if (resumed || reactivated)
	{
		_ctx.delivery->redeliverAllPendingLocked(sub);
		if (group && sub->stalled) ++group->stalledCount;
	}
	if (group) _ctx.delivery->sendAvailableToGroupLocked(group);
	else _ctx.delivery->sendAvailableLocked(sub);
}

void SubscriptionManager::onUnsubscribe(const Message& msg, bool isClose)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	const std::string& reply = msg.reply();
	natsstan::UnsubscribeRequest req;
	if (!req.ParseFromString(msg.data()))
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_UNSUB_REQ);
		return;
	}
	ChannelState* c = _ctx.channels->findLocked(req.subject());
	if (!c)
	{
		// The real server checks the channel before the inbox (protocol.md 2.7): an unknown
		// channel is "stan: unknown channel"; an unknown inbox on a known channel is ErrInvalidSub.
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_UNKNOWN_CHANNEL);
		return;
	}
	SubState* sub = nullptr;
	auto sit = _subsByAckInbox.find(req.inbox());
	if (sit != _subsByAckInbox.end() && sit->second->channel == c)
	{
		sub = sit->second;
	}
	else if (!req.inbox().empty())
	{
		// Fall back to the delivery inbox (a client whose subscribe request timed out, 2.4).
		for (SubState* s : c->subs)
			if (s->inbox == req.inbox()) sub = s;
		for (auto& g : c->groups)
			for (SubState* s : g.second->members)
				if (s->inbox == req.inbox()) sub = s;
	}
	if (!sub || sub->offline)
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_SUB);
		return;
	}
	if (sub->clientID != req.clientid() || !_ctx.clients->findLocked(req.clientid()))
	{
		_ctx.sendSubResponseLocked(reply, "", ServerProtocol::ERR_UNKNOWN_CLIENT);
		return;
	}
	if (_ctx.options.debug)
	{
		_ctx.logger.debug("[Client:" + sub->clientID + "] " + (isClose ? "closed" : "unsubscribed") + " subscription on \"" + c->name + "\"");
	}
	removeSubLocked(sub, !isClose);
	_ctx.sendSubResponseLocked(reply, "", "");
}

void SubscriptionManager::removeSubLocked(SubState* sub, bool unsubscribe)
{
	ChannelState* c = sub->channel;
	_ctx.delivery->cancelAckTimerLocked(sub);
	_subsByAckInbox.erase(sub->ackInbox);
	const std::string ackInbox = sub->ackInbox;
	sub->ackInbox.clear();
	if (sub->client) sub->client->subs.erase(sub->id);
	sub->client = nullptr;

	if (QueueGroup* group = sub->group)
	{
		auto& members = group->members;
		members.erase(std::remove(members.begin(), members.end(), sub), members.end());
		if (members.empty())
		{
			if (group->durable && !unsubscribe)
			{
				// The durable group survives offline; the shadow keeps the pending messages (3.9).
				sub->offline = true;
				sub->lastSent = group->lastSent;
				sub->lastInbox = sub->inbox;
				sub->lastAckInbox = ackInbox;
				sub->inbox.clear();
				// The shadow keeps its stalled flag, reported by the monitoring endpoint as the Go
				// server does (subStore.Remove leaves it); a member reactivating it clears it.
				group->shadow = sub;
				group->stalledCount = 0;
				return;
			}
			std::string name = group->name;
			deleteSubLocked(sub);
			c->groups.erase(name);
			return;
		}
		if (sub->stalled && group->stalledCount > 0) --group->stalledCount;
		// Hand the pending messages round robin, in expiry order, to the remaining members; they
		// are redelivered about 100 ms later (3.8). If the leaving member had the group's last
		// sent message and none of them is it, the first member takes that lastSent (Go:
		// subStore.Remove, storageUpdate).
		bool passLastSent = sub->lastSent == group->lastSent;
		std::vector<std::pair<std::int64_t, std::uint64_t>> sorted;
		for (const auto& p : sub->pending) sorted.emplace_back(p.second, p.first);
		std::sort(sorted.begin(), sorted.end());
		std::int64_t now = ServerProtocol::nowNanos();
		// As the Go server: expiry one second in the past forces the redelivery.
		std::int64_t expired = now - 1000000000LL;
		std::size_t idx = 0;
		for (const auto& e : sorted)
		{
			SubState* q = members[idx];
			if (e.second == group->lastSent) passLastSent = false;
			q->pending[e.second] = expired;
			if (e.second > q->lastSent) q->lastSent = e.second;
			_ctx.delivery->armAckTimerLocked(q, now + QUEUE_TRANSFER_DELAY_NS);
			if (!q->stalled && q->pending.size() >= static_cast<std::size_t>(q->maxInFlight))
			{
				q->stalled = true;
				++group->stalledCount;
			}
			if (++idx == members.size()) idx = 0;
		}
		if (passLastSent) members.front()->lastSent = group->lastSent;
		deleteSubLocked(sub);
		return;
	}

	auto& subs = c->subs;
	subs.erase(std::remove(subs.begin(), subs.end(), sub), subs.end());
	if (!sub->durableName.empty() && !unsubscribe)
	{
		// Durable: suspended, resumable with the same client ID and durable name (3.7). It keeps
		// its stalled flag while offline, as in the Go server (cleared when it resumes).
		sub->offline = true;
		sub->lastInbox = sub->inbox;
		sub->lastAckInbox = ackInbox;
		sub->inbox.clear();
		return;
	}
	if (!sub->durableName.empty()) c->durables.erase(sub->clientID + "-" + sub->durableName);
	deleteSubLocked(sub);
}

void SubscriptionManager::deleteSubLocked(SubState* sub)
{
	ChannelState* c = sub->channel;
	if (c->storedSubs > 0) --c->storedSubs;
	_ctx.delivery->cancelAckTimerLocked(sub);
	_subs.erase(sub->id); // destroys `sub`
}

} // namespace Nats
