#include "fhir/outcome.hpp"

namespace gw::fhir {
namespace {
// FHIRPath-style: "Patient.identifier[0].value", "Bundle.entry[3].resource", "Patient".
bool is_fhir_path(std::string_view loc) {
  if (loc.empty() || loc[0] < 'A' || loc[0] > 'Z') return false;
  for (char c : loc) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '[' ||
              c == ']' || c == '_';
    if (!ok) return false;
  }
  return true;
}
}  // namespace

OperationOutcome to_operation_outcome(const issue_list& issues) {
  OperationOutcome oo;
  for (const auto& i : issues) {
    OperationOutcome::Issue out;
    out.severity = std::string(to_string(i.severity));
    out.code = std::string(to_string(i.code));
    out.diagnostics = i.message;
    if (is_fhir_path(i.location))
      out.expression.push_back(i.location);
    else if (!i.location.empty())
      out.location.push_back(i.location);
    oo.issue.push_back(std::move(out));
  }
  if (oo.issue.empty()) {
    OperationOutcome::Issue ok;
    ok.severity = "information";
    ok.code = "informational";
    ok.diagnostics = "no issues";
    oo.issue.push_back(std::move(ok));
  }
  return oo;
}

}  // namespace gw::fhir
