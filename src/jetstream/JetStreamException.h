//
// JetStreamException.h
//
// Library: Nats
// Package: JetStream
// Module:  JetStreamException
//
// The error of a JetStream API call: {"error":{"code","err_code","description"}}.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_JetStreamException_INCLUDED
#define Nats_JetStreamException_INCLUDED

#include "Nats/Exception.h"
#include <string>

namespace Nats {

/// A JetStream API error answer. message() is the server's description verbatim
/// (e.g. "stream not found"), code() its HTTP-like code (404) and errCode() JetStream's own
/// error code (10059). Derives from StanException so that the streaming API on the JetStream
/// backend throws a StanException for it like the streaming server's errors.
///
/// Thread safety: Immutable value.
class JetStreamApiException: public StanException
{
public:
	/// Well-known err_code values (nats-server 2.9, server/errors.json).
	static constexpr int STREAM_NOT_FOUND = 10059;
	static constexpr int CONSUMER_NOT_FOUND = 10014;
	static constexpr int STREAM_NAME_IN_USE = 10058;
	static constexpr int CONSUMER_NAME_EXISTS = 10013;
	static constexpr int JETSTREAM_NOT_ENABLED = 10076;
	static constexpr int JETSTREAM_NOT_ENABLED_FOR_ACCOUNT = 10039;

	JetStreamApiException(const std::string& description, int code, int errCode);
	JetStreamApiException(const JetStreamApiException& other) = default;
	JetStreamApiException& operator=(const JetStreamApiException& other) = default;
	~JetStreamApiException() noexcept override = default;

	/// JetStream's err_code (0 if the answer had none).
	int errCode() const { return _errCode; }

	/// The description as sent by the server.
	const std::string& description() const { return message(); }

	const char* name() const noexcept override;
	const char* className() const noexcept override;
	Poco::Exception* clone() const override;
	void rethrow() const override;

private:
	int _errCode;
};

} // namespace Nats

#endif // Nats_JetStreamException_INCLUDED
