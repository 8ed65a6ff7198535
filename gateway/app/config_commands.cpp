#include <cstdio>

#include "gateway/app/commands.hpp"
#include "gateway/config/config.hpp"

#ifndef GW_VERSION
#define GW_VERSION "0.0.0"
#endif

namespace gw::app {

std::string config_path(const args& a, bool positional) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if ((a[i] == "--config" || a[i] == "-c") && i + 1 < a.size()) return a[i + 1];
    if (a[i].rfind("--config=", 0) == 0) return a[i].substr(9);
    if (positional && !a[i].empty() && a[i][0] != '-') return a[i];
  }
  return "config/gateway.yaml";
}

std::optional<config::gateway_config> load_or_report(const std::string& path) {
  auto loaded = config::load_config(path);
  for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", config::format_error(e).c_str());
  return std::move(loaded.config);
}

int cmd_check_config(const args& a) {
  auto path = config_path(a, true);
  auto r = config::load_config(path);
  for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", config::format_error(e).c_str());
  if (!r.config) {
    std::fprintf(stderr, "check-config: %zu mistake%s found\n", r.errors.size(), r.errors.size() == 1 ? "" : "s");
    return 1;
  }
  std::printf("check-config: %s is valid (%zu facilities)\n", r.config->source_file.c_str(),
              r.config->facilities.size());
  return 0;
}

int cmd_version(const args&) {
  std::printf("emr-gateway %s\n", GW_VERSION);
  return 0;
}

}  // namespace gw::app
