# nats.c streaming baseline of demo/stan-bench (bench/run-stan.sh runs both side by side).
if(TARGET nats_c_shared)
	add_executable(stan-bench-natsc stan-bench-natsc.cpp)
	target_include_directories(stan-bench-natsc PRIVATE ${PROJECT_SOURCE_DIR}/demo)
	target_link_libraries(stan-bench-natsc PRIVATE nats_c_shared Threads::Threads)
	target_compile_options(stan-bench-natsc PRIVATE ${NATS_WARNING_FLAGS})
endif()
