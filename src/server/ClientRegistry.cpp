//
// ClientRegistry.cpp
//
// Library: Nats
// Package: Server
// Module:  ClientRegistry
//
// Section numbers refer to protocol.md (the wire protocol and the semantics of
// nats-streaming-server v0.25.6 with the memory store).
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/ClientRegistry.h"
#include "server/SubscriptionManager.h"
#include "protocol/ServerProtocol.h"
#include "protocol.pb.h"
#include <Poco/Exception.h>

namespace Nats {

namespace {

/// Duplicate client ID check timeout, not configurable in the Go server (3.1).
const std::int64_t DUP_CHECK_TIMEOUT_US = 500 * 1000;

} // namespace

ClientRegistry::ClientRegistry(ServerContext& ctx)
	: _ctx(ctx)
{
}

ClientState* ClientRegistry::findLocked(const std::string& clientID) const
{
	auto it = _clients.find(clientID);
	return it == _clients.end() ? nullptr : it->second.get();
}

bool ClientRegistry::isKnownLocked(const std::string& clientID, const std::string& connID) const
{
	return connID.empty() ? _clients.count(clientID) != 0 : _clientsByConnID.count(connID) != 0;
}

std::size_t ClientRegistry::sizeLocked() const
{
	return _clients.size();
}

void ClientRegistry::clearLocked()
{
	_clientsByConnID.clear();
	_clients.clear();
	_dupChecks.clear();
	_waits.clear();
}

void ClientRegistry::onConnect(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	natsstan::ConnectRequest req;
	if (!req.ParseFromString(msg.data()) || req.heartbeatinbox().empty())
	{
		_ctx.sendConnectErrorLocked(msg.reply(), ServerProtocol::ERR_INVALID_CONN_REQ);
		return;
	}
	if (!ServerProtocol::isValidClientID(req.clientid()))
	{
		_ctx.sendConnectErrorLocked(msg.reply(), ServerProtocol::ERR_INVALID_CLIENT_ID);
		return;
	}
	if (_dupChecks.count(req.clientid()))
	{
		// Another connect for this ID is being checked: refused at once.
		_ctx.sendConnectErrorLocked(msg.reply(), ServerProtocol::ERR_CLIENT_REGISTERED);
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
		w.timer = _ctx.timer.scheduleAfter(std::chrono::microseconds(DUP_CHECK_TIMEOUT_US), [this, token] { onWaitTimeout(token); });
		if (_ctx.options.debug) _ctx.logger.debug("[Client:" + old->id + "] duplicate connect, checking the registered client");
		try
		{
			_ctx.pConn->publishRequest(old->hbInbox, _ctx.internalPrefix + std::to_string(token), std::string());
		}
		catch (Poco::Exception&)
		{
			// An unusable heartbeat inbox cannot answer: the timeout replaces the client.
		}
		return;
	}
	registerClientLocked(req, msg.reply());
}

void ClientRegistry::registerClientLocked(const natsstan::ConnectRequest& req, const std::string& reply)
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

	armHeartbeatLocked(client, _ctx.options.hbInterval.totalMicroseconds());

	natsstan::ConnectResponse resp;
	resp.set_pubprefix(_ctx.pubPrefix);
	resp.set_subrequests(_ctx.subSubject);
	resp.set_unsubrequests(_ctx.unsubSubject);
	resp.set_closerequests(_ctx.closeSubject);
	resp.set_subcloserequests(_ctx.subCloseSubject);
	if (req.protocol() >= 1)
	{
		resp.set_pingrequests(_ctx.pingSubject);
		resp.set_pinginterval(req.pinginterval());
		resp.set_pingmaxout(req.pingmaxout());
	}
	resp.set_protocol(1);
	if (_ctx.options.debug) _ctx.logger.debug("[Client:" + client->id + "] connected (inbox=" + client->hbInbox + ")");
	_ctx.sendLocked(reply, resp.SerializeAsString());
}

void ClientRegistry::closeClientLocked(ClientState* client)
{
	_ctx.subscriptions->removeClientSubsLocked(client);
	_ctx.timer.cancel(client->hbTimer);
	if (client->hbToken)
	{
		auto w = _waits.find(client->hbToken);
		if (w != _waits.end())
		{
			_ctx.timer.cancel(w->second.timer);
			_waits.erase(w);
		}
	}
	if (!client->connID.empty())
	{
		auto c = _clientsByConnID.find(client->connID);
		if (c != _clientsByConnID.end() && c->second == client) _clientsByConnID.erase(c);
	}
	if (_ctx.options.debug) _ctx.logger.debug("[Client:" + client->id + "] closed");
	_clients.erase(client->id); // destroys `client`
}

void ClientRegistry::armHeartbeatLocked(ClientState* client, std::int64_t delayUs)
{
	_ctx.timer.cancel(client->hbTimer);
	std::string id = client->id;
	std::uint64_t gen = client->generation;
	client->hbTimer = _ctx.timer.scheduleAfter(std::chrono::microseconds(delayUs), [this, id, gen] { onHeartbeatTimer(id, gen); });
}

void ClientRegistry::onHeartbeatTimer(const std::string& clientID, std::uint64_t generation)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	auto it = _clients.find(clientID);
	if (it == _clients.end() || it->second->generation != generation) return;
	it->second->hbTimer = 0;
	sendHeartbeatLocked(it->second.get());
}

void ClientRegistry::sendHeartbeatLocked(ClientState* client)
{
	if (client->hbToken) return; // one outstanding at a time
	std::uint64_t token = _nextToken++;
	Wait& w = _waits[token];
	w.kind = WaitKind::HEARTBEAT;
	w.clientID = client->id;
	w.generation = client->generation;
	w.timer = _ctx.timer.scheduleAfter(std::chrono::microseconds(_ctx.options.hbTimeout.totalMicroseconds()), [this, token] { onWaitTimeout(token); });
	client->hbToken = token;
	if (_ctx.options.trace) _ctx.logger.trace("[Client:" + client->id + "] heartbeat");
	try
	{
		_ctx.pConn->publishRequest(client->hbInbox, _ctx.internalPrefix + std::to_string(token), std::string());
	}
	catch (Poco::Exception&)
	{
		// Counted as a failed heartbeat when the timeout fires.
	}
}

void ClientRegistry::onInternalReply(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	const std::string& subject = msg.subject();
	std::uint64_t token = 0;
	try
	{
		token = std::stoull(subject.substr(_ctx.internalPrefix.size()));
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
		_ctx.timer.cancel(wit->second.timer);
		failWaitLocked(token);
		return;
	}
	Wait w = std::move(wit->second);
	_waits.erase(wit);
	_ctx.timer.cancel(w.timer);

	if (w.kind == WaitKind::HEARTBEAT)
	{
		auto it = _clients.find(w.clientID);
		if (it == _clients.end() || it->second->generation != w.generation) return;
		ClientState* client = it->second.get();
		client->hbToken = 0;
		client->failedHB = 0;
		armHeartbeatLocked(client, _ctx.options.hbInterval.totalMicroseconds());
	}
	else
	{
		// The registered client answered: the new connect is a duplicate.
		_dupChecks.erase(w.clientID);
		if (_ctx.options.debug) _ctx.logger.debug("[Client:" + w.clientID + "] duplicate connect refused, registered client answered");
		_ctx.sendConnectErrorLocked(w.replySubject, ServerProtocol::ERR_CLIENT_REGISTERED);
	}
}

void ClientRegistry::onWaitTimeout(std::uint64_t token)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	failWaitLocked(token);
}

void ClientRegistry::failWaitLocked(std::uint64_t token)
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
		if (_ctx.options.debug) _ctx.logger.debug("[Client:" + client->id + "] missed heartbeat " + std::to_string(client->failedHB));
		if (client->failedHB > _ctx.options.hbFailCount)
		{
			closeClientLocked(client);
			return;
		}
		armHeartbeatLocked(client, _ctx.options.hbInterval.totalMicroseconds());
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
			_ctx.sendConnectErrorLocked(w.replySubject, ServerProtocol::ERR_CLIENT_REGISTERED);
			return;
		}
		registerClientLocked(req, w.replySubject);
	}
}

void ClientRegistry::onPing(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
	if (msg.data().empty()) return;
	natsstan::Ping ping;
	if (!ping.ParseFromString(msg.data())) return;
	auto it = _clientsByConnID.find(ping.connid());
	if (it == _clientsByConnID.end())
	{
		natsstan::PingResponse resp;
		resp.set_error(ServerProtocol::ERR_CLIENT_REPLACED);
		_ctx.sendLocked(msg.reply(), resp.SerializeAsString());
		return;
	}
	ClientState* client = it->second;
	if (client->failedHB > 0)
	{
		// The client is alive after all: check it now instead of at the next interval.
		_ctx.timer.cancel(client->hbTimer);
		client->hbTimer = 0;
		sendHeartbeatLocked(client);
	}
	_ctx.sendLocked(msg.reply(), std::string());
}

void ClientRegistry::onClose(const Message& msg)
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	if (!_ctx.running) return;
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
	_ctx.sendLocked(msg.reply(), resp.SerializeAsString());
}

} // namespace Nats
