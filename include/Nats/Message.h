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
#include <string>
#include <cstdint>

namespace Nats {

/// A message delivered by nats-server: subject, optional reply subject, binary-safe payload and,
/// for HMSG frames, the raw header block (starting with "NATS/1.0").
///
///     conn.subscribe("foo", [](const Nats::Message& m) { std::cout << m.data() << '\n'; });
///
/// Thread safety: Immutable after construction; safe to share.
class Nats_API Message
{
public:
	Message() = default;
	Message(std::string subject, std::string reply, std::string data, std::string headers = std::string())
		: _subject(std::move(subject)), _reply(std::move(reply)), _data(std::move(data)), _headers(std::move(headers))
	{
	}

	/// The subject the message was published to.
	const std::string& subject() const { return _subject; }

	/// The reply subject, empty when the publisher gave none.
	const std::string& reply() const { return _reply; }

	/// The payload (may contain any byte, including NUL, CR and LF).
	const std::string& data() const { return _data; }

	/// The raw header block of an HMSG, empty for a plain MSG.
	const std::string& headers() const { return _headers; }

	/// The status code of the header line ("NATS/1.0 503" -> 503), 0 if none.
	int status() const;

	/// True if the message is a "no responders" status (503 with an empty payload).
	bool isNoResponders() const { return status() == 503 && _data.empty(); }

private:
	std::string _subject;
	std::string _reply;
	std::string _data;
	std::string _headers;
};

} // namespace Nats

#endif // Nats_Message_INCLUDED
