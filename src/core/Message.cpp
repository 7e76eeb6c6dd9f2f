//
// Message.cpp
//
// Library: Nats
// Package: Core
// Module:  Message
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Message.h"

namespace Nats {

int Message::status() const
{
	// "NATS/1.0 503 optional description\r\n..."
	static const char prefix[] = "NATS/1.0";
	const std::size_t n = sizeof(prefix) - 1;
	if (_headers.size() < n + 4 || _headers.compare(0, n, prefix) != 0 || _headers[n] != ' ') return 0;
	int code = 0;
	for (std::size_t i = n + 1; i < n + 4; ++i)
	{
		char c = _headers[i];
		if (c < '0' || c > '9') return 0;
		code = code * 10 + (c - '0');
	}
	return code;
}

} // namespace Nats
