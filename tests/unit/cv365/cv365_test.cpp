// CV 365 HoSoBenhAn in JSON and XML: golden Bundles (R4-valid, the ids every adapter gives the
// same person and visit), missing groups accepted, unknown groups and fields reported.
#include <gtest/gtest.h>

#include "adapters/cv365/translate.hpp"
#include "fhir/ids.hpp"
#include "tests/unit/mapped/test_util.hpp"

namespace gw::cv365 {
namespace {

using namespace gw::mapped::test;
using fhir::severity;

mapped::translation run(const std::string& body) {
  return cv365::translate(body, settings_of("42020"), context_of("42020"));
}

template <class T>
std::size_t count_of(const fhir::Bundle& b) {
  std::size_t n = 0;
  for (const auto& e : b.entry) n += e.resource.get_if<T>() ? 1 : 0;
  return n;
}

TEST(cv365_golden, inpatient_json) {
  auto t = run(sample("cv365/hosobenhan-42020-inpatient.json"));
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  EXPECT_TRUE(t.issues.empty()) << describe(t.issues);  // every field known
  check_golden("cv365", "inpatient-json", t.bundle);
  const auto* p = t.bundle.entry[1].resource.get_if<fhir::Patient>();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, fhir::patient_id_from_cccd("042190004321"));
  EXPECT_EQ(p->gender, "female");
  const auto* e = t.bundle.entry[2].resource.get_if<fhir::Encounter>();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id, fhir::encounter_id("42020", "VV2026-004512"));
  EXPECT_EQ(count_of<fhir::Observation>(t.bundle), 8u);  // 6 vital signs + 2 lab results
  EXPECT_EQ(count_of<fhir::MedicationRequest>(t.bundle), 2u);
  EXPECT_EQ(count_of<fhir::Condition>(t.bundle), 2u);
  EXPECT_EQ(count_of<fhir::Procedure>(t.bundle), 1u);
  EXPECT_EQ(count_of<fhir::DiagnosticReport>(t.bundle), 1u);
  EXPECT_EQ(count_of<fhir::ServiceRequest>(t.bundle), 2u);
}

TEST(cv365_golden, emergency_xml_with_missing_groups) {
  auto t = run(sample("cv365/hosobenhan-42020-emergency.xml"));
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  check_golden("cv365", "emergency-xml", t.bundle);
  EXPECT_EQ(count_of<fhir::Procedure>(t.bundle), 1u);
  EXPECT_EQ(count_of<fhir::MedicationRequest>(t.bundle), 0u);  // group absent: fine
  const auto* e = t.bundle.entry[2].resource.get_if<fhir::Encounter>();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->class_.code, "EMER");
  EXPECT_EQ(e->reason_code[0].text, "Đau bụng hố chậu phải; Đau bụng cấp giờ thứ 10");
}

TEST(cv365, json_and_xml_of_the_same_record_give_the_same_bundle) {
  const std::string xml =
      "<HoSoBenhAn><ThongTinBenhNhan><cccd_so>042305007788</cccd_so><sovaovien>V1</sovaovien>"
      "<hoten>Lê Minh Khang</hoten><ngaysinh>20050607</ngaysinh><thoigianvaovien>202611201940</thoigianvaovien>"
      "</ThongTinBenhNhan><YLenhThuocVatTu><mathuoc>40.1</mathuoc><thoigianylenh>202611201950</thoigianylenh>"
      "</YLenhThuocVatTu><YLenhThuocVatTu><mathuoc>40.2</mathuoc><thoigianylenh>202611201950</thoigianylenh>"
      "</YLenhThuocVatTu></HoSoBenhAn>";
  const std::string json =
      R"({"HoSoBenhAn":{"ThongTinBenhNhan":{"cccd_so":"042305007788","sovaovien":"V1","hoten":"Lê Minh Khang",)"
      R"("ngaysinh":"20050607","thoigianvaovien":"202611201940"},"YLenhThuocVatTu":[)"
      R"({"mathuoc":"40.1","thoigianylenh":"202611201950"},{"mathuoc":"40.2","thoigianylenh":"202611201950"}]}})";
  auto a = run(xml), b = run(json);
  ASSERT_FALSE(fhir::has_errors(a.issues)) << describe(a.issues);
  EXPECT_EQ(fhir::to_json(a.bundle), fhir::to_json(b.bundle));
  EXPECT_EQ(count_of<fhir::MedicationRequest>(a.bundle), 2u);
}

TEST(cv365, unknown_groups_and_fields_are_warnings_with_their_pointer) {
  auto t = run(R"({"HoSoBenhAn":{"ThongTinBenhNhan":{"cccd_so":"042305007788","sovaovien":"V1","hoten":"A B",)"
               R"("ngaysinh":"20050607","thoigianvaovien":"202611201940","mau_da":"vàng"},"PhieuKhac":{"x":"1"}}})");
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  EXPECT_TRUE(has_issue_at(t.issues, "/HoSoBenhAn/ThongTinBenhNhan/mau_da", severity::warning)) << describe(t.issues);
  EXPECT_TRUE(has_issue_at(t.issues, "/HoSoBenhAn/PhieuKhac", severity::warning)) << describe(t.issues);
  EXPECT_EQ(t.report.unmapped.count("/PhieuKhac/x"), 0u);  // reported once, as a group
}

TEST(cv365, bad_input_is_a_clear_issue) {
  auto t = run("<HoSoBenhAn><ThongTinBenhNhan>");
  EXPECT_TRUE(fhir::has_errors(t.issues));
  auto u = run("<Other/>");
  EXPECT_TRUE(has_issue_at(u.issues, "/", severity::error)) << describe(u.issues);
  auto v = run("hello");
  EXPECT_TRUE(fhir::has_errors(v.issues));
  auto w = run(R"({"HoSoBenhAn":[1]})");
  EXPECT_TRUE(has_issue_at(w.issues, "/HoSoBenhAn/0", severity::error)) << describe(w.issues);
  auto x = run(R"({"HoSoBenhAn":{"ThongTinBenhNhan":["a"]}})");
  EXPECT_TRUE(fhir::has_errors(x.issues)) << describe(x.issues);
}

}  // namespace
}  // namespace gw::cv365
