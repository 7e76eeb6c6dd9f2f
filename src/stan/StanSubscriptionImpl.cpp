//
// StanSubscriptionImpl.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanSubscriptionImpl
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/StanSubscriptionImpl.h"
#include "stan/StanConnectionImpl.h"
#include "protocol/StanCodec.h"
#include "core/ConnectionImpl.h"
#include "core/ImplAccess.h"
#include "core/ThreadName.h"
#include "Nats/Exception.h"
#include <vector>

namespace Nats {

namespace {

const std::string INVALID_SUBSCRIPTION("stan: invalid subscription");

} // namespace

StanSubscriptionImpl::StanSubscriptionImpl(std::shared_ptr<StanConnectionImpl> pConn, const std::string& channel,
	const std::string& group, StanMessageHandler handler, const StanSubscriptionOptions& options, bool sync)
	: _pConn(std::move(pConn)), _channel(channel), _group(group), _handler(std::move(handler)), _options(options), _sync(sync)
{
}

StanSubscriptionImpl::~StanSubscriptionImpl()
{
	if (_worker.joinable())
	{
		if (_worker.get_id() == std::this_thread::get_id())
			_worker.detach();
		else
			_worker.join();
	}
}

void StanSubscriptionImpl::start()
{
	Connection& nc = _pConn->nc();
	_inbox = nc.newInbox();
	std::weak_ptr<StanSubscriptionImpl> weakSelf = weak_from_this();
	_natsSub = ImplAccess::impl(nc)->subscribeInline(_inbox, std::string(), [weakSelf](const Message& msg) {
		if (auto self = weakSelf.lock()) self->onMsg(msg);
	});

	StanSubscriptionRequest req;
	req.clientID = _pConn->clientId();
	req.subject = _channel;
	req.qGroup = _group;
	req.inbox = _inbox;
	req.maxInFlight = _options.maxInflight;
	req.ackWaitInSecs = static_cast<int>(_options.ackWait.totalSeconds());
	req.durableName = _options.durableName;
	req.startPosition = static_cast<int>(_options.startPosition);
	if (_options.startPosition == StanSubscriptionOptions::StartPosition::SEQUENCE_START)
		req.startSequence = _options.startSequence;
	if (_options.startPosition == StanSubscriptionOptions::StartPosition::TIME_DELTA_START)
	{
		Poco::Timestamp now;
		req.startTimeDelta = (now - _options.startTime) * 1000; // microseconds -> nanoseconds
	}

	auto cleanupInbox = [this]() {
		try
		{
			_natsSub.unsubscribe();
		}
		catch (...)
		{
		}
		std::lock_guard<std::mutex> lock(_mutex);
		_stopped = true;
		_closed = true;
		_queue.clear();
	};

	Message reply;
	try
	{
		reply = nc.request(_pConn->subRequestsSubject(), StanCodec::encodeSubscriptionRequest(req), _pConn->options().connectWait);
	}
	catch (NatsTimeoutException&)
	{
		// Best effort: tell the server to drop a subscription it may have created (as stan.go).
		_pConn->sendSubCloseBestEffort(_channel, _inbox);
		cleanupInbox();
		throw StanRequestTimeoutException("stan: subscribe request timeout");
	}
	catch (NoRespondersException&)
	{
		cleanupInbox();
		throw StanRequestTimeoutException("stan: subscribe request timeout");
	}
	catch (...)
	{
		cleanupInbox();
		throw;
	}
	StanSubscriptionResponse resp;
	try
	{
		resp = StanCodec::decodeSubscriptionResponse(reply.data());
	}
	catch (...)
	{
		cleanupInbox();
		throw;
	}
	if (!resp.error.empty())
	{
		cleanupInbox();
		throw StanSubscriptionException(resp.error);
	}
	if (!_sync)
	{
		std::shared_ptr<StanSubscriptionImpl> self = shared_from_this();
		_worker = std::thread([self]() { self->workerLoop(); });
	}
	setReady(resp.ackInbox);
}

void StanSubscriptionImpl::setReady(const std::string& ackInbox)
{
	bool wake;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_ackInbox = ackInbox;
		_ready = true;
		wake = !_queue.empty();
	}
	if (wake) _cv.notify_all();
}

void StanSubscriptionImpl::onMsg(const Message& msg)
{
	// NATS reader thread: decode and queue, never block, never run user code.
	MsgProtoView v;
	try
	{
		StanCodec::decodeMsgProto(msg.data().data(), msg.data().size(), v);
	}
	catch (Poco::Exception& exc)
	{
		_pConn->reportError(exc);
		return;
	}
	StanMessage sm(v.sequence, v.timestamp, v.redelivered, v.redeliveryCount, std::string(v.subject), std::string(v.data),
		v.crc32, weak_from_this());
	bool wake = false;
	bool dropped = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return;
		const long long size = static_cast<long long>(sm.data().size());
		if ((_maxPendingMessages > 0 && static_cast<int>(_queue.size()) + _inBatch.load(std::memory_order_relaxed) >= _maxPendingMessages)
			|| (_maxPendingBytes > 0 && _queueBytes + _inBatchBytes.load(std::memory_order_relaxed) + size > _maxPendingBytes))
		{
			++_dropped;
			dropped = true;
		}
		else
		{
			_queueBytes += size;
			_queue.push_back(std::move(sm));
			wake = _ready && (_workerWaiting || _sync);
		}
	}
	if (wake) _cv.notify_one(); // one waiter: the worker, or the one nextMessage() caller
	if (dropped)
		_pConn->reportError(SlowConsumerException("stan: slow consumer, message dropped on channel " + _channel));
}

void StanSubscriptionImpl::workerLoop()
{
	setCurrentThreadName("stan-sub");
	std::deque<StanMessage> batch;
	std::unique_lock<std::mutex> lock(_mutex);
	while (true)
	{
		// Messages come in bursts: a short yield before sleeping saves a sleep/wake-up pair.
		for (int spin = 0; spin < 2 && !_stopped && _ready && _queue.empty(); ++spin)
		{
			lock.unlock();
			std::this_thread::yield();
			lock.lock();
		}
		while (!_stopped && (!_ready || _queue.empty()))
		{
			_workerWaiting = true;
			_cv.wait(lock);
			_workerWaiting = false;
		}
		if (_stopped) break;
		batch.swap(_queue);
		_inBatch.store(static_cast<int>(batch.size()), std::memory_order_relaxed);
		_inBatchBytes.store(_queueBytes, std::memory_order_relaxed);
		_queueBytes = 0;
		lock.unlock();
		while (!batch.empty())
		{
			if (_stopFlag.load(std::memory_order_acquire)) break;
			StanMessage& m = batch.front();
			_inBatch.fetch_sub(1, std::memory_order_relaxed);
			_inBatchBytes.fetch_sub(static_cast<long long>(m.data().size()), std::memory_order_relaxed);
			bool ok = true;
			try
			{
				_handler(m);
			}
			catch (Poco::Exception& exc)
			{
				ok = false;
				_pConn->reportError(exc);
			}
			catch (std::exception& exc)
			{
				ok = false;
				_pConn->reportError(Poco::Exception("stan: message handler threw", exc.what()));
			}
			catch (...)
			{
				ok = false;
				_pConn->reportError(Poco::Exception("stan: message handler threw an unknown exception"));
			}
			_delivered.fetch_add(1, std::memory_order_relaxed);
			if (ok && !_options.manualAcks && !_stopFlag.load(std::memory_order_acquire)) sendAck(m.sequence());
			batch.pop_front();
		}
		batch.clear();
		lock.lock();
		_inBatch.store(0, std::memory_order_relaxed);
		_inBatchBytes.store(0, std::memory_order_relaxed);
	}
}

void StanSubscriptionImpl::sendAck(std::uint64_t sequence)
{
	thread_local std::string buf;
	buf.clear();
	StanCodec::encodeAck(buf, _channel, sequence);
	try
	{
		_pConn->nc().publish(_ackInbox, buf.data(), buf.size());
	}
	catch (Poco::Exception& exc)
	{
		_pConn->reportError(exc);
	}
}

void StanSubscriptionImpl::ack(const StanMessage& msg)
{
	if (!_options.manualAcks) throw Poco::IllegalStateException("stan: cannot manually ack in auto-ack mode");
	const auto& owner = msg.subscriptionImpl();
	std::weak_ptr<StanSubscriptionImpl> me = weak_from_this();
	if (owner.owner_before(me) || me.owner_before(owner))
		throw Poco::InvalidArgumentException("stan: subscription is not the owner of this message");
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed || _stopped)
		{
			_pConn->checkConnected();
			throw StanSubscriptionException(INVALID_SUBSCRIPTION);
		}
	}
	thread_local std::string buf;
	buf.clear();
	StanCodec::encodeAck(buf, _channel, msg.sequence());
	_pConn->nc().publish(_ackInbox, buf.data(), buf.size());
}

StanMessage StanSubscriptionImpl::nextMessage(Poco::Timespan timeout)
{
	if (!_sync) throw Poco::IllegalStateException("stan: nextMessage() needs a subscription created without a handler");
	StanMessage m;
	{
		std::unique_lock<std::mutex> lock(_mutex);
		auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.totalMicroseconds());
		while (!_stopped && (!_ready || _queue.empty()))
		{
			if (_cv.wait_until(lock, deadline) == std::cv_status::timeout && !_stopped && (!_ready || _queue.empty()))
				throw NatsTimeoutException("stan: timeout waiting for a message");
		}
		if (_stopped)
		{
			lock.unlock();
			_pConn->checkConnected();
			throw StanSubscriptionException(INVALID_SUBSCRIPTION);
		}
		m = std::move(_queue.front());
		_queue.pop_front();
		_queueBytes -= static_cast<long long>(m.data().size());
	}
	_delivered.fetch_add(1, std::memory_order_relaxed);
	if (!_options.manualAcks) sendAck(m.sequence());
	return m;
}

bool StanSubscriptionImpl::stopDelivery()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return false;
		_stopped = true;
		_stopFlag.store(true, std::memory_order_release);
		_queue.clear();
		_queueBytes = 0;
	}
	_cv.notify_all();
	try
	{
		_natsSub.unsubscribe();
	}
	catch (...)
	{
	}
	if (_worker.joinable())
	{
		// Waits for a handler in progress, unless called from that handler.
		if (_worker.get_id() == std::this_thread::get_id())
			_worker.detach();
		else
			_worker.join();
	}
	return true;
}

void StanSubscriptionImpl::close(bool unsubscribe)
{
	std::lock_guard<std::mutex> closeLock(_closeMutex);
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed)
		{
			if (!unsubscribe) return; // close() twice is a no-op
			_pConn->checkConnected();
			throw StanSubscriptionException(INVALID_SUBSCRIPTION);
		}
		_closed = true;
	}
	stopDelivery();
	_pConn->removeSubscription(this);
	_pConn->sendUnsubscribe(_channel, _ackInbox, _options.durableName, !unsubscribe);
}

void StanSubscriptionImpl::closeFromHandle()
{
	try
	{
		close(false);
	}
	catch (ConnectionClosedException&)
	{
	}
	catch (Poco::Exception& exc)
	{
		_pConn->reportError(exc);
	}
	catch (...)
	{
	}
}

void StanSubscriptionImpl::closeLocal()
{
	// No _closeMutex here: a handler may close the connection while another thread is inside
	// close() joining that handler's worker.
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
	}
	stopDelivery();
}

bool StanSubscriptionImpl::isValid() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return !_closed && !_stopped;
}

int StanSubscriptionImpl::pendingMessages() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return static_cast<int>(_queue.size()) + _inBatch.load(std::memory_order_relaxed);
}

long long StanSubscriptionImpl::pendingBytes() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _queueBytes + _inBatchBytes.load(std::memory_order_relaxed);
}

std::uint64_t StanSubscriptionImpl::dropped() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _dropped;
}

void StanSubscriptionImpl::setPendingLimits(int maxMessages, long long maxBytes)
{
	if (maxMessages == 0 || maxBytes == 0)
		throw Poco::InvalidArgumentException("stan: pending limits must not be 0 (negative = unlimited)");
	std::lock_guard<std::mutex> lock(_mutex);
	_maxPendingMessages = maxMessages;
	_maxPendingBytes = maxBytes;
}

int StanSubscriptionImpl::maxPendingMessages() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _maxPendingMessages;
}

long long StanSubscriptionImpl::maxPendingBytes() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _maxPendingBytes;
}

} // namespace Nats
