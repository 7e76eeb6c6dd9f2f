# nats.c streaming baseline of demo/stan-bench (bench/run-stan.sh runs both side by side).
if(TARGET nats_c_shared)
	add_executable(stan-bench-natsc stan-bench-natsc.cpp)
	target_include_directories(stan-bench-natsc PRIVATE ${PROJECT_SOURCE_DIR}/demo)
	target_link_libraries(stan-bench-natsc PRIVATE nats_c_shared Threads::Threads)
	target_compile_options(stan-bench-natsc PRIVATE ${NATS_WARNING_FLAGS})
endif()

# Threads, memory, subscribe/close and fan-out costs (bench/run-threads.sh), ours and nats.c's.
add_executable(stan-threads-bench stan-threads-bench.cpp)
target_link_libraries(stan-threads-bench PRIVATE stan Threads::Threads)
target_compile_options(stan-threads-bench PRIVATE ${NATS_WARNING_FLAGS})
if(TARGET nats_c_shared)
	add_executable(stan-threads-bench-natsc stan-threads-bench-natsc.cpp)
	target_link_libraries(stan-threads-bench-natsc PRIVATE nats_c_shared Threads::Threads)
	target_compile_options(stan-threads-bench-natsc PRIVATE ${NATS_WARNING_FLAGS})
endif()

# Heap allocations per delivered / published message (bench/run-alloc.sh): a counting operator new.
add_executable(alloc-bench alloc-bench.cpp)
target_link_libraries(alloc-bench PRIVATE stan Threads::Threads)
target_compile_options(alloc-bench PRIVATE ${NATS_WARNING_FLAGS})
