// Delimited columns named by header instead of position: the file's first line, the first line of
// each record type, or a header line written in the mapping file. A name the header lacks is a
// check-config error (file:line:key) when the header is in the mapping, and an error naming the
// header line and the column when it comes from the file; repeated header names are reported.
// Mappings are loaded by the real configuration loader, from a copy of the shipped configuration.
#include <gtest/gtest.h>

#include <filesystem>

#include "adapters/mapped/translate.hpp"
#include "fhir/json.hpp"
#include "gateway/config/config.hpp"
#include "tests/unit/mapped/test_util.hpp"

namespace gw::mapped {
namespace {

using namespace gw::mapped::test;
using fhir::severity;
namespace fs = std::filesystem;

/// The shipped configuration with facility 42022's mapping file replaced by `yaml`.
struct loaded {
  gw::test::temp_dir dir{"mapcfg"};
  gw::test::temp_dir certs{"certs"};
  config::load_result result;
  std::string errors;
  explicit loaded(const std::string& yaml) {
    fs::copy(fs::path(GW_SOURCE_DIR) / "config", dir.path(), fs::copy_options::recursive);
    gw::test::write_file(dir / "mappings/42022.yaml", yaml);
    for (auto f : {"gateway.crt", "gateway.key", "ca.crt"}) gw::test::write_file(certs / f, "x");
    ::setenv("GW_CERT_DIR", certs.path().c_str(), 1);
    result = config::load_config(dir / "gateway.yaml");
    ::unsetenv("GW_CERT_DIR");
    for (const auto& e : result.errors) errors += config::format_error(e) + "\n";
  }
  settings facility() const {
    settings s;
    const auto* f = result.config ? result.config->find_facility("42022") : nullptr;
    if (f) {
      s.map = f->mapping.get();
      s.facility_name = f->name;
    }
    return s;
  }
};

const std::string patient_and_encounter = R"(
resources:
  - resource: Patient
    fields:
      - {source: /cccd, target: id.cccd}
      - {source: /record_no, target: id.record_number, required: true}
      - {source: /name, target: "name[0].text", required: true}
      - {source: /birth_date, target: birthDate, transforms: [{date: dd/MM/yyyy}]}
  - resource: Encounter
    fields:
      - {source: /visit, target: id.episode, required: true}
      - {value: finished, target: status}
      - {value: "http://terminology.hl7.org/CodeSystem/v3-ActCode", target: class.system}
      - {value: AMB, target: class.code}
      - {source: /admitted, target: period.start, transforms: [{date: dd/MM/yyyy HH:mm}]}
)";

/// One record type, header in the file's first line, Windows-1258 and ';' as a spreadsheet saves it.
const std::string header_in_file = R"(format: delimited
encoding: windows-1258
delimited:
  delimiter: ";"
  quote: '"'
  header: true
  record_types:
    visit:
      columns: {visit: MA_LK, cccd: SO_CCCD, record_no: MA_BN, name: "HỌ_TÊN", birth_date: NGÀY_SINH,
                admitted: NGAY_VAO}
)" + patient_and_encounter;

std::string cp1258(std::string_view utf8) {
  return encode_as(utf8, "CP1258");
}

const std::string export_with_header = cp1258(
    "NGAY_VAO;MA_BN;HỌ_TÊN;SO_CCCD;NGÀY_SINH;MA_LK;GHI_CHU\n"
    "21/11/2026 09:45;BN-7;Hồ Văn Bình;042058001234;05/01/1958;K-1;\n"
    "22/11/2026 10:00;BN-8;\"Phan Thị Lê; con\";;30/08/1975;K-2;tái khám\n");

TEST(mapped_header, columns_named_by_the_files_header_line_in_any_order) {
  loaded l(header_in_file);
  ASSERT_TRUE(l.result.config) << l.errors;
  auto s = l.facility();
  auto t = translate(export_with_header, s, context_of("42022"));
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  check_golden("mapped", "header-cp1258", t.bundle);
  ASSERT_EQ(t.report.records, 2u);
  const auto* p = t.bundle.entry[1].resource.get_if<fhir::Patient>();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name[0].text, "Hồ Văn Bình");  // NFC, from combining marks, header matched in NFC too
  EXPECT_EQ(p->birth_date, "1958-01-05");
  // A column the mapping does not name may move too: same Bundle from reordered columns.
  const std::string reordered = cp1258(
      "GHI_CHU;MA_LK;NGÀY_SINH;SO_CCCD;HỌ_TÊN;MA_BN;NGAY_VAO\n"
      ";K-1;05/01/1958;042058001234;Hồ Văn Bình;BN-7;21/11/2026 09:45\n"
      "tái khám;K-2;30/08/1975;;\"Phan Thị Lê; con\";BN-8;22/11/2026 10:00\n");
  auto u = translate(reordered, s, context_of("42022"));
  EXPECT_FALSE(fhir::has_errors(u.issues)) << describe(u.issues);
  EXPECT_EQ(fhir::to_json(u.bundle), fhir::to_json(t.bundle));
}

TEST(mapped_header, header_without_a_named_column_names_the_line_and_the_column) {
  loaded l(header_in_file);
  ASSERT_TRUE(l.result.config) << l.errors;
  const std::string body = cp1258(
      "NGAY_VAO;MA_BN;HO_TEN;SO_CCCD;NGÀY_SINH;MA_LK\n"
      "21/11/2026 09:45;BN-7;Hồ Văn Bình;042058001234;05/01/1958;K-1\n");
  auto t = translate(body, l.facility(), context_of("42022"));
  ASSERT_TRUE(fhir::has_errors(t.issues));
  EXPECT_TRUE(has_issue_at(t.issues, "line 1", severity::error)) << describe(t.issues);
  EXPECT_NE(describe(t.issues).find("HỌ_TÊN"), std::string::npos) << describe(t.issues);
  // The name is required: its absence is also an error at the record.
  EXPECT_GE(t.report.required_missing, 1u);
}

TEST(mapped_header, repeated_header_names_are_reported) {
  loaded l(header_in_file);
  ASSERT_TRUE(l.result.config) << l.errors;
  // MA_LK (read by the mapping) twice: error, it cannot tell which. GHI_CHU (not read) twice: warning.
  const std::string body =
      "NGAY_VAO;MA_BN;HỌ_TÊN;SO_CCCD;NGÀY_SINH;MA_LK;GHI_CHU;MA_LK;GHI_CHU\n"
      "21/11/2026 09:45;BN-7;Ho Van Binh;042058001234;05/01/1958;K-1;;K-1;\n";
  auto t = translate(cp1258(body), l.facility(), context_of("42022"));
  EXPECT_TRUE(has_issue_at(t.issues, "line 1 column 8", severity::error)) << describe(t.issues);
  EXPECT_TRUE(has_issue_at(t.issues, "line 1 column 9", severity::warning)) << describe(t.issues);
}

TEST(mapped_header, first_line_of_each_record_type_is_its_header) {
  loaded l(R"(format: delimited
delimited:
  delimiter: "|"
  type_column: 1
  visit_type: V
  link_column: visit
  record_types:
    V:
      header: true
      columns: {type: 1, visit: MA_LK, cccd: CCCD, record_no: MA_BN, name: HO_TEN, birth_date: NGAY_SINH,
                admitted: NGAY_VAO}
    DC:
      header: true
      columns: {type: 1, visit: MA_LK, icd: MA_BENH}
ignore: [/DC/*/type, /DC/*/visit, /V/type]
)" + std::string(R"(
resources:
  - resource: Patient
    fields:
      - {source: /V/cccd, target: id.cccd}
      - {source: /V/record_no, target: id.record_number, required: true}
      - {source: /V/name, target: "name[0].text", required: true}
  - resource: Encounter
    fields:
      - {source: /V/visit, target: id.episode, required: true}
      - {value: finished, target: status}
      - {value: "http://terminology.hl7.org/CodeSystem/v3-ActCode", target: class.system}
      - {value: AMB, target: class.code}
  - resource: Condition
    each: /DC
    role: principal
    fields:
      - {source: /icd, target: id.key}
      - {value: "http://hl7.org/fhir/sid/icd-10", target: "code.coding[0].system"}
      - {source: /icd, target: "code.coding[0].code", required: true}
)"));
  ASSERT_TRUE(l.result.config) << l.errors;
  const std::string body =
      "V|MA_LK|MA_BN|HO_TEN|CCCD|NGAY_SINH|NGAY_VAO\n"
      "DC|MA_BENH|MA_LK\n"
      "V|K-1|BN-7|Hồ Văn Bình|042058001234|1958-01-05|2026-11-21\n"
      "DC|J44.1|K-1\n";
  auto t = translate(body, l.facility(), context_of("42022"));
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  ASSERT_EQ(t.report.records, 1u);
  const auto* c = t.bundle.entry.back().resource.get_if<fhir::Condition>();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code->coding[0].code, "J44.1");
  write_fhir_output("mapped-header-per-type", fhir::to_json(t.bundle));
  // A data line of a type whose header is shorter: its width comes from the header.
  auto u = translate(body + "DC|I10|K-1|extra\n", l.facility(), context_of("42022"));
  EXPECT_TRUE(has_issue_at(u.issues, "line 5 column 4", severity::error)) << describe(u.issues);
}

TEST(mapped_header, header_line_in_the_mapping_is_checked_when_the_configuration_loads) {
  const std::string head = R"(format: delimited
delimited:
  delimiter: ";"
  record_types:
    visit:
      header_line: "MA_LK;MA_BN;HỌ_TÊN;SO_CCCD;NGÀY_SINH;NGAY_VAO"
)";
  loaded good(head + R"(      columns: {visit: MA_LK, cccd: SO_CCCD, record_no: MA_BN, name: "HỌ_TÊN", birth_date: 5,
                admitted: NGAY_VAO}
)" + patient_and_encounter);
  ASSERT_TRUE(good.result.config) << good.errors;
  auto t = translate("K-1;BN-7;Hồ Văn Bình;042058001234;05/01/1958;21/11/2026 09:45\n", good.facility(),
                     context_of("42022"));
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  EXPECT_EQ(t.report.records, 1u);

  // An unknown header name: file, line and key.
  loaded bad(head + R"(      columns: {visit: MA_LK, cccd: SO_CCCD, record_no: MA_BN, name: HO_TEN, birth_date: 5,
                admitted: NGAY_VAO}
)" + patient_and_encounter);
  EXPECT_FALSE(bad.result.config);
  EXPECT_NE(bad.errors.find("42022.yaml:7: delimited.record_types.visit.columns.name"), std::string::npos)
      << bad.errors;
  EXPECT_NE(bad.errors.find("HO_TEN"), std::string::npos) << bad.errors;

  // A name twice in the header line; a header name without any header; an unknown encoding.
  loaded twice(R"(format: delimited
encoding: latin-9
delimited:
  delimiter: ";"
  record_types:
    visit:
      header_line: "MA_LK;MA_BN;MA_LK"
      columns: {visit: MA_LK, record_no: MA_BN}
    other:
      width: 3
      columns: {x: SOMETHING}
)" + patient_and_encounter);
  EXPECT_FALSE(twice.result.config);
  EXPECT_NE(twice.errors.find("42022.yaml:7: delimited.record_types.visit.header_line"), std::string::npos)
      << twice.errors;
  EXPECT_NE(twice.errors.find("42022.yaml:11: delimited.record_types.other.columns.x"), std::string::npos)
      << twice.errors;
  EXPECT_NE(twice.errors.find("42022.yaml:2: encoding"), std::string::npos) << twice.errors;
}

}  // namespace
}  // namespace gw::mapped
