//
// ConnectionSubscriptions.cpp
//
// Library: Nats
// Package: Core
// Module:  ConnectionImpl
//
// Subject validation and the subscription table of ConnectionImpl: SUB / UNSUB, auto-unsubscribe.
// (Messages are demuxed by sid on the reader thread: ConnectionReader.cpp.)
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/ConnectionImpl.h"

namespace Nats {

// ---------------------------------------------------------------------------------------------
// validation

namespace {

// Characters that need a closer look in a subject: separators, wildcards and whitespace / NUL.
struct SubjectChars
{
	bool special[256] = {};
	SubjectChars()
	{
		for (unsigned char c: {'.', '*', '>', ' ', '\t', '\r', '\n', '\f', '\0'}) special[c] = true;
	}
};

const SubjectChars SUBJECT_CHARS;

} // namespace

void ConnectionImpl::validatePublishSubject(const std::string& subject, const char* what)
{
	if (subject.empty()) throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + ": empty");
	// hot path (every publish): one table lookup per character, the rare cases below
	const unsigned char* p = reinterpret_cast<const unsigned char*>(subject.data());
	const std::size_t n = subject.size();
	std::size_t tokenStart = 0;
	for (std::size_t i = 0; i < n; ++i)
	{
		if (!SUBJECT_CHARS.special[p[i]]) continue;
		const char c = static_cast<char>(p[i]);
		if (c == '.')
		{
			if (i == tokenStart) throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + " '" + subject + "': empty token");
			tokenStart = i + 1;
		}
		else if (c == '*' || c == '>')
		{
			if (i == tokenStart && (i + 1 == n || p[i + 1] == '.'))
				throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + " '" + subject + "': wildcards are not allowed when publishing");
		}
		else
		{
			throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + " '" + subject + "': contains whitespace");
		}
	}
	if (tokenStart == n) throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + " '" + subject + "': empty token");
}

void ConnectionImpl::validateSubscribeSubject(const std::string& subject)
{
	if (subject.empty()) throw Poco::InvalidArgumentException("nats: invalid subject: empty");
	std::size_t tokenStart = 0;
	const std::size_t n = subject.size();
	for (std::size_t i = 0; i <= n; ++i)
	{
		char c = i < n ? subject[i] : '.';
		if (c == '.')
		{
			std::size_t len = i - tokenStart;
			if (len == 0) throw Poco::InvalidArgumentException("nats: invalid subject '" + subject + "': empty token");
			if (len == 1 && subject[tokenStart] == '>' && i != n)
				throw Poco::InvalidArgumentException("nats: invalid subject '" + subject + "': '>' must be the last token");
			tokenStart = i + 1;
		}
		else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0')
		{
			throw Poco::InvalidArgumentException("nats: invalid subject '" + subject + "': contains whitespace");
		}
	}
}

void ConnectionImpl::validateQueue(const std::string& queue)
{
	if (queue.find_first_of(" \t\r\n\f") != std::string::npos || queue.find('\0') != std::string::npos)
		throw Poco::InvalidArgumentException("nats: invalid queue name '" + queue + "': contains whitespace");
}

// ---------------------------------------------------------------------------------------------
// subscriptions

std::shared_ptr<SubscriptionImpl> ConnectionImpl::addSubscription(const std::string& subject, const std::string& queue,
	SubscriptionImpl::Kind kind, MessageHandler handler, int maxMsgs, long long maxBytes)
{
	std::lock_guard<std::mutex> lock(_mutex);
	checkUsable();
	std::lock_guard<std::mutex> subsLock(_subsMutex);
	std::int64_t sid = ++_nextSid;
	Dispatcher* d = kind == SubscriptionImpl::Kind::ASYNC ? _dispatchers.next() : nullptr;
	auto sub = std::make_shared<SubscriptionImpl>(weak_from_this(), sid, subject, queue, kind, std::move(handler), maxMsgs, maxBytes, d);
	_subs[sid] = sub;
	_subsGeneration.fetch_add(1, std::memory_order_release);
	_writer.appendIfConnected("SUB " + subject + (queue.empty() ? std::string() : " " + queue) + " " + std::to_string(sid) + "\r\n");
	return sub;
}

Subscription ConnectionImpl::subscribe(const std::string& subject, const std::string& queue, MessageHandler handler, bool sync)
{
	validateSubscribeSubject(subject);
	validateQueue(queue);
	if (!sync && !handler) throw Poco::InvalidArgumentException("nats: the message handler must not be empty");
	auto kind = sync ? SubscriptionImpl::Kind::SYNC : SubscriptionImpl::Kind::ASYNC;
	return Subscription(addSubscription(subject, queue, kind, std::move(handler), _options.maxPendingMessages, _options.maxPendingBytes));
}

Subscription ConnectionImpl::subscribeInline(const std::string& subject, const std::string& queue, MessageHandler handler)
{
	validateSubscribeSubject(subject);
	validateQueue(queue);
	if (!handler) throw Poco::InvalidArgumentException("nats: the message handler must not be empty");
	return Subscription(addSubscription(subject, queue, SubscriptionImpl::Kind::INLINE, std::move(handler), -1, -1));
}

void ConnectionImpl::unsubscribe(const std::shared_ptr<SubscriptionImpl>& sub)
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closing || _closed) throw ConnectionClosedException("nats: connection closed");
		if (sub->isClosed()) return;
		std::lock_guard<std::mutex> subsLock(_subsMutex);
		_subs.erase(sub->sid());
		_subsGeneration.fetch_add(1, std::memory_order_release);
		_writer.appendIfConnected("UNSUB " + std::to_string(sub->sid()) + "\r\n");
	}
	sub->markClosed(false);
}

void ConnectionImpl::autoUnsubscribe(const std::shared_ptr<SubscriptionImpl>& sub, int max)
{
	if (max <= 0) throw Poco::InvalidArgumentException("nats: autoUnsubscribe needs max > 0");
	bool closeNow = false;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closing || _closed) throw ConnectionClosedException("nats: connection closed");
		if (sub->isClosed()) throw Poco::IllegalStateException("nats: invalid subscription");
		std::uint64_t received = sub->setMax(static_cast<std::uint64_t>(max));
		std::lock_guard<std::mutex> subsLock(_subsMutex);
		if (received >= static_cast<std::uint64_t>(max))
		{
			_subs.erase(sub->sid());
			_subsGeneration.fetch_add(1, std::memory_order_release);
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

} // namespace Nats
