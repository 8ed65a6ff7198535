#pragma once
/// Shape checks of Vietnamese personal identifiers as they appear in SO_CCCD and MA_THE_BHYT
/// (vn-hospital-data.md §5). Module-private until fhir/ offers the same checks.

#include <string_view>

namespace gw::qd130::detail {

enum class person_id_kind { none, cccd, cmnd, passport, other };

/// Tells a 12-digit CCCD, a 9-digit CMND and a passport (1 upper-case letter + 7 digits) apart.
person_id_kind classify_person_id(std::string_view v);

/// True when the first 3 digits of a CCCD are a province code (001–096, TT 07/2016).
bool cccd_province_known(std::string_view cccd);

/// A BHYT card code: legacy 15 characters (2 letters, benefit digit, 2-digit province, 10-digit
/// BHXH number), or a 10-digit BHXH number / 12-digit CCCD used as the card number since 2025.
bool bhyt_card_shape_ok(std::string_view v);

}  // namespace gw::qd130::detail
