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
//                         (and again on the next use once the server said it is gone)
//   publish            -> PUB <channel> reply <pubInbox>.<guid>; the PubAck JSON (or API error /
//                         503 status) completes that guid's entry of the window (JsPubAcks)
//   client ID          -> no server-side registry; the client answers requests on
//                         "_STAN.js.<clusterId>.clients.<clientId>" and connect() fails with
//                         "stan: clientID already registered" when another live client answers
//   subscriptions      -> push consumers (JsStanSubscription)
//   lost session       -> a subscription's consumer vanished (see CONSUMER CHECKS):
//                         connectionLostHandler with the reason, on "stan-lost"
// THREADS (none of its own while the session is up; all belong to the NATS connection)
//   NATS reader        pub acks (JsPubAcks::onPubAck, inline subscription; a blocking publish()
//                      is woken there), client-ID probes, consumer deliveries (queued per
//                      subscription), replies of the consumer checks (loss decided there)
//   NATS timer         pub-ack timeouts; the consumer check every idleHeartbeat (non-blocking
//                      CONSUMER.INFO requests through the connection's request mux)
//   NATS dispatcher    message handlers (each subscription a Dispatchable pinned to one worker)
//                      and, on one worker, the StanAckHandlers in completion order
//   NATS events        StanOptions::errorHandler
//   "stan-lost"        started only when the session is lost: teardown + connectionLostHandler
// CONSUMER CHECKS (loss detection)
//   every idleHeartbeat the timer looks at each subscription: a consumer with idle heartbeats is
//   asked about (CONSUMER.INFO) once nothing arrived for 3 heartbeat intervals; a consumer
//   without heartbeats (queue groups: deliver groups get none) is asked every 3 intervals.
//   "consumer not found" / "stream not found" => lost; any other answer, or none, => alive.
//   At most one check per subscription is in flight.
// LOCKS
//   _mutex (state, subscriptions, known streams) is a leaf: no callback, request or join runs
//   under it; JsPubAcks and JsStanSubscription locks are leaves too.
// ---------------------------------------------------------------------------------------------

#ifndef Nats_JsStanConnection_INCLUDED
#define Nats_JsStanConnection_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/Connection.h"
#include "Nats/Subscription.h"
#include "jetstream/JetStreamContext.h"
#include "stan/StanCallback.h"
#include "stan/StanConnectionBackend.h"
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <string>
#include <thread>

namespace Nats {

class JsStanSubscription;
class JsPubAcks;

/// StanConnection on Backend::JETSTREAM (see the mapping above). Same contract as
/// StanConnectionImpl: every public method behaves and throws as documented in StanConnection.h.
///
/// Thread safety: Thread-safe.
class JsStanConnection: public StanConnectionBackend, public std::enable_shared_from_this<JsStanConnection>
{
public:
	JsStanConnection(const std::string& clusterId, const std::string& clientId, const StanOptions& options);
	~JsStanConnection() override;

	void setFacade(StanConnection* pFacade) override;

	void connect() override;
	void publish(const std::string& channel, const void* data, std::size_t length) override;
	std::string publishAsync(const std::string& channel, const void* data, std::size_t length, StanAckHandler handler, Poco::Timespan maxWait) override;
	StanSubscription subscribe(const std::string& channel, const std::string& group, StanMessageHandler handler,
		const StanSubscriptionOptions& options, bool sync) override;
	void close() override;
	/// close() with errors swallowed, then waits for the lost-handler thread (unless on it) and
	/// for callbacks in progress, all within StanOptions::closeTimeout; a handler still running
	/// after it keeps this object and the owned NATS connection alive until it returns.
	void destroy() override;

	Connection& natsConnection() override;
	Status status() const override { return _status.load(); }
	std::string lostError() const override;
	int pubAcksInflight() const override;
	const std::string& clusterId() const override { return _clusterId; }
	const std::string& clientId() const override { return _clientId; }
	const StanOptions& options() const override { return _options; }

	// ---- used by JsStanSubscription ----

	JetStreamContext& context() { return *_pJs; }
	Connection& nats() { return *_pConn; }

	/// The stream of `channel`, created when missing and createStreams is set (cached).
	/// Throws: StanPublishException / StanSubscriptionException "stan: no stream for channel '<c>'
	/// (stream <name>)" (per `forPublish`) when it is missing and createStreams is false, the API
	/// errors of JetStreamContext otherwise.
	std::string ensureStream(const std::string& channel, bool forPublish);

	/// Forgets that the stream of `channel` (every channel when empty) exists: the next publish or
	/// subscribe looks it up again and creates it when missing, as on first use. Called when the
	/// server says it is gone (a publish answered "no responders", a consumer request "stream not
	/// found"). Never blocks (a leaf lock), never throws.
	void forgetStream(const std::string& channel = std::string());

	/// Throws ConnectionClosedException "stan: connection closed" unless CONNECTED.
	void checkConnected() const;

	/// Hands `e` to StanOptions::errorHandler on the NATS event thread (the logger when there is
	/// none or before connect()). Never blocks, never throws.
	void reportError(const Poco::Exception& e);

	/// Callbacks in progress of this connection (close paths wait for them unless in one).
	const std::shared_ptr<StanCallbackGate>& callbackGate() const { return _pGate; }

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
	/// Schedules the next consumer check on the NATS timer (unless torn down).
	void scheduleCheck();
	/// NATS timer thread: starts the consumer checks that are due (non-blocking).
	void onCheckTimer();
	/// Stops everything local; `requests` = also delete ephemeral consumers on the server. Waits
	/// for callbacks in progress at most until `deadline`; the owned NATS connection is closed
	/// only when none runs any more (else the destructor hands it to a thread of its own).
	void teardown(bool requests, StanCallbackGate::Deadline deadline = StanCallbackGate::Deadline::max());
	/// close() whose waits end at `deadline`.
	void closeUntil(StanCallbackGate::Deadline deadline);
	std::string clientSubject() const;

	const std::string _clusterId;
	const std::string _clientId;
	const StanOptions _options;
	StanConnection* _pFacade = nullptr;

	std::unique_ptr<Connection> _pOwned;
	Connection* _pConn = nullptr;
	std::unique_ptr<JetStreamContext> _pJs;
	const std::shared_ptr<StanCallbackGate> _pGate;
	std::shared_ptr<JsPubAcks> _pPubAcks;
	std::string _pubPrefix;
	Subscription _pubSub;
	Subscription _idSub;

	std::atomic<StanConnection::Status> _status{StanConnection::Status::DISCONNECTED};
	mutable std::mutex _mutex;
	std::string _lostError;
	std::unordered_map<std::string, std::string> _streams;   // channel -> stream, known to exist
	std::unordered_map<const JsStanSubscription*, std::shared_ptr<JsStanSubscription>> _subs;
	bool _tornDown = false;
	bool _teardownDone = false;            // set at the end of teardown (or by a close before connect)
	std::condition_variable _teardownCv;   // with _mutex: a second close() waits for _teardownDone
	std::uint64_t _checkTimerId = 0; // guarded by _mutex

	std::thread _lostThread;
};

} // namespace Nats

#endif // Nats_JsStanConnection_INCLUDED
