//
// TestRunner.cpp
//
// The CppUnit runner shared by every suite. Usage: <suite> [name-filter ...]
// A test runs when its full name (Class::method) contains any filter (all run without filters).
// Prints one line per test, the skipped tests with their reasons, and last the line
// "N passed, N failed[, N skipped]". Exits 1 on any failure.
//

#include "TestUtil.h"
#include <cppunit/TestResult.h>
#include <cppunit/TestListener.h>
#include <cppunit/TestFailure.h>
#include <cppunit/Exception.h>
#include <cppunit/SourceLine.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <cppunit/Test.h>
#include <Poco/Timestamp.h>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>
#include <csignal>

namespace {

struct Outcome
{
	std::string name;
	std::string status; // PASS, FAIL, SKIP
	std::string detail;
	double seconds = 0;
};

class Listener: public CppUnit::TestListener
{
public:
	void startTest(CppUnit::Test* test) override
	{
		_current = Outcome();
		_current.name = test->getName();
		_current.status = "PASS";
		_start.update();
		std::cout << "[ RUN  ] " << _current.name << std::endl;
	}

	void addFailure(const CppUnit::TestFailure& failure) override
	{
		const CppUnit::Exception* e = failure.thrownException();
		std::string text = e ? e->message().details() : std::string();
		std::string shortText = e ? e->message().shortDescription() : std::string();
		std::string all = shortText + " " + text;
		std::string::size_type pos = all.find(Nats::Test::SKIP_MARKER);
		if (pos != std::string::npos && _current.status != "FAIL")
		{
			_current.status = "SKIP";
			_current.detail = all.substr(pos + std::strlen(Nats::Test::SKIP_MARKER));
			while (!_current.detail.empty() && (_current.detail.back() == '\n' || _current.detail.back() == ' '))
				_current.detail.pop_back();
			return;
		}
		_current.status = "FAIL";
		std::string where;
		if (e && e->sourceLine().isValid())
			where = e->sourceLine().fileName() + ":" + std::to_string(e->sourceLine().lineNumber()) + ": ";
		_current.detail += where + shortText + (text.empty() ? "" : "\n    " + text) + "\n";
	}

	void endTest(CppUnit::Test*) override
	{
		_current.seconds = _start.elapsed() / 1e6;
		const char* tag = _current.status == "PASS" ? "[  OK  ] " : _current.status == "SKIP" ? "[ SKIP ] " : "[ FAIL ] ";
		std::cout << tag << _current.name << " (" << _current.seconds << " s)";
		if (_current.status == "SKIP") std::cout << ": " << _current.detail;
		std::cout << std::endl;
		if (_current.status == "FAIL") std::cout << _current.detail << std::flush;
		_outcomes.push_back(_current);
	}

	const std::vector<Outcome>& outcomes() const { return _outcomes; }

private:
	Outcome _current;
	Poco::Timestamp _start;
	std::vector<Outcome> _outcomes;
};

void collect(CppUnit::Test* test, const std::vector<std::string>& filters, std::vector<CppUnit::Test*>& out)
{
	if (test->getChildTestCount() == 0)
	{
		if (filters.empty())
		{
			out.push_back(test);
			return;
		}
		for (const auto& f: filters)
		{
			if (test->getName().find(f) != std::string::npos)
			{
				out.push_back(test);
				return;
			}
		}
		return;
	}
	for (int i = 0; i < test->getChildTestCount(); ++i) collect(test->getChildTestAt(i), filters, out);
}

} // namespace

int main(int argc, char** argv)
{
	std::signal(SIGPIPE, SIG_IGN);
	std::vector<std::string> filters;
	for (int i = 1; i < argc; ++i) filters.push_back(argv[i]);

	CppUnit::Test* all = CppUnit::TestFactoryRegistry::getRegistry().makeTest();
	std::vector<CppUnit::Test*> tests;
	collect(all, filters, tests);

	CppUnit::TestResult result;
	Listener listener;
	result.addListener(&listener);
	for (CppUnit::Test* t: tests) t->run(&result);

	int passed = 0, failed = 0, skipped = 0;
	for (const auto& o: listener.outcomes())
	{
		if (o.status == "PASS") ++passed;
		else if (o.status == "FAIL") ++failed;
		else ++skipped;
	}
	if (skipped)
	{
		std::cout << "\nSkipped:" << std::endl;
		for (const auto& o: listener.outcomes())
			if (o.status == "SKIP") std::cout << "  " << o.name << ": " << o.detail << std::endl;
	}
	if (failed)
	{
		std::cout << "\nFailed:" << std::endl;
		for (const auto& o: listener.outcomes())
			if (o.status == "FAIL") std::cout << "  " << o.name << std::endl;
	}
	std::cout << "\n" << passed << " passed, " << failed << " failed";
	if (skipped) std::cout << ", " << skipped << " skipped";
	std::cout << std::endl;
	delete all;
	return failed ? 1 : 0;
}
