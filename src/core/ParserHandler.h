//
// ParserHandler.h
//
// Library: Nats
// Package: Core
// Module:  ParserHandler
//
// Receiver of the frames the Parser decodes.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ParserHandler_INCLUDED
#define Nats_ParserHandler_INCLUDED

#include <cstdint>
#include <string>

namespace Nats {

/// Callbacks of the sans-I/O Parser, one per server operation. They run synchronously inside
/// Parser::parse() on the caller's thread. An exception thrown by a callback propagates out of
/// parse() (the parser state stays consistent: the frame was consumed).
///
/// Thread safety: as the implementation; the parser calls it from one thread.
class ParserHandler
{
public:
	virtual ~ParserHandler() = default;

	/// INFO <json>: `json` is the raw argument text.
	virtual void onInfo(const std::string& json) = 0;

	/// MSG / HMSG. `headers` is empty for MSG; for HMSG it is the raw header block (hdr_len bytes).
	/// The strings may be moved from.
	virtual void onMsg(std::string& subject, std::int64_t sid, std::string& reply, std::string& headers, std::string& payload) = 0;

	virtual void onPing() = 0;
	virtual void onPong() = 0;
	virtual void onOk() = 0;

	/// -ERR: `text` without "-ERR", surrounding blanks and single quotes.
	virtual void onErr(const std::string& text) = 0;
};

} // namespace Nats

#endif // Nats_ParserHandler_INCLUDED
