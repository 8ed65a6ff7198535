#pragma once
/// What the national database checks in what it receives, before storing anything: a request
/// body that is not JSON or not a transaction Bundle is malformed (400); otherwise every entry must
/// be a PUT of `Type/id` of a valid R4 resource (fhir::read + fhir::validate), every Patient must
/// carry the CCCD or a facility record number, and every relative reference must name an entry of
/// the same Bundle or (checked in the database afterwards) a stored resource. Problems are issues
/// located as `Bundle.entry[<i>]...` (for a single PUT: `<Type>...`), so the sender can tell which
/// entry failed. No I/O here.

#include <string>
#include <string_view>
#include <vector>

#include "fhir/issue.hpp"
#include "fhir/json.hpp"
#include "gateway/stub/stub_store.hpp"

namespace gw::stub {

struct check_settings {
  std::string cccd_system;
  std::vector<std::string> record_number_systems;  ///< '*' matches any run of characters
  fhir::json_limits limits;
};

struct checked_request {
  enum class verdict : std::uint8_t { ok, malformed, invalid };
  verdict what = verdict::ok;
  fhir::issue_list issues;        ///< errors for `malformed` / `invalid`
  write_batch batch;              ///< entries to store when ok (references still to check)
  std::vector<std::string> keys;  ///< "Type/id" per entry
};

/// Checks a `POST /fhir` body (transaction Bundle of PUTs).
checked_request check_transaction(std::string_view body, const check_settings& s);
/// Checks a `PUT /fhir/<type>/<id>` body.
checked_request check_put(std::string_view body, std::string_view type, std::string_view id, const check_settings& s);

/// True when `text` matches `pattern`, where '*' stands for any run of characters.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace gw::stub
