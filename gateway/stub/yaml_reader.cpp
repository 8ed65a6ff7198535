#include "gateway/stub/yaml_reader.hpp"

#include <charconv>
#include <cstdlib>

#include "gateway/config/values.hpp"
#include "gateway/stub/faults.hpp"
#include "gateway/stub/settings.hpp"

namespace gw::stub {

void yaml_context::error(const YAML::Node& at, const std::string& key, std::string message) const {
  int line = at.IsDefined() && !at.Mark().is_null() ? at.Mark().line + 1 : 0;
  errors->push_back({file, line, key, std::move(message)});
}

yaml_map::yaml_map(const yaml_context& c, const YAML::Node& node, std::string path)
    : c_(c), node_(node), path_(std::move(path)) {
  ok_ = node_.IsMap();
  if (!ok_ && node_.IsDefined() && !node_.IsNull()) c_.error(node_, path_, "wrong type: expected a mapping");
  if (!ok_) return;
  std::set<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    auto k = it->first.as<std::string>("");
    if (!seen.insert(k).second) c_.error(it->first, key(k), "duplicate key");
  }
}

yaml_map::~yaml_map() {
  if (!ok_) return;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    auto k = it->first.as<std::string>("");
    if (known_.count(k) == 0) c_.error(it->first, key(k), "unknown key");
  }
}

std::string yaml_map::key(const std::string& k) const {
  return path_.empty() ? k : path_ + "." + k;
}

YAML::Node yaml_map::child(const std::string& k) {
  known_.insert(k);
  if (!ok_) return YAML::Node(YAML::NodeType::Undefined);
  return node_[k];
}

std::optional<std::string> yaml_map::scalar(const std::string& k, YAML::Node& n) {
  n = child(k);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    c_.error(n, key(k), "wrong type: expected a single value");
    return std::nullopt;
  }
  std::string problem;
  auto v = config::expand_env(n.Scalar(), problem);
  if (!v) c_.error(n, key(k), problem);
  return v;
}

bool yaml_map::text(const std::string& k, std::string& out) {
  YAML::Node n;
  auto v = scalar(k, n);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

bool yaml_map::path(const std::string& k, std::filesystem::path& out) {
  std::string v;
  if (!text(k, v)) return false;
  std::filesystem::path p(v);
  out = p.is_absolute() || v.empty() ? p : (c_.dir / p).lexically_normal();
  return true;
}

bool yaml_map::flag(const std::string& k, bool& out) {
  YAML::Node n;
  auto v = scalar(k, n);
  if (!v) return false;
  if (*v == "true" || *v == "yes" || *v == "on") {
    out = true;
  } else if (*v == "false" || *v == "no" || *v == "off") {
    out = false;
  } else {
    c_.error(n, key(k), "expected true or false, got '" + *v + "'");
    return false;
  }
  return true;
}

bool yaml_map::integer(const std::string& k, long long& out, long long min, long long max) {
  YAML::Node n;
  auto v = scalar(k, n);
  if (!v) return false;
  long long x = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || end != v->data() + v->size() || x < min || x > max) {
    c_.error(
        n, key(k),
        "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + *v + "'");
    return false;
  }
  out = x;
  return true;
}

bool yaml_map::number(const std::string& k, double& out, double min, double max) {
  YAML::Node n;
  auto v = scalar(k, n);
  if (!v) return false;
  char* end = nullptr;
  double x = std::strtod(v->c_str(), &end);
  if (v->empty() || end != v->c_str() + v->size() || !(x >= min && x <= max)) {
    c_.error(n, key(k),
             "expected a number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + *v + "'");
    return false;
  }
  out = x;
  return true;
}

bool yaml_map::duration(const std::string& k, std::chrono::milliseconds& out) {
  YAML::Node n;
  auto v = scalar(k, n);
  if (!v) return false;
  auto d = config::parse_duration(*v);
  if (!d) {
    c_.error(n, key(k), "expected a duration such as 500ms, 30s, 5m, 1h or 7d, got '" + *v + "'");
    return false;
  }
  out = *d;
  return true;
}

bool yaml_map::bytes(const std::string& k, std::size_t& out) {
  YAML::Node n;
  auto v = scalar(k, n);
  if (!v) return false;
  auto b = config::parse_bytes(*v);
  if (!b || *b == 0) {
    c_.error(n, key(k), "expected a size such as 65536, 64KiB or 16MiB, got '" + *v + "'");
    return false;
  }
  out = *b;
  return true;
}

bool yaml_map::texts(const std::string& k, std::vector<std::string>& out) {
  auto n = child(k);
  if (!n.IsDefined() || n.IsNull()) return false;
  if (!n.IsSequence()) {
    c_.error(n, key(k), "wrong type: expected a list");
    return false;
  }
  std::vector<std::string> r;
  for (std::size_t i = 0; i < n.size(); ++i) {
    auto item = n[i];
    std::string problem;
    auto v = item.IsScalar() ? config::expand_env(item.Scalar(), problem) : std::nullopt;
    if (!v) {
      c_.error(item, key(k) + "[" + std::to_string(i) + "]", problem.empty() ? "expected a text value" : problem);
      return false;
    }
    r.push_back(std::move(*v));
  }
  out = std::move(r);
  return true;
}

}  // namespace gw::stub
