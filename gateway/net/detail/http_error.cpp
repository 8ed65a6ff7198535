// Error answers of the HTTP listeners as OperationOutcome JSON, through the one place that builds
// OperationOutcomes (fhir/outcome.hpp), kept in its own file so the HTTP session code does not
// compile the FHIR model.
#include "fhir/json.hpp"
#include "fhir/outcome.hpp"
#include "gateway/net/detail/http_session.hpp"

namespace gw::net::detail {

http_reply json_error(int status, fhir::issue_code code, std::string_view diagnostics) {
  fhir::issue_list issues{{fhir::severity::error, code, "", std::string(diagnostics), fhir::hl7_error::none}};
  http_reply r;
  r.status = status;
  r.content_type = "application/fhir+json";
  r.body = fhir::to_json(fhir::to_operation_outcome(issues));
  return r;
}

}  // namespace gw::net::detail
