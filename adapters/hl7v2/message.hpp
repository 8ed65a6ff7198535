#pragma once
/// The parsed form of an HL7 v2 message: views into the caller's buffer, split on demand.
///
/// A `message` does not own the bytes it was parsed from: the buffer given to `parse()` must
/// outlive the message and every `value`/`segment` taken from it. Nothing is copied or decoded
/// while parsing; escape sequences are decoded only when `value::text()` is called.
/// All types here are immutable after parsing and safe to read from several threads.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gw::hl7v2 {

/// The five HL7 separators: field (MSH-1) and the encoding characters (MSH-2).
/// `truncation` is 0 when MSH-2 has only four characters (before v2.7).
struct delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = 0;

  /// MSH-2 as written: component, repetition, escape, subcomponent [, truncation].
  std::string encoding_characters() const;
  /// True when `c` is one of the separators (or the escape or truncation character).
  bool is_special(char c) const {
    return c == field || c == component || c == repetition || c == escape || c == subcomponent ||
           (truncation != 0 && c == truncation);
  }
  friend bool operator==(const delimiters&, const delimiters&) = default;
};

/// One HL7 value at some level of the hierarchy: a whole field, one repetition, one component or
/// one subcomponent. A view (no ownership); `raw()` is the escaped text as received.
class value {
 public:
  enum class level : std::uint8_t { field, repetition, component, subcomponent, literal };

  value() = default;
  value(std::string_view raw, const delimiters* d, level l) : raw_(raw), d_(d), level_(l) {}

  /// The bytes as received, escape sequences included.
  std::string_view raw() const { return raw_; }
  /// Nothing was sent (the field was absent or empty).
  bool empty() const { return raw_.empty(); }
  /// The HL7 null `""`: the sender says "delete this value", unlike an empty value.
  bool is_null() const { return raw_ == "\"\""; }
  /// Neither empty nor null.
  bool has_value() const { return !empty() && !is_null(); }

  /// Number of repetitions (a field level value; 0 when empty, 1 for other levels).
  std::size_t repetition_count() const;
  /// Repetition `i` (0-based) of a field; an empty value when absent.
  value repetition(std::size_t i) const;
  /// Component `n` (1-based). On a field, taken from its first repetition.
  value component(std::size_t n) const;
  /// Subcomponent `n` (1-based). On a field or repetition, taken from its first component.
  value subcomponent(std::size_t n) const;
  /// Number of components (first repetition for a field).
  std::size_t component_count() const;
  /// Number of subcomponents (first component for a field or repetition).
  std::size_t subcomponent_count() const;

  /// The text with escape sequences decoded (see escape.hpp); null decodes to "".
  /// On a field or repetition with separators inside, the separators are kept as they are.
  std::string text() const;
  /// True when every byte is 7-bit ASCII and none is the escape character: text() is then
  /// raw() as it is (for a non-null value), and already in NFC.
  bool is_plain_ascii() const;

 private:
  friend class components;
  std::string_view first_repetition() const;
  std::string_view raw_;
  const delimiters* d_ = nullptr;
  level level_ = level::field;
};

/// The components of a value found in one scan. `value::component(n)` scans the text from its
/// start on every call, and a mapping reads many components of one value (a CWE up to 12, an
/// XAD 10): `components(v)[n]` is exactly `v.component(n)`, each found once. A view, like value.
class components {
 public:
  /// Components kept in the table; later ones (rare) are found by `value::component`.
  static constexpr std::size_t capacity = 16;

  explicit components(value v);
  /// Component `n` (1-based), as `value::component(n)` of the value given.
  value operator[](std::size_t n) const {
    if (!split_) return v_.component(n);
    if (n == 0) return {};
    if (n <= count_) return {parts_[n - 1], v_.d_, value::level::component};
    if (complete_) return {std::string_view{}, v_.d_, value::level::component};
    return v_.component(n);
  }

 private:
  value v_;
  bool split_ = false;     ///< a field or repetition with delimiters: the table is used
  bool complete_ = false;  ///< the table holds every component (no more than `capacity`)
  std::uint32_t count_ = 0;
  std::array<std::string_view, capacity> parts_;
};

class message;

/// A segment: a view of one line of the message.
class segment {
 public:
  segment(const message* m, std::size_t index) : m_(m), index_(index) {}

  /// Segment id ("MSH", "PID", "ZPI"...).
  std::string_view name() const;
  /// Highest field number present (for MSH, MSH-1 and MSH-2 count as fields 1 and 2).
  std::size_t field_count() const;
  /// Field `n` (1-based, HL7 numbering: `field(3)` of MSH is MSH-3). Empty when absent.
  /// MSH-1 and MSH-2 are literal values (never split or decoded).
  value field(std::size_t n) const;
  /// Shorthand: component `c` of the first repetition of field `n`.
  value get(std::size_t n, std::size_t c) const { return field(n).component(c); }
  /// Shorthand: subcomponent `s` of component `c` of the first repetition of field `n`.
  value get(std::size_t n, std::size_t c, std::size_t s) const { return field(n).component(c).subcomponent(s); }
  /// The whole line as received, without its terminator.
  std::string_view raw() const;
  /// Position of the segment in the message (0-based).
  std::size_t index() const { return index_; }
  /// Occurrence number of this segment id in the message (1-based), as used in ERR-2.
  std::size_t sequence() const;

 private:
  const message* m_;
  std::size_t index_;
};

/// A parsed message. Produced by `parse()` (parser.hpp). Copyable; copies share the buffer.
class message {
 public:
  message() = default;

  const struct delimiters& delims() const { return delims_; }
  std::size_t segment_count() const { return segs_.size(); }
  segment at(std::size_t i) const { return segment(this, i); }
  /// The `nth` (0-based) segment named `name`, or nullptr-like `false` through `find_index`.
  /// Returns segment_count() when not found.
  std::size_t find_index(std::string_view name, std::size_t nth = 0) const;
  /// True when the message has a segment named `name`.
  bool has(std::string_view name) const { return find_index(name) < segs_.size(); }
  /// The MSH segment (always index 0 in a parsed message). Precondition: segment_count() > 0.
  segment header() const { return segment(this, 0); }
  /// The whole buffer the message was parsed from.
  std::string_view buffer() const { return buffer_; }

  // Common header values.
  value message_code() const;       ///< MSH-9.1, e.g. ADT
  value trigger_event() const;      ///< MSH-9.2, e.g. A01
  value message_structure() const;  ///< MSH-9.3, e.g. ADT_A01
  value control_id() const;         ///< MSH-10
  value version() const;            ///< MSH-12.1

 private:
  friend class segment;
  friend class parser_impl;
  struct seg_rec {
    std::string_view raw;
    std::uint32_t first_field;  ///< index into fields_ of the name (field 0)
    std::uint32_t field_count;  ///< fields stored, name included
  };
  std::string_view buffer_;
  struct delimiters delims_;
  std::vector<seg_rec> segs_;
  std::vector<std::string_view> fields_;
};

}  // namespace gw::hl7v2
