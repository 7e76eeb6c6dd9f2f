//
// Writer.cpp
//
// Library: Nats
// Package: Core
// Module:  Writer
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/Writer.h"
#include "core/ThreadName.h"
#include "Nats/Exception.h"
#include <Poco/Net/NetException.h>
#include <algorithm>
#include <cerrno>
#include <sys/socket.h>

namespace Nats {

namespace {

constexpr std::size_t OUTPUT_HIGH_WATER = 64 * 1024 * 1024;
constexpr std::size_t DIRECT_WRITE_THRESHOLD = 32 * 1024;
constexpr std::chrono::microseconds FLUSHER_LINGER(1000);
constexpr int DEFAULT_RECONNECT_BUFFER = 8 * 1024 * 1024;

void sendAll(Poco::Net::StreamSocket& socket, const char* data, std::size_t length)
{
	while (length > 0)
	{
		int chunk = length > (1u << 30) ? (1 << 30) : static_cast<int>(length);
		int n = socket.sendBytes(data, chunk);
		// A blocking TLS socket reports an expired send timeout as "want write" (negative).
		if (n < 0) throw Poco::TimeoutException("send timed out");
		if (n == 0) throw Poco::Net::NetException("send failed");
		data += n;
		length -= static_cast<std::size_t>(n);
	}
}

} // namespace

Writer::Writer(std::atomic<Status>& status, int reconnectBufferSize, Poco::Timespan writeDeadline,
	std::function<void(const Poco::Exception&)> onWriteError)
	: _reconnectBufferSize(reconnectBufferSize),
	  _writeDeadline(writeDeadline),
	  _onWriteError(std::move(onWriteError)),
	  _status(status),
	  _flusherThread("nats-flusher"),
	  _flusher(*this)
{
}

Writer::~Writer()
{
	stop();
	join();
}

void Writer::start()
{
	_started = true;
	_flusherThread.start(_flusher);
}

void Writer::join()
{
	if (_started && !isFlusherThread() && !_joined.exchange(true)) _flusherThread.join();
}

// ---------------------------------------------------------------------------------------------
// status

void Writer::setStatus(Status status)
{
	std::lock_guard<std::mutex> out(_outMutex);
	_status = status;
	_spaceCond.notify_all();
}

std::size_t Writer::lost(Status status)
{
	std::lock_guard<std::mutex> out(_outMutex);
	_status = status;
	_spaceCond.notify_all();
	return _pingsInBuffer;
}

void Writer::connected(const std::string& prefix)
{
	std::lock_guard<std::mutex> out(_outMutex);
	_outBuf.insert(0, prefix);
	_status = Status::CONNECTED;
	_everConnected = true;
	_outCond.notify_all();
}

void Writer::stop()
{
	std::lock_guard<std::mutex> out(_outMutex);
	_status = Status::CLOSED;
	_stopFlusher = true;
	_outBuf.clear();
	_outCond.notify_all();
	_spaceCond.notify_all();
}

void Writer::waitWritten(Clock::time_point deadline)
{
	std::unique_lock<std::mutex> out(_outMutex);
	if (isFlusherThread()) return;
	_spaceCond.wait_until(out, deadline, [this]() { return (_outBuf.empty() && !_writing) || _status != Status::CONNECTED; });
}

// ---------------------------------------------------------------------------------------------
// output

void Writer::kick()
{
	// REQUIRES: _outMutex held. Wakes the flusher only when it sleeps, once: while it is busy it
	// looks at the buffer again by itself, so a burst of publishes costs no futex call each.
	if (_flusherIdle)
	{
		_flusherIdle = false;
		_outCond.notify_one();
	}
}

void Writer::appendIfConnected(const std::string& text)
{
	std::lock_guard<std::mutex> out(_outMutex);
	if (_status != Status::CONNECTED) return;
	_outBuf += text;
	kick();
}

void Writer::appendPing(bool kickFlusher)
{
	std::lock_guard<std::mutex> out(_outMutex);
	_outBuf += "PING\r\n";
	++_pingsInBuffer;
	if (kickFlusher) kick();
}

std::uint64_t Writer::outMsgs() const
{
	std::lock_guard<std::mutex> out(_outMutex);
	return _outMsgs;
}

std::uint64_t Writer::outBytes() const
{
	std::lock_guard<std::mutex> out(_outMutex);
	return _outBytes;
}

void Writer::publish(const char* line, std::size_t lineLength, const std::string& headerBlock, const void* data, std::size_t length,
	bool writeNow)
{
	const std::size_t frame = lineLength + headerBlock.size() + length + 2;
	std::unique_lock<std::mutex> out(_outMutex);
	for (;;)
	{
		Status st = _status.load(std::memory_order_relaxed);
		if (st == Status::CONNECTED)
		{
			if (_outBuf.size() < OUTPUT_HIGH_WATER || onReader()) break;
			_spaceCond.wait(out);
			continue;
		}
		if (st == Status::CLOSED) throw ConnectionClosedException("nats: connection closed");
		if (st == Status::RECONNECTING)
		{
			int limit = _reconnectBufferSize == 0 ? DEFAULT_RECONNECT_BUFFER : _reconnectBufferSize;
			if (limit < 0 || _outBuf.size() + frame > static_cast<std::size_t>(limit)) throw NatsException("nats: outbound buffer limit exceeded");
			break;
		}
		if (st == Status::DISCONNECTED && _everConnected) throw NatsException("nats: not connected");
		throw Poco::IllegalStateException("nats: not connected (call connect() first)");
	}
	if (_outBuf.capacity() < _outBuf.size() + frame) _outBuf.reserve(std::max<std::size_t>(2 * (_outBuf.size() + frame), 64 * 1024));
	_outBuf.append(line, lineLength);
	if (!headerBlock.empty()) _outBuf.append(headerBlock);
	_outBuf.append(static_cast<const char*>(data), length);
	_outBuf.append("\r\n", 2);
	++_outMsgs;
	_outBytes += length;
	if (_status.load(std::memory_order_relaxed) != Status::CONNECTED) return;
	const bool full = _outBuf.size() >= DIRECT_WRITE_THRESHOLD;
	if (writeNow && !full && !onReader())
	{
		// The caller waits for the answer to this message (synchronous streaming publish): write it
		// on this thread instead of waking the flusher (saves a futex wake and a thread hop).
		out.unlock();
		writeNowOrKick();
		return;
	}
	if (full && !onReader())
	{
		// Like nats.c: with a full buffer the publisher writes it itself (waiting for a write in
		// progress to end). This is the back pressure under load and saves a thread hop per write.
		// Whoever writes holds _sockMutex from the swap to the end of the write, so frames keep
		// their order. Lock order: _sockMutex before _outMutex.
		const std::uint64_t episode = _deadlineEpisodes.load();
		out.unlock();
		std::lock_guard<std::mutex> sock(_sockMutex);
		out.lock();
		// the write this thread waited for missed the deadline: the link is lost, say so
		if (_deadlineEpisodes.load() != episode) throw WriteDeadlineException(deadlineText());
		if (_status.load(std::memory_order_relaxed) != Status::CONNECTED || _outBuf.size() < DIRECT_WRITE_THRESHOLD)
		{
			if (!_outBuf.empty()) kick();
			return;
		}
		++_directWrites;
		writeSwapped(out);
		return;
	}
	kick();
}

void Writer::writeSwapped(std::unique_lock<std::mutex>& out)
{
	// REQUIRES: _sockMutex held, `out` locked. Writes the buffer on this thread.
	_directBuf.swap(_outBuf);
	_pingsInBuffer = 0;
	_writing = true;
	out.unlock();
	const bool ok = writeOut(_directBuf);
	out.lock();
	_writing = false;
	_spaceCond.notify_all();
	if (!ok) throw WriteDeadlineException(deadlineText());
}

std::string Writer::deadlineText() const
{
	return "nats: write deadline exceeded (" + std::to_string(_writeDeadline.totalMilliseconds())
		+ " ms): the server is not reading; the connection reconnects and frames pending then may be lost";
}

void Writer::writeNowOrKick()
{
	// REQUIRES: no lock held; not the reader thread. Lock order: _sockMutex before _outMutex.
	std::unique_lock<std::mutex> sock(_sockMutex, std::try_to_lock);
	std::unique_lock<std::mutex> out(_outMutex);
	if (_status.load(std::memory_order_relaxed) != Status::CONNECTED || _outBuf.empty()) return;
	if (!sock.owns_lock())
	{
		// A write is in progress (or the TLS reader is reading): do not queue behind it. The
		// flusher loops back by itself when busy, and is woken here when it sleeps.
		kick();
		return;
	}
	writeSwapped(out);
}

bool Writer::writeOut(std::string& buffer)
{
	// REQUIRES: _sockMutex held. Returns false only when the write deadline expired.
	bool ok = true;
	bool timedOut = false;
	std::string failure;
	try
	{
		sendAll(_socket, buffer.data(), buffer.size());
	}
	catch (Poco::TimeoutException&)
	{
		timedOut = true;
	}
	catch (Poco::Exception& e)
	{
		// a blocking send whose SO_SNDTIMEO expired fails with EAGAIN (POCO: IOException, code = errno)
		timedOut = e.code() == EAGAIN || e.code() == EWOULDBLOCK;
		if (!timedOut) failure = e.displayText();
	}
	if (timedOut)
	{
		ok = false;
		_deadlineEpisodes.fetch_add(1);
		WriteDeadlineException e(deadlineText());
		if (_onWriteError) _onWriteError(e);
		shutdownSocket();
	}
	else if (!failure.empty())
	{
		if (_onWriteError) _onWriteError(Poco::IOException("nats: write failed: " + failure));
		shutdownSocket();
	}
	if (buffer.capacity() > 16 * 1024 * 1024)
		std::string().swap(buffer);
	else
		buffer.clear();
	return ok;
}

void Writer::flusherLoop()
{
	setCurrentThreadName("nats-flusher");
	std::string buffer;
	std::uint64_t seenDirectWrites = 0;
	for (;;)
	{
		{
			std::unique_lock<std::mutex> out(_outMutex);
			for (;;)
			{
				if (_stopFlusher) return;
				if (_directWrites != seenDirectWrites)
				{
					// Publishers are writing 32 KiB chunks themselves (a burst): stay out of their way
					// and look again in a moment (nats.c's flusher always lingers 1 ms). Lone publishes
					// (requests, acks) never take this path, so they are written without delay.
					seenDirectWrites = _directWrites;
					_outCond.wait_for(out, FLUSHER_LINGER, [this]() { return _stopFlusher; });
					continue;
				}
				if (_status == Status::CONNECTED && !_outBuf.empty()) break;
				_flusherIdle = true; // set before every sleep (a kick clears it)
				_outCond.wait(out);
			}
			_flusherIdle = false;
		}
		std::unique_lock<std::mutex> sock(_sockMutex, std::try_to_lock);
		if (!sock.owns_lock())
		{
			// A publisher is writing directly or the TLS reader is reading: do not queue behind it.
			std::unique_lock<std::mutex> out(_outMutex);
			_outCond.wait_for(out, std::chrono::microseconds(500), [this]() { return _stopFlusher; });
			continue;
		}
		{
			std::lock_guard<std::mutex> out(_outMutex);
			if (_stopFlusher) return;
			if (_outBuf.empty() || _status != Status::CONNECTED) continue;
			buffer.swap(_outBuf);
			_pingsInBuffer = 0;
			_writing = true;
			_spaceCond.notify_all();
		}
		writeOut(buffer);
		{
			std::lock_guard<std::mutex> out(_outMutex);
			_writing = false;
			_spaceCond.notify_all();
		}
	}
}

// ---------------------------------------------------------------------------------------------
// socket

void Writer::install(Poco::Net::StreamSocket socket, bool tls)
{
	std::lock_guard<std::mutex> lock(_sockMutex);
	_socket = socket;
	// the send deadline: a send that cannot complete within it fails (see writeOut())
	_socket.setSendTimeout(_writeDeadline.totalMicroseconds() > 0 ? _writeDeadline : Poco::Timespan(0));
	_tls = tls;
	std::lock_guard<std::mutex> fdLock(_fdMutex);
	_fd = static_cast<int>(_socket.impl()->sockfd());
}

void Writer::shutdownSocket()
{
	std::lock_guard<std::mutex> lock(_fdMutex);
	if (_fd >= 0) ::shutdown(_fd, SHUT_RDWR);
}

void Writer::closeSocket()
{
	shutdownSocket();
	std::lock_guard<std::mutex> lock(_sockMutex);
	{
		std::lock_guard<std::mutex> fdLock(_fdMutex);
		_fd = -1;
	}
	try
	{
		_socket.close();
	}
	catch (...)
	{
	}
	_socket = Poco::Net::StreamSocket();
}

} // namespace Nats
