//
// NUID.cpp
//
// Library: Nats
// Package: Core
// Module:  NUID
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/NUID.h"
#include "core/Base62.h"
#include <Poco/RandomStream.h>
#include <cstring>

namespace Nats {

namespace {

void readRandom(void* buffer, std::size_t length)
{
	Poco::RandomInputStream in;
	in.read(static_cast<char*>(buffer), static_cast<std::streamsize>(length));
}

} // namespace

NUID::NUID()
{
	readRandom(_state, sizeof(_state));
	if (_state[0] == 0 && _state[1] == 0) _state[0] = 0x9E3779B97F4A7C15ULL;
	randomizePrefix();
	resetSequence();
}

std::uint64_t NUID::random64()
{
	// xorshift128+: fast, good enough for sequence increments (the prefix comes from the OS).
	std::uint64_t s1 = _state[0];
	const std::uint64_t s0 = _state[1];
	_state[0] = s0;
	s1 ^= s1 << 23;
	_state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
	return _state[1] + s0;
}

void NUID::randomizePrefix()
{
	unsigned char bytes[PREFIX_LENGTH];
	readRandom(bytes, sizeof(bytes));
	for (int i = 0; i < PREFIX_LENGTH; ++i) _prefix[i] = Base62::digit(bytes[i]);
}

void NUID::resetSequence()
{
	_sequence = static_cast<std::int64_t>(random64() % static_cast<std::uint64_t>(MAX_SEQUENCE));
	_increment = MIN_INCREMENT + static_cast<std::int64_t>(random64() % static_cast<std::uint64_t>(MAX_INCREMENT - MIN_INCREMENT));
}

void NUID::next(char* out)
{
	_sequence += _increment;
	if (_sequence >= MAX_SEQUENCE)
	{
		randomizePrefix();
		resetSequence();
	}
	std::memcpy(out, _prefix, PREFIX_LENGTH);
	Base62::writeFixed(out + PREFIX_LENGTH, SEQUENCE_LENGTH, static_cast<std::uint64_t>(_sequence));
}

std::string NUID::nextString()
{
	std::string s(TOTAL_LENGTH, '0');
	next(&s[0]);
	return s;
}

std::string NUID::next()
{
	thread_local NUID generator;
	return generator.nextString();
}

std::string NUID::newInbox()
{
	thread_local NUID generator;
	std::string s("_INBOX.");
	s.resize(7 + TOTAL_LENGTH);
	generator.next(&s[7]);
	return s;
}

} // namespace Nats
