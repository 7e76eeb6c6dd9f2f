//
// Writer.h
//
// Library: Nats
// Package: Core
// Module:  Writer
//
// The output side of a connection: output buffer, direct writes, the flusher thread, the socket.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Writer_INCLUDED
#define Nats_Writer_INCLUDED

#include "Nats/Connection.h"
#include <Poco/Exception.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Runnable.h>
#include <Poco/Thread.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace Nats {

/// Owns the socket, the output buffer and the flusher thread ("nats-flusher") of one connection,
/// and makes the link status transitions (CONNECTED / RECONNECTING / ...; the status itself lives in
/// ConnectionState), which decide whether frames are sent, buffered for after a reconnect, or
/// refused: each transition is made under the output mutex, atomically with what it does to the
/// buffer.
///
/// Writing: frames are appended to the output buffer; the flusher writes the whole buffer with
/// one send per wake-up and is woken only when it sleeps (a burst costs no futex call per frame).
/// With 32 KiB or more pending the publisher writes the buffer itself (back pressure, as nats.c);
/// while publishers do so the flusher lingers 1 ms per look. writeNowOrKick() writes on the
/// calling thread when no write is in progress (flush(), synchronous streaming publishes).
/// Every send is bounded by Options::writeDeadline (0 = unbounded): a send that cannot complete
/// (peer not reading) fails, the socket is shut down (the reader then reconnects) and the caller
/// of a direct write gets WriteDeadlineException.
///
/// Lock order: the socket mutex (held by whoever writes, from the buffer swap to the end of the
/// write; the TLS reader holds it around each read) before the output mutex. Callers may hold
/// their own state mutexes before calling in (never the other way: the write error handler runs
/// with only the socket mutex held).
///
/// Thread safety: thread-safe.
class Writer
{
public:
	using Status = Connection::Status;
	using Clock = std::chrono::steady_clock;

	/// `status` is the cell the link status is kept in (ConnectionState::statusCell(); only this
	/// Writer changes it); `reconnectBufferSize` as Options (0 = 8 MiB, negative = none);
	/// `writeDeadline` bounds each send (0 = none); `onWriteError` runs on the writing thread after a
	/// failed send (socket mutex held): it records the error, the writer then shuts the socket down.
	Writer(std::atomic<Status>& status, int reconnectBufferSize, Poco::Timespan writeDeadline,
		std::function<void(const Poco::Exception&)> onWriteError);
	~Writer();

	Writer(const Writer&) = delete;
	Writer& operator=(const Writer&) = delete;

	/// The thread whose publishes never block or write (the connection's reader).
	void setReaderThread(const Poco::Thread* pReader) { _pReader = pReader; }

	/// Starts / joins the flusher thread (join: idempotent, never from the flusher itself).
	void start();
	void join();
	bool isFlusherThread() const { return Poco::Thread::current() == &_flusherThread; }

	// ---- status ----

	Status status() const { return _status.load(); }

	/// Sets the status (CONNECTING, DISCONNECTED before any connection, CLOSED on a failed connect).
	void setStatus(Status status);

	/// The socket was lost: sets `status` (RECONNECTING or DISCONNECTED) and returns the number of
	/// PINGs still in the unsent buffer (their waiters must stay).
	std::size_t lost(Status status);

	/// A (re)connection completed: `prefix` (PONGs, resubscriptions) goes before everything
	/// buffered meanwhile, the status becomes CONNECTED and the flusher is woken.
	void connected(const std::string& prefix);

	/// Closed for good: drops the buffer and stops the flusher.
	void stop();

	/// Waits (at most until `deadline`) until the buffer is written or the link is down.
	void waitWritten(Clock::time_point deadline);

	// ---- output ----

	/// Appends protocol text when CONNECTED (dropped otherwise: it is resent on reconnect).
	void appendIfConnected(const std::string& text);

	/// Appends "PING\r\n" whatever the status (its PONG waiter is already queued); `kick` wakes the
	/// flusher.
	void appendPing(bool kick);

	/// Appends one PUB / HPUB frame: `line` (the control line with CRLF), `headerBlock` (may be
	/// empty), the payload, CRLF. Blocks while 64 MiB are pending (not on the reader thread) and,
	/// with 32 KiB pending, writes the buffer itself; `writeNow` writes at once (see
	/// ConnectionImpl::publish()).
	/// Throws: ConnectionClosedException, NatsException (reconnect buffer full or disabled, not
	/// connected), Poco::IllegalStateException (never connected), WriteDeadlineException.
	void publish(const char* line, std::size_t lineLength, const std::string& headerBlock, const void* data, std::size_t length,
		bool writeNow);

	/// Writes the buffer on this thread unless a write is in progress (then the flusher takes it).
	/// REQUIRES: not the reader thread, no lock of the caller that a writer takes.
	/// Throws: WriteDeadlineException when the send timed out.
	void writeNowOrKick();

	std::uint64_t outMsgs() const;
	std::uint64_t outBytes() const;

	// ---- socket ----

	/// Installs a connected socket (handshake done).
	void install(Poco::Net::StreamSocket socket, bool tls);

	/// shutdown(2) on the current socket: wakes a blocked reader / writer. Safe from any thread.
	void shutdownSocket();

	/// Shuts down and closes the socket (waits for a write in progress to end).
	void closeSocket();

	/// The socket, for the reader thread (which alone replaces it), and the mutex a TLS read holds.
	Poco::Net::StreamSocket& socket() { return _socket; }
	std::mutex& socketMutex() { return _sockMutex; }
	bool tls() const { return _tls.load(); }

private:
	class Flusher: public Poco::Runnable
	{
	public:
		explicit Flusher(Writer& w): _w(w) {}
		void run() override { _w.flusherLoop(); }

	private:
		Writer& _w;
	};

	void flusherLoop();
	bool writeOut(std::string& buffer);
	void writeSwapped(std::unique_lock<std::mutex>& out);
	void kick();
	std::string deadlineText() const;
	bool onReader() const { return Poco::Thread::current() == _pReader; }

	const int _reconnectBufferSize;
	const Poco::Timespan _writeDeadline;
	const std::function<void(const Poco::Exception&)> _onWriteError;
	const Poco::Thread* _pReader = nullptr;

	// ---- _outMutex: output buffer and status ----
	mutable std::mutex _outMutex;
	std::condition_variable _outCond;     // flusher wake-up
	std::condition_variable _spaceCond;   // back pressure, written-for-close
	std::string _outBuf;
	std::size_t _pingsInBuffer = 0;
	std::uint64_t _outMsgs = 0;
	std::uint64_t _outBytes = 0;
	bool _writing = false;
	bool _flusherIdle = false;            // the flusher waits for work: the next append wakes it (once)
	std::uint64_t _directWrites = 0;      // writes done by publishers themselves (burst detection)
	bool _stopFlusher = false;
	bool _everConnected = false;
	std::atomic<Status>& _status;         // ConnectionState's cell; written only here, under _outMutex

	// ---- _sockMutex / _fdMutex: socket ----
	std::mutex _sockMutex;
	Poco::Net::StreamSocket _socket;
	std::string _directBuf;               // publisher-side direct writes
	std::atomic<bool> _tls{false};
	std::atomic<std::uint64_t> _deadlineEpisodes{0};  // sends that missed the write deadline
	std::mutex _fdMutex;
	int _fd = -1;

	Poco::Thread _flusherThread;
	std::atomic<bool> _started{false};
	std::atomic<bool> _joined{false};     // Poco::Thread::join() throws when called twice
	Flusher _flusher;
};

} // namespace Nats

#endif // Nats_Writer_INCLUDED
