// kill -9 at random moments: every message that got AA is in the store exactly once, and every
// message that a client re-sent after a missing answer ends up stored exactly once.
//
// Short in the suite (4 clients, 2,000 messages, 2 kills). The long run is scripts/crash-test.sh:
// GW_CRASH_MESSAGES=20000 GW_CRASH_KILLS=5 (it prints its counts).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/support/gateway_process.hpp"

namespace gw::test {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::string admission(const std::string& facility, int client, int i) {
  auto n = std::to_string(client) + "-" + std::to_string(i);
  return "MSH|^~\\&|HIS|" + facility + "|EMRGW|SYT_HATINH|202611210800+0700||ADT^A04^ADT_A01|CRASH-" + n +
         "|P|2.5.1\r"
         "EVN|A04|202611210800+0700\r"
         "PID|1||MRN" +
         n + "^^^" + facility +
         "^PI||Thu^Nghiem^^^^^L||19900512|F\r"
         "PV1|1|O|K01^^^" +
         facility + "||||||||||||||||V" + n + "^^^" + facility + "^VN\r";
}

TEST(crash, acknowledged_messages_survive_kill_9_exactly_once) {
  const int total = env_int("GW_CRASH_MESSAGES", 2000);
  const int kills = env_int("GW_CRASH_KILLS", 2);
  const std::vector<std::string> facilities{"42001", "42005", "42007", "42013"};
  const int clients = static_cast<int>(facilities.size());
  const int per_client = total / clients;

  gateway_process gw;
  ASSERT_TRUE(gw.start()) << gw.log();

  std::atomic<int> acked{0}, resends{0}, non_aa{0};
  std::mutex mu;
  std::set<std::string> acked_keys;
  std::atomic<bool> restarting{false};

  auto client = [&](int c) {
    const auto& fac = facilities[static_cast<std::size_t>(c)];
    auto opts = gw.as_facility(fac);
    std::unique_ptr<tls_client> conn;
    for (int i = 0; i < per_client; ++i) {
      auto msg = admission(fac, c, i);
      for (int attempt = 0;; ++attempt) {
        if (attempt > 0) ++resends;
        if (!conn || !conn->connected()) conn = std::make_unique<tls_client>(gw.mllp_port(), opts);
        std::optional<std::string> ack;
        if (conn->connected() && conn->send(mllp_frame(msg))) ack = conn->read_mllp(std::chrono::seconds(15));
        if (ack && msa_code(*ack) == "AA") {
          ++acked;
          std::lock_guard lk(mu);
          acked_keys.insert(fac + "|CRASH-" + std::to_string(c) + "-" + std::to_string(i));
          break;
        }
        if (ack && msa_code(*ack) != "AR") {
          ++non_aa;  // AE would be a bug for these well-formed messages
          break;
        }
        conn.reset();  // no answer or AR: reconnect and send the same message again
        std::this_thread::sleep_for(std::chrono::milliseconds(restarting ? 200 : 20));
      }
    }
  };

  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) threads.emplace_back(client, c);

  // Kill at random points of the run, each time restarting the gateway.
  std::mt19937 rng(static_cast<unsigned>(env_int("GW_CRASH_SEED", 4242)));
  for (int k = 1; k <= kills; ++k) {
    int at = total * k / (kills + 1) +
             static_cast<int>(rng() % static_cast<unsigned>(std::max(1, total / (4 * (kills + 1)))));
    while (acked < at && acked < clients * per_client) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    restarting = true;
    gw.kill_hard();
    ASSERT_TRUE(gw.start()) << gw.log();
    restarting = false;
  }
  for (auto& t : threads) t.join();

  const int expected = clients * per_client;
  EXPECT_EQ(non_aa.load(), 0);
  EXPECT_EQ(acked.load(), expected);
  EXPECT_EQ(static_cast<int>(acked_keys.size()), expected);
  // Exactly once: one raw message and one key per message, whatever was re-sent.
  EXPECT_EQ(gw.db("SELECT count(*) FROM inbound_message"), std::to_string(expected));
  EXPECT_EQ(gw.db("SELECT count(*) FROM message_key"), std::to_string(expected));
  EXPECT_EQ(gw.db("SELECT count(*) FROM (SELECT message_key FROM inbound_message GROUP BY facility, message_key "
                  "HAVING count(*) > 1) d"),
            "0");
  EXPECT_EQ(gw.db("SELECT count(*) FROM resource WHERE type = 'Encounter'"), std::to_string(expected));
  std::printf("crash: messages=%d kills=%d acknowledged=%d resends=%d stored=%s\n", expected, kills, acked.load(),
              resends.load(), gw.db("SELECT count(*) FROM inbound_message").c_str());
}

// The answer waits for the commit. Another session holds the facility's counter row, which the
// ingest transaction updates last: the message is written but not committed, and the sender must
// get nothing yet. Released, the AA follows. Killed in that window, the gateway has acknowledged
// nothing and stored nothing; the same message sent again after the restart is stored once.
TEST(crash, no_answer_before_the_commit_and_kill_9_before_it_loses_nothing_acknowledged) {
  using namespace std::chrono_literals;
  gateway_process gw;
  ASSERT_TRUE(gw.start()) << gw.log();
  const auto opts = gw.as_facility("42001");
  const auto stored = [&] { return gw.db("SELECT count(*) FROM inbound_message"); };
  const auto waiting_for_the_lock = [&] {
    return gw.db(
               "SELECT count(*) FROM pg_stat_activity WHERE datname = 'emr_gateway' AND wait_event_type = 'Lock' "
               "AND backend_type = 'client backend'") == "1";
  };
  {
    tls_client c(gw.mllp_port(), opts);
    ASSERT_TRUE(c.send(mllp_frame(admission("42001", 9, 0))));
    const auto a = c.read_mllp(30s);
    ASSERT_TRUE(a.has_value());
    ASSERT_EQ(msa_code(*a), "AA") << *a;  // today's counter row exists from here on
  }
  const auto hold_counter = [&](pqxx::work& tx) {
    // The table, not today's row: past midnight UTC the counter is a new row, which a row lock
    // would not hold back.
    tx.exec("LOCK TABLE facility_counter IN EXCLUSIVE MODE");
  };

  // 1. Held: written, not committed, not answered. Released: committed, then answered.
  {
    pqxx::connection holder(gw.pg().dsn("emr_gateway"));
    auto lock = std::make_unique<pqxx::work>(holder);
    hold_counter(*lock);
    tls_client c(gw.mllp_port(), opts);
    ASSERT_TRUE(c.send(mllp_frame(admission("42001", 9, 1))));
    ASSERT_TRUE(eventually(waiting_for_the_lock, 60s)) << gw.log();
    const auto early = c.read_mllp(2s);
    EXPECT_FALSE(early.has_value()) << "answered before the commit: " << *early;
    EXPECT_EQ(stored(), "1");
    lock->abort();
    lock.reset();
    const auto a = c.read_mllp(30s);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(msa_code(*a), "AA") << *a;
    EXPECT_EQ(stored(), "2");
  }

  // 2. kill -9 while the commit waits: no AA was sent, and nothing of the message stays.
  {
    auto holder = std::make_unique<pqxx::connection>(gw.pg().dsn("emr_gateway"));
    auto lock = std::make_unique<pqxx::work>(*holder);
    hold_counter(*lock);
    tls_client c(gw.mllp_port(), opts);
    ASSERT_TRUE(c.send(mllp_frame(admission("42001", 9, 2))));
    ASSERT_TRUE(eventually(waiting_for_the_lock, 60s)) << gw.log();
    gw.kill_hard();
    const auto after_kill = c.read_mllp(5s);
    EXPECT_FALSE(after_kill.has_value() && msa_code(*after_kill) == "AA") << *after_kill;
    lock->abort();
    lock.reset();
    holder.reset();
    // The killed gateway's session ends without a COMMIT: its transaction is rolled back.
    EXPECT_TRUE(eventually(
        [&] {
          return gw.db(
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = 'emr_gateway' "
                     "AND backend_type = 'client backend' AND pid <> pg_backend_pid()") == "0";
        },
        60s));
    EXPECT_EQ(stored(), "2");
  }
  ASSERT_TRUE(gw.start()) << gw.log();
  {
    tls_client c(gw.mllp_port(), opts);
    ASSERT_TRUE(c.send(mllp_frame(admission("42001", 9, 2))));
    const auto a = c.read_mllp(30s);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(msa_code(*a), "AA") << *a;
  }
  EXPECT_EQ(stored(), "3");
  EXPECT_EQ(gw.db("SELECT count(*) FROM message_key"), "3");
}

}  // namespace
}  // namespace gw::test
