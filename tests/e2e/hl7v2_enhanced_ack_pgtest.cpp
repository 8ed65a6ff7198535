// HL7 v2 enhanced acknowledgement mode as a hospital meets it: a real emr-gateway process, MLLP
// over real TLS, real PostgreSQL. A message whose MSH-16 asks for the application acknowledgement
// gets two frames on the same connection: the commit acknowledgement (CA/CE) after the commit,
// then the application acknowledgement (AA/AE) with its own control id and MSA-2 naming the
// message; MSH-16 ER/NE gets the commit acknowledgement alone; a resend gets the same answers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/gateway_process.hpp"

namespace gw::test {
namespace {

using namespace std::chrono_literals;

/// The enhanced-mode sample with MSH-10 `control_id`, MSH-15 `accept` and MSH-16 `application`.
std::string enhanced(const std::string& control_id, const std::string& accept, const std::string& application) {
  std::string s = read_file(std::string(GW_SHARED_DIR) + "/samples/hl7v2/adt-a04-enhanced-ack-42005.hl7");
  const std::string id = "|42005-ADT-0000301|", modes = "|||AL|NE|VNM|";
  auto p = s.find(id);
  EXPECT_NE(p, std::string::npos);
  if (p != std::string::npos) s.replace(p, id.size(), "|" + control_id + "|");
  p = s.find(modes);
  EXPECT_NE(p, std::string::npos);
  if (p != std::string::npos) s.replace(p, modes.size(), "|||" + accept + "|" + application + "|VNM|");
  return s;
}

/// Field `n` of the segment starting with `seg` (e.g. "MSA|", "MSH|"), counted as HL7 does
/// (for MSH, field 1 is the separator itself); "" when absent.
std::string field_of(const std::string& msg, const std::string& seg, int n) {
  auto at = msg.starts_with(seg) ? 0 : msg.find("\r" + seg);
  if (at == std::string::npos) return {};
  if (at != 0) ++at;
  std::string line = msg.substr(at, msg.find('\r', at) - at);
  std::vector<std::string> parts;
  for (std::size_t from = 0;;) {
    auto bar = line.find('|', from);
    parts.push_back(line.substr(from, bar == std::string::npos ? std::string::npos : bar - from));
    if (bar == std::string::npos) break;
    from = bar + 1;
  }
  // parts[0] is the segment name; MSH-1 is the separator itself, so MSH-n is parts[n - 1].
  auto i = static_cast<std::size_t>(seg == "MSH|" ? n - 1 : n);
  return i < parts.size() ? parts[i] : std::string();
}

TEST(e2e_hl7v2_enhanced_ack, application_acknowledgement_follows_the_commit_on_the_same_connection) {
  gateway_process gw;
  ASSERT_TRUE(gw.start()) << gw.log();
  tls_client c(gw.mllp_port(), gw.as_facility("42005"));
  ASSERT_TRUE(c.connected()) << c.error();

  // MSH-15 AL, MSH-16 AL: CA, then AA.
  const std::string first = enhanced("42005-E2E-1", "AL", "AL");
  ASSERT_TRUE(c.send(mllp_frame(first)));
  auto commit = c.read_mllp();
  ASSERT_TRUE(commit) << gw.log();
  auto app = c.read_mllp();
  ASSERT_TRUE(app) << "no application acknowledgement after " << *commit;
  EXPECT_EQ(msa_code(*commit), "CA") << *commit;
  EXPECT_EQ(field_of(*commit, "MSA|", 2), "42005-E2E-1");
  EXPECT_EQ(msa_code(*app), "AA") << *app;
  EXPECT_EQ(field_of(*app, "MSA|", 2), "42005-E2E-1");
  EXPECT_EQ(field_of(*app, "MSH|", 9), "ACK^A04^ACK");
  EXPECT_FALSE(field_of(*app, "MSH|", 10).empty());
  EXPECT_NE(field_of(*app, "MSH|", 10), field_of(*commit, "MSH|", 10));
  EXPECT_EQ(gw.db("SELECT count(*) FROM inbound_message WHERE outcome = 'accepted'"), "1");

  // MSH-16 ER and a message that is fine: the commit acknowledgement alone. The next frame on the
  // connection is this message's answer, so no stray second frame is waiting.
  ASSERT_TRUE(c.send(mllp_frame(enhanced("42005-E2E-2", "AL", "ER"))));
  auto only = c.read_mllp();
  ASSERT_TRUE(only);
  EXPECT_EQ(msa_code(*only), "CA") << *only;
  EXPECT_EQ(field_of(*only, "MSA|", 2), "42005-E2E-2");

  // MSH-16 ER and a message with an error (no PV1 in an ADT): CE, then AE naming the place.
  std::string broken = enhanced("42005-E2E-3", "AL", "ER");
  broken.erase(broken.find("PV1|"));
  ASSERT_TRUE(c.send(mllp_frame(broken)));
  auto ce = c.read_mllp();
  auto ae = c.read_mllp();
  ASSERT_TRUE(ce && ae);
  EXPECT_EQ(msa_code(*ce), "CE") << *ce;
  EXPECT_EQ(msa_code(*ae), "AE") << *ae;
  EXPECT_EQ(field_of(*ae, "MSA|", 2), "42005-E2E-3");
  EXPECT_NE(ae->find("\rERR||PV1^1|"), std::string::npos) << *ae;

  // MSH-15 NE, MSH-16 AL: the application acknowledgement alone.
  ASSERT_TRUE(c.send(mllp_frame(enhanced("42005-E2E-4", "NE", "AL"))));
  auto aa = c.read_mllp();
  ASSERT_TRUE(aa);
  EXPECT_EQ(msa_code(*aa), "AA") << *aa;
  EXPECT_EQ(field_of(*aa, "MSA|", 2), "42005-E2E-4");

  // The first message again: the stored answer, both frames, nothing new stored.
  ASSERT_TRUE(c.send(mllp_frame(first)));
  auto commit_again = c.read_mllp();
  auto app_again = c.read_mllp();
  ASSERT_TRUE(commit_again && app_again);
  EXPECT_EQ(*commit_again, *commit);
  EXPECT_EQ(*app_again, *app);
  EXPECT_EQ(gw.db("SELECT count(*) FROM inbound_message"), "4");

  // Nothing more is owed: the connection is quiet.
  EXPECT_FALSE(c.read_mllp(1s));
}

}  // namespace
}  // namespace gw::test
