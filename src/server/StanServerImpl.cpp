//
// StanServerImpl.cpp
//
// Library: Nats
// Package: Server
// Module:  StanServerImpl
//
// The semantics follow nats-streaming-server v0.25.6 with the memory store, as written down in
// protocol.md sections 2 and 3; the section numbers below refer to that file.
//
// SPDX-License-Identifier: Apache-2.0
//

#include "server/StanServerImpl.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/NUID.h"
#include "protocol/ServerProtocol.h"
#include "Nats/Exception.h"
#include "protocol.pb.h"
#include <google/protobuf/stubs/logging.h>
#include <Poco/Exception.h>
#include <mutex>

namespace Nats {

namespace {

google::protobuf::LogHandler* previousProtobufLog = nullptr;

/// Drops libprotobuf's "String field 'natsstan.X.y' contains invalid UTF-8 data when parsing"
/// error: a client sending such a request gets the error answer, as from the Go server (whose
/// protobuf code does not log), and the log would otherwise get a line per bad request. Every
/// other message goes to the handler that was installed before.
void filterProtobufLog(google::protobuf::LogLevel level, const char* file, int line, const std::string& message)
{
	if (level == google::protobuf::LOGLEVEL_ERROR && message.find("natsstan.") != std::string::npos &&
		message.find("invalid UTF-8 data when parsing") != std::string::npos)
	{
		return;
	}
	if (previousProtobufLog) previousProtobufLog(level, file, line, message);
}

/// Installs filterProtobufLog once per process, at the first start() (libprotobuf's
/// SetLogHandler is a plain pointer swap: done once, before this server parses anything).
void installProtobufLogFilter()
{
	static std::once_flag once;
	std::call_once(once, [] { previousProtobufLog = google::protobuf::SetLogHandler(&filterProtobufLog); });
}

} // namespace

StanServerImpl::StanServerImpl(const StanServerOptions& options)
	: _ctx(options), _clients(_ctx), _channels(_ctx), _delivery(_ctx), _subscriptions(_ctx)
{
	_ctx.clients = &_clients;
	_ctx.channels = &_channels;
	_ctx.delivery = &_delivery;
	_ctx.subscriptions = &_subscriptions;
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
	_ctx.options.validate();
	installProtobufLogFilter();
	{
		std::lock_guard<std::mutex> lock(_ctx.mutex);
		if (_ctx.running || _ctx.pConn) throw Poco::IllegalStateException("StanServer is already started");
	}

	Options natsOptions = _ctx.options.natsOptions;
	natsOptions.servers = Options::splitUrls(_ctx.options.natsUrl);
	if (natsOptions.servers.empty()) natsOptions.servers.push_back(StanServerOptions::DEFAULT_NATS_URL);
	if (natsOptions.name.empty()) natsOptions.name = "stan-server-" + _ctx.options.clusterId;
	natsOptions.noRandomize = true;
	natsOptions.allowReconnect = true;
	natsOptions.maxReconnect = -1;
	natsOptions.reconnectWait = Poco::Timespan(0, 250000);
	natsOptions.maxPendingMessages = -1;
	natsOptions.maxPendingBytes = -1;
	// The handlers run inline on the reader thread (below), in arrival order; none uses a
	// dispatcher, so one is enough.
	natsOptions.dispatcherThreads = 1;

	auto pConn = std::make_shared<Connection>(natsOptions);
	pConn->connect();

	const std::string& cid = _ctx.options.clusterId;
	std::string discover = _ctx.options.discoverPrefix + "." + cid;

	if (_ctx.options.checkDuplicateServer)
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
		std::lock_guard<std::mutex> lock(_ctx.mutex);
		clearStateLocked();
		_ctx.discoverSubject = discover;
		_ctx.pingSubject = discover + ".pings";
		_ctx.pubPrefix = "_STAN.pub." + cid;
		_ctx.subSubject = "_STAN.sub." + cid;
		_ctx.unsubSubject = "_STAN.unsub." + cid;
		_ctx.subCloseSubject = "_STAN.subclose." + cid;
		_ctx.closeSubject = "_STAN.close." + cid;
		_ctx.ackPrefix = pConn->newInbox() + ".";
		_ctx.internalPrefix = pConn->newInbox() + ".";
		_ctx.pConn = pConn;
		_ctx.serverId = NUID::next();
		_ctx.startTimeNs = ServerProtocol::nowNanos();
		_ctx.inMsgs = _ctx.inBytes = _ctx.outMsgs = _ctx.outBytes = 0;
		_ctx.running = true;
	}
	_ctx.timer.start();

	try
	{
		std::vector<Subscription> subs;
		// Inline subscriptions: handlers run on the reader thread, in arrival order, with no
		// dispatcher hop and unlimited pending limits; they never block (they only append to the
		// output buffer).
		std::shared_ptr<ConnectionImpl> pImpl = ImplAccess::impl(*pConn);
		auto inl = [&pImpl](const std::string& subject, MessageHandler h) { return pImpl->subscribeInline(subject, std::string(), std::move(h)); };
		subs.push_back(inl(_ctx.discoverSubject, [this](const Message& m) { _clients.onConnect(m); }));
		subs.push_back(inl(_ctx.pingSubject, [this](const Message& m) { _clients.onPing(m); }));
		subs.push_back(inl(_ctx.pubPrefix + ".>", [this](const Message& m) { _channels.onPublish(m); }));
		subs.push_back(inl(_ctx.subSubject, [this](const Message& m) { _subscriptions.onSubscribe(m); }));
		subs.push_back(inl(_ctx.unsubSubject, [this](const Message& m) { _subscriptions.onUnsubscribe(m, false); }));
		subs.push_back(inl(_ctx.subCloseSubject, [this](const Message& m) { _subscriptions.onUnsubscribe(m, true); }));
		subs.push_back(inl(_ctx.closeSubject, [this](const Message& m) { _clients.onClose(m); }));
		subs.push_back(inl(_ctx.ackPrefix + "*", [this](const Message& m) { _delivery.onAck(m); }));
		subs.push_back(inl(_ctx.internalPrefix + "*", [this](const Message& m) { _clients.onInternalReply(m); }));
		pConn->flush(natsOptions.connectTimeout + natsOptions.connectTimeout);
		{
			std::lock_guard<std::mutex> lock(_ctx.mutex);
			_natsSubs = std::move(subs);
		}
		if (_ctx.options.httpPort != 0 || _ctx.options.httpsPort != 0)
		{
			// Started outside the lock (binding, thread creation); its handlers take the lock.
			auto pMonitor = std::make_unique<MonitorServer>(_ctx);
			const bool https = _ctx.options.httpsPort != 0;
			pMonitor->start(_ctx.options.httpHost, https ? _ctx.options.httpsPort : _ctx.options.httpPort, https);
			std::lock_guard<std::mutex> lock(_ctx.mutex);
			_pMonitor = std::move(pMonitor);
		}
	}
	catch (...)
	{
		stop();
		throw;
	}
	if (_ctx.options.debug)
	{
		_ctx.logger.information("Streaming server ready: cluster ID \"" + cid + "\" on " + pConn->connectedUrl());
	}
}

void StanServerImpl::stop()
{
	std::shared_ptr<Connection> pConn;
	std::unique_ptr<MonitorServer> pMonitor;
	{
		std::lock_guard<std::mutex> lock(_ctx.mutex);
		_ctx.running = false;
		pConn = _ctx.pConn;
		pMonitor = std::move(_pMonitor);
	}
	// Stopped and joined outside the lock: a handler may be waiting for it (and sees !running).
	if (pMonitor) pMonitor->stop();
	if (pConn) pConn->close();
	_ctx.timer.stop();
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	_natsSubs.clear();
	_ctx.pConn.reset();
	clearStateLocked();
}

void StanServerImpl::clearStateLocked()
{
	_subscriptions.clearLocked();
	_channels.clearLocked();
	_clients.clearLocked();
}

bool StanServerImpl::isRunning() const
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	return _ctx.running;
}

std::size_t StanServerImpl::numClients() const
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	return _clients.sizeLocked();
}

std::size_t StanServerImpl::numChannels() const
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	return _channels.sizeLocked();
}

std::size_t StanServerImpl::numSubscriptions() const
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	return _channels.numSubscriptionsLocked();
}

bool StanServerImpl::hasClient(const std::string& clientId) const
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	return _clients.findLocked(clientId) != nullptr;
}

int StanServerImpl::monitorPort() const
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	return _pMonitor ? _pMonitor->port() : 0;
}

bool StanServerImpl::channelInfo(const std::string& channel, StanChannelInfo& info) const
{
	std::lock_guard<std::mutex> lock(_ctx.mutex);
	return _channels.channelInfoLocked(channel, info);
}

} // namespace Nats
