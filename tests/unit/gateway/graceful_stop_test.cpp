#include "gateway/common/graceful_stop.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <csignal>

namespace gw::common {
namespace {

using namespace std::chrono_literals;

TEST(graceful_stop, the_first_signal_drains_and_the_drain_stops_the_loop) {
  boost::asio::io_context ioc;
  int drains = 0;
  graceful_stop stop(ioc, 1h, [&] {
    ++drains;
    ioc.stop();  // everything drained at once
  });
  boost::asio::steady_timer work(ioc, 1h);  // keeps the loop busy until stopped
  work.async_wait([](const boost::system::error_code&) {});
  boost::asio::post(ioc, [] { std::raise(SIGTERM); });
  run_io_threads(ioc, 2);  // returns only because the drain stopped the loop (the grace is an hour)
  EXPECT_EQ(drains, 1);
}

TEST(graceful_stop, the_grace_timer_stops_a_drain_that_does_not_finish) {
  boost::asio::io_context ioc;
  int drains = 0;
  graceful_stop stop(ioc, 50ms, [&] { ++drains; });  // never stops the loop itself
  boost::asio::steady_timer work(ioc, 1h);           // keeps the loop busy until stopped
  work.async_wait([](const boost::system::error_code&) {});
  boost::asio::post(ioc, [] { std::raise(SIGINT); });
  run_io_threads(ioc, 1);
  EXPECT_EQ(drains, 1);
}

TEST(graceful_stop, a_second_signal_stops_at_once) {
  boost::asio::io_context ioc;
  int drains = 0;
  graceful_stop stop(ioc, 1h, [&] {
    ++drains;
    // The drain is slow: a second signal arrives while it is going on.
    boost::asio::post(ioc, [] { std::raise(SIGTERM); });
  });
  boost::asio::steady_timer work(ioc, 1h);
  work.async_wait([](const boost::system::error_code&) {});
  boost::asio::post(ioc, [] { std::raise(SIGTERM); });
  run_io_threads(ioc, 1);  // returns only because the second signal stopped the loop
  EXPECT_EQ(drains, 1);
}

}  // namespace
}  // namespace gw::common
