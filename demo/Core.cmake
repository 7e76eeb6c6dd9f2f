# Core client tools (helper "core").
add_executable(nats-bench nats-bench.cpp)
target_link_libraries(nats-bench PRIVATE nats)
target_compile_options(nats-bench PRIVATE ${NATS_WARNING_FLAGS})
