#include "gateway/config/yaml_map.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>
#include <system_error>

namespace gw::config {

namespace fs = std::filesystem;

namespace {

/// What was written instead of the expected value, for "got ..." in messages.
std::string given(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  return "nothing";
}

/// Range bounds as an operator would write them: "0.5", not std::to_string's "0.500000".
std::string plain(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

}  // namespace

void yaml_context::error(const YAML::Node& at, const std::string& key, std::string message) const {
  int line = at.IsDefined() && !at.Mark().is_null() ? at.Mark().line + 1 : 0;
  errors->push_back({file, line, key, std::move(message)});
}

yaml_map::yaml_map(const yaml_context& c, const YAML::Node& node, std::string path)
    : c_(c), node_(node), path_(std::move(path)) {
  ok_ = node_.IsMap();
  if (!ok_ && node_.IsDefined() && !node_.IsNull())
    c_.error(node_, path_, "wrong type: expected a mapping of keys to values, got " + given(node_));
  if (!ok_) return;
  // yaml-cpp keeps both entries of a key written twice and reads the first: say so rather than
  // silently ignore the second.
  std::map<std::string, int, std::less<>> first_line;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    auto k = it->first.as<std::string>("");
    const int line = it->first.Mark().is_null() ? 0 : it->first.Mark().line + 1;
    auto [at, inserted] = first_line.emplace(k, line);
    if (!inserted)
      c_.error(it->first, key(k),
               "duplicate key: already given on line " + std::to_string(at->second) + " (only the first is read)");
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

bool yaml_map::has(const std::string& k) {
  auto n = child(k);
  return n.IsDefined() && !n.IsNull();
}

void yaml_map::missing(const std::string& k) {
  c_.error(node_, key(k), "required key is missing");
}

std::optional<std::string> yaml_map::scalar(const std::string& k, YAML::Node& n, bool required,
                                            const std::string& expected) {
  n = child(k);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) missing(k);
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    c_.error(n, key(k), "wrong type: expected " + expected + ", got " + given(n));
    return std::nullopt;
  }
  std::string problem;
  auto v = expand_env(n.Scalar(), problem);
  if (!v) c_.error(n, key(k), problem);
  return v;
}

bool yaml_map::text(const std::string& k, std::string& out, bool required) {
  YAML::Node n;
  auto v = scalar(k, n, required, "a text value");
  if (!v) return false;
  out = std::move(*v);
  return true;
}

bool yaml_map::whole_number(const std::string& k, long long& out, long long lo, long long hi, bool required,
                            const char* what) {
  const std::string expected = std::string(what) + " from " + std::to_string(lo) + " to " + std::to_string(hi);
  YAML::Node n;
  auto s = scalar(k, n, required, expected);
  if (!s) return false;
  long long v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  const bool digits = end == s->data() + s->size() && !s->empty();
  if (!digits || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    c_.error(n, key(k), "wrong type: expected " + expected + ", got '" + *s + "'");
    return false;
  }
  if (ec == std::errc::result_out_of_range || v < lo || v > hi) {
    c_.error(n, key(k), "out of range: expected " + expected + ", got '" + *s + "'");
    return false;
  }
  out = v;
  return true;
}

bool yaml_map::port(const std::string& k, std::uint16_t& out, bool required) {
  long long v = 0;
  if (!whole_number(k, v, 1, 65535, required, "a port")) return false;
  out = static_cast<std::uint16_t>(v);
  return true;
}

bool yaml_map::number(const std::string& k, double& out, double lo, double hi, bool required) {
  const std::string expected = "a number from " + plain(lo) + " to " + plain(hi);
  YAML::Node n;
  auto s = scalar(k, n, required, expected);
  if (!s) return false;
  double v = 0;
  // from_chars, unlike strtod, ignores the locale: "0.5" means the same everywhere.
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (s->empty() || end != s->data() + s->size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    c_.error(n, key(k), "wrong type: expected " + expected + ", got '" + *s + "'");
    return false;
  }
  // Written so that NaN fails too.
  if (ec == std::errc::result_out_of_range || !(v >= lo && v <= hi)) {
    c_.error(n, key(k), "out of range: expected " + expected + ", got '" + *s + "'");
    return false;
  }
  out = v;
  return true;
}

bool yaml_map::choice(const std::string& k, std::string& out, std::span<const std::string_view> allowed,
                      std::string_view what, bool required) {
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  YAML::Node n;
  auto s = scalar(k, n, required, "one of " + list);
  if (!s) return false;
  if (std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
    c_.error(n, key(k), "unknown " + std::string(what) + " '" + *s + "' (allowed " + list + ")");
    return false;
  }
  out = std::move(*s);
  return true;
}

bool yaml_map::boolean(const std::string& k, bool& out, bool required) {
  YAML::Node n;
  auto s = scalar(k, n, required, "true or false");
  if (!s) return false;
  if (*s == "true" || *s == "yes" || *s == "on") {
    out = true;
  } else if (*s == "false" || *s == "no" || *s == "off") {
    out = false;
  } else {
    c_.error(n, key(k), "wrong type: expected true or false, got '" + *s + "'");
    return false;
  }
  return true;
}

bool yaml_map::duration(const std::string& k, std::chrono::milliseconds& out, bool required) {
  const std::string expected = "a duration such as 500ms, 30s, 5m, 1h or 7d";
  YAML::Node n;
  auto s = scalar(k, n, required, expected);
  if (!s) return false;
  auto d = parse_duration(*s);
  if (!d) {
    c_.error(n, key(k), "wrong type: expected " + expected + ", got '" + *s + "'");
    return false;
  }
  out = *d;
  return true;
}

bool yaml_map::bytes(const std::string& k, std::size_t& out, bool required) {
  const std::string expected = "a size such as 65536, 64KiB or 16MiB";
  YAML::Node n;
  auto s = scalar(k, n, required, expected);
  if (!s) return false;
  auto b = parse_bytes(*s);
  if (!b || *b == 0) {
    c_.error(n, key(k), "wrong type: expected " + expected + ", got '" + *s + "'");
    return false;
  }
  out = *b;
  return true;
}

bool yaml_map::resolved_path(const std::string& k, fs::path& out, bool required, bool must_exist) {
  YAML::Node n;
  auto s = scalar(k, n, required, "a file path");
  if (!s) return false;
  // `key: ""` or `key: ${UNSET:-}` names no file: the same as leaving the key out.
  if (s->empty()) {
    if (required) missing(k);
    return false;
  }
  fs::path p(*s);
  if (p.is_relative()) p = c_.dir / p;
  p = p.lexically_normal();
  if (must_exist && !fs::is_regular_file(p)) {
    std::string where = p.string() == *s ? std::string() : " (" + p.string() + ")";
    c_.error(n, key(k), "missing file: expected an existing file, got '" + *s + "'" + where);
    return false;
  }
  out = std::move(p);
  return true;
}

bool yaml_map::file(const std::string& k, fs::path& out, bool required) {
  return resolved_path(k, out, required, true);
}

bool yaml_map::path(const std::string& k, fs::path& out, bool required) {
  return resolved_path(k, out, required, false);
}

bool yaml_map::text_list(const std::string& k, std::vector<std::string>& out, bool required) {
  auto n = child(k);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) missing(k);
    return false;
  }
  if (!n.IsSequence()) {
    c_.error(n, key(k), "wrong type: expected a list of text values, got " + given(n));
    return false;
  }
  std::vector<std::string> items;
  bool good = true;
  for (std::size_t i = 0; i < n.size(); ++i) {
    auto item = n[i];
    const std::string item_key = key(k) + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      c_.error(item, item_key, "wrong type: expected a text value, got " + given(item));
      good = false;
      continue;
    }
    std::string problem;
    auto v = expand_env(item.Scalar(), problem);
    if (!v) {
      c_.error(item, item_key, problem);
      good = false;
      continue;
    }
    items.push_back(std::move(*v));
  }
  out = std::move(items);
  return good;
}

}  // namespace gw::config
