//
// ReplayMain.cpp
//
// main() of the fuzz targets when built without libFuzzer (g++): runs LLVMFuzzerTestOneInput
// once over every file named on the command line or found in the directories named there (the
// committed seed corpus and the regression inputs of crashes found). Registered in CTest as
// fuzz-replay-<target>, so CI replays them without clang. Exit status 0 = every input ran.
//

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include <dirent.h>
#include <sys/stat.h>
#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void collect(const std::string& path, std::vector<std::string>& files)
{
	struct stat st{};
	if (::stat(path.c_str(), &st) != 0) return;
	if (S_ISREG(st.st_mode))
	{
		files.push_back(path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) return;
	DIR* d = ::opendir(path.c_str());
	if (!d) return;
	std::vector<std::string> names;
	while (dirent* e = ::readdir(d))
	{
		std::string n = e->d_name;
		if (n != "." && n != ".." && n != "README" && n != "README.md") names.push_back(n);
	}
	::closedir(d);
	std::sort(names.begin(), names.end());
	for (const auto& n : names) collect(path + "/" + n, files);
}

} // namespace

int main(int argc, char** argv)
{
	std::vector<std::string> files;
	for (int i = 1; i < argc; ++i) collect(argv[i], files);
	if (files.empty())
	{
		std::fprintf(stderr, "replay: no input files\n");
		return 1;
	}
	for (const auto& f : files)
	{
		std::ifstream in(f, std::ios::binary);
		std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
		LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
	}
	std::printf("replay: %zu inputs ran\n", files.size());
	return 0;
}
