//
// Reader.h
//
// Library: Nats
// Package: Core
// Module:  Reader
//
// The input side of a connection: the "nats-reader" thread, the Parser, the demultiplexing of
// messages by sid, PING / PONG, the keepalive PINGs, and (through the Reconnector) the reconnect.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Reader_INCLUDED
#define Nats_Reader_INCLUDED

#include "Nats/Message.h"
#include "Nats/Options.h"
#include "core/Parser.h"
#include "core/ParserHandler.h"
#include "core/Reconnector.h"
#include <Poco/Runnable.h>
#include <Poco/Thread.h>
#include <atomic>
#include <cstdint>
#include <string>

namespace Nats {

class ConnectionState;
class Handshake;
class ReaderHost;
class ServerSelection;
class SubscriptionImpl;
class SubscriptionTable;
class Timer;
class Writer;

/// Owns the reader thread of one connection. The thread reads the socket into a 64 KiB buffer and
/// runs the Parser; MSG / HMSG go to their subscription (inline handlers run right here, the
/// others are queued for their dispatcher), PING is answered, PONG completes the oldest PING
/// (ConnectionState), INFO and -ERR go to the host. When a read fails it runs the Reconnector, so
/// one thread ever replaces the socket. The keepalive PINGs (Options::pingInterval, stale after
/// Options::maxPingsOut unanswered) run on the timer thread.
///
///     Reader reader(host, options, handshake, state, servers, subs, writer, timer);
///     reader.start(false);   // connect() succeeded
///     ...
///     reader.join();         // after close() shut the socket down
///
/// Thread safety: start(), join() and the accessors from any thread; the ParserHandler calls
/// and run() on the reader thread only.
class Reader: public ParserHandler, public Poco::Runnable
{
public:
	/// Keeps references; all of them must outlive this object.
	Reader(ReaderHost& host, const Options& options, const Handshake& handshake, ConnectionState& state, ServerSelection& servers,
		SubscriptionTable& subs, Writer& writer, Timer& timer);

	Reader(const Reader&) = delete;
	Reader& operator=(const Reader&) = delete;

	/// Starts the thread and schedules the first keepalive PING. `retryInitial`: connect() found
	/// no server and returned (Options::retryOnFailedConnect), the thread begins with a reconnect.
	/// REQUIRES: the state lock held (a concurrent close() then sees the thread started or not).
	void start(bool retryInitial);

	/// Joins the thread (after close() shut the socket down). Idempotent; a no-op on the reader
	/// thread itself and before start(). Blocks until the thread ends: a read returns at once on a
	/// shut-down socket, a reconnect attempt within Options::connectTimeout.
	void join();

	bool isCurrent() const { return Poco::Thread::current() == &_thread; }
	const Poco::Thread* thread() const { return &_thread; }

	std::uint64_t inMsgs() const { return _inMsgs.load(); }
	std::uint64_t inBytes() const { return _inBytes.load(); }
	std::uint64_t reconnects() const { return _reconnector.reconnects(); }

	// ParserHandler (reader thread)
	void onInfo(const std::string& json) override;
	void onMsg(std::string& subject, std::int64_t sid, std::string& reply, std::string& headers, std::string& payload) override;
	void onPing() override;
	void onPong() override;
	void onOk() override;
	void onErr(const std::string& text) override;

	/// The thread body.
	void run() override;

private:
	/// onMsg() after the lookup: runs an inline handler (then takes the parser's `subject` and
	/// `reply` buffers back from `m`) or queues `m`.
	void deliver(SubscriptionImpl& subscription, Message& m, std::string& subject, std::string& reply);

	void schedulePing();
	void onPingTimer();

	ReaderHost& _host;
	const Options& _options;
	ConnectionState& _state;
	SubscriptionTable& _subs;
	Writer& _writer;
	Timer& _timer;
	Parser _parser;
	Reconnector _reconnector;
	Poco::Thread _thread;
	std::atomic<bool> _started{false};
	std::atomic<bool> _joined{false};        // Poco::Thread::join() throws when called twice
	std::atomic<bool> _retryInitial{false};
	std::atomic<std::uint64_t> _inMsgs{0};
	std::atomic<std::uint64_t> _inBytes{0};
};

} // namespace Nats

#endif // Nats_Reader_INCLUDED
