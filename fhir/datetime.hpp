#pragma once
/// Dates and times: source formats (HL7 v2 DTM, QĐ 130 `yyyymmddHHMM` / `yyyymmdd`) → FHIR
/// `date` / `dateTime` with partial precision, and format checks for FHIR date, dateTime,
/// instant and time. Pure functions; no clock reads (format a time point the caller passes).

#include "fhir/issue.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gw::fhir {

/// How far a converted value goes.
enum class time_precision : std::uint8_t { year, month, day, hour, minute, second, fraction };

/// Settings for source-time conversion.
struct time_settings {
  /// Offset for times that carry none (Vietnam: UTC+07:00, no DST). Format `+HH:MM` / `-HH:MM`.
  std::string default_offset = "+07:00";
  /// QĐ 130: an `HHMM` of `0000` means "time unknown" (birth dates); the result is a date.
  bool zero_time_is_unknown = true;
};

/// A converted value: FHIR `date` text when precision ≤ day, else a `dateTime` with seconds and
/// an offset (`2026-11-20T09:30:00+07:00`); FHIR requires seconds and a zone once a time is given.
struct fhir_time {
  std::string value;
  time_precision precision = time_precision::year;
  /// True when `value` is a FHIR `date` (no time part).
  bool is_date() const { return precision <= time_precision::day; }
  /// The date part (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), e.g. for Patient.birthDate.
  std::string date() const { return value.substr(0, std::min<std::size_t>(value.size(), 10)); }
};

/// HL7 v2 DTM `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]` → FHIR date/dateTime.
/// On bad input returns nullopt and appends an issue (code `value`, HL7 102) at `location`.
std::optional<fhir_time> from_hl7_dtm(std::string_view dtm, issue_list& issues, std::string_view location,
                                      const time_settings& settings = {});

/// QĐ 130/4210 date-times: `yyyymmddHHMM` (12), `yyyymmdd` (8), also `yyyymmddHHMMSS` (14).
/// `00` month/day and `0000` month+day mean unknown (→ partial date: `197800000000` → `1978`);
/// `0000` time means unknown when `settings.zero_time_is_unknown`. Errors as for from_hl7_dtm.
std::optional<fhir_time> from_qd130(std::string_view text, issue_list& issues, std::string_view location,
                                    const time_settings& settings = {});

/// Format checks (regular expressions of the FHIR R4 spec plus calendar validity).
bool is_fhir_date(std::string_view s);       ///< YYYY, YYYY-MM, YYYY-MM-DD
bool is_fhir_date_time(std::string_view s);  ///< date, or date + Thh:mm:ss[.f] + zone
bool is_fhir_instant(std::string_view s);    ///< full dateTime to the second with zone
bool is_fhir_time(std::string_view s);       ///< hh:mm:ss[.f]

/// Formats a time point as a FHIR instant in the given offset, to the millisecond:
/// `2026-11-20T09:30:00.123+07:00`. `offset` is `+HH:MM`/`-HH:MM`/`Z`; an invalid one means Z.
std::string format_instant(std::chrono::system_clock::time_point t, std::string_view offset = "+07:00");

}  // namespace gw::fhir
