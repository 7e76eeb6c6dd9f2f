//
// NUID.h
//
// Library: Nats
// Package: Core
// Module:  NUID
//
// Unique identifiers for inboxes and GUIDs (protocol.md 1.12).
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_NUID_INCLUDED
#define Nats_NUID_INCLUDED

#include <cstdint>
#include <string>

namespace Nats {

/// Generator of NUIDs: 22 characters of base 62 (0-9A-Za-z), a 12-character random prefix and a
/// 10-character sequence that grows by a random increment in [33, 333). When the sequence rolls
/// over a new prefix is drawn. Only the prefix renewal touches the OS random source, so next()
/// makes no system call.
///
///     std::string id = Nats::NUID::next();     // thread-local generator
///
/// Thread safety: an instance is not synchronised; the static next() uses one instance per thread.
class NUID
{
public:
	static constexpr int PREFIX_LENGTH = 12;
	static constexpr int SEQUENCE_LENGTH = 10;
	static constexpr int TOTAL_LENGTH = PREFIX_LENGTH + SEQUENCE_LENGTH;
	static constexpr std::int64_t MAX_SEQUENCE = 839299365868340224LL; // 62^10
	static constexpr std::int64_t MIN_INCREMENT = 33;
	static constexpr std::int64_t MAX_INCREMENT = 333;

	/// Creates a generator with a random prefix, sequence start and increment.
	NUID();

	/// Writes the next NUID into `out` (exactly TOTAL_LENGTH characters, no terminator).
	void next(char* out);

	/// Returns the next NUID of this generator.
	std::string nextString();

	/// Draws a new random prefix.
	void randomizePrefix();

	/// The next NUID of the calling thread's generator.
	static std::string next();

	/// "_INBOX." + next().
	static std::string newInbox();

private:
	std::uint64_t random64();
	void resetSequence();

	char _prefix[PREFIX_LENGTH];
	std::int64_t _sequence = 0;
	std::int64_t _increment = 0;
	std::uint64_t _state[2];
};

} // namespace Nats

#endif // Nats_NUID_INCLUDED
