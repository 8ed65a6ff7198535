#pragma once
// Runs a coroutine to completion from a test: spawns it on a fresh io_context and returns its
// result (exceptions propagate).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <future>

namespace gw::test {

template <class T>
T run_awaitable(boost::asio::awaitable<T> aw) {
  boost::asio::io_context ioc;
  auto fut = boost::asio::co_spawn(ioc, std::move(aw), boost::asio::use_future);
  ioc.run();
  return fut.get();
}

}  // namespace gw::test
