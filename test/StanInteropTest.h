//
// StanInteropTest.h
//
// Helpers of the interop suites that drive our StanServer with the nats.c streaming client
// (Debian libnats-dev, the independent oracle) and with raw protocol requests over a nats.c
// core connection (for what the C client cannot express: redeliveryCount, millisecond ack
// waits, a client that stops answering heartbeats, malformed input).
//

#ifndef Nats_StanInteropTest_INCLUDED
#define Nats_StanInteropTest_INCLUDED

#define NATS_HAS_STREAMING
#include <nats/nats.h>

#include "StanServerFixture.h"
#include "TestUtil.h"
#include "protocol.pb.h"
#include <cppunit/extensions/HelperMacros.h>
#include <Poco/Timestamp.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace Nats {
namespace Test {
namespace Interop {

const Poco::Timespan WAIT(10, 0);

inline std::string lastError(natsStatus s)
{
	natsStatus st = s;
	const char* text = nats_GetLastError(&st);
	std::string out = text ? std::string(text) : std::string(natsStatus_GetText(s));
	// nats.c prefixes its location: "(stan/sub.c:470): <server text>".
	if (!out.empty() && out[0] == '(')
	{
		std::string::size_type pos = out.find("): ");
		if (pos != std::string::npos) out = out.substr(pos + 3);
	}
	return out;
}

inline std::int64_t nowMillis()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// One received streaming message.
struct Rec
{
	std::uint64_t seq = 0;
	bool redelivered = false;
	std::string data;
	std::int64_t timestamp = 0;
};

/// The state a nats.c streaming subscription's callback writes to. Shared between the test's
/// Collector and the CStan that owns the subscription, so it outlives every callback even when
/// the Collector goes out of scope first.
struct CollectorState
{
	std::mutex mutex;
	std::vector<Rec> recs;
	std::vector<stanMsg*> unacked;
	bool keepForAck = false;
	stanSubscription* sub = nullptr;

	static void onMsg(stanConnection*, stanSubscription*, const char*, stanMsg* msg, void* closure)
	{
		CollectorState* self = static_cast<CollectorState*>(closure);
		Rec r;
		r.seq = stanMsg_GetSequence(msg);
		r.redelivered = stanMsg_IsRedelivered(msg);
		r.data.assign(stanMsg_GetData(msg), static_cast<std::size_t>(stanMsg_GetDataLength(msg)));
		r.timestamp = stanMsg_GetTimestamp(msg);
		std::lock_guard<std::mutex> lock(self->mutex);
		self->recs.push_back(r);
		if (self->keepForAck)
			self->unacked.push_back(msg);
		else
			stanMsg_Destroy(msg);
	}

	~CollectorState()
	{
		for (stanMsg* m : unacked) stanMsg_Destroy(m);
	}
};

/// Collects the messages of a nats.c streaming subscription. With keepForAck (manual ack mode)
/// the messages are kept for ack() from the test thread.
struct Collector
{
	std::shared_ptr<CollectorState> state = std::make_shared<CollectorState>();
	bool& keepForAck = state->keepForAck;

	std::size_t count()
	{
		std::lock_guard<std::mutex> lock(state->mutex);
		return state->recs.size();
	}

	std::vector<Rec> snapshot()
	{
		std::lock_guard<std::mutex> lock(state->mutex);
		return state->recs;
	}

	std::vector<std::uint64_t> seqs()
	{
		std::vector<std::uint64_t> out;
		for (const Rec& r : snapshot()) out.push_back(r.seq);
		return out;
	}

	/// Acks up to `n` kept messages (all when n < 0); returns how many.
	int ack(int n = -1)
	{
		std::vector<stanMsg*> todo;
		{
			std::lock_guard<std::mutex> lock(state->mutex);
			while (!state->unacked.empty() && (n < 0 || static_cast<int>(todo.size()) < n))
			{
				todo.push_back(state->unacked.front());
				state->unacked.erase(state->unacked.begin());
			}
		}
		for (stanMsg* m : todo)
		{
			stanSubscription_AckMsg(state->sub, m);
			stanMsg_Destroy(m);
		}
		return static_cast<int>(todo.size());
	}
};

/// Subscription setup for CStan::subscribe(): manual ack mode and an ack wait of `ackWaitMs`.
inline std::function<void(stanSubOptions*)> manualAckWait(std::int64_t ackWaitMs)
{
	return [ackWaitMs](stanSubOptions* o) {
		stanSubOptions_SetManualAckMode(o, true);
		stanSubOptions_SetAckWait(o, ackWaitMs);
	};
}

/// Subscription setup for CStan::subscribe(): manual ack mode and at most `n` unacked messages.
inline std::function<void(stanSubOptions*)> manualAckInflight(int n)
{
	return [n](stanSubOptions* o) {
		stanSubOptions_SetManualAckMode(o, true);
		stanSubOptions_SetMaxInflight(o, n);
	};
}

/// RAII nats.c streaming connection.
class CStan
{
public:
	CStan(const StanServerFixture& f, const std::string& clientId, int pingInterval = 0, int pingMaxOut = 0)
	{
		stanConnOptions* opts = nullptr;
		stanConnOptions_Create(&opts);
		stanConnOptions_SetURL(opts, f.natsUrl().c_str());
		stanConnOptions_SetConnectionWait(opts, 5000);
		stanConnOptions_SetPubAckWait(opts, 10000);
		if (pingInterval > 0) stanConnOptions_SetPings(opts, pingInterval, pingMaxOut);
		stanConnOptions_SetConnectionLostHandler(opts, &CStan::onLost, this);
		status = stanConnection_Connect(&sc, f.clusterId().c_str(), clientId.c_str(), opts);
		if (status != NATS_OK)
		{
			error = lastError(status);
			sc = nullptr;
		}
		stanConnOptions_Destroy(opts);
	}

	~CStan()
	{
		for (stanSubscription* s : _subs) stanSubscription_Destroy(s);
		if (sc)
		{
			stanConnection_Close(sc);
			stanConnection_Destroy(sc);
		}
	}

	bool ok() const { return sc != nullptr; }

	/// Subscribes; `setup` configures the options. Returns the error text ("" on success).
	std::string subscribe(Collector& c, const std::string& channel, const std::function<void(stanSubOptions*)>& setup = {}, const std::string& queue = "")
	{
		stanSubOptions* so = nullptr;
		stanSubOptions_Create(&so);
		if (setup) setup(so);
		stanSubscription* sub = nullptr;
		natsStatus s = queue.empty()
			? stanConnection_Subscribe(&sub, sc, channel.c_str(), &CollectorState::onMsg, c.state.get(), so)
			: stanConnection_QueueSubscribe(&sub, sc, channel.c_str(), queue.c_str(), &CollectorState::onMsg, c.state.get(), so);
		stanSubOptions_Destroy(so);
		if (s != NATS_OK) return lastError(s);
		c.state->sub = sub;
		_subs.push_back(sub);
		_states.push_back(c.state);
		return std::string();
	}

	/// Closes (or unsubscribes) the collector's subscription; returns the error text.
	std::string closeSub(Collector& c, bool unsubscribe = false)
	{
		natsStatus s = unsubscribe ? stanSubscription_Unsubscribe(c.state->sub) : stanSubscription_Close(c.state->sub);
		return s == NATS_OK ? std::string() : lastError(s);
	}

	std::string publish(const std::string& channel, const std::string& data)
	{
		natsStatus s = stanConnection_Publish(sc, channel.c_str(), data.data(), static_cast<int>(data.size()));
		return s == NATS_OK ? std::string() : lastError(s);
	}

	/// Closes the streaming connection now (sends the CloseRequest).
	void close()
	{
		if (sc)
		{
			for (stanSubscription* s : _subs) stanSubscription_Destroy(s);
			_subs.clear();
			stanConnection_Close(sc);
			stanConnection_Destroy(sc);
			sc = nullptr;
		}
	}

	std::string lost()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _lost;
	}

	stanConnection* sc = nullptr;
	natsStatus status = NATS_OK;
	std::string error;

private:
	static void onLost(stanConnection*, const char* errorTxt, void* closure)
	{
		CStan* self = static_cast<CStan*>(closure);
		std::lock_guard<std::mutex> lock(self->_mutex);
		self->_lost = errorTxt ? errorTxt : "?";
	}

	std::vector<stanSubscription*> _subs;
	std::vector<std::shared_ptr<CollectorState>> _states; ///< released after the connection
	std::mutex _mutex;
	std::string _lost;
};

/// RAII nats.c core connection for raw protocol requests.
class CNats
{
public:
	explicit CNats(const std::string& url)
	{
		natsStatus s = natsConnection_ConnectTo(&nc, url.c_str());
		CPPUNIT_ASSERT_EQUAL_MESSAGE("raw nats.c connect", std::string("OK"), std::string(natsStatus_GetText(s)));
	}

	~CNats()
	{
		if (nc)
		{
			natsConnection_Close(nc);
			natsConnection_Destroy(nc);
		}
	}

	/// Request with a 2 s timeout; returns false on timeout.
	bool request(const std::string& subject, const std::string& data, std::string& reply)
	{
		natsMsg* msg = nullptr;
		natsStatus s = natsConnection_Request(&msg, nc, subject.c_str(), data.data(), static_cast<int>(data.size()), 2000);
		if (s != NATS_OK) return false;
		reply.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
		natsMsg_Destroy(msg);
		return true;
	}

	void publish(const std::string& subject, const std::string& data)
	{
		natsConnection_Publish(nc, subject.c_str(), data.data(), static_cast<int>(data.size()));
	}

	void flush()
	{
		natsConnection_Flush(nc);
	}

	natsConnection* nc = nullptr;
};

/// Drains a nats.c core subscription (no callback runs after this returns), then destroys it.
inline void closeRawSubscription(natsSubscription* sub)
{
	if (!sub) return;
	if (natsSubscription_Drain(sub) == NATS_OK) natsSubscription_WaitForDrainCompletion(sub, 5000);
	natsSubscription_Destroy(sub);
}

/// Raw streaming session opened with a ConnectRequest over a nats.c core connection.
struct RawSession
{
	natsstan::ConnectResponse resp;
	std::string clientId;
	std::string connId;
};

inline std::string subjectFor(const StanServerFixture& f)
{
	return "_STAN.discover." + f.clusterId();
}

inline RawSession rawConnect(CNats& raw, const StanServerFixture& f, const std::string& clientId, const std::string& hbInbox)
{
	natsstan::ConnectRequest req;
	req.set_clientid(clientId);
	req.set_heartbeatinbox(hbInbox);
	req.set_protocol(1);
	req.set_connid(clientId + "-conn");
	req.set_pinginterval(5);
	req.set_pingmaxout(88);
	std::string reply;
	CPPUNIT_ASSERT(raw.request(subjectFor(f), req.SerializeAsString(), reply));
	RawSession s;
	CPPUNIT_ASSERT(s.resp.ParseFromString(reply));
	CPPUNIT_ASSERT_EQUAL(std::string(), s.resp.error());
	s.clientId = clientId;
	s.connId = clientId + "-conn";
	return s;
}

/// Collects the raw MsgProto frames of a nats.c core subscription.
struct RawInbox
{
	std::mutex mutex;
	std::vector<natsstan::MsgProto> msgs;
	natsSubscription* sub = nullptr;

	RawInbox(CNats& raw, const std::string& subject)
	{
		natsConnection_Subscribe(&sub, raw.nc, subject.c_str(), &RawInbox::onMsg, this);
		natsConnection_Flush(raw.nc);
	}

	~RawInbox()
	{
		closeRawSubscription(sub);
	}

	static void onMsg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure)
	{
		RawInbox* self = static_cast<RawInbox*>(closure);
		natsstan::MsgProto m;
		m.ParseFromArray(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
		natsMsg_Destroy(msg);
		std::lock_guard<std::mutex> lock(self->mutex);
		self->msgs.push_back(m);
	}

	std::size_t count()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return msgs.size();
	}

	/// Messages nats.c has received for the subscription: delivered to the callback (or being
	/// delivered) plus still queued. Exact after a request round trip on the same connection.
	std::uint64_t received()
	{
		int64_t delivered = 0;
		int pendingMsgs = 0, pendingBytes = 0;
		natsSubscription_GetDelivered(sub, &delivered);
		natsSubscription_GetPending(sub, &pendingMsgs, &pendingBytes);
		return static_cast<std::uint64_t>(delivered) + static_cast<std::uint64_t>(pendingMsgs);
	}

	natsstan::MsgProto at(std::size_t i)
	{
		std::lock_guard<std::mutex> lock(mutex);
		return msgs.at(i);
	}
};

/// Answers requests (heartbeats) on a subject and remembers the last reply subject.
struct RawRequests
{
	std::mutex mutex;
	std::string reply;
	natsSubscription* sub = nullptr;
	natsConnection* nc = nullptr;

	RawRequests(CNats& raw, const std::string& subject)
		: nc(raw.nc)
	{
		natsConnection_Subscribe(&sub, raw.nc, subject.c_str(), &RawRequests::onMsg, this);
		natsConnection_Flush(raw.nc);
	}

	~RawRequests()
	{
		closeRawSubscription(sub);
	}

	static void onMsg(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure)
	{
		RawRequests* self = static_cast<RawRequests*>(closure);
		const char* reply = natsMsg_GetReply(msg);
		if (reply)
		{
			natsConnection_Publish(nc, reply, nullptr, 0);
			std::lock_guard<std::mutex> lock(self->mutex);
			self->reply = reply;
		}
		natsMsg_Destroy(msg);
	}

	std::string lastReply()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return reply;
	}
};

/// Receives heartbeat requests; answers those for which `answer(n)` is true (n counts from 1).
struct HeartbeatPeer
{
	std::atomic<int> received{0};
	std::function<bool(int)> answer;
	natsSubscription* sub = nullptr;

	HeartbeatPeer(CNats& raw, const std::string& inbox, std::function<bool(int)> policy)
		: answer(std::move(policy))
	{
		natsConnection_Subscribe(&sub, raw.nc, inbox.c_str(), &HeartbeatPeer::onMsg, this);
		natsConnection_Flush(raw.nc);
	}

	~HeartbeatPeer()
	{
		closeRawSubscription(sub);
	}

	static void onMsg(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure)
	{
		HeartbeatPeer* self = static_cast<HeartbeatPeer*>(closure);
		int n = ++self->received;
		const char* reply = natsMsg_GetReply(msg);
		if (reply && self->answer(n)) natsConnection_Publish(nc, reply, nullptr, 0);
		natsMsg_Destroy(msg);
	}
};

inline StanServerOptions shortHB()
{
	// Short, but a live peer on a loaded machine must still answer within the timeout.
	StanServerOptions o;
	o.hbInterval = Poco::Timespan(0, 100000);
	o.hbTimeout = Poco::Timespan(0, 300000);
	o.hbFailCount = 2;
	return o;
}


/// Opens the nats.c library once per process.
inline void openNatsC()
{
	static std::once_flag once;
	std::call_once(once, [] { nats_Open(-1); });
}

} // namespace Interop
} // namespace Test
} // namespace Nats

#endif
