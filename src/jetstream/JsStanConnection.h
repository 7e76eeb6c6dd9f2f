//
// JsStanConnection.h
//
// Library: Nats
// Package: JetStream
// Module:  JsStanConnection
//
// The streaming API (StanConnection) on JetStream.
//
// SPDX-License-Identifier: Apache-2.0
//
// ---------------------------------------------------------------------------------------------
// MAPPING (README "JetStream backend")
//   channel            -> stream streamName(channel), subjects [channel], created on first use
//   publish            -> PUB <channel> reply <pubInbox>.<guid>; the PubAck JSON (or API error /
//                         503 status) completes the PubAckTracker entry of that guid
//   client ID          -> no server-side registry; the client answers requests on
//                         "_STAN.js.<clusterId>.clients.<clientId>" and connect() fails with
//                         "stan: clientID already registered" when another live client answers
//   subscriptions      -> push consumers (JsStanSubscription)
//   lost session       -> a subscription's consumer vanished (checked after 3 missed idle
//                         heartbeats): connectionLostHandler with the reason
// THREADS
//   NATS reader        pub acks (inline subscription), client-ID probes, consumer deliveries
//   "stan-js-timer"    pub-ack timeouts
//   "stan-acks"        StanAckHandlers, in completion order
//   "stan-js-mon"      consumer checks after missed heartbeats (blocking API requests)
//   "stan-lost"        teardown + connectionLostHandler after a loss
// LOCKS
//   _mutex (state, subscriptions, known streams) and _ackMutex (ack queue) are leaves: no
//   callback, request or join runs under either.
// ---------------------------------------------------------------------------------------------

#ifndef Nats_JsStanConnection_INCLUDED
#define Nats_JsStanConnection_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Connection.h"
#include "Nats/Subscription.h"
#include "jetstream/JetStreamContext.h"
#include "stan/PubAckTracker.h"
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <string>
#include <thread>
#include <vector>

namespace Nats {

class Timer;
class JsStanSubscription;

/// StanConnection on Backend::JETSTREAM (see the mapping above). Same contract as
/// StanConnectionImpl: every public method behaves and throws as documented in StanConnection.h.
///
/// Thread safety: Thread-safe.
class JsStanConnection: public std::enable_shared_from_this<JsStanConnection>
{
public:
	JsStanConnection(const std::string& clusterId, const std::string& clientId, const StanOptions& options);
	~JsStanConnection();

	void setFacade(StanConnection* pFacade);

	void connect();
	void publish(const std::string& channel, const void* data, std::size_t length);
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler, Poco::Timespan maxWait);
	StanSubscription subscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
		const StanSubscriptionOptions& options, bool sync);
	void close();
	/// close() with errors swallowed, then waits for the lost-handler thread (unless on it).
	void destroy();

	Connection& natsConnection();
	StanConnection::Status status() const { return _status.load(); }
	std::string lostError() const;
	int pubAcksInflight() const;
	const std::string& clusterId() const { return _clusterId; }
	const std::string& clientId() const { return _clientId; }
	const StanOptions& options() const { return _options; }

	// ---- used by JsStanSubscription ----

	JetStreamContext& context() { return *_pJs; }
	Connection& nats() { return *_pConn; }

	/// The stream of `channel`, created when missing and createStreams is set (cached).
	/// Throws: StanPublishException / StanSubscriptionException "stan: no stream for channel '<c>'
	/// (stream <name>)" (per `forPublish`) when it is missing and createStreams is false, the API
	/// errors of JetStreamContext otherwise.
	std::string ensureStream(const std::string& channel, bool forPublish);

	/// Throws ConnectionClosedException "stan: connection closed" unless CONNECTED.
	void checkConnected() const;

	/// Hands `e` to StanOptions::errorHandler (on the calling thread; never under a lock).
	void reportError(const Poco::Exception& e) const;

	/// Declares the session lost (once): closes everything locally on "stan-lost", then runs the
	/// connection-lost handler there.
	void lose(const std::string& error);

	void removeSubscription(const JsStanSubscription* pSub);

	/// streamPrefix + escapeName(channel) (the documented rule of StanOptions::JetStreamOptions).
	static std::string streamName(const std::string& prefix, const std::string& channel);

	/// Every character outside [A-Za-z0-9-] as '_' + two upper-case hex digits.
	static std::string escapeName(const std::string& text);

private:
	/// Validates `channel` and ensures its stream, both once per channel (a map lookup after).
	void ensureKnownChannel(const std::string& channel);
	void onPubAck(const Message& m);
	void completeAndDispatch(PubAckTracker::Completion& c, const std::string& error);
	void armTimer();
	void expireTimer();
	void postAck(std::function<void()> fn);
	void ackLoop();
	void monitorLoop();
	/// Stops everything local; `requests` = also delete ephemeral consumers on the server.
	void teardown(bool requests);
	std::string clientSubject() const;

	const std::string _clusterId;
	const std::string _clientId;
	const StanOptions _options;
	StanConnection* _pFacade = nullptr;

	std::unique_ptr<Connection> _pOwned;
	Connection* _pConn = nullptr;
	std::unique_ptr<JetStreamContext> _pJs;
	std::unique_ptr<PubAckTracker> _pTracker;
	std::unique_ptr<Timer> _pTimer;
	std::string _pubPrefix;
	Subscription _pubSub;
	Subscription _idSub;

	std::atomic<StanConnection::Status> _status{StanConnection::Status::DISCONNECTED};
	mutable std::mutex _mutex;
	std::string _lostError;
	std::unordered_map<std::string, std::string> _streams;   // channel -> stream, known to exist
	std::vector<std::shared_ptr<JsStanSubscription>> _subs;
	bool _tornDown = false;

	std::mutex _timerMutex;
	bool _timerArmed = false;

	std::mutex _ackMutex;
	std::condition_variable _ackCond;
	std::deque<std::function<void()>> _ackQueue;
	bool _ackStop = false;
	bool _ackBusy = false;
	std::thread _ackThread;
	std::thread::id _ackThreadId;

	std::mutex _monMutex;
	std::condition_variable _monCond;
	bool _monStop = false;
	std::thread _monThread;

	std::thread _lostThread;
};

} // namespace Nats

#endif // Nats_JsStanConnection_INCLUDED
