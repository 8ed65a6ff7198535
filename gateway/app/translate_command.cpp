// emr-gateway translate: one file through an adapter, printed as a FHIR transaction Bundle plus
// its issues. No database, no network: for integration engineers testing a hospital's export.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>

#include "adapters/hl7v2/translate.hpp"
#include "adapters/qd130/translate.hpp"
#include "fhir/json.hpp"
#include "gateway/app/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/store/ingest_store.hpp"

namespace gw::app {

namespace {

constexpr const char* k_usage =
    "usage: emr-gateway translate (--format hl7v2|qd130 | --facility CODE [--config FILE]) FILE\n"
    "  prints the FHIR R4 transaction Bundle on stdout and the issues on stderr;\n"
    "  exit 0 without errors, 1 with errors, 2 for bad usage\n";

void print_issues(const fhir::issue_list& issues) {
  std::size_t errors = 0;
  for (const auto& i : issues) {
    if (i.severity == fhir::severity::error || i.severity == fhir::severity::fatal) ++errors;
    std::fprintf(stderr, "%-11s %-14s %s: %s\n", std::string(fhir::to_string(i.severity)).c_str(),
                 std::string(fhir::to_string(i.code)).c_str(), i.location.empty() ? "-" : i.location.c_str(),
                 i.message.c_str());
  }
  std::fprintf(stderr, "translate: %zu issue%s, %zu error%s\n", issues.size(), issues.size() == 1 ? "" : "s", errors,
               errors == 1 ? "" : "s");
}

}  // namespace

int cmd_translate(const args& a) {
  std::string format, facility_code, file, config_file;
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
  const config::facility* facility = nullptr;
  if (!facility_code.empty()) {
    auto loaded = config::load_config(config_file.empty() ? "config/gateway.yaml" : config_file);
    if (!loaded.config) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", config::format_error(e).c_str());
      return 2;
    }
    cfg = std::move(loaded.config);
    facility = cfg->find_facility(facility_code);
    if (!facility) {
      std::fprintf(stderr, "translate: facility %s is not configured\n", facility_code.c_str());
      return 2;
    }
    if (format.empty()) {
      for (const auto& f : facility->feeds) {
        format = std::string(config::to_string(f.format));
        if (f.format == config::feed_format::qd130 || f.format == config::feed_format::hl7v2) break;
      }
    }
  }

  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "translate: cannot read %s\n", file.c_str());
    return 2;
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto now = std::chrono::system_clock::now();
  std::string authenticated = facility ? facility->code : std::string();

  fhir::issue_list issues;
  std::string json;
  if (format == "hl7v2") {
    auto t = hl7v2::translate(body, hl7v2::settings{}, hl7v2::context{authenticated, now});
    issues = std::move(t.issues);
    json = fhir::to_json(t.bundle);
  } else if (format == "qd130") {
    qd130::settings s;
    if (facility) s.facility_name = facility->name;
    auto t = qd130::translate(body, s, qd130::context{authenticated, now, store::to_hex(store::sha256_of(body))});
    issues = std::move(t.issues);
    json = fhir::to_json(t.bundle);
  } else {
    std::fprintf(stderr, "translate: format '%s' is not translated by this build (known: hl7v2, qd130)\n",
                 format.c_str());
    return 2;
  }
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
  print_issues(issues);
  return fhir::has_errors(issues) ? 1 : 0;
}

}  // namespace gw::app
