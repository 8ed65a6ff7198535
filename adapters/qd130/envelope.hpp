#pragma once
/// Decoding of the Ministry of Health claims XML (QĐ 130/4750/3176 and legacy QĐ 4210) into
/// tables of rows of named fields, with every problem reported as an issue that names the table,
/// the row (STT) and the field, e.g. `XML1[STT=1].MA_LK`.
///
/// Accepted inputs (told apart by their content, not by a declared type):
/// * the GIAMDINHHS envelope whose FILEHOSO/NOIDUNGFILE elements carry base64 inner documents;
/// * the portal's form body (`…&fileHSBase64=<url-encoded base64 of the whole envelope>&…`);
/// * the envelope base64-encoded once more, as a bare body;
/// * a single inner table document (TONG_HOP, CHITIEU_CHITIET_THUOC, … or a 4210 root).
///
/// Pure: no I/O, no clock, no logging, no threads. Thread-safe for concurrent calls.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/issue.hpp"

namespace gw::qd130 {

/// The tables: the check-in table (LOAIHOSO 0, named "XML0" in locations) and XML1..XML15.
enum class table_id : std::uint8_t {
  xml0 = 0,
  xml1,
  xml2,
  xml3,
  xml4,
  xml5,
  xml6,
  xml7,
  xml8,
  xml9,
  xml10,
  xml11,
  xml12,
  xml13,
  xml14,
  xml15,
};
inline constexpr std::size_t table_count = 16;

/// "XML0" .. "XML15".
std::string_view table_name(table_id t);

/// Which generation of the format a document follows, detected from element names.
enum class schema_version : std::uint8_t {
  unknown,
  qd4210,  ///< legacy QĐ 4210 (2017): MA_THE, MA_BENH, TINH_TRANG_RV, …
  qd130,   ///< QĐ 130 as amended by QĐ 4750 and QĐ 3176: MA_THE_BHYT, SO_CCCD, …
};
std::string_view to_string(schema_version v);

/// How the bytes arrived.
enum class input_kind : std::uint8_t {
  envelope,         ///< GIAMDINHHS document
  base64_envelope,  ///< the envelope, base64-encoded once more
  form_body,        ///< application/x-www-form-urlencoded with fileHSBase64
  inner_document,   ///< one inner table document without an envelope
};

/// One element of a row. `value` is trimmed, never empty (empty elements are absent).
struct field {
  static constexpr std::uint16_t no_rule = 0xFFFF;
  std::string_view name;
  std::string_view value;
  /// Index of the field's rule in the adapter's generated field table (internal: lets the
  /// checks skip a name lookup); `no_rule` when not known.
  std::uint16_t rule = no_rule;
};

/// One row of a table (one TONG_HOP, one CHI_TIET_THUOC, …).
struct row {
  table_id table = table_id::xml1;
  std::uint32_t position = 0;  ///< 1-based position within its table
  std::vector<field> fields;   ///< in document order; first occurrence of each name only
  /// Set by the decoder: every field's `rule` is the rule of its name in this row's table, so the
  /// checks use it without verifying it. Clear it when changing a field's name or rule.
  bool rules_exact = false;
  /// 1-based HOSO of an envelope with several (0 with one): locations name it, since every
  /// record has its own XML1[STT=1].
  std::uint16_t record_no = 0;

  /// The value of a field, or "" when it is absent or empty.
  std::string_view value(std::string_view name) const;
  bool has(std::string_view name) const { return !value(name).empty(); }
  /// The row's STT, or "" when it has none.
  std::string_view stt() const { return value("STT"); }
  /// `XML1[STT=1].MA_LK`, or `XML7[1].MA_LK` for rows without STT; `XML1[STT=1]` when
  /// `field_name` is empty; `HOSO[2].XML1[STT=1].MA_LK` in the second HOSO of several.
  std::string location(std::string_view field_name = {}) const;
};

/// One HOSO: the tables of one treatment episode (one MA_LK).
struct record {
  std::array<std::vector<row>, table_count> tables;
  std::vector<std::string_view> file_types;  ///< LOAIHOSO values in arrival order

  const std::vector<row>& rows(table_id t) const { return tables[static_cast<std::size_t>(t)]; }
  /// The first row of a table, or nullptr.
  const row* first(table_id t) const {
    const auto& r = rows(t);
    return r.empty() ? nullptr : &r.front();
  }
  /// MA_LK of the episode: XML1's, else the first one found in any table.
  std::string_view ma_lk() const;
};

/// Everything decoded from one body. Values are views into buffers owned by `storage`, which
/// moves and copies with the envelope (shared, immutable after decoding).
struct envelope {
  input_kind kind = input_kind::envelope;
  schema_version version = schema_version::unknown;
  std::string_view facility_code;  ///< THONGTINDONVI/MACSKCB ("" for an inner document)
  std::string_view created;        ///< THONGTINHOSO/NGAYLAP (yyyymmdd) or ""
  std::vector<record> records;

  /// Owner of the decoded text; views in this envelope point into it.
  struct text_store {
    std::vector<std::unique_ptr<char[]>> buffers;
    std::deque<std::string> strings;
  };
  std::shared_ptr<text_store> storage;
};

/// Hard limits; everything beyond them is refused with an issue, never allocated.
struct decode_limits {
  std::size_t max_input_bytes = 32u << 20;          ///< the body as received
  std::size_t max_document_bytes = 32u << 20;       ///< any one decoded XML document
  std::size_t max_total_decoded_bytes = 96u << 20;  ///< all inner documents together
  std::size_t max_files = 256;                      ///< FILEHOSO elements
  std::size_t max_rows_per_table = 200000;
  std::size_t max_depth = 64;  ///< element nesting
};

struct decode_result {
  envelope env;
  fhir::issue_list issues;
  /// True when at least one record was decoded and nothing was fatal.
  bool usable() const;
};

/// Decodes a body. Never throws on bad input: every problem is an issue. Checks required fields
/// (vendor validation sheet, data-driven), field lengths and number shapes, code lists chosen
/// by the episode's dates, and ";" lists of card data with matching counts. Codes that the
/// original QĐ 130 typed as numbers (MA_LOAI_KCB, MA_DANTOC) are left-padded to 2 characters.
decode_result decode(std::string_view bytes, const decode_limits& limits = {});

}  // namespace gw::qd130
