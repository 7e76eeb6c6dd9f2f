//
// NatsCBench.h
//
// What the nats.c baselines of the benchmarks share (bench/*-natsc.cpp).
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_NatsCBench_INCLUDED
#define Nats_NatsCBench_INCLUDED

#include <nats/nats.h>
#include <stdexcept>
#include <string>

namespace Nats {
namespace Bench {

/// Throws std::runtime_error "<what>: <status text> [<nats.c's last error>]" unless `s` is NATS_OK.
inline void check(natsStatus s, const char* what)
{
	if (s != NATS_OK)
	{
		const char* text = nats_GetLastError(nullptr);
		throw std::runtime_error(std::string(what) + ": " + natsStatus_GetText(s) + (text ? std::string(" ") + text : std::string()));
	}
}

} // namespace Bench
} // namespace Nats

#endif // Nats_NatsCBench_INCLUDED
