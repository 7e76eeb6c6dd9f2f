//
// Message.h
//
// Library: Nats
// Package: Core
// Module:  Message
//
// A message received from NATS.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Message_INCLUDED
#define Nats_Message_INCLUDED

#include "Nats/Nats.h"
#include "Nats/Headers.h"
#include <string>
#include <cstdint>

namespace Nats {

/// A message delivered by nats-server: subject, optional reply subject, binary-safe payload and,
/// for HMSG frames, the headers (see Headers) with the status the server may have set.
///
///     conn.subscribe("foo", [](const Nats::Message& m) {
///         std::cout << m.data() << " trace " << m.headers().get("Trace-Id") << '\n';
///     });
///
/// Thread safety: Immutable after construction; safe to share.
class Nats_API Message
{
public:
	Message() = default;

	/// A message with a raw header block as received in an HMSG (empty for MSG). The block is
	/// decoded here. Throws: NatsProtocolException when the block is malformed (see Headers::parse).
	Message(std::string subject, std::string reply, std::string data, std::string rawHeaders = std::string())
		: _subject(std::move(subject)), _reply(std::move(reply)), _data(std::move(data)), _rawHeaders(std::move(rawHeaders))
	{
		if (!_rawHeaders.empty()) _headers = Headers::parse(_rawHeaders);
	}

	/// A message with decoded headers (encoded into rawHeaders() unless empty).
	Message(std::string subject, std::string reply, std::string data, Headers headers)
		: _subject(std::move(subject)), _reply(std::move(reply)), _data(std::move(data)), _headers(std::move(headers))
	{
		if (!_headers.empty()) _rawHeaders = _headers.encode();
	}

	/// The subject the message was published to.
	const std::string& subject() const { return _subject; }

	/// The reply subject, empty when the publisher gave none.
	const std::string& reply() const { return _reply; }

	/// The payload (may contain any byte, including NUL, CR and LF).
	const std::string& data() const { return _data; }

	/// The headers of an HMSG; empty for a plain MSG.
	const Headers& headers() const { return _headers; }

	/// The raw header block of an HMSG ("NATS/1.0..." up to the empty line), empty for a plain MSG.
	const std::string& rawHeaders() const { return _rawHeaders; }

	/// True when the message came as an HMSG (or was built with non-empty headers).
	bool hasHeaders() const { return !_rawHeaders.empty(); }

	/// The status code of the header line ("NATS/1.0 503" -> 503), 0 if none.
	int status() const { return _headers.status(); }

	/// The status description ("NATS/1.0 100 Idle Heartbeat" -> "Idle Heartbeat"), may be empty.
	const std::string& statusDescription() const { return _headers.description(); }

	/// True if the message is a "no responders" status (503 with an empty payload).
	bool isNoResponders() const { return status() == Headers::STATUS_NO_RESPONDERS && _data.empty(); }

private:
	friend struct ImplAccess; // the reader lends its buffers to an inline delivery and takes them back

	std::string _subject;
	std::string _reply;
	std::string _data;
	std::string _rawHeaders;
	Headers _headers;
};

} // namespace Nats

#endif // Nats_Message_INCLUDED
