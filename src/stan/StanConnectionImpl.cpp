//
// StanConnectionImpl.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanConnectionImpl
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/StanConnectionImpl.h"
#include "stan/StanPinger.h"
#include "stan/StanPubAcks.h"
#include "stan/StanSubscriptionImpl.h"
#include "core/ConnectionImpl.h"
#include "core/NUID.h"
#include "core/SubjectRules.h"
#include "core/ThreadName.h"
#include "core/ImplAccess.h"
#include "Nats/Exception.h"

namespace Nats {

namespace {

const std::string CONNECTION_CLOSED("stan: connection closed");

} // namespace

StanConnectionImpl::StanConnectionImpl(const std::string& clusterId, const std::string& clientId, const StanOptions& options)
	: _clusterId(clusterId), _clientId(clientId), _options(options), _pGate(std::make_shared<StanCallbackGate>())
{
}

StanConnectionImpl::~StanConnectionImpl()
{
	joinOrDetach(_lostThread);
	releaseOwnedConnection(_pOwnedNc, *_pGate); // not on its own thread, nor while callbacks run
}

void StanConnectionImpl::setFacade(StanConnection* pFacade)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_pFacade = pFacade;
}

void StanConnectionImpl::checkConnected() const
{
	// every publish asks: a flag instead of the mutex (the status is a snapshot either way)
	if (!_connected.load(std::memory_order_acquire)) throw ConnectionClosedException(CONNECTION_CLOSED);
}

// ---------------------------------------------------------------------------------------------
// connect
// ---------------------------------------------------------------------------------------------

void StanConnectionImpl::connect()
{
	if (_clusterId.empty()) throw Poco::InvalidArgumentException("stan: cluster ID must not be empty");
	if (_clientId.empty()) throw Poco::InvalidArgumentException("stan: client ID must not be empty");
	_options.validate();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_status == Status::CONNECTED || _connecting) throw Poco::IllegalStateException("stan: already connected");
		if (_status != Status::DISCONNECTED) throw Poco::IllegalStateException("stan: connection closed");
		_connecting = true;
	}
	try
	{
		// Every piece of the session is made afresh: a connect() retried after a failure gets a
		// complete session.
		if (_options.natsConnection)
		{
			_pNc = _options.natsConnection;
			if (_pNc->isClosed()) throw ConnectionClosedException("stan: the given NATS connection is closed");
		}
		else
		{
			Options o = _options.natsOptions;
			o.servers = _options.effectiveServers();
			o.maxReconnect = -1;
			o.reconnectBufferSize = -1;
			if (o.name.empty()) o.name = _clientId;
			_pOwnedNc.reset(new Connection(o)); // a connection of a failed attempt goes here
			_pOwnedNc->connect();
			_pNc = _pOwnedNc.get();
		}
		auto impl = ImplAccess::impl(*_pNc);

		_connID = NUID::next();
		_hbInbox = _pNc->newInbox();
		_pingInbox = _pNc->newInbox();
		_ackSubject = "_STAN.acks." + NUID::next();
		std::weak_ptr<StanConnectionImpl> weakSelf = weak_from_this();
		auto reporter = [weakSelf](const Poco::Exception& exc) {
			if (auto self = weakSelf.lock()) self->reportError(exc);
		};
		// Ack handlers: one worker of the NATS connection's pool; timeouts: its timer.
		auto pPubAcks = std::make_shared<StanPubAcks>(_options, _pGate, reporter, impl->timer(), impl->dispatchers().next());
		std::weak_ptr<StanPubAcks> weakAcks = pPubAcks;

		_hbSub = impl->subscribeInline(_hbInbox, std::string(), [weakSelf](const Message& m) {
			if (auto self = weakSelf.lock()) self->onHeartbeat(m);
		});
		_ackSub = impl->subscribeInline(_ackSubject, std::string(), [weakAcks](const Message& m) {
			if (auto acks = weakAcks.lock()) acks->onPubAck(m);
		});
		// A NATS connection closed under the session (borrowed, closed by its owner) loses it.
		ImplAccess::impl(_hbSub)->setConnectionClosedHandler([weakSelf]() {
			if (auto self = weakSelf.lock()) self->connectionLost("nats: connection closed");
		});

		const StanConnectResponse resp = _requests.connect(*_pNc, _options, _clusterId, _clientId, _connID, _hbInbox);

		pPubAcks->start(*_pNc, _clientId, _connID, resp.pubPrefix + ".", _ackSubject);
		_pPubAcks = pPubAcks;

		if (resp.protocol >= 1 && resp.pingInterval != 0 && !resp.pingRequests.empty())
		{
			// Seconds. A negative echo (never sent by us) has no meaning on a released server:
			// keep our own interval then.
			const Poco::Timespan interval = resp.pingInterval > 0 ? Poco::Timespan(resp.pingInterval, 0)
			                                                      : Poco::Timespan(_options.pingInterval.totalSeconds(), 0);
			const int maxOut = resp.pingMaxOut > 0 ? resp.pingMaxOut : _options.pingMaxOut;
			auto pPinger = std::make_shared<StanPinger>(*_pNc, impl->timer(), resp.pingRequests, _pingInbox, _connID, interval, maxOut,
				[weakSelf](const std::string& error) {
					if (auto self = weakSelf.lock()) self->connectionLost(error);
				},
				reporter);
			std::weak_ptr<StanPinger> weakPinger = pPinger;
			_pingSub = impl->subscribeInline(_pingInbox, std::string(), [weakPinger](const Message& m) {
				if (auto pinger = weakPinger.lock()) pinger->onPingResponse(m);
			});
			_pPinger = pPinger;
			pPinger->start();
		}

		std::lock_guard<std::mutex> lock(_mutex);
		_connecting = false;
		if (_status != Status::DISCONNECTED) throw ConnectionClosedException("stan: connection closed during connect");
		_status = Status::CONNECTED;
		_connected.store(true, std::memory_order_release);
	}
	catch (...)
	{
		cleanupAfterFailedConnect();
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_connecting = false;
		}
		throw;
	}
}

void StanConnectionImpl::cleanupAfterFailedConnect()
{
	if (_pPinger) _pPinger->stop();
	if (_pPubAcks)
	{
		// Nothing was published yet: no handler to run.
		_pPubAcks->close();
		_pPubAcks->drainHandlers();
	}
	releaseNats();
	_pPinger.reset();
	_pPubAcks.reset();
}

void StanConnectionImpl::releaseNats(StanCallbackGate::Deadline deadline)
{
	// Internal subscriptions, then the owned NATS connection (closed, destroyed later: by the
	// next connect() attempt or the destructor).
	for (Subscription* s : {&_hbSub, &_pingSub, &_ackSub})
	{
		try
		{
			if (s->isValid()) s->unsubscribe();
		}
		catch (...)
		{
		}
	}
	if (_pOwnedNc && (deadline == StanCallbackGate::Deadline::max() || _pGate->idle()))
	{
		try
		{
			_pOwnedNc->close();
		}
		catch (...)
		{
		}
	}
}

// ---------------------------------------------------------------------------------------------
// close / loss
// ---------------------------------------------------------------------------------------------

void StanConnectionImpl::close()
{
	closeUntil(StanCallbackGate::Deadline::max());
}

void StanConnectionImpl::closeUntil(StanCallbackGate::Deadline deadline)
{
	{
		std::unique_lock<std::mutex> lock(_mutex);
		if (_status == Status::CLOSED || _status == Status::LOST)
		{
			// A second close() returns when the first teardown is done (a callback does not wait:
			// the teardown may be waiting for it).
			if (!StanCallbackGate::inCallback())
			{
				auto done = [this]() { return !_tearingDown; };
				if (deadline == StanCallbackGate::Deadline::max())
					_teardownCv.wait(lock, done);
				else
					_teardownCv.wait_until(lock, deadline, done);
			}
			return;
		}
		const bool wasConnected = (_status == Status::CONNECTED);
		_status = Status::CLOSED;
		_connected.store(false, std::memory_order_release);
		_lostOnce = true;
		if (!wasConnected) return; // never connected (or connect() in progress: it notices)
		_tearingDown = true;
	}
	std::string closeError;
	bool timedOut = false;
	teardown(true, closeError, timedOut, deadline);
	if (timedOut) throw StanRequestTimeoutException("stan: close request timeout");
	if (!closeError.empty()) throw StanException(closeError);
}

void StanConnectionImpl::destroy()
{
	// One bound for all the waits for callbacks in progress (the close request itself is bounded
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
	std::thread lost;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		lost = std::move(_lostThread);
	}
	joinOrDetach(lost);
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

void StanConnectionImpl::teardown(bool sendClose, std::string& closeError, bool& closeTimedOut, StanCallbackGate::Deadline deadline)
{
	// REQUIRES: the caller moved the status away from CONNECTED and set _tearingDown (once).
	// 1. pings and pub-ack timeouts; pending publishes fail with "stan: connection closed", each
	//    exactly once (their handlers queued behind the acks already queued)
	if (_pPinger) _pPinger->stop();
	_pPubAcks->close();

	// 2. subscriptions stop locally (durables stay on the server); each waits for its handler in
	//    progress unless this is a callback (the handler's auto-ack goes out before step 3)
	std::unordered_map<StanSubscriptionImpl*, std::shared_ptr<StanSubscriptionImpl>> subs;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		subs.swap(_subs);
	}
	for (auto& s : subs) s.second->closeLocal(deadline);
	subs.clear();

	// 3. flush the acks already given, then the close request
	if (sendClose)
	{
		try
		{
			_pNc->flush(_options.connectWait);
		}
		catch (...)
		{
		}
		_requests.close(closeError, closeTimedOut);
	}

	// 4. the ack handlers still queued run now (or right after the calling handler returns)
	_pPubAcks->drainHandlers(deadline);

	// 5. internal subscriptions, then the owned NATS connection
	releaseNats(deadline);

	std::lock_guard<std::mutex> lock(_mutex);
	_tornDown = true;
	_tearingDown = false;
	_teardownCv.notify_all();
}

void StanConnectionImpl::connectionLost(const std::string& error)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_status != Status::CONNECTED || _lostOnce.exchange(true)) return;
	_status = Status::LOST;
	_connected.store(false, std::memory_order_release);
	_lostError = error;
	_tearingDown = true;
	std::shared_ptr<StanConnectionImpl> self = shared_from_this();
	_lostThread = std::thread([self, error]() {
		setCurrentThreadName("stan-lost");
		std::string closeError;
		bool timedOut = false;
		// bounded, so that destroying the connection never waits longer for this thread
		self->teardown(false, closeError, timedOut,
			StanCallbackGate::Deadline::clock::now() + std::chrono::microseconds(self->_options.closeTimeout.totalMicroseconds()));
		StanConnection* pFacade;
		{
			std::lock_guard<std::mutex> lock(self->_mutex);
			pFacade = self->_pFacade;
		}
		runConnectionLostHandler(self->_options.connectionLostHandler, pFacade, error, *self->_pGate,
			[&self](const Poco::Exception& e) { self->reportError(e); });
	});
}

// ---------------------------------------------------------------------------------------------
// publish
// ---------------------------------------------------------------------------------------------

std::string StanConnectionImpl::publishAsync(const std::string& channel, const void* data, std::size_t length,
	StanAckHandler handler, Poco::Timespan maxWait)
{
	StanPubAcks::checkChannel(channel);
	checkConnected();
	return _pPubAcks->publishAsync(channel, data, length, std::move(handler), maxWait);
}

void StanConnectionImpl::publish(const std::string& channel, const void* data, std::size_t length)
{
	StanPubAcks::checkChannel(channel);
	checkConnected();
	_pPubAcks->publish(channel, data, length);
}

void StanConnectionImpl::onHeartbeat(const Message& msg)
{
	// NATS reader thread.
	if (msg.reply().empty() || _ignoreHeartbeats) return;
	try
	{
		_pNc->publish(msg.reply(), "", 0);
	}
	catch (...)
	{
	}
}

// ---------------------------------------------------------------------------------------------
// subscriptions
// ---------------------------------------------------------------------------------------------

StanSubscription StanConnectionImpl::subscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
	const StanSubscriptionOptions& options, bool sync)
{
	if (channel.empty()) throw Poco::InvalidArgumentException("stan: channel must not be empty");
	if (!sync && !handler) throw Poco::InvalidArgumentException("stan: message handler must not be empty");
	options.validate();
	checkConnected();
	auto pSub = std::make_shared<StanSubscriptionImpl>(shared_from_this(), channel, group, std::move(handler), options, sync);
	pSub->start(); // on a throw nothing is registered, here or on the server
	bool ok;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		ok = (_status == Status::CONNECTED && !_tearingDown && !_tornDown);
		if (ok) _subs.emplace(pSub.get(), pSub);
	}
	if (!ok)
	{
		// The connection's close request ends it on the server.
		pSub->closeLocal();
		throw ConnectionClosedException(CONNECTION_CLOSED);
	}
	try
	{
		pSub->startDelivery();
	}
	catch (...)
	{
		removeSubscription(pSub.get());
		pSub->abortStart();
		throw;
	}
	// The public handle has its own reference count: when the last copy goes, the subscription is
	// closed (never unsubscribed).
	std::shared_ptr<StanSubscriptionImpl> handle(pSub.get(), [pSub](StanSubscriptionImpl*) mutable {
		pSub->closeFromHandle();
		pSub.reset();
	});
	return StanSubscription(handle);
}

void StanConnectionImpl::removeSubscription(StanSubscriptionImpl* pSub)
{
	std::shared_ptr<StanSubscriptionImpl> keep; // released outside the lock
	std::lock_guard<std::mutex> lock(_mutex);
	auto it = _subs.find(pSub);
	if (it != _subs.end())
	{
		keep = std::move(it->second);
		_subs.erase(it);
	}
}

void StanConnectionImpl::sendUnsubscribe(const std::string& channel, const std::string& ackInbox, const std::string& durableName, bool close)
{
	checkConnected();
	_requests.unsubscribe(channel, ackInbox, durableName, close);
}

void StanConnectionImpl::sendSubCloseBestEffort(const std::string& channel, const std::string& inbox)
{
	_requests.subCloseBestEffort(channel, inbox);
}

// ---------------------------------------------------------------------------------------------
// accessors, errors
// ---------------------------------------------------------------------------------------------

Connection& StanConnectionImpl::natsConnection()
{
	if (!_pNc) throw Poco::IllegalStateException("stan: not connected");
	return *_pNc;
}

StanConnectionImpl::Status StanConnectionImpl::status() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _status;
}

std::string StanConnectionImpl::lostError() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _lostError;
}

int StanConnectionImpl::pubAcksInflight() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _pPubAcks && _status == Status::CONNECTED ? _pPubAcks->inflight() : 0;
}

void StanConnectionImpl::reportError(const Poco::Exception& exc)
{
	reportStanError(exc, _options.errorHandler, _pNc, weak_from_this(), *_pGate);
}

} // namespace Nats
