#pragma once
/// Value sets for the coded elements the gateway emits; the model's `fields()` descriptions bind
/// elements to them and the validator checks them. Code lists are FHIR R4 (4.0.1).

#include "fhir/element.hpp"

#include <string_view>

namespace gw::fhir::vs {

namespace detail {
using sv = std::string_view;
inline constexpr sv gender[] = {"male", "female", "other", "unknown"};
inline constexpr sv identifier_use[] = {"usual", "official", "temp", "secondary", "old"};
inline constexpr sv name_use[] = {"usual", "official", "temp", "nickname", "anonymous", "old", "maiden"};
inline constexpr sv address_use[] = {"home", "work", "temp", "old", "billing"};
inline constexpr sv address_type[] = {"postal", "physical", "both"};
inline constexpr sv contact_system[] = {"phone", "fax", "email", "pager", "url", "sms", "other"};
inline constexpr sv contact_use[] = {"home", "work", "temp", "old", "mobile"};
inline constexpr sv quantity_comparator[] = {"<", "<=", ">=", ">"};
inline constexpr sv narrative_status[] = {"generated", "extensions", "additional", "empty"};
inline constexpr sv link_type[] = {"replaced-by", "replaces", "refer", "seealso"};
inline constexpr sv encounter_status[] = {"planned",  "arrived",   "triaged",          "in-progress", "onleave",
                                          "finished", "cancelled", "entered-in-error", "unknown"};
inline constexpr sv act_code[] = {"AMB", "EMER", "FLD", "HH", "IMP", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "VR"};
inline constexpr sv encounter_location_status[] = {"planned", "active", "reserved", "completed"};
inline constexpr sv observation_status[] = {"registered", "preliminary",      "final",  "amended", "corrected",
                                            "cancelled",  "entered-in-error", "unknown"};
inline constexpr sv observation_category[] = {"social-history", "vital-signs", "imaging", "laboratory", "procedure",
                                              "survey",         "exam",        "therapy", "activity"};
inline constexpr sv report_status[] = {"registered", "partial",   "preliminary",      "final",  "amended", "corrected",
                                       "appended",   "cancelled", "entered-in-error", "unknown"};
inline constexpr sv procedure_status[] = {"preparation", "in-progress", "not-done",         "on-hold",
                                          "stopped",     "completed",   "entered-in-error", "unknown"};
inline constexpr sv request_status[] = {"draft",     "active",           "on-hold", "revoked",
                                        "completed", "entered-in-error", "unknown"};
inline constexpr sv request_intent[] = {"proposal",     "plan",         "directive",      "order", "original-order",
                                        "reflex-order", "filler-order", "instance-order", "option"};
inline constexpr sv request_priority[] = {"routine", "urgent", "asap", "stat"};
inline constexpr sv medication_request_status[] = {"active",           "on-hold", "cancelled", "completed",
                                                   "entered-in-error", "stopped", "draft",     "unknown"};
inline constexpr sv medication_request_intent[] = {"proposal",     "plan",         "order",          "original-order",
                                                   "reflex-order", "filler-order", "instance-order", "option"};
inline constexpr sv medication_admin_status[] = {"in-progress",      "not-done", "on-hold", "completed",
                                                 "entered-in-error", "stopped",  "unknown"};
inline constexpr sv units_of_time[] = {"s", "min", "h", "d", "wk", "mo", "a"};
inline constexpr sv allergy_type[] = {"allergy", "intolerance"};
inline constexpr sv allergy_category[] = {"food", "medication", "environment", "biologic"};
inline constexpr sv allergy_criticality[] = {"low", "high", "unable-to-assess"};
inline constexpr sv reaction_severity[] = {"mild", "moderate", "severe"};
inline constexpr sv immunization_status[] = {"completed", "entered-in-error", "not-done"};
inline constexpr sv document_reference_status[] = {"current", "superseded", "entered-in-error"};
inline constexpr sv composition_status[] = {"preliminary", "final", "amended", "entered-in-error"};
inline constexpr sv appointment_status[] = {"proposed",  "pending", "booked",           "arrived",    "fulfilled",
                                            "cancelled", "noshow",  "entered-in-error", "checked-in", "waitlist"};
inline constexpr sv participant_required[] = {"required", "optional", "information-only"};
inline constexpr sv participation_status[] = {"accepted", "declined", "tentative", "needs-action"};
inline constexpr sv fm_status[] = {"active", "cancelled", "draft", "entered-in-error"};
inline constexpr sv location_status[] = {"active", "suspended", "inactive"};
inline constexpr sv location_mode[] = {"instance", "kind"};
inline constexpr sv provenance_entity_role[] = {"derivation", "revision", "quotation", "source", "removal"};
inline constexpr sv audit_action[] = {"C", "R", "U", "D", "E"};
inline constexpr sv audit_outcome[] = {"0", "4", "8", "12"};
inline constexpr sv audit_network_type[] = {"1", "2", "3", "4", "5"};
inline constexpr sv issue_severity[] = {"fatal", "error", "warning", "information"};
inline constexpr sv issue_type[] = {
    "invalid",          "structure", "required",     "value",      "invariant",    "security",      "login",
    "unknown",          "expired",   "forbidden",    "suppressed", "processing",   "not-supported", "duplicate",
    "multiple-matches", "not-found", "deleted",      "too-long",   "code-invalid", "extension",     "too-costly",
    "business-rule",    "conflict",  "transient",    "lock-error", "no-store",     "exception",     "timeout",
    "incomplete",       "throttled", "informational"};
inline constexpr sv publication_status[] = {"draft", "active", "retired", "unknown"};
inline constexpr sv capability_kind[] = {"instance", "capability", "requirements"};
inline constexpr sv restful_mode[] = {"client", "server"};
inline constexpr sv type_interaction[] = {"read",         "vread",  "update",     "patch", "delete", "history-instance",
                                          "history-type", "create", "search-type"};
inline constexpr sv system_interaction[] = {"transaction", "batch", "search-system", "history-system"};
inline constexpr sv versioning_policy[] = {"no-version", "versioned", "versioned-update"};
inline constexpr sv search_param_type[] = {"number",    "date",     "string", "token",  "reference",
                                           "composite", "quantity", "uri",    "special"};
inline constexpr sv fhir_version[] = {"4.0.1", "4.0.0"};
inline constexpr sv resource_types[] = {"Patient",
                                        "RelatedPerson",
                                        "Encounter",
                                        "Condition",
                                        "Observation",
                                        "DiagnosticReport",
                                        "Procedure",
                                        "ServiceRequest",
                                        "MedicationRequest",
                                        "MedicationAdministration",
                                        "AllergyIntolerance",
                                        "Immunization",
                                        "DocumentReference",
                                        "Appointment",
                                        "Coverage",
                                        "Organization",
                                        "Practitioner",
                                        "Location",
                                        "Provenance",
                                        "AuditEvent",
                                        "OperationOutcome",
                                        "CapabilityStatement",
                                        "Bundle"};
inline constexpr sv bundle_type[] = {"document",  "message",        "transaction", "transaction-response",
                                     "batch",     "batch-response", "history",     "searchset",
                                     "collection"};
inline constexpr sv http_verb[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"};
inline constexpr sv search_entry_mode[] = {"match", "include", "outcome"};
inline constexpr sv condition_clinical[] = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"};
inline constexpr sv condition_verification[] = {"unconfirmed", "provisional", "differential",
                                                "confirmed",   "refuted",     "entered-in-error"};
}  // namespace detail

// Plain `code` elements.
inline constexpr code_set administrative_gender{"http://hl7.org/fhir/administrative-gender", detail::gender};
inline constexpr code_set identifier_use{"http://hl7.org/fhir/identifier-use", detail::identifier_use};
inline constexpr code_set name_use{"http://hl7.org/fhir/name-use", detail::name_use};
inline constexpr code_set address_use{"http://hl7.org/fhir/address-use", detail::address_use};
inline constexpr code_set address_type{"http://hl7.org/fhir/address-type", detail::address_type};
inline constexpr code_set contact_point_system{"http://hl7.org/fhir/contact-point-system", detail::contact_system};
inline constexpr code_set contact_point_use{"http://hl7.org/fhir/contact-point-use", detail::contact_use};
inline constexpr code_set quantity_comparator{"http://hl7.org/fhir/quantity-comparator", detail::quantity_comparator};
inline constexpr code_set narrative_status{"http://hl7.org/fhir/narrative-status", detail::narrative_status};
inline constexpr code_set link_type{"http://hl7.org/fhir/link-type", detail::link_type};
inline constexpr code_set encounter_status{"http://hl7.org/fhir/encounter-status", detail::encounter_status};
inline constexpr code_set encounter_location_status{"http://hl7.org/fhir/encounter-location-status",
                                                    detail::encounter_location_status};
inline constexpr code_set observation_status{"http://hl7.org/fhir/observation-status", detail::observation_status};
inline constexpr code_set diagnostic_report_status{"http://hl7.org/fhir/diagnostic-report-status",
                                                   detail::report_status};
inline constexpr code_set event_status{"http://hl7.org/fhir/event-status", detail::procedure_status};
inline constexpr code_set request_status{"http://hl7.org/fhir/request-status", detail::request_status};
inline constexpr code_set request_intent{"http://hl7.org/fhir/request-intent", detail::request_intent};
inline constexpr code_set request_priority{"http://hl7.org/fhir/request-priority", detail::request_priority};
inline constexpr code_set medication_request_status{"http://hl7.org/fhir/CodeSystem/medicationrequest-status",
                                                    detail::medication_request_status};
inline constexpr code_set medication_request_intent{"http://hl7.org/fhir/CodeSystem/medicationrequest-intent",
                                                    detail::medication_request_intent};
inline constexpr code_set medication_admin_status{"http://terminology.hl7.org/CodeSystem/medication-admin-status",
                                                  detail::medication_admin_status};
inline constexpr code_set units_of_time{"http://unitsofmeasure.org", detail::units_of_time};
inline constexpr code_set allergy_type{"http://hl7.org/fhir/allergy-intolerance-type", detail::allergy_type};
inline constexpr code_set allergy_category{"http://hl7.org/fhir/allergy-intolerance-category",
                                           detail::allergy_category};
inline constexpr code_set allergy_criticality{"http://hl7.org/fhir/allergy-intolerance-criticality",
                                              detail::allergy_criticality};
inline constexpr code_set reaction_severity{"http://hl7.org/fhir/reaction-event-severity", detail::reaction_severity};
inline constexpr code_set immunization_status{"http://hl7.org/fhir/event-status", detail::immunization_status};
inline constexpr code_set document_reference_status{"http://hl7.org/fhir/document-reference-status",
                                                    detail::document_reference_status};
inline constexpr code_set composition_status{"http://hl7.org/fhir/composition-status", detail::composition_status};
inline constexpr code_set appointment_status{"http://hl7.org/fhir/appointmentstatus", detail::appointment_status};
inline constexpr code_set participant_required{"http://hl7.org/fhir/participantrequired", detail::participant_required};
inline constexpr code_set participation_status{"http://hl7.org/fhir/participationstatus", detail::participation_status};
inline constexpr code_set fm_status{"http://hl7.org/fhir/fm-status", detail::fm_status};
inline constexpr code_set location_status{"http://hl7.org/fhir/location-status", detail::location_status};
inline constexpr code_set location_mode{"http://hl7.org/fhir/location-mode", detail::location_mode};
inline constexpr code_set provenance_entity_role{"http://hl7.org/fhir/provenance-entity-role",
                                                 detail::provenance_entity_role};
inline constexpr code_set audit_event_action{"http://hl7.org/fhir/audit-event-action", detail::audit_action};
inline constexpr code_set audit_event_outcome{"http://hl7.org/fhir/audit-event-outcome", detail::audit_outcome};
inline constexpr code_set network_type{"http://hl7.org/fhir/network-type", detail::audit_network_type};
inline constexpr code_set issue_severity{"http://hl7.org/fhir/issue-severity", detail::issue_severity};
inline constexpr code_set issue_type{"http://hl7.org/fhir/issue-type", detail::issue_type};
inline constexpr code_set publication_status{"http://hl7.org/fhir/publication-status", detail::publication_status};
inline constexpr code_set capability_statement_kind{"http://hl7.org/fhir/capability-statement-kind",
                                                    detail::capability_kind};
inline constexpr code_set restful_capability_mode{"http://hl7.org/fhir/restful-capability-mode", detail::restful_mode};
inline constexpr code_set type_restful_interaction{"http://hl7.org/fhir/restful-interaction", detail::type_interaction};
inline constexpr code_set system_restful_interaction{"http://hl7.org/fhir/restful-interaction",
                                                     detail::system_interaction};
inline constexpr code_set versioning_policy{"http://hl7.org/fhir/versioning-policy", detail::versioning_policy};
inline constexpr code_set search_param_type{"http://hl7.org/fhir/search-param-type", detail::search_param_type};
inline constexpr code_set fhir_version{"http://hl7.org/fhir/FHIR-version", detail::fhir_version};
inline constexpr code_set resource_types{"http://hl7.org/fhir/resource-types", detail::resource_types};
inline constexpr code_set bundle_type{"http://hl7.org/fhir/bundle-type", detail::bundle_type};
inline constexpr code_set http_verb{"http://hl7.org/fhir/http-verb", detail::http_verb};
inline constexpr code_set search_entry_mode{"http://hl7.org/fhir/search-entry-mode", detail::search_entry_mode};

// Coding / CodeableConcept bindings: codings of `system` must use one of the codes.
inline constexpr code_set encounter_class{"http://terminology.hl7.org/CodeSystem/v3-ActCode", detail::act_code, false};
inline constexpr code_set observation_category{"http://terminology.hl7.org/CodeSystem/observation-category",
                                               detail::observation_category};
inline constexpr code_set condition_clinical{"http://terminology.hl7.org/CodeSystem/condition-clinical",
                                             detail::condition_clinical};
inline constexpr code_set condition_verification{"http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                                 detail::condition_verification};

}  // namespace gw::fhir::vs
