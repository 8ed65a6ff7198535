#pragma once
/// Fault injection of the national database stub: added latency, a share of 5xx answers, the
/// "lost response" (store and commit, then drop the connection without answering), outage
/// windows and slow reads. Deterministic: the decision for the n-th request (n = 0, 1, ... since
/// the faults were last set) is a pure function of (seed, n), so a failing run can be replayed.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::stub {

using ms = std::chrono::milliseconds;
using steady_time = std::chrono::steady_clock::time_point;

/// An outage `duration` long, starting `after` the faults were set (process start for the
/// configuration file). Every FHIR request in it gets 503 + Retry-After and nothing is stored.
struct outage_window {
  ms after{0};
  ms duration{0};
};

struct fault_settings {
  std::uint64_t seed = 1;
  ms latency{0};                     ///< added before every FHIR request is handled
  ms latency_jitter{0};              ///< plus a uniform 0..jitter
  double error_rate = 0;             ///< share of requests answered 500 or 503 without storing
  double drop_after_write_rate = 0;  ///< share of writes stored, committed, then not answered
  std::vector<outage_window> outages;
  std::uint64_t slow_read_bytes_per_second = 0;  ///< cap while reading requests; 0 = off

  /// Empty when consistent, else what is wrong (rates in 0..1 and error + drop ≤ 1).
  std::string check() const;
};

enum class fault_kind : std::uint8_t {
  none,
  error_500,         ///< 500 Internal Server Error, nothing stored
  error_503,         ///< 503 Service Unavailable + Retry-After, nothing stored
  drop_after_write,  ///< writes only: commit, then close the connection without answering
};
std::string_view to_string(fault_kind k);

struct fault_decision {
  ms delay{0};
  fault_kind kind = fault_kind::none;
};

/// The decision for request number `n`: a pure function of (settings, n).
fault_decision decide(const fault_settings& s, std::uint64_t n);

/// The faults in force now, shared by every connection. Thread-safe.
class fault_state {
 public:
  fault_state(fault_settings s, steady_time now);

  /// Replaces the settings; the request counter and the outage clock restart at `now`.
  void set(fault_settings s, steady_time now);
  fault_settings settings() const;
  /// The slow-read cap now in force (0 = off); cheap, called on every read.
  std::uint64_t slow_read_bytes_per_second() const;
  /// Starts an outage of `duration` at `now` (in addition to the configured windows).
  void start_outage(ms duration, steady_time now);

  struct verdict {
    std::uint64_t n = 0;            ///< the request's number
    std::optional<ms> outage_left;  ///< set when an outage is on: answer 503 for this long
    fault_decision decision;
  };
  /// Numbers the next request and says what happens to it.
  verdict next(steady_time now);

 private:
  mutable std::mutex mu_;
  fault_settings settings_;
  steady_time start_;
  steady_time manual_outage_until_{};
  std::uint64_t count_ = 0;
};

/// The JSON form used by the admin endpoint (the same keys as the configuration's `faults:`):
/// {"seed":1,"latency":{"ms":0,"jitter_ms":0},"error_rate":0.2,"drop_after_write_rate":0.05,
///  "outages":[{"after":"10s","duration":"5s"}],"slow_read":{"bytes_per_second":0}}
std::string to_json(const fault_settings& s);
/// Parses that form; keys left out keep the defaults. Returns an error text, empty on success.
std::string from_json(std::string_view json, fault_settings& out);

}  // namespace gw::stub
