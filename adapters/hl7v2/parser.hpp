#pragma once
/// HL7 v2 parser: bytes → `message` (views into the bytes) + issues.
///
/// What it accepts: delimiters taken from MSH-1/MSH-2 (any five distinct non-alphanumeric
/// characters; a fifth, truncation character from v2.7 on), segments ended by CR, LF or CRLF
/// (blank lines ignored), versions 2.3 to 2.8.x (MSH-12), character sets (MSH-18) empty /
/// `UNICODE UTF-8` / `ASCII` (the text must then be valid UTF-8, resp. 7-bit). A UTF-8 byte order
/// mark before MSH is skipped. Z-segments are kept like any other segment.
///
/// What it reports (issues with HL7 positions `SEG^sequence^field[^component]` as location and a
/// table 0357 code): no MSH or bad delimiters (fatal: no message), limits exceeded (fatal, except
/// that the MSH segment alone is still parsed so an acknowledgement can be addressed), invalid or
/// unsupported character sets, malformed segment ids, required MSH fields missing (MSH-9, MSH-10,
/// MSH-11, MSH-12: error 101), unsupported versions (203).
///
/// Pure function; no allocation proportional to anything but the segment and field counts
/// (both capped by `parse_settings`). Thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/hl7v2/message.hpp"
#include "fhir/issue.hpp"

namespace gw::hl7v2 {

/// Limits applied to untrusted input. Every value > 0.
struct parse_settings {
  std::size_t max_message_bytes = 8 * 1024 * 1024;  ///< the whole message, terminators included
  std::size_t max_segments = 10'000;                ///< segments per message
  std::size_t max_fields = 500;                     ///< fields per segment
  std::size_t max_repetitions = 1'000;              ///< repetitions per field
  std::size_t max_components = 1'000;               ///< components (and subcomponents) per value
};

/// The outcome of `parse()`. `msg` is set whenever an MSH segment with usable delimiters was
/// found, even when `issues` has errors (so an acknowledgement can still name the sender and echo
/// MSH-10); `complete` is false when only the MSH segment could be parsed (a limit was hit).
struct parse_result {
  std::optional<message> msg;
  fhir::issue_list issues;
  bool complete = false;

  /// A complete message with no error or fatal issue.
  bool ok() const { return msg.has_value() && complete && !fhir::has_errors(issues); }
};

/// Parses `bytes`. The buffer must outlive the returned message (it holds views into it).
parse_result parse(std::string_view bytes, const parse_settings& settings = {});

/// HL7 error location as written in issues and ERR-2 (ERL order):
/// `SEG^sequence[^field[^repetition[^component]]]`, sequence 1-based per segment id. Zero parts
/// are omitted; with a component and no repetition, repetition 1 is written.
std::string hl7_location(std::string_view segment, std::size_t sequence, std::size_t field = 0,
                         std::size_t repetition = 0, std::size_t component = 0);

/// True for the versions the parser accepts (2.3, 2.3.1, 2.4, 2.5, 2.5.1, 2.6, 2.7, 2.7.1, 2.8,
/// 2.8.1, 2.8.2).
bool is_supported_version(std::string_view v);

}  // namespace gw::hl7v2
