#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>

#include "gateway/stub/service.hpp"

namespace gw::stub {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// The value of query parameter `name` in `target` (not decoded: ids and numbers only).
std::string query_value(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto part = rest.substr(0, amp);
    auto eq = part.find('=');
    if (part.substr(0, eq) == name && eq != std::string_view::npos) return std::string(part.substr(eq + 1));
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  }
  return {};
}

std::string error_body(std::string_view message) {
  std::string out = R"({"error":")";
  for (char c : message) out += c == '"' ? '\'' : c;
  return out + "\"}";
}

}  // namespace

struct admin_server::impl {
  stub_context& ctx;
  tcp::acceptor acceptor;

  impl(asio::io_context& ioc, stub_context& c) : ctx(c), acceptor(ioc) {}

  asio::awaitable<http::response<http::string_body>> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res;
    res.version(req.version());
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));
    auto method = req.method();
    auto answer = [&res](http::status s, std::string body) {
      res.result(s);
      res.body() = std::move(body);
    };
    try {
      if (path == "/healthz" && method == http::verb::get) {
        answer(http::status::ok, R"({"status":"ok"})");
      } else if (path == "/readyz" && method == http::verb::get) {
        bool ready = ctx.db.migrated() && co_await ctx.db.ping();
        answer(ready ? http::status::ok : http::status::service_unavailable,
               ready ? R"({"status":"ready"})" : R"({"status":"not ready"})");
      } else if (path == "/admin/faults" && method == http::verb::get) {
        answer(http::status::ok, to_json(ctx.faults.settings()));
      } else if (path == "/admin/faults" && method == http::verb::put) {
        fault_settings f;
        auto problem = from_json(req.body(), f);
        if (problem.empty()) {
          ctx.faults.set(f, std::chrono::steady_clock::now());
          spdlog::info("event=faults_set faults={}", to_json(f));
          answer(http::status::ok, to_json(f));
        } else {
          answer(http::status::bad_request, error_body(problem));
        }
      } else if (path == "/admin/outage" && method == http::verb::post) {
        auto text = query_value(target, "seconds");
        long long secs = -1;
        std::from_chars(text.data(), text.data() + text.size(), secs);
        if (secs <= 0 || secs > 7 * 24 * 3600) {
          answer(http::status::bad_request, error_body("seconds must be a positive whole number"));
        } else {
          ctx.faults.start_outage(std::chrono::seconds(secs), std::chrono::steady_clock::now());
          spdlog::info("event=outage_started seconds={}", secs);
          answer(http::status::ok, R"({"outage_seconds":)" + std::to_string(secs) + "}");
        }
      } else if (path == "/admin/receive-log" && method == http::verb::get) {
        answer(http::status::ok, co_await ctx.store.receive_log(query_value(target, "patient")));
      } else if (path == "/admin/stats" && method == http::verb::get) {
        answer(http::status::ok, ctx.stats.to_json());
      } else {
        answer(http::status::not_found,
               error_body("not found; try GET /healthz, /readyz, /admin/faults, /admin/receive-log, /admin/stats, "
                          "PUT /admin/faults, POST /admin/outage?seconds=N"));
      }
    } catch (const std::exception& e) {
      spdlog::warn("event=admin_failed path={} reason=\"{}\"", path, e.what());
      answer(http::status::service_unavailable, error_body("the database is unavailable"));
    }
    res.prepare_payload();
    co_return res;
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024);
      stream.expires_after(ctx.settings.admin.limits.read_timeout);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      auto res = co_await handle(parser.get());
      stream.expires_after(ctx.settings.admin.limits.read_timeout);
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

admin_server::admin_server(asio::io_context& ioc, stub_context& ctx) : impl_(std::make_unique<impl>(ioc, ctx)) {}
admin_server::~admin_server() = default;

void admin_server::start() {
  auto& a = impl_->acceptor;
  const auto& s = impl_->ctx.settings.admin;
  tcp::endpoint ep(asio::ip::make_address(s.address), s.port);
  a.open(ep.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen();
  spdlog::info("event=listening listener=national_admin address={} port={}", s.address, port());
  asio::co_spawn(a.get_executor(), impl_->accept_loop(), asio::detached);
}

void admin_server::stop() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::uint16_t admin_server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace gw::stub
