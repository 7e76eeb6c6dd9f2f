//
// JetStreamContext.h
//
// Library: Nats
// Package: JetStream
// Module:  JetStreamContext
//
// A client of the JetStream API ($JS.API.*) over a core NATS connection.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_JetStreamContext_INCLUDED
#define Nats_JetStreamContext_INCLUDED

#include "Nats/Connection.h"
#include "jetstream/JetStreamTypes.h"
#include <Poco/Timespan.h>
#include <string>

namespace Nats {

/// JetStream management and publishing over a borrowed Connection (request/reply on
/// "<apiPrefix>.<verb>", JSON bodies; nats-server 2.9 API):
///
///     Nats::JetStreamContext js(conn, Poco::Timespan(5, 0));
///     js.addStream(cfg);                       // $JS.API.STREAM.CREATE.<name>
///     Nats::PubAck a = js.publish("orders", "hello");
///     js.deleteStream("ORDERS");
///
/// Every call blocks at most `timeout` (one request each) and throws:
///   JetStreamApiException (the server's {"error":{code, err_code, description}}, description
///   verbatim; "nats: JetStream not enabled" with err_code JETSTREAM_NOT_ENABLED when nobody
///   answers the API subject), NatsTimeoutException, ConnectionClosedException,
///   NatsProtocolException (malformed answer), Poco::InvalidArgumentException (bad name: empty or
///   containing '.', '*', '>', whitespace or a path separator).
///
/// Thread safety: Thread-safe (stateless apart from the borrowed connection, which must outlive
/// it).
class JetStreamContext
{
public:
	static constexpr const char* DEFAULT_API_PREFIX = "$JS.API";

	JetStreamContext(Connection& connection, Poco::Timespan timeout, std::string apiPrefix = DEFAULT_API_PREFIX);

	/// $JS.API.INFO
	AccountInfo accountInfo();

	/// $JS.API.STREAM.CREATE.<name>; fails with "stream name already in use" (err_code 10058) if
	/// a stream of that name exists with another configuration.
	StreamInfo addStream(const StreamConfig& config);

	/// $JS.API.STREAM.INFO.<name>; "stream not found" (err_code 10059).
	StreamInfo streamInfo(const std::string& name);

	/// $JS.API.STREAM.DELETE.<name>
	void deleteStream(const std::string& name);

	/// $JS.API.STREAM.NAMES, optionally only streams bound to `subject`.
	std::vector<std::string> streamNames(const std::string& subject = std::string());

	/// $JS.API.CONSUMER.DURABLE.CREATE.<stream>.<durable> for a durable config,
	/// $JS.API.CONSUMER.CREATE.<stream> for an ephemeral one.
	ConsumerInfo addConsumer(const std::string& stream, const ConsumerConfig& config);

	/// $JS.API.CONSUMER.INFO.<stream>.<name>; "consumer not found" (err_code 10014).
	ConsumerInfo consumerInfo(const std::string& stream, const std::string& name);

	/// $JS.API.CONSUMER.DELETE.<stream>.<name>
	void deleteConsumer(const std::string& stream, const std::string& name);

	/// Publishes to a subject bound to a stream and waits for the PubAck, at most `timeout`.
	/// A non-empty `msgId` goes out as the Nats-Msg-Id header: the stream stores a message id once
	/// per duplicate window, a repeat is acked with duplicate = true. `headers` are sent as well.
	/// Throws, besides the above, JetStreamApiException "nats: no response from stream" (503) when
	/// no stream listens on `subject`, HeadersNotSupportedException with headers on a server
	/// without them.
	PubAck publish(const std::string& subject, const std::string& data, const std::string& msgId = std::string(),
		const Headers& headers = Headers());

	/// The header JetStream de-duplicates on.
	static constexpr const char* MSG_ID_HEADER = "Nats-Msg-Id";

	/// Parses the answer of a JetStream publish (PubAck JSON, an API error or a 503 status).
	/// Throws as publish().
	static PubAck parsePubAck(const Message& reply);

	/// Sends `body` to "<apiPrefix>.<verb>" and returns the JSON answer; API errors are thrown.
	Poco::JSON::Object::Ptr apiRequest(const std::string& verb, const std::string& body);

	/// Throws Poco::InvalidArgumentException "<what> must not be empty / contain ..." unless
	/// `name` is a valid stream or consumer name.
	static void validateName(const char* what, const std::string& name);

	Connection& connection() { return _connection; }
	Poco::Timespan timeout() const { return _timeout; }
	const std::string& apiPrefix() const { return _prefix; }

private:
	Connection& _connection;
	const Poco::Timespan _timeout;
	const std::string _prefix;
};

} // namespace Nats

#endif // Nats_JetStreamContext_INCLUDED
