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
#include "Nats/Exception.h"

namespace Nats {

namespace {

const std::string INVALID_SUBSCRIPTION("stan: invalid subscription");

} // namespace

StanSubscriptionImpl::StanSubscriptionImpl(std::shared_ptr<StanConnectionImpl> pConn, const std::string& channel,
	const std::string& group, StanMessageHandler handler, const StanSubscriptionOptions& options, bool sync)
	: _pConn(std::move(pConn)),
	  _pGate(_pConn->callbackGate()),
	  _pChannel(std::make_shared<const std::string>(channel)),
	  _group(group),
	  _options(options),
	  _sync(sync),
	  _handler(std::move(handler))
{
}

StanSubscriptionImpl::~StanSubscriptionImpl()
{
}

void StanSubscriptionImpl::start()
{
	Connection& nc = _pConn->nc();
	if (!_sync) _pDispatcher = ImplAccess::impl(nc)->dispatchers().next();
	_inbox = nc.newInbox();
	std::weak_ptr<StanSubscriptionImpl> weakSelf = weak_from_this();
	_natsSub = ImplAccess::impl(nc)->subscribeInline(_inbox, std::string(), [weakSelf](const Message& msg) {
		if (auto self = weakSelf.lock()) self->onMsg(msg);
	});

	StanSubscriptionRequest req;
	req.clientID = _pConn->clientId();
	req.subject = *_pChannel;
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
		_queue.clear(true);
	};

	Message reply;
	try
	{
		reply = nc.request(_pConn->subRequestsSubject(), StanCodec::encodeSubscriptionRequest(req), _pConn->options().connectWait);
	}
	catch (NatsTimeoutException&)
	{
		// Best effort: tell the server to drop a subscription it may have created (as stan.go).
		_pConn->sendSubCloseBestEffort(*_pChannel, _inbox);
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
	std::lock_guard<std::mutex> lock(_mutex);
	_ackInbox = resp.ackInbox;
}

void StanSubscriptionImpl::startDelivery()
{
	if (_pConn->takeFailDeliveryStart()) throw Poco::RuntimeException("stan: delivery could not start (test hook)");
	bool schedule = false;
	bool wake = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return;
		_ready = true;
		if (!_queue.empty())
		{
			if (_sync)
			{
				wake = true;
			}
			else if (!_scheduled)
			{
				_scheduled = true;
				schedule = true;
			}
		}
	}
	if (wake) _cv.notify_all();
	if (schedule) _pDispatcher->schedule(shared_from_this());
}

void StanSubscriptionImpl::abortStart()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
	}
	stopDelivery();
	try
	{
		// close keeps a durable for a later resume; unsubscribe where the server cannot close
		_pConn->sendUnsubscribe(*_pChannel, _ackInbox, _options.durableName, _pConn->supportsSubClose());
	}
	catch (Poco::Exception& exc)
	{
		_pConn->reportError(exc);
	}
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
	// The message is the reader's own temporary (Reader::onMsg() for an INLINE
	// subscription, see SubscriptionImpl.h): its payload buffer is moved into the StanMessage and
	// the data shifted to its front, so no allocation and no copy of the payload beyond one memmove.
	// The views into the payload are read before the buffer moves.
	std::shared_ptr<const std::string> pChannel =
		v.subject == *_pChannel ? _pChannel : std::make_shared<const std::string>(v.subject);
	std::string& payload = const_cast<std::string&>(msg.data());
	const char* base = payload.data();
	std::string data;
	if (v.data.empty())
	{
		// nothing to keep
	}
	else if (v.data.data() >= base && v.data.data() + v.data.size() <= base + payload.size())
	{
		const std::size_t offset = static_cast<std::size_t>(v.data.data() - base);
		const std::size_t length = v.data.size();
		data = std::move(payload);
		data.erase(0, offset);
		data.resize(length);
	}
	else
	{
		data.assign(v.data.data(), v.data.size());
	}
	const std::uint64_t sequence = v.sequence;
	StanMessage sm(sequence, v.timestamp, v.redelivered, v.redeliveryCount, std::move(pChannel), std::move(data), v.crc32,
		weak_from_this());
	bool schedule = false;
	bool wake = false;
	bool reportSlow = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return;
		const long long size = static_cast<long long>(sm.data().size());
		if (!_limits.admits(static_cast<long long>(_queue.size()) + _inBatch.load(std::memory_order_relaxed),
				_queueBytes + _inBatchBytes.load(std::memory_order_relaxed), size))
		{
			++_dropped;
			if (!_slow)
			{
				_slow = true;
				reportSlow = true;
			}
		}
		else
		{
			_queueBytes += size;
			_queue.push_back(std::move(sm));
			if (_ready)
			{
				if (_sync)
				{
					wake = _queue.size() == 1;
				}
				else if (!_scheduled)
				{
					_scheduled = true;
					schedule = true;
				}
			}
		}
	}
	if (wake) _cv.notify_one(); // one waiter: the one nextMessage() caller
	if (schedule) _pDispatcher->schedule(shared_from_this());
	if (reportSlow)
		_pConn->reportError(SlowConsumerException("stan: slow consumer, messages dropped on channel " + *_pChannel));
}

bool StanSubscriptionImpl::dispatch(int budget)
{
	// The pinned dispatcher worker.
	StanMessageHandler released;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped || !_ready || _queue.empty())
		{
			_scheduled = false;
			if (_stopped && !_busy) released = std::move(_handler);
			return false;
		}
		long long bytes = 0;
		for (int n = 0; n < budget && !_queue.empty(); ++n)
		{
			bytes += static_cast<long long>(_queue.front().data().size());
			_batch.push_back(_queue.take_front());
		}
		_queueBytes -= bytes;
		_inBatch.store(static_cast<int>(_batch.size()), std::memory_order_relaxed);
		_inBatchBytes.store(bytes, std::memory_order_relaxed);
		_busy = true;
	}
	for (StanMessage& m : _batch)
	{
		if (_stopFlag.load(std::memory_order_acquire)) break; // not acked: redelivered
		_inBatch.fetch_sub(1, std::memory_order_relaxed);
		_inBatchBytes.fetch_sub(static_cast<long long>(m.data().size()), std::memory_order_relaxed);
		bool ok = true;
		{
			StanCallbackGate::Scope scope(*_pGate);
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
		}
		_delivered.fetch_add(1, std::memory_order_relaxed);
		// Also when close() began while the handler ran: it returned normally, so it is acked
		// (close() flushes the acks before its request).
		if (ok && !_options.manualAcks) sendAck(m.sequence());
	}
	_batch.clear();
	std::lock_guard<std::mutex> lock(_mutex);
	_busy = false;
	_inBatch.store(0, std::memory_order_relaxed);
	_inBatchBytes.store(0, std::memory_order_relaxed);
	_idleCv.notify_all();
	if (_stopped)
	{
		_scheduled = false;
		released = std::move(_handler); // destroyed after the lock is released
		return false;
	}
	if (_queue.empty())
	{
		_scheduled = false;
		_slow = false; // the episode is over
		return false;
	}
	return true;
}

void StanSubscriptionImpl::sendAck(std::uint64_t sequence)
{
	thread_local std::string buf;
	buf.clear();
	StanCodec::encodeAck(buf, *_pChannel, sequence);
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
	StanCodec::encodeAck(buf, *_pChannel, msg.sequence());
	_pConn->nc().publish(_ackInbox, buf.data(), buf.size());
}

StanMessage StanSubscriptionImpl::nextMessage(Poco::Timespan timeout)
{
	if (!_sync) throw Poco::IllegalStateException("stan: nextMessage() needs a subscription created without a handler");
	std::uint64_t previous = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::swap(previous, _lastPulled);
	}
	// The application is done with the message pulled before: ack it now (auto-ack).
	if (previous) sendAck(previous);
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
		if (_queue.empty()) _slow = false;
		if (!_options.manualAcks) _lastPulled = m.sequence();
	}
	_delivered.fetch_add(1, std::memory_order_relaxed);
	return m;
}

bool StanSubscriptionImpl::stopDelivery(StanCallbackGate::Deadline deadline)
{
	StanMessageHandler released;
	std::uint64_t lastPulled = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return false;
		_stopped = true;
		_stopFlag.store(true, std::memory_order_release);
		_queue.clear(true);
		_queueBytes = 0;
		if (!_busy) released = std::move(_handler);
		std::swap(lastPulled, _lastPulled);
	}
	_cv.notify_all();
	try
	{
		_natsSub.unsubscribe();
	}
	catch (...)
	{
	}
	if (lastPulled) sendAck(lastPulled);
	if (!StanCallbackGate::inCallback())
	{
		// Waits for a handler in progress (its auto-ack goes out before the close request). After
		// the deadline (destroying the connection) the handler keeps running: the dispatcher
		// holds this object, which holds the connection.
		std::unique_lock<std::mutex> lock(_mutex);
		if (deadline == StanCallbackGate::Deadline::max())
			_idleCv.wait(lock, [this]() { return !_busy; });
		else
			_idleCv.wait_until(lock, deadline, [this]() { return !_busy; });
	}
	return true;
}

void StanSubscriptionImpl::close(bool unsubscribe)
{
	bool already;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		already = _closed;
		_closed = true;
	}
	if (already)
	{
		if (!unsubscribe) return; // close() twice (or during a close) is a no-op
		_pConn->checkConnected();
		throw StanSubscriptionException(INVALID_SUBSCRIPTION);
	}
	stopDelivery();
	_pConn->removeSubscription(this);
	_pConn->sendUnsubscribe(*_pChannel, _ackInbox, _options.durableName, !unsubscribe);
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

void StanSubscriptionImpl::closeLocal(StanCallbackGate::Deadline deadline)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_closed = true;
	}
	stopDelivery(deadline);
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

void StanSubscriptionImpl::setPendingLimits(PendingLimits limits)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_limits = limits;
}

PendingLimits StanSubscriptionImpl::pendingLimits() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _limits;
}

} // namespace Nats
