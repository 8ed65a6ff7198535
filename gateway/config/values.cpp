#include "gateway/config/values.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <system_error>

namespace gw::config {

std::string format_error(const config_error& e) {
  std::ostringstream os;
  os << e.file;
  if (e.line > 0) os << ':' << e.line;
  os << ": ";
  if (!e.key.empty()) os << e.key << ": ";
  os << e.message;
  return os.str();
}

std::optional<std::string> expand_env(std::string_view in, std::string& problem) {
  std::string out;
  std::size_t i = 0;
  while (i < in.size()) {
    auto start = in.find("${", i);
    if (start == std::string_view::npos) {
      out.append(in.substr(i));
      break;
    }
    out.append(in.substr(i, start - i));
    auto end = in.find('}', start);
    if (end == std::string_view::npos) {
      problem = "unterminated ${...}";
      return std::nullopt;
    }
    std::string_view expr = in.substr(start + 2, end - start - 2);
    std::string_view name = expr;
    std::optional<std::string_view> fallback;
    if (auto d = expr.find(":-"); d != std::string_view::npos) {
      name = expr.substr(0, d);
      fallback = expr.substr(d + 2);
    }
    const char* v = std::getenv(std::string(name).c_str());
    if (v && *v) {
      out.append(v);
    } else if (fallback) {
      out.append(*fallback);
    } else {
      problem = "environment variable " + std::string(name) + " is not set";
      return std::nullopt;
    }
    i = end + 1;
  }
  return out;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  if (n == 0) return std::nullopt;
  long long v = 0;
  if (std::from_chars(s.data(), s.data() + n, v).ec != std::errc()) return std::nullopt;
  std::string_view unit = s.substr(n);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  long long unit_ms = 0;
  if (unit.empty() || unit == "ms")
    unit_ms = 1;
  else if (unit == "s")
    unit_ms = 1'000;
  else if (unit == "m" || unit == "min")
    unit_ms = 60'000;
  else if (unit == "h")
    unit_ms = 3'600'000;
  else if (unit == "d")
    unit_ms = 86'400'000;
  else
    return std::nullopt;
  // A value whose milliseconds do not fit is refused (no overflow).
  if (v > std::numeric_limits<std::chrono::milliseconds::rep>::max() / unit_ms) return std::nullopt;
  return std::chrono::milliseconds(v * unit_ms);
}

std::optional<std::size_t> parse_bytes(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  if (n == 0) return std::nullopt;
  std::size_t v = 0;
  if (std::from_chars(s.data(), s.data() + n, v).ec != std::errc()) return std::nullopt;
  std::string_view unit = s.substr(n);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  std::size_t scale = 0;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "KiB" || unit == "KB" || unit == "K")
    scale = std::size_t{1} << 10;
  else if (unit == "MiB" || unit == "MB" || unit == "M")
    scale = std::size_t{1} << 20;
  else if (unit == "GiB" || unit == "GB" || unit == "G")
    scale = std::size_t{1} << 30;
  else
    return std::nullopt;
  // A size that does not fit is refused instead of wrapping around.
  if (v > std::numeric_limits<std::size_t>::max() / scale) return std::nullopt;
  return v * scale;
}

}  // namespace gw::config
