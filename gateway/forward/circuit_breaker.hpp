#pragma once
/// Circuit breaker of the forwarder towards the national database. No I/O; time is passed in.
///
/// closed: batches go out. After `threshold` consecutive failed batches it opens.
/// open: nothing goes out until the cool-down ends; then one worker gets a probe permit (a small
/// batch) and the state is half-open. A successful probe closes it; a failed one re-opens it.
/// Failures only count attempts against rows while closed: an outage must not walk every row to
/// its dead letter, so batches sent as probes, or failing after the breaker opened, do not count.
/// Thread-safe.

#include <algorithm>
#include <chrono>
#include <mutex>

namespace gw::forward {

class circuit_breaker {
 public:
  using clock = std::chrono::steady_clock;
  enum class state { closed, open, half_open };
  enum class permit { batch, probe, wait };

  circuit_breaker(int threshold, std::chrono::milliseconds cooldown, std::chrono::milliseconds max_cooldown)
      : threshold_(std::max(1, threshold)), cooldown_(cooldown), max_cooldown_(std::max(cooldown, max_cooldown)) {}

  /// May a batch go out now? `probe` is given to one caller at a time when the cool-down is over.
  permit acquire(clock::time_point now) {
    std::lock_guard lk(mu_);
    if (state_ == state::closed) return permit::batch;
    if (state_ == state::open && now >= reopen_at_) {
      state_ = state::half_open;
      return permit::probe;
    }
    return permit::wait;
  }
  /// A probe permit given back unused (nothing was due).
  void abandon_probe(clock::time_point now) {
    std::lock_guard lk(mu_);
    if (state_ == state::half_open) {
      state_ = state::open;
      reopen_at_ = now + std::chrono::milliseconds(200);
    }
  }
  /// The national database answered (any answer that is not a transient failure).
  void on_success() {
    std::lock_guard lk(mu_);
    state_ = state::closed;
    failures_ = 0;
  }
  /// A batch failed transiently. `was_probe` for the probe's own result; `retry_after` from the
  /// server, if it said. Returns whether the failure counts an attempt against the batch's rows.
  bool on_failure(clock::time_point now, bool was_probe, std::chrono::milliseconds retry_after = {}) {
    std::lock_guard lk(mu_);
    auto pause = std::min(max_cooldown_, std::max(cooldown_, retry_after));
    if (was_probe || state_ != state::closed) {
      if (was_probe || state_ == state::half_open) {
        state_ = state::open;
        reopen_at_ = now + pause;
      }
      return false;
    }
    if (++failures_ >= threshold_) {
      state_ = state::open;
      reopen_at_ = now + pause;
      ++openings_;
    }
    return true;
  }

  state current() const {
    std::lock_guard lk(mu_);
    return state_;
  }
  clock::time_point reopen_at() const {
    std::lock_guard lk(mu_);
    return reopen_at_;
  }
  /// How many times it opened since start.
  long openings() const {
    std::lock_guard lk(mu_);
    return openings_;
  }

 private:
  mutable std::mutex mu_;
  int threshold_;
  std::chrono::milliseconds cooldown_, max_cooldown_;
  state state_ = state::closed;
  int failures_ = 0;
  long openings_ = 0;
  clock::time_point reopen_at_{};
};

}  // namespace gw::forward
