//
// Parser.cpp
//
// Library: Nats
// Package: Core
// Module:  Parser
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/Parser.h"
#include "Nats/Exception.h"
#include <algorithm>
#include <cstring>

namespace Nats {

namespace {

inline bool isBlank(char c)
{
	return c == ' ' || c == '\t';
}

inline char upper(char c)
{
	return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool opEquals(const char* op, std::size_t length, const char* name)
{
	std::size_t n = std::strlen(name);
	if (length != n) return false;
	for (std::size_t i = 0; i < n; ++i)
	{
		if (upper(op[i]) != name[i]) return false;
	}
	return true;
}

struct Token
{
	const char* p;
	std::size_t n;
};

// Splits [p, end) into at most `max` blank-separated tokens; returns the count (max + 1 if more).
std::size_t tokenize(const char* p, const char* end, Token* tokens, std::size_t max)
{
	std::size_t count = 0;
	while (p < end)
	{
		while (p < end && isBlank(*p)) ++p;
		if (p >= end) break;
		const char* start = p;
		// The token ends at the next blank: memchr for the space (the separator servers send),
		// then for a tab before it (rare); a byte loop cost about a third of a PubAck's parsing.
		// Short rests (sid, sizes) are cheaper byte by byte.
		const std::size_t left = static_cast<std::size_t>(end - p);
		if (left < 32)
		{
			while (p < end && !isBlank(*p)) ++p;
		}
		else
		{
			const char* blank = static_cast<const char*>(std::memchr(p, ' ', left));
			const char* stop = blank ? blank : end;
			const char* tab = static_cast<const char*>(std::memchr(p, '\t', static_cast<std::size_t>(stop - p)));
			p = tab ? tab : stop;
		}
		if (count == max) return max + 1;
		tokens[count].p = start;
		tokens[count].n = static_cast<std::size_t>(p - start);
		++count;
	}
	return count;
}

bool parseSize(const Token& t, std::size_t& value)
{
	if (t.n == 0 || t.n > 18) return false;
	std::size_t v = 0;
	for (std::size_t i = 0; i < t.n; ++i)
	{
		char c = t.p[i];
		if (c < '0' || c > '9') return false;
		v = v * 10 + static_cast<std::size_t>(c - '0');
	}
	value = v;
	return true;
}

} // namespace

Parser::Parser(ParserHandler& handler): _handler(handler)
{
}

void Parser::reset()
{
	_state = State::CONTROL;
	_line.clear();
	_payload.clear();
}

void Parser::protocolError(const std::string& what)
{
	reset();
	throw NatsProtocolException(what);
}

void Parser::parse(const char* data, std::size_t length)
{
	const char* p = data;
	const char* end = data + length;
	while (p < end)
	{
		if (_state == State::CONTROL)
		{
			const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
			if (!nl)
			{
				_line.append(p, static_cast<std::size_t>(end - p));
				if (_line.size() > MAX_CONTROL_LINE + 1) protocolError("maximum control line exceeded");
				return;
			}
			const char* lineStart;
			std::size_t lineLength;
			if (_line.empty())
			{
				lineStart = p;
				lineLength = static_cast<std::size_t>(nl - p);
			}
			else
			{
				_line.append(p, static_cast<std::size_t>(nl - p));
				lineStart = _line.data();
				lineLength = _line.size();
			}
			p = nl + 1;
			if (lineLength == 0 || lineStart[lineLength - 1] != '\r') protocolError("control line not terminated by CRLF");
			--lineLength;
			if (lineLength > MAX_CONTROL_LINE) protocolError("maximum control line exceeded");
			// processLine may switch to PAYLOAD; it copies what it needs from the line first.
			std::string line;
			if (!_line.empty())
			{
				line.swap(_line);
				lineStart = line.data();
			}
			processLine(lineStart, lineLength);
		}
		else
		{
			std::size_t need = _totalLength + 2 - _payload.size();
			std::size_t avail = static_cast<std::size_t>(end - p);
			if (_payload.empty() && avail >= need)
			{
				// whole payload in this chunk
				if (p[_totalLength] != '\r' || p[_totalLength + 1] != '\n') protocolError("payload not terminated by CRLF");
				std::string headers;
				std::string payload;
				if (_hasHeaders)
				{
					headers.assign(p, _headerLength);
					payload.assign(p + _headerLength, _totalLength - _headerLength);
				}
				else
				{
					payload.assign(p, _totalLength);
				}
				p += need;
				_state = State::CONTROL;
				_handler.onMsg(_subject, _sid, _reply, headers, payload);
				continue;
			}
			std::size_t take = avail < need ? avail : need;
			// The size comes from the peer: reserve at most 1 MiB up front, grow with the bytes that
			// actually arrive (a lying "MSG a 1 99999999999999999" must not allocate; found by fuzzing, #11).
			if (_payload.empty()) _payload.reserve(std::min<std::size_t>(_totalLength + 2, 1024 * 1024));
			_payload.append(p, take);
			p += take;
			if (_payload.size() == _totalLength + 2)
			{
				if (_payload[_totalLength] != '\r' || _payload[_totalLength + 1] != '\n') protocolError("payload not terminated by CRLF");
				_payload.resize(_totalLength);
				std::string headers;
				std::string payload;
				if (_hasHeaders)
				{
					headers = _payload.substr(0, _headerLength);
					payload = _payload.substr(_headerLength);
				}
				else
				{
					payload.swap(_payload);
				}
				_payload.clear();
				_state = State::CONTROL;
				_handler.onMsg(_subject, _sid, _reply, headers, payload);
			}
		}
	}
}

void Parser::processLine(const char* line, std::size_t length)
{
	const char* end = line + length;
	const char* p = line;
	while (p < end && !isBlank(*p)) ++p;
	const std::size_t opLength = static_cast<std::size_t>(p - line);
	const char* args = p;
	if (opEquals(line, opLength, "MSG") || opEquals(line, opLength, "HMSG"))
	{
		const bool headers = opLength == 4;
		Token t[6];
		std::size_t n = tokenize(args, end, t, 5);
		std::size_t sid = 0;
		bool ok;
		if (!headers)
		{
			ok = (n == 3 || n == 4) && parseSize(t[1], sid) && parseSize(t[n - 1], _totalLength);
			_headerLength = 0;
		}
		else
		{
			ok = (n == 4 || n == 5) && parseSize(t[1], sid) && parseSize(t[n - 2], _headerLength) && parseSize(t[n - 1], _totalLength)
				&& _headerLength <= _totalLength;
		}
		if (!ok) protocolError("malformed " + std::string(headers ? "HMSG" : "MSG") + " arguments: " + std::string(line, length));
		_hasHeaders = headers;
		_subject.assign(t[0].p, t[0].n);
		std::size_t replyIndex = headers ? 4 : 3;
		if (n == replyIndex + 1)
			_reply.assign(t[2].p, t[2].n);
		else
			_reply.clear();
		_sid = static_cast<std::int64_t>(sid);
		_payload.clear();
		_state = State::PAYLOAD;
	}
	else if (opEquals(line, opLength, "PING"))
	{
		_handler.onPing();
	}
	else if (opEquals(line, opLength, "PONG"))
	{
		_handler.onPong();
	}
	else if (opEquals(line, opLength, "+OK"))
	{
		_handler.onOk();
	}
	else if (opEquals(line, opLength, "-ERR"))
	{
		const char* s = args;
		const char* e = end;
		while (s < e && isBlank(*s)) ++s;
		while (e > s && isBlank(e[-1])) --e;
		if (e - s >= 2 && *s == '\'' && e[-1] == '\'')
		{
			++s;
			--e;
		}
		_handler.onErr(std::string(s, static_cast<std::size_t>(e - s)));
	}
	else if (opEquals(line, opLength, "INFO"))
	{
		const char* s = args;
		while (s < end && isBlank(*s)) ++s;
		if (s == end) protocolError("INFO without argument");
		_handler.onInfo(std::string(s, static_cast<std::size_t>(end - s)));
	}
	else
	{
		protocolError("unknown protocol operation: " + std::string(line, length > 64 ? 64 : length));
	}
}

} // namespace Nats
