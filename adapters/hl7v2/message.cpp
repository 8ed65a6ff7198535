#include "adapters/hl7v2/message.hpp"

#include <bit>
#include <cstring>

#include "adapters/hl7v2/escape.hpp"
#include "fhir/swar.hpp"

namespace gw::hl7v2 {
namespace {

/// The first byte in [p, end) equal to `a` or `b` (`end` when none). Component scans are most of
/// what reading a value costs: eight bytes are tested at a time.
const char* find_either(const char* p, const char* const end, char a, char b) {
  namespace swar = fhir::swar;
  const std::uint64_t ma = swar::broadcast(a), mb = swar::broadcast(b);
  while (end - p >= 8) {
    const std::uint64_t w = swar::load(p);
    // A false hit can only lie above a true one (swar::zero_bytes): the lowest is the first match.
    const std::uint64_t hit = swar::zero_bytes(w ^ ma) | swar::zero_bytes(w ^ mb);
    if (hit != 0) return p + swar::first_byte(hit);
    p += 8;
  }
  while (p != end && *p != a && *p != b) ++p;
  return p;
}

/// The `i`-th (0-based) piece of `s` split on `sep`; empty when there are fewer pieces.
std::string_view nth_piece(std::string_view s, char sep, std::size_t i) {
  std::size_t start = 0;
  for (; i > 0; --i) {
    std::size_t p = s.find(sep, start);
    if (p == std::string_view::npos) return {};
    start = p + 1;
  }
  std::size_t end = s.find(sep, start);
  return s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

/// Component `i` (0-based) of the first repetition of `s`, in one scan that stops at that
/// component's end (not at the end of the whole field, as splitting off the repetition first
/// would).
std::string_view nth_component(std::string_view s, const delimiters& d, std::size_t i) {
  const char* p = s.data();
  const char* const end = p + s.size();
  const char comp = d.component, rep = d.repetition;
  for (; i > 0; --i) {
    p = find_either(p, end, comp, rep);
    if (p == end || *p == rep) return {};
    ++p;
  }
  const char* q = find_either(p, end, comp, rep);
  return {p, static_cast<std::size_t>(q - p)};
}

std::size_t count_pieces(std::string_view s, char sep) {
  if (s.empty()) return 0;
  // Separators are few (most fields have no repetition): memchr skips the text between them.
  std::size_t n = 1;
  const char* p = s.data();
  const char* const end = p + s.size();
  while ((p = static_cast<const char*>(std::memchr(p, sep, static_cast<std::size_t>(end - p)))) != nullptr) {
    ++n;
    ++p;
  }
  return n;
}

}  // namespace

std::string delimiters::encoding_characters() const {
  std::string s{component, repetition, escape, subcomponent};
  if (truncation != 0) s += truncation;
  return s;
}

std::string_view value::first_repetition() const {
  if (level_ == level::field && d_ != nullptr) return nth_piece(raw_, d_->repetition, 0);
  return raw_;
}

std::size_t value::repetition_count() const {
  if (level_ == level::field && d_ != nullptr) return count_pieces(raw_, d_->repetition);
  return raw_.empty() ? 0 : 1;
}

value value::repetition(std::size_t i) const {
  if (d_ == nullptr) return {};
  if (level_ == level::field) return {nth_piece(raw_, d_->repetition, i), d_, level::repetition};
  return i == 0 ? *this : value{};
}

value value::component(std::size_t n) const {
  if (d_ == nullptr || n == 0) return {};
  switch (level_) {
    case level::field:
    case level::repetition: return {nth_component(raw_, *d_, n - 1), d_, level::component};
    case level::component:
    case level::subcomponent:
    case level::literal: return n == 1 ? *this : value{};
  }
  return {};
}

std::size_t value::component_count() const {
  if (d_ == nullptr) return 0;
  if (level_ == level::field || level_ == level::repetition) return count_pieces(first_repetition(), d_->component);
  return raw_.empty() ? 0 : 1;
}

std::size_t value::subcomponent_count() const {
  if (d_ == nullptr) return 0;
  if (level_ == level::field || level_ == level::repetition) return component(1).subcomponent_count();
  if (level_ == level::component) return count_pieces(raw_, d_->subcomponent);
  return raw_.empty() ? 0 : 1;
}

value value::subcomponent(std::size_t n) const {
  if (d_ == nullptr || n == 0) return {};
  switch (level_) {
    case level::field:
    case level::repetition: return component(1).subcomponent(n);
    case level::component: return {nth_piece(raw_, d_->subcomponent, n - 1), d_, level::subcomponent};
    case level::subcomponent:
    case level::literal: return n == 1 ? *this : value{};
  }
  return {};
}

std::string value::text() const {
  if (d_ == nullptr || level_ == level::literal || is_null()) {
    return is_null() ? std::string{} : std::string(raw_);
  }
  // Most values hold no escape sequence: copied here without the call into the decoder.
  if (raw_.find(d_->escape) == std::string_view::npos) return std::string(raw_);
  return decode_text(raw_, *d_);
}

components::components(value v) : v_(v) {
  if (v.d_ == nullptr || (v.level_ != value::level::field && v.level_ != value::level::repetition)) return;
  split_ = true;
  // As nth_component: components of the first repetition, which ends at the first repetition
  // separator.
  const char* p = v.raw_.data();
  const char* const end = p + v.raw_.size();
  const char comp = v.d_->component, rep = v.d_->repetition;
  for (const char* start = p;; start = ++p) {
    p = find_either(p, end, comp, rep);
    parts_[count_++] = {start, static_cast<std::size_t>(p - start)};
    if (p == end || *p == rep) {
      complete_ = true;
      return;
    }
    if (count_ == capacity) return;
  }
}

bool value::is_plain_ascii() const {
  const char esc = d_ != nullptr ? d_->escape : '\\';
  const char* p = raw_.data();
  const char* const end = p + raw_.size();
  namespace swar = fhir::swar;
  const std::uint64_t me = swar::broadcast(esc);
  for (; end - p >= 8; p += 8) {
    const std::uint64_t w = swar::load(p);
    // A byte >= 0x80, or (as a yes/no) a byte equal to the escape.
    if ((swar::zero_bytes(w ^ me) | (w & swar::highs)) != 0) return false;
  }
  for (; p != end; ++p)
    if (static_cast<unsigned char>(*p) >= 0x80 || *p == esc) return false;
  return true;
}

std::string_view segment::name() const {
  return m_->fields_[m_->segs_[index_].first_field];
}

std::size_t segment::field_count() const {
  return m_->segs_[index_].field_count - 1;
}

value segment::field(std::size_t n) const {
  const auto& rec = m_->segs_[index_];
  if (n == 0 || n >= rec.field_count) return {{}, &m_->delims_, value::level::field};
  std::string_view raw = m_->fields_[rec.first_field + n];
  bool literal = index_ == 0 && (n == 1 || n == 2);
  return {raw, &m_->delims_, literal ? value::level::literal : value::level::field};
}

std::string_view segment::raw() const {
  return m_->segs_[index_].raw;
}

std::size_t segment::sequence() const {
  std::string_view id = name();
  std::size_t seq = 0;
  for (std::size_t i = 0; i <= index_; ++i)
    if (m_->fields_[m_->segs_[i].first_field] == id) ++seq;
  return seq;
}

std::size_t message::find_index(std::string_view name, std::size_t nth) const {
  for (std::size_t i = 0; i < segs_.size(); ++i) {
    if (fields_[segs_[i].first_field] == name) {
      if (nth == 0) return i;
      --nth;
    }
  }
  return segs_.size();
}

value message::message_code() const {
  return header().get(9, 1);
}
value message::trigger_event() const {
  return header().get(9, 2);
}
value message::message_structure() const {
  return header().get(9, 3);
}
value message::control_id() const {
  return header().field(10);
}
value message::version() const {
  return header().get(12, 1);
}

}  // namespace gw::hl7v2
