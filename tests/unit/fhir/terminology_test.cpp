#include "fhir/terminology.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace gw::fhir {
namespace {
std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
terminology load_config() {
  terminology t;
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(GW_SOURCE_DIR) / "config/codemaps")) {
    if (e.path().extension() != ".tsv") continue;
    issue_list issues;
    EXPECT_TRUE(t.add(e.path().stem().string(), read(e.path()), issues)) << e.path();
    EXPECT_TRUE(issues.empty()) << e.path() << ": "
                                << (issues.empty() ? "" : issues[0].location + " " + issues[0].message);
    ++n;
  }
  EXPECT_GE(n, 8u);
  return t;
}
}  // namespace

TEST(terminology, config_code_maps_load) {
  terminology t = load_config();
  ASSERT_NE(t.map("gender"), nullptr);
  EXPECT_EQ(t.lookup("gender", "2")->target_code, "female");
  EXPECT_EQ(t.lookup("hl7-gender", "F")->target_code, "female");
  EXPECT_EQ(t.lookup("icd10", "J18.9")->display, "Pneumonia, unspecified");
  EXPECT_EQ(t.lookup("icd10", "I10")->display, "Essential (primary) hypertension");
  EXPECT_EQ(t.lookup("lab-loinc", "HGB")->target_code, "718-7");
  EXPECT_EQ(t.lookup("ma-loai-rv", "1")->target_code, "home");
  EXPECT_EQ(t.lookup("ket-qua-dtri", "1")->target_code, "resolved");
  EXPECT_TRUE(t.lookup("ket-qua-dtri", "5")->target_code.empty());
}

TEST(terminology, validity_dates_select_rows) {
  terminology t = load_config();
  EXPECT_NE(t.lookup("ma-loai-kcb", "3", "2020-05-01"), nullptr);
  EXPECT_EQ(t.lookup("ma-loai-kcb", "3", "2025-01-01"), nullptr);  // 4210 code, gone after 2024-06-30
  EXPECT_EQ(t.lookup("ma-loai-kcb", "03", "2025-01-01T08:00:00+07:00")->target_code, "IMP");
  EXPECT_EQ(t.lookup("ma-loai-kcb", "14", "2026-07-31"), nullptr);
  EXPECT_EQ(t.lookup("ma-loai-kcb", "14", "2026-08-01")->target_code, "VR");
  EXPECT_EQ(t.lookup("ket-qua-dtri", "8", "2023-06-01"), nullptr);
}

TEST(terminology, concept_keeps_local_code_and_never_invents) {
  terminology t = load_config();
  issue_list issues;
  CodeableConcept c = t.to_concept("lab-loinc", "HGB", "Huyết sắc tố", "", "OBX[3].3", issues);
  ASSERT_EQ(c.coding.size(), 2u);
  EXPECT_EQ(c.coding[0].system, "urn:vn:cskcb:42001:lab");
  EXPECT_EQ(c.coding[1].system, "http://loinc.org");
  EXPECT_EQ(c.coding[1].code, "718-7");
  EXPECT_EQ(c.text, "Huyết sắc tố");
  EXPECT_TRUE(issues.empty());

  CodeableConcept u =
      t.to_concept("lab-loinc", "XYZ", "Xét nghiệm lạ", "", "OBX[9].3", issues, "urn:vn:cskcb:42005:lab");
  ASSERT_EQ(u.coding.size(), 1u);
  EXPECT_EQ(u.coding[0].system, "urn:vn:cskcb:42005:lab");
  EXPECT_EQ(u.coding[0].code, "XYZ");
  EXPECT_EQ(u.text, "Xét nghiệm lạ");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, issue_code::code_invalid);
  EXPECT_EQ(issues[0].severity, severity::warning);
  EXPECT_EQ(issues[0].location, "OBX[9].3");

  issues.clear();
  CodeableConcept k = t.to_concept("ma-loai-kcb", "3", "", "2025-03-01", "XML1.MA_LOAI_KCB", issues);
  EXPECT_EQ(k.coding.size(), 1u);
  EXPECT_EQ(issues.size(), 1u);
  EXPECT_EQ(hl7_code_of(issues[0]), 103);
}

TEST(terminology, bad_files_give_located_issues) {
  issue_list issues;
  EXPECT_FALSE(code_map::parse("x", "code\tdisplay\n", issues));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].location, "x:1");
  issues.clear();
  std::string tsv =
      "# c\n@system\turn:x\ncode\tdisplay\tvalid_from\tvalid_to\ttarget_system\ttarget_code\ttarget_display\n"
      "1\ta\t2024-13-01\t\t\t\t\n2\tb\n3\tc\t\t\turn:y\t\t\n";
  EXPECT_FALSE(code_map::parse("x", tsv, issues));
  ASSERT_EQ(issues.size(), 3u);
  EXPECT_EQ(issues[0].location, "x:4");
  EXPECT_EQ(issues[1].location, "x:5");
  EXPECT_EQ(issues[2].location, "x:6");
  issues.clear();
  EXPECT_FALSE(code_map::parse("x", "", issues));
  EXPECT_EQ(issues.size(), 1u);
}
}  // namespace gw::fhir
