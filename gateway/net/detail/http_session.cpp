#include "gateway/net/detail/http_session.hpp"

#include <spdlog/spdlog.h>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>

namespace gw::net::detail {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::awaitable;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::size_t read_chunk = 16 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// Reads more bytes into `buf`.
awaitable<io_status> fill(tls_connection& c, beast::flat_buffer& buf, steady_time deadline) {
  auto space = buf.prepare(read_chunk);
  auto [st, n] = co_await c.read_some(std::span<char>(static_cast<char*>(space.data()), space.size()), deadline);
  if (st == io_status::ok) buf.commit(n);
  co_return st;
}

}  // namespace

std::string_view http_request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

awaitable<io_status> write_http_reply(tls_connection& c, const http_reply& r, bool keep_alive, steady_time deadline) {
  std::string out;
  out.reserve(256 + r.body.size());
  auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(r.status)));
  out += "HTTP/1.1 " + std::to_string(r.status) + " ";
  out.append(reason.data(), reason.size());
  out += "\r\n";
  if (!r.content_type.empty()) out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += "Cache-Control: no-store\r\n";
  if (r.retry_after_seconds) out += "Retry-After: " + std::to_string(*r.retry_after_seconds) + "\r\n";
  for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
  out += keep_alive && !r.close ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  out += r.body;
  co_return co_await c.write(out, deadline);
}

awaitable<void> serve_http(tls_connection& c, const config::limits& limits, http_router& router,
                           std::string_view listener_name) {
  beast::flat_buffer buf;
  std::string_view code = c.facility() ? std::string_view(c.facility()->code) : std::string_view("-");
  for (;;) {
    if (c.stopping() && buf.size() == 0) co_return;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    parser.body_limit(static_cast<std::uint64_t>(limits.max_message_bytes));
    parser.eager(true);

    if (buf.size() == 0) {
      // Between requests: the idle deadline applies until the first byte arrives.
      c.set_idle(true);
      auto st = co_await fill(c, buf, steady::now() + limits.idle_timeout);
      c.set_idle(false);
      if (st != io_status::ok) {
        if (st == io_status::timeout) spdlog::debug("event=idle_timeout listener={} peer={}", listener_name, c.peer());
        co_return;
      }
    }

    // From the first byte, the whole request (header and body) must arrive within read_timeout.
    auto deadline = steady::now() + limits.read_timeout;
    beast::error_code ec;
    bool continue_sent = false;
    for (;;) {
      if (buf.size() > 0) {
        std::size_t used = parser.put(buf.data(), ec);
        buf.consume(used);
        if (ec == http::error::need_more) ec = {};
        if (ec || parser.is_done()) break;
        if (used > 0 && buf.size() > 0) continue;
      }
      if (parser.is_header_done() && !continue_sent) {
        continue_sent = true;
        auto expect = parser.get()[http::field::expect];
        if (iequals(expect, "100-continue")) {
          auto wst = co_await c.write("HTTP/1.1 100 Continue\r\n\r\n", deadline);
          if (wst != io_status::ok) co_return;
        }
      }
      auto st = co_await fill(c, buf, deadline);
      if (st != io_status::ok) {
        if (st == io_status::timeout)
          spdlog::warn(
              "event=read_timeout listener={} peer={} facility={} reason=\"request not complete "
              "within "
              "read_timeout\"",
              listener_name, c.peer(), code);
        co_return;
      }
    }

    if (ec) {
      http_reply err;
      if (ec == http::error::body_limit)
        err =
            json_error(413, fhir::issue_code::too_long,
                       "the request body exceeds the limit of " + std::to_string(limits.max_message_bytes) + " bytes");
      else if (ec == http::error::header_limit)
        err =
            json_error(431, fhir::issue_code::too_long,
                       "the request header exceeds the limit of " + std::to_string(limits.max_header_bytes) + " bytes");
      else
        err = json_error(400, fhir::issue_code::structure, "malformed HTTP request");
      spdlog::warn("event=http_request_refused listener={} peer={} facility={} status={} reason=\"{}\"", listener_name,
                   c.peer(), code, err.status, ec.message());
      c.linger_on_close();  // the rest of the request is unread
      co_await write_http_reply(c, err, false, steady::now() + limits.read_timeout);
      co_return;
    }

    auto msg = parser.release();
    http_request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.content_type = std::string(msg[http::field::content_type]);
    req.keep_alive = msg.keep_alive();
    req.body = std::move(msg.body());

    http_reply reply;
    try {
      reply = co_await router.route(req, c);
    } catch (const std::exception& e) {
      spdlog::error("event=handler_failed listener={} peer={} facility={} reason=\"{}\"", listener_name, c.peer(), code,
                    e.what());
      reply = json_error(500, fhir::issue_code::exception,
                         "internal error; the message was not accepted, send it again later");
      reply.close = true;
    }
    bool keep = req.keep_alive && !reply.close && !c.stopping();
    auto wst = co_await write_http_reply(c, reply, keep, steady::now() + limits.read_timeout);
    if (wst != io_status::ok || !keep) co_return;
  }
}

}  // namespace gw::net::detail
