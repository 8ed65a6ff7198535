#pragma once
/// Scalar values of the YAML settings files, shared by the gateway's configuration and the
/// national stub's settings.

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gw::config {

/// One mistake in a settings file.
struct config_error {
  std::string file;
  int line = 0;     ///< 1-based; 0 when unknown
  std::string key;  ///< dotted path, e.g. "listeners.mllp.port" or "feeds[1].format"
  std::string message;
};
/// The `log_level` values of both settings files (spdlog's level names).
inline constexpr std::array<std::string_view, 7> log_levels{"trace", "debug",    "info", "warn",
                                                            "error", "critical", "off"};

/// `file:line: key: message`.
std::string format_error(const config_error& e);

/// Replaces ${NAME} and ${NAME:-default} with environment values; nullopt (and `problem`) when
/// a variable without a default is not set or a `${` is not closed.
std::optional<std::string> expand_env(std::string_view in, std::string& problem);
/// "500ms", "30s", "5m", "1h", "2d" (a bare number is milliseconds); nullopt for another unit or
/// a value too large to count in milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s);
/// "65536", "64KiB", "16MiB", "1GiB" (KB/MB/GB and K/M/G mean the same); nullopt for another
/// unit or a size that does not fit in size_t.
std::optional<std::size_t> parse_bytes(std::string_view s);

}  // namespace gw::config
