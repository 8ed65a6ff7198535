// HL7 v2 adapter throughput on one core. Messages per second are reported as items_per_second.
//   ADT^A01   : the admission sample (shared/samples/hl7v2/adt-a01-admit-42001.hl7)
//   ORU^R01x20: the CBC sample's header, patient and order with 20 OBX results
#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "adapters/hl7v2/ack.hpp"
#include "adapters/hl7v2/encoder.hpp"
#include "adapters/hl7v2/mllp.hpp"
#include "adapters/hl7v2/parser.hpp"
#include "adapters/hl7v2/translate.hpp"
#include "fhir/json.hpp"

namespace {

std::string read_sample(const std::string& name) {
  std::ifstream in(std::string(GW_SHARED_DIR) + "/samples/hl7v2/" + name, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.empty()) throw std::runtime_error("sample not found: " + name);
  return s;
}

const std::string& adt_a01() {
  static const std::string s = read_sample("adt-a01-admit-42001.hl7");
  return s;
}

/// The CBC sample with its four OBX repeated (new codes) up to 20 results.
const std::string& oru_r01_20() {
  static const std::string s = [] {
    std::string in = read_sample("oru-r01-cbc-42001.hl7");
    std::string head, obx;
    std::size_t pos = 0;
    std::vector<std::string> results;
    while (pos < in.size()) {
      std::size_t end = in.find('\r', pos);
      if (end == std::string::npos) end = in.size();
      std::string line = in.substr(pos, end - pos);
      pos = end + 1;
      if (line.starts_with("OBX"))
        results.push_back(line);
      else if (!line.starts_with("NTE") && !line.empty())
        head += line + "\r";
    }
    std::string out = head;
    for (int i = 0; i < 20; ++i) {
      std::string line = results[static_cast<std::size_t>(i) % results.size()];
      // OBX|n|NM|code^...: renumber the set id and make the local code unique.
      std::size_t bar2 = line.find('|', 4);
      std::string renumbered = "OBX|";
      renumbered.append(std::to_string(i + 1)).append(line, bar2, std::string::npos);
      line = std::move(renumbered);
      std::size_t caret = line.find('^', line.find("|NM|") + 4);
      std::string suffix = "-";
      suffix.append(std::to_string(i));
      line.insert(caret, suffix);
      out += line + "\r";
    }
    return out;
  }();
  return s;
}

gw::hl7v2::context bench_context() {
  gw::hl7v2::context c;
  c.authenticated_facility = "42001";
  c.received = std::chrono::system_clock::time_point{std::chrono::seconds{1'795'000'000}};
  return c;
}

void parse_only(benchmark::State& state, const std::string& msg) {
  for (auto _ : state) {
    auto r = gw::hl7v2::parse(msg);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(msg.size()));
}

void full(benchmark::State& state, const std::string& msg) {
  const gw::hl7v2::settings s;
  const auto ctx = bench_context();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto t = gw::hl7v2::translate(msg, s, ctx);
    std::string json = gw::fhir::to_json(t.bundle);
    bytes += json.size();
    benchmark::DoNotOptimize(json);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["json_bytes"] =
      benchmark::Counter(static_cast<double>(bytes) / static_cast<double>(state.iterations()));
}

void BM_parse_adt_a01(benchmark::State& state) {
  parse_only(state, adt_a01());
}
void BM_parse_oru_r01_20obx(benchmark::State& state) {
  parse_only(state, oru_r01_20());
}
void BM_translate_json_adt_a01(benchmark::State& state) {
  full(state, adt_a01());
}
void BM_translate_json_oru_r01_20obx(benchmark::State& state) {
  full(state, oru_r01_20());
}

// The two halves of BM_translate_json_adt_a01, to see where its time goes: translation alone
// (parsed message to Bundle, including the Bundle's destruction) and the JSON writing alone.
void BM_translate_only_adt_a01(benchmark::State& state) {
  const gw::hl7v2::settings s;
  const auto ctx = bench_context();
  const auto parsed = gw::hl7v2::parse(adt_a01());
  for (auto _ : state) {
    auto t = gw::hl7v2::translate(parsed, s, ctx);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_json_only_adt_a01(benchmark::State& state) {
  const gw::hl7v2::settings s;
  const auto t = gw::hl7v2::translate(adt_a01(), s, bench_context());
  for (auto _ : state) {
    std::string json = gw::fhir::to_json(t.bundle);
    benchmark::DoNotOptimize(json);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_parse_and_ack_adt_a01(benchmark::State& state) {
  gw::hl7v2::ack_params p{std::chrono::sys_seconds{std::chrono::seconds{1'795'000'000}}, ""};
  for (auto _ : state) {
    auto r = gw::hl7v2::parse(adt_a01());
    auto ack = gw::hl7v2::acknowledge(r, gw::hl7v2::outcome::stored, {}, p);
    benchmark::DoNotOptimize(ack);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_encode_other_delimiters_adt_a01(benchmark::State& state) {
  auto r = gw::hl7v2::parse(adt_a01());
  const gw::hl7v2::delimiters d{'#', '*', '!', '%', '$', 0};
  for (auto _ : state) {
    auto s = gw::hl7v2::encode(*r.msg, d);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_mllp_decode_adt_a01(benchmark::State& state) {
  const std::string framed = gw::hl7v2::mllp_encode(adt_a01());
  gw::hl7v2::mllp_decoder d;
  for (auto _ : state) {
    d.push(framed);
    auto f = d.next_frame();
    benchmark::DoNotOptimize(f);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(framed.size()));
}

BENCHMARK(BM_parse_adt_a01);
BENCHMARK(BM_parse_oru_r01_20obx);
BENCHMARK(BM_translate_json_adt_a01);
BENCHMARK(BM_translate_json_oru_r01_20obx);
BENCHMARK(BM_translate_only_adt_a01);
BENCHMARK(BM_json_only_adt_a01);
BENCHMARK(BM_parse_and_ack_adt_a01);
BENCHMARK(BM_encode_other_delimiters_adt_a01);
BENCHMARK(BM_mllp_decode_adt_a01);

}  // namespace
