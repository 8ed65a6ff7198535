// The stub's fault schedule: a pure function of (seed, n), with the configured shares.
#include <gtest/gtest.h>

#include "gateway/stub/faults.hpp"

namespace gw::stub {
namespace {

fault_settings some_faults(std::uint64_t seed) {
  fault_settings s;
  s.seed = seed;
  s.error_rate = 0.2;
  s.drop_after_write_rate = 0.1;
  s.latency = ms(5);
  s.latency_jitter = ms(20);
  return s;
}

TEST(stub_faults, same_seed_and_number_give_the_same_decision) {
  auto s = some_faults(42);
  for (std::uint64_t n = 0; n < 2000; ++n) {
    auto a = decide(s, n), b = decide(s, n);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.delay, b.delay);
  }
}

TEST(stub_faults, another_seed_gives_another_schedule) {
  auto a = some_faults(1), b = some_faults(2);
  int differ = 0;
  for (std::uint64_t n = 0; n < 1000; ++n) differ += decide(a, n).kind != decide(b, n).kind ? 1 : 0;
  EXPECT_GT(differ, 100);
}

TEST(stub_faults, shares_match_the_rates) {
  auto s = some_faults(7);
  const int total = 100'000;
  int errors = 0, e500 = 0, drops = 0;
  for (std::uint64_t n = 0; n < total; ++n) {
    auto d = decide(s, n);
    if (d.kind == fault_kind::error_500 || d.kind == fault_kind::error_503) ++errors;
    if (d.kind == fault_kind::error_500) ++e500;
    if (d.kind == fault_kind::drop_after_write) ++drops;
    EXPECT_GE(d.delay, ms(5));
    EXPECT_LE(d.delay, ms(25));
  }
  EXPECT_NEAR(errors / double(total), 0.2, 0.01);
  EXPECT_NEAR(drops / double(total), 0.1, 0.01);
  EXPECT_NEAR(e500 / double(errors), 0.5, 0.03);  // both kinds of 5xx occur
}

TEST(stub_faults, rates_of_zero_and_one) {
  fault_settings none;
  fault_settings all;
  all.error_rate = 1;
  for (std::uint64_t n = 0; n < 1000; ++n) {
    EXPECT_EQ(decide(none, n).kind, fault_kind::none);
    EXPECT_EQ(decide(none, n).delay, ms(0));
    auto k = decide(all, n).kind;
    EXPECT_TRUE(k == fault_kind::error_500 || k == fault_kind::error_503);
  }
}

TEST(stub_faults, the_state_numbers_requests_from_zero_after_each_set) {
  auto t0 = std::chrono::steady_clock::now();
  auto s = some_faults(9);
  fault_state st(s, t0);
  std::vector<fault_kind> first;
  for (int i = 0; i < 50; ++i) {
    auto v = st.next(t0);
    EXPECT_EQ(v.n, static_cast<std::uint64_t>(i));
    first.push_back(v.decision.kind);
  }
  st.set(s, t0);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(st.next(t0).decision.kind, first[static_cast<std::size_t>(i)]);
}

TEST(stub_faults, outage_windows_relative_to_start_and_manual_outages) {
  auto t0 = std::chrono::steady_clock::now();
  fault_settings s;
  s.outages.push_back({std::chrono::seconds(10), std::chrono::seconds(5)});
  fault_state st(s, t0);
  EXPECT_FALSE(st.next(t0 + std::chrono::seconds(9)).outage_left);
  auto in = st.next(t0 + std::chrono::seconds(11));
  ASSERT_TRUE(in.outage_left);
  EXPECT_EQ(*in.outage_left, std::chrono::seconds(4));
  EXPECT_FALSE(st.next(t0 + std::chrono::seconds(15)).outage_left);
  st.start_outage(std::chrono::seconds(3), t0 + std::chrono::seconds(20));
  EXPECT_TRUE(st.next(t0 + std::chrono::seconds(22)).outage_left);
  EXPECT_FALSE(st.next(t0 + std::chrono::seconds(23)).outage_left);
}

TEST(stub_faults, json_round_trip_and_refusals) {
  auto s = some_faults(3);
  s.outages.push_back({std::chrono::seconds(10), std::chrono::seconds(60)});
  s.slow_read_bytes_per_second = 4096;
  fault_settings back;
  ASSERT_EQ(from_json(to_json(s), back), "");
  EXPECT_EQ(to_json(back), to_json(s));
  EXPECT_EQ(back.outages.at(0).duration, std::chrono::seconds(60));

  fault_settings untouched = back;
  EXPECT_NE(from_json(R"({"error_rate":1.5})", untouched), "");
  EXPECT_NE(from_json(R"({"error_rate":0.7,"drop_after_write_rate":0.5})", untouched), "");
  EXPECT_NE(from_json(R"({"colour":"red"})", untouched), "");
  EXPECT_NE(from_json("not json", untouched), "");
  EXPECT_EQ(to_json(untouched), to_json(back));  // a refused body changes nothing
  fault_settings cleared = back;
  ASSERT_EQ(from_json("{}", cleared), "");
  EXPECT_EQ(cleared.error_rate, 0);
  EXPECT_TRUE(cleared.outages.empty());
}

}  // namespace
}  // namespace gw::stub
