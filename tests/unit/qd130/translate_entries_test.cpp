// QĐ 130 → FHIR: every resource goes into the Bundle once, with one Provenance target, however
// often the envelope repeats it and however far the entries outgrow the translator's estimate.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "adapters/qd130/translate.hpp"
#include "tests/unit/qd130/test_util.hpp"

namespace gw::qd130 {
namespace {

context entries_context() {
  context c;
  c.authenticated_facility = "42001";
  c.sha256_hex = std::string(64, 'b');
  return c;
}

/// Each fullUrl and request url once; the Provenance (last) names every other entry once.
void expect_each_entry_once(const fhir::Bundle& b) {
  ASSERT_FALSE(b.entry.empty());
  std::set<std::string> urls, full_urls;
  for (const auto& e : b.entry) {
    ASSERT_TRUE(e.request.has_value());
    EXPECT_TRUE(urls.insert(e.request->url).second) << e.request->url;
    EXPECT_TRUE(full_urls.insert(e.full_url).second) << e.full_url;
  }
  const auto* p = b.entry.back().resource.get_if<fhir::Provenance>();
  ASSERT_NE(p, nullptr);
  std::set<std::string> targets;
  for (const auto& t : p->target) EXPECT_TRUE(targets.insert(t.reference).second) << t.reference;
  EXPECT_EQ(targets.size(), b.entry.size() - 1);
  for (const auto& e : b.entry) {
    if (e.resource.get_if<fhir::Provenance>() == nullptr) {
      EXPECT_EQ(targets.count(e.request->url), 1u);
    }
  }
}

std::size_t count_conditions(const fhir::Bundle& b) {
  std::size_t n = 0;
  for (const auto& e : b.entry) n += e.resource.get_if<fhir::Condition>() != nullptr ? 1 : 0;
  return n;
}

TEST(Qd130Entries, RepeatedRecordAddsNothing) {
  const auto once = decode(test::sample_envelope());
  ASSERT_TRUE(once.usable());
  auto twice = decode(test::sample_envelope());
  twice.env.records.push_back(twice.env.records.front());
  const auto a = translate(once, settings{}, entries_context());
  const auto b = translate(twice, settings{}, entries_context());
  expect_each_entry_once(a.bundle);
  expect_each_entry_once(b.bundle);
  ASSERT_EQ(a.bundle.entry.size(), b.bundle.entry.size());
  for (std::size_t i = 0; i < a.bundle.entry.size(); ++i)
    EXPECT_EQ(a.bundle.entry[i].request->url, b.bundle.entry[i].request->url);
}

TEST(Qd130Entries, ManyMoreEntriesThanRowsSuggest) {
  // 300 traditional-medicine codes (each a Condition), some repeated: far beyond the reservation
  // made from the row counts.
  std::string codes;
  for (int i = 0; i < 300; ++i) codes += (i == 0 ? "" : ";") + ("U" + std::to_string(100 + i % 250));
  auto decoded = decode(test::sample_envelope());
  ASSERT_TRUE(decoded.usable());
  auto& x1 = decoded.env.records.front().tables[static_cast<std::size_t>(table_id::xml1)].front();
  x1.fields.push_back(field{"MA_BENH_YHCT", codes});
  const auto plain = translate(decode(test::sample_envelope()), settings{}, entries_context());
  const auto t = translate(decoded, settings{}, entries_context());
  expect_each_entry_once(t.bundle);
  EXPECT_EQ(count_conditions(t.bundle), count_conditions(plain.bundle) + 250);
  EXPECT_EQ(t.bundle.entry.size(), plain.bundle.entry.size() + 250);
}

}  // namespace
}  // namespace gw::qd130
