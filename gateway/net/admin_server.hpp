#pragma once
/// The admin listener: plain HTTP on localhost for the local operator and load balancers.
///   GET /healthz  200 while the process runs
///   GET /readyz   200 when the database answers and migrations are done, else 503
///   GET /metrics  Prometheus text from the metrics source, when one is set (503 when it fails)

#include <boost/asio/io_context.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/config/config.hpp"

namespace gw::store {
class database;
}

namespace gw::net {

class admin_server {
 public:
  admin_server(boost::asio::io_context& ioc, const config::listener& settings, store::database& db);
  ~admin_server();
  /// Binds and starts accepting. Throws std::system_error when the address cannot be bound.
  void start();
  /// Stops accepting; open connections finish their current request.
  void stop();
  /// Where GET /metrics takes its text from (Prometheus exposition format). Set before start().
  /// The source runs on the listener's executor; it may throw (answered 503).
  void set_metrics(std::function<boost::asio::awaitable<std::string>()> source);
  /// The bound port (useful when configured as 0).
  std::uint16_t port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace gw::net
