#pragma once
// Private to gateway/store: a pool thread's connection.
#include <pqxx/pqxx>

#include <memory>

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

}  // namespace gw::store
