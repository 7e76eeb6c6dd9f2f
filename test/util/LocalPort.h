//
// LocalPort.h
//
// Free-port and port-probe helpers for 127.0.0.1, shared by the test suites (through TestUtil.h),
// the demos' embedded environment and the server-handlers fuzz target, which all start a
// nats-server child on a port of their own. Not part of the installed library.
//

#ifndef Nats_LocalPort_INCLUDED
#define Nats_LocalPort_INCLUDED

namespace Nats {
namespace Test {

/// A TCP port on 127.0.0.1 that was free when asked (the kernel's pick for port 0). Another
/// process may take it before the caller binds it; callers start one server per port and check.
/// Throws Poco::Net::NetException when no socket can be bound. Does not block.
int freePort();

/// True if a TCP connect to 127.0.0.1:port succeeds; blocks at most 200 ms. Never throws.
bool portOpen(int port);

} // namespace Test
} // namespace Nats

#endif
