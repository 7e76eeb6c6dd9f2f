//
// StanPinger.cpp
//
// Library: Nats
// Package: Streaming
// Module:  StanPinger
//
// SPDX-License-Identifier: Apache-2.0
//

#include "stan/StanPinger.h"
#include "protocol/StanCodec.h"
#include "core/Timer.h"
#include "Nats/Exception.h"

namespace Nats {

namespace {

const std::string PING_FAILURE("stan: connection lost due to PING failure");

} // namespace

StanPinger::StanPinger(Connection& nc, Timer& timer, const std::string& pingSubject, const std::string& pingInbox,
	const std::string& connID, Poco::Timespan interval, int maxOut, LostHandler onLost, ErrorReporter reportError)
	: _nc(nc),
	  _timer(timer),
	  _pingSubject(pingSubject),
	  _pingInbox(pingInbox),
	  _pingBytes(StanCodec::encodePing(connID)),
	  _interval(interval),
	  _maxOut(maxOut),
	  _onLost(std::move(onLost)),
	  _reportError(std::move(reportError))
{
}

void StanPinger::start()
{
	schedule();
}

void StanPinger::schedule()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_stopped) return;
	std::weak_ptr<StanPinger> weakSelf = weak_from_this();
	_timerId = _timer.schedule(_interval, [weakSelf]() {
		if (auto self = weakSelf.lock()) self->onTimer();
	});
}

void StanPinger::stop()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_stopped = true;
	if (_timerId) _timer.cancel(_timerId);
	_timerId = 0;
}

void StanPinger::onTimer()
{
	// NATS timer thread.
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopped) return;
		_timerId = 0;
	}
	const int out = ++_out;
	if (out > _maxOut)
	{
		_onLost(PING_FAILURE);
		return;
	}
	try
	{
		_nc.publishRequest(_pingSubject, _pingInbox, _pingBytes.data(), _pingBytes.size());
	}
	catch (ConnectionClosedException& exc)
	{
		_onLost(exc.message());
		return;
	}
	catch (...)
	{
		// Reconnecting (no buffering): the ping counts as unanswered.
	}
	schedule();
}

void StanPinger::onPingResponse(const Message& msg)
{
	// NATS reader thread.
	if (msg.data().empty())
	{
		if (msg.isNoResponders()) return;
		_out = 0;
		return;
	}
	std::string error;
	try
	{
		error = StanCodec::decodePingResponse(msg.data());
	}
	catch (Poco::Exception& exc)
	{
		_reportError(exc);
		return;
	}
	if (error.empty())
		_out = 0;
	else
		_onLost(error);
}

} // namespace Nats
