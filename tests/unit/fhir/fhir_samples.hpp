#pragma once
// One populated, valid instance of every resource type (synthetic data), shared by the fhir
// unit tests and the fhir benchmark.

#include "fhir/ids.hpp"
#include "fhir/identifiers.hpp"
#include "fhir/model.hpp"

#include <string>
#include <vector>

namespace gw::fhir::samples {

inline const std::string facility = "42001";
inline const std::string cccd = "042078000123";
inline const std::string patient_id = patient_id_from_cccd(cccd);
inline const std::string encounter = encounter_id(facility, "2611200007");
inline const std::string org_id = organization_id(facility);
inline const std::string prac_id = practitioner_id("000998/HT-CCHN");

inline Reference ref(std::string_view type, const std::string& id) {
  return {.reference = std::string(type) + "/" + id};
}
inline CodeableConcept cc(std::string system, std::string code, std::string display, std::string text = {}) {
  return {.coding = {{.system = std::move(system), .code = std::move(code), .display = std::move(display)}},
          .text = std::move(text)};
}
inline Quantity qty(const char* value, std::string unit) {
  return {.value = decimal::parse(value), .unit = unit, .system = "http://unitsofmeasure.org", .code = unit};
}
inline Meta profile(std::string p) {
  return {.profile = {std::move(p)}};
}

inline Patient patient() {
  identifier_systems sys;
  Patient p;
  p.id = patient_id;
  p.meta = profile("http://fhir.ehealth.gov.vn/core/StructureDefinition/vn-core-patient");
  p.identifier.push_back({.use = "official",
                          .type = cc(std::string(v2_0203), "NI", "National unique individual identifier"),
                          .system = sys.national_id,
                          .value = cccd});
  p.identifier.push_back({.use = "official",
                          .type = cc(std::string(v2_0203), "SB", "Social Beneficiary Identifier"),
                          .system = sys.insurance,
                          .value = "GD4424299990001",
                          .period = Period{.start = "2026-01-01", .end = "2026-12-31"}});
  p.identifier.push_back({.use = "secondary",
                          .type = cc(std::string(v2_0203), "PI", "Patient internal identifier"),
                          .system = facility_record_system(sys, facility),
                          .value = "BN0042001234"});
  p.active = true;
  p.name.push_back({.use = "official", .text = "Nguyễn Văn Thử", .family = "Nguyễn", .given = {"Văn", "Thử"}});
  p.telecom.push_back({.system = "phone", .value = "0912000000", .use = "mobile"});
  p.gender = "male";
  p.birth_date = "1978-03-15";
  p.deceased = false;
  Address a;
  a.text = "Thôn Mẫu Thử, xã Thạch Lạc, tỉnh Hà Tĩnh";
  a.state = "Hà Tĩnh";
  a.country = "VN";
  a.extension.push_back({.url = "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ward",
                         .value = Coding{.code = "18628", .display = "Xã Thạch Lạc"}});
  p.address.push_back(std::move(a));
  p.multiple_birth = 1;
  p.managing_organization = ref("Organization", org_id);
  p.extension.push_back({.url = "http://fhir.ehealth.gov.vn/core/StructureDefinition/extension-ethic",
                         .value = Coding{.system = "urn:vn:gso:dantoc", .code = "01", .display = "Kinh"}});
  return p;
}

inline RelatedPerson related_person() {
  RelatedPerson r;
  r.id = stable_id("RelatedPerson", patient_id, "mother");
  r.patient = ref("Patient", patient_id);
  r.relationship.push_back(cc("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother"));
  r.name.push_back({.text = "Trần Thị Mẫu"});
  r.gender = "female";
  r.period = Period{.start = "2026-11-20"};
  return r;
}

inline Encounter encounter_resource() {
  Encounter e;
  e.id = encounter;
  e.identifier.push_back({.system = "urn:vn:cskcb:42001:ma_lk", .value = "2611200007"});
  e.status = "finished";
  e.class_ = {
      .system = "http://terminology.hl7.org/CodeSystem/v3-ActCode", .code = "IMP", .display = "inpatient encounter"};
  e.type.push_back(cc("urn:vn:bhyt:ma_loai_kcb", "03", "Điều trị nội trú"));
  e.subject = ref("Patient", patient_id);
  e.participant.push_back(
      {.type = {cc("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND", "attender")},
       .individual = ref("Practitioner", prac_id)});
  e.period = Period{.start = "2026-11-20T08:15:00+07:00", .end = "2026-11-27T09:00:00+07:00"};
  e.reason_code.push_back({.text = "Sốt, ho"});
  e.diagnosis.push_back({.condition = ref("Condition", condition_id(encounter, "J18.9", "principal")),
                         .use = cc("http://terminology.hl7.org/CodeSystem/diagnosis-role", "DD", "Discharge diagnosis"),
                         .rank = 1});
  Encounter::Hospitalization h;
  h.discharge_disposition = cc("http://terminology.hl7.org/CodeSystem/discharge-disposition", "home", "Home");
  e.hospitalization = h;
  e.location.push_back({.location = ref("Location", stable_id("Location", facility, "K03")), .status = "completed"});
  e.service_provider = ref("Organization", org_id);
  return e;
}

inline Condition condition() {
  Condition c;
  c.id = condition_id(encounter, "J18.9", "principal");
  c.clinical_status = cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "Resolved");
  c.verification_status = cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed");
  c.category.push_back(
      cc("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis"));
  c.code = cc("http://hl7.org/fhir/sid/icd-10", "J18.9", "Pneumonia, unspecified", "Viêm phổi");
  c.subject = ref("Patient", patient_id);
  c.encounter = ref("Encounter", encounter);
  c.onset = DateTime{"2026-11-18"};
  c.recorded_date = "2026-11-20T08:30:00+07:00";
  c.note.push_back({.author = std::string("BS. Phạm"), .text = "Viêm phổi thùy dưới phải"});
  return c;
}

inline Observation observation() {
  Observation o;
  o.id = stable_id("Observation", encounter, "718-7", "1");
  o.status = "final";
  o.category.push_back(cc("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory"));
  o.code = cc("http://loinc.org", "718-7", "Hemoglobin [Mass/volume] in Blood", "Huyết sắc tố");
  o.code.coding.push_back({.system = "urn:vn:cskcb:42001:lab", .code = "HGB", .display = "Huyết sắc tố"});
  o.subject = ref("Patient", patient_id);
  o.encounter = ref("Encounter", encounter);
  o.effective = DateTime{"2026-11-20T10:05:00+07:00"};
  o.issued = "2026-11-20T10:30:00+07:00";
  o.value = qty("132", "g/L");
  o.interpretation.push_back(cc("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "N", "Normal"));
  o.reference_range.push_back({.low = qty("120", "g/L"), .high = qty("160", "g/L"), .text = "120-160"});
  Observation::Component bp;
  bp.code = cc("http://loinc.org", "8480-6", "Systolic blood pressure");
  bp.value = qty("120", "mm[Hg]");
  o.component.push_back(bp);
  return o;
}

inline DiagnosticReport diagnostic_report() {
  DiagnosticReport d;
  d.id = stable_id("DiagnosticReport", facility, "LIS-26112000451");
  d.identifier.push_back({.system = "urn:vn:cskcb:42001:lis", .value = "LIS-26112000451"});
  d.status = "final";
  d.category.push_back(cc("http://terminology.hl7.org/CodeSystem/v2-0074", "HM", "Hematology"));
  d.code = cc("http://loinc.org", "58410-2", "CBC panel - Blood by Automated count");
  d.subject = ref("Patient", patient_id);
  d.encounter = ref("Encounter", encounter);
  d.effective = DateTime{"2026-11-20T10:05:00+07:00"};
  d.issued = "2026-11-20T10:30:00.000+07:00";
  d.result.push_back(ref("Observation", stable_id("Observation", encounter, "718-7", "1")));
  d.conclusion = "Trong giới hạn bình thường";
  d.presented_form.push_back({.content_type = "text/plain", .data = "S2V0IHF14bqjIGLDrG5oIHRoxrDhu51uZw=="});
  return d;
}

inline Procedure procedure() {
  Procedure p;
  p.id = stable_id("Procedure", encounter, "18.0999.9999");
  p.status = "completed";
  p.code = cc("urn:vn:byt:dvkt", "18.0999.9999", "Chụp X-quang ngực thẳng");
  p.subject = ref("Patient", patient_id);
  p.encounter = ref("Encounter", encounter);
  p.performed = Period{.start = "2026-11-20T09:40:00+07:00", .end = "2026-11-20T09:50:00+07:00"};
  p.performer.push_back({.actor = ref("Practitioner", prac_id)});
  return p;
}

inline ServiceRequest service_request() {
  ServiceRequest s;
  s.id = stable_id("ServiceRequest", facility, "XN-26112000451");
  s.requisition = Identifier{.system = "urn:vn:cskcb:42001:his", .value = "XN-26112000451"};
  s.status = "completed";
  s.intent = "order";
  s.priority = "routine";
  s.code = cc("urn:vn:byt:dvkt", "22.0999.9999", "Tổng phân tích tế bào máu ngoại vi");
  s.subject = ref("Patient", patient_id);
  s.encounter = ref("Encounter", encounter);
  s.occurrence = DateTime{"2026-11-20T09:00:00+07:00"};
  s.authored_on = "2026-11-20T08:45:00+07:00";
  s.requester = ref("Practitioner", prac_id);
  return s;
}

inline MedicationRequest medication_request() {
  MedicationRequest m;
  m.id = stable_id("MedicationRequest", encounter, "1");
  m.status = "completed";
  m.intent = "order";
  m.medication = cc("urn:vn:byt:thuoc", "40.17", "Oxy");
  m.subject = ref("Patient", patient_id);
  m.encounter = ref("Encounter", encounter);
  m.authored_on = "2026-11-20";
  Dosage d;
  d.text = "Uống 1 viên x 2 lần/ngày";
  d.timing = Timing{.repeat = Timing::Repeat{.bounds = Period{.start = "2026-11-20", .end = "2026-11-25"},
                                             .frequency = 2,
                                             .period = decimal(1),
                                             .period_unit = "d"}};
  d.route = cc("urn:vn:byt:duong_dung", "1.01", "Uống");
  d.dose_and_rate.push_back({.dose = qty("1", "{tbl}")});
  m.dosage_instruction.push_back(d);
  m.dispense_request = MedicationRequest::DispenseRequest{.quantity = qty("10", "{tbl}")};
  return m;
}

inline MedicationAdministration medication_administration() {
  MedicationAdministration m;
  m.id = stable_id("MedicationAdministration", encounter, "1", "1");
  m.status = "completed";
  m.medication = cc("urn:vn:byt:thuoc", "40.17", "Oxy");
  m.subject = ref("Patient", patient_id);
  m.context = ref("Encounter", encounter);
  m.effective = DateTime{"2026-11-20T11:00:00+07:00"};
  m.dosage = MedicationAdministration::Dosage{.text = "1 viên", .dose = qty("1", "{tbl}")};
  return m;
}

inline AllergyIntolerance allergy() {
  AllergyIntolerance a;
  a.id = stable_id("AllergyIntolerance", patient_id, "penicillin");
  a.clinical_status = cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active");
  a.type = "allergy";
  a.category = {"medication"};
  a.criticality = "high";
  a.code = CodeableConcept{.text = "Penicillin"};
  a.patient = ref("Patient", patient_id);
  a.reaction.push_back({.manifestation = {CodeableConcept{.text = "Nổi mề đay"}}, .severity = "moderate"});
  return a;
}

inline Immunization immunization() {
  Immunization i;
  i.id = stable_id("Immunization", patient_id, "BCG", "2026-11-21");
  i.status = "completed";
  i.vaccine_code = cc("http://hl7.org/fhir/sid/cvx", "19", "BCG");
  i.patient = ref("Patient", patient_id);
  i.occurrence = DateTime{"2026-11-21T08:00:00+07:00"};
  i.primary_source = true;
  i.lot_number = "LOT-001";
  i.protocol_applied.push_back({.dose_number = PositiveInt{1}});
  return i;
}

inline DocumentReference document_reference() {
  DocumentReference d;
  d.id = stable_id("DocumentReference", encounter, "giay-ra-vien");
  d.status = "current";
  d.type = cc("http://loinc.org", "18842-5", "Discharge summary");
  d.subject = ref("Patient", patient_id);
  d.date = "2026-11-27T09:00:00+07:00";
  d.content.push_back(
      {.attachment = {
           .content_type = "application/pdf", .url = "https://example.org/doc/1.pdf", .title = "Giấy ra viện"}});
  d.context = DocumentReference::Context{.encounter = {ref("Encounter", encounter)}};
  return d;
}

inline Appointment appointment() {
  Appointment a;
  a.id = stable_id("Appointment", encounter, "tai-kham");
  a.status = "booked";
  a.description = "Tái khám sau ra viện";
  a.start = "2026-12-04T08:00:00+07:00";
  a.end = "2026-12-04T08:30:00+07:00";
  a.participant.push_back({.actor = ref("Patient", patient_id), .required_ = "required", .status = "accepted"});
  return a;
}

inline Coverage coverage() {
  identifier_systems sys;
  Coverage c;
  c.id = stable_id("Coverage", "GD4424299990001");
  c.identifier.push_back({.system = sys.insurance, .value = "GD4424299990001"});
  c.status = "active";
  c.beneficiary = ref("Patient", patient_id);
  c.period = Period{.start = "2026-01-01", .end = "2026-12-31"};
  c.payor.push_back({.display = "Bảo hiểm xã hội Việt Nam"});
  c.class_.push_back({.type = cc("http://terminology.hl7.org/CodeSystem/coverage-class", "plan", "Plan"),
                      .value = "GD4",
                      .name = "Hộ gia đình, mức hưởng 4"});
  return c;
}

inline Organization organization() {
  identifier_systems sys;
  Organization o;
  o.id = org_id;
  o.identifier.push_back({.system = sys.facility, .value = facility});
  o.active = true;
  o.type.push_back(cc("http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider"));
  o.name = "Bệnh viện Đa khoa Mẫu Thử";
  o.address.push_back({.text = "Phường Thành Sen, tỉnh Hà Tĩnh", .country = "VN"});
  return o;
}

inline Practitioner practitioner() {
  identifier_systems sys;
  Practitioner p;
  p.id = prac_id;
  p.identifier.push_back({.system = sys.practitioner_licence, .value = "000998/HT-CCHN"});
  p.name.push_back({.text = "Phạm Thị Mẫu"});
  p.qualification.push_back({.code = CodeableConcept{.text = "Bác sĩ"}});
  return p;
}

inline Location location() {
  Location l;
  l.id = stable_id("Location", facility, "K03");
  l.status = "active";
  l.name = "Khoa Nội";
  l.mode = "instance";
  l.managing_organization = ref("Organization", org_id);
  return l;
}

inline Provenance provenance() {
  Provenance p;
  p.id = stable_id("Provenance", "msg-1");
  p.target.push_back(ref("Patient", patient_id));
  p.recorded = "2026-11-27T09:05:00.123+07:00";
  p.activity = cc("http://terminology.hl7.org/CodeSystem/v3-DataOperation", "UPDATE", "revise");
  p.agent.push_back({.who = ref("Organization", org_id)});
  p.entity.push_back({.role = "source", .what = Reference{.display = "QĐ 130 XML 2611200007"}});
  return p;
}

inline AuditEvent audit_event() {
  AuditEvent a;
  a.id = stable_id("AuditEvent", "read-1");
  a.type = {.system = "http://terminology.hl7.org/CodeSystem/audit-event-type",
            .code = "rest",
            .display = "RESTful Operation"};
  a.action = "R";
  a.recorded = "2026-11-27T10:00:00+07:00";
  a.outcome = "0";
  a.agent.push_back({.who = Reference{.display = "clinician-1"}, .requestor = true});
  a.source = {.site = "emr-gateway", .observer = Reference{.display = "emr-gateway"}};
  a.entity.push_back({.what = ref("Patient", patient_id)});
  return a;
}

inline OperationOutcome operation_outcome() {
  OperationOutcome o;
  o.issue.push_back({.severity = "error",
                     .code = "required",
                     .diagnostics = "missing",
                     .expression = {"Patient.identifier[0].value"}});
  return o;
}

inline CapabilityStatement capability_statement() {
  CapabilityStatement c;
  c.status = "active";
  c.date = "2026-11-29";
  c.kind = "instance";
  c.software = CapabilityStatement::Software{.name = "emr-gateway", .version = "0.1.0"};
  c.implementation = CapabilityStatement::Implementation{.description = "Hà Tĩnh EMR gateway"};
  // The R4 JSON schema the suite checks against (npm fhir.schema.json) is the 4.0.0 one, whose
  // FHIRVersion enum lacks 4.0.1; 4.0.0 and 4.0.1 are wire-compatible.
  c.fhir_version = "4.0.0";
  c.format = {"json"};
  CapabilityStatement::Rest rest;
  rest.mode = "server";
  rest.resource.push_back({.type = "Patient",
                           .interaction = {{.code = "read"}, {.code = "search-type"}},
                           .search_param = {{.name = "identifier", .type = "token"}}});
  rest.interaction.push_back({.code = "transaction"});
  c.rest.push_back(rest);
  return c;
}

/// Every resource type once (Bundle excluded).
inline std::vector<any_resource> all_resources() {
  return {patient(),
          related_person(),
          encounter_resource(),
          condition(),
          observation(),
          diagnostic_report(),
          procedure(),
          service_request(),
          medication_request(),
          medication_administration(),
          allergy(),
          immunization(),
          document_reference(),
          appointment(),
          coverage(),
          organization(),
          practitioner(),
          location(),
          provenance(),
          audit_event(),
          operation_outcome(),
          capability_statement()};
}

/// A transaction Bundle: PUT with stable ids, fullUrl urn:uuid; `count` resources cycling
/// through the clinical types (ids made unique per entry).
inline Bundle transaction(std::size_t count) {
  Bundle b;
  b.type = "transaction";
  b.timestamp = "2026-11-27T09:05:00+07:00";
  std::vector<any_resource> pool{patient(),   encounter_resource(), condition(),    observation(),  diagnostic_report(),
                                 procedure(), medication_request(), organization(), practitioner(), location()};
  for (std::size_t i = 0; i < count; ++i) {
    any_resource r = pool[i % pool.size()];
    std::string id = i < pool.size() ? std::string(r.id()) : stable_id("bench", std::to_string(i));
    std::visit([&](auto& res) { res.id = id; }, r.get());
    Bundle::Entry e;
    e.full_url = urn_uuid(id);
    e.request = Bundle::Request{.method = "PUT", .url = std::string(r.type_name()) + "/" + id};
    e.resource = std::move(r);
    b.entry.push_back(std::move(e));
  }
  return b;
}

}  // namespace gw::fhir::samples
