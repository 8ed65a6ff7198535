#include "adapters/hl7v2/ack.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "adapters/hl7v2/parser.hpp"
#include "tests/unit/hl7v2/test_util.hpp"

namespace gw::hl7v2 {
namespace {

using fhir::hl7_error;
using fhir::issue;
using fhir::issue_code;
using fhir::severity;

ack_params at_noon() {
  // 2026-11-20 05:00:00 UTC = 12:00 in Vietnam.
  using namespace std::chrono;
  return {sys_days{year{2026} / 11 / 20} + hours{5}, ""};
}

/// Parses an ACK we built; fails the test if it does not parse.
parse_result reparse(const std::string& ack) {
  parse_result r = parse(ack);
  EXPECT_TRUE(r.ok()) << ack;
  return r;
}

TEST(Hl7Ack, ChooseCodeIsTheOnePlace) {
  fhir::issue_list none;
  fhir::issue_list warning{{severity::warning, issue_code::value, "PID^1^7", "w"}};
  fhir::issue_list content{{severity::error, issue_code::required, "MSH^1^9", "e"}};
  fhir::issue_list version{
      {severity::error, issue_code::not_supported, "MSH^1^12", "v", hl7_error::unsupported_version_id}};
  EXPECT_EQ(choose_ack_code(outcome::stored, none, ack_kind::original), ack_code::AA);
  EXPECT_EQ(choose_ack_code(outcome::stored, warning, ack_kind::original), ack_code::AA);
  EXPECT_EQ(choose_ack_code(outcome::stored, content, ack_kind::original), ack_code::AE);
  EXPECT_EQ(choose_ack_code(outcome::rejected, none, ack_kind::original), ack_code::AE);
  EXPECT_EQ(choose_ack_code(outcome::rejected, version, ack_kind::original), ack_code::AR);
  EXPECT_EQ(choose_ack_code(outcome::not_stored, none, ack_kind::original), ack_code::AR);
  EXPECT_EQ(choose_ack_code(outcome::stored, none, ack_kind::commit), ack_code::CA);
  EXPECT_EQ(choose_ack_code(outcome::rejected, content, ack_kind::commit), ack_code::CE);
  EXPECT_EQ(choose_ack_code(outcome::not_stored, none, ack_kind::commit), ack_code::CR);
  EXPECT_EQ(choose_ack_code(outcome::stored, none, ack_kind::application), ack_code::AA);
}

TEST(Hl7Ack, AcceptSwapsSenderAndEchoesControlId) {
  std::string bytes = test::sample("adt-a01-admit-42001.hl7");
  parse_result in = parse(bytes);
  auto ack = acknowledge(in, outcome::stored, {}, at_noon());
  ASSERT_TRUE(ack.has_value());
  parse_result r = reparse(*ack);
  const message& m = *r.msg;
  segment msh = m.header();
  EXPECT_EQ(msh.field(3).raw(), "EMRGW");
  EXPECT_EQ(msh.field(4).raw(), "SYT_HATINH");
  EXPECT_EQ(msh.field(5).raw(), "HIS");
  EXPECT_EQ(msh.get(6, 1).raw(), "42001");
  EXPECT_EQ(msh.get(6, 2).text(), "BV Da khoa tinh Ha Tinh");
  EXPECT_EQ(msh.field(7).raw(), "20261120120000+0700");
  EXPECT_EQ(msh.field(9).raw(), "ACK^A01^ACK");
  EXPECT_EQ(msh.field(10).raw(), "ACK42001-ADT-0000001");
  EXPECT_EQ(msh.field(11).raw(), "P");
  EXPECT_EQ(msh.field(12).raw(), "2.5.1");
  EXPECT_EQ(msh.field(18).raw(), "UNICODE UTF-8");
  ASSERT_EQ(m.segment_count(), 2u);
  segment msa = m.at(1);
  EXPECT_EQ(msa.name(), "MSA");
  EXPECT_EQ(msa.field(1).raw(), "AA");
  EXPECT_EQ(msa.field(2).raw(), "42001-ADT-0000001");
}

TEST(Hl7Ack, MalformedSampleIsAeWithErrNamingMsh9) {
  std::string bytes = test::sample("malformed-missing-msh9-42001.hl7");
  parse_result in = parse(bytes);
  auto ack = acknowledge(in, outcome::rejected, {}, at_noon());
  ASSERT_TRUE(ack.has_value());
  parse_result r = reparse(*ack);
  const message& m = *r.msg;
  EXPECT_EQ(m.at(1).field(1).raw(), "AE");
  EXPECT_EQ(m.at(1).field(2).raw(), "42001-ADT-0000099");
  std::size_t err = m.find_index("ERR");
  ASSERT_LT(err, m.segment_count());
  segment e = m.at(err);
  EXPECT_EQ(e.field(2).raw(), "MSH^1^9");
  EXPECT_EQ(e.get(3, 1).raw(), "101");
  EXPECT_EQ(e.get(3, 3).raw(), "HL70357");
  EXPECT_EQ(e.field(4).raw(), "E");
  EXPECT_FALSE(e.field(8).raw().empty());
  EXPECT_EQ(m.header().field(9).raw(), "ACK^^ACK");
}

TEST(Hl7Ack, EnhancedModeSampleGetsCommitAccept) {
  std::string bytes = test::sample("adt-a04-enhanced-ack-42005.hl7");
  parse_result in = parse(bytes);
  ack_request req = ack_request_of(&*in.msg);
  EXPECT_TRUE(req.enhanced);
  EXPECT_EQ(req.accept_condition, "AL");
  EXPECT_EQ(req.application_condition, "NE");
  auto ack = acknowledge(in, outcome::stored, {}, at_noon());
  ASSERT_TRUE(ack.has_value());
  parse_result r = reparse(*ack);
  EXPECT_EQ(r.msg->at(1).field(1).raw(), "CA");
  EXPECT_EQ(r.msg->header().field(9).raw(), "ACK^A04^ACK");
  // Commit refused when nothing could be stored.
  ack = acknowledge(in, outcome::not_stored, {}, at_noon());
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(reparse(*ack).msg->at(1).field(1).raw(), "CR");
}

TEST(Hl7Ack, AcceptConditions) {
  EXPECT_TRUE(should_send("AL", ack_code::CA));
  EXPECT_TRUE(should_send("", ack_code::CE));
  EXPECT_FALSE(should_send("NE", ack_code::CE));
  EXPECT_FALSE(should_send("ER", ack_code::CA));
  EXPECT_TRUE(should_send("ER", ack_code::CR));
  EXPECT_TRUE(should_send("SU", ack_code::CA));
  EXPECT_FALSE(should_send("SU", ack_code::CE));

  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT^A04|X|P|2.5|||NE|NE\r";
  parse_result in = parse(s);
  EXPECT_FALSE(acknowledge(in, outcome::stored, {}, at_noon()).has_value());
  s = "MSH|^~\\&|A|B|C|D|2026||ADT^A04|X|P|2.5|||ER|NE\r";
  in = parse(s);
  EXPECT_FALSE(acknowledge(in, outcome::stored, {}, at_noon()).has_value());
  EXPECT_TRUE(acknowledge(in, outcome::not_stored, {}, at_noon()).has_value());
}

TEST(Hl7Ack, NeverAcknowledgeAnAck) {
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ACK^A01^ACK|X|P|2.5\rMSA|AA|Y\r";
  parse_result in = parse(s);
  EXPECT_FALSE(acknowledge(in, outcome::stored, {}, at_noon()).has_value());
}

TEST(Hl7Ack, NoMshStillAnswers) {
  parse_result in = parse("garbage");
  auto ack = acknowledge(in, outcome::rejected, {}, at_noon());
  ASSERT_TRUE(ack.has_value());
  parse_result r = reparse(*ack);
  EXPECT_EQ(r.msg->header().field(3).raw(), "EMRGW");
  EXPECT_EQ(r.msg->at(1).field(1).raw(), "AE");
  EXPECT_TRUE(r.msg->at(1).field(2).empty());
  segment e = r.msg->at(2);
  EXPECT_EQ(e.field(2).raw(), "MSH^1");
  EXPECT_EQ(e.get(3, 1).raw(), "100");
}

TEST(Hl7Ack, UnsupportedVersionIsAr) {
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|X|P|2.1\r";
  parse_result in = parse(s);
  auto ack = acknowledge(in, outcome::rejected, {}, at_noon());
  ASSERT_TRUE(ack.has_value());
  parse_result r = reparse(*ack);
  EXPECT_EQ(r.msg->at(1).field(1).raw(), "AR");
  EXPECT_EQ(r.msg->version().raw(), "2.5.1");  // ours, since theirs is not one we speak
  EXPECT_EQ(r.msg->at(2).get(3, 1).raw(), "203");
}

TEST(Hl7Ack, IssuesAreEscapedAndOrdered) {
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|X|P|2.5\r";
  parse_result in = parse(s);
  fhir::issue_list issues{
      {severity::warning, issue_code::value, "PID^1^8", "odd | value ^ here"},
      {severity::error, issue_code::forbidden, "MSH^1^4", "facility mismatch", hl7_error::application_internal_error},
      {severity::error, issue_code::duplicate, "Patient.identifier[0]", "dup"},
  };
  auto ack = acknowledge(in, outcome::rejected, issues, at_noon());
  parse_result r = reparse(*ack);
  const message& m = *r.msg;
  ASSERT_EQ(m.segment_count(), 5u);
  EXPECT_EQ(m.at(2).field(2).raw(), "MSH^1^4");
  EXPECT_EQ(m.at(3).field(2).raw(), "");
  EXPECT_EQ(m.at(3).field(7).text(), "Patient.identifier[0]");
  EXPECT_EQ(m.at(3).get(3, 1).raw(), "205");
  EXPECT_EQ(m.at(4).field(4).raw(), "W");
  EXPECT_EQ(m.at(4).field(8).text(), "odd | value ^ here");
}

TEST(Hl7Ack, ErrSegmentsAreCapped) {
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|X|P|2.5\r";
  parse_result in = parse(s);
  fhir::issue_list issues(500, issue{severity::error, issue_code::value, "PID^1^3", "bad"});
  ack_settings st;
  st.max_err_segments = 5;
  auto ack = acknowledge(in, outcome::rejected, issues, at_noon(), st);
  parse_result r = reparse(*ack);
  EXPECT_EQ(r.msg->segment_count(), 2u + 5u + 1u);
}

TEST(Hl7Ack, LegacyVersionUsesErr1AndOwnDelimiters) {
  std::string s = "MSH#*!%$#A#B#C#D#2026##ADT*A01#X#P#2.3\r";
  parse_result in = parse(s);
  ASSERT_TRUE(in.ok());
  fhir::issue_list issues{{severity::error, issue_code::required, "PID^1^3", "missing"}};
  auto ack = acknowledge(in, outcome::rejected, issues, at_noon());
  ASSERT_TRUE(ack.has_value());
  EXPECT_TRUE(ack->starts_with("MSH#*!%$#C#D#A#B#"));
  parse_result r = reparse(*ack);
  EXPECT_EQ(r.msg->at(1).field(1).raw(), "AE");
  EXPECT_EQ(r.msg->at(1).field(3).text(), "missing");
  segment e = r.msg->at(2);
  EXPECT_EQ(e.get(1, 1).raw(), "PID");
  EXPECT_EQ(e.get(1, 3).raw(), "3");
  EXPECT_EQ(e.get(1, 4, 1).raw(), "101");
  EXPECT_EQ(e.get(1, 4, 3).raw(), "HL70357");
}

TEST(Hl7Ack, ExplicitControlIdAndZone) {
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|X|T|2.5\r";
  parse_result in = parse(s);
  ack_params p = at_noon();
  p.control_id = "GW-1";
  ack_settings st;
  st.utc_offset_minutes = -90;
  auto ack = acknowledge(in, outcome::stored, {}, p, st);
  parse_result r = reparse(*ack);
  EXPECT_EQ(r.msg->control_id().raw(), "GW-1");
  EXPECT_EQ(r.msg->header().field(7).raw(), "20261120033000-0130");
  EXPECT_EQ(r.msg->header().field(11).raw(), "T");
}

/// The enhanced-mode sample with MSH-15 and MSH-16 set to `accept` and `application`.
std::string enhanced_sample(std::string_view accept, std::string_view application) {
  std::string s = test::sample("adt-a04-enhanced-ack-42005.hl7");
  const std::string was = "|||AL|NE|VNM|";
  std::size_t p = s.find(was);
  EXPECT_NE(p, std::string::npos);
  if (p != std::string::npos)
    s.replace(p, was.size(), "|||" + std::string(accept) + "|" + std::string(application) + "|VNM|");
  return s;
}

/// MSA-1 of each acknowledgement.
std::vector<std::string> codes_of(const std::vector<std::string>& acks) {
  std::vector<std::string> out;
  for (const auto& a : acks) out.emplace_back(reparse(a).msg->at(1).field(1).raw());
  return out;
}

using codes = std::vector<std::string>;

TEST(Hl7Ack, EnhancedModeApplicationAckFollowsTheCommitAck) {
  std::string bytes = enhanced_sample("AL", "AL");
  parse_result in = parse(bytes);
  ASSERT_TRUE(in.ok());
  auto acks = acknowledgements(&*in.msg, outcome::stored, in.issues, at_noon());
  ASSERT_EQ(acks.size(), 2u);
  parse_result commit = reparse(acks[0]);
  parse_result app = reparse(acks[1]);
  EXPECT_EQ(commit.msg->at(1).field(1).raw(), "CA");
  EXPECT_EQ(app.msg->at(1).field(1).raw(), "AA");
  // Its own MSH: a new control id, the same addressing; MSA-2 names the original message.
  EXPECT_EQ(commit.msg->control_id().raw(), "ACK42005-ADT-0000301");
  EXPECT_EQ(app.msg->control_id().raw(), "APP42005-ADT-0000301");
  EXPECT_EQ(app.msg->at(1).field(2).raw(), "42005-ADT-0000301");
  EXPECT_EQ(app.msg->header().field(9).raw(), "ACK^A04^ACK");
  EXPECT_EQ(app.msg->header().field(5).raw(), "HIS");
  EXPECT_EQ(app.msg->header().get(6, 1).raw(), "42005");
  EXPECT_EQ(app.msg->header().field(3).raw(), "EMRGW");
  // An acknowledgement never asks for acknowledgements itself.
  EXPECT_TRUE(app.msg->header().field(15).empty());
  EXPECT_TRUE(app.msg->header().field(16).empty());

  // The answer as one string: both, back to back, found again by split_messages.
  auto answer = acknowledge(&*in.msg, outcome::stored, in.issues, at_noon());
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(*answer, acks[0] + acks[1]);
  auto parts = split_messages(*answer);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], acks[0]);
  EXPECT_EQ(parts[1], acks[1]);

  // An explicit control id gets a suffix for the application acknowledgement.
  ack_params p = at_noon();
  p.control_id = "GW-7";
  acks = acknowledgements(&*in.msg, outcome::stored, in.issues, p);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(reparse(acks[0]).msg->control_id().raw(), "GW-7");
  EXPECT_EQ(reparse(acks[1]).msg->control_id().raw(), "GW-7-APP");
}

TEST(Hl7Ack, EnhancedModeApplicationAckCarriesTheErrors) {
  std::string bytes = enhanced_sample("AL", "AL");
  parse_result in = parse(bytes);
  fhir::issue_list issues{{severity::error, issue_code::required, "PV1^1^19", "visit number missing"}};
  auto acks = acknowledgements(&*in.msg, outcome::rejected, issues, at_noon());
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(codes_of(acks), (codes{"CE", "AE"}));
  parse_result app = reparse(acks[1]);
  std::size_t err = app.msg->find_index("ERR");
  ASSERT_LT(err, app.msg->segment_count());
  EXPECT_EQ(app.msg->at(err).field(2).raw(), "PV1^1^19");
  EXPECT_EQ(app.msg->at(err).field(4).raw(), "E");
}

TEST(Hl7Ack, EnhancedModeConditionsChooseWhichAcksAreSent) {
  const fhir::issue_list content{{severity::error, issue_code::value, "PID^1^7", "bad date"}};
  const fhir::issue_list version{
      {severity::error, issue_code::not_supported, "MSH^1^12", "v", hl7_error::unsupported_version_id}};
  auto run = [&](std::string_view accept, std::string_view application, outcome o, const fhir::issue_list& issues) {
    std::string bytes = enhanced_sample(accept, application);
    parse_result in = parse(bytes);
    return codes_of(acknowledgements(&*in.msg, o, issues, at_noon()));
  };
  // The sample as sent: MSH-16 NE, commit acknowledgement only.
  EXPECT_EQ(run("AL", "NE", outcome::stored, {}), (codes{"CA"}));
  // MSH-15 NE: no commit acknowledgement, the application's still.
  EXPECT_EQ(run("NE", "AL", outcome::stored, {}), (codes{"AA"}));
  EXPECT_EQ(run("NE", "NE", outcome::stored, {}), (codes{}));
  // ER: only when something went wrong; SU: only on success.
  EXPECT_EQ(run("AL", "ER", outcome::stored, {}), (codes{"CA"}));
  EXPECT_EQ(run("AL", "ER", outcome::rejected, content), (codes{"CE", "AE"}));
  EXPECT_EQ(run("ER", "ER", outcome::rejected, content), (codes{"CE", "AE"}));
  EXPECT_EQ(run("ER", "SU", outcome::stored, {}), (codes{"AA"}));
  EXPECT_EQ(run("AL", "SU", outcome::rejected, content), (codes{"CE"}));
  // Nothing committed (the sender sends again) or never to be processed: no application answer.
  EXPECT_EQ(run("AL", "AL", outcome::not_stored, {}), (codes{"CR"}));
  EXPECT_EQ(run("NE", "AL", outcome::not_stored, {}), (codes{}));
  EXPECT_EQ(run("AL", "AL", outcome::rejected, version), (codes{"CR"}));
  // Original mode is one ACK whatever happened.
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT^A04|X|P|2.5\r";
  parse_result in = parse(s);
  EXPECT_EQ(codes_of(acknowledgements(&*in.msg, outcome::stored, {}, at_noon())), (codes{"AA"}));
  EXPECT_EQ(codes_of(acknowledgements(nullptr, outcome::rejected, {}, at_noon())), (codes{"AE"}));
}

TEST(Hl7Ack, SplitMessagesFindsEachMsh) {
  EXPECT_TRUE(split_messages("").empty());
  const std::string a = "MSH|^~\\&|A|B\rMSA|CA|1\r", b = "MSH|^~\\&|A|B\rMSA|AA|1\rERR||PID^1|MSH\r";
  auto one = split_messages(a);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], a);
  const std::string both = a + b;  // the views point into it
  auto two = split_messages(both);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0], a);
  EXPECT_EQ(two[1], b);  // "MSH" inside a segment is no new message
  // Without a final CR the last message is still whole.
  const std::string unterminated = a + b.substr(0, b.size() - 1);
  auto open = split_messages(unterminated);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[1], b.substr(0, b.size() - 1));
}

}  // namespace
}  // namespace gw::hl7v2
