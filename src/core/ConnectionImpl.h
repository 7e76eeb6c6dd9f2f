//
// ConnectionImpl.h
//
// Library: Nats
// Package: Core
// Module:  ConnectionImpl
//
// The core connection: the facade that owns and wires its parts. ConnectionState (status,
// connect / close / drain transitions, flush() waiters), ServerSelection (pool, current server),
// SubscriptionTable (sid map), Handshake (one connection attempt, TLS, credentials), Writer
// (socket, output buffer, direct writes, flusher), Reader (reader thread, parser callbacks,
// keepalive PINGs) with its Reconnector (pool walk after a socket loss), RequestMux
// (request/reply). Files: ConnectionImpl.cpp (connect, publish, flush, request, close,
// accessors), ConnectionSubscriptions.cpp (SUB / UNSUB, drain).
//
// SPDX-License-Identifier: Apache-2.0
//
// ---------------------------------------------------------------------------------------------
// THREADS (per connection)
//   reader      "nats-reader"    (Reader) reads the socket into a 64 KiB buffer and runs the Parser; demuxes
//                                MSG/HMSG by sid; runs INLINE subscription handlers (subscribeInline,
//                                the request mux, async-request callbacks); answers PING; on socket
//                                loss it also runs the reconnect loop (Reconnector; so there is one
//                                thread that ever replaces the socket).
//   flusher     "nats-flusher"   (Writer) writes the whole output buffer with one sendBytes per wake-up;
//                                woken by the first publish after it went idle. Under load publishers
//                                write 32 KiB chunks themselves and the flusher lingers 1 ms per
//                                look (as nats.c), so a burst costs no thread hop per write while a
//                                lone publish (request, ack) is written at once. flush() and
//                                publish(writeNow) (synchronous streaming publish) write on the
//                                caller's thread when no write is in progress (no thread hop).
//   timer       "nats-timer"     client PINGs (Reader: stale detection) and requestAsync() timeouts;
//                                requestAsync() timeout callbacks run here.
//   dispatchers "nats-dispatch-N" Options::dispatcherThreads workers; ASYNC subscription callbacks.
//   events      "nats-events"    disconnected / reconnected / closed / error / discovered servers /
//                                lame duck handlers, in event order.
//   connect(), close(), drain(), flush(), request() run on the caller's thread.
//
// RULES FOR INLINE HANDLERS (reader thread): do not block; publish(), requestAsync(),
// subscribe*/unsubscribe() are fine; flush(), request(), drain() would wait for the reader itself
// and only end by their timeout. close() is allowed (it does not join the calling thread).
// The last reference to a ConnectionImpl must not be dropped on one of its own threads.
//
// LOCK ORDER (take left before right; never the other way; no handler runs under any of them):
//   ConnectionState's mutex (state, ServerSelection, PING FIFO)  ->  SubscriptionTable's mutex
//   (sid map)  ->  Writer's output mutex
//   Writer's socket mutex (held by whoever writes; the reader holds it to replace the socket and,
//   with TLS, around each SSL read)  ->  the state mutex (only to record a write error)  ->  output
//   mutex. Nothing takes the socket mutex while holding the state mutex: flush() releases it
//   before it writes in place (Writer::writeNowOrKick()).
//   Leaves (nothing is taken while holding them): Writer's fd mutex, RequestMux's map,
//   SubscriptionImpl::_mutex, Dispatcher/EventQueue/Timer internal mutexes.
//   publish() is safe from any thread, including the reader thread (inline handlers, where it only
//   appends) and timer callbacks.
// ---------------------------------------------------------------------------------------------

#ifndef Nats_ConnectionImpl_INCLUDED
#define Nats_ConnectionImpl_INCLUDED

#include "Nats/Connection.h"
#include "Nats/Exception.h"
#include "core/ConnectionState.h"
#include "core/Dispatcher.h"
#include "core/EventQueue.h"
#include "core/Handshake.h"
#include "core/Reader.h"
#include "core/ReaderHost.h"
#include "core/RequestMux.h"
#include "core/ServerSelection.h"
#include "core/SubscriptionImpl.h"
#include "core/SubscriptionTable.h"
#include "core/Timer.h"
#include "core/Writer.h"
#include <Poco/Net/StreamSocket.h>
#include <Poco/Runnable.h>
#include <Poco/Thread.h>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace Nats {

/// The implementation behind Connection. The streaming layers use it through ImplAccess::impl(connection)
/// for subscribeInline(), requestAsync() and the reader-safe publish().
///
/// Thread safety: thread-safe (see the lock order above).
class ConnectionImpl final: public ReaderHost, public std::enable_shared_from_this<ConnectionImpl>
{
public:
	explicit ConnectionImpl(const Options& options);
	~ConnectionImpl() override;

	/// See Connection::connect().
	void connect();

	/// Publishes; safe from any thread, also from an inline handler on the reader thread (only
	/// appends to the output buffer there). Normally appends and wakes the flusher; when 32 KiB or
	/// more are pending the calling thread writes the buffer itself (one sendBytes, as nats.c does),
	/// after a write in progress has ended: this is the back pressure under load. Never blocks on the
	/// reader thread.
	/// With `writeNow` (the caller is about to wait for an answer, as a synchronous streaming publish
	/// does) and off the reader thread, the calling thread writes the output buffer at once unless a
	/// write is in progress (then the writer in progress or the flusher takes it): one send per
	/// call, no flusher wake-up. Do not use it for bursts.
	/// Throws as Connection::publish().
	void publish(const std::string& subject, const std::string& reply, const void* data, std::size_t length, bool writeNow = false)
	{
		publish(subject, reply, nullptr, data, length, writeNow);
	}

	/// As above, with headers (HPUB) when `pHeaders` is not null and not empty.
	/// Throws: HeadersNotSupportedException when the server said headers:false, and as above.
	void publish(const std::string& subject, const std::string& reply, const Headers* pHeaders, const void* data, std::size_t length,
		bool writeNow = false);

	/// As publish() without headers and without the subject checks, for a caller whose subject and
	/// reply are valid by construction (the streaming client checks its channel, and the prefix and
	/// reply it got from the server, once; the checks were a tenth of an async publish's CPU).
	/// Throws as publish() otherwise.
	void publishValidated(const std::string& subject, const std::string& reply, const void* data, std::size_t length,
		bool writeNow = false)
	{
		publishFrame(subject, reply, nullptr, data, length, writeNow);
	}

	/// ASYNC (handler non-empty) or SYNC (handler empty) subscription; see Connection::subscribe().
	Subscription subscribe(const std::string& subject, const std::string& queue, MessageHandler handler, bool sync);

	/// A subscription whose handler runs directly on the reader thread (no dispatcher hop), with
	/// unlimited pending limits. The handler must not block; it may call publish() and
	/// requestAsync(). Used by the streaming client/server for internal subjects.
	/// Throws: Poco::InvalidArgumentException, ConnectionClosedException.
	Subscription subscribeInline(const std::string& subject, const std::string& queue, MessageHandler handler);

	/// Unsubscribes (UNSUB sid). No-op if already closed. Throws: ConnectionClosedException.
	void unsubscribe(const std::shared_ptr<SubscriptionImpl>& sub);

	/// UNSUB sid max (total count). Throws: Poco::InvalidArgumentException, ConnectionClosedException.
	void autoUnsubscribe(const std::shared_ptr<SubscriptionImpl>& sub, int max);

	/// See Connection::request(); `pHeaders` may be null.
	Message request(const std::string& subject, const Headers* pHeaders, const std::string& data, Poco::Timespan timeout);

	/// Sends a request and returns at once; `handler` gets the first reply or the error exactly
	/// once (see ReplyHandler). Safe from the reader thread. Throws (synchronously) as publish().
	/// `pHeaders` (may be null) are sent with the request (HPUB).
	void requestAsync(const std::string& subject, const void* data, std::size_t length, Poco::Timespan timeout, ReplyHandler handler,
		const Headers* pHeaders = nullptr);

	/// See Connection::flush().
	void flush(Poco::Timespan timeout);

	/// See Connection::close(). Idempotent; safe from any connection thread or callback.
	void close() override;

	/// See Connection::drain().
	void drain(Poco::Timespan timeout);

	/// See Subscription::drain().
	void drainSubscription(const std::shared_ptr<SubscriptionImpl>& sub, Poco::Timespan timeout);

	std::string newInbox() const;
	std::int64_t maxPayload() const { return _maxPayload.load(); }
	std::string connectedUrl() const;
	std::string connectedServerId() const;
	std::vector<std::string> servers() const;
	Statistics statistics() const;
	Connection::Status status() const { return _state.status(); }
	std::string lastError() const;
	const Options& options() const { return _options; }

	/// Queues `e` for the error handler (event thread) and records it as lastError().
	void reportError(const Poco::Exception& e) override;

	/// Runs `fn` on the event thread, after the events queued before (ignored once closed). Used
	/// by the streaming client for its own error handler.
	void post(std::function<void()> fn) override;

	/// True on one of this connection's threads (reader, flusher, timer, events, a dispatcher
	/// worker, or any worker of the shared pool when it uses it).
	bool isOwnThread() const;

	/// The dispatcher pool that delivers ASYNC subscriptions (the streaming client pins its
	/// subscriptions and its ack handlers to workers of it).
	DispatcherPool& dispatchers() { return _dispatchers; }

	/// The connection's timer (the streaming client's pings and pub-ack timeouts).
	Timer& timer() { return _timer; }

private:
	/// publish() after its checks.
	void publishFrame(const std::string& subject, const std::string& reply, const Headers* pHeaders, const void* data,
		std::size_t length, bool writeNow);

	// ReaderHost (also used by connect())
	void applyInfo(const ServerInfo& info, bool initial) override;

	/// REQUIRES: the state lock held, started marked (a concurrent close() waits for all of them).
	void startThreadsLocked(bool retryInitial);
	/// The shared request inbox: one wildcard subscription per connection (end of connect()).
	void subscribeResponses();
	void onWriteError(const Poco::Exception& e);
	std::shared_ptr<SubscriptionImpl> addSubscription(const std::string& subject, const std::string& queue, SubscriptionImpl::Kind kind,
		MessageHandler handler, int maxMsgs, long long maxBytes);

	const Options _options;
	const Handshake _handshake;
	ConnectionState _state;
	ServerSelection _servers;   // guarded by _state's mutex
	SubscriptionTable _subs;

	// ---- lock-free, read by every publish ----
	std::atomic<bool> _serverHeaders{false};  // INFO.headers of the current server
	std::atomic<std::int64_t> _maxPayload{0};

	// ---- parts and threads (owned; started by connect(), stopped by close()) ----
	Timer _timer;
	EventQueue _events;
	DispatcherPool _dispatchers;
	Writer _writer;
	RequestMux _requests;
	Reader _reader;
	Subscription _respSub;
};

} // namespace Nats

#endif // Nats_ConnectionImpl_INCLUDED
