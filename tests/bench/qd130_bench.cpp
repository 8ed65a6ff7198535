// QĐ 130 adapter throughput on one core: 5-table envelopes (the sample: XML1–XML5, ~18 KB,
// 23 resources) per second, for decode alone, decode + translate, and the full ingest-side path
// decode + translate + FHIR JSON. Goal: ≥ 10,000 envelopes/s for the full path.
#include <benchmark/benchmark.h>

#include <string>

#include "adapters/qd130/envelope.hpp"
#include "tests/bench/qd130_bench_input.hpp"
#include "adapters/qd130/translate.hpp"
#include "fhir/json.hpp"

namespace {

using gw::qd130::bench::make_context;
using gw::qd130::bench::sample;

void bm_decode(benchmark::State& state) {
  const std::string& body = sample();
  if (body.empty()) state.SkipWithError("sample not found");
  for (auto _ : state) {
    auto r = gw::qd130::decode(body);
    benchmark::DoNotOptimize(r.env.records.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(bm_decode);

void bm_decode_translate(benchmark::State& state) {
  const std::string& body = sample();
  const gw::qd130::settings s;
  const auto ctx = make_context();
  for (auto _ : state) {
    auto t = gw::qd130::translate(body, s, ctx);
    benchmark::DoNotOptimize(t.bundle.entry.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_decode_translate);

void bm_decode_translate_json(benchmark::State& state) {
  const std::string& body = sample();
  const gw::qd130::settings s;
  const auto ctx = make_context();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto t = gw::qd130::translate(body, s, ctx);
    std::string json = gw::fhir::to_json(t.bundle);
    bytes = json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["json_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(bm_decode_translate_json);

}  // namespace
