#include "gateway/net/mllp_server.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/hl7v2/ack.hpp"
#include "adapters/hl7v2/mllp.hpp"
#include "gateway/ingest/handler.hpp"
#include "gateway/net/detail/tls_listener.hpp"

namespace gw::net {

using boost::asio::awaitable;
using detail::io_status;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::size_t read_chunk = 16 * 1024;

class mllp_session final : public detail::session_handler {
 public:
  mllp_session(const config::limits& limits, ingest::handler& h) : limits_(limits), handler_(h) {}

  awaitable<void> refuse(detail::tls_connection&, detail::refusal) override {
    // MLLP has no way to say "who are you?" before a message: the connection is just closed.
    co_return;
  }

  awaitable<void> serve(detail::tls_connection& c) override {
    const std::string& code = c.facility()->code;
    hl7v2::mllp_decoder decoder(hl7v2::mllp_settings{limits_.max_message_bytes});
    std::vector<char> buf(read_chunk);
    auto idle_since = steady::now();
    steady::time_point frame_started{};
    std::size_t answered = 0;

    for (;;) {
      // Answer every complete frame, oldest first, before reading more (the sender waits for
      // each answer; a pipelining sender is slowed down by TCP, not by buffering here).
      while (auto frame = decoder.next_frame()) {
        ingest::request req;
        req.facility = c.facility();
        req.transport = config::transport::mllp;
        req.body = std::move(*frame);
        req.received_at = std::chrono::system_clock::now();
        req.peer = c.peer();
        std::size_t bytes = req.body.size();
        ingest::response res;
        try {
          res = co_await handler_.handle(std::move(req));
        } catch (const std::exception& e) {
          // No answer is better than a wrong one: the sender sends the frame again.
          spdlog::error("event=handler_failed listener=mllp peer={} facility={} bytes={} reason=\"{}\"", c.peer(), code,
                        bytes, e.what());
          c.close_abruptly();
          co_return;
        }
        if (res.body.empty()) continue;  // the message asked for no acknowledgement (or is one)
        // One frame per acknowledgement: enhanced mode can owe two (the commit acknowledgement,
        // then the application's), written together and in that order.
        std::string framed;
        for (std::string_view ack : hl7v2::split_messages(res.body)) hl7v2::mllp_encode_to(framed, ack);
        auto st = co_await c.write(framed, steady::now() + limits_.read_timeout);
        if (st != io_status::ok) {
          spdlog::warn("event=answer_not_sent listener=mllp peer={} facility={} reason={}", c.peer(), code,
                       detail::to_string(st));
          co_return;
        }
        ++answered;
        spdlog::debug("event=mllp_answered listener=mllp peer={} facility={} bytes={}", c.peer(), code, bytes);
        idle_since = steady::now();
        if (decoder.in_frame()) frame_started = idle_since;
      }
      for (const auto& ev : decoder.take_events()) {
        if (ev.what == hl7v2::mllp_event::kind::missing_cr) continue;
        spdlog::info("event=mllp_bytes_dropped listener=mllp peer={} facility={} bytes={} reason={}", c.peer(), code,
                     ev.bytes, ev.what == hl7v2::mllp_event::kind::skipped_bytes ? "outside_frame" : "frame_restarted");
      }
      if (decoder.failed()) {
        spdlog::warn(
            "event=frame_too_large listener=mllp peer={} facility={} limit={} reason=\"answered AE, closing "
            "connection\"",
            c.peer(), code, limits_.max_message_bytes);
        // Not stored (it is over the limit), but answered: an AE addressed from the frame's MSH
        // tells the sender not to send it again as it is, where a silent close would make it retry.
        const auto head = hl7v2::parse(decoder.failed_head());
        const fhir::issue_list why{{fhir::severity::fatal, fhir::issue_code::too_long, "",
                                    "message larger than this listener's limit of " +
                                        std::to_string(limits_.max_message_bytes) + " bytes; not stored",
                                    fhir::hl7_error::data_type_error}};
        const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        if (auto ack = hl7v2::acknowledge(head.msg ? &*head.msg : nullptr, hl7v2::outcome::rejected, why, {now, {}})) {
          std::string framed;
          for (std::string_view a : hl7v2::split_messages(*ack)) hl7v2::mllp_encode_to(framed, a);
          co_await c.write(framed, steady::now() + limits_.read_timeout);
        }
        // The sender is likely still writing the rest of the frame: close_notify, and what it
        // still sends is read and dropped for a while, so the AE is not lost to a TCP reset.
        c.linger_on_close();
        co_return;
      }
      bool idle = !decoder.in_frame();
      if (idle && c.stopping()) break;

      // Idle: the next frame must start within idle_timeout of the last answer (bytes outside a
      // frame do not extend it). In a frame: it must end within read_timeout of its start.
      auto deadline = idle ? idle_since + limits_.idle_timeout : frame_started + limits_.read_timeout;
      c.set_idle(idle);
      auto [st, n] = co_await c.read_some(buf, deadline);
      c.set_idle(false);
      if (st != io_status::ok) {
        if (!idle && st == io_status::timeout)
          spdlog::warn(
              "event=read_timeout listener=mllp peer={} facility={} buffered={} reason=\"frame not "
              "complete "
              "within read_timeout\"",
              c.peer(), code, decoder.buffered_bytes());
        else if (!idle)
          spdlog::warn("event=frame_truncated listener=mllp peer={} facility={} buffered={} reason={}", c.peer(), code,
                       decoder.buffered_bytes(), detail::to_string(st));
        else if (st == io_status::timeout)
          spdlog::info("event=idle_timeout listener=mllp peer={} facility={}", c.peer(), code);
        break;
      }
      bool was_in_frame = decoder.in_frame();
      decoder.push(std::string_view(buf.data(), n));
      if (!was_in_frame && decoder.in_frame()) frame_started = steady::now();
    }
    spdlog::debug("event=mllp_session_end listener=mllp peer={} facility={} answered={}", c.peer(), code, answered);
  }

 private:
  config::limits limits_;
  ingest::handler& handler_;
};

}  // namespace

mllp_server::mllp_server(boost::asio::io_context& ioc, const config::listener& settings, const facility_auth& auth,
                         ingest::handler& handler)
    : tls_server(ioc, settings, auth, config::transport::mllp, "mllp",
                 std::make_unique<mllp_session>(settings.limits, handler)) {}

}  // namespace gw::net
