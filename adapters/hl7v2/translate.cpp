#include "adapters/hl7v2/translate.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "adapters/hl7v2/detail/text.hpp"
#include "fhir/bundle.hpp"
#include "fhir/ids.hpp"
#include "fhir/text.hpp"

namespace gw::hl7v2 {

using fhir::Annotation;
using fhir::CodeableConcept;
using fhir::Coding;
using fhir::concept_of;
using fhir::hl7_error;
using fhir::Identifier;
using fhir::issue_code;
using fhir::Reference;
using fhir::severity;
using fhir::type_slash_id;

namespace {

constexpr std::string_view v2_system = "http://terminology.hl7.org/CodeSystem/v2-";
constexpr std::string_view interpretation_system = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
constexpr std::string_view participation_type = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

/// The system of v2 table `table` ("0203"), built at its final size.
std::string v2_table(std::string_view table) {
  std::string s;
  s.reserve(v2_system.size() + table.size());
  s.append(v2_system).append(table);
  return s;
}

bool is_v2_table(std::string_view system, std::string_view table) {
  return system.size() == v2_system.size() + table.size() && system.starts_with(v2_system) && system.ends_with(table);
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

/// `pattern` with `{key}` replaced by `value`.
std::string fill(std::string pattern, std::string_view key, std::string_view value) {
  const std::string k = "{" + std::string(key) + "}";
  for (auto p = pattern.find(k); p != std::string::npos; p = pattern.find(k, p + value.size()))
    pattern.replace(p, k.size(), value);
  return pattern;
}

/// A name usable inside a URI: lower case letters, digits, '.', '-', '_'; others become '-'.
std::string uri_token(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '-' || l == '_';
    r += ok ? l : '-';
  }
  return r;
}

/// HL7 NM text → FHIR decimal ("+007.50" → "7.50", ".5" → "0.5", "5." → "5").
std::optional<fhir::decimal> to_decimal(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string t;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    if (s.front() == '-') t += '-';
    s.remove_prefix(1);
  }
  while (s.size() > 1 && s.front() == '0' && s[1] != '.') s.remove_prefix(1);
  if (!s.empty() && s.front() == '.') t += '0';
  t += s;
  if (!t.empty() && t.back() == '.') t.pop_back();
  if (t.empty() || t == "-") return std::nullopt;
  return fhir::decimal::parse(t);
}

struct code_display {
  std::string_view code, display;
};

constexpr std::array<code_display, 12> interpretation_displays{{
    {"H", "High"},
    {"L", "Low"},
    {"N", "Normal"},
    {"A", "Abnormal"},
    {"HH", "Critical high"},
    {"LL", "Critical low"},
    {"AA", "Critical abnormal"},
    {"<", "Off scale low"},
    {">", "Off scale high"},
    {"POS", "Positive"},
    {"NEG", "Negative"},
    {"R", "Resistant"},
}};
constexpr std::array<std::string_view, 28> v3_interpretations{
    "<", ">",  "A",  "AA", "B", "D",   "DET", "E",  "EX", "H",   "HH", "HU", "I", "IND",
    "L", "LL", "LU", "MS", "N", "NEG", "ND",  "NR", "NS", "POS", "R",  "S",  "U", "W"};

constexpr std::array<std::string_view, 9> vital_signs_loinc{"29463-7", "8310-5", "8867-4", "9279-1", "8302-2",
                                                            "85354-9", "8480-6", "8462-4", "59408-5"};

enum class msg_kind : std::uint8_t { adt, adt_person, adt_merge, oru, order, rde, mdm, vxu };

struct supported_event {
  std::string_view code, trigger;
  msg_kind kind;
};
constexpr std::array<supported_event, 19> supported{{
    {"ADT", "A01", msg_kind::adt},       {"ADT", "A02", msg_kind::adt},        {"ADT", "A03", msg_kind::adt},
    {"ADT", "A04", msg_kind::adt},       {"ADT", "A05", msg_kind::adt},        {"ADT", "A06", msg_kind::adt},
    {"ADT", "A07", msg_kind::adt},       {"ADT", "A08", msg_kind::adt},        {"ADT", "A11", msg_kind::adt},
    {"ADT", "A13", msg_kind::adt},       {"ADT", "A28", msg_kind::adt_person}, {"ADT", "A31", msg_kind::adt_person},
    {"ADT", "A40", msg_kind::adt_merge}, {"ORU", "R01", msg_kind::oru},        {"ORM", "O01", msg_kind::order},
    {"OML", "O21", msg_kind::order},     {"RDE", "O11", msg_kind::rde},        {"MDM", "T02", msg_kind::mdm},
    {"VXU", "V04", msg_kind::vxu},
}};

/// Maps one parsed message; fills `out`.
class mapper {
 public:
  mapper(const message& m, const settings& s, const context& ctx, translation& out)
      : m_(m), s_(s), ctx_(ctx), out_(out) {}

  void run() {
    {
      // A message has a handful of distinct segment ids: a short list beats a hash map.
      std::vector<std::pair<std::string_view, std::size_t>> seen;
      sequence_.reserve(m_.segment_count());
      for (std::size_t i = 0; i < m_.segment_count(); ++i) {
        const std::string_view name = m_.at(i).name();
        auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& e) { return e.first == name; });
        if (it == seen.end()) it = seen.insert(seen.end(), {name, 0});
        sequence_.push_back(++it->second);
      }
    }
    segment msh = m_.header();
    facility_ = text(msh.get(4, 1));
    const std::string code = m_.message_code().text();
    trigger_ = m_.trigger_event().text();
    if (facility_.empty()) {
      error(issue_code::required, "MSH^1^4", "MSH-4 (sending facility) is required", hl7_error::required_field_missing);
      return;
    }
    if (!ctx_.authenticated_facility.empty() && facility_ != ctx_.authenticated_facility) {
      error(issue_code::forbidden, "MSH^1^4",
            fhir::facility_mismatch_text("MSH-4", facility_, ctx_.authenticated_facility));
      return;
    }
    const supported_event* ev = nullptr;
    bool code_known = false;
    for (const auto& e : supported) {
      code_known = code_known || e.code == code;
      if (e.code == code && e.trigger == trigger_) ev = &e;
    }
    if (ev == nullptr) {
      if (code_known)
        error(issue_code::not_supported, "MSH^1^9^1^2", "trigger event not supported",
              hl7_error::unsupported_event_code);
      else
        error(issue_code::not_supported, "MSH^1^9", "message type not supported", hl7_error::unsupported_message_type);
      return;
    }
    kind_ = ev->kind;

    out_.bundle.type = "transaction";
    // At most a few resources per segment: room for the usual message up front (moving entries
    // while the Bundle grows was a visible share of the time).
    out_.bundle.entry.reserve(m_.segment_count() + 4);
    entries_.reserve(m_.segment_count() + 4);
    if (ctx_.received != std::chrono::system_clock::time_point{})
      out_.bundle.timestamp = fhir::format_instant(ctx_.received, s_.time.default_offset);
    Identifier bid;
    bid.system = s_.codes.message;
    bid.value = out_.message_key;
    out_.bundle.identifier = std::move(bid);

    const std::size_t pid_index = m_.find_index("PID");
    if (pid_index == m_.segment_count()) {
      error(issue_code::required, "PID^1", "a PID segment is required", hl7_error::segment_sequence);
      return;
    }
    if (!patient_identity(m_.at(pid_index))) return;
    const std::size_t pv1_index = m_.find_index("PV1");
    if (pv1_index < m_.segment_count()) {
      segment pv1 = m_.at(pv1_index);
      visit_ = text(pv1.get(19, 1));
      if (visit_.empty() && pv1.get(20, 4).has_value() && pv1.get(20, 1).has_value()) {
        // PV1-20 (financial class) is never a CX with an assigning authority: a sender that
        // shifted its fields by one put the visit number there.
        visit_ = text(pv1.get(20, 1));
        warning(issue_code::structure, loc(pv1, 20),
                "PV1-19 (visit number) is empty and PV1-20 holds a visit number with its "
                "assigning authority: taken as the visit number; check the sender's field order");
      }
      if (!visit_.empty()) encounter_id_ = fhir::encounter_id(facility_, visit_);
    }

    organization();
    patient(m_.at(pid_index));
    if (kind_ == msg_kind::adt) {
      if (pv1_index == m_.segment_count())
        error(issue_code::required, "PV1^1", "a PV1 segment is required", hl7_error::segment_sequence);
      else if (encounter_id_.empty())
        warning(issue_code::required, "PV1^1^19", "PV1-19 (visit number) is empty: no Encounter is written");
      else
        encounter(m_.at(pv1_index));
    }
    segments(pid_index);
  }

 private:
  // ------------------------------------------------------------------------------------------
  // Issues and small conversions
  // ------------------------------------------------------------------------------------------
  void error(issue_code c, std::string location, std::string text, hl7_error h = hl7_error::none) {
    out_.issues.push_back({severity::error, c, std::move(location), std::move(text), h});
  }
  void warning(issue_code c, std::string location, std::string text, hl7_error h = hl7_error::none) {
    out_.issues.push_back({severity::warning, c, std::move(location), std::move(text), h});
  }
  void info(std::string location, std::string text) {
    out_.issues.push_back({severity::information, issue_code::informational, std::move(location), std::move(text)});
  }

  /// HL7 location of a place in a segment; the segment's sequence number comes from a table
  /// built once per message (segment::sequence() would rescan the message for every issue).
  std::string loc(segment seg, std::size_t field, std::size_t rep = 0, std::size_t comp = 0) const {
    return hl7_location(seg.name(), sequence_[seg.index()], field, rep, comp);
  }

  /// Decoded, NFC-normalised text of a value.
  static std::string text(value v) {
    if (!v.has_value()) return {};
    // Most values: one scan and one copy, no decoding or normalisation pass.
    if (v.is_plain_ascii()) return std::string(v.raw());
    return detail::nfc(v.text());
  }

  std::string system_for(std::string_view name) const {
    if (name.empty()) return {};
    if (name == "LN" || name == "LOINC") return s_.codes.loinc;
    if (name == "I10" || name == "I10C" || name == "ICD10" || name == "ICD-10") return s_.codes.icd10;
    if (name == "I9C" || name == "I9CDX") return "http://hl7.org/fhir/sid/icd-9-cm";
    if (name == "SCT" || name == "SNOMED") return "http://snomed.info/sct";
    if (name == "UCUM") return s_.codes.ucum;
    if (name == "CVX") return "http://hl7.org/fhir/sid/cvx";
    if (name == "MVX") return "http://terminology.hl7.org/CodeSystem/MVX";
    if (name == "NDC") return "http://hl7.org/fhir/sid/ndc";
    if (name == "RXNORM") return "http://www.nlm.nih.gov/research/umls/rxnorm";
    if (name.size() == 7 && name.starts_with("HL7") && all_digits(name.substr(3))) return v2_table(name.substr(3));
    if (name.starts_with("http://") || name.starts_with("https://") || name.starts_with("urn:"))
      return std::string(name);
    // A message names the same local system over and over (every OBX of a lab panel): the URI
    // is built once per name.
    if (name != local_system_name_) {
      local_system_name_ = std::string(name);
      local_system_ = fill(fill(s_.codes.local, "facility", uri_token(facility_)), "system", uri_token(name));
    }
    return local_system_;
  }

  /// Adds the coding of a CWE/CE triplet starting at component `first` (1, 4 or 10), if it has
  /// a code; built in place.
  void add_coding_at(const components& cwe, std::size_t first, std::vector<Coding>& out) const {
    std::string code = text(cwe[first]);
    if (code.empty()) return;
    Coding& c = out.emplace_back();
    c.code = std::move(code);
    c.display = text(cwe[first + 1]);
    c.system = system_for(cwe[first + 2].text());
  }

  /// CodeableConcept of a CWE/CE/CNE value: every coding given, CWE-9 (or the text when there is
  /// no code) as text.
  CodeableConcept concept_of_cwe(value v) const {
    const components cwe(v);
    CodeableConcept c;
    for (std::size_t first : {1u, 4u, 10u}) add_coding_at(cwe, first, c.coding);
    c.text = text(cwe[9]);
    if (c.text.empty() && c.coding.empty()) c.text = text(cwe[2]);
    return c;
  }
  static bool empty(const CodeableConcept& c) { return c.coding.empty() && c.text.empty(); }

  /// The FHIR date/dateTime of a DTM/TS value (TS: first component), or nullopt.
  /// A place in the message whose location text is built only when an issue needs it.
  struct where_t {
    const mapper* m;
    segment seg;
    std::size_t field, rep = 0, comp = 0;
    std::string str() const { return m->loc(seg, field, rep, comp); }
  };
  where_t at(segment seg, std::size_t field, std::size_t rep = 0, std::size_t comp = 0) const {
    return {this, seg, field, rep, comp};
  }

  /// The FHIR date/dateTime of a DTM/TS value (TS: first component), or nullopt; conversion
  /// problems become issues at `w`.
  std::optional<fhir::fhir_time> when(value v, const where_t& w) {
    value dtm = v.component(1);
    if (!dtm.has_value()) return std::nullopt;
    scratch_.clear();
    auto t = fhir::from_hl7_dtm(dtm.raw(), scratch_, {}, s_.time);
    if (!scratch_.empty()) {
      const std::string l = w.str();
      for (auto& i : scratch_) {
        i.location = l;
        out_.issues.push_back(std::move(i));
      }
    }
    return t;
  }
  std::string date_time(value v, const where_t& w) {
    auto t = when(v, w);
    return t ? std::move(t->value) : std::string{};
  }
  /// An instant (FHIR needs the time to the second and a zone; a date alone is not one).
  std::string instant(value v, const where_t& w) {
    auto t = when(v, w);
    return t && !t->is_date() ? std::move(t->value) : std::string{};
  }

  /// "Nguyễn Văn Thử" from an XPN/XCN-style name at component `family` (then given, middle).
  std::string full_name(const components& v, std::size_t family) const {
    std::string r = text(v[family].subcomponent(1));
    for (std::size_t k : {family + 1, family + 2}) {
      std::string part = text(v[k]);
      if (part.empty()) continue;
      if (!r.empty()) r += ' ';
      r += part;
    }
    return r;
  }

  /// Fills `n` (empty) from an XPN.
  void name_of(value v, fhir::HumanName& n) const {
    const components xpn(v);
    n.family = text(xpn[1].subcomponent(1));
    n.text = n.family;  // as full_name(xpn, 1), from the parts decoded here
    for (std::size_t k : {2u, 3u}) {
      std::string part = text(xpn[k]);
      if (!part.empty()) {
        if (!n.text.empty()) n.text += ' ';
        n.text += part;
      }
      std::size_t start = 0;
      while (start < part.size()) {
        std::size_t sp = part.find(' ', start);
        if (sp == std::string::npos) sp = part.size();
        if (sp > start) n.given.push_back(part.substr(start, sp - start));
        start = sp + 1;
      }
    }
    if (std::string suffix = text(xpn[4]); !suffix.empty()) n.suffix.push_back(std::move(suffix));
    if (std::string prefix = text(xpn[5]); !prefix.empty()) n.prefix.push_back(std::move(prefix));
    std::string type = xpn[7].text();
    if (type == "L")
      n.use = "official";
    else if (type == "D")
      n.use = "usual";
    else if (type == "M")
      n.use = "maiden";
    else if (type == "N")
      n.use = "nickname";
    else if (type == "S")
      n.use = "anonymous";
  }

  std::vector<fhir::HumanName> names_of(value field) const {
    std::vector<fhir::HumanName> r;
    for (std::size_t i = 0, reps = field.repetition_count(); i < reps; ++i) {
      value rep = field.repetition(i);
      if (!rep.has_value()) continue;
      name_of(rep, r.emplace_back());  // built in place; dropped when it has no text
      if (r.back().text.empty()) r.pop_back();
    }
    return r;
  }

  /// Fills `a` (empty) from an XAD.
  void address_of(value v, fhir::Address& a) const {
    const components xad(v);
    for (std::size_t k : {1u, 2u})
      if (std::string l = text(xad[k].subcomponent(1)); !l.empty()) a.line.push_back(std::move(l));
    a.city = text(xad[3]);
    a.state = text(xad[4]);
    a.postal_code = text(xad[5]);
    std::string country = text(xad[6]);
    a.country = country == "VNM" ? std::string("VN") : std::move(country);
    std::string type = xad[7].text();
    if (type == "H" || type == "L" || type == "P")
      a.use = "home";
    else if (type == "B" || type == "O")
      a.use = "work";
    else if (type == "C")
      a.use = "temp";
    else if (type == "BA")
      a.use = "billing";
    auto add_part = [&](const std::string& part) {
      if (part.empty()) return;
      if (!a.text.empty()) a.text += ", ";
      a.text += part;
    };
    for (const auto& l : a.line) add_part(l);
    add_part(a.city);
    add_part(a.state);
    auto coded = [&](const std::string& url, std::string_view code) {
      if (code.empty()) return;
      fhir::Extension& e = a.extension.emplace_back();
      e.url = url;
      e.value = Coding{{}, {}, std::string(code), {}, {}};
    };
    coded(s_.codes.ext_province, xad[9].text());
    coded(s_.codes.ext_ward, xad[10].text());
  }

  std::vector<fhir::Address> addresses_of(value field) const {
    std::vector<fhir::Address> r;
    for (std::size_t i = 0, reps = field.repetition_count(); i < reps; ++i)
      if (field.repetition(i).has_value()) address_of(field.repetition(i), r.emplace_back());
    return r;
  }

  void telecoms_of(value field, std::string_view default_use, std::vector<fhir::ContactPoint>& out) const {
    for (std::size_t i = 0, reps = field.repetition_count(); i < reps; ++i) {
      const value xtn = field.repetition(i);
      if (!xtn.has_value()) continue;
      const components x(xtn);
      fhir::ContactPoint& c = out.emplace_back();  // built in place; dropped when it has no value
      std::string equipment = x[3].text();
      std::string use = x[2].text();
      std::string email = text(x[4]);
      if (equipment == "Internet" || equipment == "X.400" || !email.empty()) {
        c.system = "email";
        c.value = std::move(email);
      } else {
        c.system = equipment == "FX" ? "fax" : equipment == "BP" ? "pager" : "phone";
        c.value = text(x[12]);
        if (c.value.empty()) {
          c.value = text(x[6]);
          c.value += text(x[7]);
        }
        if (c.value.empty()) c.value = text(x[1]);
      }
      if (c.value.empty()) {
        out.pop_back();
        continue;
      }
      if (equipment == "CP")
        c.use = "mobile";
      else if (use == "PRN" || use == "ORN" || use == "VHN")
        c.use = "home";
      else if (use == "WPN")
        c.use = "work";
      else
        c.use = std::string(default_use);
    }
  }

  /// A practitioner named by an XCN (id = CCHN licence number): a logical reference.
  Reference practitioner(value v) const {
    const components xcn(v);
    Reference r;
    std::string id = text(xcn[1]);
    if (!id.empty()) {
      r.identifier = Identifier{};
      r.identifier->system = s_.systems.practitioner_licence;
      r.identifier->value = id;
    }
    r.display = full_name(xcn, 2);
    return r;
  }
  static bool empty(const Reference& r) { return r.reference.empty() && !r.identifier && r.display.empty(); }

  Reference patient_ref() const { return fhir::reference("Patient", patient_id_); }
  Reference encounter_ref() const { return fhir::reference("Encounter", encounter_id_); }
  std::optional<Reference> encounter_opt() const {
    if (encounter_id_.empty()) return std::nullopt;
    return encounter_ref();
  }

  /// Adds a resource as `PUT <type>/<id>`; a second resource with the same id is dropped and
  /// the first returned. The pointer stays valid while the Bundle lives (entries hold resources
  /// by pointer).
  template <class R>
  std::remove_cvref_t<R>* add(R&& r) {
    using T = std::remove_cvref_t<R>;
    std::string key = type_slash_id(T::resource_type, r.id);
    // One hash lookup for both the check and the insertion; the entry is built in place.
    const auto [it, inserted] = entries_.try_emplace(key, out_.bundle.entry.size());
    if (!inserted) return out_.bundle.entry[it->second].resource.template get_if<T>();
    fhir::Bundle::Entry& e = out_.bundle.entry.emplace_back();
    e.full_url = fhir::urn_uuid(r.id);
    e.request.emplace(fhir::Bundle::Request{});  // (clang: not emplace() of a nested struct with initialisers)
    e.request->method = "PUT";
    e.request->url = std::move(key);
    e.resource = std::forward<R>(r);
    return e.resource.template get_if<T>();
  }
  bool has(std::string_view type, const std::string& id) const { return entries_.contains(type_slash_id(type, id)); }

  // ------------------------------------------------------------------------------------------
  // Patient identity and demographics
  // ------------------------------------------------------------------------------------------
  /// Appends an identifier typed from table 0203 to `out`, built in place.
  Identifier& add_typed_identifier(std::vector<Identifier>& out, std::string_view type, std::string system,
                                   std::string value, std::string use) const {
    Identifier& i = out.emplace_back();
    i.use = std::move(use);
    i.type = concept_of(fhir::v2_0203, type);
    i.system = std::move(system);
    i.value = std::move(value);
    return i;
  }

  /// Finds the CCCD and record number in PID-3; sets patient_id_. False (with an error) when
  /// neither identifies the patient.
  bool patient_identity(segment pid) {
    value ids = pid.field(3);
    for (std::size_t i = 0, reps = ids.repetition_count(); i < reps; ++i) {
      const components cx(ids.repetition(i));
      std::string type = cx[5].text();
      std::string v = text(cx[1]);
      if (v.empty()) continue;
      if (type == "NI" && cccd_.empty() && fhir::classify_personal_id(v) == fhir::id_kind::cccd) cccd_ = v;
      if ((type == "PI" || type == "MR") && record_.empty()) record_ = v;
    }
    if (!cccd_.empty())
      patient_id_ = fhir::patient_id_from_cccd(cccd_);
    else if (!record_.empty())
      patient_id_ = fhir::facility_patient_id(facility_, record_);
    if (patient_id_.empty()) {
      error(issue_code::required, loc(pid, 3),
            "PID-3 has neither a CCCD (type NI) nor a record number (type PI or MR); nothing "
            "mapped",
            hl7_error::required_field_missing);
      return false;
    }
    return true;
  }

  /// Identifiers of a CX list (PID-3, MRG-1), with BHYT cards collected for Coverage.
  std::vector<Identifier> identifiers_of(segment seg, std::size_t field, bool collect_cards) {
    std::vector<Identifier> r;
    value ids = seg.field(field);
    for (std::size_t i = 0, reps = ids.repetition_count(); i < reps; ++i) {
      const components cx(ids.repetition(i));
      std::string v = text(cx[1]);
      if (v.empty()) continue;
      std::string type = cx[5].text();
      const where_t where = at(seg, field, i + 1, 1);
      if (type == "NI") {
        fhir::issue_list scratch;
        switch (fhir::classify_personal_id(v)) {
          case fhir::id_kind::cccd:
            fhir::check_cccd(v, {}, scratch);  // the location is set below, only when there is an issue
            add_typed_identifier(r, "NI", s_.systems.national_id, std::move(v), "official");
            break;
          case fhir::id_kind::cmnd:
            add_typed_identifier(r, "NI", s_.systems.citizen_id, std::move(v), "official");
            break;
          case fhir::id_kind::passport:
            add_typed_identifier(r, "PPN", s_.systems.passport, std::move(v), "official");
            break;
          case fhir::id_kind::unknown:
            warning(issue_code::value, where.str(), "identifier of type NI is neither a CCCD nor a CMND; not mapped");
            break;
        }
        for (auto& is : scratch) {  // shape problems of a national id do not stop the message
          is.severity = severity::warning;
          is.location = where.str();
          out_.issues.push_back(std::move(is));
        }
      } else if (type == "PI" || type == "MR") {
        add_typed_identifier(r, type, fhir::facility_record_system(s_.systems, facility_), std::move(v), "secondary");
      } else if (type == "SB") {
        Identifier& id = add_typed_identifier(r, "SB", s_.systems.insurance, v, "official");
        fhir::Period p;
        p.start = date_only(cx[7], where);
        p.end = date_only(cx[8], where);
        if (!p.start.empty() || !p.end.empty()) id.period = std::move(p);
        if (collect_cards) cards_.emplace_back(std::move(v), id.period);
      } else if (type == "PPN") {
        add_typed_identifier(r, "PPN", s_.systems.passport, std::move(v), "official");
      } else {
        std::string oid = cx[4].subcomponent(2).text();
        if (cx[4].subcomponent(3).text() == "ISO" && !oid.empty()) {
          add_typed_identifier(r, type, "urn:oid:" + oid, std::move(v), "");
        } else {
          warning(issue_code::code_invalid, loc(seg, field, i + 1, 5),
                  "identifier type not mapped (NI, PI, MR, SB, PPN or an ISO assigning authority)",
                  hl7_error::table_value_not_found);
        }
      }
    }
    return r;
  }

  std::string date_only(value v, const where_t& w) {
    auto t = when(v, w);
    return t ? t->date() : std::string{};
  }

  void organization() {
    fhir::Organization o;
    o.id = fhir::organization_id(facility_);
    Identifier i;
    i.system = s_.systems.facility;
    i.value = facility_;
    o.identifier.push_back(std::move(i));
    o.name = text(m_.header().get(4, 2));
    o.active = true;
    org_id_ = o.id;
    add(std::move(o));
  }

  void patient(segment pid) {
    fhir::Patient p;
    p.id = patient_id_;
    p.identifier = identifiers_of(pid, 3, true);
    p.name = names_of(pid.field(5));
    std::string g = pid.field(8).text();
    p.gender = g == "M"                             ? "male"
               : g == "F"                           ? "female"
               : g == "U"                           ? "unknown"
               : (g == "O" || g == "A" || g == "N") ? "other"
                                                    : "";
    if (!g.empty() && p.gender.empty())
      warning(issue_code::code_invalid, loc(pid, 8), "administrative sex not in table 0001",
              hl7_error::table_value_not_found);
    if (auto b = when(pid.field(7), at(pid, 7))) {
      p.birth_date = b->date();
      if (!b->is_date()) {
        fhir::Extension e;
        e.url = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";
        e.value = fhir::DateTime{b->value};
        p.extension.push_back(std::move(e));
      }
    }
    p.address = addresses_of(pid.field(11));
    telecoms_of(pid.field(13), "home", p.telecom);
    telecoms_of(pid.field(14), "work", p.telecom);
    if (pid.field(16).has_value()) {
      CodeableConcept ms = concept_of_cwe(pid.field(16));
      for (auto& c : ms.coding)
        if (is_v2_table(c.system, "0002")) c.system = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus";
      p.marital_status = std::move(ms);
    }
    if (pid.field(22).has_value()) {
      fhir::Extension e;
      e.url = s_.codes.ext_ethnicity;
      CodeableConcept c = concept_of_cwe(pid.field(22).repetition(0));
      if (!c.coding.empty()) {
        e.value = c.coding.front();
        p.extension.push_back(std::move(e));
      }
    }
    if (pid.field(30).text() == "Y" || pid.field(29).has_value()) {
      std::string dt = date_time(pid.field(29), at(pid, 29));
      if (!dt.empty())
        p.deceased = fhir::DateTime{dt};
      else
        p.deceased = true;
    } else if (pid.field(30).text() == "N") {
      p.deceased = false;
    }
    p.managing_organization = fhir::reference("Organization", org_id_);
    patient_ = add(std::move(p));
    coverages_from_cards();
  }

  void coverages_from_cards() {
    for (const auto& [card, period] : cards_) {
      fhir::Coverage c = fhir::bhyt_coverage(card, s_.systems, patient_ref());
      c.period = period;
      add(std::move(c));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Encounter
  // ------------------------------------------------------------------------------------------
  std::string encounter_status(segment pv1) const {
    if (trigger_ == "A03") return "finished";
    if (trigger_ == "A04") return "arrived";
    if (trigger_ == "A05") return "planned";
    if (trigger_ == "A11") return "cancelled";
    if (trigger_ == "A08" && pv1.field(45).has_value()) return "finished";
    return "in-progress";
  }

  Reference location_of(value v) const {
    const components pl(v);
    Reference r;
    r.display = text(pl[9]);
    if (r.display.empty()) {
      for (std::size_t k : {1u, 2u, 3u}) {
        std::string part = text(pl[k]);
        if (part.empty()) continue;
        if (!r.display.empty()) r.display += ' ';
        r.display += part;
      }
    }
    return r;
  }

  void encounter(segment pv1) {
    fhir::Encounter e;
    e.id = encounter_id_;
    Identifier vn;
    vn.system = fhir::episode_system(s_.systems, facility_);
    vn.value = visit_;
    e.identifier.push_back(std::move(vn));
    e.status = encounter_status(pv1);
    std::string cls = pv1.field(2).text();
    e.class_.system = std::string(fhir::cs::act_code);
    if (cls == "I" || cls == "B") {
      e.class_.code = "IMP";
      e.class_.display = "inpatient encounter";
    } else if (cls == "E") {
      e.class_.code = "EMER";
      e.class_.display = "emergency";
    } else if (cls == "P") {
      e.class_.code = "PRENC";
      e.class_.display = "pre-admission";
    } else {
      e.class_.code = "AMB";
      e.class_.display = "ambulatory";
      if (cls != "O" && cls != "R" && cls != "C")
        warning(issue_code::code_invalid, loc(pv1, 2), "patient class not in table 0004; Encounter.class set to AMB",
                hl7_error::table_value_not_found);
    }
    e.subject = patient_ref();
    fhir::Period period;
    period.start = date_time(pv1.field(44), at(pv1, 44));
    // An end only once the stay is over: admissions and registrations are still in progress.
    if (e.status == "finished") period.end = date_time(pv1.field(45), at(pv1, 45));
    const std::size_t evn = m_.find_index("EVN");
    if (evn < m_.segment_count()) {
      segment ev = m_.at(evn);
      std::string occurred = date_time(ev.field(6), at(ev, 6));
      if (occurred.empty()) occurred = date_time(ev.field(2), at(ev, 2));
      if (period.start.empty() && trigger_ == "A01") period.start = occurred;
      if (period.end.empty() && trigger_ == "A03") period.end = occurred;
    }
    if (!period.start.empty() || !period.end.empty()) e.period = period;
    if (std::string svc = text(pv1.field(10)); !svc.empty()) e.service_type = concept_of(s_.codes.department, svc);
    auto participant = [&](std::size_t f, std::string_view code, std::string_view display) {
      value list = pv1.field(f);
      for (std::size_t i = 0, reps = list.repetition_count(); i < reps; ++i) {
        Reference r = practitioner(list.repetition(i));
        if (empty(r)) continue;
        fhir::Encounter::Participant& p = e.participant.emplace_back();
        p.type.push_back(concept_of(participation_type, code, std::string(display)));
        p.individual = std::move(r);
      }
    };
    participant(7, "ATND", "attender");
    participant(8, "REF", "referrer");
    participant(9, "CON", "consultant");
    participant(17, "ADM", "admitter");
    if (pv1.field(3).has_value()) {
      fhir::Encounter::Location l;
      l.location = location_of(pv1.field(3));
      l.status = e.status == "finished" ? "completed" : e.status == "planned" ? "planned" : "active";
      e.location.push_back(std::move(l));
    }
    if (trigger_ == "A02" && pv1.field(6).has_value()) {
      fhir::Encounter::Location l;
      l.location = location_of(pv1.field(6));
      l.status = "completed";
      e.location.push_back(std::move(l));
    }
    fhir::Encounter::Hospitalization h;
    if (pv1.field(14).has_value()) {
      h.admit_source = concept_of_cwe(pv1.field(14));
      fix_table(*h.admit_source, "0023");
    }
    if (pv1.field(36).has_value()) {
      h.discharge_disposition = concept_of_cwe(pv1.field(36));
      fix_table(*h.discharge_disposition, "0112");
    }
    if (h.admit_source || h.discharge_disposition) e.hospitalization = std::move(h);
    e.service_provider = fhir::reference("Organization", org_id_);
    const std::size_t pv2_index = m_.find_index("PV2");
    if (pv2_index < m_.segment_count()) {
      value reason = m_.at(pv2_index).field(3);
      if (reason.has_value()) e.reason_code.push_back(concept_of_cwe(reason));
    }
    encounter_ = add(std::move(e));
  }

  /// Codings without a system from a field bound to a v2 table get the table's system.
  static void fix_table(CodeableConcept& c, std::string_view table) {
    for (auto& cd : c.coding)
      if (cd.system.empty()) cd.system = v2_table(table);
  }

  // ------------------------------------------------------------------------------------------
  // The other segments, in order
  // ------------------------------------------------------------------------------------------
  void segments(std::size_t pid_index) {
    std::unordered_set<std::string> z_reported;
    for (std::size_t i = 0; i < m_.segment_count(); ++i) {
      segment seg = m_.at(i);
      std::string_view id = seg.name();
      if (id == "NK1")
        related_person(seg);
      else if (id == "DG1")
        condition(seg);
      else if (id == "AL1")
        allergy(seg);
      else if (id == "IN1")
        coverage(seg);
      else if (id == "MRG")
        merge(seg);
      else if (id == "ORC")
        order_control(seg);
      else if (id == "OBR")
        order(seg);
      else if (id == "OBX")
        observation(seg);
      else if (id == "NTE")
        note(seg);
      else if (id == "RXE")
        medication_request(seg);
      else if (id == "RXR")
        route(seg);
      else if (id == "TQ1")
        timing(seg);
      else if (id == "RXA")
        immunization(seg);
      else if (id == "TXA")
        document(seg);
      else if (id == "PID" && i != pid_index)
        info(loc(seg, 0), "only the first PID of a message is mapped");
      else if (!id.empty() && id[0] == 'Z' && z_reported.insert(std::string(id)).second)
        info(loc(seg, 0), "Z-segment " + std::string(id) + " kept in the message, not mapped");
      if (id != "NTE") last_ = id;
    }
    if (kind_ == msg_kind::adt_merge && !merged_)
      error(issue_code::required, "MRG^1", "ADT^A40 needs an MRG segment", hl7_error::segment_sequence);
  }

  void related_person(segment nk1) {
    fhir::RelatedPerson r;
    r.patient = patient_ref();
    r.name = names_of(nk1.field(2));
    if (nk1.field(3).has_value()) {
      CodeableConcept rel = concept_of_cwe(nk1.field(3));
      fix_table(rel, "0063");
      r.relationship.push_back(std::move(rel));
    }
    r.address = addresses_of(nk1.field(4));
    telecoms_of(nk1.field(5), "home", r.telecom);
    telecoms_of(nk1.field(6), "work", r.telecom);
    const std::string rel_code = nk1.get(3, 1).text();
    const std::string who = r.name.empty() ? std::string{} : r.name.front().text;
    if (who.empty() && rel_code.empty()) {
      warning(issue_code::required, loc(nk1, 2), "NK1 without name or relationship; not mapped");
      return;
    }
    r.id = fhir::stable_id("RelatedPerson", patient_id_, rel_code, who);
    add(std::move(r));
  }

  void condition(segment dg1) {
    value code = dg1.field(3);
    CodeableConcept cc = concept_of_cwe(code);
    if (cc.text.empty()) cc.text = text(dg1.field(4));
    if (empty(cc)) {
      warning(issue_code::required, loc(dg1, 3), "DG1 without a diagnosis code; not mapped",
              hl7_error::required_field_missing);
      return;
    }
    const std::string key = cc.coding.empty() ? cc.text : cc.coding.front().code;
    const std::string priority = dg1.field(15).text();
    std::string role;
    if (!priority.empty())
      role = priority == "1" ? "principal" : "secondary";
    else
      role = dg1.field(1).text() == "1" ? "principal" : "secondary";

    fhir::Condition c;
    c.id = encounter_id_.empty() ? fhir::stable_id("Condition", patient_id_, key, role)
                                 : fhir::condition_id(encounter_id_, key, role);
    c.category.push_back(concept_of(fhir::cs::condition_category, "encounter-diagnosis", "Encounter Diagnosis"));
    const std::string type = dg1.field(6).text();
    c.verification_status = concept_of(fhir::cs::condition_ver_status, type == "F" ? "confirmed" : "provisional",
                                       type == "F" ? "Confirmed" : "Provisional");
    c.code = std::move(cc);
    c.subject = patient_ref();
    c.encounter = encounter_opt();
    c.recorded_date = date_time(dg1.field(5), at(dg1, 5));
    const fhir::Condition* added = add(std::move(c));
    if (encounter_ != nullptr) {
      std::string reference = type_slash_id("Condition", added->id);
      for (const auto& d : encounter_->diagnosis)
        if (d.condition.reference == reference) return;
      fhir::Encounter::Diagnosis d;
      d.condition.reference = std::move(reference);
      if (type == "A" || type == "F")
        d.use = concept_of(fhir::cs::diagnosis_role, type == "A" ? "AD" : "DD",
                           type == "A" ? "Admission diagnosis" : "Discharge diagnosis");
      if (all_digits(priority) && priority.size() < 6)
        d.rank = std::stoi(priority);
      else if (role == "principal")
        d.rank = 1;
      encounter_->diagnosis.push_back(std::move(d));
    }
  }

  void allergy(segment al1) {
    fhir::AllergyIntolerance a;
    a.code = concept_of_cwe(al1.field(3));
    if (empty(*a.code)) {
      warning(issue_code::required, loc(al1, 3), "AL1 without an allergen; not mapped",
              hl7_error::required_field_missing);
      return;
    }
    const std::string key = a.code->coding.empty() ? a.code->text : a.code->coding.front().code;
    a.id = fhir::stable_id("AllergyIntolerance", patient_id_, key);
    a.clinical_status =
        concept_of("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active");
    const std::string type = al1.get(2, 1).text();
    a.type = "allergy";
    if (type == "DA")
      a.category.push_back("medication");
    else if (type == "FA")
      a.category.push_back("food");
    else if (type == "EA" || type == "AA" || type == "PA" || type == "LA")
      a.category.push_back("environment");
    const std::string sev = al1.get(4, 1).text();
    if (sev == "SV")
      a.criticality = "high";
    else if (sev == "MO" || sev == "MI")
      a.criticality = "low";
    else if (sev == "U")
      a.criticality = "unable-to-assess";
    a.patient = patient_ref();
    a.encounter = encounter_opt();
    a.recorded_date = date_time(al1.field(6), at(al1, 6));
    fhir::AllergyIntolerance::Reaction r;
    value reactions = al1.field(5);
    for (std::size_t i = 0, reps = reactions.repetition_count(); i < reps; ++i) {
      std::string t = text(reactions.repetition(i));
      if (!t.empty()) r.manifestation.push_back(concept_of({}, {}, {}, t));
    }
    if (!r.manifestation.empty()) {
      r.severity = sev == "SV" ? "severe" : sev == "MO" ? "moderate" : sev == "MI" ? "mild" : "";
      a.reaction.push_back(std::move(r));
    }
    add(std::move(a));
  }

  void coverage(segment in1) {
    std::string policy = text(in1.field(36));
    if (policy.empty()) policy = text(in1.get(49, 1));
    if (policy.empty()) {
      warning(issue_code::required, loc(in1, 36), "IN1 without a policy number; not mapped",
              hl7_error::required_field_missing);
      return;
    }
    fhir::Coverage c = fhir::bhyt_coverage(policy, s_.systems, patient_ref());
    if (policy.size() != 15) {
      c.id = fhir::stable_id("Coverage", facility_, text(in1.get(2, 1)), policy);
      c.type.reset();
      c.payor.clear();
      Reference payor;
      std::string company = text(in1.get(3, 1));
      if (!company.empty()) {
        payor.identifier = Identifier{};
        payor.identifier->value = company;
      }
      payor.display = text(in1.get(4, 1));
      if (empty(payor)) payor.display = "unknown";
      c.payor.push_back(std::move(payor));
    }
    fhir::Period p;
    p.start = date_only(in1.field(12), at(in1, 12));
    p.end = date_only(in1.field(13), at(in1, 13));
    if (!p.start.empty() || !p.end.empty()) c.period = p;
    const std::string rel = in1.get(17, 1).text();
    if (!rel.empty()) {
      std::string code = rel == "SEL" ? "self" : rel == "SPO" ? "spouse" : rel == "CHD" ? "child" : "other";
      c.relationship = concept_of("http://terminology.hl7.org/CodeSystem/subscriber-relationship", code);
    }
    add(std::move(c));
  }

  void merge(segment mrg) {
    merged_ = true;
    std::string old_cccd, old_record;
    value ids = mrg.field(1);
    for (std::size_t i = 0, reps = ids.repetition_count(); i < reps; ++i) {
      const components cx(ids.repetition(i));
      std::string type = cx[5].text();
      std::string v = text(cx[1]);
      if (type == "NI" && fhir::classify_personal_id(v) == fhir::id_kind::cccd) old_cccd = v;
      if ((type == "PI" || type == "MR") && old_record.empty()) old_record = v;
    }
    std::string old_id = !old_cccd.empty()     ? fhir::patient_id_from_cccd(old_cccd)
                         : !old_record.empty() ? fhir::facility_patient_id(facility_, old_record)
                                               : std::string{};
    if (old_id.empty()) {
      error(issue_code::required, loc(mrg, 1), "MRG-1 has neither a CCCD nor a record number: nothing to merge",
            hl7_error::required_field_missing);
      return;
    }
    if (old_id == patient_id_) {
      warning(issue_code::invariant, loc(mrg, 1), "MRG-1 names the surviving patient itself");
      return;
    }
    fhir::Patient old;
    old.id = old_id;
    old.identifier = identifiers_of(mrg, 1, false);
    for (auto& i : old.identifier) i.use = "old";
    old.active = false;
    fhir::Patient::Link to_survivor;
    to_survivor.other = patient_ref();
    to_survivor.type = "replaced-by";
    old.link.push_back(std::move(to_survivor));
    old.managing_organization = fhir::reference("Organization", org_id_);
    if (patient_ != nullptr) {
      // Nothing lost: the survivor keeps the merged record's identifiers as old ones.
      for (const auto& i : old.identifier) patient_->identifier.push_back(i);
      fhir::Patient::Link replaces;
      replaces.other = fhir::reference("Patient", old_id);
      replaces.type = "replaces";
      patient_->link.push_back(std::move(replaces));
      patient_->active = true;
    }
    add(std::move(old));
  }

  // ------------------------------------------------------------------------------------------
  // Orders and results
  // ------------------------------------------------------------------------------------------
  struct order_state {
    std::optional<std::size_t> orc;
    fhir::ServiceRequest* request = nullptr;
    fhir::DiagnosticReport* report = nullptr;
    std::string key;  ///< filler (else placer) order number, for result ids
    std::string category = "LAB";
  };

  void order_control(segment orc) {
    order_ = order_state{};
    order_.orc = orc.index();
    medication_ = nullptr;
    immunization_ = nullptr;
    pending_tq1_.reset();
  }

  /// Placer / filler order numbers from OBR-2/3, else ORC-2/3 (EI: id^namespace).
  std::pair<std::string, std::string> order_numbers(std::optional<segment> obr) const {
    std::string placer, filler;
    if (obr) {
      placer = text(obr->get(2, 1));
      filler = text(obr->get(3, 1));
    }
    if (order_.orc) {
      segment orc = m_.at(*order_.orc);
      if (placer.empty()) placer = text(orc.get(2, 1));
      if (filler.empty()) filler = text(orc.get(3, 1));
    }
    return {placer, filler};
  }

  std::string request_status(bool result_message) const {
    if (result_message) return "completed";
    if (!order_.orc) return "active";
    segment orc = m_.at(*order_.orc);
    const std::string control = orc.field(1).text();
    const std::string status = orc.field(5).text();
    if (control == "CA" || control == "DC" || control == "OC" || control == "CR") return "revoked";
    if (control == "HD" || status == "HD") return "on-hold";
    if (status == "CM") return "completed";
    if (status == "CA" || status == "DC") return "revoked";
    return "active";
  }

  void add_order_identifier(std::vector<Identifier>& out, std::string_view type, const std::string& system_pattern,
                            const std::string& value) const {
    add_typed_identifier(out, type, fill(system_pattern, "facility", facility_), value, "");
  }

  void order(segment obr) {
    if (!order_.orc || order_.request != nullptr) {
      // An OBR without its own ORC (ORU) starts a new order group.
      std::optional<std::size_t> orc = order_.request == nullptr ? order_.orc : std::nullopt;
      order_ = order_state{};
      order_.orc = orc;
    }
    auto [placer, filler] = order_numbers(obr);
    order_.key = !filler.empty() ? filler : placer;
    if (order_.key.empty()) {
      order_.key = m_.control_id().text() + "/" + obr.field(1).text();
      warning(issue_code::required, loc(obr, 2),
              "OBR has no placer or filler order number: ids derived from the message");
    }
    std::string cat = obr.field(24).text();
    if (!cat.empty()) order_.category = cat;

    fhir::ServiceRequest sr;
    sr.id = fhir::stable_id("ServiceRequest", facility_, placer.empty() ? order_.key : placer);
    if (!placer.empty()) add_order_identifier(sr.identifier, "PLAC", s_.codes.placer_order, placer);
    if (!filler.empty()) add_order_identifier(sr.identifier, "FILL", s_.codes.filler_order, filler);
    sr.status = request_status(kind_ == msg_kind::oru);
    sr.intent = "order";
    sr.code = concept_of_cwe(obr.field(4));
    sr.subject = patient_ref();
    sr.encounter = encounter_opt();
    if (order_.orc) {
      segment orc = m_.at(*order_.orc);
      sr.authored_on = date_time(orc.field(9), at(orc, 9));
      Reference req = practitioner(orc.field(12));
      if (!empty(req)) sr.requester = std::move(req);
    }
    if (sr.authored_on.empty()) sr.authored_on = date_time(obr.field(6), at(obr, 6));
    if (!sr.requester) {
      Reference req = practitioner(obr.field(16));
      if (!empty(req)) sr.requester = std::move(req);
    }
    value reasons = obr.field(31);
    for (std::size_t i = 0, reps = reasons.repetition_count(); i < reps; ++i)
      if (reasons.repetition(i).has_value()) sr.reason_code.push_back(concept_of_cwe(reasons.repetition(i)));
    const std::string sr_id = sr.id;
    order_.request = add(std::move(sr));

    if (kind_ != msg_kind::oru) return;
    fhir::DiagnosticReport dr;
    dr.id = fhir::stable_id("DiagnosticReport", facility_, order_.key);
    if (!filler.empty()) add_order_identifier(dr.identifier, "FILL", s_.codes.filler_order, filler);
    dr.based_on.push_back(fhir::reference("ServiceRequest", sr_id));
    dr.status = report_status(obr.field(25).text());
    dr.category.push_back(concept_of(v2_table("0074"), order_.category));
    dr.code = concept_of_cwe(obr.field(4));
    dr.subject = patient_ref();
    dr.encounter = encounter_opt();
    std::string start = date_time(obr.field(7), at(obr, 7));
    std::string end = date_time(obr.field(8), at(obr, 8));
    if (!end.empty())
      dr.effective = fhir::Period{start, end};
    else if (!start.empty())
      dr.effective = fhir::DateTime{start};
    dr.issued = instant(obr.field(22), at(obr, 22));
    value interpreters = obr.field(32);
    for (std::size_t i = 0, reps = interpreters.repetition_count(); i < reps; ++i) {
      value cnn = interpreters.repetition(i).component(1);
      std::string id = text(cnn.subcomponent(1));
      if (id.empty()) continue;
      Reference r;
      r.identifier = Identifier{};
      r.identifier->system = s_.systems.practitioner_licence;
      r.identifier->value = id;
      std::string family = text(cnn.subcomponent(2)), given = text(cnn.subcomponent(3));
      r.display = family + (family.empty() || given.empty() ? "" : " ") + given;
      dr.results_interpreter.push_back(std::move(r));
    }
    order_.report = add(std::move(dr));
  }

  static std::string report_status(std::string_view s) {
    if (s == "F") return "final";
    if (s == "C") return "corrected";
    if (s == "P") return "preliminary";
    if (s == "X") return "cancelled";
    if (s == "O" || s == "I") return "registered";
    if (s == "A" || s == "R" || s == "S") return "partial";
    return "unknown";
  }

  static std::string observation_status(std::string_view s) {
    if (s == "F" || s == "U") return "final";
    if (s == "C") return "corrected";
    if (s == "P" || s == "R" || s == "S") return "preliminary";
    if (s == "X") return "cancelled";
    if (s == "D" || s == "W") return "entered-in-error";
    if (s == "I") return "registered";
    return "unknown";
  }

  /// OBX-6 units → Quantity unit/system/code.
  void set_units(fhir::Quantity& q, value v) const {
    const components units(v);
    std::string code = text(units[1]);
    std::string display = text(units[2]);
    if (units[3].text() == "UCUM" && !code.empty()) {
      q.system = s_.codes.ucum;
      q.code = code;
    }
    q.unit = display.empty() ? std::move(code) : std::move(display);
  }

  /// OBX-7 "4.0-10.0", "<5", ">=2" or text.
  std::optional<fhir::Observation::ReferenceRange> range_of(const std::string& r, value units) const {
    if (r.empty()) return std::nullopt;
    fhir::Observation::ReferenceRange rr;
    std::optional<fhir::Quantity> unit;  // the units, read once for both ends
    auto quantity = [&](std::string_view t) -> std::optional<fhir::Quantity> {
      auto d = to_decimal(t);
      if (!d) return std::nullopt;
      if (!unit) set_units(unit.emplace(), units);
      fhir::Quantity q = *unit;
      q.value = *d;
      return q;
    };
    std::string_view s = r;
    bool ok = false;
    if (s.starts_with("<")) {
      rr.high = quantity(s.substr(s.starts_with("<=") ? 2 : 1));
      ok = rr.high.has_value();
    } else if (s.starts_with(">")) {
      rr.low = quantity(s.substr(s.starts_with(">=") ? 2 : 1));
      ok = rr.low.has_value();
    } else if (auto dash = s.find('-', 1); dash != std::string_view::npos) {
      rr.low = quantity(s.substr(0, dash));
      rr.high = quantity(s.substr(dash + 1));
      ok = rr.low && rr.high;
    }
    if (!ok) {
      rr.low.reset();
      rr.high.reset();
    }
    rr.text = r;
    return rr;
  }

  void observation(segment obx) {
    if (kind_ == msg_kind::mdm) return document_content(obx);
    if (kind_ == msg_kind::vxu || kind_ == msg_kind::rde) {
      info(loc(obx, 0), "OBX in this message type is not mapped");
      return;
    }
    fhir::Observation o;
    o.code = concept_of_cwe(obx.field(3));
    if (empty(o.code)) {
      warning(issue_code::required, loc(obx, 3), "OBX without an observation identifier; not mapped",
              hl7_error::required_field_missing);
      return;
    }
    const std::string code_key = o.code.coding.empty() ? o.code.text : o.code.coding.front().code;
    const std::string sub_id = obx.field(4).text();
    const bool in_report = order_.report != nullptr;
    if (in_report)
      o.id = fhir::stable_id("Observation", facility_, order_.key, code_key, sub_id);
    else
      o.id = fhir::stable_id("Observation", encounter_id_.empty() ? patient_id_ : encounter_id_, "OBX", code_key,
                             sub_id, obx.field(14).component(1).raw());
    if (has("Observation", o.id)) o.id = fhir::stable_id("Observation", o.id, "set", obx.field(1).text());
    o.status = observation_status(obx.field(11).text());
    if (in_report) {
      o.category.push_back(order_.category == "RAD"
                               ? concept_of(fhir::cs::observation_category, "imaging", "Imaging")
                               : concept_of(fhir::cs::observation_category, "laboratory", "Laboratory"));
    } else {
      for (const auto& c : o.code.coding)
        if (c.system == s_.codes.loinc &&
            std::find(vital_signs_loinc.begin(), vital_signs_loinc.end(), c.code) != vital_signs_loinc.end()) {
          o.category.push_back(concept_of(fhir::cs::observation_category, "vital-signs", "Vital Signs"));
          break;
        }
    }
    o.subject = patient_ref();
    o.encounter = encounter_opt();
    std::string eff = date_time(obx.field(14), at(obx, 14));
    if (eff.empty() && order_.report != nullptr && order_.report->effective) {
      if (const auto* dt = std::get_if<fhir::DateTime>(&*order_.report->effective)) eff = dt->value;
    }
    if (!eff.empty()) o.effective = fhir::DateTime{eff};
    observation_value(obx, o);
    value flags = obx.field(8);
    for (std::size_t i = 0, reps = flags.repetition_count(); i < reps; ++i) {
      std::string f = flags.repetition(i).component(1).text();
      if (f.empty()) continue;
      bool v3 = std::find(v3_interpretations.begin(), v3_interpretations.end(), f) != v3_interpretations.end();
      std::string display;
      for (const auto& d : interpretation_displays)
        if (d.code == f) display = std::string(d.display);
      o.interpretation.push_back(concept_of(v3 ? std::string(interpretation_system) : v2_table("0078"), f, display));
    }
    if (auto rr = range_of(text(obx.field(7)), obx.field(6))) o.reference_range.push_back(std::move(*rr));
    Reference performer = practitioner(obx.field(16));
    if (!empty(performer)) o.performer.push_back(std::move(performer));
    last_observation_ = add(std::move(o));
    if (order_.report != nullptr)
      order_.report->result.push_back(fhir::reference("Observation", last_observation_->id));
  }

  void observation_value(segment obx, fhir::Observation& o) {
    const std::string type = obx.field(2).text();
    value values = obx.field(5);
    if (!values.has_value()) return;
    const where_t where = at(obx, 5);
    if (values.repetition_count() > 1 && type != "TX" && type != "FT" && type != "ST")
      warning(issue_code::value, where.str(), "only the first repetition of OBX-5 is mapped");
    value v = values.repetition(0);
    if (type == "NM") {
      auto d = to_decimal(v.text());
      if (!d) {
        warning(issue_code::value, where.str(), "OBX-5 is not a number (type NM); kept as text",
                hl7_error::data_type_error);
        o.value = text(v);
        return;
      }
      fhir::Quantity q;
      q.value = *d;
      set_units(q, obx.field(6));
      o.value = std::move(q);
    } else if (type == "SN") {
      const components sn(v);
      std::string cmp = sn[1].text();
      std::string n1 = sn[2].text(), sep = sn[3].text(), n2 = sn[4].text();
      auto d1 = to_decimal(n1);
      if (sep.empty() && d1 && (cmp.empty() || cmp == "<" || cmp == ">" || cmp == "<=" || cmp == ">=")) {
        fhir::Quantity q;
        q.value = *d1;
        q.comparator = cmp;
        set_units(q, obx.field(6));
        o.value = std::move(q);
      } else if ((sep == "-" || sep == "") && d1 && to_decimal(n2) && cmp.empty()) {
        fhir::Range r;
        r.low = fhir::Quantity{};
        r.low->value = *d1;
        set_units(*r.low, obx.field(6));
        r.high = *r.low;
        r.high->value = *to_decimal(n2);
        o.value = std::move(r);
      } else {
        o.value = cmp + n1 + sep + n2;  // ratios and the like: as written
      }
    } else if (type == "ST" || type == "TX" || type == "FT") {
      std::string all;
      for (std::size_t i = 0, reps = values.repetition_count(); i < reps; ++i) {
        if (i > 0) all += '\n';
        all += text(values.repetition(i));
      }
      if (!all.empty()) o.value = std::move(all);
    } else if (type == "CE" || type == "CWE" || type == "CNE" || type == "CF") {
      o.value = concept_of_cwe(v);
    } else if (type == "DT" || type == "DTM" || type == "TS") {
      std::string dt = date_time(v, where);
      if (!dt.empty()) o.value = fhir::DateTime{dt};
    } else {
      info(where.str(), "OBX value type " + type + " kept as text");
      std::string t = text(v);
      if (!t.empty()) o.value = std::move(t);
    }
  }

  void note(segment nte) {
    std::string t;
    value comments = nte.field(3);
    for (std::size_t i = 0, reps = comments.repetition_count(); i < reps; ++i) {
      if (i > 0) t += '\n';
      t += text(comments.repetition(i));
    }
    if (t.empty()) return;
    Annotation a;
    a.text = std::move(t);
    if (last_ == "OBX" && last_observation_ != nullptr)
      last_observation_->note.push_back(a);
    else if ((last_ == "OBR" || last_ == "ORC") && order_.request != nullptr)
      order_.request->note.push_back(a);
    else if ((last_ == "RXE" || last_ == "RXR" || last_ == "TQ1") && medication_ != nullptr)
      medication_->note.push_back(a);
    else if ((last_ == "RXA" || last_ == "RXR") && immunization_ != nullptr)
      immunization_->note.push_back(a);
    else if (last_ != "OBX")
      info(loc(nte, 0), "NTE here is not mapped");
  }

  // ------------------------------------------------------------------------------------------
  // Pharmacy, immunization, documents
  // ------------------------------------------------------------------------------------------
  void medication_request(segment rxe) {
    auto [placer, filler] = order_numbers(std::nullopt);
    fhir::MedicationRequest mr;
    CodeableConcept drug = concept_of_cwe(rxe.field(2));
    if (empty(drug)) {
      warning(issue_code::required, loc(rxe, 2), "RXE without a give code; not mapped",
              hl7_error::required_field_missing);
      return;
    }
    const std::string key = drug.coding.empty() ? drug.text : drug.coding.front().code;
    mr.id = fhir::stable_id("MedicationRequest", facility_, placer.empty() ? m_.control_id().text() : placer, key);
    if (!placer.empty()) add_order_identifier(mr.identifier, "PLAC", s_.codes.placer_order, placer);
    if (!filler.empty()) add_order_identifier(mr.identifier, "FILL", s_.codes.filler_order, filler);
    std::string st = request_status(false);
    mr.status = st == "revoked" ? "cancelled" : st;
    mr.intent = "order";
    mr.medication = std::move(drug);
    mr.subject = patient_ref();
    mr.encounter = encounter_opt();
    if (order_.orc) {
      segment orc = m_.at(*order_.orc);
      mr.authored_on = date_time(orc.field(9), at(orc, 9));
      Reference req = practitioner(orc.field(12));
      if (!empty(req)) mr.requester = std::move(req);
    }
    fhir::Dosage dosage;
    dosage.text = text(rxe.get(7, 2));
    if (dosage.text.empty()) dosage.text = text(rxe.get(7, 1));
    if (auto amount = to_decimal(rxe.field(3).text())) {
      fhir::Dosage::DoseAndRate dr;
      fhir::Quantity q;
      q.value = *amount;
      set_units(q, rxe.field(5));
      dr.dose = std::move(q);
      dosage.dose_and_rate.push_back(std::move(dr));
    }
    if (std::string interval = text(rxe.get(1, 2)); !interval.empty()) {
      dosage.timing = fhir::Timing{};
      dosage.timing->code = concept_of({}, {}, {}, interval);
    }
    mr.dosage_instruction.push_back(std::move(dosage));
    if (auto qty = to_decimal(rxe.field(10).text())) {
      fhir::MedicationRequest::DispenseRequest d;
      d.quantity = fhir::Quantity{};
      d.quantity->value = *qty;
      set_units(*d.quantity, rxe.field(11));
      std::string refills = rxe.field(12).text();
      if (all_digits(refills) && refills.size() < 6) d.number_of_repeats_allowed = std::stoi(refills);
      mr.dispense_request = std::move(d);
    }
    medication_ = add(std::move(mr));
    immunization_ = nullptr;
    if (pending_tq1_) {
      segment tq1 = m_.at(*pending_tq1_);
      pending_tq1_.reset();
      timing(tq1);
    }
  }

  void route(segment rxr) {
    CodeableConcept r = concept_of_cwe(rxr.field(1));
    fix_table(r, "0162");
    CodeableConcept site = concept_of_cwe(rxr.field(2));
    fix_table(site, "0163");
    if (last_ == "RXA" && immunization_ != nullptr) {
      if (!empty(r)) immunization_->route = r;
      if (!empty(site)) immunization_->site = site;
    } else if (medication_ != nullptr && !medication_->dosage_instruction.empty()) {
      if (!empty(r)) medication_->dosage_instruction.front().route = r;
      if (!empty(site)) medication_->dosage_instruction.front().site = site;
    }
  }

  void timing(segment tq1) {
    // In RDE^O11 the timing (TQ1) comes before the RXE it belongs to.
    if (medication_ == nullptr || medication_->dosage_instruction.empty()) {
      pending_tq1_ = tq1.index();
      return;
    }
    auto& d = medication_->dosage_instruction.front();
    CodeableConcept pattern = concept_of_cwe(tq1.field(3));
    fix_table(pattern, "0335");
    if (!d.timing) d.timing = fhir::Timing{};
    if (!empty(pattern)) d.timing->code = pattern;
    std::string start = date_time(tq1.field(7), at(tq1, 7));
    std::string end = date_time(tq1.field(8), at(tq1, 8));
    if (!start.empty() || !end.empty()) {
      if (!d.timing->repeat) d.timing->repeat = fhir::Timing::Repeat{};
      d.timing->repeat->bounds = fhir::Period{start, end};
    }
  }

  void immunization(segment rxa) {
    fhir::Immunization im;
    im.vaccine_code = concept_of_cwe(rxa.field(5));
    if (empty(im.vaccine_code)) {
      warning(issue_code::required, loc(rxa, 5), "RXA without a vaccine code; not mapped",
              hl7_error::required_field_missing);
      return;
    }
    auto [placer, filler] = order_numbers(std::nullopt);
    const std::string key = im.vaccine_code.coding.empty() ? im.vaccine_code.text : im.vaccine_code.coding.front().code;
    im.id = !filler.empty() ? fhir::stable_id("Immunization", facility_, filler)
                            : fhir::stable_id("Immunization", patient_id_, key, rxa.field(3).component(1).raw());
    if (!filler.empty()) add_order_identifier(im.identifier, "FILL", s_.codes.filler_order, filler);
    const std::string completion = rxa.field(20).text();
    im.status = (completion == "RE" || completion == "NA") ? "not-done" : "completed";
    if (rxa.field(21).text() == "D") im.status = "entered-in-error";
    if (rxa.field(18).has_value()) im.status_reason = concept_of_cwe(rxa.field(18));
    im.patient = patient_ref();
    im.encounter = encounter_opt();
    std::string when_given = date_time(rxa.field(3), at(rxa, 3));
    if (when_given.empty()) {
      error(issue_code::required, loc(rxa, 3), "RXA-3 (date of administration) is required",
            hl7_error::required_field_missing);
      return;
    }
    im.occurrence = fhir::DateTime{when_given};
    std::string source = rxa.get(9, 1).text();
    if (source == "00")
      im.primary_source = true;
    else if (!source.empty())
      im.primary_source = false;
    im.lot_number = text(rxa.field(15).repetition(0));
    im.expiration_date = date_only(rxa.field(16), at(rxa, 16));
    if (rxa.field(17).has_value()) {
      Reference man;
      CodeableConcept mvx = concept_of_cwe(rxa.field(17));
      man.display = mvx.coding.empty() ? mvx.text : mvx.coding.front().display;
      if (!mvx.coding.empty()) {
        man.identifier = Identifier{};
        man.identifier->system = mvx.coding.front().system;
        man.identifier->value = mvx.coding.front().code;
      }
      im.manufacturer = std::move(man);
    }
    std::string amount = rxa.field(6).text();
    if (amount != "999") {
      if (auto d = to_decimal(amount)) {
        fhir::Quantity q;
        q.value = *d;
        set_units(q, rxa.field(7));
        im.dose_quantity = std::move(q);
      }
    }
    value providers = rxa.field(10);
    for (std::size_t i = 0, reps = providers.repetition_count(); i < reps; ++i) {
      Reference r = practitioner(providers.repetition(i));
      if (empty(r)) continue;
      fhir::Performer p;
      p.function = concept_of(v2_table("0443"), "AP", "Administering Provider");
      p.actor = std::move(r);
      im.performer.push_back(std::move(p));
    }
    immunization_ = add(std::move(im));
    medication_ = nullptr;
  }

  void document(segment txa) {
    fhir::DocumentReference d;
    std::string number = text(txa.get(12, 1));
    if (number.empty()) {
      number = m_.control_id().text();
      warning(issue_code::required, loc(txa, 12), "TXA-12 (unique document number) is empty: the id comes from MSH-10");
    }
    d.id = fhir::stable_id("DocumentReference", facility_, number);
    Identifier master;
    master.system = fill(s_.codes.document, "facility", facility_);
    master.value = number;
    d.master_identifier = std::move(master);
    const std::string completion = txa.field(17).text();
    d.status = completion == "CA" ? "entered-in-error" : "current";
    if (completion == "AU" || completion == "LA")
      d.doc_status = "final";
    else if (completion == "IP" || completion == "IN" || completion == "PA" || completion == "DI")
      d.doc_status = "preliminary";
    if (txa.field(2).has_value()) {
      CodeableConcept type = concept_of_cwe(txa.field(2));
      fix_table(type, "0270");
      d.type = std::move(type);
    }
    d.subject = patient_ref();
    d.date = instant(txa.field(4), at(txa, 4));
    if (d.date.empty()) d.date = instant(txa.field(6), at(txa, 6));
    value authors = txa.field(5);
    for (std::size_t i = 0, reps = authors.repetition_count(); i < reps; ++i) {
      Reference r = practitioner(authors.repetition(i));
      if (!empty(r)) d.author.push_back(std::move(r));
    }
    d.custodian = fhir::reference("Organization", org_id_);
    if (!encounter_id_.empty()) {
      d.context = fhir::DocumentReference::Context{};
      d.context->encounter.push_back(encounter_ref());
    }
    document_ = add(std::move(d));
  }

  void document_content(segment obx) {
    if (document_ == nullptr) {
      warning(issue_code::structure, loc(obx, 0), "OBX before TXA in an MDM message; not mapped",
              hl7_error::segment_sequence);
      return;
    }
    const std::string type = obx.field(2).text();
    value values = obx.field(5);
    if (!values.has_value()) return;
    fhir::DocumentReference::Content c;
    if (type == "ED") {
      const components ed(values.repetition(0));
      std::string major = lower(ed[2].text()), minor = lower(ed[3].text());
      std::string encoding = ed[4].text();
      std::string data = ed[5].raw() == "" ? std::string{} : ed[5].text();
      if (major.find('/') != std::string::npos)
        c.attachment.content_type = major;
      else if (major == "application" || major == "text" || major == "image" || major == "audio" || major == "video")
        c.attachment.content_type = major + "/" + (minor.empty() ? "octet-stream" : minor);
      else if (major == "ap")
        c.attachment.content_type = "application/" + (minor.empty() ? "octet-stream" : minor);
      else if (major == "im")
        c.attachment.content_type = "image/" + (minor.empty() ? "octet-stream" : minor);
      else
        c.attachment.content_type = "application/octet-stream";
      if (lower(encoding) == "base64") {
        if (!detail::is_base64(data)) {
          error(issue_code::value, loc(obx, 5), "OBX-5 (ED) data is not valid base64", hl7_error::data_type_error);
          return;
        }
        c.attachment.data = std::move(data);
      } else if (encoding == "A" || encoding.empty()) {
        c.attachment.data = fhir::base64_encode(data);
      } else {
        error(issue_code::not_supported, loc(obx, 5, 1, 4), "OBX-5 (ED) encoding not supported (Base64 or A)",
              hl7_error::data_type_error);
        return;
      }
    } else {
      std::string all;
      for (std::size_t i = 0, reps = values.repetition_count(); i < reps; ++i) {
        if (i > 0) all += '\n';
        all += text(values.repetition(i));
      }
      c.attachment.content_type = "text/plain; charset=utf-8";
      c.attachment.data = fhir::base64_encode(all);
    }
    if (d_title_.empty() && document_->type) d_title_ = document_->type->text;
    c.attachment.title = d_title_;
    document_->content.push_back(std::move(c));
  }

  const message& m_;
  const settings& s_;
  const context& ctx_;
  translation& out_;
  msg_kind kind_ = msg_kind::adt;
  std::string facility_, trigger_, org_id_, patient_id_, cccd_, record_, visit_, encounter_id_;
  std::string d_title_;
  std::vector<std::pair<std::string, std::optional<fhir::Period>>> cards_;
  std::unordered_map<std::string, std::size_t> entries_;
  fhir::Patient* patient_ = nullptr;
  fhir::Encounter* encounter_ = nullptr;
  fhir::Observation* last_observation_ = nullptr;
  fhir::MedicationRequest* medication_ = nullptr;
  fhir::Immunization* immunization_ = nullptr;
  fhir::DocumentReference* document_ = nullptr;
  order_state order_;
  std::optional<std::size_t> pending_tq1_;
  fhir::issue_list scratch_;
  std::vector<std::size_t> sequence_;                     ///< per segment: occurrence number of its id
  mutable std::string local_system_name_, local_system_;  ///< the last local code system's URI
  std::string_view last_;
  bool merged_ = false;
};

}  // namespace

std::string message_key(const message& m) {
  // Raw (escaped) parts: a '|' inside one (a sender whose field separator is another character)
  // is written as the HL7 escape, so that no two different triples make the same key.
  auto part = [&](std::string_view raw, std::string& out) {
    for (char c : raw) {
      if (c == '|')
        out += "\\F\\";
      else
        out += c;
    }
  };
  const segment msh = m.header();
  // The sending application: its namespace id, else its universal id (an OID-only HD).
  std::string_view app = msh.get(3, 1).raw();
  if (app.empty()) app = msh.get(3, 2).raw();
  std::string key;
  part(app, key);
  key += '|';
  part(msh.get(4, 1).raw(), key);
  key += '|';
  part(m.control_id().raw(), key);
  return key;
}

translation translate(const parse_result& parsed, const settings& s, const context& ctx) {
  translation out;
  out.issues = parsed.issues;
  if (!parsed.msg) return out;
  const message& m = *parsed.msg;
  out.message_key = message_key(m);
  out.facility = m.header().get(4, 1).text();
  out.message_type = m.message_code().text() + "^" + m.trigger_event().text();
  if (!parsed.complete || fhir::has_errors(parsed.issues)) return out;
  mapper(m, s, ctx, out).run();
  return out;
}

translation translate(std::string_view message, const settings& s, const context& ctx) {
  return translate(parse(message, s.parse), s, ctx);
}

}  // namespace gw::hl7v2
