#pragma once
/// Numbered schema migrations: one list per database (the gateway's own, the national stub's).
/// Applied in order at start-up, one transaction each, serialised across processes with an
/// advisory lock; applied versions are recorded in that database's `schema_migration` table.
/// Never edit a migration that has shipped: add a new one.

#include <span>
#include <string_view>

namespace gw::store {

struct migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

struct schema {
  std::span<const migration> migrations;
  long long lock_key;  ///< advisory lock shared by every process migrating this database
};

/// The gateway's schema (gateway/store/migrations.cpp).
schema gateway_schema();

}  // namespace gw::store
