// QĐ 130 → FHIR: the must-show facts of the sample, stable ids, pitfalls seen through the
// mapping, the facility check, dose and vital-sign parsing.
#include "adapters/qd130/translate.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fhir/ids.hpp"
#include "fhir/terminology.hpp"
#include "tests/unit/qd130/test_util.hpp"

namespace gw::qd130 {
namespace {

using fhir::issue_code;
using fhir::severity;
using namespace gw::qd130::test;

template <class T>
std::vector<const T*> all(const fhir::Bundle& b) {
  std::vector<const T*> out;
  for (const auto& e : b.entry)
    if (const T* r = e.resource.get_if<T>()) out.push_back(r);
  return out;
}

template <class T>
const T* by_id(const fhir::Bundle& b, const std::string& id) {
  for (const T* r : all<T>(b))
    if (r->id == id) return r;
  return nullptr;
}

context sample_context() {
  context c;
  c.authenticated_facility = "42001";
  c.received = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours{4};
  c.sha256_hex = std::string(64, 'a');
  return c;
}

translation translate_sample(const std::string& body) {
  return translate(body, settings{}, sample_context());
}

const fhir::Observation* observation_with_code(const fhir::Bundle& b, std::string_view code) {
  for (const auto* o : all<fhir::Observation>(b))
    for (const auto& c : o->code.coding)
      if (c.code == code) return o;
  return nullptr;
}

std::string quantity_text(const fhir::Observation& o) {
  if (!o.value) return "(none)";
  const auto* q = std::get_if<fhir::Quantity>(&*o.value);
  if (q == nullptr || !q->value) return "(not a quantity)";
  return q->value->text() + " " + q->unit;
}

// ---------------------------------------------------------------------------------------------
// Must-show facts of the sample envelope

class Qd130Sample : public ::testing::Test {
 protected:
  void SetUp() override { t = translate_sample(sample_envelope()); }
  translation t;
};

TEST_F(Qd130Sample, TranslatesWithZeroErrorsIntoATransaction) {
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  EXPECT_EQ(t.bundle.type, "transaction");
  EXPECT_GT(t.bundle.entry.size(), 15u);
  for (const auto& e : t.bundle.entry) {
    ASSERT_TRUE(e.request.has_value());
    EXPECT_EQ(e.request->method, "PUT");
    EXPECT_EQ(e.request->url, std::string(e.resource.type_name()) + "/" + std::string(e.resource.id()));
    EXPECT_EQ(e.full_url, "urn:uuid:" + std::string(e.resource.id()));
  }
}

TEST_F(Qd130Sample, PatientIdentifiers) {
  const auto patients = all<fhir::Patient>(t.bundle);
  ASSERT_EQ(patients.size(), 1u);
  const auto& p = *patients[0];
  EXPECT_EQ(p.id, fhir::patient_id_from_cccd("042078000123"));
  const fhir::identifier_systems sys;
  bool cccd = false;
  bool card = false;
  for (const auto& i : p.identifier) {
    if (i.system == sys.national_id && i.value == "042078000123") cccd = true;
    if (i.system == sys.insurance && i.value == "GD4424299990001") {
      card = true;
      ASSERT_TRUE(i.period.has_value());
      EXPECT_EQ(i.period->start, "2026-01-01");
      EXPECT_EQ(i.period->end, "2026-12-31");
    }
  }
  EXPECT_TRUE(cccd);
  EXPECT_TRUE(card);
  ASSERT_EQ(p.name.size(), 1u);
  EXPECT_EQ(p.name[0].text, "Nguyễn Văn Thử");
  EXPECT_EQ(p.name[0].family, "Nguyễn");
  EXPECT_EQ(p.name[0].given, (std::vector<std::string>{"Văn", "Thử"}));
  EXPECT_EQ(p.gender, "male");
  EXPECT_EQ(p.birth_date, "1978-03-15");
  ASSERT_EQ(p.address.size(), 1u);
  EXPECT_EQ(p.address[0].text, "Thôn Mẫu Thử, xã Thạch Lạc, tỉnh Hà Tĩnh");
  EXPECT_EQ(p.address[0].extension.size(), 2u);  // province 42 and commune 18628; no district
}

TEST_F(Qd130Sample, CoverageOfTheCard) {
  const auto cov = all<fhir::Coverage>(t.bundle);
  ASSERT_EQ(cov.size(), 1u);
  EXPECT_EQ(cov[0]->subscriber_id, "GD4424299990001");
  ASSERT_TRUE(cov[0]->period.has_value());
  EXPECT_EQ(cov[0]->period->start, "2026-01-01");
  EXPECT_EQ(cov[0]->period->end, "2026-12-31");
  EXPECT_EQ(cov[0]->beneficiary.reference, "Patient/" + fhir::patient_id_from_cccd("042078000123"));
}

TEST_F(Qd130Sample, Encounter) {
  const auto* e = by_id<fhir::Encounter>(t.bundle, fhir::encounter_id("42001", "2611200007"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->class_.code, "IMP");
  EXPECT_EQ(e->status, "finished");
  ASSERT_TRUE(e->period.has_value());
  EXPECT_EQ(e->period->start, "2026-11-20T08:15:00+07:00");
  EXPECT_EQ(e->period->end, "2026-11-25T10:00:00+07:00");
  ASSERT_TRUE(e->priority.has_value());  // MA_DOITUONG_KCB 2 = emergency
  EXPECT_EQ(e->priority->coding.at(0).code, "EM");
  ASSERT_TRUE(e->hospitalization.has_value());
  ASSERT_TRUE(e->hospitalization->discharge_disposition.has_value());
  EXPECT_EQ(e->hospitalization->discharge_disposition->coding.at(1).code, "home");
  ASSERT_TRUE(e->service_provider.has_value());
  EXPECT_EQ(e->service_provider->reference, "Organization/" + fhir::organization_id("42001"));
  ASSERT_EQ(e->location.size(), 1u);
  EXPECT_EQ(e->location[0].location.identifier->value, "K03");
}

TEST_F(Qd130Sample, MainAndSecondaryDiagnoses) {
  const std::string enc = fhir::encounter_id("42001", "2611200007");
  const auto* main = by_id<fhir::Condition>(t.bundle, fhir::condition_id(enc, "J18.9", "principal"));
  const auto* sec = by_id<fhir::Condition>(t.bundle, fhir::condition_id(enc, "I10", "secondary"));
  ASSERT_NE(main, nullptr);
  ASSERT_NE(sec, nullptr);
  EXPECT_EQ(main->code->coding.at(0).code, "J18.9");
  EXPECT_EQ(main->code->coding.at(0).system, "http://hl7.org/fhir/sid/icd-10");
  EXPECT_EQ(main->code->text, "Viêm phổi, không đặc hiệu");
  EXPECT_EQ(sec->code->coding.at(0).code, "I10");
  EXPECT_EQ(sec->code->text, "Tăng huyết áp vô căn (nguyên phát)");
  const auto* e = by_id<fhir::Encounter>(t.bundle, enc);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->diagnosis.size(), 2u);
  EXPECT_EQ(e->diagnosis[0].condition.reference, "Condition/" + main->id);
  EXPECT_EQ(e->diagnosis[0].rank, 1);
  EXPECT_EQ(e->diagnosis[1].condition.reference, "Condition/" + sec->id);
  EXPECT_EQ(e->diagnosis[1].rank, 2);
  EXPECT_EQ(all<fhir::Condition>(t.bundle).size(), 2u);
}

TEST_F(Qd130Sample, TwoMedicationRequestsAndTheirAdministrations) {
  const auto mr = all<fhir::MedicationRequest>(t.bundle);
  ASSERT_EQ(mr.size(), 2u);
  const auto& cef = *mr[1];
  const auto& med = std::get<fhir::CodeableConcept>(*cef.medication);
  EXPECT_EQ(med.coding.at(0).code, "40.999");
  EXPECT_EQ(med.text, "Ceftriaxon 1g");
  ASSERT_EQ(cef.dosage_instruction.size(), 1u);
  const auto& d = cef.dosage_instruction[0];
  EXPECT_EQ(d.text, "1 lọ/lần * 2 lần/ngày * 1 ngày [2 lọ/ngày]");
  ASSERT_TRUE(d.timing && d.timing->repeat);
  EXPECT_EQ(d.timing->repeat->frequency, 2);
  EXPECT_EQ(d.timing->repeat->count, 2);
  ASSERT_EQ(d.dose_and_rate.size(), 1u);
  EXPECT_EQ(std::get<fhir::Quantity>(*d.dose_and_rate[0].dose).unit, "lọ");
  // Oxygen: "2 lít/phút" does not parse; the text is kept.
  EXPECT_EQ(mr[0]->dosage_instruction.at(0).text, "2 lít/phút");
  EXPECT_FALSE(mr[0]->dosage_instruction.at(0).timing.has_value());
  EXPECT_EQ(all<fhir::MedicationAdministration>(t.bundle).size(), 2u);  // NGAY_TH_YL present
}

TEST_F(Qd130Sample, LabResultsAndReports) {
  const auto* wbc = observation_with_code(t.bundle, "9999.WBC");
  ASSERT_NE(wbc, nullptr);
  EXPECT_EQ(quantity_text(*wbc), "14.2 G/L");
  EXPECT_EQ(wbc->status, "final");
  EXPECT_EQ(wbc->category.at(0).coding.at(0).code, "laboratory");
  const auto reports = all<fhir::DiagnosticReport>(t.bundle);
  ASSERT_EQ(reports.size(), 2u);
  const fhir::DiagnosticReport* xray = nullptr;
  for (const auto* r : reports)
    if (r->code.coding.at(0).code == "18.0999.9999") xray = r;
  ASSERT_NE(xray, nullptr);
  EXPECT_EQ(xray->conclusion, "Hình ảnh viêm phổi thùy dưới phải");
  EXPECT_EQ(xray->based_on.size(), 1u);
  // Lab and imaging orders become ServiceRequests; the bed-day row is not clinical.
  EXPECT_EQ(all<fhir::ServiceRequest>(t.bundle).size(), 2u);
  EXPECT_NE(find_issue(t.issues, "XML3[STT=3].MA_NHOM", issue_code::not_supported), nullptr);
}

TEST_F(Qd130Sample, VitalSignsFromCsst) {
  const auto* hr = observation_with_code(t.bundle, "8867-4");
  const auto* temp = observation_with_code(t.bundle, "8310-5");
  const auto* bp = observation_with_code(t.bundle, "85354-9");
  const auto* rr = observation_with_code(t.bundle, "9279-1");
  const auto* sp = observation_with_code(t.bundle, "59408-5");
  ASSERT_TRUE(hr && temp && bp && rr && sp);
  EXPECT_EQ(quantity_text(*hr), "96 /min");
  EXPECT_EQ(quantity_text(*temp), "38.5 Cel");
  EXPECT_EQ(quantity_text(*rr), "24 /min");
  EXPECT_EQ(quantity_text(*sp), "92 %");
  EXPECT_EQ(observation_with_code(t.bundle, "2708-6"), sp);
  ASSERT_EQ(bp->component.size(), 2u);
  EXPECT_EQ(bp->component[0].code.coding.at(0).code, "8480-6");
  EXPECT_EQ(std::get<fhir::Quantity>(*bp->component[0].value).value->text(), "130");
  EXPECT_EQ(bp->component[1].code.coding.at(0).code, "8462-4");
  EXPECT_EQ(std::get<fhir::Quantity>(*bp->component[1].value).value->text(), "80");
  EXPECT_EQ(std::get<fhir::DateTime>(*hr->effective).value, "2026-11-20T09:30:00+07:00");
  const auto* w = observation_with_code(t.bundle, "29463-7");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(quantity_text(*w), "58.50 kg");
}

TEST_F(Qd130Sample, ProvenanceAndAppointment) {
  const auto prov = all<fhir::Provenance>(t.bundle);
  ASSERT_EQ(prov.size(), 1u);
  EXPECT_EQ(prov[0]->target.size(), t.bundle.entry.size() - 1);
  EXPECT_EQ(prov[0]->recorded, "2026-11-25T11:00:00.000+07:00");
  ASSERT_EQ(prov[0]->entity.size(), 1u);
  EXPECT_EQ(prov[0]->entity[0].what.identifier->value, std::string(64, 'a'));
  const auto appts = all<fhir::Appointment>(t.bundle);  // NGAY_TAI_KHAM 20261202
  ASSERT_EQ(appts.size(), 1u);
  EXPECT_EQ(appts[0]->status, "proposed");
}

// ---------------------------------------------------------------------------------------------
// Stable ids and idempotency

TEST(Qd130Translate, SameIdsWhateverTheInputShapeAndOnReplay) {
  const auto a = translate_sample(sample_envelope());
  const auto b = translate_sample("fileHSBase64=" + url_encode(base64(sample_envelope())));
  const auto c = translate_sample(sample_envelope());
  ASSERT_EQ(a.bundle.entry.size(), b.bundle.entry.size());
  ASSERT_EQ(a.bundle.entry.size(), c.bundle.entry.size());
  for (std::size_t i = 0; i < a.bundle.entry.size(); ++i) {
    EXPECT_EQ(a.bundle.entry[i].full_url, b.bundle.entry[i].full_url);
    EXPECT_EQ(a.bundle.entry[i].full_url, c.bundle.entry[i].full_url);
  }
}

TEST(Qd130Translate, ForeignFacilityIsForbidden) {
  context ctx = sample_context();
  ctx.authenticated_facility = "42002";
  const auto t = translate(sample_envelope(), settings{}, ctx);
  const auto* i = find_issue(t.issues, "XML1[STT=1].MA_CSKCB", issue_code::forbidden);
  ASSERT_NE(i, nullptr) << describe(t.issues);
  EXPECT_EQ(i->severity, severity::error);
  EXPECT_TRUE(t.bundle.entry.empty());
}

TEST(Qd130Translate, UnmappedTablesAreReported) {
  const std::string xml6 =
      "<CHI_TIEU_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS><DSACH_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_"
      "TRI_HIV_AIDS><HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS><MA_LK>2611200007</MA_LK>"
      "</HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS></DSACH_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_"
      "HIV_AIDS></CHI_TIEU_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS>";
  const auto t = translate_sample(make_envelope({{"XML1", sample_table(1)}, {"XML6", xml6}}));
  const auto* i = find_issue(t.issues, "XML6", issue_code::not_supported);
  ASSERT_NE(i, nullptr) << describe(t.issues);
  EXPECT_EQ(i->severity, severity::information);
}

TEST(Qd130Translate, InnerDocumentWithoutXml1MapsNothing) {
  const auto t = translate_sample(sample_table(4));
  EXPECT_TRUE(t.bundle.entry.empty());
  EXPECT_NE(find_issue(t.issues, "XML1", issue_code::required), nullptr) << describe(t.issues);
}

TEST(Qd130Translate, PapersBecomeDocumentsAndFollowUpAnAppointment) {
  const std::string xml7 =
      "<CHI_TIEU_DU_LIEU_GIAY_RA_VIEN><MA_LK>2611200007</MA_LK><SO_LUU_TRU>LT-1</SO_LUU_TRU>"
      "<CHAN_DOAN_RV><![CDATA[Viêm phổi]]></CHAN_DOAN_RV><PP_DIEUTRI>Kháng sinh</PP_DIEUTRI>"
      "<MA_BS>000999/HT-CCHN</MA_BS><NGAY_RA>202611251000</NGAY_RA></CHI_TIEU_DU_LIEU_GIAY_RA_VIEN>";
  const std::string xml14 =
      "<CHI_TIEU_GIAYHEN_KHAMLAI><MA_LK>2611200007</MA_LK><SO_GIAYHEN_KL>HK-1</SO_GIAYHEN_KL>"
      "<MA_CSKCB>42001</MA_CSKCB><NGAY_HEN_KL>202612020800</NGAY_HEN_KL></CHI_TIEU_GIAYHEN_KHAMLAI>";
  const auto t = translate_sample(make_envelope({{"XML1", sample_table(1)}, {"XML7", xml7}, {"XML14", xml14}}));
  const auto docs = all<fhir::DocumentReference>(t.bundle);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]->type->coding.at(0).code, "18842-5");
  EXPECT_EQ(docs[0]->author.size(), 1u);
  EXPECT_EQ(docs[0]->date, "2026-11-25T10:00:00+07:00");
  const auto appts = all<fhir::Appointment>(t.bundle);
  ASSERT_EQ(appts.size(), 1u);  // XML14 replaces XML1 NGAY_TAI_KHAM
  EXPECT_EQ(appts[0]->status, "booked");
  EXPECT_EQ(appts[0]->start, "2026-12-02T08:00:00+07:00");
}

TEST(Qd130Translate, CodeMapsAddLoincAndIcd10DisplaysWhereTheyHaveThem) {
  fhir::terminology term;
  fhir::issue_list load_issues;
  for (const char* name : {"lab-loinc", "icd10"})
    ASSERT_TRUE(
        term.add(name, read_file(std::string(GW_SOURCE_DIR) + "/config/codemaps/" + name + ".tsv"), load_issues))
        << describe(load_issues);
  settings s;
  s.terminology = &term;
  const auto t = translate(sample_envelope(), s, sample_context());
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* wbc = observation_with_code(t.bundle, "9999.WBC");
  ASSERT_NE(wbc, nullptr);
  ASSERT_EQ(wbc->code.coding.size(), 2u);
  EXPECT_EQ(wbc->code.coding[1].system, "http://loinc.org");
  EXPECT_EQ(wbc->code.coding[1].code, "6690-2");
  const std::string enc = fhir::encounter_id("42001", "2611200007");
  const auto* j18 = by_id<fhir::Condition>(t.bundle, fhir::condition_id(enc, "J18.9", "principal"));
  ASSERT_NE(j18, nullptr);
  EXPECT_FALSE(j18->code->coding.at(0).display.empty());
  // Without maps: no LOINC, no display (nothing invented).
  const auto plain = translate_sample(sample_envelope());
  EXPECT_EQ(observation_with_code(plain.bundle, "9999.WBC")->code.coding.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Pitfalls seen through the mapping

TEST(Qd130TranslatePitfalls, NfdNameBecomesNfc) {
  const std::string nfd = "Nguye\xCC\x82\xCC\x83n  Va\xCC\x86n Thu\xCC\x9B\xCC\x89";
  const auto t = translate_sample(envelope_with_xml1(set_element(sample_table(1), "HO_TEN", nfd)));
  const auto p = all<fhir::Patient>(t.bundle);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0]->name.at(0).text, "Nguyễn Văn Thử");
  EXPECT_EQ(p[0]->name.at(0).family, "Nguyễn");
}

TEST(Qd130TranslatePitfalls, UnknownBirthDatePartsGivePartialDates) {
  auto t = translate_sample(envelope_with_xml1(set_element(sample_table(1), "NGAY_SINH", "197800000000")));
  EXPECT_EQ(all<fhir::Patient>(t.bundle).at(0)->birth_date, "1978");
  t = translate_sample(envelope_with_xml1(set_element(sample_table(1), "NGAY_SINH", "197803000000")));
  EXPECT_EQ(all<fhir::Patient>(t.bundle).at(0)->birth_date, "1978-03");
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
}

TEST(Qd130TranslatePitfalls, ShortEncounterTypeCodeIsPadded) {
  const auto t = translate_sample(envelope_with_xml1(set_element(sample_table(1), "MA_LOAI_KCB", "3")));
  const auto e = all<fhir::Encounter>(t.bundle);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0]->class_.code, "IMP");
  EXPECT_EQ(e[0]->type.at(0).coding.at(0).code, "03");
}

TEST(Qd130TranslatePitfalls, CardListWithValidityPeriods) {
  std::string x1 = set_element(sample_table(1), "MA_THE_BHYT", "GD4424299990001;GD4424299990002");
  x1 = set_element(x1, "GT_THE_TU", "20260101;20261122");
  x1 = set_element(x1, "GT_THE_DEN", "20261121;20271231");
  const auto t = translate_sample(envelope_with_xml1(x1));
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  EXPECT_EQ(all<fhir::Coverage>(t.bundle).size(), 2u);
  const auto& p = *all<fhir::Patient>(t.bundle).at(0);
  int cards = 0;
  for (const auto& i : p.identifier)
    if (i.value == "GD4424299990002") {
      ++cards;
      EXPECT_EQ(i.period->start, "2026-11-22");
      EXPECT_EQ(i.period->end, "2027-12-31");
    }
  EXPECT_EQ(cards, 1);
}

TEST(Qd130TranslatePitfalls, PassportAndNoCccdGiveFacilityScopedPatient) {
  const auto t = translate_sample(envelope_with_xml1(set_element(sample_table(1), "SO_CCCD", "B1234567")));
  const auto& p = *all<fhir::Patient>(t.bundle).at(0);
  EXPECT_EQ(p.id, fhir::facility_patient_id("42001", "BN0042001234"));
  EXPECT_EQ(p.identifier.at(0).system, fhir::identifier_systems{}.passport);
}

TEST(Qd130TranslatePitfalls, LegacyQd4210Archive) {
  context ctx = sample_context();
  ctx.authenticated_facility = "42006";
  const auto t = translate(test_data("qd4210-outpatient-hypertension.xml"), settings{}, ctx);
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  EXPECT_EQ(t.version, schema_version::qd4210);
  const auto& p = *all<fhir::Patient>(t.bundle).at(0);
  EXPECT_EQ(p.id, fhir::facility_patient_id("42006", "BN0042006001"));  // 4210 has no CCCD
  EXPECT_EQ(p.birth_date, "1965-01-01");
  EXPECT_NE(find_issue(t.issues, "XML1[STT=1].NGAY_SINH", issue_code::informational), nullptr);
  const std::string enc = fhir::encounter_id("42006", "1703150042");
  EXPECT_NE(by_id<fhir::Condition>(t.bundle, fhir::condition_id(enc, "I10", "principal")), nullptr);
  EXPECT_NE(by_id<fhir::Condition>(t.bundle, fhir::condition_id(enc, "E11.9", "secondary")), nullptr);
  EXPECT_NE(by_id<fhir::Condition>(t.bundle, fhir::condition_id(enc, "K29.7", "secondary")), nullptr);
  const auto* e = by_id<fhir::Encounter>(t.bundle, enc);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->class_.code, "AMB");
  EXPECT_EQ(all<fhir::MedicationRequest>(t.bundle).size(), 1u);
  EXPECT_EQ(all<fhir::Coverage>(t.bundle).at(0)->subscriber_id, "HT3429999990002");
}

TEST(Qd130TranslatePitfalls, PendingLabResult) {
  const std::string x4 = set_element(set_element(sample_table(4), "GIA_TRI", ""), "NGAY_KQ", "");
  const auto t = translate_sample(make_envelope({{"XML1", sample_table(1)}, {"XML3", sample_table(3)}, {"XML4", x4}}));
  const auto* wbc = observation_with_code(t.bundle, "9999.WBC");
  ASSERT_NE(wbc, nullptr);
  EXPECT_EQ(wbc->status, "registered");
  EXPECT_FALSE(wbc->value.has_value());
  for (const auto* r : all<fhir::DiagnosticReport>(t.bundle))
    if (r->code.coding.at(0).code == "22.0999.9999") {
      EXPECT_EQ(r->status, "registered");
    }
}

TEST(Qd130TranslatePitfalls, TextResultIsAString) {
  std::string x4 = set_element(sample_table(4), "GIA_TRI", "Âm tính");
  const auto t = translate_sample(make_envelope({{"XML1", sample_table(1)}, {"XML4", x4}}));
  const auto* o = observation_with_code(t.bundle, "9999.WBC");
  ASSERT_NE(o, nullptr);
  ASSERT_TRUE(o->value.has_value());
  EXPECT_EQ(std::get<std::string>(*o->value), "Âm tính");
}

// ---------------------------------------------------------------------------------------------
// Parsers

TEST(Qd130Parsers, DosePattern) {
  dose_pattern d;
  ASSERT_TRUE(parse_dose("2 viên/lần * 2 lần/ngày * 5 ngày [4 viên/ngày]", d));
  EXPECT_EQ(d.dose, "2");
  EXPECT_EQ(d.dose_unit, "viên");
  EXPECT_EQ(d.per_day, 2);
  EXPECT_EQ(d.days, 5);
  ASSERT_TRUE(parse_dose("0.5 viên/lần*3 lần/ngày", d));
  EXPECT_EQ(d.dose, "0.5");
  EXPECT_EQ(d.days, 0);
  EXPECT_FALSE(parse_dose("2 lít/phút", d));
  EXPECT_FALSE(parse_dose("uống khi sốt", d));
  EXPECT_FALSE(parse_dose("", d));
  EXPECT_FALSE(parse_dose("1 viên/lần * x lần/ngày", d));
}

TEST(Qd130Parsers, VitalSigns) {
  fhir::issue_list issues;
  auto v = parse_vital_signs("abc CSST<M75_T37_HA120/70_NT18_HL2> def", "L", issues);
  EXPECT_TRUE(v.found);
  EXPECT_EQ(v.pulse, "75");
  EXPECT_EQ(v.temperature, "37");
  EXPECT_EQ(v.systolic, "120");
  EXPECT_EQ(v.diastolic, "70");
  EXPECT_EQ(v.respiratory_rate, "18");
  EXPECT_EQ(v.spo2, "");
  EXPECT_EQ(v.care_level, "2");
  EXPECT_TRUE(issues.empty());
  v = parse_vital_signs("CSST<Mx_HA120_ZZ9>", "L", issues);
  EXPECT_TRUE(v.found);
  EXPECT_EQ(v.pulse, "");
  EXPECT_EQ(issues.size(), 3u);
  EXPECT_FALSE(parse_vital_signs("no vitals", "L", issues).found);
  EXPECT_FALSE(parse_vital_signs("CSST<M80", "L", issues).found);
}

}  // namespace
}  // namespace gw::qd130
