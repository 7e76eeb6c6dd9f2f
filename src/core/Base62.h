//
// Base62.h
//
// Library: Nats
// Package: Core
// Module:  Base62
//
// The one base-62 alphabet (0-9A-Za-z) of NUIDs, request tokens and publish guids.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Base62_INCLUDED
#define Nats_Base62_INCLUDED

#include <cstdint>
#include <string>
#include <string_view>

namespace Nats {
namespace Base62 {

constexpr int BASE = 62;

/// The digit of `v % 62`.
inline char digit(std::uint64_t v)
{
	return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[v % BASE];
}

/// The value of a base-62 digit, -1 if `c` is not one.
inline int digitValue(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
	if (c >= 'a' && c <= 'z') return c - 'a' + 36;
	return -1;
}

/// Writes `v` into exactly `width` characters at `out`, most significant digit first, padded
/// with '0' (digits above `width` are dropped). No terminator.
inline void writeFixed(char* out, int width, std::uint64_t v)
{
	for (int i = width - 1; i >= 0; --i)
	{
		out[i] = digit(v);
		v /= BASE;
	}
}

/// Appends `v` to `out`, most significant digit first, without padding ("0" for 0).
inline void append(std::string& out, std::uint64_t v)
{
	char buf[11]; // 62^11 > 2^64
	int i = 11;
	do
	{
		buf[--i] = digit(v);
		v /= BASE;
	} while (v);
	out.append(buf + i, static_cast<std::size_t>(11 - i)); // one append (guids are formatted per publish)
}

/// `v` in base 62 without padding.
inline std::string encode(std::uint64_t v)
{
	std::string s;
	append(s, v);
	return s;
}

/// Parses base-62 digits (most significant first) into `v`; false (v unchanged) if `s` is
/// empty, holds a character that is not a digit, or exceeds 2^64 - 1.
inline bool parse(std::string_view s, std::uint64_t& v)
{
	if (s.empty()) return false;
	std::uint64_t r = 0;
	for (char c : s)
	{
		int d = digitValue(c);
		if (d < 0) return false;
		if (r > (UINT64_MAX - static_cast<std::uint64_t>(d)) / BASE) return false;
		r = r * BASE + static_cast<std::uint64_t>(d);
	}
	v = r;
	return true;
}

} // namespace Base62
} // namespace Nats

#endif // Nats_Base62_INCLUDED
