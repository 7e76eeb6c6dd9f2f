//
// StanConnectionImpl.h
//
// Library: Nats
// Package: Streaming
// Module:  StanConnectionImpl
//
// The implementation of StanConnection.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_StanConnectionImpl_INCLUDED
#define Nats_StanConnectionImpl_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Connection.h"
#include "Nats/Subscription.h"
#include "stan/PubAckTracker.h"
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Nats {

class StanSubscriptionImpl;

/// The streaming session behind a StanConnection (design.md section 3).
///
/// Threads and what runs where:
/// - NATS reader thread (inline subscriptions): PubAck decoding and tracker completion (internal
///   waiters of blocking publishes are signalled right there), heartbeat replies, ping replies,
///   MsgProto decoding and queueing per subscription. No user code.
/// - "stan-acks" thread: runs the user's StanAckHandler for acked publishes, in ack order.
/// - "stan-timer" thread: pub-ack timeouts (their user handlers go to "stan-acks" too) and pings.
/// - "stan-lost" thread: started once when the session is lost; tears down and runs the
///   connection-lost handler.
/// - one "stan-sub" worker thread per asynchronous subscription (StanSubscriptionImpl).
///
/// Lock order: _mutex -> (tracker / subscription locks are leaves). No lock is held while calling
/// into the NATS connection's blocking calls (request, flush, close), joining a thread or running
/// a user callback.
///
/// Thread safety: Thread-safe.
class StanConnectionImpl : public std::enable_shared_from_this<StanConnectionImpl>
{
public:
	using Status = StanConnection::Status;

	StanConnectionImpl(const std::string& clusterId, const std::string& clientId, const StanOptions& options);
	~StanConnectionImpl();

	void setFacade(StanConnection* pFacade);

	void connect();
	void publish(const std::string& channel, const void* data, std::size_t length);
	/// `userHandler` false: the internal waiter of publish(), run directly on the completing thread;
	/// the message is then written on the calling thread (ConnectionImpl::publish() writeNow).
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler,
		Poco::Timespan maxWait, bool userHandler = true);
	StanSubscription subscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
		const StanSubscriptionOptions& options, bool sync);
	void close();

	/// Called by the facade's destructor: close(), swallow errors, wait for the lost thread.
	void destroy();

	Connection& natsConnection();
	Status status() const;
	std::string lostError() const;
	int pubAcksInflight() const;
	const std::string& clusterId() const { return _clusterId; }
	const std::string& clientId() const { return _clientId; }
	const StanOptions& options() const { return _options; }

	// ---- for StanSubscriptionImpl ----

	/// The NATS connection (valid after connect()).
	Connection& nc() { return *_pNc; }

	/// Sends an UnsubscribeRequest for `ackInbox` to unsubRequests (unsubscribe) or
	/// subCloseRequests (close) after flushing the acks; throws as StanSubscription::close()/unsubscribe().
	void sendUnsubscribe(const std::string& channel, const std::string& ackInbox, const std::string& durableName, bool close);

	/// Subject of subscription requests (valid once connected).
	const std::string& subRequestsSubject() const { return _subRequests; }

	/// After a subscribe request timed out: asks the server (no reply awaited) to close the
	/// subscription with delivery inbox `inbox`, as stan.go does.
	void sendSubCloseBestEffort(const std::string& channel, const std::string& inbox);

	/// Forgets a subscription (it closed itself).
	void removeSubscription(StanSubscriptionImpl* pSub);

	/// Reports an asynchronous error to StanOptions::errorHandler (never throws).
	void reportError(const Poco::Exception& exc);

	/// Throws ConnectionClosedException "stan: connection closed" unless connected.
	void checkConnected() const;

	/// Test hook: stop answering server heartbeats (so that a new connect with the same client ID
	/// replaces this one).
	void setIgnoreHeartbeats(bool ignore) { _ignoreHeartbeats = ignore; }

	/// Test hook: declares the session lost with `error`, as a ping failure would.
	void simulateLost(const std::string& error) { connectionLost(error); }

private:
	struct AckEvent
	{
		std::string guid;
		std::string error;
		PubAckTracker::Callback callback;
	};

	void onPubAck(const Message& msg);
	void onHeartbeat(const Message& msg);
	void onPingResponse(const Message& msg);
	void timerLoop();
	void ackLoop();
	void sendPing();
	void armTimer(PubAckTracker::Clock::time_point deadline);
	void dispatchCompletions(std::vector<PubAckTracker::Completion>& completions, const std::string& error, bool direct);
	void connectionLost(const std::string& error);
	/// Tears the session down. `sendClose`: flush and send the CloseRequest (user close).
	/// Returns the close request's error text ("" if none or not sent); throws nothing.
	void teardown(bool sendClose, std::string& closeError, bool& closeTimedOut);
	void cleanupAfterFailedConnect();
	/// Stops and joins the timer thread (pings, pub-ack expiry). Takes no lock while joining.
	void stopTimerThread();
	/// Stops and joins the ack-handler thread (after it ran the handlers queued), unsubscribes the
	/// internal subscriptions and closes the owned NATS connection.
	void stopAckThreadAndReleaseNats();
	static void joinOrDetach(std::thread& t);

	const std::string _clusterId;
	const std::string _clientId;
	const StanOptions _options;

	std::unique_ptr<Connection> _pOwnedNc;
	Connection* _pNc = nullptr;

	std::string _connID;
	std::string _hbInbox;
	std::string _pingInbox;
	std::string _ackSubject;
	std::string _pubPrefix; // "<pubPrefix>."
	std::string _subRequests;
	std::string _unsubRequests;
	std::string _closeRequests;
	std::string _subCloseRequests;
	std::string _pingRequests;
	std::string _pingBytes;
	Poco::Timespan _pingInterval;
	int _pingMaxOut = 0;
	bool _pingsEnabled = false;
	std::atomic<int> _pingsOut{0};
	std::atomic<bool> _ignoreHeartbeats{false};

	Subscription _hbSub;
	Subscription _pingSub;
	Subscription _ackSub;

	std::unique_ptr<PubAckTracker> _pTracker;

	mutable std::mutex _mutex;
	Status _status = Status::DISCONNECTED;
	bool _connecting = false;
	bool _tornDown = false;
	std::string _lostError;
	StanConnection* _pFacade = nullptr;
	std::vector<std::shared_ptr<StanSubscriptionImpl>> _subs;
	std::thread _lostThread;
	std::atomic<bool> _lostOnce{false};

	// timer
	std::mutex _timerMutex;
	std::condition_variable _timerCv;
	bool _timerStop = false;
	bool _timerKick = false;
	std::atomic<std::int64_t> _timerWakeNs{0};
	std::thread _timerThread;

	// ack dispatcher
	std::mutex _ackMutex;
	std::condition_variable _ackCv;
	std::deque<AckEvent> _ackQueue;
	bool _ackStop = false;
	bool _ackWaiting = false;
	std::thread _ackThread;
};

} // namespace Nats

#endif // Nats_StanConnectionImpl_INCLUDED
