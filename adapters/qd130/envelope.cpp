#include "adapters/qd130/envelope.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "adapters/qd130/codes.hpp"
#include "adapters/qd130/detail/field_rules.hpp"
#include "adapters/qd130/detail/flat_xml.hpp"
#include "adapters/qd130/detail/identifiers.hpp"
#include "adapters/qd130/detail/text.hpp"
#include "fhir/text.hpp"

namespace gw::qd130 {

namespace {

using fhir::hl7_error;
using fhir::issue;
using fhir::issue_code;
using fhir::severity;

struct table_def {
  table_id id;
  std::string_view row;                   ///< row element name; "" = find rows by shape
  std::array<std::string_view, 2> roots;  ///< document roots / list wrappers seen in files
};

// vn-hospital-data.md §2.2 (130/3176 roots) and §2.9 (4210: XML2 rooted at the list itself).
constexpr std::array<table_def, table_count> defs{{
    {table_id::xml0, "TRANG_THAI_KCB", {"CHI_TIEU_TRANG_THAI_KCB", "DSACH_TRANG_THAI_KCB"}},
    {table_id::xml1, "TONG_HOP", {"TONG_HOP", ""}},
    {table_id::xml2, "CHI_TIET_THUOC", {"CHITIEU_CHITIET_THUOC", "DSACH_CHI_TIET_THUOC"}},
    {table_id::xml3, "CHI_TIET_DVKT", {"CHITIEU_CHITIET_DVKT_VTYT", "DSACH_CHI_TIET_DVKT"}},
    {table_id::xml4, "CHI_TIET_CLS", {"CHITIEU_CHITIET_DICHVUCANLAMSANG", "DSACH_CHI_TIET_CLS"}},
    {table_id::xml5, "CHI_TIET_DIEN_BIEN_BENH", {"CHITIEU_CHITIET_DIENBIENLAMSANG", "DSACH_CHI_TIET_DIEN_BIEN_BENH"}},
    {table_id::xml6,
     "HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS",
     {"CHI_TIEU_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS", "DSACH_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS"}},
    {table_id::xml7, "CHI_TIEU_DU_LIEU_GIAY_RA_VIEN", {"CHI_TIEU_DU_LIEU_GIAY_RA_VIEN", ""}},
    {table_id::xml8, "CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN", {"CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN", ""}},
    {table_id::xml9, "DU_LIEU_GIAY_CHUNG_SINH", {"CHI_TIEU_DU_LIEU_GIAY_CHUNG_SINH", "DSACH_GIAYCHUNGSINH"}},
    {table_id::xml10, "CHI_TIEU_DU_LIEU_GIAY_NGHI_DUONG_THAI", {"CHI_TIEU_DU_LIEU_GIAY_NGHI_DUONG_THAI", ""}},
    {table_id::xml11,
     "CHI_TIEU_DU_LIEU_GIAY_CHUNG_NHAN_NGHI_VIEC_HUONG_BAO_HIEM_XA_HOI",
     {"CHI_TIEU_DU_LIEU_GIAY_CHUNG_NHAN_NGHI_VIEC_HUONG_BAO_HIEM_XA_HOI", ""}},
    {table_id::xml12, "", {"", ""}},
    {table_id::xml13, "CHI_TIEU_GIAYCHUYENTUYEN", {"CHI_TIEU_GIAYCHUYENTUYEN", ""}},
    {table_id::xml14, "CHI_TIEU_GIAYHEN_KHAMLAI", {"CHI_TIEU_GIAYHEN_KHAMLAI", ""}},
    {table_id::xml15, "CHITIET_DIEUTRI_BENHLAO", {"CHI_TIEU_DIEUTRI_BENHLAO", "DSACH_CHITIET_DIEUTRI_BENHLAO"}},
}};

constexpr std::array<std::string_view, table_count> names{"XML0",  "XML1",  "XML2",  "XML3", "XML4",  "XML5",
                                                          "XML6",  "XML7",  "XML8",  "XML9", "XML10", "XML11",
                                                          "XML12", "XML13", "XML14", "XML15"};

// Envelope elements (§2.1); anything else inside GIAMDINHHS is reported as unknown.
constexpr std::array<std::string_view, 11> envelope_elements{
    "GIAMDINHHS",   "THONGTINDONVI", "MACSKCB",  "THONGTINHOSO", "NGAYLAP",    "SOLUONGHOSO",
    "DANHSACHHOSO", "HOSO",          "FILEHOSO", "LOAIHOSO",     "NOIDUNGFILE"};

constexpr unsigned parse_options = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol;

std::optional<table_id> table_from_loaihoso(std::string_view v) {
  v = detail::trim(v);
  if (v.size() >= 3 && (v.substr(0, 3) == "XML" || v.substr(0, 3) == "xml")) v.remove_prefix(3);
  if (v.empty() || v.size() > 2 || !detail::all_digits(v)) return std::nullopt;
  const int n = v.size() == 1 ? v[0] - '0' : (v[0] - '0') * 10 + (v[1] - '0');
  if (n < 0 || n >= static_cast<int>(table_count)) return std::nullopt;
  return static_cast<table_id>(n);
}

std::optional<table_id> table_from_root(std::string_view root) {
  for (const auto& d : defs) {
    if (!d.row.empty() && d.row == root) return d.id;
    for (auto r : d.roots)
      if (!r.empty() && r == root) return d.id;
  }
  return std::nullopt;
}

bool is_wrapper_name(const table_def& d, std::string_view n) {
  return n == d.roots[0] || n == d.roots[1] || n.starts_with("DSACH_");
}

std::string clip(std::string_view s, std::size_t n = 64) {
  std::string out(s.substr(0, n));
  // Element names are ASCII in every generation; anything else is shown as '?'.
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20u || static_cast<unsigned char>(c) >= 0x7Fu) c = '?';
  return out;
}

/// Iterative pre-order successor of `n` inside `root`; `skip_children` jumps over n's subtree.
/// `Node` is pugi::xml_node or detail::flat_node (the same tree, from the fast reader).
template <class Node>
Node next_in(Node n, Node root, bool skip_children) {
  if (!skip_children) {
    if (auto c = n.first_child()) return c;
  }
  while (n && n != root) {
    if (auto s = n.next_sibling()) return s;
    n = n.parent();
  }
  return {};
}

/// True when the text holds `<!DOCTYPE` (any case) or `<!ENTITY`; one pass over the "<!" marks.
bool declares_dtd(std::string_view text) {
  for (auto p = detail::find_pair(text, '<', '!'); p != std::string_view::npos;
       p = detail::find_pair(text, '<', '!', p + 2)) {
    std::string_view rest = text.substr(p + 2, 7);
    if (rest.size() == 7 && (rest == "DOCTYPE" || rest == "doctype")) return true;
    if (rest.starts_with("ENTITY")) return true;
  }
  return false;
}

template <class Node>
bool has_element_child(Node n) {
  for (auto c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element) return true;
  return false;
}

class decoder {
 public:
  decoder(const decode_limits& limits, decode_result& out) : limits_(limits), out_(out) {
    out_.env.storage = std::make_shared<envelope::text_store>();
  }

  void run(std::string_view bytes) {
    if (bytes.size() > limits_.max_input_bytes) {
      fatal(issue_code::too_costly, "",
            "body is " + std::to_string(bytes.size()) + " bytes, limit " + std::to_string(limits_.max_input_bytes));
      return;
    }
    body(bytes, 0, input_kind::envelope);
  }

 private:
  const decode_limits& limits_;
  decode_result& out_;
  std::size_t total_decoded_ = 0;
  detail::flat_xml flat_top_;        // the body's document (the envelope)
  detail::flat_xml flat_inner_;      // one inner document at a time
  bool borrowed_ = false;            // the envelope is being read in the caller's buffer (see keep)
  std::vector<std::uint64_t> seen_;  // per row: rules already filled (bit = rule index − table's first)
  struct recent_rule {
    std::string_view name;
    const detail::field_rule* rule;
  };
  std::vector<recent_rule> recent_;
  std::uint16_t record_no_ = 0;  // extract_rows: row::record_no of the HOSO being read  // extract_rows: by element
                                 // position, the previous row's rules

  envelope::text_store& store() { return *out_.env.storage; }

  void add(severity s, issue_code c, std::string loc, std::string msg, hl7_error h = hl7_error::none) {
    out_.issues.push_back(issue{s, c, std::move(loc), std::move(msg), h});
  }
  void fatal(issue_code c, std::string loc, std::string msg) {
    add(severity::fatal, c, std::move(loc), std::move(msg));
  }

  static std::string_view strip_bom(std::string_view s) {
    if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
    return s;
  }

  char* own(std::string_view s) {
    auto buf = std::make_unique_for_overwrite<char[]>(s.size() + 1);  // every byte is written below
    std::memcpy(buf.get(), s.data(), s.size());
    buf[s.size()] = '\0';
    char* p = buf.get();
    store().buffers.push_back(std::move(buf));
    return p;
  }

  /// One body: XML, base64 of XML, or a form body carrying base64 of XML.
  void body(std::string_view bytes, int level, input_kind kind) {
    std::string_view s = detail::trim(strip_bom(bytes));
    if (s.empty()) {
      fatal(issue_code::structure, "", "body is empty");
      return;
    }
    if (s.front() == '<') {
      out_.env.kind = kind;
      top_document(s);
      return;
    }
    if (level >= 2) {
      fatal(issue_code::structure, "", "decoded body is not XML");
      return;
    }
    std::string form;
    if (s.starts_with("fileHSBase64=") || s.find("&fileHSBase64=") != std::string_view::npos) {
      detail::form_value(s, "fileHSBase64", form);
      base64_body(form, level, input_kind::form_body, "fileHSBase64");
      return;
    }
    if (s.find('&') != std::string_view::npos) {
      fatal(issue_code::structure, "", "form body has no fileHSBase64 field");
      return;
    }
    if (detail::looks_like_base64(s)) {
      base64_body(s, level, kind == input_kind::form_body ? kind : input_kind::base64_envelope, "body");
      return;
    }
    fatal(issue_code::structure, "", "body is not XML, not base64 and not a form body");
  }

  void base64_body(std::string_view b64, int level, input_kind kind, std::string_view what) {
    auto r = detail::base64_decode(b64, limits_.max_document_bytes);
    if (!base64_ok(r, std::string(what), severity::fatal)) return;
    std::string_view decoded(r.data.get(), r.size);
    // The decoded bytes are inspected as a new body; keep them alive only through `body`'s copy.
    body(decoded, level + 1, kind);
  }

  bool base64_ok(const detail::base64_result& r, const std::string& loc, severity fail) {
    using detail::base64_status;
    switch (r.status) {
      case base64_status::ok:
        if (r.unpadded) add(severity::warning, issue_code::value, loc, "base64 without '=' padding (truncated?)");
        return true;
      case base64_status::invalid_character:
        add(fail, issue_code::value, loc, "invalid base64 character at offset " + std::to_string(r.bad_offset));
        return false;
      case base64_status::truncated: add(fail, issue_code::value, loc, "base64 is truncated"); return false;
      case base64_status::too_large:
        add(fail, issue_code::too_costly, loc,
            "decoded document is " + std::to_string(r.size) + " bytes, limit " +
                std::to_string(limits_.max_document_bytes));
        return false;
      case base64_status::empty: add(fail, issue_code::required, loc, "base64 content is empty"); return false;
    }
    return false;
  }

  /// The body's XML document. An envelope (nearly always plain XML) is read where it lies, without
  /// a copy: its rows come from the inner documents' own buffers, and the few envelope values
  /// that outlive the call are copied (`keep`). Anything else is copied and read by `document`.
  void top_document(std::string_view s) {
    const std::string_view text = strip_bom(s);
    if (!document_ok(text, "", severity::fatal)) return;
    if (flat_top_.parse_readonly(text.data(), text.size()) && flat_top_.root().name() == "GIAMDINHHS") {
      borrowed_ = true;
      tree(flat_top_.root(), "", std::nullopt, nullptr, severity::fatal);
      borrowed_ = false;
      return;
    }
    char* p = own(s);
    document(p, s.size(), "", std::nullopt, nullptr, true);
  }

  /// `v` as a view that outlives the body: a copy while the envelope is read in place.
  std::string_view keep(std::string_view v) {
    if (!borrowed_ || v.empty()) return v;
    store().strings.emplace_back(v);
    return store().strings.back();
  }

  /// The checks before parsing (size, DTD, UTF-8); false, with an issue, when one fails.
  bool document_ok(std::string_view text, const std::string& loc, severity fail) {
    if (text.size() > limits_.max_document_bytes) {
      add(fail, issue_code::too_costly, loc,
          "document is " + std::to_string(text.size()) + " bytes, limit " + std::to_string(limits_.max_document_bytes));
      return false;
    }
    // DTDs are refused outright: pugixml never loads them, and a claims file never has one.
    if (declares_dtd(text)) {
      add(fail, issue_code::security, loc, "document declares a DOCTYPE or ENTITY; not accepted");
      return false;
    }
    if (const auto bad = fhir::first_invalid_utf8(text); bad != std::string_view::npos) {
      add(fail, issue_code::value, loc, "document is not UTF-8 (byte " + std::to_string(bad) + ")");
      return false;
    }
    return true;
  }

  /// Parses one XML document held in an owned, mutable buffer. `loc` names it in issues;
  /// `declared` is the LOAIHOSO of an inner file; `rec` is the record an inner file belongs to
  /// (nullptr for a top-level document). `checked`: document_ok has passed on this text already.
  void document(char* p, std::size_t size, const std::string& loc, std::optional<table_id> declared, record* rec,
                bool checked = false) {
    const bool top = rec == nullptr;
    const severity fail = top ? severity::fatal : severity::error;
    std::string_view text(p, size);
    if (const auto bom = strip_bom(text); bom.size() != text.size()) {
      p += 3;
      size -= 3;
      text = bom;
    }
    if (!checked && !document_ok(text, loc, fail)) return;
    // Plain documents (nearly all) are read by the fast reader without writing to the buffer;
    // anything else, including every malformed document, goes to pugixml.
    detail::flat_xml& flat = top ? flat_top_ : flat_inner_;
    if (flat.parse(p, size)) {
      tree(flat.root(), loc, declared, rec, fail);
      return;
    }
    pugi::xml_document doc;
    const auto res = doc.load_buffer_inplace(p, size, parse_options, pugi::encoding_utf8);
    if (!res) {
      add(fail, issue_code::structure, loc,
          std::string("not well-formed XML: ") + res.description() + " at offset " + std::to_string(res.offset));
      return;
    }
    const pugi::xml_node root = doc.document_element();
    if (!root) {
      add(fail, issue_code::structure, loc, "document has no root element");
      return;
    }
    tree(root, loc, declared, rec, fail);
  }

  /// The part of `document` after parsing, for either tree.
  template <class Node>
  void tree(Node root, const std::string& loc, std::optional<table_id> declared, record* rec, severity fail) {
    const bool top = rec == nullptr;
    if (!depth_ok(root, loc, fail)) return;
    const std::string_view root_name = root.name();
    if (top && root_name == "GIAMDINHHS") {
      envelope_doc(root);
      return;
    }
    // An inner table document, alone or from an envelope's FILEHOSO.
    std::optional<table_id> t = table_from_root(root_name);
    if (!t) t = find_table_by_rows(root);
    if (t && declared && *t != *declared) {
      add(severity::warning, issue_code::value, loc,
          "LOAIHOSO says " + std::string(table_name(*declared)) + ", content is " + std::string(table_name(*t)));
    }
    if (!t) t = declared;
    if (!t) {
      add(fail, issue_code::structure, loc, "root element " + clip(root_name) + " is not a QĐ 130/4210 document");
      return;
    }
    if (top) {
      out_.env.kind = input_kind::inner_document;
      out_.env.records.emplace_back();
      rec = &out_.env.records.back();
    }
    extract_rows(root, defs[static_cast<std::size_t>(*t)], *rec);
  }

  void too_deep(const std::string& loc, severity fail) {
    add(fail, issue_code::too_costly, loc, "elements nested deeper than " + std::to_string(limits_.max_depth));
  }

  /// The fast reader counted the levels while parsing (`root` is its document's root).
  bool depth_ok(detail::flat_node root, const std::string& loc, severity fail) {
    if (root.document().max_level() <= limits_.max_depth) return true;
    too_deep(loc, fail);
    return false;
  }

  bool depth_ok(pugi::xml_node root, const std::string& loc, severity fail) {
    std::size_t depth = 1;
    for (auto n = root; n;) {
      if (auto c = n.first_child()) {
        n = c;
        if (++depth > limits_.max_depth) {
          too_deep(loc, fail);
          return false;
        }
        continue;
      }
      while (n && n != root && !n.next_sibling()) {
        n = n.parent();
        --depth;
      }
      if (!n || n == root) break;
      n = n.next_sibling();
    }
    return true;
  }

  template <class Node>
  static std::optional<table_id> find_table_by_rows(Node root) {
    for (auto n = root; n; n = next_in(n, root, false)) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view name = n.name();
      for (const auto& d : defs)
        if (!d.row.empty() && d.row == name) return d.id;
    }
    return std::nullopt;
  }

  template <class Node>
  static std::string_view child_text(Node n, std::string_view name) {
    for (auto c = n.first_child(); c; c = c.next_sibling())
      if (c.type() == pugi::node_element && name == c.name()) return detail::trim(c.child_value());
    return {};
  }

  template <class Node>
  void envelope_doc(Node root) {
    // Unknown elements at envelope level (the signature subtree excepted).
    for (auto n = root; n;) {
      bool skip = false;
      if (n.type() == pugi::node_element) {
        const std::string_view name = n.name();
        if (name == "CHUKYDONVI" || name == "NOIDUNGFILE") {
          skip = true;
        } else if (std::find(envelope_elements.begin(), envelope_elements.end(), name) == envelope_elements.end()) {
          add(severity::information, issue_code::informational, "GIAMDINHHS." + clip(name),
              "unknown envelope element ignored");
          skip = true;
        }
      }
      n = next_in(n, root, skip);
    }
    for (auto n = root; n; n = next_in(n, root, false)) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view name = n.name();
      if (name == "MACSKCB" && out_.env.facility_code.empty())
        out_.env.facility_code = keep(detail::trim(n.child_value()));
      else if (name == "NGAYLAP" && out_.env.created.empty())
        out_.env.created = keep(detail::trim(n.child_value()));
    }
    // HOSO elements are records; FILEHOSO outside any HOSO form one record together.
    std::vector<Node> hosos;
    std::vector<Node> loose;
    for (auto n = root; n;) {
      bool skip = false;
      if (n.type() == pugi::node_element) {
        const std::string_view name = n.name();
        if (name == "HOSO") {
          hosos.push_back(n);
          skip = true;
        } else if (name == "FILEHOSO") {
          loose.push_back(n);
          skip = true;
        } else if (name == "CHUKYDONVI") {
          skip = true;
        }
      }
      n = next_in(n, root, skip);
    }
    std::size_t files = 0;
    std::size_t index = 0;
    auto do_record = [&](const std::vector<Node>& file_nodes) {
      out_.env.records.emplace_back();
      record& rec = out_.env.records.back();
      ++index;
      record_no_ = hosos.size() > 1 ? static_cast<std::uint16_t>(std::min<std::size_t>(index, 0xFFFF)) : 0;
      for (auto f : file_nodes) {
        if (++files > limits_.max_files) {
          add(severity::fatal, issue_code::too_costly, "FILEHOSO",
              "more than " + std::to_string(limits_.max_files) + " FILEHOSO elements");
          return false;
        }
        file(f, rec, index, files);
      }
      return true;
    };
    for (auto h : hosos) {
      std::vector<Node> fs;
      for (auto n = h; n;) {
        bool skip = false;
        if (n.type() == pugi::node_element && std::string_view(n.name()) == "FILEHOSO") {
          fs.push_back(n);
          skip = true;
        }
        n = next_in(n, h, skip);
      }
      if (!do_record(fs)) return;
    }
    if (!loose.empty() && !do_record(loose)) return;
    if (out_.env.records.empty())
      add(severity::fatal, issue_code::required, "GIAMDINHHS", "envelope has no HOSO/FILEHOSO");
    const std::string_view declared = child_text_deep(root, "SOLUONGHOSO");
    if (!declared.empty() && declared != std::to_string(hosos.empty() ? out_.env.records.size() : hosos.size()))
      add(severity::warning, issue_code::value, "GIAMDINHHS.SOLUONGHOSO",
          "SOLUONGHOSO does not match the number of HOSO");
  }

  template <class Node>
  static std::string_view child_text_deep(Node root, std::string_view name) {
    for (auto n = root; n; n = next_in(n, root, false))
      if (n.type() == pugi::node_element && name == n.name()) return detail::trim(n.child_value());
    return {};
  }

  template <class Node>
  static std::string_view text_of(Node n, envelope::text_store& store) {
    std::string_view first;
    std::string joined;
    int parts = 0;
    for (auto c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_pcdata && c.type() != pugi::node_cdata) continue;
      const std::string_view v = c.value();
      if (parts == 0)
        first = v;
      else {
        if (parts == 1) joined.assign(first);
        joined.append(v);
      }
      ++parts;
    }
    if (parts <= 1) return detail::trim(first);
    store.strings.push_back(std::move(joined));
    return detail::trim(store.strings.back());
  }

  template <class Node>
  void file(Node f, record& rec, std::size_t hoso_index, std::size_t file_index) {
    const std::string_view loai = child_text(f, "LOAIHOSO");
    Node content;
    for (auto c = f.first_child(); c; c = c.next_sibling())
      if (c.type() == pugi::node_element && std::string_view(c.name()) == "NOIDUNGFILE") content = c;
    std::string loc = "HOSO[" + std::to_string(hoso_index) + "].FILEHOSO[" + std::to_string(file_index) + "]";
    const auto declared = table_from_loaihoso(loai);
    if (!loai.empty()) {
      rec.file_types.push_back(keep(loai));
      if (declared)
        loc = std::string(table_name(*declared));
      else
        add(severity::warning, issue_code::code_invalid, loc + ".LOAIHOSO", "LOAIHOSO " + clip(loai, 16) + " unknown",
            hl7_error::table_value_not_found);
    } else {
      add(severity::warning, issue_code::required, loc + ".LOAIHOSO", "LOAIHOSO missing",
          hl7_error::required_field_missing);
    }
    if (!content) {
      add(severity::error, issue_code::required, loc + ".NOIDUNGFILE", "NOIDUNGFILE missing",
          hl7_error::required_field_missing);
      return;
    }
    const std::string_view b64 = text_of(content, store());
    if (b64.empty()) {
      add(severity::error, issue_code::required, loc + ".NOIDUNGFILE", "NOIDUNGFILE is empty",
          hl7_error::required_field_missing);
      return;
    }
    auto r = detail::base64_decode(b64, limits_.max_document_bytes);
    if (!base64_ok(r, loc + ".NOIDUNGFILE", severity::error)) return;
    total_decoded_ += r.size;
    if (total_decoded_ > limits_.max_total_decoded_bytes) {
      add(severity::error, issue_code::too_costly, loc + ".NOIDUNGFILE",
          "decoded files exceed " + std::to_string(limits_.max_total_decoded_bytes) + " bytes");
      return;
    }
    char* p = r.data.get();
    const std::size_t n = r.size;
    store().buffers.push_back(std::move(r.data));
    const std::string_view s = detail::trim(std::string_view(p, n));
    if (s.empty() || (s.front() != '<' && !strip_bom(s).starts_with("<"))) {
      add(severity::error, issue_code::structure, loc + ".NOIDUNGFILE", "decoded NOIDUNGFILE is not XML");
      return;
    }
    document(p + (s.data() - p), s.size(), loc, declared, &rec);
  }

  template <class Node>
  void extract_rows(Node root, const table_def& def, record& rec) {
    std::vector<Node> rows;
    if (!def.row.empty()) {
      for (auto n = root; n;) {
        bool skip = false;
        if (n.type() == pugi::node_element && def.row == n.name()) {
          rows.push_back(n);
          skip = true;
        }
        n = next_in(n, root, skip);
      }
    }
    if (rows.empty()) {  // by shape: the outermost elements whose children are all leaves
      for (auto n = root; n;) {
        bool skip = false;
        if (n.type() == pugi::node_element && has_element_child(n)) {
          bool leaves = true;
          for (auto c = n.first_child(); c && leaves; c = c.next_sibling())
            if (c.type() == pugi::node_element && has_element_child(c)) leaves = false;
          if (leaves) {
            rows.push_back(n);
            skip = true;
          }
        }
        n = next_in(n, root, skip);
      }
    }
    auto& table = rec.tables[static_cast<std::size_t>(def.id)];
    const std::string tname(table_name(def.id));
    // Elements beside the rows that are neither rows nor wrappers.
    for (auto n = root; n;) {
      bool skip = false;
      if (n.type() == pugi::node_element) {
        if ((!def.row.empty() && def.row == n.name()) || std::find(rows.begin(), rows.end(), n) != rows.end()) {
          skip = true;
        } else if (!is_wrapper_name(def, n.name()) && !has_element_child(n)) {
          add(severity::information, issue_code::informational, tname + "." + clip(n.name()),
              "unknown element ignored");
          skip = true;
        }
      }
      n = next_in(n, root, skip);
    }
    table.reserve(table.size() + std::min(rows.size(), limits_.max_rows_per_table));
    const auto [first_rule, end_rule] = detail::rule_range(def.id);
    std::vector<std::string_view> unknown;
    std::vector<std::string_view> duplicates;
    // Consecutive rows nearly always have the same elements in the same order: the rule found for
    // the k-th element of the previous row serves again when the name is the same.
    recent_.clear();
    for (auto rn : rows) {
      if (table.size() >= limits_.max_rows_per_table) {
        add(severity::error, issue_code::too_costly, tname,
            "more than " + std::to_string(limits_.max_rows_per_table) + " rows");
        return;
      }
      row& r = table.emplace_back();
      r.table = def.id;
      r.rules_exact = true;  // every field below gets find_rule's index for its name
      r.position = static_cast<std::uint32_t>(table.size());
      r.record_no = record_no_;
      unknown.clear();
      duplicates.clear();
      std::size_t children = 0;
      for (auto c = rn.first_child(); c; c = c.next_sibling()) children += c.type() == pugi::node_element ? 1 : 0;
      r.fields.reserve(std::min(children, end_rule - first_rule));
      seen_.assign((end_rule - first_rule + 63) / 64, 0);
      std::uint64_t* const seen = seen_.data();  // a local pointer: the vector's is reloaded after every push_back
      std::size_t k = 0;                         // element position within the row
      std::size_t next_rule = first_rule;        // the rule after the last one found in this row
      for (auto c = rn.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        const std::string_view name = c.name();
        // One pass over the element's children: any element child, and its text when it is one
        // piece (text_of joins several).
        std::string_view text;
        int parts = 0;
        bool nested = false;
        for (auto g = c.first_child(); g; g = g.next_sibling()) {
          const auto type = g.type();
          if (type == pugi::node_element) {
            nested = true;
            break;
          }
          if (type == pugi::node_pcdata || type == pugi::node_cdata) {
            if (parts++ == 0) text = g.value();
          }
        }
        if (nested) {
          unknown.push_back(name);
          ++k;
          continue;
        }
        const detail::field_rule* rule = cached_rule(k++, def.id, name, next_rule, end_rule);
        if (rule == nullptr) {
          unknown.push_back(name);
          continue;
        }
        next_rule = detail::rule_index(*rule) + std::size_t{1};
        const std::string_view v = parts <= 1 ? detail::trim(text) : text_of(c, store());
        // Rules and names correspond one to one within a table, so "a field of this name was
        // kept" is "this rule's bit is set".
        const std::uint16_t index = detail::rule_index(*rule);
        const std::size_t bit = index - first_rule;
        if ((seen[bit / 64] >> (bit % 64) & 1u) != 0) {
          duplicates.push_back(name);
          continue;
        }
        if (!v.empty()) {
          seen[bit / 64] |= std::uint64_t{1} << (bit % 64);
          r.fields.push_back(field{name, v, index});
        }
      }
      // Locations need the STT, known only once the row's fields are read.
      for (auto d : duplicates)
        add(severity::warning, issue_code::duplicate, r.location(d),
            std::string(d) + " appears more than once; first kept");
      for (auto u : unknown)
        add(severity::information, issue_code::informational, r.location(clip(u)), "unknown element ignored");
    }
  }

  /// find_rule(t, name) for the element at position `k` of a row: from `recent_` when the
  /// previous row's element there had the same name, else the rule `next` (files follow the
  /// tables' order, which the rules keep) when it has the name, else by hash. Names are unique
  /// within a table (field_rules.cpp checks), so any rule with the name is find_rule's.
  const detail::field_rule* cached_rule(std::size_t k, table_id t, std::string_view name, std::size_t next,
                                        std::size_t end) {
    if (k < recent_.size() && same_name(recent_[k].name, name)) return recent_[k].rule;
    const detail::field_rule* rule =
        next < end && same_name(detail::rule_at(next).name, name) ? &detail::rule_at(next) : detail::find_rule(t, name);
    if (k < recent_.size())
      recent_[k] = {name, rule};
    else if (k == recent_.size())
      recent_.push_back({name, rule});
    return rule;
  }

  static bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && detail::same_bytes(a.data(), b.data(), a.size());
  }
};

// ---------------------------------------------------------------------------------------------
// Checks after decoding: version, normalisation, required fields, code lists, identifiers.

struct marker {
  table_id table;
  std::string_view field;
  schema_version version;
};
constexpr std::array<marker, 22> markers{{
    {table_id::xml1, "MA_THE_BHYT", schema_version::qd130},
    {table_id::xml1, "SO_CCCD", schema_version::qd130},
    {table_id::xml1, "MA_BENH_CHINH", schema_version::qd130},
    {table_id::xml1, "MA_DOITUONG_KCB", schema_version::qd130},
    {table_id::xml1, "MA_LOAI_RV", schema_version::qd130},
    {table_id::xml1, "T_TONGCHI_BV", schema_version::qd130},
    {table_id::xml1, "MATINH_CU_TRU", schema_version::qd130},
    {table_id::xml2, "THANH_TIEN_BV", schema_version::qd130},
    {table_id::xml2, "TYLE_TT_BH", schema_version::qd130},
    {table_id::xml3, "THANH_TIEN_BV", schema_version::qd130},
    {table_id::xml5, "DIEN_BIEN_LS", schema_version::qd130},
    {table_id::xml5, "THOI_DIEM_DBLS", schema_version::qd130},
    {table_id::xml1, "MA_THE", schema_version::qd4210},
    {table_id::xml1, "MA_BENH", schema_version::qd4210},
    {table_id::xml1, "MA_BENHKHAC", schema_version::qd4210},
    {table_id::xml1, "MA_LYDO_VVIEN", schema_version::qd4210},
    {table_id::xml1, "TINH_TRANG_RV", schema_version::qd4210},
    {table_id::xml1, "T_TONGCHI", schema_version::qd4210},
    {table_id::xml2, "THANH_TIEN", schema_version::qd4210},
    {table_id::xml3, "THANH_TIEN", schema_version::qd4210},
    {table_id::xml5, "DIEN_BIEN", schema_version::qd4210},
    {table_id::xml4, "MA_MAY", schema_version::qd4210},
}};

constexpr std::array<std::string_view, 10> datetime_fields{
    "NGAY_SINH", "NGAY_VAO",   "NGAY_VAO_NOI_TRU", "NGAY_RA",        "NGAY_TTOAN",
    "NGAY_YL",   "NGAY_TH_YL", "NGAY_KQ",          "THOI_DIEM_DBLS", "NGAY_HEN_KL"};

/// What the checks need to know of a field, by rule index (computed once instead of per field).
struct rule_facts {
  schema_version marker = schema_version::unknown;  ///< the generation the field marks, if any
  bool code_list = false;                           ///< has_code_list(table, name)
  bool datetime = false;                            ///< in datetime_fields
};

const std::vector<rule_facts>& facts() {
  static const std::vector<rule_facts> f = [] {
    std::vector<rule_facts> v(detail::rule_count());
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto& rule = detail::rule_at(i);
      const auto t = static_cast<table_id>(rule.table);
      for (const auto& m : markers)
        if (m.table == t && m.field == rule.name) v[i].marker = m.version;
      v[i].code_list = has_code_list(t, rule.name);
      v[i].datetime = std::find(datetime_fields.begin(), datetime_fields.end(), rule.name) != datetime_fields.end();
    }
    return v;
  }();
  return f;
}

/// The facts of a decoded field (`all` = facts(), fetched once by the caller's loop); nullptr for
/// a field without a rule.
const rule_facts* facts_of(const std::vector<rule_facts>& all, const row& r, const field& f) {
  const detail::field_rule* rule = detail::rule_of(r, f);
  return rule == nullptr ? nullptr : &all[detail::rule_index(*rule)];
}

schema_version detect_version(const envelope& env, fhir::issue_list& issues) {
  int v130 = 0;
  int v4210 = 0;
  const auto& all = facts();
  for (const auto& rec : env.records) {
    for (std::size_t t = 0; t < table_count; ++t) {
      const auto id = static_cast<table_id>(t);
      if (rec.tables[t].empty()) continue;
      if (id == table_id::xml0 || id >= table_id::xml6) ++v130;  // tables 4210 never had
      // A marker is a (table, field) pair; a row holds each field name once.
      for (const auto& r : rec.tables[t])
        for (const auto& f : r.fields)
          if (const rule_facts* k = facts_of(all, r, f); k != nullptr && k->marker != schema_version::unknown)
            (k->marker == schema_version::qd130 ? v130 : v4210)++;
    }
  }
  if (v130 > 0 && v4210 > 0)
    issues.push_back(issue{
        severity::warning, issue_code::invariant, "",
        "elements of both QĐ 4210 and QĐ 130 found; read as " + std::string(v4210 > v130 ? "QĐ 4210" : "QĐ 130")});
  if (v4210 > v130) return schema_version::qd4210;
  if (v130 > 0) return schema_version::qd130;
  return schema_version::unknown;
}

void pad2(row& r, std::string_view name, envelope::text_store& store) {
  for (auto& f : r.fields)
    if (f.name == name && f.value.size() == 1 && detail::is_digit(f.value[0])) {
      store.strings.push_back(std::string("0") + std::string(f.value));
      f.value = store.strings.back();
    }
}

bool datetime_ok(std::string_view v, bool allow_unknown_parts) {
  if (!(v.size() == 12 || v.size() == 8) || !detail::all_digits(v)) return false;
  const int k = date_key(v);
  if (k == 0) return false;
  if (!allow_unknown_parts && (k % 100 == 0 || k / 100 % 100 == 0)) return false;
  if (v.size() == 12) {
    const int hh = (v[8] - '0') * 10 + (v[9] - '0');
    const int mm = (v[10] - '0') * 10 + (v[11] - '0');
    if (hh > 23 || mm > 59) return false;
  }
  return true;
}

void check_record(record& rec, const envelope& env, schema_version version, envelope::text_store& store,
                  fhir::issue_list& out) {
  for (auto& r : rec.tables[static_cast<std::size_t>(table_id::xml1)]) {
    pad2(r, "MA_LOAI_KCB", store);
    pad2(r, "MA_DANTOC", store);
  }
  for (auto& r : rec.tables[static_cast<std::size_t>(table_id::xml8)]) pad2(r, "MA_LOAI_KCB", store);
  for (auto& r : rec.tables[static_cast<std::size_t>(table_id::xml13)]) pad2(r, "MA_DANTOC", store);

  const int date = episode_date(rec);
  const auto& all = facts();
  const std::string_view ma_lk = rec.ma_lk();
  if (rec.first(table_id::xml1) == nullptr && env.kind != input_kind::inner_document)
    out.push_back(
        issue{severity::error, issue_code::required, "XML1", "XML1 missing", hl7_error::required_field_missing});
  if (rec.tables[1].size() > 1)
    out.push_back(issue{severity::error, issue_code::structure, "XML1", "XML1 has more than one TONG_HOP in one HOSO"});

  for (std::size_t t = 0; t < table_count; ++t) {
    const auto id = static_cast<table_id>(t);
    for (const auto& r : rec.tables[t]) {
      detail::check_row(r, version, date, out);
      const std::string_view lk = r.value("MA_LK");
      if (!lk.empty() && !ma_lk.empty() && lk != ma_lk)
        out.push_back(issue{severity::error, issue_code::invariant, r.location("MA_LK"),
                            "MA_LK differs from the episode's (XML1)"});
      for (const auto& f : r.fields) {
        const rule_facts* k = facts_of(all, r, f);
        if (k == nullptr) continue;  // only fields with rules are kept, and only they have lists
        if (k->code_list && find_code(id, f.name, f.value, date, version) == nullptr)
          out.push_back(issue{
              severity::warning, issue_code::code_invalid, r.location(f.name),
              std::string(f.name) + ": code " + clip(f.value, 8) + " not in the list valid for the episode's date",
              hl7_error::table_value_not_found});
        if (k->datetime) {
          const bool birth = f.name == "NGAY_SINH";
          if (!datetime_ok(f.value, birth) || (!birth && f.value.size() == 8))
            out.push_back(issue{severity::error, issue_code::value, r.location(f.name),
                                std::string(f.name) + " is not a yyyymmddHHMM date-time", hl7_error::data_type_error});
        }
      }
    }
  }

  const row* x1 = rec.first(table_id::xml1);
  if (x1 == nullptr) return;
  if (!env.facility_code.empty() && x1->has("MA_CSKCB") && x1->value("MA_CSKCB") != env.facility_code)
    out.push_back(issue{severity::error, issue_code::conflict, x1->location("MA_CSKCB"),
                        "MA_CSKCB differs from the envelope's MACSKCB"});
  // Card data: parallel ";" lists (§2.4, §8.5).
  const std::string_view card_field = version == schema_version::qd4210 ? "MA_THE" : "MA_THE_BHYT";
  const auto cards = detail::split_list(x1->value(card_field));
  for (std::string_view lf : {"GT_THE_TU", "GT_THE_DEN"}) {
    const auto parts = detail::split_list(x1->value(lf));
    if (!parts.empty() && parts.size() != cards.size())
      out.push_back(issue{severity::error, issue_code::invariant, x1->location(lf),
                          std::string(lf) + " has " + std::to_string(parts.size()) + " entries, " +
                              std::string(card_field) + " " + std::to_string(cards.size())});
    for (auto p : parts)
      if (p.size() != 8 || date_key(p) == 0 || date_key(p) % 100 == 0)
        out.push_back(issue{severity::error, issue_code::value, x1->location(lf),
                            std::string(lf) + " entry is not a yyyymmdd date", hl7_error::data_type_error});
  }
  if (const auto dkbd = detail::split_list(x1->value("MA_DKBD")); dkbd.size() > 1 && dkbd.size() != cards.size())
    out.push_back(issue{severity::warning, issue_code::invariant, x1->location("MA_DKBD"),
                        "MA_DKBD has " + std::to_string(dkbd.size()) + " entries, " + std::string(card_field) + " " +
                            std::to_string(cards.size())});
  for (auto c : cards)
    if (!detail::bhyt_card_shape_ok(c))
      out.push_back(issue{severity::warning, issue_code::value, x1->location(card_field),
                          std::string(card_field) + ": entry is not a card number shape"});
  if (const auto kt = detail::split_list(x1->value("MA_BENH_KT")); kt.size() > 12)
    out.push_back(issue{severity::warning, issue_code::invariant, x1->location("MA_BENH_KT"),
                        "MA_BENH_KT has " + std::to_string(kt.size()) + " codes, at most 12"});
  if (const auto id = x1->value("SO_CCCD"); !id.empty()) {
    switch (detail::classify_person_id(id)) {
      case detail::person_id_kind::cccd:
        if (!detail::cccd_province_known(id))
          out.push_back(issue{severity::warning, issue_code::value, x1->location("SO_CCCD"),
                              "SO_CCCD: province " + std::string(id.substr(0, 3)) + " unknown"});
        break;
      case detail::person_id_kind::other:
        out.push_back(issue{severity::warning, issue_code::value, x1->location("SO_CCCD"),
                            "SO_CCCD is neither a CCCD (12 digits), a CMND (9 digits) nor a "
                            "passport (letter + 7 digits)"});
        break;
      default: break;
    }
  }
  const int vao = date_key(x1->value("NGAY_VAO"));
  const int ra = date_key(x1->value("NGAY_RA"));
  if (vao != 0 && ra != 0 && x1->value("NGAY_RA") < x1->value("NGAY_VAO") &&
      x1->value("NGAY_RA").size() == x1->value("NGAY_VAO").size())
    out.push_back(
        issue{severity::warning, issue_code::invariant, x1->location("NGAY_RA"), "NGAY_RA is before NGAY_VAO"});
  if (const auto vnt = x1->value("NGAY_VAO_NOI_TRU");
      !vnt.empty() && vnt.size() == x1->value("NGAY_VAO").size() && vnt < x1->value("NGAY_VAO"))
    out.push_back(issue{severity::warning, issue_code::invariant, x1->location("NGAY_VAO_NOI_TRU"),
                        "NGAY_VAO_NOI_TRU is before NGAY_VAO"});
}

}  // namespace

std::string_view table_name(table_id t) {
  return names[static_cast<std::size_t>(t)];
}

std::string_view to_string(schema_version v) {
  switch (v) {
    case schema_version::qd4210: return "QĐ 4210";
    case schema_version::qd130: return "QĐ 130/4750/3176";
    case schema_version::unknown: break;
  }
  return "unknown";
}

std::string_view row::value(std::string_view name) const {
  // Field names are short and differ early or in length: compare those before the bytes.
  const std::size_t n = name.size();
  if (n == 0) {
    for (const auto& f : fields)
      if (f.name.empty()) return f.value;
    return {};
  }
  for (const auto& f : fields)
    if (f.name.size() == n && f.name[0] == name[0] && f.name[n - 1] == name[n - 1] &&
        detail::same_bytes(f.name.data(), name.data(), n))
      return f.value;
  return {};
}

std::string row::location(std::string_view field_name) const {
  std::string s;
  if (record_no != 0) s = "HOSO[" + std::to_string(record_no) + "].";
  s += table_name(table);
  const std::string_view n = stt();
  if (!n.empty() && n.size() <= 12 && detail::all_digits(n)) {
    s += "[STT=";
    s += n;
    s += ']';
  } else {
    s += '[';
    s += std::to_string(position);
    s += ']';
  }
  if (!field_name.empty()) {
    s += '.';
    s += field_name;
  }
  return s;
}

std::string_view record::ma_lk() const {
  if (const row* r = first(table_id::xml1); r != nullptr && r->has("MA_LK")) return r->value("MA_LK");
  for (const auto& t : tables)
    for (const auto& r : t)
      if (r.has("MA_LK")) return r.value("MA_LK");
  return {};
}

bool decode_result::usable() const {
  for (const auto& i : issues)
    if (i.severity == severity::fatal) return false;
  return !env.records.empty();
}

decode_result decode(std::string_view bytes, const decode_limits& limits) {
  decode_result out;
  decoder d(limits, out);
  d.run(bytes);
  if (!out.usable()) return out;
  out.env.version = detect_version(out.env, out.issues);
  if (out.env.version == schema_version::unknown)
    out.issues.push_back(
        issue{severity::warning, issue_code::not_supported, "", "format generation not recognised; read as QĐ 130"});
  const auto v = out.env.version == schema_version::unknown ? schema_version::qd130 : out.env.version;
  for (auto& rec : out.env.records) check_record(rec, out.env, v, *out.env.storage, out.issues);
  return out;
}

}  // namespace gw::qd130
