//
// Headers.h
//
// Library: Nats
// Package: Core
// Module:  Headers
//
// NATS message headers (HPUB / HMSG) and status lines.
//
// SPDX-License-Identifier: Apache-2.0
//

#ifndef Nats_Headers_INCLUDED
#define Nats_Headers_INCLUDED

#include "Nats/Nats.h"
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace Nats {

/// The header block of a NATS message: an ordered list of name/value fields and, on messages the
/// server generates, a status ("NATS/1.0 503", "NATS/1.0 100 Idle Heartbeat").
///
/// As in nats.go, names are case-preserving and case-sensitive ("Foo" and "foo" are two names), a
/// name may carry several values (add() appends, set() replaces), and the order of the fields is
/// kept on the wire.
///
///     Nats::Headers h;
///     h.add("Trace-Id", "42");
///     h.add("Tag", "a");
///     h.add("Tag", "b");                     // two values
///     conn.publish("orders", h, "payload");
///     ...
///     m.headers().get("Tag");                // "a"
///     m.headers().values("Tag");             // {"a", "b"}
///
/// Wire form (protocol.md 1.9): "NATS/1.0[ <code>[ <description>]]\r\n", then one
/// "Name: Value\r\n" line per field, then an empty line.
///
/// Thread safety: Plain value; not synchronised.
class Nats_API Headers
{
public:
	using Field = std::pair<std::string, std::string>;

	/// Status codes the server sends (0 = no status line code).
	static constexpr int NO_STATUS = 0;
	static constexpr int STATUS_CONTROL = 100;          // idle heartbeat / flow control (JetStream)
	static constexpr int STATUS_BAD_REQUEST = 400;
	static constexpr int STATUS_NOT_FOUND = 404;
	static constexpr int STATUS_REQUEST_TIMEOUT = 408;
	static constexpr int STATUS_CONFLICT = 409;
	static constexpr int STATUS_NO_RESPONDERS = 503;

	/// An empty header block (no field, no status).
	Headers() = default;

	/// Appends a value for `name` (after the values it already has).
	/// Throws: Poco::InvalidArgumentException when the name is empty or contains ':', a control
	/// character or whitespace, or when the value contains CR or LF.
	void add(const std::string& name, const std::string& value);

	/// Replaces every value of `name` by `value` (the field keeps the place of its first value).
	/// Throws: as add().
	void set(const std::string& name, const std::string& value);

	/// Removes every value of `name`; no-op when absent.
	void remove(const std::string& name);

	/// The first value of `name`, empty when absent.
	std::string get(const std::string& name) const;

	/// Every value of `name`, in order; empty when absent.
	std::vector<std::string> values(const std::string& name) const;

	/// True when `name` has at least one value.
	bool has(const std::string& name) const;

	/// Every field in wire order.
	const std::vector<Field>& fields() const { return _fields; }

	/// Number of fields (a name with two values counts twice).
	std::size_t size() const { return _fields.size(); }

	/// True when there is no field and no status.
	bool empty() const { return _fields.empty() && _status == NO_STATUS && _description.empty(); }

	/// The status code of the first line ("NATS/1.0 503" -> 503), NO_STATUS (0) if none.
	int status() const { return _status; }

	/// The status description ("NATS/1.0 100 Idle Heartbeat" -> "Idle Heartbeat"), may be empty.
	const std::string& description() const { return _description; }

	/// Sets the status line (used by servers and tests; clients do not normally send one).
	/// Throws: Poco::InvalidArgumentException unless 100 <= code <= 999 (or 0 to clear), or if the
	/// description contains CR or LF.
	void setStatus(int code, const std::string& description = std::string());

	/// The wire form, "NATS/1.0..." up to and including the terminating empty line.
	std::string encode() const;

	/// Decodes a header block as received in an HMSG (hdr_len bytes).
	/// Throws: NatsProtocolException when it does not start with "NATS/1.0", the status is not
	/// three digits, a field line has no ':', or the block is not terminated by an empty line.
	static Headers parse(const char* data, std::size_t length);
	static Headers parse(const std::string& block) { return parse(block.data(), block.size()); }

	bool operator==(const Headers& other) const
	{
		return _status == other._status && _description == other._description && _fields == other._fields;
	}
	bool operator!=(const Headers& other) const { return !(*this == other); }

private:
	std::vector<Field> _fields;
	int _status = NO_STATUS;
	std::string _description;
};

} // namespace Nats

#endif // Nats_Headers_INCLUDED
