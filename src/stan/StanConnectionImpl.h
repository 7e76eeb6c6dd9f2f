//
// StanConnectionImpl.h
//
// Library: Nats
// Package: Streaming
// Module:  StanConnectionImpl
//
// The implementation of StanConnection: the streaming session.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanConnectionImpl_INCLUDED
#define Nats_StanConnectionImpl_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Connection.h"
#include "Nats/Subscription.h"
#include "stan/StanCallback.h"
#include "stan/StanConnectionBackend.h"
#include "stan/StanSessionRequests.h"
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace Nats {

class StanSubscriptionImpl;
class StanPubAcks;
class StanPinger;

/// The streaming session behind a StanConnection (design.md section 3): connect, the
/// subscription registry, close / loss and teardown. Publishing is StanPubAcks (on PubAckWindow),
/// pings StanPinger, the requests to the server StanSessionRequests.
///
/// Threads (none of its own while the session is up; all belong to the NATS connection):
/// - NATS reader thread (inline subscriptions): PubAck decoding and completion (waiters of
///   blocking publishes are signalled right there), heartbeat replies, ping replies, MsgProto
///   decoding and queueing per subscription. No user code.
/// - NATS timer thread: pub-ack timeouts and pings.
/// - NATS dispatcher pool (Options::dispatcherThreads, or the shared pool): message handlers, each
///   subscription pinned to one worker; the StanAckHandlers, on one worker, in completion order.
/// - NATS event thread: StanOptions::errorHandler.
/// - "stan-lost": started only when the session is lost; tears down and runs the
///   connection-lost handler.
///
/// Lifetime: callbacks hold the objects they use (shared owners); close() waits for a teardown in
/// progress and destroy() for the callbacks in progress, unless called from a callback
/// (StanCallbackGate). The owned NATS connection is never destroyed on one of its own threads.
///
/// Lock order: _mutex -> (tracker / subscription locks are leaves). No lock is held while calling
/// into the NATS connection's blocking calls (request, flush, close), joining a thread or running
/// a user callback.
///
/// Thread safety: Thread-safe.
class StanConnectionImpl: public StanConnectionBackend, public std::enable_shared_from_this<StanConnectionImpl>
{
public:
	using Status = StanConnection::Status;

	StanConnectionImpl(const std::string& clusterId, const std::string& clientId, const StanOptions& options);
	~StanConnectionImpl() override;

	void setFacade(StanConnection* pFacade) override;

	void connect() override;
	void publish(const std::string& channel, const void* data, std::size_t length) override;
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
		Poco::Timespan maxWait) override;
	StanSubscription subscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
		const StanSubscriptionOptions& options, bool sync) override;
	void close() override;

	/// Called by the facade's destructor: close(), swallow errors, wait for the lost thread and
	/// for the callbacks in progress (unless called from one of them), these at most
	/// StanOptions::closeTimeout. Callbacks still running then keep this object alive (they hold
	/// it, or what they use, through shared owners); the owned NATS connection is closed when the
	/// last of them is done, not by a thread that would have to wait for them.
	void destroy() override;

	Connection& natsConnection() override;
	Status status() const override;
	std::string lostError() const override;
	int pubAcksInflight() const override;
	const std::string& clusterId() const override { return _clusterId; }
	const std::string& clientId() const override { return _clientId; }
	const StanOptions& options() const override { return _options; }

	// ---- for StanSubscriptionImpl ----

	/// The NATS connection (valid after connect()).
	Connection& nc() { return *_pNc; }

	/// Callbacks in progress of this connection.
	const std::shared_ptr<StanCallbackGate>& callbackGate() const { return _pGate; }

	/// Sends an UnsubscribeRequest for `ackInbox` to unsubRequests (unsubscribe) or
	/// subCloseRequests (close) after flushing the acks; throws as StanSubscription::close()/unsubscribe().
	void sendUnsubscribe(const std::string& channel, const std::string& ackInbox, const std::string& durableName, bool close);

	/// True if the server takes subscription close requests.
	bool supportsSubClose() const { return _requests.supportsSubClose(); }

	/// Subject of subscription requests (valid once connected).
	const std::string& subRequestsSubject() const { return _requests.subRequests(); }

	/// After a subscribe request timed out: asks the server (no reply awaited) to close the
	/// subscription with delivery inbox `inbox`, as stan.go does.
	void sendSubCloseBestEffort(const std::string& channel, const std::string& inbox);

	/// Forgets a subscription (it closed itself). O(1).
	void removeSubscription(StanSubscriptionImpl* pSub);

	/// Reports an asynchronous error to StanOptions::errorHandler on the NATS event thread (the
	/// logger when there is none). Never throws, never blocks.
	void reportError(const Poco::Exception& exc);

	/// Throws ConnectionClosedException "stan: connection closed" unless connected.
	void checkConnected() const;

	/// Test hook: stop answering server heartbeats (so that a new connect with the same client ID
	/// replaces this one).
	void setIgnoreHeartbeats(bool ignore) { _ignoreHeartbeats = ignore; }

	/// Test hook: declares the session lost with `error`, as a ping failure would.
	void simulateLost(const std::string& error) { connectionLost(error); }

	/// Test hook: the next subscription fails to start delivery after the server accepted it.
	void failNextDeliveryStart() { _failNextDeliveryStart = true; }

	/// Test hook, read once by the subscription being started.
	bool takeFailDeliveryStart() { return _failNextDeliveryStart.exchange(false); }

private:
	void onHeartbeat(const Message& msg);
	void connectionLost(const std::string& error);
	/// Tears the session down once (later callers wait for it, unless in a callback).
	/// `sendClose`: flush and send the CloseRequest (user close).
	/// `deadline` bounds the waits for callbacks in progress (Deadline::max(): unbounded).
	void teardown(bool sendClose, std::string& closeError, bool& closeTimedOut, StanCallbackGate::Deadline deadline);
	/// close() with the waits for callbacks bounded by `deadline`.
	void closeUntil(StanCallbackGate::Deadline deadline);
	/// `deadline` not max() and callbacks still running: the owned NATS connection stays open
	/// (closing it would join the threads running them); the destructor closes it.
	void releaseNats(StanCallbackGate::Deadline deadline = StanCallbackGate::Deadline::max());
	void cleanupAfterFailedConnect();

	const std::string _clusterId;
	const std::string _clientId;
	const StanOptions _options;
	const std::shared_ptr<StanCallbackGate> _pGate;

	std::unique_ptr<Connection> _pOwnedNc;
	Connection* _pNc = nullptr;

	std::string _connID;
	std::string _hbInbox;
	std::string _pingInbox;
	std::string _ackSubject;
	StanSessionRequests _requests; // connect, close, unsubscribe: the server's request subjects
	std::atomic<bool> _ignoreHeartbeats{false};
	std::atomic<bool> _failNextDeliveryStart{false};

	Subscription _hbSub;
	Subscription _pingSub;
	Subscription _ackSub;

	std::shared_ptr<StanPubAcks> _pPubAcks;
	std::shared_ptr<StanPinger> _pPinger;

	mutable std::mutex _mutex;
	std::condition_variable _teardownCv;
	Status _status = Status::DISCONNECTED;
	std::atomic<bool> _connected{false}; // _status == CONNECTED, read without the mutex (checkConnected())
	bool _connecting = false;
	bool _tearingDown = false;
	bool _tornDown = false;
	std::string _lostError;
	StanConnection* _pFacade = nullptr;
	std::unordered_map<StanSubscriptionImpl*, std::shared_ptr<StanSubscriptionImpl>> _subs;
	std::thread _lostThread;
	std::atomic<bool> _lostOnce{false};
};

} // namespace Nats

#endif // Nats_StanConnectionImpl_INCLUDED
