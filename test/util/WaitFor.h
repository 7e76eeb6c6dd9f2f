//
// WaitFor.h
//
// The bounded poll the test suites (through TestUtil.h) and the demos' environment use to wait on
// a condition instead of sleeping. Not part of the installed library.
//

#ifndef Nats_WaitFor_INCLUDED
#define Nats_WaitFor_INCLUDED

#include <Poco/Timespan.h>
#include <functional>

namespace Nats {
namespace Test {

/// Polls `predicate` until it is true or `timeout` passes. Returns the predicate's last value.
/// The poll interval starts at 1 ms and grows to 20 ms (no sleep is used to synchronise: the
/// caller asserts on the returned value). Blocks at most `timeout` plus one predicate call.
bool waitFor(const std::function<bool()>& predicate, Poco::Timespan timeout);

} // namespace Test
} // namespace Nats

#endif
