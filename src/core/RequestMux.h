//
// RequestMux.h
//
// Library: Nats
// Package: Core
// Module:  RequestMux
//
// Request/reply over one shared wildcard inbox subscription per connection.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_RequestMux_INCLUDED
#define Nats_RequestMux_INCLUDED

#include "Nats/Exception.h"
#include "Nats/Message.h"
#include "core/Timer.h"
#include <Poco/Exception.h>
#include <Poco/Timespan.h>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace Nats {

/// Callback of an asynchronous request: exactly one call with either the reply (`pError` null) or
/// an error (`pMessage` null): NatsTimeoutException, NoRespondersException or
/// ConnectionClosedException. Runs on the reader thread (reply, no responders), the timer thread
/// (timeout) or the thread calling close(). Must not block.
using ReplyHandler = std::function<void(const Message* pMessage, const Poco::Exception* pError)>;

/// Matches replies to requests: every request gets a token and the reply subject
/// "<prefix><token>" under the prefix "_INBOX.<nuid>." of one wildcard subscription
/// ("<prefix>*", subscribed by the connection), as nats.go does. A 503 status reply becomes
/// NoRespondersException.
///
/// Thread safety: thread-safe; the request map is a leaf lock; handlers run without it.
class RequestMux
{
public:
	/// `timer` runs the timeouts of async requests; `reportError` receives exceptions thrown by
	/// reply handlers.
	RequestMux(Timer& timer, std::function<void(const Poco::Exception&)> reportError);

	/// Sets the inbox prefix ("_INBOX.<nuid>."); called once, before the first request.
	void setPrefix(const std::string& prefix) { _prefix = prefix; }
	const std::string& prefix() const { return _prefix; }

	/// True when `subject` is under the prefix (the mux's own subscription).
	bool owns(const std::string& subject) const { return !_prefix.empty() && subject.compare(0, _prefix.size(), _prefix) == 0; }

	/// Sends a request with `publish(replySubject)` and waits at most `timeout` for the reply.
	/// Throws: NatsTimeoutException, NoRespondersException, ConnectionClosedException, and what
	/// `publish` throws.
	template <class Publish>
	Message request(Publish&& publish, Poco::Timespan timeout)
	{
		auto w = std::make_shared<Waiter>();
		const std::string token = add(w);
		try
		{
			publish(_prefix + token);
		}
		catch (...)
		{
			remove(token);
			throw;
		}
		return wait(token, w, timeout);
	}

	/// Sends a request with `publish(replySubject)` and returns; `handler` gets the reply or the
	/// error exactly once. Throws (synchronously) what `publish` throws; the handler is then not called.
	template <class Publish>
	void requestAsync(Publish&& publish, Poco::Timespan timeout, ReplyHandler handler)
	{
		auto w = std::make_shared<Waiter>();
		w->handler = std::move(handler);
		const std::string token = add(w);
		w->timerId = _timer.schedule(timeout, [this, token]() {
			NatsTimeoutException e("nats: timeout");
			finish(token, nullptr, &e);
		});
		try
		{
			publish(_prefix + token);
		}
		catch (...)
		{
			remove(token);
			if (w->timerId) _timer.cancel(w->timerId);
			throw;
		}
	}

	/// A message on the mux subscription (reader thread).
	void onResponse(const Message& m);

	/// Ends every pending request with `e` (connection closed).
	void failAll(const Poco::Exception& e);

private:
	struct Waiter
	{
		std::mutex mutex;
		std::condition_variable cond;
		bool done = false;
		Message message;
		std::unique_ptr<Poco::Exception> pError;
		ReplyHandler handler;
		std::uint64_t timerId = 0;
	};

	std::string add(const std::shared_ptr<Waiter>& w);
	void remove(const std::string& token);
	Message wait(const std::string& token, const std::shared_ptr<Waiter>& w, Poco::Timespan timeout);
	void finish(const std::string& token, const Message* pMessage, const Poco::Exception* pError);

	Timer& _timer;
	const std::function<void(const Poco::Exception&)> _reportError;
	std::string _prefix;
	std::mutex _mutex;
	std::unordered_map<std::string, std::shared_ptr<Waiter>> _requests;
	std::uint64_t _nextToken = 0;
};

} // namespace Nats

#endif // Nats_RequestMux_INCLUDED
