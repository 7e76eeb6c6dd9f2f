# Fuzz targets (#11). Each target is one file defining LLVMFuzzerTestOneInput:
#   - always: fuzz-replay-<name>, built with the normal compiler (g++) and ReplayMain.cpp, and
#     registered in CTest to run every input of corpus/<name>/ and regressions/<name>/ (crashes
#     found by fuzzing, kept as regression tests);
#   - with -DNATS_FUZZ=ON (clang; see test/fuzz/run.sh and `make fuzz`): fuzz-<name>, linked with
#     libFuzzer.
option(NATS_FUZZ "Build the libFuzzer targets (needs clang)" OFF)

set(_fuzz_dir ${CMAKE_CURRENT_LIST_DIR})
set(NATS_FUZZ_TARGETS parser stan-codec server-handlers server-pool tool-flags)
set(_fuzz_src_parser FuzzParser.cpp)
set(_fuzz_libs_parser nats)
set(_fuzz_src_stan-codec FuzzStanCodec.cpp)
set(_fuzz_libs_stan-codec natsproto nats)
set(_fuzz_src_server-handlers FuzzServerHandlers.cpp)
set(_fuzz_extra_server-handlers ${_fuzz_dir}/../util/LocalPort.cpp)
set(_fuzz_libs_server-handlers stanserver natsproto nats)
set(_fuzz_src_server-pool FuzzServerPool.cpp)
set(_fuzz_libs_server-pool nats)
set(_fuzz_src_tool-flags FuzzToolFlags.cpp)
set(_fuzz_libs_tool-flags)

function(_nats_fuzz_target target name main)
	add_executable(${target} ${_fuzz_dir}/${_fuzz_src_${name}} ${_fuzz_extra_${name}} ${main})
	target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/demo ${PROJECT_SOURCE_DIR}/test)
	target_link_libraries(${target} PRIVATE ${_fuzz_libs_${name}} Poco::Foundation Poco::Net)
	target_compile_options(${target} PRIVATE ${NATS_WARNING_FLAGS})
endfunction()

foreach(name ${NATS_FUZZ_TARGETS})
	if(NATS_FUZZ)
		_nats_fuzz_target(fuzz-${name} ${name} "")
		target_compile_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
		target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
	else()
		_nats_fuzz_target(fuzz-replay-${name} ${name} ${_fuzz_dir}/ReplayMain.cpp)
		add_test(NAME fuzz-replay-${name}
			COMMAND fuzz-replay-${name} ${_fuzz_dir}/corpus/${name} ${_fuzz_dir}/regressions/${name})
		set_tests_properties(fuzz-replay-${name} PROPERTIES TIMEOUT 300)
	endif()
endforeach()

# Writes the seed corpora (test/fuzz/corpus/<name>/); run by hand, the output is committed.
if(NOT NATS_FUZZ)
	add_executable(fuzz-seeds ${_fuzz_dir}/FuzzSeeds.cpp)
	target_include_directories(fuzz-seeds PRIVATE ${PROJECT_SOURCE_DIR}/src)
	target_link_libraries(fuzz-seeds PRIVATE natsproto nats)
endif()
