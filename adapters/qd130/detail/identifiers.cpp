#include "adapters/qd130/detail/identifiers.hpp"

#include <algorithm>
#include <array>

#include "adapters/qd130/detail/text.hpp"

namespace gw::qd130::detail {

namespace {
// Province codes of the citizen identity number (3 digits; TT 07/2016/TT-BCA appendix), for the
// 63 provinces before the 2025 merger; merged provinces kept their old codes on issued cards.
constexpr std::array<std::string_view, 63> provinces{
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
    "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
    "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096"};

bool upper(char c) {
  return c >= 'A' && c <= 'Z';
}
}  // namespace

person_id_kind classify_person_id(std::string_view v) {
  if (v.empty()) return person_id_kind::none;
  if (v.size() == 12 && all_digits(v)) return person_id_kind::cccd;
  if (v.size() == 9 && all_digits(v)) return person_id_kind::cmnd;
  if (v.size() == 8 && upper(v[0]) && all_digits(v.substr(1))) return person_id_kind::passport;
  return person_id_kind::other;
}

bool cccd_province_known(std::string_view cccd) {
  if (cccd.size() < 3) return false;
  return std::find(provinces.begin(), provinces.end(), cccd.substr(0, 3)) != provinces.end();
}

bool bhyt_card_shape_ok(std::string_view v) {
  if (v.size() == 15) return upper(v[0]) && upper(v[1]) && all_digits(v.substr(2));
  return (v.size() == 10 || v.size() == 12) && all_digits(v);
}

}  // namespace gw::qd130::detail
