// QĐ 130 adapter throughput on one core: 5-table envelopes (the sample: XML1–XML5, ~18 KB,
// 23 resources) per second, for decode alone, decode + translate, and the full ingest-side path
// decode + translate + FHIR JSON. Goal: ≥ 10,000 envelopes/s for the full path.
#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>

#include "adapters/qd130/envelope.hpp"
#include "adapters/qd130/translate.hpp"
#include "fhir/json.hpp"

namespace {

const std::string& sample() {
  static const std::string s = [] {
    std::ifstream in(std::string(GW_SHARED_DIR) + "/samples/vn-xml130/giamdinhhs-inpatient-pneumonia.xml",
                     std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }();
  return s;
}

gw::qd130::context make_context() {
  gw::qd130::context c;
  c.authenticated_facility = "42001";
  c.received = std::chrono::system_clock::time_point{} + std::chrono::hours{24 * 365 * 56};
  c.sha256_hex = std::string(64, 'a');
  return c;
}

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
