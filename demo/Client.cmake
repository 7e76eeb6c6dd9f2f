# Streaming client tools: stan-bench (flags of the Go stan-bench).
add_executable(stan-bench stan-bench.cpp)
target_link_libraries(stan-bench PRIVATE stan)
target_compile_options(stan-bench PRIVATE ${NATS_WARNING_FLAGS})
install(TARGETS stan-bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
