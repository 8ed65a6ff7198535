# Benchmarks of the QĐ 130 adapter (on demand, never part of pass/fail): decode alone, decode +
# translate, and decode + translate + FHIR JSON of the 5-table sample envelope.
add_executable(qd130_bench ${GW_ROOT}/tests/bench/qd130_bench.cpp)
target_link_libraries(qd130_bench PRIVATE gw_allocator gw::qd130 gw_warnings benchmark::benchmark benchmark::benchmark_main)
target_include_directories(qd130_bench PRIVATE ${GW_ROOT})
target_compile_definitions(qd130_bench PRIVATE GW_SHARED_DIR="${GW_SHARED_DIR}")

# Instruction-count driver for callgrind and output dumper for byte comparisons (see its header).
add_executable(qd130_profile ${GW_ROOT}/tests/bench/qd130_profile.cpp)
target_link_libraries(qd130_profile PRIVATE gw_allocator gw::qd130 gw_warnings)
target_include_directories(qd130_profile PRIVATE ${GW_ROOT})
target_compile_definitions(qd130_profile PRIVATE GW_SHARED_DIR="${GW_SHARED_DIR}")
