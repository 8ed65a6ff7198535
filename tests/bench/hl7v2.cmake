# Benchmarks of the HL7 v2 adapter (on demand, never part of pass/fail): parse alone, ACK, MLLP,
# and parse + translate + FHIR JSON for ADT^A01 and ORU^R01 with 20 OBX.
add_executable(hl7v2_bench ${GW_ROOT}/tests/bench/hl7v2_bench.cpp)
target_link_libraries(hl7v2_bench PRIVATE gw_allocator gw::hl7v2 gw_warnings benchmark::benchmark benchmark::benchmark_main)
target_include_directories(hl7v2_bench PRIVATE ${GW_ROOT})
target_compile_definitions(hl7v2_bench PRIVATE GW_SHARED_DIR="${GW_SHARED_DIR}")

# Instruction-count driver for callgrind and output dumper for byte comparisons (see its header).
add_executable(hl7v2_profile ${GW_ROOT}/tests/bench/hl7v2_profile.cpp)
target_link_libraries(hl7v2_profile PRIVATE gw_allocator gw::hl7v2 gw_warnings)
target_include_directories(hl7v2_profile PRIVATE ${GW_ROOT})
target_compile_definitions(hl7v2_profile PRIVATE GW_SHARED_DIR="${GW_SHARED_DIR}")

# What allocation costs: the same loop with operator new from a bump arena (see its header).
add_executable(hl7v2_arena_probe ${GW_ROOT}/tests/bench/hl7v2_arena_probe.cpp)
target_link_libraries(hl7v2_arena_probe PRIVATE gw_allocator gw::hl7v2 gw_warnings)
target_include_directories(hl7v2_arena_probe PRIVATE ${GW_ROOT})
target_compile_definitions(hl7v2_arena_probe PRIVATE GW_SHARED_DIR="${GW_SHARED_DIR}")
