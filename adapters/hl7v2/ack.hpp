#pragma once
/// HL7 v2 acknowledgements: which code to answer (the one place that decides it) and the ACK
/// message itself (MSH + MSA + ERR).
///
/// Rules (ARCHITECTURE.md, "Acknowledgement rules"):
///   * not stored (transient trouble: database down, shutting down)      → AR  (enhanced: CR)
///   * an error saying the message type, event, processing id or version
///     is not supported (table 0357 codes 200-203)                       → AR  (enhanced: CR)
///     ERR-3 carries the 20x code, so the sender knows a retry will not help
///   * stored but rejected, or stored with error / fatal issues           → AE  (enhanced: CE)
///   * stored, warnings at most                                           → AA  (enhanced: CA)
/// The gateway answers only after its commit; the functions here are pure and take the current
/// time as a parameter. Thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/hl7v2/message.hpp"
#include "adapters/hl7v2/parser.hpp"
#include "fhir/issue.hpp"

namespace gw::hl7v2 {

/// HL7 table 0008 acknowledgement codes.
enum class ack_code : std::uint8_t { AA, AE, AR, CA, CE, CR };
std::string_view to_string(ack_code c);

/// What the gateway did with the message.
enum class outcome : std::uint8_t {
  stored,      ///< raw message and resources committed
  rejected,    ///< raw message committed with its issues; not accepted (content, forbidden, 409)
  not_stored,  ///< nothing stored; the sender should send it again later
};

/// Which kind of acknowledgement is being built.
enum class ack_kind : std::uint8_t {
  original,     ///< original mode (MSH-15 and MSH-16 empty): AA / AE / AR
  commit,       ///< enhanced mode accept (commit) acknowledgement: CA / CE / CR
  application,  ///< enhanced mode application acknowledgement: AA / AE / AR
};

/// THE mapping from (outcome, issues) to an acknowledgement code. See the rules above.
ack_code choose_ack_code(outcome o, const fhir::issue_list& issues, ack_kind kind);

/// The acknowledgement mode the message asks for (MSH-15 accept, MSH-16 application ack type).
struct ack_request {
  bool enhanced = false;              ///< MSH-15 or MSH-16 given
  std::string accept_condition;       ///< MSH-15: AL, NE, ER, SU ("" = AL)
  std::string application_condition;  ///< MSH-16: AL, NE, ER, SU ("" = AL)
};
/// Reads MSH-15/16 (original mode when `m` is null).
ack_request ack_request_of(const message* m);
/// Whether an acknowledgement with `code` must be sent under `condition` (AL, NE, ER, SU; an
/// empty or unknown condition means always).
bool should_send(std::string_view condition, ack_code code);

/// Fixed parts of the answer.
struct ack_settings {
  std::string sending_application = "EMRGW";    ///< MSH-3 when the message's MSH-5 is empty
  std::string sending_facility = "SYT_HATINH";  ///< MSH-4 when the message's MSH-6 is empty
  std::string default_version = "2.5.1";        ///< MSH-12 when the message's is unusable
  int utc_offset_minutes = 7 * 60;              ///< zone written in MSH-7 (Vietnam: +0700)
  std::size_t max_err_segments = 20;            ///< further issues are counted, not listed
};

/// Per-answer values.
struct ack_params {
  std::chrono::sys_seconds now;  ///< written in MSH-7 (the caller reads the clock)
  /// MSH-10 of the ACK; empty: "ACK" + the message's MSH-10. An enhanced-mode application
  /// acknowledgement gets its own control id: "APP" + the message's MSH-10 (or this value + "-APP").
  std::string control_id;
};

/// Builds the ACK for `original` (null when no MSH could be read): sender and receiver swapped,
/// MSH-9 `ACK^<trigger>^ACK`, the message's delimiters, version and MSH-11 echoed, MSA-1 `code`,
/// MSA-2 the message's control id, then one ERR per issue (errors first, at most
/// `max_err_segments`): ERR-2 the HL7 location (SEG^seq^field...), ERR-3 the table 0357 code,
/// ERR-4 severity E/W/I, ERR-7 a non-HL7 location (e.g. a FHIR path), ERR-8 the message.
/// For versions 2.3 and 2.4 the location and code go in ERR-1 (ELD) and MSA-3 holds the first
/// error's text. Segments end in CR.
std::string build_ack(const message* original, ack_code code, const fhir::issue_list& issues, const ack_params& params,
                      const ack_settings& settings = {});

/// Every acknowledgement owed for a message once the gateway has decided about it, in sending
/// order (empty when none is owed):
///   * original mode (MSH-15 and MSH-16 empty): the AA/AE/AR ACK;
///   * enhanced mode: the commit acknowledgement CA/CE/CR when MSH-15 asks for it, then, when the
///     message was committed (`outcome::stored` or `rejected`; after `not_stored` the sender sends
///     again and gets its answers then) and MSH-16 asks for it, the application acknowledgement
///     AA/AE/AR: its own MSH (control id, see `ack_params`), MSA-2 the message's control id, the
///     same ERR segments. After a CR (nothing stored, or a type/event/version that will never be
///     processed) no application acknowledgement follows;
///   * nothing for a message that is itself an ACK.
/// `original` is null when no MSH could be read; `issues` are all the issues to report (parse,
/// translation and gateway issues: e.g. a `translation::issues` list, which already holds the
/// parse issues).
std::vector<std::string> acknowledgements(const message* original, outcome o, const fhir::issue_list& issues,
                                          const ack_params& params, const ack_settings& settings = {});

/// The answer as one string: the `acknowledgements` back to back (each message's segments end in
/// CR, so `split_messages` finds them again), or nothing when none is owed. This is what the
/// gateway stores as a message's answer and what the MLLP listener sends, one frame per message.
std::optional<std::string> acknowledge(const message* original, outcome o, const fhir::issue_list& issues,
                                       const ack_params& params, const ack_settings& settings = {});

/// Convenience for a message that was only parsed: reports `parsed.issues` followed by `extra`.
std::optional<std::string> acknowledge(const parse_result& parsed, outcome o, const fhir::issue_list& extra,
                                       const ack_params& params, const ack_settings& settings = {});

/// The messages of an answer written by `acknowledge` (or any HL7 messages back to back): a new
/// message starts at each segment named MSH. Views into `answer`; bytes before the first MSH belong
/// to the first message. Empty for an empty answer.
std::vector<std::string_view> split_messages(std::string_view answer);

/// Text of a table 0357 code ("Required field missing", ...).
std::string_view hl7_error_text(std::uint16_t code);

}  // namespace gw::hl7v2
