#pragma once
// Subcommands of the emr-gateway executable. Each returns the process exit code.
#include <string>
#include <vector>

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

}  // namespace gw::app
