# Benchmarks of the fhir module (on demand, never part of pass/fail).
add_executable(fhir_bench ${GW_ROOT}/tests/bench/fhir_bench.cpp)
target_link_libraries(fhir_bench PRIVATE gw_allocator gw::fhir gw_warnings benchmark::benchmark benchmark::benchmark_main)
target_include_directories(fhir_bench PRIVATE ${GW_ROOT})
