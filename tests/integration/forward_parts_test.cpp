// The forwarder's pieces without I/O: the transaction Bundle made from stored JSON, what a 422
// OperationOutcome names, the national URL, and the circuit breaker's states and attempt rule.
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "gateway/forward/circuit_breaker.hpp"
#include "gateway/forward/national_client.hpp"
#include "gateway/forward/transaction.hpp"

namespace gw::forward {
namespace {

TEST(forward_transaction, bundle_has_one_put_per_row_in_order_with_the_stored_content) {
  std::vector<store::outbox_row> rows(2);
  rows[0] = {
      1,
      "p",
      "Patient",
      "00000000-0000-4000-8000-000000000001",
      3,
      0,
      R"({"resourceType": "Patient", "id": "00000000-0000-4000-8000-000000000001", "meta": {"versionId": "3"}})"};
  rows[1] = {2,
             "p",
             "Encounter",
             "00000000-0000-4000-8000-000000000002",
             1,
             0,
             R"({"resourceType": "Encounter", "id": "00000000-0000-4000-8000-000000000002"})"};
  auto json = transaction_bundle(rows);
  rapidjson::Document d;
  d.Parse(json.c_str());
  ASSERT_FALSE(d.HasParseError()) << json;
  EXPECT_STREQ(d["resourceType"].GetString(), "Bundle");
  EXPECT_STREQ(d["type"].GetString(), "transaction");
  ASSERT_EQ(d["entry"].Size(), 2u);
  EXPECT_STREQ(d["entry"][0]["request"]["method"].GetString(), "PUT");
  EXPECT_STREQ(d["entry"][0]["request"]["url"].GetString(), "Patient/00000000-0000-4000-8000-000000000001");
  EXPECT_STREQ(d["entry"][0]["resource"]["meta"]["versionId"].GetString(), "3");
  EXPECT_STREQ(d["entry"][1]["request"]["url"].GetString(), "Encounter/00000000-0000-4000-8000-000000000002");
  EXPECT_EQ(transaction_bundle({}), R"({"resourceType":"Bundle","type":"transaction","entry":[]})");
}

TEST(forward_transaction, refusals_name_the_entries_of_the_outcome) {
  auto oo = R"({"resourceType":"OperationOutcome","issue":[
    {"severity":"error","code":"invalid","expression":["Bundle.entry[2].resource.subject"],"diagnostics":"unknown Patient"},
    {"severity":"error","code":"invalid","expression":["Bundle.entry[2].resource.code"],"diagnostics":"code missing"},
    {"severity":"error","code":"invalid","expression":["Bundle.entry[0]"]},
    {"severity":"error","code":"invalid","expression":["Bundle.entry[9]"]},
    {"severity":"error","code":"invalid","expression":["Patient.name"]},
    {"severity":"error","code":"invalid"}]})";
  auto r = refused_entries(oo, 3);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].entry, 2u);
  EXPECT_EQ(r[0].diagnostics, "unknown Patient; code missing");
  EXPECT_EQ(r[1].entry, 0u);
  EXPECT_TRUE(refused_entries("not json", 3).empty());
  EXPECT_TRUE(refused_entries(R"({"issue":[{"expression":["Bundle.entry[x]"]}]})", 3).empty());
  EXPECT_EQ(response_entries(R"({"resourceType":"Bundle","type":"transaction-response","entry":[{},{}]})"), 2u);
  EXPECT_FALSE(response_entries(R"({"resourceType":"Bundle","type":"searchset"})"));
}

TEST(forward_url, https_urls_split_into_host_port_and_path) {
  auto e = parse_https_url("https://127.0.0.1:9643/fhir");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, "9643");
  EXPECT_EQ(e->path, "/fhir");
  auto d = parse_https_url("https://national.example.vn");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, "443");
  EXPECT_EQ(d->path, "/");
  auto v6 = parse_https_url("https://[::1]:8443/fhir/r4");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->path, "/fhir/r4");
  EXPECT_FALSE(parse_https_url("http://127.0.0.1/fhir"));
  EXPECT_FALSE(parse_https_url("https://:80/"));
  EXPECT_FALSE(parse_https_url("https://host:99999/"));
}

TEST(forward_breaker, opens_after_consecutive_failures_probes_after_the_cooldown_and_closes_on_success) {
  using namespace std::chrono_literals;
  circuit_breaker b(3, 1000ms, 10'000ms);
  auto t = circuit_breaker::clock::now();
  EXPECT_EQ(b.acquire(t), circuit_breaker::permit::batch);
  EXPECT_TRUE(b.on_failure(t, false));
  EXPECT_TRUE(b.on_failure(t, false));
  b.on_success();  // not consecutive any more
  EXPECT_TRUE(b.on_failure(t, false));
  EXPECT_TRUE(b.on_failure(t, false));
  EXPECT_EQ(b.current(), circuit_breaker::state::closed);
  EXPECT_TRUE(b.on_failure(t, false));  // the third in a row counts and opens it
  EXPECT_EQ(b.current(), circuit_breaker::state::open);
  // Batches that were already out and fail now count no attempt.
  EXPECT_FALSE(b.on_failure(t, false));
  EXPECT_EQ(b.acquire(t + 999ms), circuit_breaker::permit::wait);
  EXPECT_EQ(b.acquire(t + 1000ms), circuit_breaker::permit::probe);
  EXPECT_EQ(b.acquire(t + 1000ms), circuit_breaker::permit::wait);  // one probe at a time
  // A failed probe counts nothing and waits at least what the server asked for.
  EXPECT_FALSE(b.on_failure(t + 1000ms, true, 5000ms));
  EXPECT_EQ(b.acquire(t + 5999ms), circuit_breaker::permit::wait);
  EXPECT_EQ(b.acquire(t + 6000ms), circuit_breaker::permit::probe);
  b.abandon_probe(t + 6000ms);  // nothing was due
  EXPECT_EQ(b.acquire(t + 6300ms), circuit_breaker::permit::probe);
  b.on_success();
  EXPECT_EQ(b.current(), circuit_breaker::state::closed);
  EXPECT_EQ(b.acquire(t + 6300ms), circuit_breaker::permit::batch);
  EXPECT_EQ(b.openings(), 1);
}

TEST(forward_breaker, a_long_outage_costs_a_row_at_most_the_attempts_before_it_opened) {
  using namespace std::chrono_literals;
  circuit_breaker b(5, 100ms, 1000ms);
  auto t = circuit_breaker::clock::now();
  int counted = 0;
  // Ten minutes of outage, probing every cool-down.
  for (int i = 0; i < 6000; ++i) {
    auto now = t + i * 100ms;
    auto p = b.acquire(now);
    if (p == circuit_breaker::permit::wait) continue;
    counted += b.on_failure(now, p == circuit_breaker::permit::probe) ? 1 : 0;
  }
  EXPECT_EQ(counted, 5);
}

}  // namespace
}  // namespace gw::forward
