//
// RequestMux.cpp
//
// Library: Nats
// Package: Core
// Module:  RequestMux
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/RequestMux.h"
#include "core/Base62.h"
#include <vector>

namespace Nats {

RequestMux::RequestMux(Timer& timer, std::function<void(const Poco::Exception&)> reportError)
	: _timer(timer), _reportError(std::move(reportError))
{
}

std::string RequestMux::add(const std::shared_ptr<Waiter>& w)
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::string token = Base62::encode(++_nextToken);
	_requests[token] = w;
	return token;
}

void RequestMux::remove(const std::string& token)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_requests.erase(token);
}

Message RequestMux::wait(const std::string& token, const std::shared_ptr<Waiter>& w, Poco::Timespan timeout)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.totalMicroseconds() > 0 ? timeout.totalMicroseconds() : 0);
	{
		std::unique_lock<std::mutex> lock(w->mutex);
		w->cond.wait_until(lock, deadline, [&w]() { return w->done; });
	}
	remove(token);
	std::lock_guard<std::mutex> lock(w->mutex);
	if (!w->done) throw NatsTimeoutException("nats: timeout");
	if (w->pError) w->pError->rethrow();
	return w->message;
}

void RequestMux::onResponse(const Message& m)
{
	if (m.subject().size() <= _prefix.size()) return;
	std::string token = m.subject().substr(_prefix.size());
	if (m.isNoResponders())
	{
		NoRespondersException e("nats: no responders available for request");
		finish(token, nullptr, &e);
	}
	else
	{
		finish(token, &m, nullptr);
	}
}

void RequestMux::finish(const std::string& token, const Message* pMessage, const Poco::Exception* pError)
{
	std::shared_ptr<Waiter> w;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _requests.find(token);
		if (it == _requests.end()) return;
		w = it->second;
		_requests.erase(it);
	}
	if (w->handler)
	{
		if (w->timerId) _timer.cancel(w->timerId);
		try
		{
			w->handler(pMessage, pError);
		}
		catch (Poco::Exception& e)
		{
			_reportError(e);
		}
		catch (...)
		{
		}
		return;
	}
	std::lock_guard<std::mutex> lock(w->mutex);
	if (pMessage) w->message = *pMessage;
	if (pError) w->pError.reset(pError->clone());
	w->done = true;
	w->cond.notify_all();
}

void RequestMux::failAll(const Poco::Exception& e)
{
	std::vector<std::string> tokens;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto& r: _requests) tokens.push_back(r.first);
	}
	for (const auto& t: tokens) finish(t, nullptr, &e);
}

} // namespace Nats
