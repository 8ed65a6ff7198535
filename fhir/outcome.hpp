#pragma once
/// The one place that turns an issue_list into an OperationOutcome.

#include "fhir/issue.hpp"
#include "fhir/model.hpp"

namespace gw::fhir {

/// One OperationOutcome.issue per issue: severity, code, `diagnostics` = message; a FHIRPath
/// location (starts with a resource type or `$`) goes to `expression`, any other location (HL7
/// `PID^1^3`, `XML1[STT=1].MA_LK`) to `location`. An empty list gives a single `information` /
/// `informational` issue (OperationOutcome needs at least one). Messages carry no patient data.
OperationOutcome to_operation_outcome(const issue_list& issues);

}  // namespace gw::fhir
