#include "gateway/net/admin_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "gateway/store/database.hpp"

namespace gw::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct admin_server::impl {
  asio::io_context& ioc;
  config::listener settings;
  store::database& db;
  tcp::acceptor acceptor;
  std::function<asio::awaitable<std::string>()> metrics;

  impl(asio::io_context& c, const config::listener& s, store::database& d) : ioc(c), settings(s), db(d), acceptor(c) {}

  asio::awaitable<http::response<http::string_body>> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res;
    res.version(req.version());
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    auto target = req.target();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
      res.body() = R"({"error":"only GET is allowed here"})";
    } else if (target == "/healthz") {
      res.result(http::status::ok);
      res.body() = R"({"status":"ok"})";
    } else if (target == "/readyz") {
      bool db_ok = co_await db.ping();
      bool migrated = db.migrated();
      bool ready = db_ok && migrated;
      res.result(ready ? http::status::ok : http::status::service_unavailable);
      if (!ready) res.set(http::field::retry_after, "5");
      res.body() = std::string(R"({"status":")") + (ready ? "ready" : "not ready") + R"(","database":")" +
                   (db_ok ? "reachable" : "unreachable") + R"(","migrations":")" + (migrated ? "done" : "pending") +
                   "\"}";
    } else if (target == "/metrics" && metrics) {
      std::string text;
      bool ok = true;
      try {
        text = co_await metrics();
      } catch (const std::exception& e) {
        ok = false;
        spdlog::warn("event=metrics_failed reason=\"{}\"", e.what());
      }
      res.result(ok ? http::status::ok : http::status::service_unavailable);
      res.set(http::field::content_type, ok ? "text/plain; version=0.0.4" : "application/json");
      res.body() = ok ? std::move(text) : R"({"error":"metrics unavailable: the database does not answer"})";
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"error":"not found; try /healthz, /readyz or /metrics"})";
    }
    res.prepare_payload();
    co_return res;
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(settings.limits.max_header_bytes));
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

admin_server::admin_server(asio::io_context& ioc, const config::listener& settings, store::database& db)
    : impl_(std::make_unique<impl>(ioc, settings, db)) {}

admin_server::~admin_server() = default;

void admin_server::start() {
  auto& a = impl_->acceptor;
  tcp::endpoint ep(asio::ip::make_address(impl_->settings.address), impl_->settings.port);
  a.open(ep.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen();
  spdlog::info("event=listening listener=admin address={} port={}", impl_->settings.address, port());
  asio::co_spawn(a.get_executor(), impl_->accept_loop(), asio::detached);
}

void admin_server::set_metrics(std::function<asio::awaitable<std::string>()> source) {
  impl_->metrics = std::move(source);
}

void admin_server::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::uint16_t admin_server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace gw::net
