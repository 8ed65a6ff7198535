#include "adapters/hl7v2/parser.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "fhir/swar.hpp"
#include "fhir/text.hpp"

namespace gw::hl7v2 {

using fhir::hl7_error;
using fhir::issue;
using fhir::issue_code;
using fhir::severity;

namespace {

bool is_upper_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool valid_segment_id(std::string_view id) {
  return id.size() == 3 && id[0] >= 'A' && id[0] <= 'Z' && is_upper_alnum(id[1]) && is_upper_alnum(id[2]);
}

/// A character usable as a separator: printable 7-bit ASCII, not a letter, digit or space.
bool valid_separator(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7F) return false;
  return !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
}

bool is_terminator(char c) {
  return c == '\r' || c == '\n';
}

namespace swar = fhir::swar;

/// The sum of the eight byte lanes of `c` (each 0..255): pairs of lanes first, so that no partial
/// sum passes its field (a multiply of the bytes alone wraps once the total passes 255).
std::size_t lane_sum(std::uint64_t c) {
  constexpr std::uint64_t even = 0x00FF00FF00FF00FFULL;
  const std::uint64_t pairs = (c & even) + ((c >> 8) & even);              // four 16-bit lanes, each <= 510
  return static_cast<std::size_t>((pairs * 0x0001000100010001ULL) >> 48);  // total <= 2,040
}

/// How many bytes of `s` are `a` and how many are `b`, eight bytes at a time.
std::pair<std::size_t, std::size_t> count_two(std::string_view s, char a, char b) {
  std::size_t na = 0, nb = 0, i = 0;
  const std::uint64_t ma = swar::broadcast(a), mb = swar::broadcast(b);
  while (s.size() - i >= 8) {
    // Per-byte counters (0..255 in each lane) summed every 255 words.
    std::uint64_t ca = 0, cb = 0;
    for (int k = 0; k < 255 && s.size() - i >= 8; ++k, i += 8) {
      const std::uint64_t w = swar::load(s.data() + i);
      ca += swar::zero_bytes_exact(w ^ ma) >> 7;
      cb += swar::zero_bytes_exact(w ^ mb) >> 7;
    }
    na += lane_sum(ca);
    nb += lane_sum(cb);
  }
  for (; i < s.size(); ++i) {
    na += s[i] == a ? 1u : 0u;
    nb += s[i] == b ? 1u : 0u;
  }
  return {na, nb};
}

issue make_issue(severity s, issue_code c, std::string location, std::string text, hl7_error h = hl7_error::none) {
  return issue{s, c, std::move(location), std::move(text), h};
}

}  // namespace

std::string hl7_location(std::string_view segment, std::size_t sequence, std::size_t field, std::size_t repetition,
                         std::size_t component) {
  std::string s(segment);
  s += '^';
  s += std::to_string(sequence);
  if (field == 0) return s;
  s += '^';
  s += std::to_string(field);
  if (repetition == 0 && component == 0) return s;
  s += '^';
  s += std::to_string(repetition == 0 ? 1 : repetition);
  if (component == 0) return s;
  s += '^';
  s += std::to_string(component);
  return s;
}

bool is_supported_version(std::string_view v) {
  static constexpr std::array<std::string_view, 11> versions = {"2.3", "2.3.1", "2.4", "2.5",   "2.5.1", "2.6",
                                                                "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2"};
  for (auto s : versions)
    if (s == v) return true;
  return false;
}

/// Does the work of parse(); a friend of `message` so it can fill it in place.
class parser_impl {
 public:
  parser_impl(std::string_view bytes, const parse_settings& s) : bytes_(bytes), s_(s) {}

  parse_result run() {
    parse_result r;
    std::string_view in = bytes_;
    // A UTF-8 byte order mark and blank lines before MSH are tolerated.
    if (in.starts_with("\xEF\xBB\xBF")) in.remove_prefix(3);
    while (!in.empty() && is_terminator(in.front())) in.remove_prefix(1);

    if (!in.starts_with("MSH")) {
      if (in.starts_with("FHS") || in.starts_with("BHS"))
        r.issues.push_back(make_issue(severity::fatal, issue_code::not_supported, "",
                                      "batch messages (FHS/BHS) are not supported; send one "
                                      "message per frame",
                                      hl7_error::unsupported_message_type));
      else
        r.issues.push_back(make_issue(severity::fatal, issue_code::structure, "MSH^1",
                                      "the message does not start with an MSH segment", hl7_error::segment_sequence));
      return r;
    }
    if (!read_delimiters(in, r.issues)) return r;

    message& m = r.msg.emplace();
    m.buffer_ = bytes_;
    m.delims_ = d_;
    m_ = &m;

    bool too_big = bytes_.size() > s_.max_message_bytes;
    if (too_big) {
      r.issues.push_back(make_issue(severity::fatal, issue_code::too_long, "",
                                    "message of " + std::to_string(bytes_.size()) + " bytes exceeds the limit of " +
                                        std::to_string(s_.max_message_bytes) +
                                        " bytes; only the MSH segment was read"));
      // Read the header alone, within the limit, so the answer can still be addressed.
      std::string_view head = in.substr(0, s_.max_message_bytes);
      std::size_t end = 0;
      while (end < head.size() && !is_terminator(head[end])) ++end;
      if (end == head.size() && in.size() > head.size()) {
        r.msg.reset();
        return r;
      }
      in = head.substr(0, end);
    }

    // One allocation each for the segment and field tables (an upper bound from a fast count).
    const auto [seps, lines] = count_two(in, d_.field, '\r');
    m.segs_.reserve(std::min(lines + 1, s_.max_segments));
    m.fields_.reserve(seps + lines + 4);
    bool complete = split_segments(in, r.issues);
    if (m.segs_.empty()) {
      r.msg.reset();
      return r;
    }
    check_charset(r.issues);
    check_header(r.issues);
    r.complete = complete && !too_big;
    return r;
  }

 private:
  bool read_delimiters(std::string_view in, fhir::issue_list& issues) {
    if (in.size() < 4 || !valid_separator(in[3])) {
      issues.push_back(make_issue(severity::fatal, issue_code::structure, "MSH^1^1",
                                  "MSH-1 (field separator) is missing or not a valid separator",
                                  hl7_error::required_field_missing));
      return false;
    }
    d_.field = in[3];
    std::size_t end = 4;
    while (end < in.size() && in[end] != d_.field && !is_terminator(in[end])) ++end;
    std::string_view enc = in.substr(4, end - 4);
    if (enc.size() < 4 || enc.size() > 5) {
      issues.push_back(make_issue(severity::fatal, issue_code::structure, "MSH^1^2",
                                  "MSH-2 must hold 4 encoding characters (5 with truncation)",
                                  hl7_error::required_field_missing));
      return false;
    }
    d_.component = enc[0];
    d_.repetition = enc[1];
    d_.escape = enc[2];
    d_.subcomponent = enc[3];
    d_.truncation = enc.size() == 5 ? enc[4] : 0;
    std::array<char, 6> all{d_.field, d_.component, d_.repetition, d_.escape, d_.subcomponent, d_.truncation};
    std::size_t n = enc.size() + 1;
    for (std::size_t i = 0; i < n; ++i) {
      bool bad = !valid_separator(all[i]);
      for (std::size_t j = 0; j < i; ++j) bad = bad || all[i] == all[j];
      if (bad) {
        issues.push_back(make_issue(severity::fatal, issue_code::structure, "MSH^1^2",
                                    "MSH-1/MSH-2 separators must be distinct, printable and not "
                                    "letters or digits",
                                    hl7_error::data_type_error));
        return false;
      }
    }
    return true;
  }

  /// What a byte is to the splitter: nothing special, a separator, or a segment terminator.
  enum byte_class : std::uint8_t { plain, field_sep, repetition_sep, component_sep, subcomponent_sep, terminator };

  void classify() {
    class_.fill(plain);
    class_[static_cast<unsigned char>(d_.field)] = field_sep;
    class_[static_cast<unsigned char>(d_.repetition)] = repetition_sep;
    class_[static_cast<unsigned char>(d_.component)] = component_sep;
    class_[static_cast<unsigned char>(d_.subcomponent)] = subcomponent_sep;
    class_['\r'] = terminator;
    class_['\n'] = terminator;
  }

  /// Splits `in` into segments and fields in one pass over the bytes. False when a limit stopped it.
  bool split_segments(std::string_view in, fhir::issue_list& issues) {
    classify();
    std::size_t pos = 0;
    while (pos < in.size()) {
      if (class_[static_cast<unsigned char>(in[pos])] == terminator) {
        ++pos;
        continue;
      }
      if (m_->segs_.size() >= s_.max_segments) {
        issues.push_back(make_issue(severity::fatal, issue_code::too_costly, "",
                                    "more than " + std::to_string(s_.max_segments) + " segments"));
        return false;
      }
      if (!split_fields(in, pos, issues)) return false;
    }
    return true;
  }

  /// The first byte at or after `i` that ends a field, the field separator or a segment
  /// terminator; `n` when none. Eight bytes at a time.
  std::size_t field_end(const char* p, std::size_t i, std::size_t n) const {
    const std::uint64_t mf = swar::broadcast(d_.field), mr = swar::broadcast('\r'), ml = swar::broadcast('\n');
    for (; n - i >= 8; i += 8) {
      const std::uint64_t w = swar::load(p + i);
      // A false hit lies only above a true one (swar::zero_bytes), so the lowest is exact.
      const std::uint64_t hit = swar::zero_bytes(w ^ mf) | swar::zero_bytes(w ^ mr) | swar::zero_bytes(w ^ ml);
      if (hit != 0) return i + swar::first_byte(hit);
    }
    while (i < n && p[i] != d_.field && !is_terminator(p[i])) ++i;
    return i;
  }

  /// HL7 location (segment^sequence^field) of field `field_no` of the segment being split, whose
  /// name is the field at index `first` (empty before the name is read). For issues only: it
  /// counts the earlier segments of that name.
  [[gnu::noinline, gnu::cold]] std::string location_in_segment(std::uint32_t first, std::size_t field_no) const {
    if (m_->fields_.size() <= first) return {};
    const std::string_view name = m_->fields_[first];
    std::size_t sequence = 1;
    for (const auto& seg : m_->segs_) sequence += m_->fields_[seg.first_field] == name ? 1 : 0;
    return hl7_location(name, sequence, field_no);
  }

  [[gnu::noinline, gnu::cold]] void too_many_fields(std::size_t seg_no, std::uint32_t first,
                                                    fhir::issue_list& issues) const {
    issues.push_back(make_issue(
        severity::fatal, issue_code::too_costly, location_in_segment(first, 0),
        "segment " + std::to_string(seg_no) + " has more than " + std::to_string(s_.max_fields) + " fields"));
  }

  /// Splits the segment starting at `pos` (not a terminator) into fields; `pos` is left on the
  /// byte after the segment.
  bool split_fields(std::string_view in, std::size_t& pos, fhir::issue_list& issues) {
    const bool is_msh = m_->segs_.empty();
    const auto first = static_cast<std::uint32_t>(m_->fields_.size());
    const std::size_t line_start = pos;
    const std::size_t seg_no = m_->segs_.size() + 1;
    const char* p = in.data();
    const std::size_t n = in.size();
    std::size_t field_no = 0;

    // Called for every field: the issue is built out of line so that this stays small and inlined.
    auto push_field = [&](std::size_t from, std::size_t to) -> bool {
      if (field_no > s_.max_fields) [[unlikely]] {
        too_many_fields(seg_no, first, issues);
        return false;
      }
      m_->fields_.emplace_back(p + from, to - from);
      ++field_no;
      return true;
    };
    auto limit_hit = [&](const char* what) {
      issues.push_back(make_issue(severity::fatal, issue_code::too_costly, location_in_segment(first, field_no),
                                  "segment " + std::to_string(seg_no) + " field " + std::to_string(field_no) +
                                      " has more than the allowed " + what));
      return false;
    };

    std::size_t i = pos;
    std::size_t start = pos;
    if (is_msh) {
      // MSH-1 is the field separator itself, MSH-2 the encoding characters: both literal.
      // (The caller checked that the line starts with "MSH", a separator and MSH-2.)
      push_field(pos, pos + 3);
      push_field(pos + 3, pos + 4);
      std::size_t enc_end = pos + 4;
      while (enc_end < n && p[enc_end] != d_.field && class_[static_cast<unsigned char>(p[enc_end])] != terminator)
        ++enc_end;
      push_field(pos + 4, enc_end);
      if (enc_end == n || p[enc_end] != d_.field) {
        pos = enc_end;
        m_->segs_.push_back({in.substr(line_start, pos - line_start), first, static_cast<std::uint32_t>(field_no)});
        return true;
      }
      i = start = enc_end + 1;
    }
    // A field of fewer bytes than the smallest limit cannot hold too many separators: only longer
    // ones are counted, the others are skipped to their end.
    const std::size_t long_field = std::min(s_.max_repetitions, s_.max_components);
    // Repetitions per field, components per repetition, subcomponents per component.
    auto within_limits = [&](std::size_t from, std::size_t to) {
      std::size_t reps = 1, comps = 1, subs = 1;
      for (std::size_t k = from; k < to; ++k) {
        const std::uint8_t c = class_[static_cast<unsigned char>(p[k])];
        if (c == repetition_sep) {
          if (++reps > s_.max_repetitions) return limit_hit("repetitions");
          comps = subs = 1;
        } else if (c == component_sep) {
          if (++comps > s_.max_components) return limit_hit("components");
          subs = 1;
        } else if (c == subcomponent_sep && ++subs > s_.max_components) {
          return limit_hit("subcomponents");
        }
      }
      return true;
    };
    for (;;) {
      i = field_end(p, i, n);
      if (i - start >= long_field && !within_limits(start, i)) return false;
      if (i == n || p[i] != d_.field) break;
      if (!push_field(start, i)) return false;
      start = ++i;
    }
    if (!push_field(start, i)) return false;
    pos = i;

    std::string_view id = m_->fields_[first];
    if (!is_msh && !valid_segment_id(id)) {
      issues.push_back(
          make_issue(severity::error, issue_code::structure, "",
                     "segment " + std::to_string(seg_no) +
                         " does not start with a segment id (3 upper-case letters or digits); a line break "
                         "inside a value must be sent as \\.br\\",
                     hl7_error::segment_sequence));
    } else if (!is_msh && id == "MSH") {
      issues.push_back(make_issue(severity::error, issue_code::structure, hl7_location("MSH", 2),
                                  "a second MSH segment: send one message per frame", hl7_error::segment_sequence));
    }
    m_->segs_.push_back({in.substr(line_start, pos - line_start), first, static_cast<std::uint32_t>(field_no)});
    return true;
  }

  /// Location of the byte at `offset` (into bytes_) as SEG^seq^field.
  std::string location_of(std::size_t offset) const {
    const char* p = bytes_.data() + offset;
    for (std::size_t i = 0; i < m_->segs_.size(); ++i) {
      const auto& rec = m_->segs_[i];
      if (p < rec.raw.data() || p >= rec.raw.data() + rec.raw.size()) continue;
      segment seg(m_, i);
      std::string_view id = seg.name();
      if (!valid_segment_id(id)) return {};
      for (std::size_t f = rec.field_count; f-- > 1;) {
        std::string_view fv = m_->fields_[rec.first_field + f];
        if (p >= fv.data()) return hl7_location(id, seg.sequence(), f);
      }
      return hl7_location(id, seg.sequence());
    }
    return {};
  }

  void check_charset(fhir::issue_list& issues) {
    segment msh = m_->header();
    std::string cs = msh.field(18).repetition(0).text();
    bool ascii = false;
    if (cs == "ASCII") {
      ascii = true;
    } else if (!cs.empty() && cs != "UNICODE UTF-8") {
      issues.push_back(make_issue(severity::error, issue_code::not_supported, "MSH^1^18",
                                  "character set in MSH-18 is not supported; send UNICODE UTF-8",
                                  hl7_error::data_type_error));
      return;
    }
    // Only what was parsed: a message cut short by a limit is not scanned to its end.
    const auto& last = m_->segs_.back().raw;
    std::string_view text = bytes_.substr(0, static_cast<std::size_t>(last.data() + last.size() - bytes_.data()));
    // NUL is no character of any text (valid UTF-8 and ASCII though): refused here, where its place
    // is known, rather than by the database when the resources are stored.
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
      issues.push_back(make_issue(severity::error, issue_code::value, location_of(nul),
                                  "NUL byte (0x00) at byte " + std::to_string(nul) + ": not allowed in text",
                                  hl7_error::data_type_error));
      return;
    }
    if (ascii) {
      for (std::size_t i = 0; i < text.size(); ++i) {
        if (static_cast<unsigned char>(text[i]) >= 0x80) {
          issues.push_back(make_issue(severity::error, issue_code::value, location_of(i),
                                      "byte outside 7-bit ASCII while MSH-18 says ASCII", hl7_error::data_type_error));
          return;
        }
      }
      return;
    }
    std::size_t bad = fhir::first_invalid_utf8(text);
    if (bad != std::string_view::npos) {
      issues.push_back(make_issue(severity::error, issue_code::value, location_of(bad),
                                  "invalid UTF-8 at byte " + std::to_string(bad), hl7_error::data_type_error));
    }
  }

  void check_header(fhir::issue_list& issues) {
    segment msh = m_->header();
    auto required = [&](std::size_t f, std::size_t comp, const char* what) {
      value v = comp == 0 ? msh.field(f) : msh.get(f, comp);
      if (v.has_value()) return true;
      issues.push_back(make_issue(severity::error, issue_code::required, hl7_location("MSH", 1, f, 0, comp),
                                  std::string(what) + " is required", hl7_error::required_field_missing));
      return false;
    };
    if (required(9, 0, "MSH-9 (message type)")) {
      required(9, 1, "MSH-9.1 (message code)");
      if (m_->message_code().raw() != "ACK") required(9, 2, "MSH-9.2 (trigger event)");
    }
    required(10, 0, "MSH-10 (message control id)");
    required(11, 0, "MSH-11 (processing id)");
    if (required(12, 0, "MSH-12 (version id)")) {
      std::string v = m_->version().text();
      if (!is_supported_version(v))
        issues.push_back(make_issue(severity::error, issue_code::not_supported, hl7_location("MSH", 1, 12),
                                    "HL7 version in MSH-12 is not supported (2.3 to 2.8)",
                                    hl7_error::unsupported_version_id));
    }
  }

  std::string_view bytes_;
  const parse_settings& s_;
  delimiters d_;
  std::array<std::uint8_t, 256> class_{};
  message* m_ = nullptr;
};

parse_result parse(std::string_view bytes, const parse_settings& settings) {
  return parser_impl(bytes, settings).run();
}

}  // namespace gw::hl7v2
