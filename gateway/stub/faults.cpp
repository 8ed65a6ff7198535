#include "gateway/stub/faults.hpp"

#include "gateway/config/values.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gw::stub {

namespace {

/// SplitMix64: a well-mixed 64-bit value from any 64-bit input.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Uniform in [0, 1) from the top 53 bits.
double unit(std::uint64_t x) {
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

}  // namespace

std::string fault_settings::check() const {
  if (!(error_rate >= 0 && error_rate <= 1)) return "error_rate must be between 0 and 1";
  if (!(drop_after_write_rate >= 0 && drop_after_write_rate <= 1))
    return "drop_after_write_rate must be between 0 and 1";
  if (error_rate + drop_after_write_rate > 1) return "error_rate + drop_after_write_rate must not exceed 1";
  if (latency.count() < 0 || latency_jitter.count() < 0) return "latency must not be negative";
  for (const auto& o : outages)
    if (o.after.count() < 0 || o.duration.count() <= 0) return "an outage needs after >= 0 and duration > 0";
  return {};
}

std::string_view to_string(fault_kind k) {
  switch (k) {
    case fault_kind::none: return "none";
    case fault_kind::error_500: return "error_500";
    case fault_kind::error_503: return "error_503";
    case fault_kind::drop_after_write: return "drop_after_write";
  }
  return "?";
}

fault_decision decide(const fault_settings& s, std::uint64_t n) {
  std::uint64_t a = mix(s.seed ^ mix(n));
  std::uint64_t b = mix(a);
  fault_decision d;
  d.delay = s.latency;
  if (s.latency_jitter.count() > 0)
    d.delay += ms(static_cast<ms::rep>(b % (static_cast<std::uint64_t>(s.latency_jitter.count()) + 1)));
  double u = unit(a);
  if (u < s.error_rate)
    d.kind = (b >> 63) != 0 ? fault_kind::error_503 : fault_kind::error_500;
  else if (u < s.error_rate + s.drop_after_write_rate)
    d.kind = fault_kind::drop_after_write;
  return d;
}

fault_state::fault_state(fault_settings s, steady_time now) : settings_(std::move(s)), start_(now) {}

void fault_state::set(fault_settings s, steady_time now) {
  std::lock_guard lk(mu_);
  settings_ = std::move(s);
  start_ = now;
  count_ = 0;
}

fault_settings fault_state::settings() const {
  std::lock_guard lk(mu_);
  return settings_;
}

std::uint64_t fault_state::slow_read_bytes_per_second() const {
  std::lock_guard lk(mu_);
  return settings_.slow_read_bytes_per_second;
}

void fault_state::start_outage(ms duration, steady_time now) {
  std::lock_guard lk(mu_);
  manual_outage_until_ = std::max(manual_outage_until_, now + duration);
}

fault_state::verdict fault_state::next(steady_time now) {
  std::lock_guard lk(mu_);
  verdict v;
  v.n = count_++;
  auto left = std::chrono::duration_cast<ms>(manual_outage_until_ - now);
  for (const auto& o : settings_.outages) {
    auto from = start_ + o.after, to = from + o.duration;
    if (now >= from && now < to) left = std::max(left, std::chrono::duration_cast<ms>(to - now));
  }
  if (left.count() > 0) v.outage_left = left;
  v.decision = decide(settings_, v.n);
  return v;
}

std::string to_json(const fault_settings& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto dur = [&](ms d) { w.String((std::to_string(d.count()) + "ms").c_str()); };
  w.StartObject();
  w.Key("seed");
  w.Uint64(s.seed);
  w.Key("latency");
  w.StartObject();
  w.Key("ms");
  w.Int64(s.latency.count());
  w.Key("jitter_ms");
  w.Int64(s.latency_jitter.count());
  w.EndObject();
  w.Key("error_rate");
  w.Double(s.error_rate);
  w.Key("drop_after_write_rate");
  w.Double(s.drop_after_write_rate);
  w.Key("outages");
  w.StartArray();
  for (const auto& o : s.outages) {
    w.StartObject();
    w.Key("after");
    dur(o.after);
    w.Key("duration");
    dur(o.duration);
    w.EndObject();
  }
  w.EndArray();
  w.Key("slow_read");
  w.StartObject();
  w.Key("bytes_per_second");
  w.Uint64(s.slow_read_bytes_per_second);
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

namespace {

std::optional<ms> json_duration(const rapidjson::Value& v) {
  if (v.IsString()) return config::parse_duration(std::string_view(v.GetString(), v.GetStringLength()));
  if (v.IsUint64()) return ms(static_cast<ms::rep>(v.GetUint64()));
  return std::nullopt;
}

std::optional<double> json_rate(const rapidjson::Value& v) {
  if (v.IsNumber()) return v.GetDouble();
  return std::nullopt;
}

}  // namespace

std::string from_json(std::string_view json, fault_settings& out) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return "the body is not a JSON object";
  fault_settings s;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    const auto& v = it->value;
    if (key == "seed") {
      if (!v.IsUint64()) return "seed: expected a non-negative integer";
      s.seed = v.GetUint64();
    } else if (key == "latency") {
      if (!v.IsObject()) return "latency: expected {ms, jitter_ms}";
      for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
        std::string_view k(m->name.GetString(), m->name.GetStringLength());
        auto d = json_duration(m->value);
        if (!d) return "latency." + std::string(k) + ": expected milliseconds";
        if (k == "ms")
          s.latency = *d;
        else if (k == "jitter_ms")
          s.latency_jitter = *d;
        else
          return "latency." + std::string(k) + ": unknown key";
      }
    } else if (key == "error_rate" || key == "drop_after_write_rate") {
      auto r = json_rate(v);
      if (!r) return std::string(key) + ": expected a number between 0 and 1";
      (key == "error_rate" ? s.error_rate : s.drop_after_write_rate) = *r;
    } else if (key == "outages") {
      if (!v.IsArray()) return "outages: expected a list of {after, duration}";
      for (const auto& o : v.GetArray()) {
        if (!o.IsObject() || !o.HasMember("duration")) return "outages: each needs after and duration";
        outage_window w;
        auto d = json_duration(o["duration"]);
        auto a = o.HasMember("after") ? json_duration(o["after"]) : std::optional<ms>(ms(0));
        if (!d || !a) return "outages: after and duration are durations such as \"10s\"";
        w.after = *a;
        w.duration = *d;
        s.outages.push_back(w);
      }
    } else if (key == "slow_read") {
      if (!v.IsObject() || !v.HasMember("bytes_per_second") || !v["bytes_per_second"].IsUint64())
        return "slow_read: expected {bytes_per_second: N}";
      s.slow_read_bytes_per_second = v["bytes_per_second"].GetUint64();
    } else {
      return std::string(key) + ": unknown key";
    }
  }
  if (auto problem = s.check(); !problem.empty()) return problem;
  out = std::move(s);
  return {};
}

}  // namespace gw::stub
