#pragma once
/// A small reader of YAML mappings for the stub's settings: typed values with `${NAME}` and
/// `${NAME:-default}` expansion, durations and sizes, every mistake collected with file, line and
/// dotted key, unknown keys reported. The scalar parsing and the error type are the gateway
/// configuration's (gateway/config/values.hpp); the mapping reader itself is still the stub's own
/// (the gateway's loader has a similar one, map_reader, inside gateway/config/loader.cpp).

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/config/values.hpp"

namespace gw::stub {

using settings_error = config::config_error;

/// Where values come from and where mistakes go.
struct yaml_context {
  std::string file;
  std::filesystem::path dir;  ///< relative paths are resolved against it
  std::vector<settings_error>* errors;
  void error(const YAML::Node& at, const std::string& key, std::string message) const;
};

/// Reads one mapping; on destruction reports the keys nobody asked for as unknown.
class yaml_map {
 public:
  yaml_map(const yaml_context& c, const YAML::Node& node, std::string path);
  ~yaml_map();
  yaml_map(const yaml_map&) = delete;
  yaml_map& operator=(const yaml_map&) = delete;

  const std::string& path() const { return path_; }
  const yaml_context& ctx() const { return c_; }
  std::string key(const std::string& k) const;
  /// The child (undefined when absent); marks the key as known.
  YAML::Node child(const std::string& k);

  // Each returns false when the key is absent (or wrong: an error is recorded) and leaves `out`.
  bool text(const std::string& k, std::string& out);
  bool path(const std::string& k, std::filesystem::path& out);
  bool flag(const std::string& k, bool& out);
  bool integer(const std::string& k, long long& out, long long min, long long max);
  bool number(const std::string& k, double& out, double min, double max);
  bool duration(const std::string& k, std::chrono::milliseconds& out);
  bool bytes(const std::string& k, std::size_t& out);
  bool texts(const std::string& k, std::vector<std::string>& out);

 private:
  std::optional<std::string> scalar(const std::string& k, YAML::Node& n);
  const yaml_context& c_;
  YAML::Node node_;
  std::string path_;
  bool ok_ = false;
  std::set<std::string> known_;
};

}  // namespace gw::stub
