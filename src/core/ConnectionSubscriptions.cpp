//
// ConnectionSubscriptions.cpp
//
// Library: Nats
// Package: Core
// Module:  ConnectionImpl
//
// The subscription calls of ConnectionImpl: SUB / UNSUB, auto-unsubscribe, drain of one
// subscription and of the connection. The table itself is SubscriptionTable; messages are
// demultiplexed by sid on the reader thread (Reader.cpp).
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ConnectionImpl.h"
#include "core/SubjectRules.h"
#include <chrono>

namespace Nats {

namespace {

using Clock = ConnectionState::Clock;

/// flush() bounded by `deadline` (at least 1 us). Returns false when the PONG did not come in
/// time; any other failure (connection lost) counts as flushed: a drain then goes on, since
/// nothing more can arrive.
bool flushBefore(ConnectionImpl& conn, Clock::time_point deadline)
{
	try
	{
		auto remaining = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
		conn.flush(Poco::Timespan(remaining > 0 ? remaining : 1));
	}
	catch (NatsTimeoutException&)
	{
		return false;
	}
	catch (Poco::Exception&)
	{
	}
	return true;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// subscriptions

std::shared_ptr<SubscriptionImpl> ConnectionImpl::addSubscription(const std::string& subject, const std::string& queue,
	SubscriptionImpl::Kind kind, MessageHandler handler, int maxMsgs, long long maxBytes)
{
	ConnectionState::Lock lock = _state.lock();
	_state.checkUsableLocked();
	SubscriptionTable::Lock subsLock = _subs.lock();
	std::int64_t sid = _subs.nextSidLocked();
	Dispatcher* d = kind == SubscriptionImpl::Kind::ASYNC ? _dispatchers.next() : nullptr;
	auto sub = std::make_shared<SubscriptionImpl>(weak_from_this(), sid, subject, queue, kind, std::move(handler), maxMsgs, maxBytes, d);
	_subs.addLocked(sub);
	_writer.appendIfConnected("SUB " + subject + (queue.empty() ? std::string() : " " + queue) + " " + std::to_string(sid) + "\r\n");
	return sub;
}

Subscription ConnectionImpl::subscribe(const std::string& subject, const std::string& queue, MessageHandler handler, bool sync)
{
	SubjectRules::checkSubscribeSubject(subject);
	SubjectRules::checkQueue(queue);
	if (!sync && !handler) throw Poco::InvalidArgumentException("nats: the message handler must not be empty");
	auto kind = sync ? SubscriptionImpl::Kind::SYNC : SubscriptionImpl::Kind::ASYNC;
	return Subscription(addSubscription(subject, queue, kind, std::move(handler), _options.maxPendingMessages, _options.maxPendingBytes));
}

Subscription ConnectionImpl::subscribeInline(const std::string& subject, const std::string& queue, MessageHandler handler)
{
	SubjectRules::checkSubscribeSubject(subject);
	SubjectRules::checkQueue(queue);
	if (!handler) throw Poco::InvalidArgumentException("nats: the message handler must not be empty");
	return Subscription(addSubscription(subject, queue, SubscriptionImpl::Kind::INLINE, std::move(handler), -1, -1));
}

void ConnectionImpl::unsubscribe(const std::shared_ptr<SubscriptionImpl>& sub)
{
	{
		ConnectionState::Lock lock = _state.lock();
		_state.checkOpenLocked();
		if (sub->isClosed()) return;
		SubscriptionTable::Lock subsLock = _subs.lock();
		_subs.eraseLocked(sub->sid());
		_writer.appendIfConnected("UNSUB " + std::to_string(sub->sid()) + "\r\n");
	}
	sub->markClosed(false);
}

void ConnectionImpl::autoUnsubscribe(const std::shared_ptr<SubscriptionImpl>& sub, int max)
{
	if (max <= 0) throw Poco::InvalidArgumentException("nats: autoUnsubscribe needs max > 0");
	bool closeNow = false;
	{
		ConnectionState::Lock lock = _state.lock();
		_state.checkOpenLocked();
		if (sub->isClosed()) throw Poco::IllegalStateException("nats: invalid subscription");
		std::uint64_t received = sub->setMax(static_cast<std::uint64_t>(max));
		SubscriptionTable::Lock subsLock = _subs.lock();
		if (received >= static_cast<std::uint64_t>(max))
		{
			_subs.eraseLocked(sub->sid());
			_writer.appendIfConnected("UNSUB " + std::to_string(sub->sid()) + "\r\n");
			closeNow = sub->delivered() >= static_cast<std::uint64_t>(max);
		}
		else
		{
			_writer.appendIfConnected("UNSUB " + std::to_string(sub->sid()) + " " + std::to_string(max) + "\r\n");
		}
	}
	if (closeNow) sub->markClosed(false);
}

// ---------------------------------------------------------------------------------------------
// drain

void ConnectionImpl::drain(Poco::Timespan timeout)
{
	auto deadline = ConnectionState::deadlineAfter(timeout);
	std::vector<std::shared_ptr<SubscriptionImpl>> subs;
	{
		ConnectionState::Lock lock = _state.lock();
		_state.checkUsableLocked();
		_state.beginDrain();
		SubscriptionTable::Lock subsLock = _subs.lock();
		std::string unsubs;
		_subs.forEachLocked([&](std::int64_t sid, const std::shared_ptr<SubscriptionImpl>& s) {
			if (_requests.owns(s->subject())) return; // the request inbox stays until close()
			subs.push_back(s);
			unsubs += "UNSUB ";
			unsubs += std::to_string(sid);
			unsubs += "\r\n";
		});
		_writer.appendIfConnected(unsubs);
	}
	bool timedOut = !flushBefore(*this, deadline);
	_subs.erase(subs);
	for (auto& s: subs)
	{
		if (!timedOut && !s->waitIdle(deadline)) timedOut = true;
	}
	close();
	if (timedOut) throw NatsTimeoutException("nats: drain timeout");
}

void ConnectionImpl::drainSubscription(const std::shared_ptr<SubscriptionImpl>& sub, Poco::Timespan timeout)
{
	auto deadline = ConnectionState::deadlineAfter(timeout);
	{
		ConnectionState::Lock lock = _state.lock();
		_state.checkOpenLocked();
		if (sub->isClosed()) return;
		_writer.appendIfConnected("UNSUB " + std::to_string(sub->sid()) + "\r\n");
	}
	// what the server sent before it processed the UNSUB arrives before the PONG; on a lost
	// connection the subscription is not resent on reconnect, since it is gone from the map below
	bool timedOut = !flushBefore(*this, deadline);
	_subs.erase(sub->sid());
	if (!timedOut && !sub->waitIdle(deadline)) timedOut = true;
	sub->markClosed(false);
	if (timedOut) throw NatsTimeoutException("nats: subscription drain timeout");
}

} // namespace Nats
