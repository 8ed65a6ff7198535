#pragma once
/// HL7 v2 escape sequences: decoding received text, escaping text for sending.
///
/// Decoding (`decode_text`):
///   \F\ \S\ \T\ \R\ \E\ \P\  → the field, component, subcomponent, repetition, escape and
///                              truncation characters of the message;
///   \Xhhhh..\                → the bytes given in hexadecimal;
///   \.br\  → "\n";  \.sp\ / \.sp n\ → n line breaks;  \.sk n\ → n spaces;  \.ce\ → "\n";
///   \H\ \N\ \.fi\ \.nf\ \.in n\ \.ti n\ (highlighting and layout) → dropped;
///   anything else (\Cxxyy\, \Mxxyyzz\, \Zxxx\, unknown)   → kept as received, escape
///   characters included, so nothing is lost and the reader can see it was not understood;
///   an escape character without its closing partner is kept literally.
/// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "adapters/hl7v2/message.hpp"

namespace gw::hl7v2 {

/// Decodes the escape sequences of `raw` (see above). Separators in `raw` are kept as they are.
std::string decode_text(std::string_view raw, const delimiters& d);
/// Appends the decoded text of `raw` to `out`.
void decode_text_to(std::string& out, std::string_view raw, const delimiters& d);

/// Appends `text` to `out`, escaping every separator, escape and truncation character of `d`
/// (\F\ \S\ \T\ \R\ \E\ \P\) and turning line breaks into \.br\ (CR, LF or CRLF).
void escape_text_to(std::string& out, std::string_view text, const delimiters& d);
/// `escape_text_to` into a new string.
std::string escape_text(std::string_view text, const delimiters& d);

/// Re-escapes one leaf value (a subcomponent, as received under `from`) for `to`: delimiter
/// escapes become the character (escaped again if it is special under `to`), other escape
/// sequences (\.br\, \X..\, \H\, unknown ones) are kept as escape sequences with `to`'s escape
/// character, so that formatting survives a change of delimiters.
void reescape_leaf_to(std::string& out, std::string_view raw, const delimiters& from, const delimiters& to);

}  // namespace gw::hl7v2
