#pragma once
/// FHIR R4 resources the gateway produces or serves, as plain structs with one `fields()`
/// description each (see fhir/element.hpp), the type-erased `any_resource` holder and Bundle.
///
/// Build resources by assigning members:
/// ```
/// Patient p;
/// p.id = fhir::patient_id_from_cccd(cccd);
/// p.identifier.push_back({.use = "official", .system = sys.national_id, .value = cccd});
/// p.gender = "male";
/// p.deceased = DateTime{"2026-11-20T10:00:00+07:00"};
/// ```

#include "fhir/bindings.hpp"
#include "fhir/datatypes.hpp"
#include "fhir/element.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gw::fhir {

/// Elements of every resource.
struct Resource {
  std::string id{};
  std::optional<Meta> meta{};
  std::string language{};  ///< code (BCP-47), e.g. "vi"
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("id", s.id, as(prim::id));
    v("meta", s.meta);
    v("language", s.language, as(prim::code));
  }
};

/// Elements of every domain resource (all but Bundle).
struct DomainResource : Resource {
  std::optional<Narrative> text{};
  std::vector<Extension> extension{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    Resource::fields(s, v);
    v("text", s.text);
    v("extension", s.extension);
  }
};

struct Patient : DomainResource {
  static constexpr std::string_view resource_type = "Patient";
  struct Contact {
    std::vector<CodeableConcept> relationship{};
    std::optional<HumanName> name{};
    std::vector<ContactPoint> telecom{};
    std::optional<Address> address{};
    std::string gender{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("relationship", s.relationship);
      v("name", s.name);
      v("telecom", s.telecom);
      v("address", s.address);
      v("gender", s.gender, bound(vs::administrative_gender));
    }
  };
  struct Link {
    Reference other{};
    std::string type{};  ///< replaced-by | replaces | refer | seealso
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("other", s.other, min1);
      v("type", s.type, bound(vs::link_type, 1));
    }
  };
  std::vector<Identifier> identifier{};
  std::optional<bool> active{};
  std::vector<HumanName> name{};
  std::vector<ContactPoint> telecom{};
  std::string gender{};      ///< male | female | other | unknown
  std::string birth_date{};  ///< date
  std::optional<std::variant<bool, DateTime>> deceased{};
  std::vector<Address> address{};
  std::optional<CodeableConcept> marital_status{};
  std::optional<std::variant<bool, std::int32_t>> multiple_birth{};
  std::vector<Contact> contact{};
  std::vector<Reference> general_practitioner{};
  std::optional<Reference> managing_organization{};
  std::vector<Link> link{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("active", s.active);
    v("name", s.name);
    v("telecom", s.telecom);
    v("gender", s.gender, bound(vs::administrative_gender));
    v("birthDate", s.birth_date, as(prim::date));
    v("deceased", s.deceased);
    v("address", s.address);
    v("maritalStatus", s.marital_status);
    v("multipleBirth", s.multiple_birth);
    v("contact", s.contact);
    v("generalPractitioner", s.general_practitioner);
    v("managingOrganization", s.managing_organization);
    v("link", s.link);
  }
};

struct RelatedPerson : DomainResource {
  static constexpr std::string_view resource_type = "RelatedPerson";
  std::vector<Identifier> identifier{};
  std::optional<bool> active{};
  Reference patient{};
  std::vector<CodeableConcept> relationship{};
  std::vector<HumanName> name{};
  std::vector<ContactPoint> telecom{};
  std::string gender{};
  std::string birth_date{};
  std::vector<Address> address{};
  std::optional<Period> period{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("active", s.active);
    v("patient", s.patient, min1);
    v("relationship", s.relationship);
    v("name", s.name);
    v("telecom", s.telecom);
    v("gender", s.gender, bound(vs::administrative_gender));
    v("birthDate", s.birth_date, as(prim::date));
    v("address", s.address);
    v("period", s.period);
  }
};

struct Encounter : DomainResource {
  static constexpr std::string_view resource_type = "Encounter";
  struct Participant {
    std::vector<CodeableConcept> type{};
    std::optional<Period> period{};
    std::optional<Reference> individual{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("type", s.type);
      v("period", s.period);
      v("individual", s.individual);
    }
  };
  struct Diagnosis {
    Reference condition{};
    std::optional<CodeableConcept> use{};  ///< AD admission, DD discharge, CC chief complaint...
    std::optional<std::int32_t> rank{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("condition", s.condition, min1);
      v("use", s.use);
      v("rank", s.rank, as(prim::positive_int));
    }
  };
  struct Hospitalization {
    std::optional<Identifier> pre_admission_identifier{};
    std::optional<Reference> origin{};
    std::optional<CodeableConcept> admit_source{};
    std::optional<CodeableConcept> re_admission{};
    std::optional<CodeableConcept> discharge_disposition{};
    std::optional<Reference> destination{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("preAdmissionIdentifier", s.pre_admission_identifier);
      v("origin", s.origin);
      v("admitSource", s.admit_source);
      v("reAdmission", s.re_admission);
      v("dischargeDisposition", s.discharge_disposition);
      v("destination", s.destination);
    }
  };
  struct Location {
    Reference location{};
    std::string status{};
    std::optional<Period> period{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("location", s.location, min1);
      v("status", s.status, bound(vs::encounter_location_status));
      v("period", s.period);
    }
  };
  std::vector<Identifier> identifier{};
  std::string status{};  ///< planned | arrived | triaged | in-progress | onleave | finished | ...
  Coding class_{};       ///< v3-ActCode: AMB, EMER, IMP, SS, ...
  std::vector<CodeableConcept> type{};
  std::optional<CodeableConcept> service_type{};
  std::optional<CodeableConcept> priority{};
  std::optional<Reference> subject{};
  std::vector<Reference> based_on{};
  std::vector<Participant> participant{};
  std::optional<Period> period{};
  std::vector<CodeableConcept> reason_code{};
  std::vector<Reference> reason_reference{};
  std::vector<Diagnosis> diagnosis{};
  std::optional<Hospitalization> hospitalization{};
  std::vector<Location> location{};
  std::optional<Reference> service_provider{};
  std::optional<Reference> part_of{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("status", s.status, bound(vs::encounter_status, 1));
    v("class", s.class_, coded(vs::encounter_class, 1));
    v("type", s.type);
    v("serviceType", s.service_type);
    v("priority", s.priority);
    v("subject", s.subject);
    v("basedOn", s.based_on);
    v("participant", s.participant);
    v("period", s.period);
    v("reasonCode", s.reason_code);
    v("reasonReference", s.reason_reference);
    v("diagnosis", s.diagnosis);
    v("hospitalization", s.hospitalization);
    v("location", s.location);
    v("serviceProvider", s.service_provider);
    v("partOf", s.part_of);
  }
};

struct Condition : DomainResource {
  static constexpr std::string_view resource_type = "Condition";
  std::vector<Identifier> identifier{};
  std::optional<CodeableConcept> clinical_status{};
  std::optional<CodeableConcept> verification_status{};
  std::vector<CodeableConcept> category{};  ///< problem-list-item | encounter-diagnosis
  std::optional<CodeableConcept> severity{};
  std::optional<CodeableConcept> code{};
  std::vector<CodeableConcept> body_site{};
  Reference subject{};
  std::optional<Reference> encounter{};
  std::optional<std::variant<DateTime, Period, Range, std::string>> onset{};
  std::optional<std::variant<DateTime, Period, Range, std::string>> abatement{};
  std::string recorded_date{};  ///< dateTime
  std::optional<Reference> recorder{};
  std::optional<Reference> asserter{};
  std::vector<Annotation> note{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("clinicalStatus", s.clinical_status, coded(vs::condition_clinical));
    v("verificationStatus", s.verification_status, coded(vs::condition_verification));
    v("category", s.category);
    v("severity", s.severity);
    v("code", s.code);
    v("bodySite", s.body_site);
    v("subject", s.subject, min1);
    v("encounter", s.encounter);
    v("onset", s.onset);
    v("abatement", s.abatement);
    v("recordedDate", s.recorded_date, as(prim::date_time));
    v("recorder", s.recorder);
    v("asserter", s.asserter);
    v("note", s.note);
  }
};

struct Observation : DomainResource {
  static constexpr std::string_view resource_type = "Observation";
  using value_type =
      std::variant<Quantity, CodeableConcept, std::string, bool, std::int32_t, Range, Time, DateTime, Period>;
  struct ReferenceRange {
    std::optional<Quantity> low{};
    std::optional<Quantity> high{};
    std::optional<CodeableConcept> type{};
    std::vector<CodeableConcept> applies_to{};
    std::optional<Range> age{};
    std::string text{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("low", s.low);
      v("high", s.high);
      v("type", s.type);
      v("appliesTo", s.applies_to);
      v("age", s.age);
      v("text", s.text);
    }
  };
  struct Component {
    CodeableConcept code{};
    std::optional<value_type> value{};
    std::optional<CodeableConcept> data_absent_reason{};
    std::vector<CodeableConcept> interpretation{};
    std::vector<ReferenceRange> reference_range{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("code", s.code, min1);
      v("value", s.value);
      v("dataAbsentReason", s.data_absent_reason);
      v("interpretation", s.interpretation);
      v("referenceRange", s.reference_range);
    }
  };
  std::vector<Identifier> identifier{};
  std::vector<Reference> based_on{};
  std::vector<Reference> part_of{};
  std::string status{};  ///< registered | preliminary | final | amended | ...
  std::vector<CodeableConcept> category{};
  CodeableConcept code{};
  std::optional<Reference> subject{};
  std::optional<Reference> encounter{};
  std::optional<std::variant<DateTime, Period, Instant>> effective{};
  std::string issued{};  ///< instant
  std::vector<Reference> performer{};
  std::optional<value_type> value{};
  std::optional<CodeableConcept> data_absent_reason{};
  std::vector<CodeableConcept> interpretation{};
  std::vector<Annotation> note{};
  std::optional<CodeableConcept> body_site{};
  std::optional<CodeableConcept> method{};
  std::optional<Reference> specimen{};
  std::optional<Reference> device{};
  std::vector<ReferenceRange> reference_range{};
  std::vector<Reference> has_member{};
  std::vector<Reference> derived_from{};
  std::vector<Component> component{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("basedOn", s.based_on);
    v("partOf", s.part_of);
    v("status", s.status, bound(vs::observation_status, 1));
    v("category", s.category, coded(vs::observation_category));
    v("code", s.code, min1);
    v("subject", s.subject);
    v("encounter", s.encounter);
    v("effective", s.effective);
    v("issued", s.issued, as(prim::instant));
    v("performer", s.performer);
    v("value", s.value);
    v("dataAbsentReason", s.data_absent_reason);
    v("interpretation", s.interpretation);
    v("note", s.note);
    v("bodySite", s.body_site);
    v("method", s.method);
    v("specimen", s.specimen);
    v("device", s.device);
    v("referenceRange", s.reference_range);
    v("hasMember", s.has_member);
    v("derivedFrom", s.derived_from);
    v("component", s.component);
  }
};

struct DiagnosticReport : DomainResource {
  static constexpr std::string_view resource_type = "DiagnosticReport";
  std::vector<Identifier> identifier{};
  std::vector<Reference> based_on{};
  std::string status{};
  std::vector<CodeableConcept> category{};
  CodeableConcept code{};
  std::optional<Reference> subject{};
  std::optional<Reference> encounter{};
  std::optional<std::variant<DateTime, Period>> effective{};
  std::string issued{};  ///< instant
  std::vector<Reference> performer{};
  std::vector<Reference> results_interpreter{};
  std::vector<Reference> specimen{};
  std::vector<Reference> result{};
  std::string conclusion{};
  std::vector<CodeableConcept> conclusion_code{};
  std::vector<Attachment> presented_form{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("basedOn", s.based_on);
    v("status", s.status, bound(vs::diagnostic_report_status, 1));
    v("category", s.category);
    v("code", s.code, min1);
    v("subject", s.subject);
    v("encounter", s.encounter);
    v("effective", s.effective);
    v("issued", s.issued, as(prim::instant));
    v("performer", s.performer);
    v("resultsInterpreter", s.results_interpreter);
    v("specimen", s.specimen);
    v("result", s.result);
    v("conclusion", s.conclusion);
    v("conclusionCode", s.conclusion_code);
    v("presentedForm", s.presented_form);
  }
};

/// performer / actor backbone shared by Procedure, MedicationAdministration and Immunization.
struct Performer {
  std::optional<CodeableConcept> function{};
  Reference actor{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("function", s.function);
    v("actor", s.actor, min1);
  }
};

struct Procedure : DomainResource {
  static constexpr std::string_view resource_type = "Procedure";
  std::vector<Identifier> identifier{};
  std::vector<Reference> based_on{};
  std::vector<Reference> part_of{};
  std::string status{};
  std::optional<CodeableConcept> category{};
  std::optional<CodeableConcept> code{};
  Reference subject{};
  std::optional<Reference> encounter{};
  std::optional<std::variant<DateTime, Period, std::string>> performed{};
  std::optional<Reference> recorder{};
  std::optional<Reference> asserter{};
  std::vector<Performer> performer{};
  std::optional<Reference> location{};
  std::vector<CodeableConcept> reason_code{};
  std::vector<Reference> reason_reference{};
  std::vector<CodeableConcept> body_site{};
  std::optional<CodeableConcept> outcome{};
  std::vector<Reference> report{};
  std::vector<Annotation> note{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("basedOn", s.based_on);
    v("partOf", s.part_of);
    v("status", s.status, bound(vs::event_status, 1));
    v("category", s.category);
    v("code", s.code);
    v("subject", s.subject, min1);
    v("encounter", s.encounter);
    v("performed", s.performed);
    v("recorder", s.recorder);
    v("asserter", s.asserter);
    v("performer", s.performer);
    v("location", s.location);
    v("reasonCode", s.reason_code);
    v("reasonReference", s.reason_reference);
    v("bodySite", s.body_site);
    v("outcome", s.outcome);
    v("report", s.report);
    v("note", s.note);
  }
};

struct ServiceRequest : DomainResource {
  static constexpr std::string_view resource_type = "ServiceRequest";
  std::vector<Identifier> identifier{};
  std::vector<Reference> based_on{};
  std::optional<Identifier> requisition{};
  std::string status{};
  std::string intent{};
  std::vector<CodeableConcept> category{};
  std::string priority{};
  std::optional<CodeableConcept> code{};
  Reference subject{};
  std::optional<Reference> encounter{};
  std::optional<std::variant<DateTime, Period>> occurrence{};
  std::string authored_on{};  ///< dateTime
  std::optional<Reference> requester{};
  std::vector<Reference> performer{};
  std::vector<CodeableConcept> reason_code{};
  std::vector<Reference> reason_reference{};
  std::vector<Reference> specimen{};
  std::vector<Annotation> note{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("basedOn", s.based_on);
    v("requisition", s.requisition);
    v("status", s.status, bound(vs::request_status, 1));
    v("intent", s.intent, bound(vs::request_intent, 1));
    v("category", s.category);
    v("priority", s.priority, bound(vs::request_priority));
    v("code", s.code);
    v("subject", s.subject, min1);
    v("encounter", s.encounter);
    v("occurrence", s.occurrence);
    v("authoredOn", s.authored_on, as(prim::date_time));
    v("requester", s.requester);
    v("performer", s.performer);
    v("reasonCode", s.reason_code);
    v("reasonReference", s.reason_reference);
    v("specimen", s.specimen);
    v("note", s.note);
  }
};

struct MedicationRequest : DomainResource {
  static constexpr std::string_view resource_type = "MedicationRequest";
  struct DispenseRequest {
    std::optional<Period> validity_period{};
    std::optional<std::int32_t> number_of_repeats_allowed{};
    std::optional<Quantity> quantity{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("validityPeriod", s.validity_period);
      v("numberOfRepeatsAllowed", s.number_of_repeats_allowed, as(prim::unsigned_int));
      v("quantity", s.quantity);
    }
  };
  std::vector<Identifier> identifier{};
  std::string status{};
  std::string intent{};
  std::vector<CodeableConcept> category{};
  std::string priority{};
  std::optional<std::variant<CodeableConcept, Reference>> medication{};
  Reference subject{};
  std::optional<Reference> encounter{};
  std::string authored_on{};
  std::optional<Reference> requester{};
  std::vector<CodeableConcept> reason_code{};
  std::vector<Reference> reason_reference{};
  std::vector<Annotation> note{};
  std::vector<Dosage> dosage_instruction{};
  std::optional<DispenseRequest> dispense_request{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("status", s.status, bound(vs::medication_request_status, 1));
    v("intent", s.intent, bound(vs::medication_request_intent, 1));
    v("category", s.category);
    v("priority", s.priority, bound(vs::request_priority));
    v("medication", s.medication, min1);
    v("subject", s.subject, min1);
    v("encounter", s.encounter);
    v("authoredOn", s.authored_on, as(prim::date_time));
    v("requester", s.requester);
    v("reasonCode", s.reason_code);
    v("reasonReference", s.reason_reference);
    v("note", s.note);
    v("dosageInstruction", s.dosage_instruction);
    v("dispenseRequest", s.dispense_request);
  }
};

struct MedicationAdministration : DomainResource {
  static constexpr std::string_view resource_type = "MedicationAdministration";
  struct Dosage {
    std::string text{};
    std::optional<CodeableConcept> site{};
    std::optional<CodeableConcept> route{};
    std::optional<CodeableConcept> method{};
    std::optional<Quantity> dose{};
    std::optional<std::variant<Quantity>> rate{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("text", s.text);
      v("site", s.site);
      v("route", s.route);
      v("method", s.method);
      v("dose", s.dose);
      v("rate", s.rate);
    }
  };
  std::vector<Identifier> identifier{};
  std::string status{};
  std::optional<CodeableConcept> category{};
  std::optional<std::variant<CodeableConcept, Reference>> medication{};
  Reference subject{};
  std::optional<Reference> context{};  ///< the Encounter
  std::optional<std::variant<DateTime, Period>> effective{};
  std::vector<Performer> performer{};
  std::vector<CodeableConcept> reason_code{};
  std::optional<Reference> request{};
  std::vector<Annotation> note{};
  std::optional<Dosage> dosage{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("status", s.status, bound(vs::medication_admin_status, 1));
    v("category", s.category);
    v("medication", s.medication, min1);
    v("subject", s.subject, min1);
    v("context", s.context);
    v("effective", s.effective, min1);
    v("performer", s.performer);
    v("reasonCode", s.reason_code);
    v("request", s.request);
    v("note", s.note);
    v("dosage", s.dosage);
  }
};

struct AllergyIntolerance : DomainResource {
  static constexpr std::string_view resource_type = "AllergyIntolerance";
  struct Reaction {
    std::optional<CodeableConcept> substance{};
    std::vector<CodeableConcept> manifestation{};
    std::string description{};
    std::string onset{};  ///< dateTime
    std::string severity{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("substance", s.substance);
      v("manifestation", s.manifestation, min1);
      v("description", s.description);
      v("onset", s.onset, as(prim::date_time));
      v("severity", s.severity, bound(vs::reaction_severity));
    }
  };
  std::vector<Identifier> identifier{};
  std::optional<CodeableConcept> clinical_status{};
  std::optional<CodeableConcept> verification_status{};
  std::string type{};
  std::vector<std::string> category{};
  std::string criticality{};
  std::optional<CodeableConcept> code{};
  Reference patient{};
  std::optional<Reference> encounter{};
  std::optional<std::variant<DateTime, std::string>> onset{};
  std::string recorded_date{};
  std::optional<Reference> recorder{};
  std::optional<Reference> asserter{};
  std::vector<Annotation> note{};
  std::vector<Reaction> reaction{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("clinicalStatus", s.clinical_status);
    v("verificationStatus", s.verification_status);
    v("type", s.type, bound(vs::allergy_type));
    v("category", s.category, bound(vs::allergy_category));
    v("criticality", s.criticality, bound(vs::allergy_criticality));
    v("code", s.code);
    v("patient", s.patient, min1);
    v("encounter", s.encounter);
    v("onset", s.onset);
    v("recordedDate", s.recorded_date, as(prim::date_time));
    v("recorder", s.recorder);
    v("asserter", s.asserter);
    v("note", s.note);
    v("reaction", s.reaction);
  }
};

struct Immunization : DomainResource {
  static constexpr std::string_view resource_type = "Immunization";
  struct ProtocolApplied {
    std::string series{};
    std::vector<CodeableConcept> target_disease{};
    std::optional<std::variant<PositiveInt, std::string>> dose_number{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("series", s.series);
      v("targetDisease", s.target_disease);
      v("doseNumber", s.dose_number, min1);
    }
  };
  std::vector<Identifier> identifier{};
  std::string status{};
  std::optional<CodeableConcept> status_reason{};
  CodeableConcept vaccine_code{};
  Reference patient{};
  std::optional<Reference> encounter{};
  std::optional<std::variant<DateTime, std::string>> occurrence{};
  std::string recorded{};  ///< dateTime
  std::optional<bool> primary_source{};
  std::optional<Reference> location{};
  std::optional<Reference> manufacturer{};
  std::string lot_number{};
  std::string expiration_date{};  ///< date
  std::optional<CodeableConcept> site{};
  std::optional<CodeableConcept> route{};
  std::optional<Quantity> dose_quantity{};
  std::vector<Performer> performer{};
  std::vector<Annotation> note{};
  std::vector<CodeableConcept> reason_code{};
  std::vector<ProtocolApplied> protocol_applied{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("status", s.status, bound(vs::immunization_status, 1));
    v("statusReason", s.status_reason);
    v("vaccineCode", s.vaccine_code, min1);
    v("patient", s.patient, min1);
    v("encounter", s.encounter);
    v("occurrence", s.occurrence, min1);
    v("recorded", s.recorded, as(prim::date_time));
    v("primarySource", s.primary_source);
    v("location", s.location);
    v("manufacturer", s.manufacturer);
    v("lotNumber", s.lot_number);
    v("expirationDate", s.expiration_date, as(prim::date));
    v("site", s.site);
    v("route", s.route);
    v("doseQuantity", s.dose_quantity);
    v("performer", s.performer);
    v("note", s.note);
    v("reasonCode", s.reason_code);
    v("protocolApplied", s.protocol_applied);
  }
};

struct DocumentReference : DomainResource {
  static constexpr std::string_view resource_type = "DocumentReference";
  struct Content {
    Attachment attachment{};
    std::optional<Coding> format{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("attachment", s.attachment, min1);
      v("format", s.format);
    }
  };
  struct Context {
    std::vector<Reference> encounter{};
    std::vector<CodeableConcept> event{};
    std::optional<Period> period{};
    std::optional<CodeableConcept> facility_type{};
    std::optional<CodeableConcept> practice_setting{};
    std::vector<Reference> related{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("encounter", s.encounter);
      v("event", s.event);
      v("period", s.period);
      v("facilityType", s.facility_type);
      v("practiceSetting", s.practice_setting);
      v("related", s.related);
    }
  };
  std::optional<Identifier> master_identifier{};
  std::vector<Identifier> identifier{};
  std::string status{};
  std::string doc_status{};
  std::optional<CodeableConcept> type{};
  std::vector<CodeableConcept> category{};
  std::optional<Reference> subject{};
  std::string date{};  ///< instant
  std::vector<Reference> author{};
  std::optional<Reference> authenticator{};
  std::optional<Reference> custodian{};
  std::string description{};
  std::vector<CodeableConcept> security_label{};
  std::vector<Content> content{};
  std::optional<Context> context{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("masterIdentifier", s.master_identifier);
    v("identifier", s.identifier);
    v("status", s.status, bound(vs::document_reference_status, 1));
    v("docStatus", s.doc_status, bound(vs::composition_status));
    v("type", s.type);
    v("category", s.category);
    v("subject", s.subject);
    v("date", s.date, as(prim::instant));
    v("author", s.author);
    v("authenticator", s.authenticator);
    v("custodian", s.custodian);
    v("description", s.description);
    v("securityLabel", s.security_label);
    v("content", s.content, min1);
    v("context", s.context);
  }
};

struct Appointment : DomainResource {
  static constexpr std::string_view resource_type = "Appointment";
  struct Participant {
    std::vector<CodeableConcept> type{};
    std::optional<Reference> actor{};
    std::string required_{};  ///< JSON "required": required | optional | information-only
    std::string status{};
    std::optional<Period> period{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("type", s.type);
      v("actor", s.actor);
      v("required", s.required_, bound(vs::participant_required));
      v("status", s.status, bound(vs::participation_status, 1));
      v("period", s.period);
    }
  };
  std::vector<Identifier> identifier{};
  std::string status{};
  std::optional<CodeableConcept> cancelation_reason{};
  std::vector<CodeableConcept> service_category{};
  std::vector<CodeableConcept> service_type{};
  std::vector<CodeableConcept> specialty{};
  std::optional<CodeableConcept> appointment_type{};
  std::vector<CodeableConcept> reason_code{};
  std::vector<Reference> reason_reference{};
  std::optional<std::int32_t> priority{};
  std::string description{};
  std::string start{};  ///< instant
  std::string end{};    ///< instant
  std::optional<std::int32_t> minutes_duration{};
  std::string created{};  ///< dateTime
  std::string comment{};
  std::string patient_instruction{};
  std::vector<Reference> based_on{};
  std::vector<Participant> participant{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("status", s.status, bound(vs::appointment_status, 1));
    v("cancelationReason", s.cancelation_reason);
    v("serviceCategory", s.service_category);
    v("serviceType", s.service_type);
    v("specialty", s.specialty);
    v("appointmentType", s.appointment_type);
    v("reasonCode", s.reason_code);
    v("reasonReference", s.reason_reference);
    v("priority", s.priority, as(prim::unsigned_int));
    v("description", s.description);
    v("start", s.start, as(prim::instant));
    v("end", s.end, as(prim::instant));
    v("minutesDuration", s.minutes_duration, as(prim::positive_int));
    v("created", s.created, as(prim::date_time));
    v("comment", s.comment);
    v("patientInstruction", s.patient_instruction);
    v("basedOn", s.based_on);
    v("participant", s.participant, min1);
  }
};

struct Coverage : DomainResource {
  static constexpr std::string_view resource_type = "Coverage";
  struct Class {
    CodeableConcept type{};
    std::string value{};
    std::string name{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("type", s.type, min1);
      v("value", s.value, min1);
      v("name", s.name);
    }
  };
  std::vector<Identifier> identifier{};
  std::string status{};
  std::optional<CodeableConcept> type{};
  std::optional<Reference> policy_holder{};
  std::optional<Reference> subscriber{};
  std::string subscriber_id{};
  Reference beneficiary{};
  std::string dependent{};
  std::optional<CodeableConcept> relationship{};
  std::optional<Period> period{};
  std::vector<Reference> payor{};
  std::vector<Class> class_{};
  std::optional<std::int32_t> order{};
  std::string network{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("status", s.status, bound(vs::fm_status, 1));
    v("type", s.type);
    v("policyHolder", s.policy_holder);
    v("subscriber", s.subscriber);
    v("subscriberId", s.subscriber_id);
    v("beneficiary", s.beneficiary, min1);
    v("dependent", s.dependent);
    v("relationship", s.relationship);
    v("period", s.period);
    v("payor", s.payor, min1);
    v("class", s.class_);
    v("order", s.order, as(prim::positive_int));
    v("network", s.network);
  }
};

struct Organization : DomainResource {
  static constexpr std::string_view resource_type = "Organization";
  std::vector<Identifier> identifier{};
  std::optional<bool> active{};
  std::vector<CodeableConcept> type{};
  std::string name{};
  std::vector<std::string> alias{};
  std::vector<ContactPoint> telecom{};
  std::vector<Address> address{};
  std::optional<Reference> part_of{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("active", s.active);
    v("type", s.type);
    v("name", s.name);
    v("alias", s.alias);
    v("telecom", s.telecom);
    v("address", s.address);
    v("partOf", s.part_of);
  }
};

struct Practitioner : DomainResource {
  static constexpr std::string_view resource_type = "Practitioner";
  struct Qualification {
    std::vector<Identifier> identifier{};
    CodeableConcept code{};
    std::optional<Period> period{};
    std::optional<Reference> issuer{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("identifier", s.identifier);
      v("code", s.code, min1);
      v("period", s.period);
      v("issuer", s.issuer);
    }
  };
  std::vector<Identifier> identifier{};
  std::optional<bool> active{};
  std::vector<HumanName> name{};
  std::vector<ContactPoint> telecom{};
  std::vector<Address> address{};
  std::string gender{};
  std::string birth_date{};
  std::vector<Qualification> qualification{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("active", s.active);
    v("name", s.name);
    v("telecom", s.telecom);
    v("address", s.address);
    v("gender", s.gender, bound(vs::administrative_gender));
    v("birthDate", s.birth_date, as(prim::date));
    v("qualification", s.qualification);
  }
};

struct Location : DomainResource {
  static constexpr std::string_view resource_type = "Location";
  std::vector<Identifier> identifier{};
  std::string status{};
  std::optional<Coding> operational_status{};
  std::string name{};
  std::vector<std::string> alias{};
  std::string description{};
  std::string mode{};
  std::vector<CodeableConcept> type{};
  std::vector<ContactPoint> telecom{};
  std::optional<Address> address{};
  std::optional<CodeableConcept> physical_type{};
  std::optional<Reference> managing_organization{};
  std::optional<Reference> part_of{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("identifier", s.identifier);
    v("status", s.status, bound(vs::location_status));
    v("operationalStatus", s.operational_status);
    v("name", s.name);
    v("alias", s.alias);
    v("description", s.description);
    v("mode", s.mode, bound(vs::location_mode));
    v("type", s.type);
    v("telecom", s.telecom);
    v("address", s.address);
    v("physicalType", s.physical_type);
    v("managingOrganization", s.managing_organization);
    v("partOf", s.part_of);
  }
};

struct Provenance : DomainResource {
  static constexpr std::string_view resource_type = "Provenance";
  struct Agent {
    std::optional<CodeableConcept> type{};
    std::vector<CodeableConcept> role{};
    Reference who{};
    std::optional<Reference> on_behalf_of{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("type", s.type);
      v("role", s.role);
      v("who", s.who, min1);
      v("onBehalfOf", s.on_behalf_of);
    }
  };
  struct Entity {
    std::string role{};
    Reference what{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("role", s.role, bound(vs::provenance_entity_role, 1));
      v("what", s.what, min1);
    }
  };
  std::vector<Reference> target{};
  std::optional<std::variant<Period, DateTime>> occurred{};
  std::string recorded{};             ///< instant, required
  std::vector<std::string> policy{};  ///< uri
  std::optional<Reference> location{};
  std::vector<CodeableConcept> reason{};
  std::optional<CodeableConcept> activity{};
  std::vector<Agent> agent{};
  std::vector<Entity> entity{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("target", s.target, min1);
    v("occurred", s.occurred);
    v("recorded", s.recorded, as(prim::instant, 1));
    v("policy", s.policy, as(prim::uri));
    v("location", s.location);
    v("reason", s.reason);
    v("activity", s.activity);
    v("agent", s.agent, min1);
    v("entity", s.entity);
  }
};

struct AuditEvent : DomainResource {
  static constexpr std::string_view resource_type = "AuditEvent";
  struct Network {
    std::string address{};
    std::string type{};  ///< 1..5
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("address", s.address);
      v("type", s.type, bound(vs::network_type));
    }
  };
  struct Agent {
    std::optional<CodeableConcept> type{};
    std::vector<CodeableConcept> role{};
    std::optional<Reference> who{};
    std::string alt_id{};
    std::string name{};
    std::optional<bool> requestor{};  ///< required
    std::optional<Reference> location{};
    std::vector<std::string> policy{};  ///< uri
    std::optional<Network> network{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("type", s.type);
      v("role", s.role);
      v("who", s.who);
      v("altId", s.alt_id);
      v("name", s.name);
      v("requestor", s.requestor, min1);
      v("location", s.location);
      v("policy", s.policy, as(prim::uri));
      v("network", s.network);
    }
  };
  struct Source {
    std::string site{};
    Reference observer{};
    std::vector<Coding> type{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("site", s.site);
      v("observer", s.observer, min1);
      v("type", s.type);
    }
  };
  struct Detail {
    std::string type{};
    std::optional<std::variant<std::string, Base64Binary>> value{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("type", s.type, min1);
      v("value", s.value, min1);
    }
  };
  struct Entity {
    std::optional<Reference> what{};
    std::optional<Coding> type{};
    std::optional<Coding> role{};
    std::optional<Coding> lifecycle{};
    std::vector<Coding> security_label{};
    std::string name{};
    std::string description{};
    std::string query{};  ///< base64Binary
    std::vector<Detail> detail{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("what", s.what);
      v("type", s.type);
      v("role", s.role);
      v("lifecycle", s.lifecycle);
      v("securityLabel", s.security_label);
      v("name", s.name);
      v("description", s.description);
      v("query", s.query, as(prim::base64));
      v("detail", s.detail);
    }
  };
  Coding type{};
  std::vector<Coding> subtype{};
  std::string action{};
  std::optional<Period> period{};
  std::string recorded{};  ///< instant, required
  std::string outcome{};   ///< 0 | 4 | 8 | 12
  std::string outcome_desc{};
  std::vector<CodeableConcept> purpose_of_event{};
  std::vector<Agent> agent{};
  Source source{};
  std::vector<Entity> entity{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("type", s.type, min1);
    v("subtype", s.subtype);
    v("action", s.action, bound(vs::audit_event_action));
    v("period", s.period);
    v("recorded", s.recorded, as(prim::instant, 1));
    v("outcome", s.outcome, bound(vs::audit_event_outcome));
    v("outcomeDesc", s.outcome_desc);
    v("purposeOfEvent", s.purpose_of_event);
    v("agent", s.agent, min1);
    v("source", s.source, min1);
    v("entity", s.entity);
  }
};

struct OperationOutcome : DomainResource {
  static constexpr std::string_view resource_type = "OperationOutcome";
  struct Issue {
    std::string severity{};
    std::string code{};
    std::optional<CodeableConcept> details{};
    std::string diagnostics{};
    std::vector<std::string> location{};
    std::vector<std::string> expression{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("severity", s.severity, bound(vs::issue_severity, 1));
      v("code", s.code, bound(vs::issue_type, 1));
      v("details", s.details);
      v("diagnostics", s.diagnostics);
      v("location", s.location);
      v("expression", s.expression);
    }
  };
  std::vector<Issue> issue{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("issue", s.issue, min1);
  }
};

struct CapabilityStatement : DomainResource {
  static constexpr std::string_view resource_type = "CapabilityStatement";
  struct Software {
    std::string name{};
    std::string version{};
    std::string release_date{};  ///< dateTime
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("name", s.name, min1);
      v("version", s.version);
      v("releaseDate", s.release_date, as(prim::date_time));
    }
  };
  struct Implementation {
    std::string description{};
    std::string url{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("description", s.description, min1);
      v("url", s.url, as(prim::url));
    }
  };
  struct Interaction {
    std::string code{};
    std::string documentation{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("code", s.code, bound(vs::type_restful_interaction, 1));
      v("documentation", s.documentation, as(prim::markdown));
    }
  };
  struct SystemInteraction {
    std::string code{};
    std::string documentation{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("code", s.code, bound(vs::system_restful_interaction, 1));
      v("documentation", s.documentation, as(prim::markdown));
    }
  };
  struct SearchParam {
    std::string name{};
    std::string definition{};  ///< canonical
    std::string type{};
    std::string documentation{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("name", s.name, min1);
      v("definition", s.definition, as(prim::canonical));
      v("type", s.type, bound(vs::search_param_type, 1));
      v("documentation", s.documentation, as(prim::markdown));
    }
  };
  struct Operation {
    std::string name{};
    std::string definition{};  ///< canonical
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("name", s.name, min1);
      v("definition", s.definition, as(prim::canonical, 1));
    }
  };
  struct RestResource {
    std::string type{};
    std::string profile{};  ///< canonical
    std::vector<std::string> supported_profile{};
    std::vector<Interaction> interaction{};
    std::string versioning{};
    std::optional<bool> read_history{};
    std::optional<bool> update_create{};
    std::vector<std::string> search_include{};
    std::vector<SearchParam> search_param{};
    std::vector<Operation> operation{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("type", s.type, bound(vs::resource_types, 1));
      v("profile", s.profile, as(prim::canonical));
      v("supportedProfile", s.supported_profile, as(prim::canonical));
      v("interaction", s.interaction);
      v("versioning", s.versioning, bound(vs::versioning_policy));
      v("readHistory", s.read_history);
      v("updateCreate", s.update_create);
      v("searchInclude", s.search_include);
      v("searchParam", s.search_param);
      v("operation", s.operation);
    }
  };
  struct Security {
    std::optional<bool> cors{};
    std::vector<CodeableConcept> service{};
    std::string description{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("cors", s.cors);
      v("service", s.service);
      v("description", s.description, as(prim::markdown));
    }
  };
  struct Rest {
    std::string mode{};
    std::string documentation{};
    std::optional<Security> security{};
    std::vector<RestResource> resource{};
    std::vector<SystemInteraction> interaction{};
    std::vector<Operation> operation{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("mode", s.mode, bound(vs::restful_capability_mode, 1));
      v("documentation", s.documentation, as(prim::markdown));
      v("security", s.security);
      v("resource", s.resource);
      v("interaction", s.interaction);
      v("operation", s.operation);
    }
  };
  std::string url{};
  std::string version{};
  std::string name{};
  std::string title{};
  std::string status{};
  std::optional<bool> experimental{};
  std::string date{};  ///< dateTime, required
  std::string publisher{};
  std::string description{};
  std::string kind{};
  std::optional<Software> software{};
  std::optional<Implementation> implementation{};
  std::string fhir_version{};
  std::vector<std::string> format{};
  std::vector<Rest> rest{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    DomainResource::fields(s, v);
    v("url", s.url, as(prim::uri));
    v("version", s.version);
    v("name", s.name);
    v("title", s.title);
    v("status", s.status, bound(vs::publication_status, 1));
    v("experimental", s.experimental);
    v("date", s.date, as(prim::date_time, 1));
    v("publisher", s.publisher);
    v("description", s.description, as(prim::markdown));
    v("kind", s.kind, bound(vs::capability_statement_kind, 1));
    v("software", s.software);
    v("implementation", s.implementation);
    v("fhirVersion", s.fhir_version, bound(vs::fhir_version, 1));
    v("format", s.format, as(prim::code, 1));
    v("rest", s.rest);
  }
};

struct Bundle;

/// Any resource of the model, by value (the alternative's `resource_type` is its JSON name).
using resource_variant =
    std::variant<Patient, RelatedPerson, Encounter, Condition, Observation, DiagnosticReport, Procedure, ServiceRequest,
                 MedicationRequest, MedicationAdministration, AllergyIntolerance, Immunization, DocumentReference,
                 Appointment, Coverage, Organization, Practitioner, Location, Provenance, AuditEvent, OperationOutcome,
                 CapabilityStatement, Bundle>;

/// A resource of any type, or none: the holder for Bundle entries. Deep-copies; not thread-safe.
class any_resource {
 public:
  any_resource() = default;
  template <class T>
  requires resource_type<std::remove_cvref_t<T>> any_resource(
      T&& r);  // NOLINT: implicit on purpose (entry.resource = patient)
  any_resource(const any_resource& o);
  any_resource(any_resource&& o) noexcept;
  any_resource& operator=(const any_resource& o);
  any_resource& operator=(any_resource&& o) noexcept;
  ~any_resource();

  bool empty() const;
  explicit operator bool() const;
  /// Precondition: not empty.
  resource_variant& get();
  const resource_variant& get() const;
  /// The held resource if it is a T, else nullptr.
  template <class T>
  T* get_if();
  template <class T>
  const T* get_if() const;
  /// "Patient", "Bundle", ...; empty when none.
  std::string_view type_name() const;
  /// The held resource's id; empty when none.
  std::string_view id() const;

 private:
  std::unique_ptr<resource_variant> p_{};
};

struct Bundle : Resource {
  static constexpr std::string_view resource_type = "Bundle";
  struct Link {
    std::string relation{};  ///< self | first | previous | next | last
    std::string url{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("relation", s.relation, min1);
      v("url", s.url, as(prim::uri, 1));
    }
  };
  struct Search {
    std::string mode{};
    std::optional<decimal> score{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("mode", s.mode, bound(vs::search_entry_mode));
      v("score", s.score);
    }
  };
  struct Request {
    std::string method{};  ///< GET | HEAD | POST | PUT | DELETE | PATCH
    std::string url{};     ///< uri, e.g. "Patient/<id>"
    std::string if_none_match{};
    std::string if_modified_since{};  ///< instant
    std::string if_match{};
    std::string if_none_exist{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("method", s.method, bound(vs::http_verb, 1));
      v("url", s.url, as(prim::uri, 1));
      v("ifNoneMatch", s.if_none_match);
      v("ifModifiedSince", s.if_modified_since, as(prim::instant));
      v("ifMatch", s.if_match);
      v("ifNoneExist", s.if_none_exist);
    }
  };
  struct Response {
    std::string status{};  ///< "201 Created"
    std::string location{};
    std::string etag{};
    std::string last_modified{};  ///< instant
    any_resource outcome{};       ///< usually an OperationOutcome
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("status", s.status, min1);
      v("location", s.location, as(prim::uri));
      v("etag", s.etag);
      v("lastModified", s.last_modified, as(prim::instant));
      v("outcome", s.outcome);
    }
  };
  struct Entry {
    std::vector<Link> link{};
    std::string full_url{};  ///< uri: urn:uuid:... or absolute URL
    any_resource resource{};
    std::optional<Search> search{};
    std::optional<Request> request{};
    std::optional<Response> response{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("link", s.link);
      v("fullUrl", s.full_url, as(prim::uri));
      v("resource", s.resource);
      v("search", s.search);
      v("request", s.request);
      v("response", s.response);
    }
  };
  std::optional<Identifier> identifier{};
  std::string type{};       ///< transaction | transaction-response | searchset | ...
  std::string timestamp{};  ///< instant
  std::optional<std::int32_t> total{};
  std::vector<Link> link{};
  std::vector<Entry> entry{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    Resource::fields(s, v);
    v("identifier", s.identifier);
    v("type", s.type, bound(vs::bundle_type, 1));
    v("timestamp", s.timestamp, as(prim::instant));
    v("total", s.total, as(prim::unsigned_int));
    v("link", s.link);
    v("entry", s.entry);
  }
};

template <class T>
requires resource_type<std::remove_cvref_t<T>> any_resource::any_resource(T&& r)
    : p_(std::make_unique<resource_variant>(std::forward<T>(r))) {}
inline any_resource::any_resource(const any_resource& o)
    : p_(o.p_ ? std::make_unique<resource_variant>(*o.p_) : nullptr) {}
inline any_resource& any_resource::operator=(const any_resource& o) {
  if (this != &o) p_ = o.p_ ? std::make_unique<resource_variant>(*o.p_) : nullptr;
  return *this;
}
inline any_resource::any_resource(any_resource&& o) noexcept = default;
inline any_resource& any_resource::operator=(any_resource&& o) noexcept = default;
inline any_resource::~any_resource() = default;
inline bool any_resource::empty() const {
  return !p_;
}
inline any_resource::operator bool() const {
  return p_ != nullptr;
}
inline resource_variant& any_resource::get() {
  return *p_;
}
inline const resource_variant& any_resource::get() const {
  return *p_;
}
template <class T>
T* any_resource::get_if() {
  return p_ ? std::get_if<T>(p_.get()) : nullptr;
}
template <class T>
const T* any_resource::get_if() const {
  return p_ ? std::get_if<T>(p_.get()) : nullptr;
}
inline std::string_view any_resource::type_name() const {
  if (!p_) return {};
  return std::visit([](const auto& r) { return std::remove_cvref_t<decltype(r)>::resource_type; }, *p_);
}
inline std::string_view any_resource::id() const {
  if (!p_) return {};
  return std::visit([](const auto& r) -> std::string_view { return r.id; }, *p_);
}

/// Calls `f(T*)` with a null pointer of the resource type named `type` (e.g. "Patient") and
/// returns true, or returns false for an unknown name. Used by readers to dispatch on resourceType.
template <class F>
bool with_resource_type(std::string_view type, F&& f) {
  bool found = false;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((!found && std::variant_alternative_t<I, resource_variant>::resource_type == type
          ? (f(static_cast<std::variant_alternative_t<I, resource_variant>*>(nullptr)), found = true)
          : false),
     ...);
  }
  (std::make_index_sequence<std::variant_size_v<resource_variant>>{});
  return found;
}

}  // namespace gw::fhir
