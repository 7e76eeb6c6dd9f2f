//
// SubjectRules.cpp
//
// Library: Nats
// Package: Core
// Module:  SubjectRules
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/SubjectRules.h"
#include <Poco/Exception.h>

namespace Nats {

namespace {

// Characters that need a closer look in a subject: separators, wildcards and whitespace / NUL.
struct SubjectChars
{
	bool special[256] = {};
	SubjectChars()
	{
		for (unsigned char c: {'.', '*', '>', ' ', '\t', '\r', '\n', '\f', '\0'}) special[c] = true;
	}
};

const SubjectChars SUBJECT_CHARS;

} // namespace

void SubjectRules::checkPublishSubject(const std::string& subject, const char* what)
{
	if (subject.empty()) throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + ": empty");
	// hot path (every publish): one table lookup per character, the rare cases below
	const unsigned char* p = reinterpret_cast<const unsigned char*>(subject.data());
	const std::size_t n = subject.size();
	std::size_t tokenStart = 0;
	for (std::size_t i = 0; i < n; ++i)
	{
		if (!SUBJECT_CHARS.special[p[i]]) continue;
		const char c = static_cast<char>(p[i]);
		if (c == '.')
		{
			if (i == tokenStart) throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + " '" + subject + "': empty token");
			tokenStart = i + 1;
		}
		else if (c == '*' || c == '>')
		{
			if (i == tokenStart && (i + 1 == n || p[i + 1] == '.'))
				throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + " '" + subject + "': wildcards are not allowed when publishing");
		}
		else
		{
			throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + " '" + subject + "': contains whitespace");
		}
	}
	if (tokenStart == n) throw Poco::InvalidArgumentException(std::string("nats: invalid ") + what + " '" + subject + "': empty token");
}

void SubjectRules::checkSubscribeSubject(const std::string& subject)
{
	if (subject.empty()) throw Poco::InvalidArgumentException("nats: invalid subject: empty");
	std::size_t tokenStart = 0;
	const std::size_t n = subject.size();
	for (std::size_t i = 0; i <= n; ++i)
	{
		char c = i < n ? subject[i] : '.';
		if (c == '.')
		{
			std::size_t len = i - tokenStart;
			if (len == 0) throw Poco::InvalidArgumentException("nats: invalid subject '" + subject + "': empty token");
			if (len == 1 && subject[tokenStart] == '>' && i != n)
				throw Poco::InvalidArgumentException("nats: invalid subject '" + subject + "': '>' must be the last token");
			tokenStart = i + 1;
		}
		else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0')
		{
			throw Poco::InvalidArgumentException("nats: invalid subject '" + subject + "': contains whitespace");
		}
	}
}

void SubjectRules::checkQueue(const std::string& queue)
{
	if (queue.find_first_of(" \t\r\n\f") != std::string::npos || queue.find('\0') != std::string::npos)
		throw Poco::InvalidArgumentException("nats: invalid queue name '" + queue + "': contains whitespace");
}

bool SubjectRules::isValidChannel(const std::string& name)
{
	if (name.empty() || name.front() == '.' || name.back() == '.') return false;
	char prev = 0;
	for (char c : name)
	{
		if (c == '/' || c == '*' || c == '>') return false;
		if (c == '.' && prev == '.') return false;
		prev = c;
	}
	return true;
}

void SubjectRules::checkPublishChannel(const std::string& name)
{
	if (name.empty()) throw Poco::InvalidArgumentException("stan: channel must not be empty");
	if (!isValidChannel(name))
		throw Poco::InvalidArgumentException("stan: invalid channel '" + name + "': no '*', '>' or '/', no empty token, no leading or trailing '.'");
}

bool SubjectRules::isValidToken(const std::string& token)
{
	if (token.empty()) return false;
	for (char c : token)
	{
		if (c == '.' || c == '*' || c == '>' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') return false;
	}
	return true;
}

} // namespace Nats
