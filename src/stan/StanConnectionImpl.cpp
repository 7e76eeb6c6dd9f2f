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
#include "stan/StanSubscriptionImpl.h"
#include "protocol/StanCodec.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/NUID.h"
#include "core/ThreadName.h"
#include "Nats/Exception.h"
#include <Poco/Logger.h>
#include <algorithm>

namespace Nats {

namespace {

const std::string CONNECTION_CLOSED("stan: connection closed");
const std::string PUB_ACK_TIMEOUT("stan: publish ack timeout");
const std::string PING_FAILURE("stan: connection lost due to PING failure");
const std::string CONNECT_TIMEOUT("stan: connect request timeout (possibly wrong cluster ID?)");
const std::string CLIENT_ID_REGISTERED("stan: clientID already registered");

std::int64_t toNs(std::chrono::steady_clock::time_point t)
{
	return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

} // namespace

StanConnectionImpl::StanConnectionImpl(const std::string& clusterId, const std::string& clientId, const StanOptions& options)
	: _clusterId(clusterId), _clientId(clientId), _options(options)
{
}

StanConnectionImpl::~StanConnectionImpl()
{
	joinOrDetach(_timerThread);
	joinOrDetach(_ackThread);
	joinOrDetach(_lostThread);
}

void StanConnectionImpl::joinOrDetach(std::thread& t)
{
	if (!t.joinable()) return;
	if (t.get_id() == std::this_thread::get_id())
		t.detach();
	else
		t.join();
}

void StanConnectionImpl::setFacade(StanConnection* pFacade)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_pFacade = pFacade;
}

void StanConnectionImpl::checkConnected() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_status != Status::CONNECTED) throw ConnectionClosedException(CONNECTION_CLOSED);
}

// ---------------------------------------------------------------------------------------------
// connect / close
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
			_pOwnedNc.reset(new Connection(o));
			_pOwnedNc->connect();
			_pNc = _pOwnedNc.get();
		}

		_connID = NUID::next();
		_hbInbox = _pNc->newInbox();
		_pingInbox = _pNc->newInbox();
		_ackSubject = "_STAN.acks." + NUID::next();
		_pTracker.reset(new PubAckTracker(_options.maxPubAcksInflight, _options.maxPubAcksInflightPercentage, _options.pubAckWait));
		std::weak_ptr<StanConnectionImpl> weakSelf = weak_from_this();
		_pTracker->setArmCallback([weakSelf]() {
			if (auto self = weakSelf.lock()) self->armTimer(PubAckTracker::Clock::now() + std::chrono::microseconds(self->_options.pubAckWait.totalMicroseconds()));
		});

		auto impl = ImplAccess::impl(*_pNc);
		_hbSub = impl->subscribeInline(_hbInbox, std::string(), [weakSelf](const Message& m) {
			if (auto self = weakSelf.lock()) self->onHeartbeat(m);
		});
		_pingSub = impl->subscribeInline(_pingInbox, std::string(), [weakSelf](const Message& m) {
			if (auto self = weakSelf.lock()) self->onPingResponse(m);
		});
		_ackSub = impl->subscribeInline(_ackSubject, std::string(), [weakSelf](const Message& m) {
			if (auto self = weakSelf.lock()) self->onPubAck(m);
		});

		StanConnectRequest req;
		req.clientID = _clientId;
		req.heartbeatInbox = _hbInbox;
		req.protocol = 1;
		req.connID = _connID;
		// Whole seconds, truncated (as stan.go); validate() guarantees >= 1 s.
		req.pingInterval = static_cast<int>(_options.pingInterval.totalSeconds());
		req.pingMaxOut = _options.pingMaxOut;

		Message reply;
		try
		{
			reply = _pNc->request(_options.discoverPrefix + "." + _clusterId, StanCodec::encodeConnectRequest(req), _options.connectWait);
		}
		catch (NatsTimeoutException&)
		{
			throw StanConnectTimeoutException(CONNECT_TIMEOUT);
		}
		catch (NoRespondersException&)
		{
			throw StanConnectTimeoutException(CONNECT_TIMEOUT);
		}
		StanConnectResponse resp = StanCodec::decodeConnectResponse(reply.data());
		if (!resp.error.empty())
		{
			if (resp.error == CLIENT_ID_REGISTERED) throw StanClientIDRegisteredException(resp.error);
			throw StanConnectException(resp.error);
		}
		_pubPrefix = resp.pubPrefix + ".";
		_subRequests = resp.subRequests;
		_unsubRequests = resp.unsubRequests;
		_closeRequests = resp.closeRequests;
		_subCloseRequests = resp.subCloseRequests;
		_pingRequests = resp.pingRequests;
		if (resp.protocol >= 1 && resp.pingInterval != 0 && !_pingRequests.empty())
		{
			_pingsEnabled = true;
			// Seconds. A negative echo (never sent by us) has no meaning on a released server:
			// keep our own interval then.
			_pingInterval = resp.pingInterval > 0 ? Poco::Timespan(resp.pingInterval, 0)
			                                      : Poco::Timespan(_options.pingInterval.totalSeconds(), 0);
			_pingMaxOut = resp.pingMaxOut > 0 ? resp.pingMaxOut : _options.pingMaxOut;
			_pingBytes = StanCodec::encodePing(_connID);
		}
		else
		{
			try
			{
				_pingSub.unsubscribe();
			}
			catch (...)
			{
			}
		}

		_ackThread = std::thread([this]() { ackLoop(); });
		_timerThread = std::thread([this]() { timerLoop(); });

		std::lock_guard<std::mutex> lock(_mutex);
		_connecting = false;
		if (_status != Status::DISCONNECTED) throw ConnectionClosedException("stan: connection closed during connect");
		_status = Status::CONNECTED;
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
	stopTimerThread();
	if (_pTracker)
	{
		// Nothing was published yet: the completions are empty and dropped.
		std::vector<PubAckTracker::Completion> pending;
		_pTracker->close(pending);
	}
	stopAckThreadAndReleaseNats();
}

void StanConnectionImpl::stopTimerThread()
{
	{
		std::lock_guard<std::mutex> lock(_timerMutex);
		_timerStop = true;
	}
	_timerCv.notify_all();
	joinOrDetach(_timerThread);
}

void StanConnectionImpl::stopAckThreadAndReleaseNats()
{
	// User ack handlers still queued run before the thread ends.
	{
		std::lock_guard<std::mutex> lock(_ackMutex);
		_ackStop = true;
	}
	_ackCv.notify_all();
	joinOrDetach(_ackThread);
	// Internal subscriptions, then the owned NATS connection.
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
	if (_pOwnedNc)
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

void StanConnectionImpl::close()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_status == Status::CLOSED || _status == Status::LOST) return;
		const bool wasConnected = (_status == Status::CONNECTED);
		_status = Status::CLOSED;
		_lostOnce = true;
		if (!wasConnected) return; // never connected (or connect() in progress: it notices)
	}
	std::string closeError;
	bool timedOut = false;
	teardown(true, closeError, timedOut);
	if (timedOut) throw StanRequestTimeoutException("stan: close request timeout");
	if (!closeError.empty()) throw StanException(closeError);
}

void StanConnectionImpl::destroy()
{
	try
	{
		close();
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
	std::lock_guard<std::mutex> lock(_mutex);
	_pFacade = nullptr;
}

void StanConnectionImpl::teardown(bool sendClose, std::string& closeError, bool& closeTimedOut)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_tornDown) return;
		_tornDown = true;
	}
	// 1. pings and pub-ack timeouts
	stopTimerThread();

	// 2. pending publishes: "stan: connection closed", each exactly once (via the ack thread, after
	//    the acks already queued there)
	std::vector<PubAckTracker::Completion> pending;
	_pTracker->close(pending);
	dispatchCompletions(pending, CONNECTION_CLOSED, false);

	// 3. subscriptions stop locally (durables stay on the server)
	std::vector<std::shared_ptr<StanSubscriptionImpl>> subs;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		subs.swap(_subs);
	}
	for (auto& s : subs) s->closeLocal();
	subs.clear();

	// 4. flush the acks already given, then the close request
	if (sendClose)
	{
		try
		{
			_pNc->flush(_options.connectWait);
		}
		catch (...)
		{
		}
		try
		{
			Message reply = _pNc->request(_closeRequests, StanCodec::encodeCloseRequest(_clientId), _options.connectWait);
			closeError = StanCodec::decodeCloseResponse(reply.data());
		}
		catch (NatsTimeoutException&)
		{
			closeTimedOut = true;
		}
		catch (NoRespondersException&)
		{
			closeTimedOut = true;
		}
		catch (Poco::Exception& exc)
		{
			closeError = exc.message().empty() ? exc.displayText() : exc.message();
		}
	}

	// 5. user ack handlers still queued run now; 6. internal subscriptions, then the owned NATS connection
	stopAckThreadAndReleaseNats();
}

void StanConnectionImpl::connectionLost(const std::string& error)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_status != Status::CONNECTED || _lostOnce.exchange(true)) return;
	_status = Status::LOST;
	_lostError = error;
	std::shared_ptr<StanConnectionImpl> self = shared_from_this();
	_lostThread = std::thread([self, error]() {
		setCurrentThreadName("stan-lost");
		std::string closeError;
		bool timedOut = false;
		self->teardown(false, closeError, timedOut);
		StanConnection* pFacade;
		{
			std::lock_guard<std::mutex> lock(self->_mutex);
			pFacade = self->_pFacade;
		}
		if (self->_options.connectionLostHandler && pFacade)
		{
			try
			{
				self->_options.connectionLostHandler(*pFacade, error);
			}
			catch (Poco::Exception& exc)
			{
				self->reportError(exc);
			}
			catch (...)
			{
			}
		}
	});
}

// ---------------------------------------------------------------------------------------------
// publish
// ---------------------------------------------------------------------------------------------

std::string StanConnectionImpl::publishAsync(const std::string& channel, const void* data, std::size_t length,
	StanAckHandler handler, Poco::Timespan maxWait, bool userHandler)
{
	if (channel.empty()) throw Poco::InvalidArgumentException("stan: channel must not be empty");
	checkConnected();
	std::string guid; // at most 15 characters: no allocation
	if (!_pTracker->add(guid, std::move(handler), maxWait, !userHandler))
		throw NatsTimeoutException("stan: publish window full");
	thread_local std::string buf;
	thread_local std::string subject;
	buf.clear();
	StanCodec::encodePubMsg(buf, _clientId, guid, channel, data, length, _connID);
	subject.assign(_pubPrefix);
	subject.append(channel);
	try
	{
		if (userHandler)
			_pNc->publishRequest(subject, _ackSubject, buf.data(), buf.size());
		else
			ImplAccess::impl(*_pNc)->publish(subject, _ackSubject, buf.data(), buf.size(), true); // sync publish: write on this thread
	}
	catch (...)
	{
		// If the entry is gone, its handler already ran (timeout / close): report success of the call.
		if (_pTracker->remove(guid)) throw;
	}
	return guid;
}

void StanConnectionImpl::publish(const std::string& channel, const void* data, std::size_t length)
{
	// The waiter lives on this stack; the callback only captures its address (small enough for
	// std::function's local buffer: no allocation) and runs exactly once, on the reader thread
	// (ack), the timer thread (timeout) or the closing thread.
	struct Waiter
	{
		std::mutex mutex;
		std::condition_variable cv;
		bool done = false;
		bool sleeping = false;
		std::string error;
	} waiter;
	Waiter* pWaiter = &waiter;
	const std::string guid = publishAsync(channel, data, length,
		[pWaiter](const std::string&, const std::string& error) {
			std::lock_guard<std::mutex> lock(pWaiter->mutex);
			pWaiter->done = true;
			pWaiter->error = error;
			if (pWaiter->sleeping) pWaiter->cv.notify_one();
		},
		Poco::Timespan(-1), false);
	{
		std::unique_lock<std::mutex> lock(waiter.mutex);
		// The timer completes the entry after pubAckWait; the margin only guards against a stuck
		// timer.
		auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(_options.pubAckWait.totalMicroseconds())
			+ std::chrono::microseconds(_options.connectWait.totalMicroseconds()) + std::chrono::seconds(1);
		waiter.sleeping = true;
		if (!waiter.cv.wait_until(lock, deadline, [&]() { return waiter.done; }))
		{
			lock.unlock();
			if (_pTracker->remove(guid)) throw StanPubAckTimeoutException(PUB_ACK_TIMEOUT);
			// The callback was taken by a completer: it is about to run.
			lock.lock();
			waiter.cv.wait(lock, [&]() { return waiter.done; });
		}
	}
	const std::string& error = waiter.error;
	if (error.empty()) return;
	if (error == PUB_ACK_TIMEOUT) throw StanPubAckTimeoutException(error);
	if (error == CONNECTION_CLOSED) throw ConnectionClosedException(error);
	throw StanPublishException(error);
}

void StanConnectionImpl::dispatchCompletions(std::vector<PubAckTracker::Completion>& completions, const std::string& error, bool direct)
{
	if (completions.empty()) return;
	bool queued = false;
	{
		std::unique_lock<std::mutex> lock(_ackMutex);
		for (auto& c : completions)
		{
			if (!c.callback) continue;
			if (c.direct || direct)
			{
				lock.unlock();
				try
				{
					c.callback(c.guid, error);
				}
				catch (...)
				{
				}
				lock.lock();
			}
			else
			{
				_ackQueue.push_back(AckEvent{std::move(c.guid), error, std::move(c.callback)});
				queued = true;
			}
		}
	}
	if (queued) _ackCv.notify_all();
	completions.clear();
}

void StanConnectionImpl::onPubAck(const Message& msg)
{
	// NATS reader thread.
	PubAckView v;
	try
	{
		StanCodec::decodePubAck(msg.data().data(), msg.data().size(), v);
	}
	catch (Poco::Exception& exc)
	{
		reportError(exc);
		return;
	}
	PubAckTracker::Completion c;
	if (!_pTracker->complete(v.guid, c)) return;
	if (!c.callback) return;
	if (c.direct)
	{
		c.callback(c.guid, std::string(v.error));
		return;
	}
	bool wake;
	{
		std::lock_guard<std::mutex> lock(_ackMutex);
		_ackQueue.push_back(AckEvent{std::move(c.guid), std::string(v.error), std::move(c.callback)});
		wake = _ackWaiting;
	}
	if (wake) _ackCv.notify_one();
}

void StanConnectionImpl::ackLoop()
{
	setCurrentThreadName("stan-acks");
	std::deque<AckEvent> batch;
	std::unique_lock<std::mutex> lock(_ackMutex);
	while (true)
	{
		if (_ackQueue.empty() && !_ackStop)
		{
			// Under load acks arrive in bursts: give the reader a moment to queue more before
			// sleeping, which saves a sleep/wake-up pair per burst.
			for (int spin = 0; spin < 3 && _ackQueue.empty() && !_ackStop; ++spin)
			{
				lock.unlock();
				std::this_thread::yield();
				lock.lock();
			}
		}
		while (_ackQueue.empty() && !_ackStop)
		{
			_ackWaiting = true;
			_ackCv.wait(lock);
			_ackWaiting = false;
		}
		if (_ackQueue.empty() && _ackStop) break;
		batch.swap(_ackQueue);
		lock.unlock();
		for (auto& e : batch)
		{
			try
			{
				e.callback(e.guid, e.error);
			}
			catch (Poco::Exception& exc)
			{
				reportError(exc);
			}
			catch (std::exception& exc)
			{
				reportError(Poco::Exception("stan: ack handler threw", exc.what()));
			}
			catch (...)
			{
			}
		}
		batch.clear();
		lock.lock();
	}
}

// ---------------------------------------------------------------------------------------------
// timer: pub-ack timeouts and pings
// ---------------------------------------------------------------------------------------------

void StanConnectionImpl::armTimer(PubAckTracker::Clock::time_point deadline)
{
	if (toNs(deadline) >= _timerWakeNs.load()) return; // the timer wakes earlier anyway
	{
		std::lock_guard<std::mutex> lock(_timerMutex);
		_timerKick = true;
	}
	_timerCv.notify_one();
}

void StanConnectionImpl::timerLoop()
{
	setCurrentThreadName("stan-timer");
	using Clock = PubAckTracker::Clock;
	const auto pingInterval = std::chrono::microseconds(_pingInterval.totalMicroseconds());
	Clock::time_point nextPing = _pingsEnabled ? Clock::now() + pingInterval : Clock::time_point::max();
	std::vector<PubAckTracker::Completion> expired;
	while (true)
	{
		{
			std::lock_guard<std::mutex> lock(_timerMutex);
			if (_timerStop) break;
		}
		Clock::time_point now = Clock::now();
		Clock::time_point nextAck = _pTracker->expire(now, expired);
		dispatchCompletions(expired, PUB_ACK_TIMEOUT, false);
		if (_pingsEnabled && now >= nextPing)
		{
			sendPing();
			nextPing = now + pingInterval;
		}
		Clock::time_point wake = std::min(nextAck, nextPing);
		const Clock::time_point cap = now + std::chrono::seconds(3600);
		if (wake > cap) wake = cap;
		std::unique_lock<std::mutex> lock(_timerMutex);
		_timerWakeNs.store(toNs(wake));
		// An entry added after expire() above may be due before `wake`: re-check it under the lock.
		Clock::time_point due = _pTracker->nextDeadline();
		if (due < wake) wake = due;
		_timerCv.wait_until(lock, wake, [this]() { return _timerStop || _timerKick; });
		_timerKick = false;
	}
}

void StanConnectionImpl::sendPing()
{
	const int out = ++_pingsOut;
	if (out > _pingMaxOut)
	{
		connectionLost(PING_FAILURE);
		return;
	}
	try
	{
		_pNc->publishRequest(_pingRequests, _pingInbox, _pingBytes.data(), _pingBytes.size());
	}
	catch (ConnectionClosedException& exc)
	{
		connectionLost(exc.message());
	}
	catch (...)
	{
		// Reconnecting (no buffering): the ping counts as unanswered.
	}
}

void StanConnectionImpl::onPingResponse(const Message& msg)
{
	// NATS reader thread.
	if (msg.data().empty())
	{
		if (msg.isNoResponders()) return;
		_pingsOut = 0;
		return;
	}
	std::string error;
	try
	{
		error = StanCodec::decodePingResponse(msg.data());
	}
	catch (Poco::Exception& exc)
	{
		reportError(exc);
		return;
	}
	if (error.empty())
		_pingsOut = 0;
	else
		connectionLost(error);
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
	pSub->start();
	bool ok;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		ok = (_status == Status::CONNECTED && !_tornDown);
		if (ok) _subs.push_back(pSub);
	}
	if (!ok)
	{
		pSub->closeLocal();
		throw ConnectionClosedException(CONNECTION_CLOSED);
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
	auto it = std::find_if(_subs.begin(), _subs.end(), [pSub](const std::shared_ptr<StanSubscriptionImpl>& s) { return s.get() == pSub; });
	if (it != _subs.end())
	{
		keep = std::move(*it);
		_subs.erase(it);
	}
}

void StanConnectionImpl::sendUnsubscribe(const std::string& channel, const std::string& ackInbox, const std::string& durableName, bool close)
{
	checkConnected();
	const std::string& subject = close ? _subCloseRequests : _unsubRequests;
	if (subject.empty()) throw StanNotSupportedException("stan: not supported by server");
	// Acks given so far reach the server before the request (they would be redelivered otherwise).
	try
	{
		_pNc->flush(_options.connectWait);
	}
	catch (...)
	{
	}
	StanUnsubscribeRequest req;
	req.clientID = _clientId;
	req.subject = channel;
	req.inbox = ackInbox;
	req.durableName = durableName;
	Message reply;
	try
	{
		reply = _pNc->request(subject, StanCodec::encodeUnsubscribeRequest(req), _options.connectWait);
	}
	catch (NatsTimeoutException&)
	{
		throw StanRequestTimeoutException(close ? "stan: close request timeout" : "stan: unsubscribe request timeout");
	}
	catch (NoRespondersException&)
	{
		throw StanRequestTimeoutException(close ? "stan: close request timeout" : "stan: unsubscribe request timeout");
	}
	catch (ConnectionClosedException&)
	{
		throw ConnectionClosedException(CONNECTION_CLOSED);
	}
	StanSubscriptionResponse resp = StanCodec::decodeSubscriptionResponse(reply.data());
	if (!resp.error.empty()) throw StanSubscriptionException(resp.error);
}

void StanConnectionImpl::sendSubCloseBestEffort(const std::string& channel, const std::string& inbox)
{
	if (_subCloseRequests.empty()) return;
	StanUnsubscribeRequest req;
	req.clientID = _clientId;
	req.subject = channel;
	req.inbox = inbox;
	try
	{
		_pNc->publish(_subCloseRequests, StanCodec::encodeUnsubscribeRequest(req));
	}
	catch (...)
	{
	}
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
	return _pTracker ? _pTracker->inflight() : 0;
}

void StanConnectionImpl::reportError(const Poco::Exception& exc)
{
	if (_options.errorHandler)
	{
		try
		{
			_options.errorHandler(exc);
		}
		catch (...)
		{
		}
	}
	else
	{
		Poco::Logger& logger = Poco::Logger::get("Nats.StanConnection");
		if (logger.warning()) logger.warning(exc.displayText());
	}
}

} // namespace Nats
