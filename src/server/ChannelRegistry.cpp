//
// ChannelRegistry.cpp
//
// Library: Nats
// Package: Server
// Module:  ChannelRegistry
//
// Section numbers refer to protocol.md.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/ChannelRegistry.h"
#include "server/ClientRegistry.h"
#include "server/DeliveryEngine.h"
#include "protocol/ServerProtocol.h"
#include "core/SubjectRules.h"
#include "protocol.pb.h"

namespace Nats {

ChannelRegistry::ChannelRegistry(ServerContext& ctx)
	: _ctx(ctx)
{
}

ChannelState* ChannelRegistry::findLocked(const std::string& name) const
{
	auto it = _channels.find(name);
	return it == _channels.end() ? nullptr : it->second.get();
}

std::size_t ChannelRegistry::sizeLocked() const
{
	return _channels.size();
}

std::size_t ChannelRegistry::numSubscriptionsLocked() const
{
	std::size_t n = 0;
	for (const auto& c : _channels) n += c.second->storedSubs;
	return n;
}

bool ChannelRegistry::channelInfoLocked(const std::string& name, StanChannelInfo& info) const
{
	auto it = _channels.find(name);
	if (it == _channels.end()) return false;
	const MemoryMsgStore& s = it->second->store;
	info.firstSequence = s.empty() ? 0 : s.firstSequence();
	info.lastSequence = s.lastSequence();
	info.msgs = s.count();
	info.bytes = s.bytes();
	info.subscriptions = it->second->storedSubs;
	return true;
}

void ChannelRegistry::clearLocked()
{
	_channels.clear();
	_channelsLower.clear();
}

ChannelState* ChannelRegistry::lookupOrCreateLocked(const std::string& name, std::string& error)
{
	auto it = _channels.find(name);
	if (it != _channels.end()) return it->second.get();
	if (_ctx.options.maxChannels > 0 && _channels.size() >= static_cast<std::size_t>(_ctx.options.maxChannels))
	{
		error = ServerProtocol::ERR_TOO_MANY_CHANNELS;
		return nullptr;
	}
	std::string lower = ServerProtocol::lower(name);
	auto lit = _channelsLower.find(lower);
	if (lit != _channelsLower.end())
	{
		error = ServerProtocol::caseClashError(name, lit->second);
		return nullptr;
	}
	auto pChannel = std::make_unique<ChannelState>(name, _ctx.options.maxMsgs, _ctx.options.maxBytes, _ctx.options.maxAge.totalMicroseconds() * 1000);
	ChannelState* c = pChannel.get();
	_channels[name] = std::move(pChannel);
	_channelsLower[lower] = name;
	if (_ctx.options.debug) _ctx.logger.debug("Channel \"" + name + "\" has been created");
	return c;
}

void ChannelRegistry::onPublish(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	natsstan::PubMsg pm;
	bool parsed = pm.ParseFromString(msg.data());
	// As the Go server (server.go, processClientPublish): every message on the publish subject
	// counts, before it is validated, with the size of the PubMsg as received.
	++_ctx.inMsgs;
	_ctx.inBytes += msg.data().size();
	if (!parsed || pm.guid().empty() || !SubjectRules::isValidChannel(pm.subject()))
	{
		_ctx.sendPubAckLocked(msg.reply(), pm.guid(), ServerProtocol::ERR_INVALID_PUB_REQ);
		return;
	}
	if (!_ctx.clients->isKnownLocked(pm.clientid(), pm.connid()))
	{
		_ctx.sendPubAckLocked(msg.reply(), pm.guid(), ServerProtocol::ERR_INVALID_PUB_REQ);
		return;
	}
	std::string error;
	ChannelState* c = lookupOrCreateLocked(pm.subject(), error);
	if (!c)
	{
		_ctx.sendPubAckLocked(msg.reply(), pm.guid(), error);
		return;
	}
	c->store.store(c->name, pm.reply(), pm.data(), ServerProtocol::nowNanos());
	if (_ctx.options.trace) _ctx.logger.trace("[Client:" + pm.clientid() + "] received message on \"" + c->name + "\" seq " + std::to_string(c->store.lastSequence()));
	armAgeTimerLocked(c);
	// Deliver first, then acknowledge the publisher (3.3).
	_ctx.delivery->deliverLocked(c);
	_ctx.sendPubAckLocked(msg.reply(), pm.guid(), std::string());
}

void ChannelRegistry::armAgeTimerLocked(ChannelState* c)
{
	if (c->ageTimer || c->store.maxAgeNs() <= 0 || c->store.empty()) return;
	std::int64_t fireAt = c->store.firstTimestamp() + c->store.maxAgeNs();
	std::string name = c->name;
	c->ageTimer = _ctx.scheduleAfterNs(fireAt - ServerProtocol::nowNanos(), [this, name] { onAgeTimer(name); });
}

void ChannelRegistry::onAgeTimer(const std::string& channel)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	auto it = _channels.find(channel);
	if (it == _channels.end()) return;
	ChannelState* c = it->second.get();
	c->ageTimer = 0;
	std::size_t n = c->store.expire(ServerProtocol::nowNanos());
	if (n && _ctx.options.debug) _ctx.logger.debug("Channel \"" + channel + "\": " + std::to_string(n) + " message(s) expired");
	armAgeTimerLocked(c);
}

} // namespace Nats
