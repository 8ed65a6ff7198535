#pragma once
/// FHIR R4 datatypes used by the gateway, as plain structs with one `fields()` description each
/// (see fhir/element.hpp for the conventions). Only the elements the gateway needs are modelled;
/// everything written is valid R4.

#include "fhir/bindings.hpp"
#include "fhir/element.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace gw::fhir {

struct Coding {
  std::string system{};  ///< uri
  std::string version{};
  std::string code{};
  std::string display{};
  std::optional<bool> user_selected{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("system", s.system, as(prim::uri));
    v("version", s.version);
    v("code", s.code, as(prim::code));
    v("display", s.display);
    v("userSelected", s.user_selected);
  }
};

struct CodeableConcept {
  std::vector<Coding> coding{};
  std::string text{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("coding", s.coding);
    v("text", s.text);
  }
};

struct Period {
  std::string start{};  ///< dateTime
  std::string end{};    ///< dateTime
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("start", s.start, as(prim::date_time));
    v("end", s.end, as(prim::date_time));
  }
};

struct Quantity {
  std::optional<decimal> value{};
  std::string comparator{};
  std::string unit{};
  std::string system{};  ///< uri, usually http://unitsofmeasure.org
  std::string code{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("value", s.value);
    v("comparator", s.comparator, bound(vs::quantity_comparator));
    v("unit", s.unit);
    v("system", s.system, as(prim::uri));
    v("code", s.code, as(prim::code));
  }
};

struct Range {
  std::optional<Quantity> low{};
  std::optional<Quantity> high{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("low", s.low);
    v("high", s.high);
  }
};

struct Identifier {
  std::string use{};
  std::optional<CodeableConcept> type{};
  std::string system{};  ///< uri
  std::string value{};
  std::optional<Period> period{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("use", s.use, bound(vs::identifier_use));
    v("type", s.type);
    v("system", s.system, as(prim::uri));
    v("value", s.value);
    v("period", s.period);
  }
};

/// Reference: literal (`Patient/123`, `urn:uuid:...`, absolute URL, `#contained`) or logical
/// (by identifier).
struct Reference {
  std::string reference{};
  std::string type{};  ///< uri (resource type name)
  std::optional<Identifier> identifier{};
  std::string display{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("reference", s.reference);
    v("type", s.type, as(prim::uri));
    v("identifier", s.identifier);
    v("display", s.display);
  }
};

struct Attachment {
  std::string content_type{};  ///< code (MIME type)
  std::string language{};      ///< code
  std::string data{};          ///< base64Binary
  std::string url{};           ///< url
  std::optional<std::int32_t> size{};
  std::string hash{};  ///< base64Binary (SHA-1)
  std::string title{};
  std::string creation{};  ///< dateTime
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("contentType", s.content_type, as(prim::code));
    v("language", s.language, as(prim::code));
    v("data", s.data, as(prim::base64));
    v("url", s.url, as(prim::url));
    v("size", s.size, as(prim::unsigned_int));
    v("hash", s.hash, as(prim::base64));
    v("title", s.title);
    v("creation", s.creation, as(prim::date_time));
  }
};

/// Extension; `value[x]` covers the value types the gateway uses. Sub-extensions in `extension`.
struct Extension {
  using value_type = std::variant<bool, std::int32_t, decimal, std::string, Code, Uri, Date, DateTime, Instant, Coding,
                                  CodeableConcept, Quantity, Period, Identifier, Reference>;
  std::string url{};  ///< uri, required
  std::vector<Extension> extension{};
  std::optional<value_type> value{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("extension", s.extension);
    v("url", s.url, as(prim::uri, 1));
    v("value", s.value);
  }
};

struct HumanName {
  std::string use{};
  std::string text{};
  std::string family{};
  std::vector<std::string> given{};
  std::vector<std::string> prefix{};
  std::vector<std::string> suffix{};
  std::optional<Period> period{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("use", s.use, bound(vs::name_use));
    v("text", s.text);
    v("family", s.family);
    v("given", s.given);
    v("prefix", s.prefix);
    v("suffix", s.suffix);
    v("period", s.period);
  }
};

struct Address {
  std::vector<Extension> extension{};  ///< e.g. VN administrative-unit extensions
  std::string use{};
  std::string type{};
  std::string text{};
  std::vector<std::string> line{};
  std::string city{};
  std::string district{};
  std::string state{};
  std::string postal_code{};
  std::string country{};
  std::optional<Period> period{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("extension", s.extension);
    v("use", s.use, bound(vs::address_use));
    v("type", s.type, bound(vs::address_type));
    v("text", s.text);
    v("line", s.line);
    v("city", s.city);
    v("district", s.district);
    v("state", s.state);
    v("postalCode", s.postal_code);
    v("country", s.country);
    v("period", s.period);
  }
};

struct ContactPoint {
  std::string system{};
  std::string value{};
  std::string use{};
  std::optional<std::int32_t> rank{};
  std::optional<Period> period{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("system", s.system, bound(vs::contact_point_system));
    v("value", s.value);
    v("use", s.use, bound(vs::contact_point_use));
    v("rank", s.rank, as(prim::positive_int));
    v("period", s.period);
  }
};

struct Annotation {
  std::optional<std::variant<Reference, std::string>> author{};
  std::string time{};  ///< dateTime
  std::string text{};  ///< markdown, required
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("author", s.author);
    v("time", s.time, as(prim::date_time));
    v("text", s.text, as(prim::markdown, 1));
  }
};

struct Meta {
  std::string version_id{};            ///< id
  std::string last_updated{};          ///< instant
  std::string source{};                ///< uri
  std::vector<std::string> profile{};  ///< canonical
  std::vector<Coding> security{};
  std::vector<Coding> tag{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("versionId", s.version_id, as(prim::id));
    v("lastUpdated", s.last_updated, as(prim::instant));
    v("source", s.source, as(prim::uri));
    v("profile", s.profile, as(prim::canonical));
    v("security", s.security);
    v("tag", s.tag);
  }
};

struct Narrative {
  std::string status{};  ///< generated | extensions | additional | empty
  std::string div{};     ///< xhtml: `<div xmlns="http://www.w3.org/1999/xhtml">...</div>`
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("status", s.status, bound(vs::narrative_status, 1));
    v("div", s.div, as(prim::xhtml, 1));
  }
};

/// Timing (for Dosage): events or a repeat rule.
struct Timing {
  struct Repeat {
    std::optional<std::variant<Period, Range>> bounds{};
    std::optional<std::int32_t> count{};
    std::optional<decimal> duration{};
    std::string duration_unit{};
    std::optional<std::int32_t> frequency{};
    std::optional<decimal> period{};
    std::string period_unit{};
    std::vector<std::string> time_of_day{};  ///< time
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("bounds", s.bounds);
      v("count", s.count, as(prim::positive_int));
      v("duration", s.duration);
      v("durationUnit", s.duration_unit, bound(vs::units_of_time));
      v("frequency", s.frequency, as(prim::positive_int));
      v("period", s.period);
      v("periodUnit", s.period_unit, bound(vs::units_of_time));
      v("timeOfDay", s.time_of_day, as(prim::time));
    }
  };
  std::vector<std::string> event{};  ///< dateTime
  std::optional<Repeat> repeat{};
  std::optional<CodeableConcept> code{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("event", s.event, as(prim::date_time));
    v("repeat", s.repeat);
    v("code", s.code);
  }
};

struct Dosage {
  struct DoseAndRate {
    std::optional<CodeableConcept> type{};
    std::optional<std::variant<Range, Quantity>> dose{};
    std::optional<std::variant<Range, Quantity>> rate{};
    template <class S, class V>
    static void fields(S& s, V& v) {
      v("type", s.type);
      v("dose", s.dose);
      v("rate", s.rate);
    }
  };
  std::optional<std::int32_t> sequence{};
  std::string text{};
  std::vector<CodeableConcept> additional_instruction{};
  std::string patient_instruction{};
  std::optional<Timing> timing{};
  std::optional<std::variant<bool, CodeableConcept>> as_needed{};
  std::optional<CodeableConcept> site{};
  std::optional<CodeableConcept> route{};
  std::optional<CodeableConcept> method{};
  std::vector<DoseAndRate> dose_and_rate{};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("sequence", s.sequence);
    v("text", s.text);
    v("additionalInstruction", s.additional_instruction);
    v("patientInstruction", s.patient_instruction);
    v("timing", s.timing);
    v("asNeeded", s.as_needed);
    v("site", s.site);
    v("route", s.route);
    v("method", s.method);
    v("doseAndRate", s.dose_and_rate);
  }
};

/// The JSON suffix of a choice-element alternative (`value` + `Quantity` → `valueQuantity`).
template <class T>
constexpr std::string_view choice_suffix() {
  if constexpr (std::is_same_v<T, bool>)
    return "Boolean";
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return "Integer";
  else if constexpr (std::is_same_v<T, decimal>)
    return "Decimal";
  else if constexpr (std::is_same_v<T, PositiveInt>)
    return "PositiveInt";
  else if constexpr (std::is_same_v<T, std::string>)
    return "String";
  else if constexpr (std::is_same_v<T, Code>)
    return "Code";
  else if constexpr (std::is_same_v<T, Uri>)
    return "Uri";
  else if constexpr (std::is_same_v<T, Date>)
    return "Date";
  else if constexpr (std::is_same_v<T, DateTime>)
    return "DateTime";
  else if constexpr (std::is_same_v<T, Instant>)
    return "Instant";
  else if constexpr (std::is_same_v<T, Time>)
    return "Time";
  else if constexpr (std::is_same_v<T, Base64Binary>)
    return "Base64Binary";
  else if constexpr (std::is_same_v<T, Coding>)
    return "Coding";
  else if constexpr (std::is_same_v<T, CodeableConcept>)
    return "CodeableConcept";
  else if constexpr (std::is_same_v<T, Quantity>)
    return "Quantity";
  else if constexpr (std::is_same_v<T, Range>)
    return "Range";
  else if constexpr (std::is_same_v<T, Period>)
    return "Period";
  else if constexpr (std::is_same_v<T, Identifier>)
    return "Identifier";
  else if constexpr (std::is_same_v<T, Reference>)
    return "Reference";
  else if constexpr (std::is_same_v<T, Attachment>)
    return "Attachment";
  else
    static_assert(sizeof(T) == 0, "no choice suffix for this type");
}

}  // namespace gw::fhir
