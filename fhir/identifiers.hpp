#pragma once
/// Vietnamese identifiers: the system URIs the gateway writes (configurable, defaulting to the
/// MOH VN Core draft `http://fhir.ehealth.gov.vn/core/sid/...`), shape checks returning issues
/// (CCCD, CMND, passport, BHYT card, BHXH number, CCHN licence) and a classifier for the
/// SO_CCCD field, which may hold a CCCD, an old CMND or a passport number.
///
/// Reference: ../shared/reference/vn-hospital-data.md §4.1 (systems) and §5 (formats).

#include "fhir/issue.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace gw::fhir {

/// Identifier systems. Defaults: MOH VN Core draft (§4.1). `facility_record` and `episode` are
/// patterns in which `{facility}` is replaced by the facility code (MA_CSKCB).
struct identifier_systems {
  std::string national_id = "http://fhir.ehealth.gov.vn/core/sid/national_id";               ///< CCCD (type NI)
  std::string citizen_id = "http://fhir.ehealth.gov.vn/core/sid/citizen_id";                 ///< old CMND (type NI)
  std::string passport = "http://fhir.ehealth.gov.vn/core/sid/passport_number";              ///< type PPN
  std::string insurance = "http://fhir.ehealth.gov.vn/core/sid/insurance_number";            ///< BHYT card (type SB)
  std::string patient_internal = "http://fhir.ehealth.gov.vn/core/sid/patient-internal-id";  ///< generic MRN
  std::string driver_license = "http://fhir.ehealth.gov.vn/core/sid/driver_license_number";
  /// CCHN (practising certificate) of practitioners.
  std::string practitioner_licence = "http://fhir.ehealth.gov.vn/core/sid/provider-medical-license-number";
  /// BHXH social-insurance number (10 digits). No VN Core URI exists; GUESS.
  std::string social_insurance = "urn:vn:bhxh:ma_so_bhxh";
  /// MA_CSKCB facility codes on Organization. No VN Core URI exists; GUESS.
  std::string facility = "urn:vn:cskcb";
  /// Facility record number (MA_BN / PID-3), one system per facility (type PI, use secondary).
  std::string facility_record = "urn:vn:cskcb:{facility}:ma_bn";
  /// Episode key (MA_LK / PV1-19), one system per facility (on Encounter.identifier).
  std::string episode = "urn:vn:cskcb:{facility}:ma_lk";
};

/// v2-0203 identifier type system and codes used with the systems above.
inline constexpr std::string_view v2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// `settings.facility_record` with `{facility}` replaced.
std::string facility_record_system(const identifier_systems& settings, std::string_view facility_code);
/// `settings.episode` with `{facility}` replaced.
std::string episode_system(const identifier_systems& settings, std::string_view facility_code);

/// What a personal document number looks like.
enum class id_kind : std::uint8_t { unknown, cccd, cmnd, passport };

/// By shape only: 12 digits → CCCD, 9 digits → CMND, one upper-case letter + 7 digits → passport
/// (the QĐ 4750 checker's rule for SO_CCCD). Surrounding spaces are ignored.
id_kind classify_personal_id(std::string_view value);

/// Facts encoded in a CCCD.
struct cccd_info {
  std::string_view province;  ///< 3-digit code of the province of birth registration ("042")
  bool female = false;
  int birth_year = 0;  ///< century from the gender digit + the 2 year digits
};

/// True for a pre-2025 province code (the 63 codes; the 34 provinces of 2025 kept codes from this
/// list, Hà Tĩnh 42). Accepts "42" or "042".
bool is_known_province(std::string_view code);

/// CCCD: 12 digits, known province, gender/century digit 0-3 (1900s/2000s). Appends issues
/// (code `value`) at `location`; returns the decoded facts when it is valid.
std::optional<cccd_info> check_cccd(std::string_view value, std::string_view location, issue_list& issues);
/// Old CMND: 9 digits (12-digit ones are CCCD-shaped and checked as such by the classifier).
bool check_cmnd(std::string_view value, std::string_view location, issue_list& issues);
/// Passport: Vietnamese shape (letter + 7 digits) passes; other 6-9 character alphanumerics
/// (foreign passports) give a warning; anything else an error.
bool check_passport(std::string_view value, std::string_view location, issue_list& issues);

/// Decoded legacy BHYT card number.
struct bhyt_card_info {
  std::string_view group;     ///< 2 letters, e.g. "GD"
  int benefit = 0;            ///< 1-5
  std::string_view province;  ///< 2 digits
  std::string_view bhxh;      ///< 10-digit social-insurance number
};
/// BHYT card (15 characters: 2 group letters, benefit digit 1-5, 2-digit province, 10 digits).
/// Unknown group or province gives a warning; a wrong shape an error.
std::optional<bhyt_card_info> check_bhyt_card(std::string_view value, std::string_view location, issue_list& issues);
/// BHXH number: 10 digits.
bool check_bhxh_number(std::string_view value, std::string_view location, issue_list& issues);
/// CCHN practising-certificate number: format not fixed (e.g. `000998/HT-CCHN`, `CCHN.C.42001`);
/// checks 1-50 printable ASCII characters without spaces.
bool check_cchn(std::string_view value, std::string_view location, issue_list& issues);

}  // namespace gw::fhir
