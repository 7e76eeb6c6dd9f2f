# Tests of the demos, the stan-pub / stan-sub tools and the installed package.
# Each runs a shell script under test/demos/ or test/install/ that checks exit codes and the
# key lines of the output.

set(NATS_DEMO_NAMES basic replay durable queue durable-queue async-publish manual-ack pub-rate-limit sub-rate-limit)

if(TARGET demo-basic)
	foreach(demo ${NATS_DEMO_NAMES})
		add_test(NAME demo-${demo}
			COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/demos/check-demo.sh $<TARGET_FILE:demo-${demo}> ${demo})
		set_tests_properties(demo-${demo} PROPERTIES TIMEOUT 180)
	endforeach()

	# Servers for the tool test: the demos' embedded environment as a process of its own.
	add_executable(demo-servers demos/DemoServers.cpp)
	target_link_libraries(demo-servers PRIVATE demoenv)
	target_compile_options(demo-servers PRIVATE ${NATS_WARNING_FLAGS})

	add_test(NAME demo-tools
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/demos/check-tools.sh $<TARGET_FILE:stan-pub> $<TARGET_FILE:stan-sub> $<TARGET_FILE:demo-servers>
			$<TARGET_FILE:stan-bench>)
	set_tests_properties(demo-tools PROPERTIES TIMEOUT 180)
endif()

# make install into a temporary prefix, then build and run a consumer project against it (CMake
# package and pkg-config). Needs the whole build, so it is registered last and run serially.
add_test(NAME install
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/run.sh ${PROJECT_BINARY_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/install/consumer)
set_tests_properties(install PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
if(NATS_SANITIZE)
	# The installed libraries are instrumented: the consumer builds need the same flags.
	set_tests_properties(install PROPERTIES ENVIRONMENT "CONSUMER_FLAGS=-fsanitize=${NATS_SANITIZE}")
endif()
