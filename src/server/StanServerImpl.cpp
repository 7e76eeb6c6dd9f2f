//
// StanServerImpl.cpp
//
// Library: Nats
// Package: Server
// Module:  StanServerImpl
//
// The semantics follow nats-streaming-server v0.25.6 with the memory store, as written down in
// docs/protocol.md sections 2 and 3; the section numbers below refer to that file.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/StanServerImpl.h"
#include "protocol/ServerProtocol.h"
#include "core/ConnectionImpl.h"
#include "Nats/Exception.h"
#include "protocol.pb.h"
#include <Poco/Exception.h>
#include <Poco/StringTokenizer.h>
#include <algorithm>

namespace Nats {

namespace {

/// 15 ms: pending messages expiring within this margin are redelivered together (3.6).
const std::int64_t ACK_EXPIRATION_DELTA_NS = 15 * 1000000LL;

/// Pending messages handed to other queue members are redelivered after ~100 ms (3.8).
const std::int64_t QUEUE_TRANSFER_DELAY_NS = 100 * 1000000LL;

/// Duplicate client ID check timeout, not configurable in the Go server (3.1).
const std::int64_t DUP_CHECK_TIMEOUT_US = 500 * 1000;

void appendVarint(std::string& out, std::uint64_t v)
{
	while (v >= 0x80)
	{
		out.push_back(static_cast<char>((v & 0x7F) | 0x80));
		v >>= 7;
	}
	out.push_back(static_cast<char>(v));
}

void appendStringField(std::string& out, int field, const std::string& s)
{
	if (s.empty()) return;
	out.push_back(static_cast<char>((field << 3) | 2));
	appendVarint(out, s.size());
	out.append(s);
}

std::int64_t nsToUs(std::int64_t ns)
{
	return ns <= 0 ? 0 : (ns + 999) / 1000;
}

} // namespace

StanServerImpl::StanServerImpl(const StanServerOptions& options)
	: _options(options), _logger(Poco::Logger::get("Nats.StanServer"))
{
}

StanServerImpl::~StanServerImpl()
{
	try
	{
		stop();
	}
	catch (...)
	{
	}
}

// ---------------------------------------------------------------------------------------------
// start / stop
// ---------------------------------------------------------------------------------------------

void StanServerImpl::start()
{
	_options.validate();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_running || _pConn) throw Poco::IllegalStateException("StanServer is already started");
	}

	Options natsOptions = _options.natsOptions;
	natsOptions.servers.clear();
	Poco::StringTokenizer urls(_options.natsUrl, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (const auto& u : urls) natsOptions.servers.push_back(u);
	if (natsOptions.servers.empty()) natsOptions.servers.push_back(StanServerOptions::DEFAULT_NATS_URL);
	if (natsOptions.name.empty()) natsOptions.name = "stan-server-" + _options.clusterId;
	natsOptions.noRandomize = true;
	natsOptions.allowReconnect = true;
	natsOptions.maxReconnect = -1;
	natsOptions.reconnectWait = Poco::Timespan(0, 250000);
	natsOptions.maxPendingMessages = -1;
	natsOptions.maxPendingBytes = -1;
	// One dispatcher: every request, publish and ack is processed in arrival order.
	natsOptions.dispatcherThreads = 1;

	auto pConn = std::make_shared<Connection>(natsOptions);
	pConn->connect();

	const std::string& cid = _options.clusterId;
	std::string discover = _options.discoverPrefix + "." + cid;

	if (_options.checkDuplicateServer)
	{
		// As the Go server: connect to our own discovery subject with clientID = cluster ID; any
		// answer means another server with this cluster ID is running (3.1).
		natsstan::ConnectRequest req;
		req.set_clientid(cid);
		req.set_heartbeatinbox(pConn->newInbox());
		req.set_protocol(1);
		bool duplicate = false;
		try
		{
			Message reply = pConn->request(discover, req.SerializeAsString(), Poco::Timespan(0, 250000));
			if (!reply.isNoResponders())
			{
				duplicate = true;
				natsstan::ConnectResponse resp;
				if (resp.ParseFromString(reply.data()) && resp.error().empty() && !resp.closerequests().empty())
				{
					natsstan::CloseRequest close;
					close.set_clientid(cid);
					pConn->publish(resp.closerequests(), close.SerializeAsString());
				}
			}
		}
		catch (NatsTimeoutException&)
		{
		}
		catch (NoRespondersException&)
		{
		}
		if (duplicate)
		{
			pConn->close();
			throw Poco::IllegalStateException("discovered another streaming server with cluster ID \"" + cid + "\"");
		}
	}

	{
		std::lock_guard<std::mutex> lock(_mutex);
		clearStateLocked();
		_discoverSubject = discover;
		_pingSubject = discover + ".pings";
		_pubPrefix = "_STAN.pub." + cid;
		_subSubject = "_STAN.sub." + cid;
		_unsubSubject = "_STAN.unsub." + cid;
		_subCloseSubject = "_STAN.subclose." + cid;
		_closeSubject = "_STAN.close." + cid;
		_ackPrefix = pConn->newInbox() + ".";
		_internalPrefix = pConn->newInbox() + ".";
		_pConn = pConn;
		_running = true;
	}
	_timer.start();

	try
	{
		std::vector<Subscription> subs;
		// Inline subscriptions: handlers run on the reader thread, in arrival order, with no
		// dispatcher hop and unlimited pending limits; they never block (they only append to the
		// output buffer).
		std::shared_ptr<ConnectionImpl> pImpl = pConn->impl();
		auto inl = [&pImpl](const std::string& subject, MessageHandler h) { return pImpl->subscribeInline(subject, std::string(), std::move(h)); };
		subs.push_back(inl(_discoverSubject, [this](const Message& m) { onConnect(m); }));
		subs.push_back(inl(_pingSubject, [this](const Message& m) { onPing(m); }));
		subs.push_back(inl(_pubPrefix + ".>", [this](const Message& m) { onPublish(m); }));
		subs.push_back(inl(_subSubject, [this](const Message& m) { onSubscribe(m); }));
		subs.push_back(inl(_unsubSubject, [this](const Message& m) { onUnsubscribe(m, false); }));
		subs.push_back(inl(_subCloseSubject, [this](const Message& m) { onUnsubscribe(m, true); }));
		subs.push_back(inl(_closeSubject, [this](const Message& m) { onClose(m); }));
		subs.push_back(inl(_ackPrefix + "*", [this](const Message& m) { onAck(m); }));
		subs.push_back(inl(_internalPrefix + "*", [this](const Message& m) { onInternalReply(m); }));
		pConn->flush(natsOptions.connectTimeout + natsOptions.connectTimeout);
		std::lock_guard<std::mutex> lock(_mutex);
		_natsSubs = std::move(subs);
	}
	catch (...)
	{
		stop();
		throw;
	}
	if (_options.debug)
	{
		_logger.information("Streaming server ready: cluster ID \"" + cid + "\" on " + pConn->connectedUrl());
	}
}

void StanServerImpl::stop()
{
	std::shared_ptr<Connection> pConn;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_running = false;
		pConn = _pConn;
	}
	// Closed and joined outside the lock: a handler may be waiting for it (and sees !_running).
	if (pConn) pConn->close();
	_timer.stop();
	std::lock_guard<std::mutex> lock(_mutex);
	_natsSubs.clear();
	_pConn.reset();
	clearStateLocked();
}

void StanServerImpl::clearStateLocked()
{
	_subsByAckInbox.clear();
	_subs.clear();
	_channels.clear();
	_channelsLower.clear();
	_clientsByConnID.clear();
	_clients.clear();
	_dupChecks.clear();
	_waits.clear();
}

bool StanServerImpl::isRunning() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _running;
}

std::size_t StanServerImpl::numClients() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _clients.size();
}

std::size_t StanServerImpl::numChannels() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _channels.size();
}

std::size_t StanServerImpl::numSubscriptions() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::size_t n = 0;
	for (const auto& c : _channels) n += c.second->storedSubs;
	return n;
}

bool StanServerImpl::hasClient(const std::string& clientId) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _clients.count(clientId) != 0;
}

bool StanServerImpl::channelInfo(const std::string& channel, StanChannelInfo& info) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _channels.find(channel);
	if (it == _channels.end()) return false;
	const MemoryMsgStore& s = it->second->store;
	info.firstSequence = s.empty() ? 0 : s.firstSequence();
	info.lastSequence = s.lastSequence();
	info.msgs = s.count();
	info.bytes = s.bytes();
	info.subscriptions = it->second->storedSubs;
	return true;
}

// ---------------------------------------------------------------------------------------------
// output
// ---------------------------------------------------------------------------------------------

bool StanServerImpl::sendLocked(const std::string& subject, const std::string& data)
{
	if (subject.empty() || !_pConn) return false;
	try
	{
		_pConn->publish(subject, data);
		return true;
	}
	catch (Poco::Exception& exc)
	{
		// Client-provided subjects (inboxes, replies) may be invalid, a message may exceed the
		// max payload, the connection may be closing. Never let it escape into the reader or
		// timer thread.
		if (_options.debug) _logger.warning("Cannot publish to \"" + subject + "\": " + exc.displayText());
		return false;
	}
}

void StanServerImpl::sendPubAckLocked(const std::string& reply, const std::string& guid, const std::string& error)
{
	if (reply.empty()) return;
	std::string out;
	out.reserve(guid.size() + error.size() + 8);
	appendStringField(out, 1, guid);
	appendStringField(out, 2, error);
	sendLocked(reply, out);
}

void StanServerImpl::sendSubResponseLocked(const std::string& reply, const std::string& ackInbox, const std::string& error)
{
	if (reply.empty()) return;
	std::string out;
	appendStringField(out, 2, ackInbox);
	appendStringField(out, 3, error);
	sendLocked(reply, out);
}

void StanServerImpl::sendConnectErrorLocked(const std::string& reply, const std::string& error)
{
	if (reply.empty()) return;
	natsstan::ConnectResponse resp;
	resp.set_error(error);
	sendLocked(reply, resp.SerializeAsString());
}

// ---------------------------------------------------------------------------------------------
// clients (3.1) and heartbeats (2.4)
// ---------------------------------------------------------------------------------------------

void StanServerImpl::onConnect(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	natsstan::ConnectRequest req;
	if (!req.ParseFromString(msg.data()) || req.heartbeatinbox().empty())
	{
		sendConnectErrorLocked(msg.reply(), ServerProtocol::ERR_INVALID_CONN_REQ);
		return;
	}
	if (!ServerProtocol::isValidClientID(req.clientid()))
	{
		sendConnectErrorLocked(msg.reply(), ServerProtocol::ERR_INVALID_CLIENT_ID);
		return;
	}
	if (_dupChecks.count(req.clientid()))
	{
		// Another connect for this ID is being checked: refused at once.
		sendConnectErrorLocked(msg.reply(), ServerProtocol::ERR_CLIENT_REGISTERED);
		return;
	}
	auto it = _clients.find(req.clientid());
	if (it != _clients.end())
	{
		// Ask the registered client whether it is alive (500 ms), without blocking this thread:
		// the answer or the timeout decides (onInternalReply / onWaitTimeout).
		ClientState* old = it->second.get();
		std::uint64_t token = _nextToken++;
		Wait& w = _waits[token];
		w.kind = WaitKind::DUP_CHECK;
		w.clientID = old->id;
		w.generation = old->generation;
		w.connectRequest = msg.data();
		w.replySubject = msg.reply();
		_dupChecks.insert(old->id);
		w.timer = _timer.scheduleAfter(std::chrono::microseconds(DUP_CHECK_TIMEOUT_US), [this, token] { onWaitTimeout(token); });
		if (_options.debug) _logger.debug("[Client:" + old->id + "] duplicate connect, checking the registered client");
		try
		{
			_pConn->publishRequest(old->hbInbox, _internalPrefix + std::to_string(token), std::string());
		}
		catch (Poco::Exception&)
		{
			// An unusable heartbeat inbox cannot answer: the timeout replaces the client.
		}
		return;
	}
	registerClientLocked(req, msg.reply());
}

void StanServerImpl::registerClientLocked(const natsstan::ConnectRequest& req, const std::string& reply)
{
	auto pClient = std::make_unique<ClientState>();
	ClientState* client = pClient.get();
	client->id = req.clientid();
	client->hbInbox = req.heartbeatinbox();
	client->connID = req.connid();
	client->protocol = req.protocol();
	client->pingInterval = req.pinginterval();
	client->pingMaxOut = req.pingmaxout();
	client->generation = _nextGeneration++;
	_clients[client->id] = std::move(pClient);
	if (!client->connID.empty()) _clientsByConnID[client->connID] = client;

	armHeartbeatLocked(client, _options.hbInterval.totalMicroseconds());

	natsstan::ConnectResponse resp;
	resp.set_pubprefix(_pubPrefix);
	resp.set_subrequests(_subSubject);
	resp.set_unsubrequests(_unsubSubject);
	resp.set_closerequests(_closeSubject);
	resp.set_subcloserequests(_subCloseSubject);
	if (req.protocol() >= 1)
	{
		resp.set_pingrequests(_pingSubject);
		resp.set_pinginterval(req.pinginterval());
		resp.set_pingmaxout(req.pingmaxout());
	}
	resp.set_protocol(1);
	if (_options.debug) _logger.debug("[Client:" + client->id + "] connected (inbox=" + client->hbInbox + ")");
	sendLocked(reply, resp.SerializeAsString());
}

void StanServerImpl::closeClientLocked(ClientState* client)
{
	std::vector<std::uint64_t> ids(client->subs.begin(), client->subs.end());
	for (std::uint64_t id : ids)
	{
		auto it = _subs.find(id);
		if (it != _subs.end()) removeSubLocked(it->second.get(), false);
	}
	_timer.cancel(client->hbTimer);
	if (client->hbToken)
	{
		auto w = _waits.find(client->hbToken);
		if (w != _waits.end())
		{
			_timer.cancel(w->second.timer);
			_waits.erase(w);
		}
	}
	if (!client->connID.empty())
	{
		auto c = _clientsByConnID.find(client->connID);
		if (c != _clientsByConnID.end() && c->second == client) _clientsByConnID.erase(c);
	}
	if (_options.debug) _logger.debug("[Client:" + client->id + "] closed");
	_clients.erase(client->id); // destroys `client`
}

void StanServerImpl::armHeartbeatLocked(ClientState* client, std::int64_t delayUs)
{
	_timer.cancel(client->hbTimer);
	std::string id = client->id;
	std::uint64_t gen = client->generation;
	client->hbTimer = _timer.scheduleAfter(std::chrono::microseconds(delayUs), [this, id, gen] { onHeartbeatTimer(id, gen); });
}

void StanServerImpl::onHeartbeatTimer(const std::string& clientID, std::uint64_t generation)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	auto it = _clients.find(clientID);
	if (it == _clients.end() || it->second->generation != generation) return;
	it->second->hbTimer = 0;
	sendHeartbeatLocked(it->second.get());
}

void StanServerImpl::sendHeartbeatLocked(ClientState* client)
{
	if (client->hbToken) return; // one outstanding at a time
	std::uint64_t token = _nextToken++;
	Wait& w = _waits[token];
	w.kind = WaitKind::HEARTBEAT;
	w.clientID = client->id;
	w.generation = client->generation;
	w.timer = _timer.scheduleAfter(std::chrono::microseconds(_options.hbTimeout.totalMicroseconds()), [this, token] { onWaitTimeout(token); });
	client->hbToken = token;
	if (_options.trace) _logger.trace("[Client:" + client->id + "] heartbeat");
	try
	{
		_pConn->publishRequest(client->hbInbox, _internalPrefix + std::to_string(token), std::string());
	}
	catch (Poco::Exception&)
	{
		// Counted as a failed heartbeat when the timeout fires.
	}
}

void StanServerImpl::onInternalReply(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	const std::string& subject = msg.subject();
	std::uint64_t token = 0;
	try
	{
		token = std::stoull(subject.substr(_internalPrefix.size()));
	}
	catch (...)
	{
		return;
	}
	auto wit = _waits.find(token);
	if (wit == _waits.end()) return;
	if (msg.isNoResponders())
	{
		// Nobody listens on the inbox: a failed request right away, as nats.go's Request()
		// returns ErrNoResponders in the Go server (1.9).
		_timer.cancel(wit->second.timer);
		failWaitLocked(token);
		return;
	}
	Wait w = std::move(wit->second);
	_waits.erase(wit);
	_timer.cancel(w.timer);

	if (w.kind == WaitKind::HEARTBEAT)
	{
		auto it = _clients.find(w.clientID);
		if (it == _clients.end() || it->second->generation != w.generation) return;
		ClientState* client = it->second.get();
		client->hbToken = 0;
		client->failedHB = 0;
		armHeartbeatLocked(client, _options.hbInterval.totalMicroseconds());
	}
	else
	{
		// The registered client answered: the new connect is a duplicate.
		_dupChecks.erase(w.clientID);
		if (_options.debug) _logger.debug("[Client:" + w.clientID + "] duplicate connect refused, registered client answered");
		sendConnectErrorLocked(w.replySubject, ServerProtocol::ERR_CLIENT_REGISTERED);
	}
}

void StanServerImpl::onWaitTimeout(std::uint64_t token)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	failWaitLocked(token);
}

void StanServerImpl::failWaitLocked(std::uint64_t token)
{
	auto wit = _waits.find(token);
	if (wit == _waits.end()) return;
	Wait w = std::move(wit->second);
	_waits.erase(wit);

	auto it = _clients.find(w.clientID);
	bool same = it != _clients.end() && it->second->generation == w.generation;
	if (w.kind == WaitKind::HEARTBEAT)
	{
		if (!same) return;
		ClientState* client = it->second.get();
		client->hbToken = 0;
		++client->failedHB;
		if (_options.debug) _logger.debug("[Client:" + client->id + "] missed heartbeat " + std::to_string(client->failedHB));
		if (client->failedHB > _options.hbFailCount)
		{
			closeClientLocked(client);
			return;
		}
		armHeartbeatLocked(client, _options.hbInterval.totalMicroseconds());
	}
	else
	{
		// The registered client did not answer: replace it by the new one.
		_dupChecks.erase(w.clientID);
		if (same) closeClientLocked(it->second.get());
		natsstan::ConnectRequest req;
		req.ParseFromString(w.connectRequest);
		if (_clients.count(req.clientid()))
		{
			sendConnectErrorLocked(w.replySubject, ServerProtocol::ERR_CLIENT_REGISTERED);
			return;
		}
		registerClientLocked(req, w.replySubject);
	}
}

void StanServerImpl::onPing(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	if (msg.data().empty()) return;
	natsstan::Ping ping;
	if (!ping.ParseFromString(msg.data())) return;
	auto it = _clientsByConnID.find(ping.connid());
	if (it == _clientsByConnID.end())
	{
		natsstan::PingResponse resp;
		resp.set_error(ServerProtocol::ERR_CLIENT_REPLACED);
		sendLocked(msg.reply(), resp.SerializeAsString());
		return;
	}
	ClientState* client = it->second;
	if (client->failedHB > 0)
	{
		// The client is alive after all: check it now instead of at the next interval.
		_timer.cancel(client->hbTimer);
		client->hbTimer = 0;
		sendHeartbeatLocked(client);
	}
	sendLocked(msg.reply(), std::string());
}

void StanServerImpl::onClose(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	natsstan::CloseRequest req;
	natsstan::CloseResponse resp;
	if (!req.ParseFromString(msg.data()))
	{
		resp.set_error(ServerProtocol::ERR_INVALID_CLOSE_REQ);
	}
	else
	{
		auto it = _clients.find(req.clientid());
		if (it == _clients.end())
			resp.set_error(ServerProtocol::ERR_UNKNOWN_CLIENT);
		else
			closeClientLocked(it->second.get());
	}
	sendLocked(msg.reply(), resp.SerializeAsString());
}

// ---------------------------------------------------------------------------------------------
// channels (3.2) and publishing (3.3)
// ---------------------------------------------------------------------------------------------

ChannelState* StanServerImpl::lookupOrCreateChannelLocked(const std::string& name, std::string& error)
{
	auto it = _channels.find(name);
	if (it != _channels.end()) return it->second.get();
	if (_options.maxChannels > 0 && _channels.size() >= static_cast<std::size_t>(_options.maxChannels))
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
	auto pChannel = std::make_unique<ChannelState>(name, _options.maxMsgs, _options.maxBytes, _options.maxAge.totalMicroseconds() * 1000);
	ChannelState* c = pChannel.get();
	_channels[name] = std::move(pChannel);
	_channelsLower[lower] = name;
	if (_options.debug) _logger.debug("Channel \"" + name + "\" has been created");
	return c;
}

void StanServerImpl::onPublish(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	natsstan::PubMsg pm;
	bool parsed = pm.ParseFromString(msg.data());
	if (!parsed || pm.guid().empty() || !ServerProtocol::isValidChannel(pm.subject()))
	{
		sendPubAckLocked(msg.reply(), pm.guid(), ServerProtocol::ERR_INVALID_PUB_REQ);
		return;
	}
	bool known = pm.connid().empty() ? _clients.count(pm.clientid()) != 0 : _clientsByConnID.count(pm.connid()) != 0;
	if (!known)
	{
		sendPubAckLocked(msg.reply(), pm.guid(), ServerProtocol::ERR_INVALID_PUB_REQ);
		return;
	}
	std::string error;
	ChannelState* c = lookupOrCreateChannelLocked(pm.subject(), error);
	if (!c)
	{
		sendPubAckLocked(msg.reply(), pm.guid(), error);
		return;
	}
	c->store.store(c->name, pm.reply(), pm.data(), ServerProtocol::nowNanos());
	if (_options.trace) _logger.trace("[Client:" + pm.clientid() + "] received message on \"" + c->name + "\" seq " + std::to_string(c->store.lastSequence()));
	armAgeTimerLocked(c);
	// Deliver first, then acknowledge the publisher (3.3).
	deliverLocked(c);
	sendPubAckLocked(msg.reply(), pm.guid(), std::string());
}

void StanServerImpl::armAgeTimerLocked(ChannelState* c)
{
	if (c->ageTimer || c->store.maxAgeNs() <= 0 || c->store.empty()) return;
	std::int64_t fireAt = c->store.firstTimestamp() + c->store.maxAgeNs();
	std::int64_t delayUs = nsToUs(fireAt - ServerProtocol::nowNanos());
	std::string name = c->name;
	c->ageTimer = _timer.scheduleAfter(std::chrono::microseconds(delayUs), [this, name] { onAgeTimer(name); });
}

void StanServerImpl::onAgeTimer(const std::string& channel)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	auto it = _channels.find(channel);
	if (it == _channels.end()) return;
	ChannelState* c = it->second.get();
	c->ageTimer = 0;
	std::size_t n = c->store.expire(ServerProtocol::nowNanos());
	if (n && _options.debug) _logger.debug("Channel \"" + channel + "\": " + std::to_string(n) + " message(s) expired");
	armAgeTimerLocked(c);
}

// ---------------------------------------------------------------------------------------------
// delivery (3.6)
// ---------------------------------------------------------------------------------------------

void StanServerImpl::deliverLocked(ChannelState* c)
{
	for (SubState* sub : c->subs) sendAvailableLocked(sub);
	for (auto& g : c->groups) sendAvailableToGroupLocked(g.second.get());
}

void StanServerImpl::sendAvailableLocked(SubState* sub)
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

void StanServerImpl::sendAvailableToGroupLocked(QueueGroup* group)
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

bool StanServerImpl::hasFailedHBLocked(const SubState* sub) const
{
	return sub->client && sub->client->failedHB > 0;
}

SubState* StanServerImpl::findBestQueueSubLocked(QueueGroup* group)
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

std::pair<bool, bool> StanServerImpl::sendMsgToSubLocked(SubState* sub, const StoredMsg& m, bool redelivery, bool force)
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
		ServerProtocol::appendRedelivered(buf, count);
		// As the Go server: a message that cannot be sent is not pending and stops the delivery.
		if (!sendLocked(sub->inbox, buf)) return {false, false};
	}
	else if (!sendLocked(sub->inbox, m.encoded))
	{
		return {false, false};
	}
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

void StanServerImpl::armAckTimerLocked(SubState* sub, std::int64_t atNs)
{
	if (sub->ackTimer)
	{
		if (sub->ackTimerAt <= atNs) return;
		_timer.cancel(sub->ackTimer);
	}
	std::uint64_t id = sub->id;
	sub->ackTimerAt = atNs;
	std::int64_t delayUs = nsToUs(atNs - ServerProtocol::nowNanos());
	sub->ackTimer = _timer.scheduleAfter(std::chrono::microseconds(delayUs), [this, id] { onAckTimer(id); });
}

void StanServerImpl::cancelAckTimerLocked(SubState* sub)
{
	_timer.cancel(sub->ackTimer);
	sub->ackTimer = 0;
	sub->ackTimerAt = 0;
}

void StanServerImpl::onAckTimer(std::uint64_t subId)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	auto sit = _subs.find(subId);
	if (sit == _subs.end()) return;
	SubState* sub = sit->second.get();
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
		if (_subs.find(subId) == _subs.end()) return; // removed by an implicit ack cascade
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

void StanServerImpl::onAck(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	auto it = _subsByAckInbox.find(msg.subject());
	if (it == _subsByAckInbox.end()) return;
	SubState* sub = it->second;
	natsstan::Ack ack;
	if (!ack.ParseFromString(msg.data())) return;
	if (ack.subject() != sub->channel->name) return;
	if (_options.trace) _logger.trace("[Client:" + sub->clientID + "] ack \"" + ack.subject() + "\" seq " + std::to_string(ack.sequence()));
	processAckLocked(sub, ack.sequence(), true);
}

void StanServerImpl::processAckLocked(SubState* sub, std::uint64_t sequence, bool fromUser)
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

void StanServerImpl::redeliverAllPendingLocked(SubState* sub)
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

// ---------------------------------------------------------------------------------------------
// subscriptions (3.4, 3.5, 3.7 - 3.10)
// ---------------------------------------------------------------------------------------------

std::string StanServerImpl::newAckInboxLocked()
{
	return _ackPrefix + std::to_string(_nextAckInbox++);
}

void StanServerImpl::onSubscribe(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	const std::string& reply = msg.reply();
	natsstan::SubscriptionRequest req;
	if (!req.ParseFromString(msg.data()))
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_SUB_REQ);
		return;
	}
	if (req.clientid().empty())
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_MISSING_CLIENT);
		return;
	}
	// A released server refuses every ackWaitInSecs <= 0 (the millisecond reading of negative
	// values exists only in the Go server's test build).
	if (req.ackwaitinsecs() <= 0)
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_ACK_WAIT);
		return;
	}
	if (req.maxinflight() <= 0)
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_MAX_INFLIGHT);
		return;
	}
	int position = static_cast<int>(req.startposition());
	if (position < 0 || position > 4)
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_START);
		return;
	}
	if (!ServerProtocol::isValidChannel(req.subject()))
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_SUBJECT);
		return;
	}
	auto cit = _clients.find(req.clientid());
	if (cit == _clients.end())
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_UNKNOWN_CLIENT);
		return;
	}
	ClientState* client = cit->second.get();
	std::string error;
	ChannelState* c = lookupOrCreateChannelLocked(req.subject(), error);
	if (!c)
	{
		sendSubResponseLocked(reply, "", error);
		return;
	}
	std::string qGroup = req.qgroup();
	std::string durableName = req.durablename();
	bool durableQueue = !qGroup.empty() && !durableName.empty();
	if (durableQueue)
	{
		if (durableName.find(':') != std::string::npos)
		{
			sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_DUR_NAME);
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
				sendSubResponseLocked(reply, "", ServerProtocol::ERR_DUP_DURABLE);
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
			if (_options.maxSubscriptions > 0 && c->storedSubs >= static_cast<std::size_t>(_options.maxSubscriptions))
			{
				sendSubResponseLocked(reply, "", ServerProtocol::ERR_TOO_MANY_SUBS);
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
	else if (_options.maxSubscriptions > 0 && c->storedSubs >= static_cast<std::size_t>(_options.maxSubscriptions))
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_TOO_MANY_SUBS);
		return;
	}

	if (!sub)
	{
		auto pSub = std::make_unique<SubState>();
		sub = pSub.get();
		sub->id = _nextSubId++;
		sub->channel = c;
		sub->durableName = durableName;
		sub->lastSent = group ? group->lastSent : c->store.startLastSent(position, req.startsequence(), req.starttimedelta(), nowNs);
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
	if (_options.debug)
	{
		_logger.debug("[Client:" + sub->clientID + "] subscribed to \"" + c->name + "\"" +
			(group ? " queue \"" + group->name + "\"" : std::string()) +
			(sub->durableName.empty() ? std::string() : " durable \"" + sub->durableName + "\"") +
			(resumed || reactivated ? " (resumed)" : ""));
	}
	sendSubResponseLocked(reply, sub->ackInbox, "");

	// Initial delivery, after the response (2.4): pending of a resumed durable first.
	if (resumed || reactivated)
	{
		redeliverAllPendingLocked(sub);
		if (group && sub->stalled) ++group->stalledCount;
	}
	if (group) sendAvailableToGroupLocked(group);
	else sendAvailableLocked(sub);
}

void StanServerImpl::onUnsubscribe(const Message& msg, bool isClose)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_running) return;
	const std::string& reply = msg.reply();
	natsstan::UnsubscribeRequest req;
	if (!req.ParseFromString(msg.data()))
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_UNSUB_REQ);
		return;
	}
	auto cit = _channels.find(req.subject());
	if (cit == _channels.end())
	{
		// The real server checks the channel before the inbox (protocol.md 2.7): an unknown
		// channel is "stan: unknown channel"; an unknown inbox on a known channel is ErrInvalidSub.
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_UNKNOWN_CHANNEL);
		return;
	}
	ChannelState* c = cit->second.get();
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
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_INVALID_SUB);
		return;
	}
	if (sub->clientID != req.clientid() || !_clients.count(req.clientid()))
	{
		sendSubResponseLocked(reply, "", ServerProtocol::ERR_UNKNOWN_CLIENT);
		return;
	}
	if (_options.debug)
	{
		_logger.debug("[Client:" + sub->clientID + "] " + (isClose ? "closed" : "unsubscribed") + " subscription on \"" + c->name + "\"");
	}
	removeSubLocked(sub, !isClose);
	sendSubResponseLocked(reply, "", "");
}

void StanServerImpl::removeSubLocked(SubState* sub, bool unsubscribe)
{
	ChannelState* c = sub->channel;
	cancelAckTimerLocked(sub);
	_subsByAckInbox.erase(sub->ackInbox);
	sub->ackInbox.clear();
	if (sub->client) sub->client->subs.erase(sub->id);
	sub->client = nullptr;

	if (QueueGroup* group = sub->group)
	{
		auto& members = group->members;
		members.erase(std::remove(members.begin(), members.end(), sub), members.end());
		if (sub->stalled && group->stalledCount > 0) --group->stalledCount;
		sub->stalled = false;
		if (members.empty())
		{
			if (group->durable && !unsubscribe)
			{
				// The durable group survives offline; the shadow keeps the pending messages (3.9).
				sub->offline = true;
				sub->lastSent = group->lastSent;
				sub->inbox.clear();
				group->shadow = sub;
				group->stalledCount = 0;
				return;
			}
			std::string name = group->name;
			deleteSubLocked(sub);
			c->groups.erase(name);
			return;
		}
		// Hand the pending messages round robin, in expiry order, to the remaining members; they
		// are redelivered about 100 ms later (3.8).
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
			q->pending[e.second] = expired;
			if (e.second > q->lastSent) q->lastSent = e.second;
			armAckTimerLocked(q, now + QUEUE_TRANSFER_DELAY_NS);
			if (!q->stalled && q->pending.size() >= static_cast<std::size_t>(q->maxInFlight))
			{
				q->stalled = true;
				++group->stalledCount;
			}
			if (++idx == members.size()) idx = 0;
		}
		deleteSubLocked(sub);
		return;
	}

	auto& subs = c->subs;
	subs.erase(std::remove(subs.begin(), subs.end(), sub), subs.end());
	if (!sub->durableName.empty() && !unsubscribe)
	{
		// Durable: suspended, resumable with the same client ID and durable name (3.7).
		sub->offline = true;
		sub->stalled = false;
		sub->inbox.clear();
		return;
	}
	if (!sub->durableName.empty()) c->durables.erase(sub->clientID + "-" + sub->durableName);
	deleteSubLocked(sub);
}

void StanServerImpl::deleteSubLocked(SubState* sub)
{
	ChannelState* c = sub->channel;
	if (c->storedSubs > 0) --c->storedSubs;
	cancelAckTimerLocked(sub);
	_subs.erase(sub->id); // destroys `sub`
}

} // namespace Nats
