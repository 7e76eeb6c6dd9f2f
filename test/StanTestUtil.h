//
// StanTestUtil.h
//
// Helpers shared by the streaming client's integration tests.
//

#ifndef Nats_StanTestUtil_INCLUDED
#define Nats_StanTestUtil_INCLUDED

#include "Nats/StanConnection.h"
#include "Nats/StanMessage.h"
#include "TestUtil.h"
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace Nats {
namespace Test {

/// Thread-safe list of received streaming messages.
class StanCollector
{
public:
	void add(const StanMessage& m)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_messages.push_back(m);
	}

	std::size_t size() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _messages.size();
	}

	std::vector<StanMessage> messages() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _messages;
	}

	std::vector<std::uint64_t> sequences() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::vector<std::uint64_t> s;
		for (const auto& m : _messages) s.push_back(m.sequence());
		return s;
	}

	/// The handler to give to subscribe().
	StanMessageHandler handler()
	{
		return [this](const StanMessage& m) { add(m); };
	}

private:
	mutable std::mutex _mutex;
	std::vector<StanMessage> _messages;
};

/// [first, last]
inline std::vector<std::uint64_t> seqRange(std::uint64_t first, std::uint64_t last)
{
	std::vector<std::uint64_t> v;
	for (std::uint64_t s = first; s <= last; ++s) v.push_back(s);
	return v;
}

} // namespace Test
} // namespace Nats

#endif
