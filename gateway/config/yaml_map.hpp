#pragma once
/// The reader of YAML mappings shared by the gateway's configuration (loader.cpp) and the national
/// stub's settings: typed values with `${NAME}` and `${NAME:-default}` expansion, durations, sizes
/// and paths, every mistake collected with file, line and dotted key, duplicate and unknown keys
/// reported. Not thread-safe; one reader per mapping, on the stack of the code that reads it.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/values.hpp"

namespace gw::config {

/// Where values come from and where mistakes go. `errors` must outlive every reader using it.
struct yaml_context {
  std::string file;
  std::filesystem::path dir;  ///< relative paths in the file are resolved against it
  std::vector<config_error>* errors;
  /// Records a mistake at `at`'s line (0 when `at` is undefined or has no position).
  void error(const YAML::Node& at, const std::string& key, std::string message) const;
};

/// Reads one mapping, remembering which keys were asked for; on destruction reports the others as
/// unknown keys. A node that is absent or null reads as an empty mapping; any other non-mapping is
/// reported as the wrong type. Keys written twice are reported when the reader is made.
///
/// The value readers return true and set `out` only for a present, valid value; when the key is
/// absent (or null) they leave `out` alone, which keeps the caller's default, and report it only
/// when `required`. A wrong value is reported and leaves `out` alone too (text_list: see there).
class yaml_map {
 public:
  /// `path` is the dotted key of `node` ("" at the top of the file); `c` must outlive the reader.
  yaml_map(const yaml_context& c, const YAML::Node& node, std::string path);
  ~yaml_map();
  yaml_map(const yaml_map&) = delete;
  yaml_map& operator=(const yaml_map&) = delete;

  /// True when the node is a mapping.
  bool ok() const { return ok_; }
  const yaml_context& ctx() const { return c_; }
  /// The dotted key of a child, e.g. "listeners.mllp" + "port" = "listeners.mllp.port".
  std::string key(const std::string& k) const;

  /// The child node (undefined when absent); marks the key as known.
  YAML::Node child(const std::string& k);
  /// True when the key is present and not null; marks it as known.
  bool has(const std::string& k);
  /// Reports `k` as a required key that is missing.
  void missing(const std::string& k);

  /// A text value, environment references expanded.
  bool text(const std::string& k, std::string& out, bool required = false);
  /// A whole number in [lo, hi]; the range must fit in `Int`.
  template <class Int>
  bool integer(const std::string& k, Int& out, long long lo, long long hi, bool required = false) {
    long long v = 0;
    if (!whole_number(k, v, lo, hi, required, "a whole number")) return false;
    out = static_cast<Int>(v);
    return true;
  }
  /// A TCP port, 1 to 65535.
  bool port(const std::string& k, std::uint16_t& out, bool required = false);
  /// A number (decimals allowed) in [lo, hi].
  bool number(const std::string& k, double& out, double lo, double hi, bool required = false);
  /// One of `allowed`; another value is reported as "unknown <what> '<value>' (allowed a, b, ...)".
  bool choice(const std::string& k, std::string& out, std::span<const std::string_view> allowed, std::string_view what,
              bool required = false);
  bool choice(const std::string& k, std::string& out, std::initializer_list<std::string_view> allowed,
              std::string_view what, bool required = false) {
    return choice(k, out, std::span<const std::string_view>(allowed.begin(), allowed.size()), what, required);
  }
  /// true/yes/on or false/no/off.
  bool boolean(const std::string& k, bool& out, bool required = false);
  /// "500ms", "30s", "5m", "1h", "7d" (see parse_duration).
  bool duration(const std::string& k, std::chrono::milliseconds& out, bool required = false);
  /// A size above zero: "65536", "64KiB", "16MiB" (see parse_bytes).
  bool bytes(const std::string& k, std::size_t& out, bool required = false);
  /// A path (relative ones are relative to the file's folder) naming an existing regular file.
  /// An empty value counts as absent.
  bool file(const std::string& k, std::filesystem::path& out, bool required = false);
  /// A path like `file`, which need not exist yet (checked, if at all, by whoever opens it).
  bool path(const std::string& k, std::filesystem::path& out, bool required = false);
  /// A list of text values, each with environment references expanded. Every bad item is reported
  /// and left out; `out` gets the good ones (so checks of the good ones still run), and the result
  /// is true only when no item was bad. A wrong type (not a list) leaves `out` alone.
  bool text_list(const std::string& k, std::vector<std::string>& out, bool required = false);

 private:
  /// The expanded scalar at `k`, or nullopt (absent, not a scalar, or a bad `${...}`: reported).
  /// `expected` names the kind of value for the wrong-type message, e.g. "a duration".
  std::optional<std::string> scalar(const std::string& k, YAML::Node& n, bool required, const std::string& expected);
  bool whole_number(const std::string& k, long long& out, long long lo, long long hi, bool required, const char* what);
  bool resolved_path(const std::string& k, std::filesystem::path& out, bool required, bool must_exist);

  const yaml_context& c_;
  YAML::Node node_;
  std::string path_;
  bool ok_ = false;
  std::set<std::string, std::less<>> known_;
};

}  // namespace gw::config
