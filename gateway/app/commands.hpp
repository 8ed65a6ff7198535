#pragma once
// Subcommands of the emr-gateway executable. Each returns the process exit code.
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/config.hpp"

namespace gw::app {

using args = std::vector<std::string>;

int cmd_serve(const args& a);
int cmd_check_config(const args& a);
int cmd_version(const args& a);
int cmd_translate(const args& a);
int cmd_replay(const args& a);
int cmd_dead_letters(const args& a);

/// The config path given with --config / -c (or the first positional argument when
/// `positional` is true), else config/gateway.yaml.
std::string config_path(const args& a, bool positional);

/// The configuration at `path`, or nothing after printing every mistake (file:line: key: what).
std::optional<config::gateway_config> load_or_report(const std::string& path);

}  // namespace gw::app
