// The MLLP/TLS and HTTPS ingest listeners over real TLS on loopback, against a recording test
// double of the ingest pipeline: framing and ordering, authentication (certificate → facility,
// transport), limits, deadlines and graceful stop.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/ingest/handler.hpp"
#include "gateway/net/facility_auth.hpp"
#include "gateway/net/ingest_http_server.hpp"
#include "gateway/net/mllp_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_client.hpp"

namespace gw::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::eventually;
using test::read_end;
using test::tls_client;
using test::tls_client_options;

/// What the handler saw of one message.
struct seen {
  std::string facility;
  config::transport transport;
  std::string content_type;
  std::string body;
};

/// Test double of the ingest pipeline: records each message and answers a fixed ACK (MLLP) or a
/// 202 JSON (HTTPS) numbered in arrival order; "busy" over HTTPS gets 503 + Retry-After. While
/// `hold` is set, answers wait (a message in flight).
class recording_handler final : public ingest::handler {
 public:
  asio::awaitable<ingest::response> handle(ingest::request req) override {
    std::size_t n;
    {
      std::lock_guard lock(mu_);
      seen_.push_back({req.facility->code, req.transport, req.content_type, req.body});
      n = seen_.size();
    }
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (hold) {
      t.expires_after(5ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    ingest::response res;
    if (req.transport == config::transport::mllp) {
      res.body = "MSH|^~\\&|GW|GW|||20260101||ACK|" + std::to_string(n) + "|P|2.5\rMSA|AA|" + std::to_string(n) + "\r";
    } else if (req.body == "busy") {
      res.http_status = 503;
      res.content_type = "application/json";
      res.retry_after_seconds = 30;
      res.body = R"({"busy":true})";
    } else {
      res.http_status = 202;
      res.content_type = "application/fhir+json";
      res.body = R"({"n":)" + std::to_string(n) + "}";
    }
    co_return res;
  }
  std::vector<seen> messages() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  std::atomic<bool> hold{false};

 private:
  mutable std::mutex mu_;
  std::vector<seen> seen_;
};

std::string ack_number(const std::string& ack) {
  auto p = ack.find("MSA|AA|");
  return p == std::string::npos ? "" : ack.substr(p + 7, ack.find('\r', p) - p - 7);
}

std::string frame(std::string_view msg) {
  return "\x0b" + std::string(msg) + "\x1c\x0d";
}

const std::string a01 = "MSH|^~\\&|HIS|42001|GW|SYT|20260101||ADT^A01|C1|P|2.5\rPID|1||X\r";

class listeners : public ::testing::Test {
 protected:
  listeners() : dir_("net"), certs_(dir_.path()) {
    good_ = certs_.client("f42001", "facility-42001.emr-gateway.test");
    https_only_ = certs_.client("f42002", "facility-42002.emr-gateway.test");
    by_fingerprint_ = certs_.client("f42003", "lab-device-7");
    unbound_ = certs_.client("f99999", "facility-99999.emr-gateway.test");
    expired_ = certs_.client("expired", "facility-42001.emr-gateway.test", test::test_certs::validity::expired);
    untrusted_ = certs_.untrusted_client("untrusted", "facility-42001.emr-gateway.test");

    facilities_.resize(3);
    facilities_[0].code = "42001";
    facilities_[0].feeds = {{config::feed_format::hl7v2, config::transport::mllp},
                            {config::feed_format::qd130, config::transport::https}};
    facilities_[0].certificates.subjects = {"CN=facility-42001.emr-gateway.test"};
    facilities_[1].code = "42002";
    facilities_[1].feeds = {{config::feed_format::qd130, config::transport::https}};
    facilities_[1].certificates.subjects = {"CN=facility-42002.emr-gateway.test"};
    facilities_[2].code = "42003";
    facilities_[2].feeds = {{config::feed_format::hl7v2, config::transport::mllp}};
    facilities_[2].certificates.sha256_fingerprints = {test::test_certs::sha256_of(by_fingerprint_.cert)};
    auth_.emplace(facilities_);

    settings_.address = "127.0.0.1";
    settings_.port = 0;
    settings_.tls = config::tls_settings{certs_.server().cert, certs_.server().key, certs_.ca(), "1.2"};
    settings_.limits.max_message_bytes = 4096;
    settings_.limits.max_header_bytes = 2048;
    settings_.limits.handshake_timeout = 5s;
    settings_.limits.read_timeout = 300ms;
    settings_.limits.idle_timeout = 30s;
    settings_.limits.max_connections = 16;
    settings_.limits.max_connections_per_facility = 2;
  }
  ~listeners() override { shutdown(); }

  void start() {
    mllp_.emplace(ioc_, settings_, *auth_, handler_);
    mllp_->start();
    https_.emplace(ioc_, settings_, *auth_, handler_);
    https_->start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  void shutdown() {
    if (threads_.empty()) return;
    std::promise<void> drained;
    auto left = std::make_shared<std::atomic<int>>(2);
    auto one = [&drained, left] {
      if (--*left == 0) drained.set_value();
    };
    mllp_->stop(one);
    https_->stop(one);
    drained.get_future().wait_for(10s);
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  tls_client_options with(const test::cert_files& c) const { return {certs_.ca(), c.cert, c.key}; }
  tls_client_options no_cert() const { return {certs_.ca(), {}, {}}; }

  /// A client that completed the handshake and was not refused: it got an answer to a frame.
  std::unique_ptr<tls_client> served_mllp_client(const test::cert_files& c) {
    auto cl = std::make_unique<tls_client>(mllp_->port(), with(c));
    if (!cl->connected() || !cl->send(frame(a01)) || !cl->read_mllp()) return nullptr;
    return cl;
  }

  test::temp_dir dir_;
  test::test_certs certs_;
  test::cert_files good_, https_only_, by_fingerprint_, unbound_, expired_, untrusted_;
  std::vector<config::facility> facilities_;
  std::optional<facility_auth> auth_;
  config::listener settings_;
  recording_handler handler_;
  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{ioc_.get_executor()};
  std::optional<mllp_server> mllp_;
  std::optional<ingest_http_server> https_;
  std::vector<std::thread> threads_;
};

TEST_F(listeners, mllp_answers_frames_in_order_on_one_connection) {
  start();
  tls_client c(mllp_->port(), with(good_));
  ASSERT_TRUE(c.connected()) << c.error();

  std::string m1 = a01, m2 = a01 + "PV1|1|I\r", m3 = a01 + "OBX|1\r";
  // Frame 1 split across two writes (two TLS records), then frames 2 and 3 in one write.
  std::string f1 = frame(m1);
  ASSERT_TRUE(c.send(f1.substr(0, 10)));
  ASSERT_TRUE(c.send(f1.substr(10)));
  auto a1 = c.read_mllp();
  ASSERT_TRUE(a1) << static_cast<int>(c.last_end());
  ASSERT_TRUE(c.send(frame(m2) + frame(m3)));
  auto a2 = c.read_mllp();
  auto a3 = c.read_mllp();
  ASSERT_TRUE(a2 && a3);
  EXPECT_EQ(ack_number(*a1), "1");
  EXPECT_EQ(ack_number(*a2), "2");
  EXPECT_EQ(ack_number(*a3), "3");

  auto got = handler_.messages();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].body, m1);
  EXPECT_EQ(got[1].body, m2);
  EXPECT_EQ(got[2].body, m3);
  for (const auto& s : got) {
    EXPECT_EQ(s.facility, "42001");
    EXPECT_EQ(s.transport, config::transport::mllp);
    EXPECT_EQ(s.content_type, "");
  }
  EXPECT_EQ(mllp_->connections(), 1u);
}

TEST_F(listeners, mllp_facility_bound_by_fingerprint_is_served) {
  start();
  tls_client c(mllp_->port(), with(by_fingerprint_));
  ASSERT_TRUE(c.connected()) << c.error();
  ASSERT_TRUE(c.send(frame(a01)));
  ASSERT_TRUE(c.read_mllp());
  ASSERT_EQ(handler_.count(), 1u);
  EXPECT_EQ(handler_.messages()[0].facility, "42003");
}

TEST_F(listeners, https_post_ingest_reaches_the_handler) {
  start();
  tls_client c(https_->port(), with(good_));
  ASSERT_TRUE(c.connected()) << c.error();
  auto r = c.http("POST", "/ingest", "application/xml; charset=utf-8", "<GIAMDINHHS/>");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.header("content-type"), "application/fhir+json");
  EXPECT_EQ(r.body, R"({"n":1})");
  ASSERT_EQ(handler_.count(), 1u);
  auto got = handler_.messages()[0];
  EXPECT_EQ(got.facility, "42001");
  EXPECT_EQ(got.transport, config::transport::https);
  EXPECT_EQ(got.content_type, "application/xml; charset=utf-8");
  EXPECT_EQ(got.body, "<GIAMDINHHS/>");

  // Same connection (keep-alive): Retry-After passes through; other paths and methods refused.
  auto busy = c.http("POST", "/ingest", "text/plain", "busy");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.header("retry-after"), "30");
  auto nf = c.http("GET", "/elsewhere", "", "");
  EXPECT_EQ(nf.status, 404);
  EXPECT_NE(nf.body.find("OperationOutcome"), std::string::npos);
  auto na = c.http("GET", "/ingest", "", "");
  EXPECT_EQ(na.status, 405);
  EXPECT_EQ(na.header("allow"), "POST");
  EXPECT_EQ(handler_.count(), 2u);
  // Expect: 100-continue is honoured: the header alone gets "100 Continue", then the body is sent.
  ASSERT_TRUE(
      c.send("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(c.read_http().status, 100);
  ASSERT_TRUE(c.send("{}"));
  EXPECT_EQ(c.read_http().status, 202);
  EXPECT_EQ(handler_.messages().back().body, "{}");
}

TEST_F(listeners, tls_1_1_client_is_refused) {
  start();
  auto o = with(good_);
  o.min_version = TLS1_1_VERSION;
  o.max_version = TLS1_1_VERSION;
  o.legacy = true;
  tls_client c(mllp_->port(), o);
  EXPECT_TRUE(c.tcp_connected());
  EXPECT_FALSE(c.connected());
  EXPECT_EQ(c.error_reason(), SSL_R_TLSV1_ALERT_PROTOCOL_VERSION) << c.error();
  tls_client h(https_->port(), o);
  EXPECT_FALSE(h.connected());
}

/// With TLS 1.2 the client learns in the handshake that its certificate was refused; with TLS
/// 1.3 it learns right after, from the server's alert. Either way no message reaches the handler.
void expect_handshake_refused(std::uint16_t port, tls_client_options o, int tls13_alert, recording_handler& h) {
  o.max_version = TLS1_2_VERSION;
  tls_client v12(port, o);
  EXPECT_FALSE(v12.connected()) << "TLS 1.2 handshake should fail";

  o.max_version = TLS1_3_VERSION;
  tls_client v13(port, o);
  v13.send(frame(a01));
  EXPECT_FALSE(v13.read_mllp(5s));
  EXPECT_EQ(v13.last_end(), read_end::tls_error);
  EXPECT_EQ(v13.error_reason(), tls13_alert) << v13.error();
  EXPECT_EQ(h.count(), 0u);
}

TEST_F(listeners, no_client_certificate_fails_the_handshake) {
  start();
  expect_handshake_refused(mllp_->port(), no_cert(), SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, handler_);
}

TEST_F(listeners, certificate_from_an_untrusted_ca_fails_the_handshake) {
  start();
  expect_handshake_refused(mllp_->port(), with(untrusted_), SSL_R_TLSV1_ALERT_UNKNOWN_CA, handler_);
}

TEST_F(listeners, expired_certificate_fails_the_handshake) {
  start();
  expect_handshake_refused(mllp_->port(), with(expired_), SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED, handler_);
}

TEST_F(listeners, valid_certificate_bound_to_no_facility_is_refused) {
  start();
  tls_client m(mllp_->port(), with(unbound_));
  ASSERT_TRUE(m.connected()) << m.error();  // TLS is fine: the refusal comes after it
  m.send(frame(a01));
  EXPECT_FALSE(m.read_mllp(5s));
  EXPECT_EQ(m.last_end(), read_end::closed);

  tls_client h(https_->port(), with(unbound_));
  ASSERT_TRUE(h.connected()) << h.error();
  auto r = h.read_http();  // answered without being asked: nothing is read before authentication
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_NE(r.body.find(R"("code":"security")"), std::string::npos) << r.body;
  EXPECT_TRUE(h.wait_closed(5s));
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(listeners, facility_without_a_feed_for_the_transport_is_refused) {
  start();
  tls_client m(mllp_->port(), with(https_only_));
  ASSERT_TRUE(m.connected()) << m.error();
  m.send(frame(a01));
  EXPECT_FALSE(m.read_mllp(5s));
  EXPECT_EQ(m.last_end(), read_end::closed);
  EXPECT_EQ(handler_.count(), 0u);

  // The same certificate is welcome where its facility does send.
  tls_client h(https_->port(), with(https_only_));
  EXPECT_EQ(h.http("POST", "/ingest", "application/xml", "<x/>").status, 202);
  // And 42003 (MLLP only) is refused on the HTTPS port.
  tls_client x(https_->port(), with(by_fingerprint_));
  EXPECT_EQ(x.read_http().status, 403);
}

TEST_F(listeners, oversize_frame_is_answered_ae_and_the_connection_closed) {
  start();
  const std::string limit_text = "larger than this listener's limit of " +
                                 std::to_string(settings_.limits.max_message_bytes) + " bytes; not stored";
  {
    // Addressed from the frame's MSH: the sender learns which message, and not to send it again.
    tls_client c(mllp_->port(), with(good_));
    ASSERT_TRUE(c.connected());
    std::string msg = "MSH|^~\\&|LIS|42001|EMRGW|SYT|20261120||ORU^R01^ORU_R01|BIG-1|P|2.5.1\rOBX|1|ED|||";
    msg.append(settings_.limits.max_message_bytes, 'x');
    c.send(frame(msg));
    auto ack = c.read_mllp(10s);
    ASSERT_TRUE(ack.has_value());
    EXPECT_NE(ack->find("\rMSA|AE|BIG-1"), std::string::npos) << *ack;
    EXPECT_NE(ack->find(limit_text), std::string::npos) << *ack;
    EXPECT_FALSE(c.read_mllp(5s));  // then closed
    EXPECT_NE(c.last_end(), read_end::timeout);
  }
  tls_client c(mllp_->port(), with(good_));
  ASSERT_TRUE(c.connected());
  c.send(frame(std::string(settings_.limits.max_message_bytes + 1, 'x')));  // no MSH: an AE all the same
  auto ack = c.read_mllp(10s);
  ASSERT_TRUE(ack.has_value());
  EXPECT_NE(ack->find("|AE|"), std::string::npos) << *ack;
  EXPECT_FALSE(c.read_mllp(5s));
  EXPECT_NE(c.last_end(), read_end::timeout);
  EXPECT_EQ(handler_.count(), 0u);
  // A frame of exactly the limit is fine.
  tls_client ok(mllp_->port(), with(good_));
  ok.send(frame(std::string(settings_.limits.max_message_bytes, 'y')));
  EXPECT_TRUE(ok.read_mllp());
}

TEST_F(listeners, oversize_body_gets_413) {
  start();
  tls_client c(https_->port(), with(good_));
  ASSERT_TRUE(c.connected());
  auto r = c.http("POST", "/ingest", "application/xml", std::string(settings_.limits.max_message_bytes + 1, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find(R"("code":"too-long")"), std::string::npos) << r.body;
  EXPECT_TRUE(c.wait_closed(5s));
  EXPECT_EQ(c.http("POST", "/ingest", "application/xml", "<x/>").status,
            0);  // the connection is gone
  tls_client h(https_->port(), with(good_));
  auto r2 = h.http("POST", "/ingest", "application/xml", "<x/>",
                   "X-Padding: " + std::string(settings_.limits.max_header_bytes, 'p') + "\r\n");
  EXPECT_EQ(r2.status, 431);
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(listeners, slow_drip_sender_is_cut_off) {
  start();
  tls_client c(mllp_->port(), with(good_));
  ASSERT_TRUE(c.connected());
  // One byte at a time, each well inside any sane per-read timeout, never completing the frame.
  std::string start = "\x0bMSH|^~\\&|HIS|42001|";
  ASSERT_TRUE(c.send(start));
  bool cut = false;
  for (int i = 0; i < 200 && !cut; ++i) {
    if (!c.send("x"))
      cut = true;
    else
      cut = c.wait_closed(50ms);
  }
  EXPECT_TRUE(cut) << "a frame dripping for 10 s should be cut off by a 300 ms read_timeout";
  EXPECT_EQ(handler_.count(), 0u);

  tls_client h(https_->port(), with(good_));
  ASSERT_TRUE(h.send("POST /ingest HTTP/1.1\r\nHost: x\r\n"));
  bool http_cut = false;
  for (int i = 0; i < 200 && !http_cut; ++i) {
    if (!h.send("X: y\r\n"))
      http_cut = true;
    else
      http_cut = h.wait_closed(50ms);
  }
  EXPECT_TRUE(http_cut);
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(listeners, connections_per_facility_are_limited) {
  start();
  auto c1 = served_mllp_client(good_);
  auto c2 = served_mllp_client(good_);
  ASSERT_TRUE(c1 && c2);
  tls_client c3(mllp_->port(), with(good_));
  c3.send(frame(a01));
  EXPECT_FALSE(c3.read_mllp(5s));
  EXPECT_EQ(c3.last_end(), read_end::closed);
  // Another facility is not affected.
  EXPECT_TRUE(served_mllp_client(by_fingerprint_));
  // Once one closes, there is room again.
  c1.reset();
  EXPECT_TRUE(eventually([&] { return served_mllp_client(good_) != nullptr; }, 10s));
}

TEST_F(listeners, total_connections_are_limited_before_the_handshake) {
  settings_.limits.max_connections = 2;
  start();
  auto a = served_mllp_client(good_);
  auto b = served_mllp_client(by_fingerprint_);
  ASSERT_TRUE(a && b);
  tls_client c(mllp_->port(), with(https_only_));
  EXPECT_FALSE(c.connected());  // closed at accept: no handshake is spent on it
  EXPECT_EQ(handler_.count(), 2u);
  b.reset();
  EXPECT_TRUE(eventually([&] { return served_mllp_client(by_fingerprint_) != nullptr; }, 10s));
}

TEST_F(listeners, graceful_stop_answers_the_message_in_flight) {
  settings_.limits.idle_timeout = 60s;  // the idle connection must be closed by the stop, not by this
  start();
  tls_client idle(mllp_->port(), with(by_fingerprint_));
  ASSERT_TRUE(idle.connected());
  tls_client busy(mllp_->port(), with(good_));
  ASSERT_TRUE(busy.connected());
  ASSERT_TRUE(eventually([&] { return mllp_->connections() == 2; }, 10s));

  handler_.hold = true;
  ASSERT_TRUE(busy.send(frame(a01)));
  ASSERT_TRUE(eventually([&] { return handler_.count() == 1; }, 10s));

  std::promise<void> drained;
  mllp_->stop([&drained] { drained.set_value(); });
  auto done = drained.get_future();
  EXPECT_TRUE(idle.wait_closed(10s));                            // idle: closed at once
  EXPECT_EQ(done.wait_for(200ms), std::future_status::timeout);  // still answering the busy one
  {
    tls_client late(mllp_->port(), with(good_));  // no longer accepting
    EXPECT_FALSE(late.connected());
  }

  handler_.hold = false;
  auto answer = busy.read_mllp();
  ASSERT_TRUE(answer) << "the message in flight must be answered";
  EXPECT_EQ(ack_number(*answer), "1");
  EXPECT_TRUE(busy.wait_closed(10s));
  EXPECT_EQ(done.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(mllp_->connections(), 0u);
}

TEST_F(listeners, graceful_stop_answers_the_https_request_in_flight) {
  start();
  tls_client c(https_->port(), with(good_));
  ASSERT_TRUE(c.connected());
  handler_.hold = true;
  ASSERT_TRUE(
      c.send("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
             "Content-Length: 4\r\n\r\n<x/>"));
  ASSERT_TRUE(eventually([&] { return handler_.count() == 1; }, 10s));
  std::promise<void> drained;
  https_->stop([&drained] { drained.set_value(); });
  handler_.hold = false;
  auto r = c.read_http();
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(c.wait_closed(10s));
  EXPECT_EQ(drained.get_future().wait_for(10s), std::future_status::ready);
}

}  // namespace
}  // namespace gw::net
