// emr-gateway dead-letters: outbox rows the national database refused for good or that ran out
// of attempts. List them, send them again (attempts reset) or drop them; every retry and drop is
// written to the audit table with the operator's name.
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "gateway/app/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/store/database.hpp"
#include "gateway/store/errors.hpp"
#include "gateway/store/outbox_store.hpp"

namespace gw::app {

namespace {
constexpr const char* k_usage =
    "usage: emr-gateway dead-letters list [--facility CODE] [--limit N]\n"
    "       emr-gateway dead-letters retry (SEQ... | --all)\n"
    "       emr-gateway dead-letters drop SEQ...\n"
    "       options: [--actor NAME] [--config FILE]\n"
    "  list: dead letters oldest first (seq, resource, version, attempts, when, why).\n"
    "  retry: back to the forwarder's queue with attempts reset. drop: never deliver them.\n"
    "  Each retried or dropped row is recorded in the audit table (actor = --actor or $USER).\n";
}

int cmd_dead_letters(const args& a) {
  if (a.empty()) {
    std::fputs(k_usage, stderr);
    return 2;
  }
  const std::string& action = a[0];
  std::string facility, actor;
  if (const char* u = std::getenv("USER")) actor = u;
  std::size_t limit = 1000;
  bool all = false;
  std::vector<std::int64_t> seqs;
  for (std::size_t i = 1; i < a.size(); ++i) {
    auto next = [&](std::string& out) {
      if (i + 1 < a.size()) out = a[++i];
    };
    std::int64_t seq = 0;
    if (a[i] == "--facility") {
      next(facility);
    } else if (a[i] == "--actor") {
      next(actor);
    } else if (a[i] == "--limit") {
      std::string v;
      next(v);
      limit = static_cast<std::size_t>(std::strtoull(v.c_str(), nullptr, 10));
    } else if (a[i] == "--all") {
      all = true;
    } else if (a[i] == "--config" || a[i] == "-c") {
      ++i;
    } else if (std::from_chars(a[i].data(), a[i].data() + a[i].size(), seq).ptr == a[i].data() + a[i].size() &&
               seq > 0) {
      seqs.push_back(seq);
    } else {
      std::fprintf(stderr, "dead-letters: unknown argument %s\n%s", a[i].c_str(), k_usage);
      return 2;
    }
  }
  bool ok_args = (action == "list" && seqs.empty() && !all) || (action == "retry" && (all != !seqs.empty())) ||
                 (action == "drop" && !seqs.empty() && !all);
  if (!ok_args) {
    std::fputs(k_usage, stderr);
    return 2;
  }
  if (actor.empty()) actor = "operator";

  auto loaded = load_or_report(config_path(a, false));
  if (!loaded) return 2;
  const auto& cfg = *loaded;
  store::database db({cfg.database.dsn, 1, cfg.database.connect_timeout, cfg.database.statement_timeout});
  store::outbox_store st(db);
  try {
    db.migrate_sync();
    if (action == "list") {
      auto rows = st.list_dead(facility, limit);
      std::printf("%-10s %-9s %-50s %-7s %-8s %-32s %s\n", "seq", "facility", "resource", "version", "attempts",
                  "dead since", "last error");
      for (const auto& d : rows)
        std::printf("%-10lld %-9s %-50s %-7d %-8d %-32s %s\n", static_cast<long long>(d.seq), d.facility.c_str(),
                    (d.type + "/" + d.id).c_str(), d.version, d.attempts, d.dead_at.c_str(), d.last_error.c_str());
      std::printf("dead-letters: %zu dead letter(s)%s\n", rows.size(), rows.size() == limit ? " (limit reached)" : "");
      return 0;
    }
    auto done =
        action == "retry" ? st.retry_dead(all ? std::vector<std::int64_t>{} : seqs, actor) : st.drop_dead(seqs, actor);
    std::printf("dead-letters: %s %zu row(s)", action == "retry" ? "retried" : "dropped", done.size());
    if (!all && done.size() < seqs.size())
      std::printf("; %zu given seq(s) were not dead letters", seqs.size() - done.size());
    std::printf(" (audited as %s)\n", actor.c_str());
    return !all && done.size() < seqs.size() ? 1 : 0;
  } catch (const std::exception& e) {
    // Not e.what(): the server's message can quote the row (patient data).
    std::fprintf(stderr, "dead-letters: database error: %s\n", store::describe_error(e).c_str());
    return 1;
  }
}

}  // namespace gw::app
