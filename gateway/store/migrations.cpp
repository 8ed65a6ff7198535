// Numbered schema migrations, applied at start-up in order, one transaction each.
// Never edit a migration that has shipped: add a new one.
#include <string_view>

#include "gateway/store/database.hpp"
#include "gateway/store/detail/session.hpp"

namespace gw::store {

namespace {

struct migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

constexpr migration k_migrations[] = {
    {1, "facility registry",
     R"sql(
CREATE TABLE facility (
  code        text PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
  name        text NOT NULL,
  ownership   text NOT NULL CHECK (ownership IN ('public', 'private')),
  feeds       text[] NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE facility IS 'Facilities from configuration, refreshed at start-up (for status views).';
)sql"},
};

// One key for every gateway process sharing the database: migrations run one process at a time.
constexpr long long k_migration_lock = 0x454d52475731LL;  // "EMRGW1"

int apply_pending(session& s) {
  auto& c = s.conn();
  {
    pqxx::work tx(c);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        " version int PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    tx.commit();
  }
  int applied = 0;
  for (const auto& m : k_migrations) {
    pqxx::work tx(c);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", k_migration_lock);
    auto r = tx.exec_params("SELECT 1 FROM schema_migration WHERE version = $1", m.version);
    if (!r.empty()) continue;  // rolled back at scope exit: nothing to do
    tx.exec(std::string(m.sql));
    tx.exec_params("INSERT INTO schema_migration (version, name) VALUES ($1, $2)", m.version,
                   std::string(m.name));
    tx.commit();
    ++applied;
  }
  return applied;
}

}  // namespace

boost::asio::awaitable<int> database::migrate() {
  int applied = 0;
  co_await run([&applied](session& s) { applied = apply_pending(s); });
  migrated_ = true;
  co_return applied;
}

int database::migrate_sync() {
  int applied = 0;
  run_sync([&applied](session& s) { applied = apply_pending(s); });
  migrated_ = true;
  return applied;
}

}  // namespace gw::store
