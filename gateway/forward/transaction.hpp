#pragma once
/// The FHIR side of a delivery, with no I/O: a transaction Bundle made straight from stored JSON
/// text, and what the national database's answer says about each entry.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/outbox_store.hpp"

namespace gw::forward {

/// `{"resourceType":"Bundle","type":"transaction","entry":[...]}` with one
/// `PUT <Type>/<id>` entry per row, in the rows' order (the national database applies them in
/// that order). Each row's resource_json is inserted as it is (it is already valid JSON).
std::string transaction_bundle(std::span<const store::outbox_row> rows);

/// One entry the national database refused (422): its index in the Bundle and why.
struct refusal {
  std::size_t entry = 0;
  std::string diagnostics;
};

/// The refusals an OperationOutcome names through `expression: ["Bundle.entry[<i>]..."]`
/// (issues without such an index are ignored; an unreadable body gives none).
std::vector<refusal> refused_entries(std::string_view operation_outcome_json, std::size_t entries);

/// The number of entries of a `transaction-response` Bundle, or nullopt when the body is not one.
std::optional<std::size_t> response_entries(std::string_view bundle_json);

}  // namespace gw::forward
