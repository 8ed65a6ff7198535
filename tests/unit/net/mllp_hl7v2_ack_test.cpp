// The MLLP/TLS listener with the real HL7 v2 acknowledgement builder behind it (as the ingest
// pipeline uses it, without the store): over a real TLS connection on loopback, a message in
// enhanced mode whose MSH-16 asks for the application acknowledgement gets two frames, the commit
// acknowledgement then the application acknowledgement; original mode and MSH-16 NE get one; the
// frames of several messages stay in order on one connection.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "adapters/hl7v2/ack.hpp"
#include "adapters/hl7v2/parser.hpp"
#include "gateway/ingest/handler.hpp"
#include "gateway/net/facility_auth.hpp"
#include "gateway/net/mllp_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_client.hpp"

namespace gw::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::tls_client;

/// Answers every message as the pipeline does once it is stored: `hl7v2::acknowledge`.
class acknowledging_handler final : public ingest::handler {
 public:
  asio::awaitable<ingest::response> handle(ingest::request req) override {
    hl7v2::parse_result parsed = hl7v2::parse(req.body);
    const auto o = parsed.ok() ? hl7v2::outcome::stored : hl7v2::outcome::rejected;
    ingest::response res;
    res.body = hl7v2::acknowledge(parsed, o, {}, {std::chrono::sys_seconds{std::chrono::seconds{1'795'000'000}}, ""})
                   .value_or(std::string());
    co_return res;
  }
};

std::string frame(std::string_view msg) {
  return "\x0b" + std::string(msg) + "\x1c\x0d";
}

std::string message(const std::string& control_id, const std::string& accept, const std::string& application) {
  return "MSH|^~\\&|HIS|42001|EMRGW|SYT|20261120||ADT^A04^ADT_A01|" + control_id + "|P|2.5.1|||" + accept + "|" +
         application + "\rPID|1||X^^^42001^PI\r";
}

/// MSA-1 and MSA-2 of an acknowledgement, "code|control id".
std::string msa(const std::string& ack) {
  hl7v2::parse_result r = hl7v2::parse(ack);
  if (!r.msg || r.msg->segment_count() < 2) return "unparsable: " + ack;
  hl7v2::segment s = r.msg->at(1);
  return std::string(s.field(1).raw()) + "|" + std::string(s.field(2).raw());
}

std::string control_id(const std::string& ack) {
  hl7v2::parse_result r = hl7v2::parse(ack);
  return r.msg ? std::string(r.msg->control_id().raw()) : std::string();
}

TEST(mllp_hl7v2_ack, enhanced_mode_commit_then_application_acknowledgement_on_one_connection) {
  test::temp_dir dir("mllp-ack");
  test::test_certs certs(dir.path());
  auto client = certs.client("f42001", "facility-42001.emr-gateway.test");
  std::vector<config::facility> facilities(1);
  facilities[0].code = "42001";
  facilities[0].feeds = {{config::feed_format::hl7v2, config::transport::mllp}};
  facilities[0].certificates.subjects = {"CN=facility-42001.emr-gateway.test"};
  facility_auth auth(facilities);
  config::listener settings;
  settings.address = "127.0.0.1";
  settings.port = 0;
  settings.tls = config::tls_settings{certs.server().cert, certs.server().key, certs.ca(), "1.2"};
  settings.limits.read_timeout = 5s;
  settings.limits.idle_timeout = 30s;

  acknowledging_handler handler;
  asio::io_context ioc;
  auto work = asio::make_work_guard(ioc);
  mllp_server server(ioc, settings, auth, handler);
  server.start();
  std::thread io([&] { ioc.run(); });

  {
    tls_client c(server.port(), {certs.ca(), client.cert, client.key});
    ASSERT_TRUE(c.connected()) << c.error();

    // MSH-15 AL, MSH-16 AL: CA then AA, each in its own frame, the second with its own control id.
    ASSERT_TRUE(c.send(frame(message("M1", "AL", "AL"))));
    auto commit = c.read_mllp();
    auto app = c.read_mllp();
    ASSERT_TRUE(commit && app);
    EXPECT_EQ(msa(*commit), "CA|M1");
    EXPECT_EQ(msa(*app), "AA|M1");
    EXPECT_EQ(control_id(*commit), "ACKM1");
    EXPECT_EQ(control_id(*app), "APPM1");

    // MSH-16 NE (the shipped enhanced-mode sample's setting): the commit acknowledgement alone;
    // then original mode: one AA. Read in order, so no stray frame sits between them.
    ASSERT_TRUE(c.send(frame(message("M2", "AL", "NE")) + frame(message("M3", "", ""))));
    auto only = c.read_mllp();
    auto original = c.read_mllp();
    ASSERT_TRUE(only && original);
    EXPECT_EQ(msa(*only), "CA|M2");
    EXPECT_EQ(msa(*original), "AA|M3");

    // MSH-15 NE, MSH-16 AL: the application acknowledgement alone.
    ASSERT_TRUE(c.send(frame(message("M4", "NE", "AL"))));
    auto aa = c.read_mllp();
    ASSERT_TRUE(aa);
    EXPECT_EQ(msa(*aa), "AA|M4");

    // Nothing more is owed.
    EXPECT_FALSE(c.read_mllp(500ms));
  }

  std::promise<void> stopped;
  server.stop([&] { stopped.set_value(); });
  EXPECT_EQ(stopped.get_future().wait_for(10s), std::future_status::ready) << "the server did not stop";
  work.reset();
  ioc.stop();
  io.join();
}

}  // namespace
}  // namespace gw::net
