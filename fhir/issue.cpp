#include "fhir/issue.hpp"

#include <algorithm>

namespace gw::fhir {

std::string_view to_string(severity s) {
  switch (s) {
    case severity::fatal: return "fatal";
    case severity::error: return "error";
    case severity::warning: return "warning";
    case severity::information: return "information";
  }
  return "error";
}

std::string_view to_string(issue_code c) {
  switch (c) {
    case issue_code::invalid: return "invalid";
    case issue_code::structure: return "structure";
    case issue_code::required: return "required";
    case issue_code::value: return "value";
    case issue_code::invariant: return "invariant";
    case issue_code::security: return "security";
    case issue_code::forbidden: return "forbidden";
    case issue_code::not_supported: return "not-supported";
    case issue_code::duplicate: return "duplicate";
    case issue_code::not_found: return "not-found";
    case issue_code::too_long: return "too-long";
    case issue_code::code_invalid: return "code-invalid";
    case issue_code::business_rule: return "business-rule";
    case issue_code::conflict: return "conflict";
    case issue_code::transient: return "transient";
    case issue_code::exception: return "exception";
    case issue_code::timeout: return "timeout";
    case issue_code::too_costly: return "too-costly";
    case issue_code::incomplete: return "incomplete";
    case issue_code::informational: return "informational";
  }
  return "invalid";
}

std::vector<const issue*> errors_first(const issue_list& issues) {
  std::vector<const issue*> order;
  order.reserve(issues.size());
  for (const auto& i : issues)
    if (is_error(i)) order.push_back(&i);
  for (const auto& i : issues)
    if (!is_error(i)) order.push_back(&i);
  return order;
}

std::string facility_mismatch_text(std::string_view field, std::string_view named, std::string_view authenticated) {
  const bool code_like = !named.empty() && named.size() <= 20 && std::all_of(named.begin(), named.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
  });
  std::string s(field);
  s += code_like ? " names facility " + std::string(named) : std::string(" names another facility");
  s += ", but the sender's certificate is facility ";
  s += authenticated;
  s += "'s; nothing mapped";
  return s;
}

std::uint16_t hl7_code_of(const issue& i) {
  if (i.hl7 != hl7_error::none) return static_cast<std::uint16_t>(i.hl7);
  switch (i.code) {
    case issue_code::required: return 101;
    case issue_code::value:
    case issue_code::structure:
    case issue_code::too_long:
    case issue_code::too_costly: return 102;  // the sender's data passes a limit: theirs to change, not ours
    case issue_code::code_invalid: return 103;
    case issue_code::not_supported: return 200;
    case issue_code::duplicate:
    case issue_code::conflict: return 205;
    case issue_code::exception:
    case issue_code::transient:
    case issue_code::timeout: return 207;
    default: return 207;
  }
}

}  // namespace gw::fhir
