# stan-server: the streaming server as a program (flags of nats-streaming-server).
add_executable(stan-server stan-server.cpp)
target_link_libraries(stan-server PRIVATE stanserver)
target_compile_options(stan-server PRIVATE ${NATS_WARNING_FLAGS})
install(TARGETS stan-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
