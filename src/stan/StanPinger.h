//
// StanPinger.h
//
// Library: Nats
// Package: Streaming
// Module:  StanPinger
//
// Client-to-server streaming pings (protocol v1).
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanPinger_INCLUDED
#define Nats_StanPinger_INCLUDED

#include "Nats/Connection.h"
#include "Nats/Message.h"
#include <Poco/Exception.h>
#include <Poco/Timespan.h>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace Nats {

class Timer;

/// Sends a streaming ping every interval on the NATS connection's timer and counts the
/// unanswered ones; declares the session lost (through `onLost`) after `maxOut` misses, on a ping
/// error from the server (its text verbatim) or when the NATS connection is closed for good.
/// Ping replies are decoded on the NATS reader thread (onPingResponse()).
///
/// Thread safety: Thread-safe. `onLost` must not block (it runs on the timer or reader thread).
class StanPinger: public std::enable_shared_from_this<StanPinger>
{
public:
	using LostHandler = std::function<void(const std::string& error)>;
	using ErrorReporter = std::function<void(const Poco::Exception&)>;

	StanPinger(Connection& nc, Timer& timer, const std::string& pingSubject, const std::string& pingInbox, const std::string& connID,
		Poco::Timespan interval, int maxOut, LostHandler onLost, ErrorReporter reportError);

	/// Schedules the first ping one interval from now.
	void start();

	/// Cancels the pending ping; no ping is sent afterwards.
	void stop();

	/// A ping reply arrived (NATS reader thread).
	void onPingResponse(const Message& msg);

private:
	void schedule();
	void onTimer();

	Connection& _nc;
	Timer& _timer;
	const std::string _pingSubject;
	const std::string _pingInbox;
	const std::string _pingBytes;
	const Poco::Timespan _interval;
	const int _maxOut;
	const LostHandler _onLost;
	const ErrorReporter _reportError;
	std::atomic<int> _out{0};

	std::mutex _mutex;
	bool _stopped = false;
	std::uint64_t _timerId = 0;
};

} // namespace Nats

#endif // Nats_StanPinger_INCLUDED
