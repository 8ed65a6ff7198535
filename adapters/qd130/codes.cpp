#include "adapters/qd130/codes.hpp"

#include <array>
#include <cstdint>
#include <unordered_map>

#include "adapters/qd130/detail/text.hpp"

namespace gw::qd130 {

namespace {

constexpr unsigned v130 = 1;
constexpr unsigned v4210 = 2;
constexpr unsigned both = v130 | v4210;
using enum table_id;

// Sources: vn-hospital-data.md §2.5 (values exactly as there) and §1 (dates). QĐ 4750 was issued
// 2023-12-29; QĐ 1804/2026 adds MA_LOAI_KCB 10–16 from 2026-08-01.
constexpr std::array codes{
    code_entry{xml1, "GIOI_TINH", "1", "Nam", 0, 0, both},
    code_entry{xml1, "GIOI_TINH", "2", "Nữ", 0, 0, both},
    code_entry{xml1, "GIOI_TINH", "3", "Chưa xác định", 0, 0, both},
    // MA_LOAI_KCB, after left-padding to 2 characters.
    code_entry{xml1, "MA_LOAI_KCB", "01", "Khám bệnh", 0, 0, both},
    code_entry{xml1, "MA_LOAI_KCB", "02", "Điều trị ngoại trú", 0, 0, both},
    code_entry{xml1, "MA_LOAI_KCB", "03", "Điều trị nội trú", 0, 0, both},
    code_entry{xml1, "MA_LOAI_KCB", "04", "Điều trị nội trú ban ngày", 0, 0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "05",
               "Điều trị ngoại trú các bệnh mạn tính dài ngày liên tục trong năm, có khám bệnh và lĩnh thuốc", 0, 0,
               v130},
    code_entry{xml1, "MA_LOAI_KCB", "06", "Điều trị lưu tại trạm y tế tuyến xã, phòng khám đa khoa khu vực", 0, 0,
               v130},
    code_entry{xml1, "MA_LOAI_KCB", "07", "Nhận thuốc theo hẹn (không khám bệnh)", 0, 0, v130},
    code_entry{
        xml1, "MA_LOAI_KCB", "08",
        "Điều trị ngoại trú các bệnh mạn tính dài ngày liên tục trong năm, có sử dụng dịch vụ kỹ thuật hoặc thuốc", 0,
        0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "09", "Điều trị nội trú dưới 04 giờ", 0, 0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "10", "Khác", 20260801, 0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "11", "Lưu động", 20260801, 0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "12", "Tại nhà", 20260801, 0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "13", "Y học gia đình", 20260801, 0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "14", "Từ xa", 20260801, 0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "15", "Khám sức khỏe định kỳ", 20260801, 0, v130},
    code_entry{xml1, "MA_LOAI_KCB", "16", "Khám sàng lọc", 20260801, 0, v130},
    code_entry{xml1, "KET_QUA_DTRI", "1", "Khỏi", 0, 0, both},
    code_entry{xml1, "KET_QUA_DTRI", "2", "Đỡ", 0, 0, both},
    code_entry{xml1, "KET_QUA_DTRI", "3", "Không thay đổi", 0, 0, both},
    code_entry{xml1, "KET_QUA_DTRI", "4", "Nặng hơn", 0, 0, both},
    code_entry{xml1, "KET_QUA_DTRI", "5", "Tử vong", 0, 0, both},
    code_entry{xml1, "KET_QUA_DTRI", "6", "Tiên lượng nặng xin về", 0, 0, v130},
    code_entry{xml1, "KET_QUA_DTRI", "7", "Chưa xác định", 0, 0, v130},
    code_entry{xml1, "KET_QUA_DTRI", "8", "Tử vong ngoại viện", 20231229, 0, v130},
    code_entry{xml1, "MA_LOAI_RV", "1", "Ra viện", 0, 0, v130},
    code_entry{xml1, "MA_LOAI_RV", "2", "Chuyển tuyến theo yêu cầu chuyên môn", 0, 0, v130},
    code_entry{xml1, "MA_LOAI_RV", "3", "Trốn viện", 0, 0, v130},
    code_entry{xml1, "MA_LOAI_RV", "4", "Xin ra viện", 0, 0, v130},
    code_entry{xml1, "MA_LOAI_RV", "5", "Chuyển tuyến theo yêu cầu người bệnh", 0, 0, v130},
    code_entry{xml1, "TINH_TRANG_RV", "1", "Ra viện", 0, 0, v4210},
    code_entry{xml1, "TINH_TRANG_RV", "2", "Chuyển viện", 0, 0, v4210},
    code_entry{xml1, "TINH_TRANG_RV", "3", "Trốn viện", 0, 0, v4210},
    code_entry{xml1, "TINH_TRANG_RV", "4", "Xin ra viện", 0, 0, v4210},
    code_entry{xml1, "MA_LYDO_VVIEN", "1", "Đúng tuyến", 0, 0, v4210},
    code_entry{xml1, "MA_LYDO_VVIEN", "2", "Cấp cứu", 0, 0, v4210},
    code_entry{xml1, "MA_LYDO_VVIEN", "3", "Trái tuyến", 0, 0, v4210},
    code_entry{xml1, "MA_LYDO_VVIEN", "4", "Thông tuyến", 0, 0, v4210},
    code_entry{xml1, "MA_KHUVUC", "K1", "K1", 0, 0, both},
    code_entry{xml1, "MA_KHUVUC", "K2", "K2", 0, 0, both},
    code_entry{xml1, "MA_KHUVUC", "K3", "K3", 0, 0, both},
    code_entry{xml2, "PHAM_VI", "1", "Trong phạm vi hưởng BHYT", 0, 0, both},
    code_entry{xml2, "PHAM_VI", "2", "Ngoài phạm vi hưởng BHYT", 0, 0, both},
    code_entry{xml2, "PHAM_VI", "3", "Ngoài danh mục, thanh toán cho đối tượng quân đội, công an, cơ yếu", 0, 0, v130},
    code_entry{xml3, "PHAM_VI", "1", "Trong phạm vi hưởng BHYT", 0, 0, both},
    code_entry{xml3, "PHAM_VI", "2", "Ngoài phạm vi hưởng BHYT", 0, 0, both},
    code_entry{xml3, "PHAM_VI", "3", "Ngoài danh mục, thanh toán cho đối tượng quân đội, công an, cơ yếu", 0, 0, v130},
    code_entry{xml2, "MA_PTTT", "1", "Phí dịch vụ", 0, 0, both},
    code_entry{xml2, "MA_PTTT", "2", "Định suất", 0, 0, both},
    code_entry{xml2, "MA_PTTT", "3", "DRG", 0, 0, both},
    code_entry{xml3, "MA_PTTT", "1", "Phí dịch vụ", 0, 0, both},
    code_entry{xml3, "MA_PTTT", "2", "Định suất", 0, 0, both},
    code_entry{xml3, "MA_PTTT", "3", "DRG", 0, 0, both},
    code_entry{xml2, "NGUON_CTRA", "1", "Quỹ BHYT", 0, 0, v130},
    code_entry{xml2, "NGUON_CTRA", "2", "Dự án, viện trợ", 0, 0, v130},
    code_entry{xml2, "NGUON_CTRA", "3", "Chương trình mục tiêu quốc gia", 0, 0, v130},
    code_entry{xml2, "NGUON_CTRA", "4", "Nguồn khác", 0, 0, v130},
    code_entry{xml3, "PP_VO_CAM", "1", "Gây mê", 0, 0, v130},
    code_entry{xml3, "PP_VO_CAM", "2", "Gây tê", 0, 0, v130},
    code_entry{xml3, "PP_VO_CAM", "3", "Châm tê", 0, 0, v130},
    code_entry{xml3, "PP_VO_CAM", "4", "Các phương pháp vô cảm khác", 0, 0, v130},
};

bool valid_month_day(int m, int d) {
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

}  // namespace

int date_key(std::string_view v) {
  if (v.size() < 8 || !detail::all_digits(v.substr(0, 8))) return 0;
  int n = 0;
  for (std::size_t i = 0; i < 8; ++i) n = n * 10 + (v[i] - '0');
  const int y = n / 10000;
  const int m = n / 100 % 100;
  const int d = n % 100;
  if (y < 1800 || y > 2200) return 0;
  if (m == 0 && d == 0) return n;
  if (m != 0 && d == 0) return m <= 12 ? n : 0;
  return valid_month_day(m, d) ? n : 0;
}

int episode_date(const record& r) {
  const row* x1 = r.first(table_id::xml1);
  if (x1 == nullptr) return 0;
  for (std::string_view f : {"NGAY_RA", "NGAY_TTOAN", "NGAY_VAO"})
    if (int k = date_key(x1->value(f)); k != 0) return k;
  return 0;
}

bool has_code_list(table_id t, std::string_view field) {
  // field → bit mask of the tables where it has a list (checked for every decoded field).
  static const auto index = [] {
    std::unordered_map<std::string_view, std::uint32_t> m;
    for (const auto& c : codes) m[c.field] |= 1u << static_cast<unsigned>(c.table);
    return m;
  }();
  const auto it = index.find(field);
  return it != index.end() && (it->second & (1u << static_cast<unsigned>(t))) != 0;
}

const code_entry* find_code(table_id t, std::string_view field, std::string_view code, int date,
                            schema_version version) {
  const unsigned bit = version == schema_version::qd4210 ? v4210 : v130;
  for (const auto& c : codes) {
    if (c.table != t || c.field != field || c.code != code || (c.versions & bit) == 0) continue;
    if (date != 0 && c.valid_from != 0 && date < c.valid_from) continue;
    if (date != 0 && c.valid_to != 0 && date > c.valid_to) continue;
    return &c;
  }
  return nullptr;
}

}  // namespace gw::qd130
