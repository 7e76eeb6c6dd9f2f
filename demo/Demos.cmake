# Demos 1-9 (one per section of the stan.go README) and the stan-pub / stan-sub tools.
# Demos and tools use only the public headers (include/Nats/); the stan and stanserver targets
# export nothing else.

set(NATS_DEMOS basic replay durable queue durable-queue async-publish manual-ack pub-rate-limit sub-rate-limit)

# The embedded default of the demos: nats-server child process + in-process StanServer.
# freePort/portOpen/waitFor come from test/util (one implementation for tests, demos and the fuzz
# target).
add_library(demoenv STATIC DemoEnvironment.cpp ${PROJECT_SOURCE_DIR}/test/util/LocalPort.cpp
	${PROJECT_SOURCE_DIR}/test/util/WaitFor.cpp)
target_include_directories(demoenv PUBLIC ${CMAKE_CURRENT_SOURCE_DIR} PRIVATE ${PROJECT_SOURCE_DIR}/test)
target_link_libraries(demoenv PUBLIC stan stanserver)
target_compile_options(demoenv PRIVATE ${NATS_WARNING_FLAGS})

set(NATS_DEMO_TARGETS)
foreach(demo ${NATS_DEMOS})
	add_executable(demo-${demo} demo-${demo}.cpp)
	target_link_libraries(demo-${demo} PRIVATE demoenv)
	target_compile_options(demo-${demo} PRIVATE ${NATS_WARNING_FLAGS})
	list(APPEND NATS_DEMO_TARGETS demo-${demo})
endforeach()

# `cmake --build <dir> --target demos-all` builds the nine demos.
add_custom_target(demos-all DEPENDS ${NATS_DEMO_TARGETS})

# Command-line tools with the flags of the Go tools.
add_executable(stan-pub stan-pub.cpp)
target_link_libraries(stan-pub PRIVATE stan)
target_compile_options(stan-pub PRIVATE ${NATS_WARNING_FLAGS})

add_executable(stan-sub stan-sub.cpp)
target_link_libraries(stan-sub PRIVATE stan)
target_compile_options(stan-sub PRIVATE ${NATS_WARNING_FLAGS})

install(TARGETS stan-pub stan-sub RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Every C++ snippet of README.md, compiled (not run) so that the README cannot drift from the API.
add_executable(readme-snippets readme-snippets.cpp)
target_link_libraries(readme-snippets PRIVATE stan stanserver)
