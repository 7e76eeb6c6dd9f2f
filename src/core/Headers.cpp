//
// Headers.cpp
//
// Library: Nats
// Package: Core
// Module:  Headers
//
// SPDX-License-Identifier: Apache-2.0
//

#include "Nats/Headers.h"
#include "Nats/Exception.h"
#include <Poco/Exception.h>
#include <algorithm>
#include <cstring>

namespace Nats {

namespace {

const char PREFIX[] = "NATS/1.0";
constexpr std::size_t PREFIX_LENGTH = sizeof(PREFIX) - 1;

void checkName(const std::string& name)
{
	if (name.empty()) throw Poco::InvalidArgumentException("nats: invalid header name: empty");
	for (char c: name)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if (c == ':' || u <= ' ' || u == 0x7f)
			throw Poco::InvalidArgumentException("nats: invalid header name '" + name + "': must not contain ':', whitespace or control characters");
	}
}

void checkValue(const std::string& name, const std::string& value)
{
	if (value.find_first_of("\r\n") != std::string::npos)
		throw Poco::InvalidArgumentException("nats: invalid value of header '" + name + "': must not contain CR or LF");
}

inline bool isBlank(char c)
{
	return c == ' ' || c == '\t';
}

void trim(const char*& s, const char*& e)
{
	while (s < e && isBlank(*s)) ++s;
	while (e > s && isBlank(e[-1])) --e;
}

} // namespace

void Headers::add(const std::string& name, const std::string& value)
{
	checkName(name);
	checkValue(name, value);
	_fields.emplace_back(name, value);
}

void Headers::set(const std::string& name, const std::string& value)
{
	checkName(name);
	checkValue(name, value);
	auto first = std::find_if(_fields.begin(), _fields.end(), [&name](const Field& f) { return f.first == name; });
	if (first == _fields.end())
	{
		_fields.emplace_back(name, value);
		return;
	}
	first->second = value;
	auto rest = std::remove_if(first + 1, _fields.end(), [&name](const Field& f) { return f.first == name; });
	_fields.erase(rest, _fields.end());
}

void Headers::remove(const std::string& name)
{
	_fields.erase(std::remove_if(_fields.begin(), _fields.end(), [&name](const Field& f) { return f.first == name; }), _fields.end());
}

std::string Headers::get(const std::string& name) const
{
	for (const auto& f: _fields)
	{
		if (f.first == name) return f.second;
	}
	return std::string();
}

std::vector<std::string> Headers::values(const std::string& name) const
{
	std::vector<std::string> result;
	for (const auto& f: _fields)
	{
		if (f.first == name) result.push_back(f.second);
	}
	return result;
}

bool Headers::has(const std::string& name) const
{
	return std::any_of(_fields.begin(), _fields.end(), [&name](const Field& f) { return f.first == name; });
}

void Headers::setStatus(int code, const std::string& description)
{
	if (code != NO_STATUS && (code < 100 || code > 999))
		throw Poco::InvalidArgumentException("nats: invalid header status " + std::to_string(code) + ": must be 0 or three digits");
	if (code == NO_STATUS && !description.empty())
		throw Poco::InvalidArgumentException("nats: a header status description needs a status code");
	checkValue("status description", description);
	_status = code;
	_description = description;
}

std::string Headers::encode() const
{
	std::size_t size = PREFIX_LENGTH + 4 + 2;
	if (_status != NO_STATUS) size += 4 + _description.size() + 1;
	for (const auto& f: _fields) size += f.first.size() + 2 + f.second.size() + 2;
	std::string out;
	out.reserve(size);
	out.append(PREFIX, PREFIX_LENGTH);
	if (_status != NO_STATUS)
	{
		out += ' ';
		out += std::to_string(_status);
		if (!_description.empty())
		{
			out += ' ';
			out += _description;
		}
	}
	out += "\r\n";
	for (const auto& f: _fields)
	{
		out += f.first;
		out += ": ";
		out += f.second;
		out += "\r\n";
	}
	out += "\r\n";
	return out;
}

Headers Headers::parse(const char* data, std::size_t length)
{
	Headers h;
	if (length < PREFIX_LENGTH || std::memcmp(data, PREFIX, PREFIX_LENGTH) != 0)
		throw NatsProtocolException("nats: bad header block: does not start with NATS/1.0");
	const char* end = data + length;
	const char* p = data + PREFIX_LENGTH;
	auto nextLine = [&](const char*& s, const char*& e) {
		const char* q = p;
		while (q + 1 < end && !(q[0] == '\r' && q[1] == '\n')) ++q;
		if (q + 1 >= end) throw NatsProtocolException("nats: bad header block: line not terminated by CRLF");
		s = p;
		e = q;
		p = q + 2;
	};
	const char* s;
	const char* e;
	nextLine(s, e);
	// status line rest: " 503", " 100 Idle Heartbeat", or nothing
	trim(s, e);
	if (s < e)
	{
		if (e - s < 3 || !std::all_of(s, s + 3, [](char c) { return c >= '0' && c <= '9'; }) || (e - s > 3 && !isBlank(s[3])))
			throw NatsProtocolException("nats: bad header block: status is not a three-digit code");
		h._status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		const char* ds = s + 3;
		trim(ds, e);
		h._description.assign(ds, static_cast<std::size_t>(e - ds));
	}
	for (;;)
	{
		nextLine(s, e);
		if (s == e) break; // the empty line ends the block
		const char* colon = static_cast<const char*>(std::memchr(s, ':', static_cast<std::size_t>(e - s)));
		if (!colon || colon == s) throw NatsProtocolException("nats: bad header block: field line without a name and ':'");
		const char* vs = colon + 1;
		const char* ve = e;
		trim(vs, ve);
		h._fields.emplace_back(std::string(s, static_cast<std::size_t>(colon - s)), std::string(vs, static_cast<std::size_t>(ve - vs)));
	}
	if (p != end) throw NatsProtocolException("nats: bad header block: data after the terminating empty line");
	return h;
}

} // namespace Nats
