#include "fhir/identifiers.hpp"

#include <algorithm>
#include <array>

namespace gw::fhir {
namespace {

// The 63 provinces before the 2025 merger (TT 07/2016/TT-BCA / GSO codes). The 34 provinces
// since 2025-07-01 kept one of these codes each (Hà Tĩnh: 42).
constexpr std::array<std::string_view, 63> province_codes{
    "01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25",
    "26", "27", "30", "31", "33", "34", "35", "36", "37", "38", "40", "42", "44", "45", "46", "48",
    "49", "51", "52", "54", "56", "58", "60", "62", "64", "66", "67", "68", "70", "72", "74", "75",
    "77", "79", "80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"};

// BHYT beneficiary group codes (QĐ 1351/QĐ-BHXH and later lists).
constexpr std::array<std::string_view, 46> bhyt_groups{
    "DN", "HX", "CH", "NN", "TK", "HC", "XK", "CA", "HT", "TB", "NO", "CT", "XB", "TN", "CS", "XN",
    "MS", "HD", "TC", "TQ", "TA", "TY", "HG", "LS", "PV", "CC", "CK", "CB", "KC", "HN", "DT", "DK",
    "XD", "BT", "TS", "TE", "HS", "SV", "GB", "GD", "CN", "QN", "CY", "XV", "NK", "LH"};

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool upper(char c) {
  return c >= 'A' && c <= 'Z';
}

void add(issue_list& issues, severity sev, std::string_view location, std::string msg) {
  issues.push_back({sev, issue_code::value, std::string(location), std::move(msg), hl7_error::data_type_error});
}

std::string replace_facility(std::string pattern, std::string_view facility) {
  constexpr std::string_view key = "{facility}";
  for (auto pos = pattern.find(key); pos != std::string::npos; pos = pattern.find(key, pos + facility.size()))
    pattern.replace(pos, key.size(), facility);
  return pattern;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string facility_record_system(const identifier_systems& settings, std::string_view facility_code) {
  return replace_facility(settings.facility_record, facility_code);
}

std::string episode_system(const identifier_systems& settings, std::string_view facility_code) {
  return replace_facility(settings.episode, facility_code);
}

id_kind classify_personal_id(std::string_view value) {
  value = trim(value);
  if (value.size() == 12 && digits(value)) return id_kind::cccd;
  if (value.size() == 9 && digits(value)) return id_kind::cmnd;
  if (value.size() == 8 && upper(value[0]) && digits(value.substr(1))) return id_kind::passport;
  return id_kind::unknown;
}

bool is_known_province(std::string_view code) {
  if (code.size() == 3 && code[0] == '0') code.remove_prefix(1);
  return std::find(province_codes.begin(), province_codes.end(), code) != province_codes.end();
}

std::optional<cccd_info> check_cccd(std::string_view value, std::string_view location, issue_list& issues) {
  if (value.size() != 12 || !digits(value)) {
    add(issues, severity::error, location, "CCCD must be 12 digits");
    return std::nullopt;
  }
  cccd_info info;
  info.province = value.substr(0, 3);
  if (!is_known_province(info.province)) {
    add(issues, severity::error, location, "CCCD province code (digits 1-3) is not a known province");
    return std::nullopt;
  }
  int g = value[3] - '0';
  if (g > 3) {
    add(issues, severity::error, location, "CCCD gender/century digit (digit 4) must be 0-3");
    return std::nullopt;
  }
  info.female = g % 2 == 1;
  info.birth_year = (g < 2 ? 1900 : 2000) + (value[4] - '0') * 10 + (value[5] - '0');
  return info;
}

bool check_cmnd(std::string_view value, std::string_view location, issue_list& issues) {
  if (value.size() == 9 && digits(value)) return true;
  add(issues, severity::error, location, "CMND must be 9 digits");
  return false;
}

bool check_passport(std::string_view value, std::string_view location, issue_list& issues) {
  if (value.size() == 8 && upper(value[0]) && digits(value.substr(1))) return true;
  bool alnum = std::all_of(value.begin(), value.end(), [](char c) { return upper(c) || (c >= '0' && c <= '9'); });
  if (alnum && value.size() >= 6 && value.size() <= 9) {
    add(issues, severity::warning, location, "passport number is not in the Vietnamese format (letter + 7 digits)");
    return true;
  }
  add(issues, severity::error, location, "passport number must be 6-9 upper-case letters or digits");
  return false;
}

std::optional<bhyt_card_info> check_bhyt_card(std::string_view value, std::string_view location, issue_list& issues) {
  if (value.size() != 15 || !upper(value[0]) || !upper(value[1]) || !digits(value.substr(2))) {
    add(issues, severity::error, location, "BHYT card number must be 2 letters and 13 digits");
    return std::nullopt;
  }
  bhyt_card_info info{value.substr(0, 2), value[2] - '0', value.substr(3, 2), value.substr(5)};
  if (info.benefit < 1 || info.benefit > 5) {
    add(issues, severity::error, location, "BHYT benefit level (character 3) must be 1-5");
    return std::nullopt;
  }
  if (std::find(bhyt_groups.begin(), bhyt_groups.end(), info.group) == bhyt_groups.end())
    add(issues, severity::warning, location, "BHYT beneficiary group (characters 1-2) is not a known group");
  if (!is_known_province(info.province))
    add(issues, severity::warning, location, "BHYT province code (characters 4-5) is not a known province");
  return info;
}

bool check_bhxh_number(std::string_view value, std::string_view location, issue_list& issues) {
  if (value.size() == 10 && digits(value)) return true;
  add(issues, severity::error, location, "BHXH number must be 10 digits");
  return false;
}

bool check_cchn(std::string_view value, std::string_view location, issue_list& issues) {
  bool ok = !value.empty() && value.size() <= 50 &&
            std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c < 127; });
  if (!ok) add(issues, severity::error, location, "CCHN licence number must be 1-50 printable characters, no spaces");
  return ok;
}

}  // namespace gw::fhir
