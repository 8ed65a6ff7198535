#include "gateway/ingest/translators.hpp"

#include "adapters/hl7v2/translate.hpp"
#include "adapters/qd130/translate.hpp"
#include "fhir/identifiers.hpp"
#include "gateway/ingest/bundle_writes.hpp"

namespace gw::ingest {

namespace {

/// Identifier systems for a facility: the defaults, with the facility's own overrides.
fhir::identifier_systems systems_for(const config::facility& f) {
  fhir::identifier_systems s;
  if (auto it = f.settings.find("record_number_system"); it != f.settings.end()) s.facility_record = it->second;
  if (auto it = f.settings.find("encounter_system"); it != f.settings.end()) s.episode = it->second;
  return s;
}

fhir::time_settings time_for(const config::facility& f, const std::string& default_zone) {
  fhir::time_settings t;
  t.default_offset = default_zone;
  if (auto it = f.settings.find("timezone"); it != f.settings.end()) t.default_offset = it->second;
  return t;
}

translation from_hl7v2(const translate_input& in) {
  hl7v2::settings s;
  s.systems = systems_for(*in.facility);
  s.time = time_for(*in.facility, in.default_timezone);
  hl7v2::context ctx{in.facility->code, in.received_at};
  auto t = in.hl7_parsed ? hl7v2::translate(*in.hl7_parsed, s, ctx) : hl7v2::translate(in.body, s, ctx);
  translation out;
  out.issues = std::move(t.issues);
  if (!fhir::has_errors(out.issues)) bundle_to_writes(t.bundle, in.facility->code, s.systems, out);
  return out;
}

translation from_qd130(const translate_input& in) {
  qd130::settings s;
  s.systems = systems_for(*in.facility);
  s.time = time_for(*in.facility, in.default_timezone);
  s.facility_name = in.facility->name;
  qd130::context ctx{in.facility->code, in.received_at, in.sha256_hex};
  auto t = qd130::translate(in.body, s, ctx);
  translation out;
  out.issues = std::move(t.issues);
  if (!fhir::has_errors(out.issues)) bundle_to_writes(t.bundle, in.facility->code, s.systems, out);
  return out;
}

}  // namespace

translator_registry default_translators(const config::gateway_config&) {
  translator_registry r;
  r.add(config::feed_format::hl7v2, from_hl7v2);
  r.add(config::feed_format::qd130, from_qd130);
  // cv365 and mapped arrive with their adapters. Until then a message in those formats is
  // stored as rejected with a clear issue, and can be replayed once the adapter exists.
  return r;
}

}  // namespace gw::ingest
