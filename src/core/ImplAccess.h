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

/// Friend of Connection, Subscription, Message, StanConnection and StanSubscription.
struct ImplAccess
{
	/// The shared implementation of `handle` (nullptr for an empty handle).
	template <class Handle>
	static auto impl(const Handle& handle) -> decltype(handle._pImpl)
	{
		return handle._pImpl;
	}

	/// Takes the subject and reply buffers back from a Message the reader built from its own
	/// buffers (Reader::onMsg(), inline delivery): the parser keeps their capacity, so the
	/// next frame's subject is copied without an allocation.
	template <class Msg, class String>
	static void takeBack(Msg& message, String& subject, String& reply)
	{
		subject.swap(message._subject);
		reply.swap(message._reply);
	}
};

} // namespace Nats

#endif // Nats_ImplAccess_INCLUDED
