#include "adapters/hl7v2/translate.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "adapters/hl7v2/ack.hpp"
#include "adapters/hl7v2/encoder.hpp"
#include "fhir/ids.hpp"
#include "fhir/json.hpp"
#include "fhir/validate.hpp"
#include "tests/support/fhir_out.hpp"
#include "tests/unit/hl7v2/test_util.hpp"

namespace gw::hl7v2 {
namespace {

using fhir::issue_code;

context test_context(std::string facility = {}) {
  context c;
  c.authenticated_facility = std::move(facility);
  using namespace std::chrono;
  c.received = sys_days{year{2026} / 11 / 20} + hours{3};
  return c;
}

std::string describe(const fhir::issue_list& issues) {
  std::string s;
  for (const auto& i : issues)
    s += std::string(fhir::to_string(i.severity)) + " " + i.location + ": " + i.message + "\n";
  return s;
}

/// Translates, checks the Bundle validates, writes it for the schema check; returns it.
translation run(const std::string& name, const std::string& bytes, std::string facility = {}) {
  translation t = translate(bytes, settings{}, test_context(std::move(facility)));
  if (!t.bundle.entry.empty()) {
    fhir::issue_list v;
    fhir::validate(t.bundle, v);
    EXPECT_FALSE(fhir::has_errors(v)) << name << "\n" << describe(v);
    write_fhir_output("hl7v2-" + name, fhir::to_json(t.bundle));
  }
  return t;
}

template <class T>
std::vector<const T*> all(const fhir::Bundle& b) {
  std::vector<const T*> out;
  for (const auto& e : b.entry)
    if (const T* r = e.resource.get_if<T>()) out.push_back(r);
  return out;
}

template <class T>
const T* first(const fhir::Bundle& b) {
  auto v = all<T>(b);
  return v.empty() ? nullptr : v.front();
}

const fhir::Observation* observation_with_code(const fhir::Bundle& b, std::string_view code) {
  for (const auto* o : all<fhir::Observation>(b))
    for (const auto& c : o->code.coding)
      if (c.code == code) return o;
  return nullptr;
}

const fhir::Condition* condition_with_code(const fhir::Bundle& b, std::string_view code) {
  for (const auto* c : all<fhir::Condition>(b))
    if (c->code)
      for (const auto& cd : c->code->coding)
        if (cd.code == code) return c;
  return nullptr;
}

std::string stem(const std::filesystem::path& p) {
  return p.stem().string();
}

/// A segment with the given fields at their HL7 positions, ended by CR.
std::string seg(std::string_view id, std::initializer_list<std::pair<int, std::string_view>> fields) {
  std::string s(id);
  int at = 0;
  for (const auto& [n, v] : fields) {
    for (; at < n; ++at) s += '|';
    s += v;
  }
  return s + "\r";
}

// ---------------------------------------------------------------------------------------------

TEST(Hl7Translate, EverySampleAnsweredAndGolden) {
  const auto golden_dir = std::filesystem::path(GW_SOURCE_DIR) / "tests/unit/hl7v2/golden";
  const bool update = std::getenv("GW_UPDATE_GOLDEN") != nullptr;
  std::size_t compared = 0;
  for (const auto& p : test::sample_files()) {
    SCOPED_TRACE(p.filename().string());
    std::string bytes = test::read_file(p);
    parse_result parsed = parse(bytes);
    std::string facility = parsed.msg ? parsed.msg->header().get(4, 1).text() : "";
    translation t = translate(parsed, settings{}, test_context(facility));
    ack_params now{std::chrono::sys_seconds{std::chrono::seconds{1'795'000'000}}, ""};
    // The outcome follows from the translation's issues, as in the gateway: only the malformed
    // sample may have errors.
    const bool malformed = stem(p).starts_with("malformed");
    EXPECT_EQ(fhir::has_errors(t.issues), malformed) << describe(t.issues);
    auto ack = acknowledge(parsed.msg ? &*parsed.msg : nullptr,
                           fhir::has_errors(t.issues) ? outcome::rejected : outcome::stored, t.issues, now);
    ASSERT_TRUE(ack.has_value());
    parse_result a = parse(*ack);
    ASSERT_TRUE(a.ok());
    const std::string code(a.msg->at(1).field(1).raw());
    if (malformed) {
      EXPECT_EQ(code, "AE");
      EXPECT_TRUE(t.bundle.entry.empty());
      continue;
    }
    EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
    EXPECT_EQ(code, stem(p).find("enhanced") != std::string::npos ? "CA" : "AA");
    ASSERT_FALSE(t.bundle.entry.empty());

    fhir::issue_list v;
    fhir::validate(t.bundle, v);
    EXPECT_FALSE(fhir::has_errors(v)) << describe(v);
    const std::string json = fhir::to_json(t.bundle);
    write_fhir_output("hl7v2-" + stem(p), json);

    const auto golden = golden_dir / (stem(p) + ".json");
    if (update) {
      std::filesystem::create_directories(golden_dir);
      std::ofstream(golden, std::ios::binary) << json << "\n";
    }
    std::string expected = test::read_file(golden);
    ASSERT_FALSE(expected.empty()) << "missing golden file " << golden;
    rapidjson::Document got_doc, want_doc;
    got_doc.Parse(json.c_str());
    want_doc.Parse(expected.c_str());
    ASSERT_FALSE(want_doc.HasParseError()) << golden;
    EXPECT_TRUE(got_doc == want_doc) << "differs from " << golden << "\n" << json;
    ++compared;
  }
  EXPECT_EQ(compared, 7u);
  // A rewritten golden file compared with itself proves nothing: the run does not count as a pass.
  if (update) GTEST_SKIP() << "GW_UPDATE_GOLDEN: golden files rewritten; review the diff, then run again without it";
}

TEST(Hl7Translate, MessageKeyIsApplicationFacilityAndControlId) {
  const auto key = [](const std::string& msh) {
    const std::string bytes = msh + "\rPID|1\r";  // the parse result's views point into it
    const parse_result r = parse(bytes);
    EXPECT_TRUE(r.msg.has_value()) << msh;
    return r.msg ? message_key(*r.msg) : std::string();
  };
  EXPECT_EQ(key("MSH|^~\\&|LIS|42001^BV^L|GW|SYT|20261120||ORU^R01|CTL-1|P|2.5"), "LIS|42001|CTL-1");
  // The same control id from another system of the same hospital is another message.
  EXPECT_EQ(key("MSH|^~\\&|PACS|42001|GW|SYT|20261120||ORU^R01|CTL-1|P|2.5"), "PACS|42001|CTL-1");
  // An application named by its OID only (HD without a namespace id).
  EXPECT_EQ(key("MSH|^~\\&|^1.2.840.1.1^ISO|42001|GW|SYT|20261120||ORU^R01|CTL-1|P|2.5"), "1.2.840.1.1|42001|CTL-1");
  EXPECT_NE(key("MSH|^~\\&|^1.2.840.1.2^ISO|42001|GW|SYT|20261120||ORU^R01|CTL-1|P|2.5"), "1.2.840.1.1|42001|CTL-1");
  // Another field separator: a '|' inside a part cannot make two triples one key.
  EXPECT_EQ(key("MSH#^~\\&#A|B#C#GW#SYT#20261120##ORU^R01#CTL-1#P#2.5"), "A\\F\\B|C|CTL-1");
  EXPECT_NE(key("MSH#^~\\&#A#B|C#GW#SYT#20261120##ORU^R01#CTL-1#P#2.5"), "A\\F\\B|C|CTL-1");
}

TEST(Hl7Translate, AdmitFacts) {
  translation t = run("fact-a01", test::sample("adt-a01-admit-42001.hl7"), "42001");
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  EXPECT_EQ(t.message_key, "HIS|42001|42001-ADT-0000001");
  EXPECT_EQ(t.message_type, "ADT^A01");
  EXPECT_EQ(t.bundle.type, "transaction");

  const auto* p = first<fhir::Patient>(t.bundle);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, fhir::patient_id_from_cccd("042078000123"));
  bool cccd = false;
  for (const auto& i : p->identifier)
    if (i.value == "042078000123") {
      cccd = true;
      EXPECT_EQ(i.system, fhir::identifier_systems{}.national_id);
      ASSERT_TRUE(i.type.has_value());
      EXPECT_EQ(i.type->coding.at(0).code, "NI");
    }
  EXPECT_TRUE(cccd);
  EXPECT_EQ(p->name.at(0).family, "Nguyễn");
  EXPECT_EQ(p->birth_date, "1978-03-15");
  EXPECT_EQ(p->gender, "male");

  const auto* e = first<fhir::Encounter>(t.bundle);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->id, fhir::encounter_id("42001", "2611200007"));
  EXPECT_EQ(e->class_.code, "IMP");
  EXPECT_EQ(e->class_.system, "http://terminology.hl7.org/CodeSystem/v3-ActCode");
  EXPECT_EQ(e->status, "in-progress");
  EXPECT_EQ(e->diagnosis.size(), 2u);

  const auto* j189 = condition_with_code(t.bundle, "J18.9");
  const auto* i10 = condition_with_code(t.bundle, "I10");
  ASSERT_NE(j189, nullptr);
  ASSERT_NE(i10, nullptr);
  EXPECT_EQ(j189->id, fhir::condition_id(e->id, "J18.9", "principal"));
  EXPECT_EQ(i10->id, fhir::condition_id(e->id, "I10", "secondary"));
  EXPECT_EQ(j189->code->coding.at(0).system, "http://hl7.org/fhir/sid/icd-10");

  const auto* temp = observation_with_code(t.bundle, "8310-5");
  ASSERT_NE(temp, nullptr);
  EXPECT_EQ(temp->interpretation.at(0).coding.at(0).code, "H");
  EXPECT_EQ(all<fhir::AllergyIntolerance>(t.bundle).size(), 1u);
  EXPECT_EQ(all<fhir::RelatedPerson>(t.bundle).size(), 1u);
  EXPECT_EQ(all<fhir::Coverage>(t.bundle).size(), 1u);
  EXPECT_EQ(first<fhir::Coverage>(t.bundle)->id, fhir::stable_id("Coverage", "bhyt", "GD4424299990001"));
}

TEST(Hl7Translate, DischargeFinishesTheSameEncounter) {
  translation a01 = run("fact-a01b", test::sample("adt-a01-admit-42001.hl7"));
  translation a03 = run("fact-a03", test::sample("adt-a03-discharge-42001.hl7"));
  const auto* e1 = first<fhir::Encounter>(a01.bundle);
  const auto* e3 = first<fhir::Encounter>(a03.bundle);
  ASSERT_NE(e1, nullptr);
  ASSERT_NE(e3, nullptr);
  EXPECT_EQ(e1->id, e3->id);
  EXPECT_EQ(e3->status, "finished");
  ASSERT_TRUE(e3->period.has_value());
  EXPECT_EQ(e3->period->end, "2026-11-25T10:00:00+07:00");
  EXPECT_EQ(condition_with_code(a01.bundle, "J18.9")->id, condition_with_code(a03.bundle, "J18.9")->id);
  EXPECT_EQ(condition_with_code(a03.bundle, "J18.9")->verification_status->coding.at(0).code, "confirmed");
}

TEST(Hl7Translate, LabResultFacts) {
  translation t = run("fact-oru-cbc", test::sample("oru-r01-cbc-42001.hl7"), "42001");
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* dr = first<fhir::DiagnosticReport>(t.bundle);
  ASSERT_NE(dr, nullptr);
  EXPECT_EQ(dr->result.size(), 4u);
  EXPECT_EQ(dr->status, "final");
  ASSERT_TRUE(dr->encounter.has_value());
  EXPECT_EQ(dr->encounter->reference, "Encounter/" + fhir::encounter_id("42001", "2611200007"));

  const auto* wbc = observation_with_code(t.bundle, "6690-2");
  ASSERT_NE(wbc, nullptr);
  ASSERT_EQ(wbc->code.coding.size(), 2u);  // LOINC and the local code
  EXPECT_EQ(wbc->code.coding[1].code, "WBC");
  const auto* q = std::get_if<fhir::Quantity>(&*wbc->value);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->value->text(), "14.2");
  EXPECT_EQ(q->system, "http://unitsofmeasure.org");
  EXPECT_EQ(q->code, "10*9/L");
  ASSERT_EQ(wbc->reference_range.size(), 1u);
  EXPECT_EQ(wbc->reference_range[0].low->value->text(), "4.0");
  EXPECT_EQ(wbc->reference_range[0].high->value->text(), "10.0");
  ASSERT_EQ(wbc->interpretation.size(), 1u);
  EXPECT_EQ(wbc->interpretation[0].coding.at(0).code, "H");
  EXPECT_EQ(wbc->interpretation[0].coding.at(0).system,
            "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation");

  const auto* plt = observation_with_code(t.bundle, "777-3");
  ASSERT_NE(plt, nullptr);
  ASSERT_EQ(plt->note.size(), 1u);
  EXPECT_NE(plt->note[0].text.find("09:15"), std::string::npos);
}

TEST(Hl7Translate, ReportTextIsDecoded) {
  translation t = run("fact-oru-xray", test::sample("oru-r01-xray-report-42001.hl7"), "42001");
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* o = observation_with_code(t.bundle, "18782-3");
  ASSERT_NE(o, nullptr);
  const auto* s = std::get_if<std::string>(&*o->value);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(*s,
            "Hình ảnh mờ đáy phổi phải.\nKhông thấy tràn dịch màng phổi.\nBóng tim không to "
            "(chỉ số tim/lồng ngực 0&48).");
  EXPECT_EQ(o->category.at(0).coding.at(0).code, "imaging");
  const auto* dr = first<fhir::DiagnosticReport>(t.bundle);
  ASSERT_NE(dr, nullptr);
  EXPECT_EQ(dr->category.at(0).coding.at(0).code, "RAD");
  EXPECT_EQ(dr->result.size(), 2u);
}

TEST(Hl7Translate, MergeLinksBothWays) {
  translation t = run("fact-a40", test::sample("adt-a40-merge-42007.hl7"), "42007");
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  auto patients = all<fhir::Patient>(t.bundle);
  ASSERT_EQ(patients.size(), 2u);
  const auto survivor_id = fhir::patient_id_from_cccd("042185000777");
  const auto old_id = fhir::facility_patient_id("42007", "HK0000555");
  const fhir::Patient* survivor = patients[0]->id == survivor_id ? patients[0] : patients[1];
  const fhir::Patient* old = patients[0]->id == old_id ? patients[0] : patients[1];
  ASSERT_EQ(survivor->id, survivor_id);
  ASSERT_EQ(old->id, old_id);
  ASSERT_EQ(survivor->link.size(), 1u);
  EXPECT_EQ(survivor->link[0].type, "replaces");
  EXPECT_EQ(survivor->link[0].other.reference, "Patient/" + old_id);
  ASSERT_EQ(old->link.size(), 1u);
  EXPECT_EQ(old->link[0].type, "replaced-by");
  EXPECT_EQ(old->link[0].other.reference, "Patient/" + survivor_id);
  EXPECT_EQ(old->active, false);
  // Nothing lost: the merged record number stays on the survivor as an old identifier.
  bool kept = false;
  for (const auto& i : survivor->identifier) kept = kept || (i.value == "HK0000555" && i.use == "old");
  EXPECT_TRUE(kept);
  EXPECT_EQ(first<fhir::Encounter>(t.bundle), nullptr);
}

TEST(Hl7Translate, EnhancedModeOutpatient) {
  translation t = run("fact-a04", test::sample("adt-a04-enhanced-ack-42005.hl7"), "42005");
  const auto* e = first<fhir::Encounter>(t.bundle);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->class_.code, "AMB");
  EXPECT_EQ(e->status, "arrived");
  EXPECT_EQ(e->id, fhir::encounter_id("42005", "HS-26112100301"));
}

TEST(Hl7Translate, FacilityMismatchIsForbidden) {
  translation t = translate(test::sample("adt-a01-admit-42001.hl7"), settings{}, test_context("42005"));
  EXPECT_TRUE(t.bundle.entry.empty());
  ASSERT_TRUE(fhir::has_errors(t.issues));
  EXPECT_EQ(t.issues.back().code, issue_code::forbidden);
  EXPECT_EQ(t.issues.back().location, "MSH^1^4");
  EXPECT_EQ(choose_ack_code(outcome::rejected, t.issues, ack_kind::original), ack_code::AE);
}

TEST(Hl7Translate, UnsupportedTypesAreRejectedWithCodes) {
  std::string s = "MSH|^~\\&|A|42001|C|D|2026||SIU^S12|X1|P|2.5\rPID|1||1^^^42001^PI\r";
  translation t = translate(s, settings{}, test_context());
  ASSERT_FALSE(t.issues.empty());
  EXPECT_EQ(fhir::hl7_code_of(t.issues.back()), 200);
  EXPECT_EQ(choose_ack_code(outcome::rejected, t.issues, ack_kind::original), ack_code::AR);
  s = "MSH|^~\\&|A|42001|C|D|2026||ADT^A99|X2|P|2.5\rPID|1||1^^^42001^PI\r";
  t = translate(s, settings{}, test_context());
  EXPECT_EQ(fhir::hl7_code_of(t.issues.back()), 201);
  EXPECT_EQ(t.issues.back().location, "MSH^1^9^1^2");
}

TEST(Hl7Translate, PatientWithoutCccdIsFacilityScoped) {
  std::string s =
      "MSH|^~\\&|HIS|42009|GW|SYT|202611201000+0700||ADT^A28^ADT_A05|X3|P|2.4\r"
      "PID|1||MR-77^^^42009^MR||Le^Van B||20000101|M\r";
  translation t = run("no-cccd", s);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* p = first<fhir::Patient>(t.bundle);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, fhir::facility_patient_id("42009", "MR-77"));
  EXPECT_EQ(first<fhir::Encounter>(t.bundle), nullptr);

  s = "MSH|^~\\&|HIS|42009|GW|SYT|2026||ADT^A31|X4|P|2.5\rPID|1||X^^^Z^XX\r";
  t = translate(s, settings{}, test_context());
  EXPECT_TRUE(fhir::has_errors(t.issues));
  EXPECT_TRUE(t.bundle.entry.empty());
}

TEST(Hl7Translate, NamesAreNormalisedToNfc) {
  // "Nguyễn" written decomposed (e + circumflex + tilde) comes out precomposed.
  std::string s =
      "MSH|^~\\&|HIS|42009|GW|SYT|2026||ADT^A31|X12|P|2.5\r"
      "PID|1||MR-1^^^42009^MR||Nguye\xCC\x82\xCC\x83n^Va\xCC\x86n\r";
  translation t = run("nfd-name", s);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* p = first<fhir::Patient>(t.bundle);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name.at(0).family, "Nguy\xE1\xBB\x85n");
  EXPECT_EQ(p->name.at(0).given.at(0), "V\xC4\x83n");
}

TEST(Hl7Translate, TransferAndCancel) {
  std::string base =
      "MSH|^~\\&|HIS|42001|GW|SYT|202611211000+0700||ADT^{T}|X5|P|2.5.1\r"
      "EVN|{T}|202611211000+0700\r"
      "PID|1||042078000123^^^BCA^NI\r" +
      seg("PV1",
          {{1, "1"}, {2, "I"}, {3, "K05^P1^G1^42001"}, {6, "K03^P305^G12^42001"}, {19, "2611200007^^^42001^VN"}});
  std::string a02 = base;
  for (auto p = a02.find("{T}"); p != std::string::npos; p = a02.find("{T}")) a02.replace(p, 3, "A02");
  translation t = run("a02", a02);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  ASSERT_NE(first<fhir::Encounter>(t.bundle), nullptr);
  EXPECT_EQ(first<fhir::Encounter>(t.bundle)->status, "in-progress");

  std::string a11 = base;
  for (auto p = a11.find("{T}"); p != std::string::npos; p = a11.find("{T}")) a11.replace(p, 3, "A11");
  t = run("a11", a11);
  ASSERT_NE(first<fhir::Encounter>(t.bundle), nullptr);
  EXPECT_EQ(first<fhir::Encounter>(t.bundle)->status, "cancelled");
}

TEST(Hl7Translate, InsuranceSegment) {
  std::string s =
      "MSH|^~\\&|HIS|42001|GW|SYT|2026||ADT^A08|X6|P|2.5\r"
      "PID|1||042078000123^^^BCA^NI\r" +
      seg("PV1", {{1, "1"}, {2, "O"}, {3, "K01"}, {19, "HS-1^^^42001"}}) +
      seg("IN1", {{1, "1"},
                  {2, "BHYT"},
                  {3, "BHXH"},
                  {4, "Bao hiem xa hoi"},
                  {12, "20260101"},
                  {13, "20261231"},
                  {17, "SEL"},
                  {36, "HC4420000012345"}});
  translation t = run("in1", s);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* c = first<fhir::Coverage>(t.bundle);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->id, fhir::stable_id("Coverage", "bhyt", "HC4420000012345"));
  ASSERT_TRUE(c->period.has_value());
  EXPECT_EQ(c->period->start, "2026-01-01");
  ASSERT_TRUE(c->relationship.has_value());
  EXPECT_EQ(c->relationship->coding.at(0).code, "self");
}

TEST(Hl7Translate, OrdersBecomeServiceRequests) {
  std::string s =
      "MSH|^~\\&|HIS|42001|LIS|42001|202611201000+0700||ORM^O01^ORM_O01|X7|P|2.3\r"
      "PID|1||042078000123^^^BCA^NI\r" +
      seg("PV1", {{1, "1"}, {2, "I"}, {3, "K03"}, {19, "2611200007^^^42001"}}) +
      seg("ORC", {{1, "NW"}, {2, "ORD-1^HIS"}, {9, "202611200900+0700"}, {12, "000999/HT-CCHN^Le^Van A"}}) +
      seg("OBR", {{1, "1"}, {2, "ORD-1^HIS"}, {4, "58410-2^CBC panel^LN"}, {31, "J18.9^Pneumonia^I10"}}) +
      "NTE|1||Fasting\r"
      "ORC|CA|ORD-2^HIS\r"
      "OBR|1|ORD-2^HIS||24323-8^CMP^LN\r";
  translation t = run("orm", s);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  auto srs = all<fhir::ServiceRequest>(t.bundle);
  ASSERT_EQ(srs.size(), 2u);
  EXPECT_EQ(srs[0]->status, "active");
  EXPECT_EQ(srs[0]->intent, "order");
  EXPECT_EQ(srs[0]->authored_on, "2026-11-20T09:00:00+07:00");
  ASSERT_TRUE(srs[0]->requester.has_value());
  EXPECT_EQ(srs[0]->requester->identifier->value, "000999/HT-CCHN");
  ASSERT_EQ(srs[0]->note.size(), 1u);
  EXPECT_EQ(srs[0]->reason_code.at(0).coding.at(0).code, "J18.9");
  EXPECT_EQ(srs[1]->status, "revoked");
  EXPECT_EQ(first<fhir::DiagnosticReport>(t.bundle), nullptr);

  std::string oml = s;
  oml.replace(oml.find("ORM^O01^ORM_O01"), 15, "OML^O21^OML_O21");
  t = run("oml", oml);
  EXPECT_EQ(all<fhir::ServiceRequest>(t.bundle).size(), 2u);
}

TEST(Hl7Translate, PharmacyOrderBecomesMedicationRequest) {
  std::string s =
      "MSH|^~\\&|HIS|42001|PHA|42001|202611201000+0700||RDE^O11^RDE_O11|X8|P|2.5.1\r"
      "PID|1||042078000123^^^BCA^NI\r" +
      seg("PV1", {{1, "1"}, {2, "I"}, {3, "K03"}, {19, "2611200007^^^42001"}}) +
      seg("ORC", {{1, "NW"}, {2, "RX-1^HIS"}, {9, "202611200930+0700"}, {12, "000999/HT-CCHN^Le^Van A"}}) +
      seg("TQ1", {{1, "1"}, {3, "BID^Twice a day^HL70335"}, {7, "202611200930+0700"}, {8, "202611270930+0700"}}) +
      "RXE||40.17^Amoxicillin 500mg^local|500||mg^mg^UCUM||^Uong sau an|||14|TAB^tablet^local|0\r"
      "RXR|PO^Oral^HL70162\r"
      "NTE|1||Uong nhieu nuoc\r";
  translation t = run("rde", s);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* mr = first<fhir::MedicationRequest>(t.bundle);
  ASSERT_NE(mr, nullptr);
  EXPECT_EQ(mr->status, "active");
  const auto* med = std::get_if<fhir::CodeableConcept>(&*mr->medication);
  ASSERT_NE(med, nullptr);
  EXPECT_EQ(med->coding.at(0).code, "40.17");
  ASSERT_EQ(mr->dosage_instruction.size(), 1u);
  const auto& d = mr->dosage_instruction[0];
  EXPECT_EQ(d.text, "Uong sau an");
  EXPECT_EQ(d.route->coding.at(0).code, "PO");
  EXPECT_EQ(d.timing->code->coding.at(0).code, "BID");
  const auto* dose = std::get_if<fhir::Quantity>(&*d.dose_and_rate.at(0).dose);
  ASSERT_NE(dose, nullptr);
  EXPECT_EQ(dose->value->text(), "500");
  EXPECT_EQ(mr->dispense_request->quantity->value->text(), "14");
  EXPECT_EQ(mr->note.size(), 1u);
}

TEST(Hl7Translate, DocumentsTextAndBase64) {
  std::string s =
      "MSH|^~\\&|EMR|42001|GW|SYT|202611251000+0700||MDM^T02^MDM_T02|X9|P|2.6\r"
      "EVN|T02|202611251000+0700\r"
      "PID|1||042078000123^^^BCA^NI\r" +
      seg("PV1", {{1, "1"}, {2, "I"}, {3, "K03"}, {19, "2611200007^^^42001"}}) +
      seg("TXA", {{1, "1"},
                  {2, "DS^Discharge summary^HL70270"},
                  {3, "TX"},
                  {4, "202611251000+0700"},
                  {5, "000999/HT-CCHN^Le^Van A"},
                  {12, "DOC-1^EMR"},
                  {17, "AU"}}) +
      "OBX|1|TX|18842-5^Discharge summary^LN||Ra vien\\.br\\On dinh||||||F\r"
      "OBX|2|ED|18842-5^Discharge summary^LN||EMR^application^pdf^Base64^JVBERi0xLjQK||||||F\r";
  translation t = run("mdm", s);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* d = first<fhir::DocumentReference>(t.bundle);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->status, "current");
  EXPECT_EQ(d->doc_status, "final");
  EXPECT_EQ(d->master_identifier->value, "DOC-1");
  ASSERT_EQ(d->content.size(), 2u);
  EXPECT_EQ(d->content[0].attachment.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(d->content[0].attachment.data, "UmEgdmllbgpPbiBkaW5o");  // "Ra vien\nOn dinh"
  EXPECT_EQ(d->content[1].attachment.content_type, "application/pdf");
  EXPECT_EQ(d->content[1].attachment.data, "JVBERi0xLjQK");
  EXPECT_EQ(d->date, "2026-11-25T10:00:00+07:00");

  std::string bad = s;
  bad.replace(bad.find("JVBERi0xLjQK"), 12, "not*base64");
  t = translate(bad, settings{}, test_context());
  EXPECT_TRUE(fhir::has_errors(t.issues));
}

TEST(Hl7Translate, VaccinationBecomesImmunization) {
  std::string s =
      "MSH|^~\\&|EPI|42001|GW|SYT|202611201000+0700||VXU^V04^VXU_V04|X10|P|2.5.1\r"
      "PID|1||042078000123^^^BCA^NI\r"
      "ORC|RE||IMM-9^EPI\r" +
      seg("RXA", {{1, "0"},
                  {2, "1"},
                  {3, "20261120093000+0700"},
                  {5, "08^Hep B, adolescent or pediatric^CVX"},
                  {6, "0.5"},
                  {7, "mL^mL^UCUM"},
                  {9, "00"},
                  {10, "000999/HT-CCHN^Le^Van A"},
                  {15, "LOT-1"},
                  {16, "20271231"},
                  {17, "MSD^Merck^MVX"},
                  {20, "CP"},
                  {21, "A"}}) +
      "RXR|IM^Intramuscular^HL70162|LA^Left arm^HL70163\r";
  translation t = run("vxu", s);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  const auto* im = first<fhir::Immunization>(t.bundle);
  ASSERT_NE(im, nullptr);
  EXPECT_EQ(im->status, "completed");
  EXPECT_EQ(im->vaccine_code.coding.at(0).system, "http://hl7.org/fhir/sid/cvx");
  EXPECT_EQ(im->lot_number, "LOT-1");
  EXPECT_EQ(im->expiration_date, "2027-12-31");
  EXPECT_EQ(im->primary_source, true);
  EXPECT_EQ(im->dose_quantity->value->text(), "0.5");
  EXPECT_EQ(im->route->coding.at(0).code, "IM");
  EXPECT_EQ(im->site->coding.at(0).code, "LA");
  EXPECT_EQ(im->performer.size(), 1u);
  EXPECT_EQ(im->id, fhir::stable_id("Immunization", "42001", "IMM-9"));
}

TEST(Hl7Translate, ObservationValueTypes) {
  std::string s =
      "MSH|^~\\&|LIS|42001|GW|SYT|202611201000+0700||ORU^R01|X11|P|2.5.1\r"
      "PID|1||042078000123^^^BCA^NI\r" +
      seg("OBR", {{1, "1"},
                  {2, "P1"},
                  {3, "F1"},
                  {4, "CHEM^Chemistry^L"},
                  {7, "202611200900+0700"},
                  {22, "202611201000+0700"},
                  {24, "CH"},
                  {25, "P"}}) +
      seg("OBX", {{1, "1"}, {2, "SN"}, {3, "1"}, {5, "<^5"}, {6, "mg/L^mg/L^UCUM"}, {7, "<10"}, {8, "N"}, {11, "F"}}) +
      seg("OBX", {{1, "2"}, {2, "SN"}, {3, "2"}, {5, "^10^-^20"}, {11, "F"}}) +
      seg("OBX", {{1, "3"}, {2, "SN"}, {3, "3"}, {5, "^1^:^128"}, {11, "F"}}) +
      seg("OBX", {{1, "4"}, {2, "CWE"}, {3, "4"}, {5, "260373001^Detected^SCT^POS^Positive^L"}, {8, "A"}, {11, "F"}}) +
      seg("OBX", {{1, "5"}, {2, "NM"}, {3, "5"}, {5, "abc"}, {11, "F"}}) +
      seg("OBX", {{1, "6"}, {2, "DTM"}, {3, "6"}, {5, "202611200800+0700"}, {11, "F"}}) +
      seg("OBX", {{1, "7"}, {2, "ST"}, {3, "7"}, {5, "line1~line2"}, {11, "C"}}) +
      seg("OBX", {{1, "8"}, {2, "NM"}, {3, "8"}, {5, "+007.50"}, {11, "X"}});
  translation t = run("oru-types", s);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  auto obs = all<fhir::Observation>(t.bundle);
  ASSERT_EQ(obs.size(), 8u);
  const auto* q = std::get_if<fhir::Quantity>(&*obs[0]->value);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->comparator, "<");
  EXPECT_EQ(obs[0]->reference_range.at(0).high->value->text(), "10");
  EXPECT_NE(std::get_if<fhir::Range>(&*obs[1]->value), nullptr);
  EXPECT_EQ(std::get<std::string>(*obs[2]->value), "1:128");
  const auto& cc = std::get<fhir::CodeableConcept>(*obs[3]->value);
  ASSERT_EQ(cc.coding.size(), 2u);
  EXPECT_EQ(cc.coding[0].system, "http://snomed.info/sct");
  EXPECT_EQ(std::get<std::string>(*obs[4]->value), "abc");  // with a warning
  bool warned = false;
  for (const auto& i : t.issues) warned = warned || i.location == "OBX^5^5";
  EXPECT_TRUE(warned);
  EXPECT_EQ(std::get<fhir::DateTime>(*obs[5]->value).value, "2026-11-20T08:00:00+07:00");
  EXPECT_EQ(std::get<std::string>(*obs[6]->value), "line1\nline2");
  EXPECT_EQ(obs[6]->status, "corrected");
  EXPECT_EQ(std::get<fhir::Quantity>(*obs[7]->value).value->text(), "7.50");
  EXPECT_EQ(obs[7]->status, "cancelled");
  const auto* dr = first<fhir::DiagnosticReport>(t.bundle);
  EXPECT_EQ(dr->status, "preliminary");
  EXPECT_EQ(dr->result.size(), 8u);
}

TEST(Hl7Translate, ThousandsOfResultsWithIssues) {
  std::string s =
      "MSH|^~\\&|LIS|42001|GW|SYT|202611201000+0700||ORU^R01|X13|P|2.5.1\r"
      "PID|1||042078000123^^^BCA^NI\r"
      "OBR|1|P1|F1|CHEM^Chemistry^L\r";
  for (int i = 0; i < 3000; ++i)
    s += "OBX|" + std::to_string(i + 1) + "|NM|C" + std::to_string(i) + "^x^L||not-a-number||||||F\r";
  translation t = translate(s, settings{}, test_context());
  EXPECT_EQ(all<fhir::Observation>(t.bundle).size(), 3000u);
  ASSERT_GE(t.issues.size(), 3000u);
  EXPECT_EQ(t.issues.back().location, "OBX^3000^5");
  EXPECT_FALSE(fhir::has_errors(t.issues));
}

TEST(Hl7Translate, DeterministicAndIdempotent) {
  for (const auto& p : test::sample_files()) {
    std::string bytes = test::read_file(p);
    translation a = translate(bytes, settings{}, test_context());
    translation b = translate(bytes, settings{}, test_context());
    EXPECT_EQ(fhir::to_json(a.bundle), fhir::to_json(b.bundle)) << p;
    for (const auto& e : a.bundle.entry) {
      ASSERT_TRUE(e.request.has_value());
      EXPECT_EQ(e.request->method, "PUT");
      EXPECT_EQ(e.full_url, fhir::urn_uuid(e.resource.id()));
    }
  }
}

TEST(Hl7Translate, ReEncodedMessageTranslatesTheSame) {
  for (const auto& p : test::sample_files()) {
    std::string bytes = test::read_file(p);
    parse_result r = parse(bytes);
    ASSERT_TRUE(r.msg.has_value());
    std::string other = encode(*r.msg, delimiters{'#', '*', '!', '%', '$', 0}, "\n");
    EXPECT_EQ(fhir::to_json(translate(bytes, settings{}, test_context()).bundle),
              fhir::to_json(translate(other, settings{}, test_context()).bundle))
        << p;
  }
}

TEST(Hl7Translate, BadInputNeverMapsAndNeverCrashes) {
  const auto files = test::corpus_files("hl7v2_parser");
  ASSERT_GE(files.size(), 20u) << "the fuzz corpus tests/fuzz/corpus/hl7v2_parser is missing";
  for (const auto& p : files) {
    std::string bytes = test::read_file(p);
    translation t = translate(bytes, settings{}, test_context());
    if (fhir::has_errors(t.issues)) {
      // Refused input says what is wrong.
      for (const auto& is : t.issues) EXPECT_FALSE(is.message.empty()) << p;
      continue;
    }
    fhir::issue_list v;
    fhir::validate(t.bundle, v);
    EXPECT_FALSE(fhir::has_errors(v)) << p << "\n" << describe(v);
  }
}

}  // namespace
}  // namespace gw::hl7v2

namespace gw::hl7v2 {
namespace {

TEST(Hl7Translate, BadCccdShapeIsAWarningAtItsRepetition) {
  // The CCCD is in the second repetition of PID-3 with an unknown province (999): mapped, with a
  // warning located at that repetition's first component.
  std::string msg = test::sample("adt-a01-admit-42001.hl7");
  const std::string ids = "|042078000123^^^BCA&2.16.704.1.1&ISO^NI~";
  const auto at = msg.find(ids);
  ASSERT_NE(at, std::string::npos);
  msg.replace(at, ids.size(), "|BN0042009999^^^42001^PI~999078000123^^^BCA&2.16.704.1.1&ISO^NI~");
  const translation t = translate(msg, settings{}, {});
  const fhir::issue* found = nullptr;
  for (const auto& i : t.issues)
    if (i.message.find("province") != std::string::npos) found = &i;
  ASSERT_NE(found, nullptr) << describe(t.issues);
  EXPECT_EQ(found->severity, fhir::severity::warning);
  EXPECT_EQ(found->location, "PID^1^3^2^1");
}

}  // namespace
}  // namespace gw::hl7v2
