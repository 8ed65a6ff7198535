// The emr-gateway command line as an operator uses it.
#include <gtest/gtest.h>

#include "tests/support/fhir_out.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {
namespace {

std::string run_capture(const std::string& cmd, int& rc) {
  temp_dir d("cli");
  auto out = d / "out.txt";
  rc = run_command(cmd + " >" + out.string() + " 2>&1");
  return read_file(out);
}

TEST(cli, check_config_accepts_the_shipped_configuration) {
  temp_dir certs("certs");
  for (auto f : {"gateway.crt", "gateway.key", "ca.crt"}) write_file(certs / f, "x");
  int rc = -1;
  auto out = run_capture(
      "GW_CERT_DIR=" + certs.path().string() + " " GW_GATEWAY_BIN " check-config " GW_SOURCE_DIR "/config/gateway.yaml",
      rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("is valid (23 facilities)"), std::string::npos) << out;
}

TEST(cli, check_config_lists_every_mistake_and_fails) {
  temp_dir d("bad");
  write_file(d / "gateway.yaml",
             "facilities_dir: fac\nlisteners:\n  mllp: {enabled: false, port: 99999}\n"
             "  ingest: {enabled: false, port: 2}\n  api: {enabled: false, port: 3}\n"
             "  admin: {port: 4}\nwhatever: 1\n");
  write_file(d / "fac/42001.yaml",
             "code: \"42001\"\nname: x\nownership: public\nfeeds: [{format: fax, transport: https}]\n"
             "certificates: {subjects: [\"CN=a\"]}\n");
  int rc = -1;
  auto out = run_capture(GW_GATEWAY_BIN " check-config " + (d / "gateway.yaml").string(), rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("gateway.yaml:3: listeners.mllp.port: out of range: expected a port from 1 to 65535, got '99999'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("gateway.yaml:7: whatever: unknown key"), std::string::npos) << out;
  EXPECT_NE(out.find("42001.yaml:4: feeds[0].format: unknown format 'fax'"), std::string::npos) << out;
  EXPECT_NE(out.find("3 mistakes found"), std::string::npos) << out;
}

TEST(cli, serve_refuses_to_start_with_a_broken_configuration) {
  temp_dir d("bad");
  write_file(d / "gateway.yaml", "listeners: 5\n");
  int rc = -1;
  auto out = run_capture(GW_GATEWAY_BIN " serve --config " + (d / "gateway.yaml").string(), rc);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("nothing started"), std::string::npos) << out;
}

TEST(cli, unknown_command_is_explained) {
  int rc = -1;
  auto out = run_capture(GW_GATEWAY_BIN " frobnicate", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("unknown command 'frobnicate'"), std::string::npos) << out;
  EXPECT_NE(out.find("check-config"), std::string::npos);
}

/// Runs translate with stdout and stderr kept apart.
int translate(const std::string& args, std::string& out, std::string& err, const std::string& env = {}) {
  temp_dir d("translate");
  int rc = run_command(env + GW_GATEWAY_BIN " translate " + args + " >" + (d / "out").string() + " 2>" +
                       (d / "err").string());
  out = read_file(d / "out");
  err = read_file(d / "err");
  return rc;
}

TEST(cli, translate_hl7v2_prints_a_bundle_and_exits_0) {
  std::string out, err;
  int rc = translate("--format hl7v2 " GW_SHARED_DIR "/samples/hl7v2/oru-r01-cbc-42001.hl7", out, err);
  EXPECT_EQ(rc, 0) << err;
  EXPECT_EQ(out.rfind("{\"resourceType\":\"Bundle\"", 0), 0u) << out.substr(0, 200);
  EXPECT_NE(out.find("\"DiagnosticReport\""), std::string::npos);
  EXPECT_NE(err.find("0 errors"), std::string::npos) << err;
  write_fhir_output("cli-translate-oru-r01-cbc", out);
}

/// The shipped configuration with stand-in certificate files (translate never opens them).
struct shipped_config {
  temp_dir certs{"certs"};
  shipped_config() {
    for (auto f : {"gateway.crt", "gateway.key", "ca.crt"}) write_file(certs / f, "x");
  }
  std::string env() const { return "GW_CERT_DIR=" + certs.path().string() + " "; }
};

TEST(cli, translate_qd130_for_a_configured_facility) {
  shipped_config cfg;
  std::string out, err;
  int rc = translate("--facility 42001 --config " GW_SOURCE_DIR "/config/gateway.yaml " GW_SHARED_DIR
                     "/samples/vn-xml130/giamdinhhs-inpatient-pneumonia.xml",
                     out, err, cfg.env());
  EXPECT_EQ(rc, 0) << err;
  EXPECT_NE(out.find("\"MedicationRequest\""), std::string::npos);
  write_fhir_output("cli-translate-qd130-envelope", out);
}

TEST(cli, translate_picks_the_facility_feed_that_fits_the_file) {
  // 42001 sends QĐ 130 over HTTPS and HL7 v2 over MLLP: an HL7 file is translated as HL7 v2.
  shipped_config cfg;
  std::string out, err;
  int rc = translate("--facility 42001 --config " GW_SOURCE_DIR "/config/gateway.yaml " GW_SHARED_DIR
                     "/samples/hl7v2/adt-a01-admit-42001.hl7",
                     out, err, cfg.env());
  EXPECT_EQ(rc, 0) << err;
  EXPECT_NE(err.find("translate: format hl7v2"), std::string::npos) << err;
  EXPECT_NE(out.find("\"Encounter\""), std::string::npos);
}

TEST(cli, translate_report_shows_how_a_hospitals_own_export_was_mapped) {
  shipped_config cfg;
  std::string out, err;
  int rc = translate("--facility 42022 --report --config " GW_SOURCE_DIR "/config/gateway.yaml " GW_SOURCE_DIR
                     "/tests/samples/mapped/42022/export-20261123.txt",
                     out, err, cfg.env());
  EXPECT_EQ(rc, 0) << err;
  EXPECT_EQ(out.rfind("{\"resourceType\":\"Bundle\"", 0), 0u) << out.substr(0, 200);
  // Each rule with its place in the mapping file and what it became.
  EXPECT_NE(err.find("onboarding report: facility 42022"), std::string::npos) << err;
  EXPECT_NE(err.find("/DC/icd -> Condition.code.coding[0].code (required)"), std::string::npos) << err;
  EXPECT_NE(err.find("required fields missing: 0"), std::string::npos) << err;
  EXPECT_NE(err.find("resources: Condition 3 Encounter 2 Observation 2 Organization 1 Patient 2"), std::string::npos)
      << err;
  write_fhir_output("cli-translate-mapped-42022", out);
}

TEST(cli, translate_uses_the_facilitys_configured_adapter) {
  shipped_config cfg;
  std::string out, err;
  int rc = translate("--facility 42020 --config " GW_SOURCE_DIR "/config/gateway.yaml " GW_SOURCE_DIR
                     "/tests/samples/cv365/hosobenhan-42020-inpatient.json",
                     out, err, cfg.env());
  EXPECT_EQ(rc, 0) << err;
  EXPECT_NE(out.find("\"Encounter\""), std::string::npos) << out.substr(0, 200);
  write_fhir_output("cli-translate-cv365-42020", out);
}

TEST(cli, check_config_names_a_mapping_mistake_with_file_line_and_key) {
  // A copy of the shipped configuration whose 42022 mapping targets an element FHIR does not have.
  temp_dir d("cfg");
  shipped_config cfg;
  int rc = run_command("cp -r " GW_SOURCE_DIR "/config/. " + d.path().string());
  ASSERT_EQ(rc, 0);
  auto mapping = read_file(d / "mappings/42022.yaml");
  const std::string rule = "{source: /name, target: code.text}";
  auto at = mapping.find(rule);
  ASSERT_NE(at, std::string::npos);
  mapping.replace(at, rule.size(), "{source: /name, target: code.txet}");
  write_file(d / "mappings/42022.yaml", mapping);
  auto out = run_capture(cfg.env() + GW_GATEWAY_BIN " check-config " + (d / "gateway.yaml").string(), rc);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("42022.yaml:91: "), std::string::npos) << out;
  EXPECT_NE(out.find("unknown FHIR element"), std::string::npos) << out;
}

/// A copy of the shipped configuration whose 42022 mapping has `from` replaced by `to`.
struct edited_config {
  temp_dir dir{"cfg"};
  shipped_config cfg;
  edited_config(const std::string& from, const std::string& to) {
    EXPECT_EQ(run_command("cp -r " GW_SOURCE_DIR "/config/. " + dir.path().string()), 0);
    auto mapping = read_file(dir / "mappings/42022.yaml");
    auto at = mapping.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) mapping.replace(at, from.size(), to);
    write_file(dir / "mappings/42022.yaml", mapping);
  }
};

TEST(cli, check_config_names_an_unknown_header_name_with_file_line_and_key) {
  // The visit line's columns named by a header line in the mapping; one name is not in it.
  edited_config e("      width: 12\n      columns: {type: 1, visit: 2, cccd: 3,",
                  "      header_line: \"LOAI|MA_LK|SO_CCCD|MA_BN|HO_TEN|NGAY_SINH|GIOI_TINH|DIA_CHI|DIEN_THOAI|VAO|RA|"
                  "LOAI_KCB\"\n      columns: {type: LOAI, visit: MA_LK, cccd: SO_CCD,");
  int rc = -1;
  auto out = run_capture(e.cfg.env() + GW_GATEWAY_BIN " check-config " + (e.dir / "gateway.yaml").string(), rc);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("42022.yaml:17: delimited.record_types.V.columns.cccd: unknown header name 'SO_CCD'"),
            std::string::npos)
      << out;
}

TEST(cli, translate_reads_a_windows_1258_export_as_its_mapping_declares) {
  // The same export in Windows-1258 (tones as combining marks) gives the Bundle of the UTF-8 one.
  edited_config e("encoding: utf-8", "encoding: windows-1258");
  std::string want, out, err;
  ASSERT_EQ(translate("--facility 42022 --config " GW_SOURCE_DIR "/config/gateway.yaml " GW_SOURCE_DIR
                      "/tests/samples/mapped/42022/export-20261123.txt",
                      want, err, e.cfg.env()),
            0)
      << err;
  int rc = translate("--facility 42022 --config " + (e.dir / "gateway.yaml").string() +
                         " " GW_SOURCE_DIR "/tests/samples/mapped/42022/export-20261123.cp1258.txt",
                     out, err, e.cfg.env());
  EXPECT_EQ(rc, 0) << err;
  EXPECT_EQ(out, want);
  write_fhir_output("cli-translate-mapped-42022-cp1258", out);
  // Declared UTF-8, the Windows-1258 file is refused with the places of its bytes.
  rc = translate("--facility 42022 --config " GW_SOURCE_DIR "/config/gateway.yaml " GW_SOURCE_DIR
                 "/tests/samples/mapped/42022/export-20261123.cp1258.txt",
                 out, err, e.cfg.env());
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("line 1 column 5"), std::string::npos) << err;
}

TEST(cli, translate_reports_errors_with_their_location_and_exits_1) {
  std::string out, err;
  int rc = translate("--format hl7v2 " GW_SHARED_DIR "/samples/hl7v2/malformed-missing-msh9-42001.hl7", out, err);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("MSH^1^9"), std::string::npos) << err;
}

TEST(cli, translate_without_a_format_explains_its_usage) {
  std::string out, err;
  EXPECT_EQ(translate("somefile", out, err), 2);
  EXPECT_NE(err.find("usage: emr-gateway translate"), std::string::npos) << err;
}

}  // namespace
}  // namespace gw::test
