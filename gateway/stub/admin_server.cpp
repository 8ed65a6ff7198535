#include <spdlog/spdlog.h>
#include <boost/beast/http.hpp>

#include <charconv>

#include "gateway/net/plain_http_listener.hpp"
#include "gateway/stub/service.hpp"

namespace gw::stub {

namespace asio = boost::asio;
namespace http = boost::beast::http;

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
  net::plain_http_listener listener;

  impl(asio::io_context& ioc, stub_context& c)
      : ctx(c),
        listener(ioc, ctx.settings.admin, [this](const net::plain_http_listener::request& r) { return handle(r); }) {}

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
};

admin_server::admin_server(asio::io_context& ioc, stub_context& ctx) : impl_(std::make_unique<impl>(ioc, ctx)) {}
admin_server::~admin_server() = default;

void admin_server::start() {
  impl_->listener.start("national_admin");
}

void admin_server::stop() {
  impl_->listener.stop();
}

std::uint16_t admin_server::port() const {
  return impl_->listener.port();
}

}  // namespace gw::stub
