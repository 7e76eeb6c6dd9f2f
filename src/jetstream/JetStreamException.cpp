//
// JetStreamException.cpp
//
// Library: Nats
// Package: JetStream
// Module:  JetStreamException
//
// SPDX-License-Identifier: Apache-2.0
//

#include "jetstream/JetStreamException.h"

namespace Nats {

JetStreamApiException::JetStreamApiException(const std::string& description, int code, int errCode)
	: StanException(description, code), _errCode(errCode)
{
}

const char* JetStreamApiException::name() const noexcept
{
	return "JetStream API error";
}

const char* JetStreamApiException::className() const noexcept
{
	return typeid(*this).name();
}

Poco::Exception* JetStreamApiException::clone() const
{
	return new JetStreamApiException(*this);
}

void JetStreamApiException::rethrow() const
{
	throw *this;
}

} // namespace Nats
