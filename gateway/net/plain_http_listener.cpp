#include "gateway/net/plain_http_listener.hpp"
#include "gateway/net/detail/acceptor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace gw::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct plain_http_listener::impl {
  const config::listener& settings;
  handler handle;
  tcp::acceptor acceptor;

  impl(asio::io_context& c, const config::listener& s, handler h) : settings(s), handle(std::move(h)), acceptor(c) {}

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(
          static_cast<std::uint32_t>(std::min<std::size_t>(settings.limits.max_header_bytes, UINT32_MAX)));
      parser.body_limit(64 * 1024);
      stream.expires_after(settings.limits.read_timeout);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec) break;  // eof, timeout or a malformed request: close
      auto res = co_await handle(parser.get());
      stream.expires_after(settings.limits.read_timeout);
      auto [wec, wn] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
      if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) continue;
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }
};

plain_http_listener::plain_http_listener(asio::io_context& ioc, const config::listener& settings, handler h)
    : impl_(std::make_unique<impl>(ioc, settings, std::move(h))) {}

plain_http_listener::~plain_http_listener() = default;

void plain_http_listener::start(std::string_view name) {
  auto& a = impl_->acceptor;
  detail::listen_on(a, impl_->settings);
  spdlog::info("event=listening listener={} address={} port={}", name, impl_->settings.address, port());
  asio::co_spawn(a.get_executor(), impl_->accept_loop(), asio::detached);
}

void plain_http_listener::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::uint16_t plain_http_listener::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace gw::net
