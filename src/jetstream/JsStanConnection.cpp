//
// JsStanConnection.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JsStanConnection
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JsStanConnection.h"
#include "jetstream/JsStanSubscription.h"
#include "jetstream/JsPubAcks.h"
#include "jetstream/JetStreamException.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/SubjectRules.h"
#include "core/ThreadName.h"
#include "core/Timer.h"
#include "Nats/Exception.h"
#include <algorithm>
#include <chrono>

namespace Nats {

namespace {

const std::string CONNECTION_CLOSED("stan: connection closed");

} // namespace

JsStanConnection::JsStanConnection(const std::string& clusterId, const std::string& clientId, const StanOptions& options)
	: _clusterId(clusterId), _clientId(clientId), _options(options), _pGate(std::make_shared<StanCallbackGate>())
{
}

JsStanConnection::~JsStanConnection()
{
	joinOrDetach(_lostThread);
	releaseOwnedConnection(_pOwned, *_pGate); // not on its own thread, nor while callbacks run
}

void JsStanConnection::setFacade(StanConnection* pFacade)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_pFacade = pFacade;
}

std::string JsStanConnection::escapeName(const std::string& text)
{
	static const char* HEX = "0123456789ABCDEF";
	std::string out;
	out.reserve(text.size());
	for (unsigned char c: text)
	{
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
		{
			out += static_cast<char>(c);
		}
		else
		{
			out += '_';
			out += HEX[c >> 4];
			out += HEX[c & 0xf];
		}
	}
	return out;
}

std::string JsStanConnection::streamName(const std::string& prefix, const std::string& channel)
{
	return prefix + escapeName(channel);
}

std::string JsStanConnection::clientSubject() const
{
	return "_STAN.js." + escapeName(_clusterId) + ".clients." + escapeName(_clientId);
}

void JsStanConnection::checkConnected() const
{
	if (_status.load() != StanConnection::Status::CONNECTED) throw ConnectionClosedException(CONNECTION_CLOSED);
}

void JsStanConnection::reportError(const Poco::Exception& e)
{
	reportStanError(e, _options.errorHandler, _pConn, weak_from_this(), *_pGate);
}

void JsStanConnection::connect()
{
	if (_clusterId.empty()) throw Poco::InvalidArgumentException("stan: cluster ID must not be empty");
	if (_clientId.empty()) throw Poco::InvalidArgumentException("stan: client ID must not be empty");
	_options.validate();
	const StanOptions::JetStreamOptions& jo = _options.jetStream;
	if (jo.replicas < 1 || jo.replicas > 5) throw Poco::InvalidArgumentException("StanOptions.jetStream.replicas must be in 1..5");
	if (jo.idleHeartbeat < Poco::Timespan(100 * Poco::Timespan::MILLISECONDS))
		throw Poco::InvalidArgumentException("StanOptions.jetStream.idleHeartbeat must be >= 100 ms");
	if (jo.apiPrefix.empty()) throw Poco::InvalidArgumentException("StanOptions.jetStream.apiPrefix must not be empty");
	if (jo.maxAge.totalMicroseconds() < 0) throw Poco::InvalidArgumentException("StanOptions.jetStream.maxAge must be >= 0");
	for (char c: jo.streamPrefix)
	{
		if (c == '.' || c == '*' || c == '>' || c == '/' || c == '\\' || static_cast<unsigned char>(c) <= ' ')
			throw Poco::InvalidArgumentException("StanOptions.jetStream.streamPrefix must be a valid stream name prefix");
	}
	for (char c: _clientId)
	{
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			throw StanConnectException("stan: invalid clientID: only alphanumeric and `-` or `_` characters allowed");
	}
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_status.load() != StanConnection::Status::DISCONNECTED || _pConn)
			throw Poco::IllegalStateException("stan: already connected or closed");
	}

	try
	{
		if (_options.natsConnection)
		{
			_pConn = _options.natsConnection;
		}
		else
		{
			Options no = _options.natsOptions;
			no.servers = _options.effectiveServers();
			no.maxReconnect = -1;
			no.reconnectBufferSize = -1;
			if (no.name.empty()) no.name = _clientId;
			_pOwned.reset(new Connection(no));
			_pOwned->connect();
			_pConn = _pOwned.get();
		}
		_pJs.reset(new JetStreamContext(*_pConn, _options.connectWait, jo.apiPrefix));
		// Is JetStream there at all? (fails with "nats: JetStream not enabled")
		_pJs->accountInfo();

		// Client ID uniqueness: a live client with the same ID answers its probe subject.
		const std::string idSubject = clientSubject();
		bool taken = false;
		try
		{
			_pConn->request(idSubject, "", _options.connectWait);
			taken = true;
		}
		catch (const NoRespondersException&)
		{
		}
		catch (const NatsTimeoutException&)
		{
		}
		if (taken) throw StanClientIDRegisteredException("stan: clientID already registered");
		ConnectionImpl& core = *ImplAccess::impl(*_pConn);
		_idSub = core.subscribeInline(idSubject, "", [this](const Message& m) {
			if (!m.reply().empty() && _status.load() == StanConnection::Status::CONNECTED)
			{
				try
				{
					ImplAccess::impl(*_pConn)->publish(m.reply(), "", "", 0);
				}
				catch (...)
				{
				}
			}
		});

		std::weak_ptr<JsStanConnection> weakSelf = weak_from_this();
		_pPubAcks = std::make_shared<JsPubAcks>(_options, _pGate,
			[weakSelf](const Poco::Exception& e) {
				if (auto self = weakSelf.lock()) self->reportError(e);
			},
			core);
		_pubPrefix = _pConn->newInbox() + ".";
		_pPubAcks->start(_pubPrefix);
		std::weak_ptr<JsPubAcks> weakAcks = _pPubAcks;
		_pubSub = core.subscribeInline(_pubPrefix + "*", "", [weakAcks](const Message& m) {
			if (auto pAcks = weakAcks.lock()) pAcks->onPubAck(m);
		});
		_pConn->flush(_options.connectWait);
	}
	catch (...)
	{
		try
		{
			if (_idSub.isValid()) _idSub.unsubscribe();
			if (_pubSub.isValid()) _pubSub.unsubscribe();
		}
		catch (...)
		{
		}
		if (_pPubAcks) _pPubAcks->close();
		_pPubAcks.reset();
		if (_pOwned) _pOwned->close();
		_pOwned.reset();
		_pConn = nullptr;
		throw;
	}
	_status = StanConnection::Status::CONNECTED;
	scheduleCheck();
}

Connection& JsStanConnection::natsConnection()
{
	if (!_pConn) throw Poco::IllegalStateException("stan: not connected");
	return *_pConn;
}

std::string JsStanConnection::lostError() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _lostError;
}

int JsStanConnection::pubAcksInflight() const
{
	return _pPubAcks && _status.load() == Status::CONNECTED ? _pPubAcks->inflight() : 0;
}

std::string JsStanConnection::ensureStream(const std::string& channel, bool forPublish)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _streams.find(channel);
		if (it != _streams.end()) return it->second;
	}
	const std::string name = streamName(_options.jetStream.streamPrefix, channel);
	try
	{
		_pJs->streamInfo(name);
	}
	catch (const JetStreamApiException& e)
	{
		if (e.errCode() != JetStreamApiException::STREAM_NOT_FOUND) throw;
		if (!_options.jetStream.createStreams)
		{
			const std::string text = "stan: no stream for channel '" + channel + "' (stream " + name + ")";
			if (forPublish) throw StanPublishException(text);
			throw StanSubscriptionException(text);
		}
		StreamConfig cfg;
		cfg.name = name;
		cfg.subjects = {channel};
		cfg.storage = _options.jetStream.memoryStorage ? StreamConfig::Storage::MEMORY : StreamConfig::Storage::FILE;
		cfg.replicas = _options.jetStream.replicas;
		cfg.maxMsgs = _options.jetStream.maxMsgs;
		cfg.maxBytes = _options.jetStream.maxBytes;
		cfg.maxAge = _options.jetStream.maxAge;
		try
		{
			_pJs->addStream(cfg);
		}
		catch (const JetStreamApiException& e2)
		{
			// Another client created it in between (with other limits): use it.
			if (e2.errCode() != JetStreamApiException::STREAM_NAME_IN_USE) throw;
		}
	}
	std::lock_guard<std::mutex> lock(_mutex);
	_streams.emplace(channel, name);
	return name;
}

// ---------------------------------------------------------------------------------------------
// publish
// ---------------------------------------------------------------------------------------------

void JsStanConnection::ensureKnownChannel(const std::string& channel)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_streams.count(channel)) return;
	}
	SubjectRules::checkPublishSubject(channel, "channel");
	ensureStream(channel, true);
}

std::string JsStanConnection::publishAsync(const std::string& channel, const void* data, std::size_t length,
	StanAckHandler handler, Poco::Timespan maxWait)
{
	SubjectRules::checkPublishChannel(channel);
	checkConnected();
	ensureKnownChannel(channel);
	return _pPubAcks->publishAsync(channel, data, length, std::move(handler), maxWait);
}

void JsStanConnection::publish(const std::string& channel, const void* data, std::size_t length)
{
	SubjectRules::checkPublishChannel(channel);
	checkConnected();
	ensureKnownChannel(channel);
	_pPubAcks->publish(channel, data, length);
}

// ---------------------------------------------------------------------------------------------
// subscriptions
// ---------------------------------------------------------------------------------------------

StanSubscription JsStanConnection::subscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
	const StanSubscriptionOptions& options, bool sync)
{
	if (channel.empty()) throw Poco::InvalidArgumentException("stan: channel must not be empty");
	if (!sync && !handler) throw Poco::InvalidArgumentException("stan: message handler must not be empty");
	options.validate();
	checkConnected();
	SubjectRules::checkPublishSubject(channel, "channel");
	if (!group.empty()) SubjectRules::checkQueue(group);
	auto pSub = std::make_shared<JsStanSubscription>(shared_from_this(), channel, group, std::move(handler), options, sync);
	pSub->start();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_status.load() == StanConnection::Status::CONNECTED && !_tornDown) _subs.emplace(pSub.get(), pSub);
	}
	if (_status.load() != StanConnection::Status::CONNECTED)
	{
		// The teardown did not see it: stop it here (an ephemeral consumer ends with its
		// inactivity, or by the teardown's own requests when it races).
		pSub->closeLocal();
		throw ConnectionClosedException(CONNECTION_CLOSED);
	}
	// The public handle has its own reference count: when the last copy goes, the subscription is
	// closed (never unsubscribed); messages refer to pSub's own control block.
	std::shared_ptr<StanSubscriptionBackend> handle(pSub.get(), [pSub](StanSubscriptionBackend*) mutable {
		pSub->closeFromHandle();
		pSub.reset();
	});
	return StanSubscription(handle);
}

void JsStanConnection::removeSubscription(const JsStanSubscription* pSub)
{
	std::shared_ptr<JsStanSubscription> keep; // released outside the lock
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _subs.find(pSub);
	if (it == _subs.end()) return;
	keep = std::move(it->second);
	_subs.erase(it);
}

void JsStanConnection::scheduleCheck()
{
	std::weak_ptr<JsStanConnection> weakSelf = weak_from_this();
	Timer& timer = ImplAccess::impl(*_pConn)->timer();
	std::lock_guard<std::mutex> lock(_mutex);
	if (_tornDown) return;
	_checkTimerId = timer.schedule(_options.jetStream.idleHeartbeat, [weakSelf]() {
		if (auto self = weakSelf.lock()) self->onCheckTimer();
	});
}

void JsStanConnection::onCheckTimer()
{
	// NATS timer thread: only non-blocking work (each check is an asynchronous request whose
	// answer the reader thread handles).
	std::vector<std::shared_ptr<JsStanSubscription>> subs;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_checkTimerId = 0;
		if (_tornDown) return;
		subs.reserve(_subs.size());
		for (const auto& s : _subs) subs.push_back(s.second);
	}
	const auto interval = std::chrono::microseconds(_options.jetStream.idleHeartbeat.totalMicroseconds());
	for (auto& pSub : subs) pSub->checkConsumer(3 * interval);
	subs.clear();
	scheduleCheck();
}

// ---------------------------------------------------------------------------------------------
// close / loss
// ---------------------------------------------------------------------------------------------

void JsStanConnection::teardown(bool requests, StanCallbackGate::Deadline deadline)
{
	std::unordered_map<const JsStanSubscription*, std::shared_ptr<JsStanSubscription>> subs;
	std::uint64_t checkTimer = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_tornDown) return;
		_tornDown = true;
		subs.swap(_subs);
		std::swap(checkTimer, _checkTimerId);
	}
	if (checkTimer && _pConn) ImplAccess::impl(*_pConn)->timer().cancel(checkTimer);
	// Pending publishes fail with "stan: connection closed" (handlers queued behind the acks
	// already queued); subscriptions stop (each waits for its handler in progress unless this is
	// a callback: a handler's auto-ack goes out before the flush below).
	if (_pPubAcks) _pPubAcks->close();
	for (auto& s : subs)
	{
		if (requests) s.second->closeOnConnectionClose(deadline);
		else s.second->closeLocal(deadline);
	}
	subs.clear();
	// The ack handlers still queued run now (or right after the calling handler returns).
	if (_pPubAcks) _pPubAcks->drainHandlers(deadline);
	try
	{
		if (_idSub.isValid()) _idSub.unsubscribe();
		if (_pubSub.isValid()) _pubSub.unsubscribe();
	}
	catch (...)
	{
	}
	if (_pOwned)
	{
		if (requests)
		{
			try
			{
				_pOwned->flush(_options.connectWait);
			}
			catch (...)
			{
			}
		}
		// Closing joins the dispatcher workers: not while a handler still runs on one after the
		// deadline passed (the destructor leaves that to a thread of its own).
		if (deadline == StanCallbackGate::Deadline::max() || _pGate->idle()) _pOwned->close();
	}
	else if (requests && _pConn)
	{
		try
		{
			_pConn->flush(_options.connectWait); // the acks given reach the server
		}
		catch (...)
		{
		}
	}
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_teardownDone = true;
	}
	_teardownCv.notify_all();
}

void JsStanConnection::close()
{
	closeUntil(StanCallbackGate::Deadline::max());
}

void JsStanConnection::closeUntil(StanCallbackGate::Deadline deadline)
{
	StanConnection::Status st = _status.load();
	if (st == StanConnection::Status::DISCONNECTED)
	{
		if (_status.compare_exchange_strong(st, StanConnection::Status::CLOSED))
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_teardownDone = true; // nothing to tear down
			return;
		}
	}
	if (st == StanConnection::Status::CLOSED || st == StanConnection::Status::LOST
		|| !_status.compare_exchange_strong(st, StanConnection::Status::CLOSED))
	{
		// A second close() returns when the first teardown is done (a callback does not wait:
		// the teardown may be waiting for it).
		if (!StanCallbackGate::inCallback())
		{
			std::unique_lock<std::mutex> lock(_mutex);
			if (deadline == StanCallbackGate::Deadline::max())
				_teardownCv.wait(lock, [this]() { return _teardownDone; });
			else
				_teardownCv.wait_until(lock, deadline, [this]() { return _teardownDone; });
		}
		return;
	}
	teardown(true, deadline);
}

void JsStanConnection::lose(const std::string& error)
{
	StanConnection::Status expected = StanConnection::Status::CONNECTED;
	if (!_status.compare_exchange_strong(expected, StanConnection::Status::LOST)) return;
	std::lock_guard<std::mutex> lock(_mutex);
	_lostError = error;
	std::shared_ptr<JsStanConnection> self = shared_from_this();
	_lostThread = std::thread([self, error]() {
		setCurrentThreadName("stan-lost");
		// bounded, so that destroying the connection never waits longer for this thread
		self->teardown(false, StanCallbackGate::Deadline::clock::now()
			+ std::chrono::microseconds(self->_options.closeTimeout.totalMicroseconds()));
		StanConnection* pFacade;
		{
			std::lock_guard<std::mutex> l(self->_mutex);
			pFacade = self->_pFacade;
		}
		runConnectionLostHandler(self->_options.connectionLostHandler, pFacade, error, *self->_pGate,
			[&self](const Poco::Exception& e) { self->reportError(e); });
	});
}

void JsStanConnection::destroy()
{
	// One bound for all the waits for callbacks in progress (the requests themselves are bounded
	// by connectWait).
	const StanCallbackGate::Deadline deadline =
		StanCallbackGate::Deadline::clock::now() + std::chrono::microseconds(_options.closeTimeout.totalMicroseconds());
	try
	{
		closeUntil(deadline);
	}
	catch (...)
	{
	}
	std::thread t;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		t.swap(_lostThread);
	}
	joinOrDetach(t);
	// Handlers still running (one that called close(), say): wait for them, unless this is one of
	// them, at most until the deadline; after it they go on running on objects they own.
	if (!StanCallbackGate::inCallback())
	{
		_pGate->waitIdle(deadline);
		if (_pPubAcks) _pPubAcks->drainHandlers(deadline);
	}
	std::lock_guard<std::mutex> lock(_mutex);
	_pFacade = nullptr;
}

} // namespace Nats
