#include "gateway/store/errors.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <pqxx/pqxx>
#include <string_view>
#include <typeinfo>

#include "gateway/store/database.hpp"

namespace gw::store {

namespace {

/// The class of a SQLSTATE (its first two characters), as PostgreSQL's appendix A names them.
std::string_view sqlstate_class(std::string_view state) {
  const std::string_view c = state.substr(0, 2);
  if (state == "57014") return "query canceled or statement timeout";
  if (c == "08") return "connection exception";
  if (c == "22") return "data exception";
  if (c == "23") return "integrity constraint violation";
  if (c == "25") return "invalid transaction state";
  if (c == "40") return "transaction rollback";
  if (c == "42") return "syntax error or access rule violation";
  if (c == "53") return "insufficient resources";
  if (c == "54") return "program limit exceeded";
  if (c == "55") return "object not in prerequisite state";
  if (c == "57") return "operator intervention";
  if (c == "58") return "system error";
  if (c == "XX") return "internal error";
  return "server error";
}

std::string readable_type(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(t.name());
}

}  // namespace

std::string describe_error(const std::exception& e) {
  if (const auto* s = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string state = s->sqlstate();
    if (state.empty()) return "server error";
    return "SQLSTATE " + state + " (" + std::string(sqlstate_class(state)) + ")";
  }
  // libpqxx reports these without a sqlstate (they are not sql_errors).
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr) return "SQLSTATE 40001 (serialization failure)";
  if (dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) return "SQLSTATE 40P01 (deadlock detected)";
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) return "transaction rolled back";
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return "commit in doubt";
  if (dynamic_cast<const pqxx::too_many_connections*>(&e) != nullptr) return "too many connections";
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return "connection lost";
  if (dynamic_cast<const unavailable*>(&e) != nullptr) return "database unavailable";
  return readable_type(typeid(e));
}

}  // namespace gw::store
