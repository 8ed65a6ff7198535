#pragma once
/// How the programs (the gateway and the national stub) run their I/O and stop on a signal.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

namespace gw::common {

/// SIGTERM / SIGINT: the first signal calls `drain` (stop accepting, let the connections answer
/// what is in flight; it stops the io_context itself when done) and gives it `grace` before the
/// io_context is stopped anyway; a second signal stops at once. Lives as long as the io_context runs.
class graceful_stop {
 public:
  graceful_stop(boost::asio::io_context& ioc, std::chrono::steady_clock::duration grace, std::function<void()> drain)
      : ioc_(ioc), signals_(ioc, SIGINT, SIGTERM), timer_(ioc), grace_(grace), drain_(std::move(drain)) {
    wait();
  }
  // The handlers hold `this`: neither copied nor moved.
  graceful_stop(const graceful_stop&) = delete;
  graceful_stop& operator=(const graceful_stop&) = delete;

 private:
  void wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) { on_signal(ec, sig); });
  }
  void on_signal(const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (draining_) {
      spdlog::warn("event=stopping_now signal={}", sig);
      ioc_.stop();
      return;
    }
    draining_ = true;
    wait();
    spdlog::info("event=stopping signal={}", sig);
    drain_();
    timer_.expires_after(grace_);
    timer_.async_wait([this](const boost::system::error_code& tec) {
      if (tec) return;
      spdlog::warn("event=drain_timeout reason=\"connections still open; stopping anyway\"");
      ioc_.stop();
    });
  }

  boost::asio::io_context& ioc_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::duration grace_;
  std::function<void()> drain_;
  bool draining_ = false;
};

/// Runs `ioc` on `threads` threads, the calling one included, until it stops.
inline void run_io_threads(boost::asio::io_context& ioc, int threads) {
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
}

}  // namespace gw::common
