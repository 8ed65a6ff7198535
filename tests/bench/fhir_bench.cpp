// Benchmarks of the fhir module: serialising (and reading) a 50-resource transaction Bundle.
// Run: build in Release, then ./tests/bench/fhir_bench (figures go to docs/benchmarks.md).
#include "fhir/json.hpp"
#include "fhir/validate.hpp"
#include "tests/unit/fhir/fhir_samples.hpp"

#include <benchmark/benchmark.h>

namespace {

void bm_write_bundle_50(benchmark::State& state) {
  const gw::fhir::Bundle b = gw::fhir::samples::transaction(50);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string json = gw::fhir::to_json(b);
    bytes += json.size();
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["resources/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 50, benchmark::Counter::kIsRate);
}
BENCHMARK(bm_write_bundle_50);

void bm_read_bundle_50(benchmark::State& state) {
  const std::string json = gw::fhir::to_json(gw::fhir::samples::transaction(50));
  for (auto _ : state) {
    gw::fhir::issue_list issues;
    auto r = gw::fhir::parse_resource(json, issues);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
  state.counters["resources/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 50, benchmark::Counter::kIsRate);
}
BENCHMARK(bm_read_bundle_50);

void bm_validate_bundle_50(benchmark::State& state) {
  const gw::fhir::Bundle b = gw::fhir::samples::transaction(50);
  for (auto _ : state) {
    gw::fhir::issue_list issues;
    benchmark::DoNotOptimize(gw::fhir::validate(b, issues));
  }
  state.counters["resources/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 50, benchmark::Counter::kIsRate);
}
BENCHMARK(bm_validate_bundle_50);

}  // namespace
