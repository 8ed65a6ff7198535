#pragma once
// Private to gateway/store: a pool thread's connection.
#include <pqxx/pqxx>

#include <memory>
#include <utility>

#include "gateway/store/database.hpp"

namespace gw::store {

class session {
 public:
  explicit session(const db_settings& s) : settings_(s) {}
  /// The connection, opened on first use (throws `unavailable` when it cannot be).
  pqxx::connection& conn();
  void reset() { conn_.reset(); }
  bool broken() const { return conn_ && !conn_->is_open(); }

 private:
  const db_settings& settings_;
  std::unique_ptr<pqxx::connection> conn_;
};

namespace detail {

/// Runs `sql` as a statement prepared under `name` on this transaction's connection: parsed and
/// planned once per connection instead of once per call (libpqxx prepares it on first use, again
/// after a reconnect since a new connection starts empty). One name per SQL text.
template <class... Args>
pqxx::result exec_prepared(pqxx::transaction_base& tx, const char* name, const char* sql, Args&&... args) {
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace detail

}  // namespace gw::store
