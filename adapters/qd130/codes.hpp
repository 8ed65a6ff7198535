#pragma once
/// Code lists of the claims XML, versioned by schema and by the episode's date, as data.
///
/// Lists change on set dates (MA_LOAI_KCB 1-digit in QĐ 4210, 2-digit from QĐ 130, 10–16 from
/// QĐ 1804/2026; KET_QUA_DTRI 8 from QĐ 4750, …), so a code is looked up for the date the
/// episode ended, not for the day the file arrives.

#include <string_view>

#include "adapters/qd130/envelope.hpp"

namespace gw::qd130 {

/// yyyymmdd as a number from the first 8 characters of a date or date-time; 0 when they are not
/// a plausible date (unknown day or month given as 00 keep their zeros: 19780000).
int date_key(std::string_view v);

/// The date that chooses code lists: XML1 NGAY_RA, else NGAY_TTOAN, else NGAY_VAO; 0 if none.
int episode_date(const record& r);

struct code_entry {
  table_id table;
  std::string_view field;
  std::string_view code;
  std::string_view display;  ///< Vietnamese text of the code list
  int valid_from;            ///< yyyymmdd, 0 = always
  int valid_to;              ///< yyyymmdd inclusive, 0 = open
  unsigned versions;         ///< bit 1 = QĐ 130 family, bit 2 = QĐ 4210
};

/// True when the field has a code list here.
bool has_code_list(table_id t, std::string_view field);

/// The entry for a code valid on `date` (0 = any date) under `version`, or nullptr.
const code_entry* find_code(table_id t, std::string_view field, std::string_view code, int date,
                            schema_version version);

}  // namespace gw::qd130
