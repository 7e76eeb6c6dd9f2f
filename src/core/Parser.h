//
// Parser.h
//
// Library: Nats
// Package: Core
// Module:  Parser
//
// Sans-I/O decoder of the server side of the NATS protocol.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Parser_INCLUDED
#define Nats_Parser_INCLUDED

#include "core/ParserHandler.h"
#include <cstddef>
#include <string>

namespace Nats {

/// Decodes INFO, MSG, HMSG, PING, PONG, +OK and -ERR from arbitrary chunks of bytes (a frame may be
/// split anywhere) and calls the ParserHandler once per complete frame. Payloads are taken by byte
/// count, so they may contain any byte (CR, LF, NUL). A control line is at most
/// MAX_CONTROL_LINE bytes (CRLF excluded).
///
///     Parser parser(handler);
///     parser.parse(buffer, n);     // may call handler.onMsg(...) several times
///
/// Does no I/O and never blocks.
///
/// Thread safety: none; one parser per socket, used by the reader thread.
class Parser
{
public:
	static constexpr std::size_t MAX_CONTROL_LINE = 4096;

	explicit Parser(ParserHandler& handler);

	/// Feeds `length` bytes. Calls the handler for every frame completed by them.
	/// Throws: NatsProtocolException on malformed input (unknown op, bad arguments, missing CRLF
	/// after a payload, control line too long); the parser is then reset and the connection should
	/// be dropped. Exceptions of the handler propagate.
	void parse(const char* data, std::size_t length);

	/// Forgets any partial frame (used when a new socket is attached).
	void reset();

private:
	enum class State
	{
		CONTROL,
		PAYLOAD
	};

	void processLine(const char* line, std::size_t length);
	void protocolError(const std::string& what);

	ParserHandler& _handler;
	State _state = State::CONTROL;
	std::string _line;
	// pending MSG/HMSG
	std::string _subject;
	std::string _reply;
	std::string _payload;
	std::int64_t _sid = 0;
	std::size_t _headerLength = 0;
	std::size_t _totalLength = 0;
	bool _hasHeaders = false;
};

} // namespace Nats

#endif // Nats_Parser_INCLUDED
