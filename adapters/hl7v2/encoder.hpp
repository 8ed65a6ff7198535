#pragma once
/// HL7 v2 encoding: re-encoding a parsed message (optionally with other delimiters) and writing
/// new messages (acknowledgements) value by value with escaping.
/// Pure functions and a value-type writer; no shared state.

#include <initializer_list>
#include <string>
#include <string_view>

#include "adapters/hl7v2/message.hpp"

namespace gw::hl7v2 {

/// Encodes `m` with delimiters `d`, each segment followed by `terminator`. With `d` equal to the
/// message's delimiters the fields are copied as received; otherwise every leaf value is
/// re-escaped (see `reescape_leaf_to`), so parsing the result gives the same decoded values.
std::string encode(const message& m, const delimiters& d, std::string_view terminator = "\r");
/// Encodes `m` with its own delimiters.
inline std::string encode(const message& m) {
  return encode(m, m.delims());
}

/// Builds a message segment by segment. Text given to `field`/`components` is escaped; text
/// given to `raw_field` is written as is (it must already be encoded with `delims()`).
/// Empty trailing fields are written as given (callers add only what they need).
class message_writer {
 public:
  explicit message_writer(const delimiters& d = {}) : d_(d) {}

  const delimiters& delims() const { return d_; }
  /// Starts a segment. For "MSH", MSH-1 and MSH-2 are written; the next field is MSH-3.
  message_writer& segment(std::string_view id);
  /// One field holding `text` (escaped).
  message_writer& field(std::string_view text);
  /// One field written as is.
  message_writer& raw_field(std::string_view raw);
  /// One field made of components (each escaped); trailing empty components are dropped.
  message_writer& components(std::initializer_list<std::string_view> texts);
  /// The message, every segment ended by CR.
  std::string finish();

 private:
  void end_segment();
  delimiters d_;
  std::string out_;
  bool open_ = false;
};

}  // namespace gw::hl7v2
