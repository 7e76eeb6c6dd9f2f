//
// ImplAccess.h
//
// Library: Nats
// Package: Core
// Module:  ImplAccess
//
// The library's (and its tests') access to the implementation behind a public handle; not
// installed, so the public headers expose no impl() accessor.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_ImplAccess_INCLUDED
#define Nats_ImplAccess_INCLUDED

namespace Nats {

/// Friend of Connection, Subscription, StanConnection and StanSubscription.
struct ImplAccess
{
	/// The shared implementation of `handle` (nullptr for an empty handle).
	template <class Handle>
	static auto impl(const Handle& handle) -> decltype(handle._pImpl)
	{
		return handle._pImpl;
	}
};

} // namespace Nats

#endif // Nats_ImplAccess_INCLUDED
