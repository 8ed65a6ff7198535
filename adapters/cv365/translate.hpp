#pragma once
/// CV 365/TTYQG-GPQLCL EMR exchange (`HoSoBenhAn`, JSON or XML) → FHIR R4 transaction Bundle.
///
/// The field lists of the 11 groups come from secondary transcriptions (vn-hospital-data.md §3),
/// so the mapping is data (config/mappings/cv365.yaml, read by gateway/config like every facility
/// mapping) and this adapter does what is particular to the format: it reads JSON or XML into one
/// tree, accepts missing groups, and reports unknown groups and fields as warnings, so that a
/// field list that differs from the official appendix shows up at once without rejecting data.
///
/// XML: `<HoSoBenhAn>` with one element per group; an element repeated under its parent becomes
/// a list (several `<YLenhThuocVatTu>` = several orders), text elements become values. JSON:
/// `{"HoSoBenhAn": {...}}` (or a list of them). Ids and identifiers as in gw::mapped.
///
/// Pure: no I/O, no clock, no logging, no threads.

#include <array>
#include <string_view>

#include "adapters/mapped/source.hpp"
#include "adapters/mapped/translate.hpp"

namespace gw::cv365 {

/// The 11 groups of `HoSoBenhAn`.
inline constexpr std::array<std::string_view, 11> groups = {
    "ThongTinBenhNhan", "ThongTinVaoVien",       "ThongTinDieuTri", "YLenhThuocVatTu",
    "PhieuChiDinh",     "KetQuaChanDoanHinhAnh", "KetQuaXetNghiem", "GiayChuyenVien",
    "HoSoCapCuu",       "PhieuThuThuat",         "PhieuPhauThuat"};

/// Reads `bytes` (JSON or XML, told apart by the first non-blank character) and maps it with
/// `s.map` (the CV 365 mapping). Unknown groups and fields are warnings, never errors.
mapped::translation translate(std::string_view bytes, const mapped::settings& s, const mapped::context& ctx);

/// XML `HoSoBenhAn` as the same tree the JSON form gives (for tests and the fuzz target).
mapped::source_document load_xml(std::string_view bytes, const mapped::limits& l, fhir::issue_list& issues);

}  // namespace gw::cv365
