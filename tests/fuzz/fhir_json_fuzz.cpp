// Fuzz target for the FHIR JSON reader: any bytes → parse_resource (with small limits so the
// fuzzer reaches them), then validate and write whatever was read. Must never crash, leak or
// trip a sanitizer; a document that parses without issues must round-trip to the same JSON.
#include "fhir/json.hpp"
#include "fhir/validate.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  gw::fhir::json_limits limits;
  limits.max_bytes = 1 << 20;
  limits.max_string_bytes = 1 << 16;
  gw::fhir::issue_list issues;
  gw::fhir::any_resource r = gw::fhir::parse_resource(json, issues, limits);
  if (r.empty()) return 0;
  gw::fhir::validate(r, issues);
  std::string out = gw::fhir::to_json(r);
  gw::fhir::issue_list again;
  gw::fhir::any_resource back = gw::fhir::parse_resource(out, again);
  // The writer's output is always readable, and writing it again gives the same text.
  if (back.empty() || gw::fhir::to_json(back) != out) std::abort();
  return 0;
}
