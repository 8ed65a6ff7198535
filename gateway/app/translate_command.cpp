// emr-gateway translate: one file through an adapter, printed as a FHIR transaction Bundle plus
// its issues. No database, no network: for integration engineers testing a hospital's export.
// The adapter settings come from the same function the ingest pipeline uses (translate_bundle).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

#include "fhir/json.hpp"
#include "fhir/validate.hpp"
#include "gateway/app/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/ingest/translators.hpp"
#include "gateway/store/ingest_store.hpp"

namespace gw::app {

namespace {

constexpr const char* k_usage =
    "usage: emr-gateway translate (--format hl7v2|qd130 | --facility CODE [--format F] [--config FILE]) [--report] "
    "FILE\n"
    "  prints the FHIR R4 transaction Bundle on stdout and the issues on stderr; --report adds the\n"
    "  onboarding report (cv365 and mapped: each source field and what it became, required fields\n"
    "  missing, fields never mapped, R4 validation, resources per type) on stderr;\n"
    "  exit 0 without errors, 1 with errors, 2 for bad usage\n";

std::size_t print_issues(const fhir::issue_list& issues, const char* prefix) {
  std::size_t errors = 0;
  for (const auto& i : issues) {
    if (fhir::is_error(i)) ++errors;
    std::fprintf(stderr, "%s%-11s %-14s %s: %s\n", prefix, std::string(fhir::to_string(i.severity)).c_str(),
                 std::string(fhir::to_string(i.code)).c_str(), i.location.empty() ? "-" : i.location.c_str(),
                 i.message.c_str());
  }
  return errors;
}

void print_report(const ingest::bundle_translation& t, const config::facility& f) {
  std::fprintf(stderr, "\nonboarding report: facility %s", f.code.c_str());
  if (f.mapping) std::fprintf(stderr, ", mapping %s", f.mapping->source_file.c_str());
  if (!t.report) {
    std::fprintf(stderr, "\n  (field report only for cv365 and mapped formats)\n");
  } else {
    const auto& r = *t.report;
    std::fprintf(stderr, ", %zu record%s\n\nsource field -> FHIR element (values / missing):\n", r.records,
                 r.records == 1 ? "" : "s");
    for (const auto& fr : r.fields)
      std::fprintf(stderr, "  %-18s %s -> %s%s  %zu / %zu\n", fr.where.c_str(), fr.source.c_str(), fr.target.c_str(),
                   fr.required ? " (required)" : "", fr.values, fr.missing);
    std::fprintf(stderr, "\nrequired fields missing: %zu\n", r.required_missing);
    std::fprintf(stderr, "\nfields never mapped (in the input, read by no rule, not ignored): %zu\n",
                 r.unmapped.size());
    for (const auto& [pattern, u] : r.unmapped)
      std::fprintf(stderr, "  %s  (%zu×, first at %s)\n", pattern.c_str(), u.count, u.example.c_str());
  }
  fhir::issue_list v;
  fhir::validate(fhir::any_resource(t.bundle), v);
  std::fprintf(stderr, "\nR4 validation: %zu issue%s\n", v.size(), v.size() == 1 ? "" : "s");
  print_issues(v, "  ");
  std::map<std::string, std::size_t> counts;
  for (const auto& e : t.bundle.entry) ++counts[std::string(e.resource.type_name())];
  std::fprintf(stderr, "\nresources:");
  for (const auto& [type, n] : counts) std::fprintf(stderr, " %s %zu", type.c_str(), n);
  std::fprintf(stderr, "\n");
}

/// The facility's feed format that fits the file's first bytes (an HL7 message starts with MSH,
/// XML with '<', JSON with '{' or '['), else its first feed's. A facility with several feeds (an
/// HL7 v2 system and QĐ 130 exports, say) then needs no --format.
std::string format_for(const config::facility& f, std::string_view body) {
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  while (!body.empty() && (body.front() == ' ' || body.front() == '\r' || body.front() == '\n' || body.front() == '\t'))
    body.remove_prefix(1);
  auto has = [&](config::feed_format want) {
    return std::any_of(f.feeds.begin(), f.feeds.end(), [&](const config::feed& fd) { return fd.format == want; });
  };
  std::vector<config::feed_format> fits;
  if (body.starts_with("MSH")) fits = {config::feed_format::hl7v2};
  if (body.starts_with("<"))
    fits = {config::feed_format::qd130, config::feed_format::cv365, config::feed_format::mapped};
  if (body.starts_with("{") || body.starts_with("[")) fits = {config::feed_format::cv365, config::feed_format::mapped};
  for (auto want : fits)
    if (has(want)) return std::string(config::to_string(want));
  return f.feeds.empty() ? std::string() : std::string(config::to_string(f.feeds.front().format));
}

}  // namespace

int cmd_translate(const args& a) {
  std::string format, facility_code, file, config_file;
  bool report = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto value = [&](std::string& out) {
      if (i + 1 >= a.size()) return false;
      out = a[++i];
      return true;
    };
    if (a[i] == "--format") {
      if (!value(format)) break;
    } else if (a[i] == "--facility") {
      if (!value(facility_code)) break;
    } else if (a[i] == "--config" || a[i] == "-c") {
      if (!value(config_file)) break;
    } else if (a[i] == "--report") {
      report = true;
    } else if (!a[i].empty() && a[i][0] == '-') {
      std::fprintf(stderr, "translate: unknown option %s\n%s", a[i].c_str(), k_usage);
      return 2;
    } else {
      file = a[i];
    }
  }
  if (file.empty() || (format.empty() && facility_code.empty())) {
    std::fputs(k_usage, stderr);
    return 2;
  }

  std::optional<config::gateway_config> cfg;
  config::facility anonymous;  // --format without --facility: default settings, no facility check
  const config::facility* facility = &anonymous;
  std::string zone = "+07:00";
  if (!facility_code.empty()) {
    cfg = load_or_report(config_file.empty() ? "config/gateway.yaml" : config_file);
    if (!cfg) return 2;
    zone = cfg->default_timezone;
    facility = cfg->find_facility(facility_code);
    if (!facility) {
      std::fprintf(stderr, "translate: facility %s is not configured\n", facility_code.c_str());
      return 2;
    }
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "translate: cannot read %s\n", file.c_str());
    return 2;
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (format.empty()) {
    format = format_for(*facility, body);
    std::fprintf(stderr, "translate: format %s (facility %s's feed that fits the file; --format to choose)\n",
                 format.c_str(), facility_code.c_str());
  }
  std::optional<config::feed_format> fmt;
  for (auto f : {config::feed_format::hl7v2, config::feed_format::qd130, config::feed_format::cv365,
                 config::feed_format::mapped})
    if (format == config::to_string(f)) fmt = f;
  if (!fmt) {
    std::fprintf(stderr, "translate: unknown format '%s' (known: hl7v2, qd130, cv365, mapped)\n", format.c_str());
    return 2;
  }
  if ((*fmt == config::feed_format::cv365 || *fmt == config::feed_format::mapped) && !facility->mapping) {
    std::fprintf(stderr, "translate: format %s needs --facility CODE (a facility with a mapping file)\n",
                 format.c_str());
    return 2;
  }

  ingest::translate_input input;
  input.body = body;
  input.facility = facility;
  input.received_at = std::chrono::system_clock::now();
  input.sha256_hex = store::to_hex(store::sha256_of(body));
  input.default_timezone = zone;
  // The gateway's own limit: a file it would accept is translated here too.
  if (cfg) input.max_message_bytes = cfg->listeners.largest_message_bytes();
  auto t = ingest::translate_bundle(*fmt, input);

  std::string json = fhir::to_json(t.bundle);
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
  const auto errors = print_issues(t.issues, "");
  std::fprintf(stderr, "translate: %zu issue%s, %zu error%s\n", t.issues.size(), t.issues.size() == 1 ? "" : "s",
               errors, errors == 1 ? "" : "s");
  if (report) print_report(t, *facility);
  return fhir::has_errors(t.issues) ? 1 : 0;
}

}  // namespace gw::app
