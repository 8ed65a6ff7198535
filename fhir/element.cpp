#include "fhir/element.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gw::fhir {

decimal decimal::from_double(double v, int digits) {
  if (!std::isfinite(v)) return decimal{};
  if (digits < 0) digits = 0;
  if (digits > 17) digits = 17;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  decimal d;
  if (n > 0 && static_cast<std::size_t>(n) < sizeof buf) d.text_.assign(buf, static_cast<std::size_t>(n));
  if (d.text_.starts_with('-') && d.text_.find_first_not_of("-0.") == std::string::npos)
    d.text_.erase(0, 1);  // no negative zero
  return d;
}

std::optional<decimal> decimal::parse(std::string_view t) {
  // JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::size_t i = 0, n = t.size();
  auto digits = [&] {
    std::size_t b = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
    return i - b;
  };
  if (i < n && t[i] == '-') ++i;
  if (i < n && t[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return std::nullopt;
  }
  if (i < n && t[i] == '.') {
    ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i != n || n > 64) return std::nullopt;
  decimal d;
  d.text_.assign(t);
  return d;
}

double decimal::to_double() const {
  return std::strtod(text_.c_str(), nullptr);
}

}  // namespace gw::fhir
