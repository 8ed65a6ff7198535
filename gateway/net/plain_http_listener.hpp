#pragma once
/// A small plain-HTTP listener for the local admin endpoints (the gateway's and the national
/// stub's): requests answered one at a time per connection, with the listener's header limit,
/// a 64 KiB body limit, a deadline on every read and write, and keep-alive.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "gateway/config/config.hpp"

namespace gw::net {

class plain_http_listener {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;
  using response = boost::beast::http::response<boost::beast::http::string_body>;
  using handler = std::function<boost::asio::awaitable<response>(const request&)>;

  /// `settings` (address, port, limits) must outlive the listener.
  plain_http_listener(boost::asio::io_context& ioc, const config::listener& settings, handler h);
  ~plain_http_listener();
  plain_http_listener(const plain_http_listener&) = delete;
  plain_http_listener& operator=(const plain_http_listener&) = delete;
  /// Binds, listens and starts accepting; `name` goes into the log line. Throws std::system_error
  /// when the address cannot be bound.
  void start(std::string_view name);
  /// Stops accepting. Open connections are still served until the client closes them or a
  /// read deadline (the listener's read_timeout) passes.
  void stop();
  /// The bound port (useful when configured as 0).
  std::uint16_t port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace gw::net
