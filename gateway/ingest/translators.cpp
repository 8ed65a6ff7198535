#include "gateway/ingest/translators.hpp"

#include <algorithm>

#include "adapters/cv365/translate.hpp"
#include "adapters/hl7v2/translate.hpp"
#include "adapters/mapped/translate.hpp"
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
  t.default_offset = default_zone.empty() ? t.default_offset : default_zone;
  if (auto it = f.settings.find("timezone"); it != f.settings.end()) t.default_offset = it->second;
  return t;
}

bundle_translation from_hl7v2(const translate_input& in) {
  hl7v2::settings s;
  s.systems = systems_for(*in.facility);
  s.time = time_for(*in.facility, in.default_timezone);
  s.parse.max_message_bytes = std::max(s.parse.max_message_bytes, in.max_message_bytes);
  hl7v2::context ctx{in.facility->code, in.received_at};
  auto t = in.hl7_parsed ? hl7v2::translate(*in.hl7_parsed, s, ctx) : hl7v2::translate(in.body, s, ctx);
  return {std::move(t.bundle), std::move(t.issues), std::nullopt, s.systems};
}

bundle_translation from_qd130(const translate_input& in) {
  qd130::settings s;
  s.systems = systems_for(*in.facility);
  s.time = time_for(*in.facility, in.default_timezone);
  // Decoded base64 is 3/4 of its text: a body within the limit decodes within it too.
  s.limits.max_input_bytes = std::max(s.limits.max_input_bytes, in.max_message_bytes);
  s.limits.max_document_bytes = std::max(s.limits.max_document_bytes, in.max_message_bytes);
  s.limits.max_total_decoded_bytes = std::max(s.limits.max_total_decoded_bytes, in.max_message_bytes);
  s.facility_name = in.facility->name;
  qd130::context ctx{in.facility->code, in.received_at, in.sha256_hex};
  auto t = qd130::translate(in.body, s, ctx);
  return {std::move(t.bundle), std::move(t.issues), std::nullopt, s.systems};
}

bundle_translation from_mapping(const translate_input& in, bool cv365) {
  mapped::settings s;
  s.systems = systems_for(*in.facility);
  s.time = time_for(*in.facility, in.default_timezone);
  s.facility_name = in.facility->name;
  s.map = in.facility->mapping.get();
  bundle_translation out;
  out.systems = s.systems;
  if (!s.map) {
    out.issues.push_back({fhir::severity::error, fhir::issue_code::not_supported, "",
                          "facility " + in.facility->code + " has no mapping file for this format",
                          fhir::hl7_error::unsupported_message_type});
    return out;
  }
  mapped::context ctx{in.facility->code, in.received_at};
  auto t = cv365 ? cv365::translate(in.body, s, ctx) : mapped::translate(in.body, s, ctx);
  out.bundle = std::move(t.bundle);
  out.issues = std::move(t.issues);
  out.report = std::move(t.report);
  return out;
}

translator to_rows(config::feed_format f) {
  return [f](const translate_input& in) {
    auto t = translate_bundle(f, in);
    translation out;
    out.issues = std::move(t.issues);
    if (!fhir::has_errors(out.issues)) bundle_to_writes(t.bundle, in.facility->code, t.systems, out);
    return out;
  };
}

}  // namespace

bundle_translation translate_bundle(config::feed_format format, const translate_input& in) {
  switch (format) {
    case config::feed_format::hl7v2: return from_hl7v2(in);
    case config::feed_format::qd130: return from_qd130(in);
    case config::feed_format::cv365: return from_mapping(in, true);
    case config::feed_format::mapped: return from_mapping(in, false);
  }
  return {};
}

translator_registry default_translators(const config::gateway_config&) {
  translator_registry r;
  for (auto f : {config::feed_format::hl7v2, config::feed_format::qd130, config::feed_format::cv365,
                 config::feed_format::mapped})
    r.add(f, to_rows(f));
  return r;
}

}  // namespace gw::ingest
