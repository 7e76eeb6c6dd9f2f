//
// Reader.cpp
//
// Library: Nats
// Package: Core
// Module:  Reader
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/Reader.h"
#include "core/ConnectionState.h"
#include "core/Handshake.h"
#include "core/ImplAccess.h"
#include "core/ReaderHost.h"
#include "core/SubscriptionTable.h"
#include "core/ThreadName.h"
#include "core/Timer.h"
#include "core/Writer.h"
#include "Nats/Exception.h"
#include <memory>

namespace Nats {

namespace {

constexpr std::size_t READ_BUFFER_SIZE = 64 * 1024;

} // namespace

Reader::Reader(ReaderHost& host, const Options& options, const Handshake& handshake, ConnectionState& state, ServerSelection& servers,
	SubscriptionTable& subs, Writer& writer, Timer& timer)
	: _host(host),
	  _options(options),
	  _state(state),
	  _subs(subs),
	  _writer(writer),
	  _timer(timer),
	  _parser(*this),
	  _reconnector(host, options, handshake, state, servers, subs, writer, _parser),
	  _thread("nats-reader")
{
}

void Reader::start(bool retryInitial)
{
	_retryInitial = retryInitial;
	_started = true;
	_thread.start(*this);
	schedulePing();
}

void Reader::join()
{
	// Poco::Thread::isRunning() turns false before the thread is done: join whatever was started
	if (_started && !isCurrent() && !_joined.exchange(true)) _thread.join();
}

// ---------------------------------------------------------------------------------------------
// read loop

void Reader::run()
{
	setCurrentThreadName("nats-reader");
	std::unique_ptr<char[]> buffer(new char[READ_BUFFER_SIZE]);
	if (_retryInitial.exchange(false) && !_reconnector.run("nats: not yet connected", true)) return;
	for (;;)
	{
		std::string reason;
		try
		{
			for (;;)
			{
				int n = 0;
				Poco::Net::StreamSocket& socket = _writer.socket();
				if (_writer.tls())
				{
					// An SSL read and an SSL write must not overlap: read only what is there, under
					// the socket mutex, and look at close() every 200 ms meanwhile.
					for (;;)
					{
						bool ready = socket.available() > 0 || socket.poll(Poco::Timespan(0, 200000), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
						if (!ready)
						{
							if (_state.isClosing()) break;
							continue;
						}
						std::lock_guard<std::mutex> lock(_writer.socketMutex());
						n = socket.receiveBytes(buffer.get(), static_cast<int>(READ_BUFFER_SIZE));
						break;
					}
				}
				else
				{
					n = socket.receiveBytes(buffer.get(), static_cast<int>(READ_BUFFER_SIZE));
				}
				if (n <= 0)
				{
					reason = "nats: connection closed by server";
					break;
				}
				_parser.parse(buffer.get(), static_cast<std::size_t>(n));
			}
		}
		catch (Poco::Exception& e)
		{
			reason = e.displayText();
		}
		catch (std::exception& e)
		{
			reason = e.what();
		}
		if (_state.isClosing()) return;
		if (!_reconnector.run(reason)) return;
	}
}

// ---------------------------------------------------------------------------------------------
// frames

void Reader::onInfo(const std::string& json)
{
	ServerInfo info;
	try
	{
		info = ServerInfo::parse(json);
	}
	catch (Poco::Exception& e)
	{
		_host.reportError(e);
		return;
	}
	_host.applyInfo(info, false);
}

void Reader::onMsg(std::string& subject, std::int64_t sid, std::string& reply, std::string& headers, std::string& payload)
{
	_inMsgs.fetch_add(1, std::memory_order_relaxed);
	_inBytes.fetch_add(payload.size(), std::memory_order_relaxed);
	SubscriptionImpl* sub = _subs.find(sid);
	if (!sub) return;
	bool limitReached = false;
	if (!sub->countReceived(limitReached)) return;
	if (limitReached) _subs.erase(sid);
	if (headers.empty())
	{
		// built in place (no temporary to move from): this path runs for every MSG
		Message m(std::move(subject), std::move(reply), std::move(payload));
		deliver(*sub, m, subject, reply);
		return;
	}
	Message m;
	try
	{
		m = Message(std::move(subject), std::move(reply), std::move(payload), std::move(headers));
	}
	catch (Poco::Exception& e)
	{
		// a malformed header block: drop this message only (the frame itself was well formed)
		_host.reportError(NatsProtocolException("nats: message on '" + sub->subject() + "' dropped: " + e.message()));
		return;
	}
	deliver(*sub, m, subject, reply);
}

void Reader::deliver(SubscriptionImpl& subscription, Message& m, std::string& subject, std::string& reply)
{
	SubscriptionImpl* sub = &subscription;
	if (sub->kind() == SubscriptionImpl::Kind::INLINE)
	{
		sub->deliverInline(m);
		// The handler is done with the message: the parser gets its subject and reply buffers back
		// (capacity kept), so a stream of frames on one inbox costs only the payload allocation.
		ImplAccess::takeBack(m, subject, reply);
		return;
	}
	bool reportSlow = false;
	sub->enqueue(std::move(m), reportSlow);
	if (reportSlow) _host.reportError(SlowConsumerException("nats: slow consumer, messages dropped on '" + sub->subject() + "'"));
}

void Reader::onPing()
{
	_writer.appendIfConnected("PONG\r\n");
}

void Reader::onPong()
{
	ConnectionState::Lock lock = _state.lock();
	_state.pongLocked();
}

void Reader::onOk()
{
}

void Reader::onErr(const std::string& text)
{
	_host.reportError(*makeServerError(text));
}

// ---------------------------------------------------------------------------------------------
// keepalive PINGs (timer thread)

void Reader::schedulePing()
{
	if (_options.pingInterval.totalMicroseconds() <= 0) return;
	_timer.schedule(_options.pingInterval, [this]() { onPingTimer(); });
}

void Reader::onPingTimer()
{
	bool stale = false;
	{
		ConnectionState::Lock lock = _state.lock();
		if (_state.isClosingLocked()) return;
		if (_state.linkStatus() == Connection::Status::CONNECTED)
		{
			if (_state.keepaliveLocked(_options.maxPingsOut))
				_writer.appendPing(true);
			else
				stale = true;
		}
	}
	if (stale)
	{
		// the reader's read fails on the shut-down socket and it reconnects
		_host.reportError(StaleConnectionException("nats: stale connection"));
		_writer.shutdownSocket();
	}
	schedulePing();
}

} // namespace Nats
