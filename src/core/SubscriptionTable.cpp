//
// SubscriptionTable.cpp
//
// Library: Nats
// Package: Core
// Module:  SubscriptionTable
//
// SPDX-License-Identifier: Apache-2.0
//

#include "core/SubscriptionTable.h"

namespace Nats {

void SubscriptionTable::addLocked(const std::shared_ptr<SubscriptionImpl>& sub)
{
	_subs[sub->sid()] = sub;
	changedLocked();
}

void SubscriptionTable::eraseLocked(std::int64_t sid)
{
	_subs.erase(sid);
	changedLocked();
}

void SubscriptionTable::erase(std::int64_t sid)
{
	Lock lock(_mutex);
	eraseLocked(sid);
}

void SubscriptionTable::erase(const std::vector<std::shared_ptr<SubscriptionImpl>>& subs)
{
	Lock lock(_mutex);
	for (const auto& s: subs) _subs.erase(s->sid());
	changedLocked();
}

std::vector<std::shared_ptr<SubscriptionImpl>> SubscriptionTable::takeAll()
{
	std::vector<std::shared_ptr<SubscriptionImpl>> out;
	Lock lock(_mutex);
	out.reserve(_subs.size());
	for (auto& s: _subs) out.push_back(s.second);
	_subs.clear();
	changedLocked();
	return out;
}

std::string SubscriptionTable::resubscribeLocked() const
{
	std::string out;
	for (const auto& entry: _subs)
	{
		const auto& sub = entry.second;
		out += "SUB ";
		out += sub->subject();
		if (!sub->queue().empty())
		{
			out += ' ';
			out += sub->queue();
		}
		out += ' ';
		out += std::to_string(sub->sid());
		out += "\r\n";
		std::uint64_t max = sub->max();
		if (max > 0)
		{
			// the rest of an auto-unsubscribe; one already reached unsubscribes at once
			std::uint64_t received = sub->received();
			out += "UNSUB ";
			out += std::to_string(sub->sid());
			if (received < max)
			{
				out += ' ';
				out += std::to_string(max - received);
			}
			out += "\r\n";
		}
	}
	return out;
}

} // namespace Nats
