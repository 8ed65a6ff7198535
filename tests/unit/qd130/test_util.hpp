#pragma once
// Helpers for the QĐ 130 tests: reading samples, building envelopes and form bodies, editing one
// element of an inner document, and finding issues by location.

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "fhir/issue.hpp"

namespace gw::qd130::test {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string sample(std::string_view name) {
  return read_file(std::string(GW_SHARED_DIR) + "/samples/vn-xml130/" + std::string(name));
}
inline std::string sample_envelope() {
  return sample("giamdinhhs-inpatient-pneumonia.xml");
}
inline std::string sample_table(int n) {
  return sample("inpatient-pneumonia.XML" + std::to_string(n) + ".xml");
}
inline std::string test_data(std::string_view name) {
  return read_file(std::string(GW_SOURCE_DIR) + "/tests/unit/qd130/data/" + std::string(name));
}

/// Base64 (standard alphabet, padded); `wrap` > 0 inserts CRLF every `wrap` characters.
inline std::string base64(std::string_view in, std::size_t wrap = 0) {
  static constexpr char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  auto put = [&](char c) {
    if (wrap > 0 && !out.empty() && (out.size() + 2) % (wrap + 2) == 0) out += "\r\n";
    out += c;
  };
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    put(abc[(v >> 18) & 63]);
    put(abc[(v >> 12) & 63]);
    put(abc[(v >> 6) & 63]);
    put(abc[v & 63]);
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    put(abc[(v >> 18) & 63]);
    put(abc[(v >> 12) & 63]);
    put(i + 1 < in.size() ? abc[(v >> 6) & 63] : '=');
    put('=');
  }
  return out;
}

inline std::string url_encode(std::string_view in) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' || c == '_' ||
        c == '.') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

/// A GIAMDINHHS envelope with one HOSO holding the given (LOAIHOSO, inner document) files.
inline std::string make_envelope(std::initializer_list<std::pair<std::string, std::string>> files,
                                 std::string_view facility = "42001", std::size_t wrap = 0) {
  std::string s = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<GIAMDINHHS><THONGTINDONVI><MACSKCB>" +
                  std::string(facility) +
                  "</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20261125</NGAYLAP>"
                  "<SOLUONGHOSO>1</SOLUONGHOSO><DANHSACHHOSO><HOSO>";
  for (const auto& [type, doc] : files)
    s += "<FILEHOSO><LOAIHOSO>" + type + "</LOAIHOSO><NOIDUNGFILE>" + base64(doc, wrap) + "</NOIDUNGFILE></FILEHOSO>";
  s += "</HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI></CHUKYDONVI></GIAMDINHHS>";
  return s;
}

/// The sample's five tables in an envelope, XML1 replaced by `xml1`.
inline std::string envelope_with_xml1(const std::string& xml1) {
  return make_envelope({{"XML1", xml1},
                        {"XML2", sample_table(2)},
                        {"XML3", sample_table(3)},
                        {"XML4", sample_table(4)},
                        {"XML5", sample_table(5)}});
}

/// Replaces the whole first <name>…</name> element (CDATA included) with <name>value</name>;
/// `raw` replaces it with the given text verbatim instead.
inline std::string set_element(std::string doc, std::string_view name, std::string_view value, bool raw = false) {
  // Built by appending: GCC 12 at -O3 warns falsely (-Wrestrict) on "<" + std::string(...).
  const std::string open = std::string("<").append(name).append(">");
  const std::string close = std::string("</").append(name).append(">");
  const auto b = doc.find(open);
  EXPECT_NE(b, std::string::npos) << name;
  if (b == std::string::npos) return doc;
  const auto e = doc.find(close, b);
  const std::string repl = raw ? std::string(value) : open + std::string(value) + close;
  doc.replace(b, e + close.size() - b, repl);
  return doc;
}

inline std::string describe(const fhir::issue_list& issues) {
  std::ostringstream os;
  for (const auto& i : issues)
    os << fhir::to_string(i.severity) << ' ' << fhir::to_string(i.code) << ' ' << i.location << ": " << i.message
       << '\n';
  return os.str();
}

inline const fhir::issue* find_issue(const fhir::issue_list& issues, std::string_view location, fhir::issue_code code) {
  for (const auto& i : issues)
    if (i.location == location && i.code == code) return &i;
  return nullptr;
}

inline std::size_t count_severity(const fhir::issue_list& issues, fhir::severity s) {
  std::size_t n = 0;
  for (const auto& i : issues) n += i.severity == s ? 1 : 0;
  return n;
}

inline bool has_fatal(const fhir::issue_list& issues) {
  return count_severity(issues, fhir::severity::fatal) > 0;
}

}  // namespace gw::qd130::test
