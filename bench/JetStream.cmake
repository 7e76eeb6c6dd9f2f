# JetStream benchmark (issue #13): our streaming API on JetStream (js-bench) and the nats.c
# JetStream API (js-bench-natsc), same flags and report (demo/StanBenchReport.h); bench/run-js.sh.
add_executable(js-bench js-bench.cpp)
target_include_directories(js-bench PRIVATE ${PROJECT_SOURCE_DIR}/demo)
target_link_libraries(js-bench PRIVATE stan)
target_compile_options(js-bench PRIVATE ${NATS_WARNING_FLAGS})
if(TARGET nats_c_shared)
	add_executable(js-bench-natsc js-bench-natsc.cpp)
	target_include_directories(js-bench-natsc PRIVATE ${PROJECT_SOURCE_DIR}/demo)
	target_link_libraries(js-bench-natsc PRIVATE nats_c_shared Threads::Threads)
	target_compile_options(js-bench-natsc PRIVATE ${NATS_WARNING_FLAGS})
endif()
