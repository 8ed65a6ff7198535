#include "adapters/qd130/translate.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "adapters/qd130/codes.hpp"
#include "adapters/qd130/detail/text.hpp"
#include "adapters/qd130/detail/unicode.hpp"
#include "fhir/bundle.hpp"
#include "fhir/ids.hpp"
#include "fhir/text.hpp"

namespace gw::qd130 {

namespace {

using fhir::CodeableConcept;
using fhir::Coding;
using fhir::concept_of;
using fhir::Identifier;
using fhir::issue;
using fhir::issue_code;
using fhir::Reference;
using fhir::severity;

/// `base` + the field name in lower case with '-' for '_' ("MA_LOAI_KCB" → "ma-loai-kcb").
std::string code_list_system(std::string_view base, std::string_view field) {
  std::string s;
  s.reserve(base.size() + field.size());
  s.append(base);
  for (char c : field) s += c == '_' ? '-' : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

// The builders below write each string straight into its place in the result (no temporary
// Coding or Identifier moved in afterwards): ~90 concepts and ~20 references per envelope.

// MA_LOAI_KCB → v3 ActCode encounter class (mapping is the gateway's; see report).
struct class_map {
  std::string_view code, act, display;
};
constexpr std::array<class_map, 16> classes{{
    {"01", "AMB", "ambulatory"},
    {"02", "AMB", "ambulatory"},
    {"03", "IMP", "inpatient encounter"},
    {"04", "SS", "short stay"},
    {"05", "AMB", "ambulatory"},
    {"06", "OBSENC", "observation encounter"},
    {"07", "AMB", "ambulatory"},
    {"08", "AMB", "ambulatory"},
    {"09", "SS", "short stay"},
    {"10", "AMB", "ambulatory"},
    {"11", "FLD", "field"},
    {"12", "HH", "home health"},
    {"13", "AMB", "ambulatory"},
    {"14", "VR", "virtual"},
    {"15", "AMB", "ambulatory"},
    {"16", "AMB", "ambulatory"},
}};

struct loinc_vital {
  std::string_view code, display, unit, ucum;
};
constexpr loinc_vital pulse{"8867-4", "Heart rate", "/min", "/min"};
constexpr loinc_vital temperature{"8310-5", "Body temperature", "Cel", "Cel"};
constexpr loinc_vital resp_rate{"9279-1", "Respiratory rate", "/min", "/min"};
constexpr loinc_vital spo2{"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "%"};
constexpr loinc_vital weight{"29463-7", "Body weight", "kg", "kg"};

/// parse_vital_signs with the location built only when an issue needs it (`location()` gives it).
template <class Location>
vital_signs parse_vitals(std::string_view text, const Location& location, fhir::issue_list& issues);

/// The entries added so far, as positions in the list of their references (`Type/id`), so that a
/// resource repeated in the envelope is added once. Open addressing on the id's last bytes (UUID
/// text, already uniformly spread): no node per entry and no hash over the whole text, which
/// std::unordered_set spent on every resource.
class entry_set {
 public:
  entry_set(const std::vector<Reference>& refs, std::size_t expected) : refs_(refs) {
    std::size_t n = 16;
    while (n < 2 * expected) n *= 2;
    slots_.assign(n, none);
  }
  /// Adds refs.back(); false when the same reference is there already.
  bool insert_last() {
    if (2 * (used_ + 1) > slots_.size()) grow();
    const auto last = static_cast<std::uint32_t>(refs_.size() - 1);
    std::uint32_t& slot = find(refs_[last].reference);
    if (slot != none) return false;
    slot = last;
    ++used_;
    return true;
  }

 private:
  static constexpr std::uint32_t none = 0xFFFFFFFF;
  const std::vector<Reference>& refs_;
  std::vector<std::uint32_t> slots_;
  std::size_t used_ = 0;

  static std::uint64_t hash(std::string_view key) {
    std::uint64_t x = key.size();
    if (key.size() >= 8)
      std::memcpy(&x, key.data() + key.size() - 8, 8);
    else
      for (char c : key) x = x * 131 + static_cast<unsigned char>(c);
    return x * 0x9E3779B97F4A7C15ull;
  }
  std::uint32_t& find(std::string_view key) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(key) >> 32 & mask;; i = (i + 1) & mask)
      if (slots_[i] == none || refs_[slots_[i]].reference == key) return slots_[i];
  }
  void grow() {
    std::vector<std::uint32_t> old(slots_.size() * 2, none);
    old.swap(slots_);
    for (std::uint32_t k : old)
      if (k != none) find(refs_[k].reference) = k;
  }
};

class mapper {
 public:
  /// `targets` collects a reference to every entry added (Provenance.target); `seen` indexes them
  /// so that a resource repeated in the envelope is added once.
  mapper(const settings& s, const context& ctx, translation& out, const envelope& env, const record& rec,
         std::vector<Reference>& targets, entry_set& seen)
      : s_(s), ctx_(ctx), out_(out), env_(env), rec_(rec), targets_(targets), seen_(seen) {}

  void run() {
    const row* x1 = rec_.first(table_id::xml1);
    if (x1 == nullptr) {
      out_.issues.push_back(issue{severity::error, issue_code::required, "XML1",
                                  "XML1 missing: patient and episode unknown, nothing mapped",
                                  fhir::hl7_error::required_field_missing});
      return;
    }
    x1_ = x1;
    const std::string_view cskcb = x1->value("MA_CSKCB");
    facility_ = std::string(!cskcb.empty() ? cskcb : env_.facility_code);
    ma_lk_ = std::string(x1->value("MA_LK"));
    if (facility_.empty() || ma_lk_.empty()) {
      out_.issues.push_back(issue{severity::error, issue_code::required, x1->location(),
                                  "MA_CSKCB and MA_LK are needed to identify the episode; "
                                  "nothing mapped",
                                  fhir::hl7_error::required_field_missing});
      return;
    }
    organization();
    patient();
    if (patient_id_.empty()) return;
    encounter_id_ = fhir::encounter_id(facility_, ma_lk_);
    encounter_ref_ = fhir::reference("Encounter", encounter_id_);
    conditions();
    encounter();
    coverages();
    body_weight();
    medications();
    services();
    results();
    clinical_course();
    documents();
    appointments();
    for (std::size_t t = 0; t < table_count; ++t) {
      const auto id = static_cast<table_id>(t);
      if (rec_.tables[t].empty()) continue;
      if (id == table_id::xml0 || id == table_id::xml6 || id == table_id::xml9 || id == table_id::xml10 ||
          id == table_id::xml11 || id == table_id::xml12 || id == table_id::xml15)
        out_.issues.push_back(issue{severity::information, issue_code::not_supported, std::string(table_name(id)),
                                    std::string(table_name(id)) + " is not mapped to FHIR yet"});
    }
  }

  const std::string& facility() const { return facility_; }
  /// Organization id of the facility; empty when the record was refused before it was known.
  const std::string& organization_id() const { return org_id_; }

 private:
  const settings& s_;
  const context& ctx_;
  translation& out_;
  const envelope& env_;
  const record& rec_;
  std::vector<Reference>& targets_;
  entry_set& seen_;
  const row* x1_ = nullptr;
  std::string facility_, ma_lk_, patient_id_, encounter_id_, org_id_;
  // References to the record's Patient, Encounter and Organization, built once and copied.
  Reference patient_ref_, encounter_ref_, org_ref_;
  std::vector<std::pair<std::string, std::string>> conditions_;  // (id, role)
  // The BHYT cards of XML1 and their validity, read for the Patient and kept for the Coverages.
  std::vector<std::string_view> cards_;
  std::vector<std::optional<fhir::Period>> card_periods_;
  std::vector<std::pair<std::string, std::string>> service_requests_;  // (MA_DICH_VU, id)

  bool is4210() const { return out_.version == schema_version::qd4210; }

  /// Converted times of XML1 and of the row being mapped: vital signs, conditions, the encounter
  /// and the appointment read the same fields again. A repeated conversion reports nothing new
  /// (its issues are already there), so the cache changes no output.
  struct cached_time {
    const row* r;
    std::string_view field;
    std::optional<fhir::fhir_time> t;
  };
  std::vector<cached_time> times_;
  int episode_date_ = -1;  ///< episode_date(rec_), computed on first use

  int episode_date_key() {
    if (episode_date_ < 0) episode_date_ = episode_date(rec_);
    return episode_date_;
  }

  template <class R>
  void add(R&& r) {
    targets_.push_back(fhir::reference(std::remove_cvref_t<R>::resource_type, r.id));
    if (!seen_.insert_last()) {
      targets_.pop_back();
      return;
    }
    const Reference& target = targets_.back();
    fhir::Bundle::Entry& e = out_.bundle.entry.emplace_back();
    e.full_url = fhir::urn_uuid(r.id);
    e.request.emplace(fhir::Bundle::Request{});  // (clang: not emplace() of a nested struct with initialisers)
    e.request->method = "PUT";
    e.request->url = target.reference;
    e.resource = std::forward<R>(r);
  }

  /// FHIR date/dateTime of a field, or nullopt; conversion problems the decoder has not already
  /// reported at that place are added.
  std::optional<fhir::fhir_time> when(const row& r, std::string_view field) {
    for (const auto& c : times_)
      if (c.r == &r && c.field == field) return c.t;
    if (&r != x1_) std::erase_if(times_, [&](const cached_time& c) { return c.r != x1_; });
    return times_.emplace_back(cached_time{&r, field, convert_time(r, field)}).t;
  }
  std::optional<fhir::fhir_time> convert_time(const row& r, std::string_view field) {
    const std::string_view v = r.value(field);
    if (v.empty()) return std::nullopt;
    fhir::issue_list scratch;
    const fhir::time_settings& settings = s_.time;
    // The location is only text in issues: built (and the pure conversion repeated) only when
    // there is one.
    auto t = fhir::from_qd130(v, scratch, {}, settings);
    if (!scratch.empty()) {
      scratch.clear();
      t = fhir::from_qd130(v, scratch, r.location(field), settings);
    }
    for (auto& i : scratch) {
      bool known = false;
      for (const auto& o : out_.issues) known = known || o.location == i.location;
      if (!known) out_.issues.push_back(std::move(i));
    }
    return t;
  }
  std::string date_time(const row& r, std::string_view field) {
    auto t = when(r, field);
    return t ? t->value : std::string{};
  }

  Coding qd130_coding(table_id t, std::string_view field, std::string_view code) {
    Coding c;
    c.system = code_list_system(s_.codes.qd130_base, field);
    c.code = std::string(code);
    if (const auto* e = find_code(t, field, code, episode_date_key(), out_.version))
      c.display = std::string(e->display);
    return c;
  }

  /// The first licence of a ";" list (as split_list would give it, without building the list).
  Reference practitioner(std::string_view cchn_list) {
    cchn_list = detail::trim(cchn_list);
    if (cchn_list.empty()) return {};
    return fhir::logical_reference(s_.systems.practitioner_licence,
                                   detail::trim(cchn_list.substr(0, cchn_list.find(';'))));
  }

  /// The LOINC entry a code map gives for a result item (facility map first), or nullptr.
  const fhir::code_entry* lab_loinc(std::string_view item) const {
    if (s_.terminology == nullptr || item.empty()) return nullptr;
    for (const std::string& name : {"lab-loinc." + facility_, std::string("lab-loinc")})
      if (const auto* e = s_.terminology->lookup(name, item); e != nullptr && !e->target_code.empty()) return e;
    return nullptr;
  }

  const Reference& patient_ref() const { return patient_ref_; }
  const Reference& encounter_ref() const { return encounter_ref_; }

  // -------------------------------------------------------------------------------------------

  void organization() {
    fhir::Organization o;
    org_id_ = fhir::organization_id(facility_);
    org_ref_ = fhir::reference("Organization", org_id_);
    o.id = org_id_;
    o.identifier.push_back(Identifier{});
    o.identifier.back().system = s_.systems.facility;
    o.identifier.back().value = facility_;
    o.name = s_.facility_name;
    o.active = true;
    add(std::move(o));
  }

  void patient() {
    const row& x = *x1_;
    fhir::Patient p;
    const std::string_view doc = x.value("SO_CCCD");
    const std::string_view ma_bn = x.value("MA_BN");
    const auto kind = fhir::classify_personal_id(doc);
    if (kind == fhir::id_kind::cccd) {
      p.id = fhir::patient_id_from_cccd(doc);
    } else if (!ma_bn.empty()) {
      p.id = fhir::facility_patient_id(facility_, ma_bn);
    } else {
      out_.issues.push_back(issue{severity::error, issue_code::required, x.location("MA_BN"),
                                  "neither a CCCD nor MA_BN identifies the patient; nothing mapped",
                                  fhir::hl7_error::required_field_missing});
      return;
    }
    patient_id_ = p.id;
    patient_ref_ = fhir::reference("Patient", patient_id_);
    auto typed = [&](std::string_view type, std::string system, std::string_view value, std::string use) {
      Identifier i;
      i.use = std::move(use);
      i.type = concept_of(fhir::v2_0203, type);
      i.system = std::move(system);
      i.value = std::string(value);
      return i;
    };
    switch (kind) {
      case fhir::id_kind::cccd: p.identifier.push_back(typed("NI", s_.systems.national_id, doc, "official")); break;
      case fhir::id_kind::cmnd: p.identifier.push_back(typed("NI", s_.systems.citizen_id, doc, "official")); break;
      case fhir::id_kind::passport: p.identifier.push_back(typed("PPN", s_.systems.passport, doc, "official")); break;
      case fhir::id_kind::unknown:
        if (!doc.empty())
          out_.issues.push_back(issue{severity::warning, issue_code::value, x.location("SO_CCCD"),
                                      "SO_CCCD not mapped: not a CCCD, CMND or passport number"});
        break;
    }
    cards_ = detail::split_list(x.value(is4210() ? "MA_THE" : "MA_THE_BHYT"));
    const auto from = detail::split_list(x.value("GT_THE_TU"));
    const auto to = detail::split_list(x.value("GT_THE_DEN"));
    card_periods_.reserve(cards_.size());
    for (std::size_t i = 0; i < cards_.size(); ++i) {
      Identifier id = typed("SB", s_.systems.insurance, cards_[i], "official");
      const auto& period = card_periods_.emplace_back(card_period(from, to, i));
      if (period) id.period = period;
      p.identifier.push_back(std::move(id));
    }
    if (!ma_bn.empty())
      p.identifier.push_back(typed("PI", fhir::facility_record_system(s_.systems, facility_), ma_bn, "secondary"));
    if (const std::string_view name = x.value("HO_TEN"); !name.empty()) {
      fhir::HumanName n;
      n.use = "official";
      n.text = detail::nfc(name);
      const auto words = detail::split_list(n.text, ' ');
      for (std::size_t i = 0; i < words.size(); ++i) {
        if (words[i].empty()) continue;
        if (n.family.empty())
          n.family = std::string(words[i]);
        else
          n.given.emplace_back(words[i]);
      }
      p.name.push_back(std::move(n));
    }
    const std::string_view g = x.value("GIOI_TINH");
    p.gender = g == "1" ? "male" : g == "2" ? "female" : g == "3" ? "unknown" : "";
    if (auto b = when(x, "NGAY_SINH")) {
      p.birth_date = b->date();
      if (!b->is_date()) {
        fhir::Extension e;
        e.url = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";
        e.value = fhir::DateTime{b->value};
        p.extension.push_back(std::move(e));
      }
      if (const std::string_view v = x.value("NGAY_SINH"); is4210() && v.size() == 8 && v.substr(4) == "0101")
        out_.issues.push_back(issue{severity::information, issue_code::informational, x.location("NGAY_SINH"),
                                    "QĐ 4210 wrote 0101 for an unknown day and month; kept as 1 January"});
    }
    if (const std::string_view phone = x.value("DIEN_THOAI"); !phone.empty()) {
      fhir::ContactPoint c;
      c.system = "phone";
      c.value = std::string(phone);
      p.telecom.push_back(std::move(c));
    }
    const std::string_view address = x.value("DIA_CHI");
    const std::string_view province = x.value("MATINH_CU_TRU");
    const std::string_view ward = x.value("MAXA_CU_TRU");
    if (!address.empty() || !province.empty() || !ward.empty()) {
      fhir::Address a;
      a.use = "home";
      a.text = detail::nfc(address);
      a.country = "VN";
      auto coded_ext = [&](const std::string& url, std::string_view code) {
        if (code.empty()) return;
        fhir::Extension e;
        e.url = url;
        e.value = Coding{{}, {}, std::string(code), {}, {}};
        a.extension.push_back(std::move(e));
      };
      coded_ext(s_.codes.ext_province, province);
      coded_ext(s_.codes.ext_district, x.value("MAHUYEN_CU_TRU"));
      coded_ext(s_.codes.ext_ward, ward);
      p.address.push_back(std::move(a));
    }
    auto coding_ext = [&](const std::string& url, std::string_view field) {
      const std::string_view code = x.value(field);
      if (code.empty()) return;
      fhir::Extension e;
      e.url = url;
      e.value = qd130_coding(table_id::xml1, field, code);
      p.extension.push_back(std::move(e));
    };
    coding_ext(s_.codes.ext_nationality, "MA_QUOCTICH");
    coding_ext(s_.codes.ext_ethnicity, "MA_DANTOC");
    coding_ext(s_.codes.ext_occupation, "MA_NGHE_NGHIEP");
    const std::string_view outcome = x.value("KET_QUA_DTRI");
    if (outcome == "5" || outcome == "8") p.deceased = true;
    add(std::move(p));
  }

  std::optional<fhir::Period> card_period(const std::vector<std::string_view>& from,
                                          const std::vector<std::string_view>& to, std::size_t i) {
    fhir::Period period;
    fhir::issue_list scratch;
    if (i < from.size())
      if (auto t = fhir::from_qd130(from[i], scratch, "", s_.time)) period.start = t->date();
    if (i < to.size())
      if (auto t = fhir::from_qd130(to[i], scratch, "", s_.time)) period.end = t->date();
    if (period.start.empty() && period.end.empty()) return std::nullopt;
    return period;
  }

  void conditions() {
    const row& x = *x1_;
    const auto main = detail::split_list(x.value(is4210() ? "MA_BENH" : "MA_BENH_CHINH"));
    auto secondary = detail::split_list(x.value(is4210() ? "MA_BENHKHAC" : "MA_BENH_KT"));
    if (secondary.size() > 12) secondary.resize(12);
    // CHAN_DOAN_RV lists the texts in the same order when it has one part per code.
    const std::string all_text = detail::nfc(x.value(is4210() ? "TEN_BENH" : "CHAN_DOAN_RV"));
    const auto texts = detail::split_list(all_text);
    const bool aligned = texts.size() == (main.empty() ? 0 : 1) + secondary.size();
    std::size_t k = 0;
    if (!main.empty())
      condition(main.front(), "principal", s_.codes.icd10, aligned ? std::string(texts[k++]) : all_text);
    for (auto c : secondary)
      condition(c, "secondary", s_.codes.icd10, aligned ? std::string(texts[k++]) : std::string{});
    for (auto c : detail::split_list(x.value("MA_BENH_YHCT"))) condition(c, "traditional", s_.codes.yhct, {});
  }

  void condition(std::string_view code, std::string_view role, const std::string& system, std::string text) {
    if (code.empty()) return;
    fhir::Condition c;
    c.id = fhir::condition_id(encounter_id_, code, role);
    c.category.push_back(concept_of(fhir::cs::condition_category, "encounter-diagnosis", "Encounter Diagnosis"));
    c.verification_status = concept_of(fhir::cs::condition_ver_status, "confirmed", "Confirmed");
    std::string display;
    if (s_.terminology != nullptr && system == s_.codes.icd10)
      if (const auto* e = s_.terminology->lookup("icd10", code)) display = e->display;
    c.code = concept_of(system, code, std::move(display), std::move(text));
    c.subject = patient_ref();
    c.encounter = encounter_ref();
    c.recorded_date = date_time(*x1_, "NGAY_RA");
    conditions_.emplace_back(c.id, std::string(role));
    add(std::move(c));
  }

  void encounter() {
    const row& x = *x1_;
    fhir::Encounter e;
    e.id = encounter_id_;
    Identifier lk;
    lk.system = fhir::episode_system(s_.systems, facility_);
    lk.value = ma_lk_;
    e.identifier.push_back(std::move(lk));
    if (const std::string_view hsba = x.value("MA_HSBA"); !hsba.empty()) {
      Identifier h;
      std::string sys = s_.codes.hsba;
      if (const auto p = sys.find("{facility}"); p != std::string::npos) sys.replace(p, 10, facility_);
      h.system = std::move(sys);
      h.value = std::string(hsba);
      e.identifier.push_back(std::move(h));
    }
    e.status = x.has("NGAY_RA") ? "finished" : "in-progress";
    const std::string_view loai = x.value("MA_LOAI_KCB");
    e.class_.system = fhir::cs::act_code;
    e.class_.code = "AMB";
    e.class_.display = "ambulatory";
    bool class_found = false;
    for (const auto& c : classes)
      if (c.code == loai) {
        e.class_.code = std::string(c.act);
        e.class_.display = std::string(c.display);
        class_found = true;
      }
    if (!class_found && !loai.empty())
      out_.issues.push_back(issue{severity::warning, issue_code::code_invalid, x.location("MA_LOAI_KCB"),
                                  "MA_LOAI_KCB unknown; Encounter.class set to AMB",
                                  fhir::hl7_error::table_value_not_found});
    if (!loai.empty()) {
      CodeableConcept type;
      type.coding.push_back(qd130_coding(table_id::xml1, "MA_LOAI_KCB", loai));
      e.type.push_back(std::move(type));
    }
    const std::string_view doituong = x.value(is4210() ? "MA_LYDO_VVIEN" : "MA_DOITUONG_KCB");
    if (doituong == "2")
      e.priority = concept_of("http://terminology.hl7.org/CodeSystem/v3-ActPriority", "EM", "emergency");
    if (!doituong.empty()) {
      fhir::Extension ext;
      ext.url = s_.codes.ext_visit_category;
      ext.value = qd130_coding(table_id::xml1, is4210() ? "MA_LYDO_VVIEN" : "MA_DOITUONG_KCB", doituong);
      e.extension.push_back(std::move(ext));
    }
    e.subject = patient_ref();
    fhir::Period period;
    period.start = date_time(x, "NGAY_VAO");
    period.end = date_time(x, "NGAY_RA");
    if (!period.start.empty() || !period.end.empty()) e.period = std::move(period);
    if (auto t = when(x, "NGAY_VAO_NOI_TRU")) {
      fhir::Extension ext;
      ext.url = s_.codes.ext_admission_time;
      ext.value = fhir::DateTime{t->value};
      e.extension.push_back(std::move(ext));
    }
    if (const std::string_view days = x.value("SO_NGAY_DTRI"); !days.empty()) {
      // R4 Encounter.length (Duration) is not in the typed model yet; carried as an extension.
      fhir::Quantity q;
      if (auto d = fhir::decimal::parse(days)) {
        q.value = *d;
        q.unit = "d";
        q.system = s_.codes.ucum;
        q.code = "d";
        fhir::Extension ext;
        ext.url = s_.codes.ext_length_of_stay;
        ext.value = std::move(q);
        e.extension.push_back(std::move(ext));
      }
    }
    const std::string_view outcome = x.value("KET_QUA_DTRI");
    if (!outcome.empty()) {
      fhir::Extension ext;
      ext.url = s_.codes.ext_outcome;
      CodeableConcept cc;
      cc.coding.push_back(qd130_coding(table_id::xml1, "KET_QUA_DTRI", outcome));
      ext.value = std::move(cc);
      e.extension.push_back(std::move(ext));
    }
    for (std::string_view f : {"LY_DO_VV", "LY_DO_VNT"})
      if (const std::string_view reason = x.value(f); !reason.empty())
        e.reason_code.push_back(concept_of({}, {}, {}, detail::nfc(reason)));
    if (const std::string_view code = x.value("MA_LY_DO_VNT"); !code.empty() && !e.reason_code.empty())
      e.reason_code.back().coding.push_back(qd130_coding(table_id::xml1, "MA_LY_DO_VNT", code));
    std::int32_t rank = 1;
    for (const auto& [cid, role] : conditions_) {
      fhir::Encounter::Diagnosis d;
      d.condition = fhir::reference("Condition", cid);
      d.use = concept_of(fhir::cs::diagnosis_role, "DD", "Discharge diagnosis");
      if (role != "traditional") d.rank = rank++;
      e.diagnosis.push_back(std::move(d));
    }
    fhir::Encounter::Hospitalization h;
    bool any = false;
    const std::string_view from = x.value(is4210() ? "MA_NOI_CHUYEN" : "MA_NOI_DI");
    if (!from.empty()) {
      h.origin = fhir::logical_reference(s_.systems.facility, from);
      any = true;
    }
    if (const std::string_view to = x.value("MA_NOI_DEN"); !to.empty()) {
      h.destination = fhir::logical_reference(s_.systems.facility, to);
      any = true;
    }
    if (const std::string_view referral = x.value("GIAY_CHUYEN_TUYEN"); !referral.empty()) {
      h.pre_admission_identifier = Identifier{};
      h.pre_admission_identifier->value = std::string(referral);
      any = true;
    }
    const std::string_view rv_field = is4210() ? "TINH_TRANG_RV" : "MA_LOAI_RV";
    const std::string_view rv = x.value(rv_field);
    if (!rv.empty()) {
      CodeableConcept dd;
      dd.coding.push_back(qd130_coding(table_id::xml1, rv_field, rv));
      std::string_view hl7 = rv == "1" ? "home" : rv == "3" || rv == "4" ? "aadvice" : "other-hcf";
      if (is4210() && rv == "2") hl7 = "other-hcf";
      if (outcome == "5" || outcome == "8") hl7 = "exp";
      dd.coding.push_back(
          Coding{"http://terminology.hl7.org/CodeSystem/discharge-disposition", {}, std::string(hl7), {}, {}});
      h.discharge_disposition = std::move(dd);
      any = true;
    }
    if (any) e.hospitalization = std::move(h);
    for (auto k : detail::split_list(x.value("MA_KHOA"))) {
      fhir::Encounter::Location l;
      l.location = fhir::logical_reference(s_.codes.department, k);
      e.location.push_back(std::move(l));
    }
    e.service_provider = org_ref_;
    add(std::move(e));
  }

  void coverages() {
    const row& x = *x1_;
    const auto& cards = cards_;
    const auto dkbd = detail::split_list(x.value("MA_DKBD"));
    for (std::size_t i = 0; i < cards.size(); ++i) {
      fhir::Coverage c = fhir::bhyt_coverage(cards[i], s_.systems, patient_ref());
      c.period = card_periods_[i];
      const std::string_view reg = i < dkbd.size() ? dkbd[i] : dkbd.empty() ? std::string_view{} : dkbd.front();
      if (!reg.empty()) c.network = std::string(reg);
      add(std::move(c));
    }
  }

  fhir::Observation vital(const loinc_vital& v, std::string_view value, std::string_view id_part, const row& r,
                          std::string_view time_field) {
    fhir::Observation o;
    o.id = fhir::stable_id("Observation", encounter_id_, table_name(r.table), r.stt(), id_part);
    o.status = "final";
    o.category.push_back(concept_of(fhir::cs::observation_category, "vital-signs", "Vital Signs"));
    o.code = concept_of(s_.codes.loinc, v.code, std::string(v.display), std::string(v.display));
    o.subject = patient_ref();
    o.encounter = encounter_ref();
    if (auto t = when(r, time_field)) o.effective = fhir::DateTime{std::move(t->value)};
    if (auto d = fhir::decimal::parse(value)) {
      fhir::Quantity q;
      q.value = *d;
      q.unit = std::string(v.unit);
      q.system = s_.codes.ucum;
      q.code = std::string(v.ucum);
      o.value = std::move(q);
    }
    return o;
  }

  void body_weight() {
    const row& x = *x1_;
    const std::string_view kg = x.value("CAN_NANG");
    if (kg.empty()) return;
    if (!fhir::decimal::parse(kg)) {
      out_.issues.push_back(
          issue{severity::warning, issue_code::value, x.location("CAN_NANG"), "CAN_NANG is not a number; not mapped"});
      return;
    }
    add(vital(weight, kg, "body-weight", x, "NGAY_VAO"));
  }

  CodeableConcept drug_concept(const row& r) {
    std::string name = detail::nfc(r.value("TEN_THUOC"));
    std::string text = name;
    if (const std::string_view strength = r.value("HAM_LUONG"); !strength.empty()) {
      const std::string s = detail::nfc(strength);
      text.reserve(text.size() + 1 + s.size());
      text.append(1, ' ').append(s);
    }
    return concept_of(s_.codes.drug, r.value("MA_THUOC"), std::move(name), std::move(text));
  }

  void medications() {
    const bool discharged = x1_->has("NGAY_RA");
    for (const auto& r : rec_.rows(table_id::xml2)) {
      if (!r.has("MA_THUOC") && !r.has("TEN_THUOC")) {
        out_.issues.push_back(issue{severity::warning, issue_code::required, r.location("MA_THUOC"),
                                    "drug row without MA_THUOC or TEN_THUOC; not mapped"});
        continue;
      }
      const std::string key = key_of(r);
      fhir::MedicationRequest m;
      m.id = fhir::stable_id("MedicationRequest", encounter_id_, "XML2", key);
      m.status = discharged ? "completed" : "active";
      m.intent = "order";
      m.medication = drug_concept(r);
      m.subject = patient_ref();
      m.encounter = encounter_ref();
      m.authored_on = date_time(r, "NGAY_YL");
      if (const std::string_view v = r.value("MA_BAC_SI"); !v.empty()) m.requester = practitioner(v);
      fhir::Dosage d;
      d.text = detail::nfc(r.value("LIEU_DUNG"));
      if (const std::string_view v = r.value("CACH_DUNG"); !v.empty()) d.patient_instruction = detail::nfc(v);
      if (const std::string_view v = r.value("DUONG_DUNG"); !v.empty()) d.route = concept_of(s_.codes.route, v);
      dose_pattern p;
      if (parse_dose(d.text, p)) {
        fhir::Dosage::DoseAndRate dr;
        fhir::Quantity q;
        q.value = fhir::decimal::parse(p.dose);
        q.unit = p.dose_unit;
        dr.dose = std::move(q);
        d.dose_and_rate.push_back(std::move(dr));
        fhir::Timing t;
        t.repeat = fhir::Timing::Repeat{};
        t.repeat->frequency = p.per_day;
        t.repeat->period = fhir::decimal(1);
        t.repeat->period_unit = "d";
        if (p.days > 0) t.repeat->count = p.per_day * p.days;
        d.timing = std::move(t);
      }
      if (auto qty = fhir::decimal::parse(r.value("SO_LUONG"))) {
        m.dispense_request = fhir::MedicationRequest::DispenseRequest{};
        fhir::Quantity q;
        q.value = *qty;
        q.unit = detail::nfc(r.value("DON_VI_TINH"));
        m.dispense_request->quantity = std::move(q);
      }
      // Nothing above reports issues, so converting NGAY_TH_YL before the request is added keeps
      // their order; the administration copies what it shares with the request.
      auto given = when(r, "NGAY_TH_YL");
      std::optional<fhir::MedicationAdministration> a;
      if (given) {
        a.emplace();
        a->id = fhir::stable_id("MedicationAdministration", encounter_id_, "XML2", key);
        a->status = "completed";
        a->medication = m.medication;
        a->subject = patient_ref();
        a->context = encounter_ref();
        a->effective = fhir::DateTime{std::move(given->value)};
        a->request = fhir::reference("MedicationRequest", m.id);
        a->dosage.emplace(fhir::MedicationAdministration::Dosage{});
        a->dosage->text = d.text;
        a->dosage->route = d.route;
      }
      if (!d.text.empty() || d.route) m.dosage_instruction.push_back(std::move(d));
      add(std::move(m));
      if (a) add(std::move(*a));
    }
  }

  /// Row key for ids: STT when given, else the position.
  static std::string key_of(const row& r) {
    const std::string_view stt = r.stt();
    return !stt.empty() ? std::string(stt) : "#" + std::to_string(r.position);
  }

  void services() {
    for (const auto& r : rec_.rows(table_id::xml3)) {
      const std::string_view nhom = r.value("MA_NHOM");
      const bool order = nhom == "1" || nhom == "2" || nhom == "3";
      const bool procedure = nhom == "8" || nhom == "18";
      if (!order && !procedure) {
        out_.issues.push_back(
            issue{severity::information, issue_code::not_supported, r.location("MA_NHOM"),
                  "cost group " + std::string(nhom.substr(0, 4)) + " (not a clinical service) not mapped"});
        continue;
      }
      std::string name = detail::nfc(r.value("TEN_DICH_VU"));
      std::string display = name;
      CodeableConcept code = concept_of(s_.codes.service, r.value("MA_DICH_VU"), std::move(display), std::move(name));
      for (auto icd9 : detail::split_list(r.value("MA_PTTT_QT")))
        code.coding.push_back(Coding{s_.codes.icd9cm, {}, std::string(icd9), {}, {}});
      if (order) {
        fhir::ServiceRequest sr;
        sr.id = fhir::stable_id("ServiceRequest", encounter_id_, "XML3", key_of(r));
        sr.status = "completed";
        sr.intent = "order";
        if (nhom == "1")
          sr.category.push_back(concept_of("http://snomed.info/sct", "108252007", "Laboratory procedure"));
        if (nhom == "2") sr.category.push_back(concept_of("http://snomed.info/sct", "363679005", "Imaging"));
        sr.code = std::move(code);
        sr.subject = patient_ref();
        sr.encounter = encounter_ref();
        if (auto t = when(r, "NGAY_TH_YL")) sr.occurrence = fhir::DateTime{t->value};
        sr.authored_on = date_time(r, "NGAY_YL");
        if (const std::string_view v = r.value("MA_BAC_SI"); !v.empty()) sr.requester = practitioner(v);
        if (const std::string_view v = r.value("NGUOI_THUC_HIEN"); !v.empty()) sr.performer.push_back(practitioner(v));
        for (auto c : detail::split_list(r.value("MA_BENH"))) sr.reason_code.push_back(concept_of(s_.codes.icd10, c));
        service_requests_.emplace_back(std::string(r.value("MA_DICH_VU")), sr.id);
        add(std::move(sr));
      } else {
        fhir::Procedure p;
        p.id = fhir::stable_id("Procedure", encounter_id_, "XML3", key_of(r));
        p.status = "completed";
        p.code = std::move(code);
        p.subject = patient_ref();
        p.encounter = encounter_ref();
        const std::string start = date_time(r, "NGAY_TH_YL");
        const std::string end = date_time(r, "NGAY_KQ");
        if (!start.empty() && !end.empty())
          p.performed = fhir::Period{start, end};
        else if (!start.empty())
          p.performed = fhir::DateTime{start};
        if (const std::string_view v = r.value("NGUOI_THUC_HIEN"); !v.empty()) {
          fhir::Performer perf;
          perf.actor = practitioner(v);
          p.performer.push_back(std::move(perf));
        }
        for (auto c : detail::split_list(r.value("MA_BENH"))) p.reason_code.push_back(concept_of(s_.codes.icd10, c));
        add(std::move(p));
      }
    }
  }

  void results() {
    struct report {
      std::string service;
      std::vector<Reference> results;
      std::vector<std::string> conclusions;
      std::string effective;
      int final = 0, pending = 0;
      std::string performer;
    };
    const auto& rows = rec_.rows(table_id::xml4);
    if (rows.empty()) return;
    // XML3's service codes, read once: each result row and report looks its service up (the last
    // XML3 row with the code counts).
    struct service_row {
      std::string_view code, group;
      const row* r;
    };
    std::vector<service_row> services;
    services.reserve(rec_.rows(table_id::xml3).size());
    for (const auto& x3 : rec_.rows(table_id::xml3))
      services.push_back({x3.value("MA_DICH_VU"), x3.value("MA_NHOM"), &x3});
    auto service_of = [&](std::string_view code) -> const service_row* {
      for (auto it = services.rbegin(); it != services.rend(); ++it)
        if (it->code == code) return &*it;
      return nullptr;
    };
    std::vector<report> reports;
    for (const auto& r : rows) {
      const std::string_view service = r.value("MA_DICH_VU");
      const std::string_view item = r.value("MA_CHI_SO");
      fhir::Observation o;
      o.id = fhir::stable_id("Observation", encounter_id_, "XML4", key_of(r));
      std::string name = detail::nfc(r.value("TEN_CHI_SO"));
      std::string display = name;
      o.code = concept_of(s_.codes.lab_item, item, std::move(display), std::move(name));
      if (const auto* loinc = lab_loinc(item))
        o.code.coding.push_back(Coding{loinc->target_system, {}, loinc->target_code, loinc->target_display, {}});
      if (o.code.text.empty() && o.code.coding.empty()) o.code.text = std::string(service);
      const service_row* x3 = service_of(service);
      const std::string_view nhom = x3 != nullptr ? x3->group : std::string_view{};
      if (nhom == "1") o.category.push_back(concept_of(fhir::cs::observation_category, "laboratory", "Laboratory"));
      if (nhom == "2") o.category.push_back(concept_of(fhir::cs::observation_category, "imaging", "Imaging"));
      o.subject = patient_ref();
      o.encounter = encounter_ref();
      if (auto t = when(r, "NGAY_KQ")) o.effective = fhir::DateTime{std::move(t->value)};
      const std::string_view reader = r.value("MA_BS_DOC_KQ");
      if (!reader.empty()) o.performer.push_back(practitioner(reader));
      const std::string_view mo_ta = r.value("MO_TA");
      const std::string_view ket_luan = r.value("KET_LUAN");
      const std::string_view value = r.value("GIA_TRI");
      const std::string_view unit = r.value("DON_VI_DO");
      bool pending = false;
      if (!value.empty()) {
        auto d = fhir::decimal::parse(value);
        if (d && !unit.empty() && detail::is_decimal(value)) {
          fhir::Quantity q;
          q.value = *d;
          q.unit = detail::nfc(unit);
          o.value = std::move(q);
        } else {
          o.value = detail::nfc(value);
        }
      } else if (!mo_ta.empty()) {
        o.value = detail::nfc(mo_ta);
      } else if (ket_luan.empty()) {
        pending = true;  // result not ready at discharge: filled by a later file
      }
      if (!mo_ta.empty() && !value.empty()) {
        fhir::Annotation a;
        a.text = detail::nfc(mo_ta);
        o.note.push_back(std::move(a));
      }
      o.status = pending ? "registered" : "final";
      auto it = std::find_if(reports.begin(), reports.end(), [&](const report& x) { return x.service == service; });
      if (it == reports.end()) {
        reports.push_back(report{std::string(service), {}, {}, {}, 0, 0, {}});
        it = reports.end() - 1;
      }
      it->results.push_back(fhir::reference("Observation", o.id));
      if (!ket_luan.empty()) it->conclusions.push_back(detail::nfc(ket_luan));
      if (o.effective) {
        const auto& t = std::get<fhir::DateTime>(*o.effective).value;
        if (t > it->effective) it->effective = t;
      }
      if (it->performer.empty()) it->performer = std::string(reader);
      (pending ? it->pending : it->final)++;
      add(std::move(o));
    }
    for (auto& rp : reports) {
      if (rp.service.empty()) continue;
      fhir::DiagnosticReport d;
      d.id = fhir::stable_id("DiagnosticReport", encounter_id_, "XML4", rp.service);
      d.status = rp.pending == 0 ? "final" : rp.final == 0 ? "registered" : "partial";
      const service_row* x3 = service_of(rp.service);
      std::string display = x3 != nullptr ? detail::nfc(x3->r->value("TEN_DICH_VU")) : std::string{};
      const std::string_view nhom = x3 != nullptr ? x3->group : std::string_view{};
      if (nhom == "1")
        d.category.push_back(concept_of("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory"));
      if (nhom == "2")
        d.category.push_back(concept_of("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology"));
      std::string text = display;
      d.code = concept_of(s_.codes.service, rp.service, std::move(display), std::move(text));
      d.subject = patient_ref();
      d.encounter = encounter_ref();
      if (!rp.effective.empty()) d.effective = fhir::DateTime{rp.effective};
      for (const auto& [svc, id] : service_requests_)
        if (svc == rp.service) d.based_on.push_back(fhir::reference("ServiceRequest", id));
      if (!rp.performer.empty()) d.results_interpreter.push_back(practitioner(rp.performer));
      d.result = std::move(rp.results);
      for (std::size_t i = 0; i < rp.conclusions.size(); ++i) {
        if (i > 0) d.conclusion += '\n';
        d.conclusion += rp.conclusions[i];
      }
      add(std::move(d));
    }
  }

  fhir::DocumentReference document(std::string_view id_part, std::string_view loinc, std::string_view display,
                                   std::string_view text, std::string date) {
    fhir::DocumentReference d;
    d.id = fhir::stable_id("DocumentReference", encounter_id_, id_part);
    d.status = "current";
    d.type = concept_of(s_.codes.loinc, loinc, std::string(display), std::string(display));
    d.subject = patient_ref();
    d.date = std::move(date);
    fhir::DocumentReference::Content c;
    c.attachment.content_type = "text/plain; charset=utf-8";
    c.attachment.language = "vi";
    c.attachment.data = fhir::base64_encode(text);
    d.content.push_back(std::move(c));
    d.context = fhir::DocumentReference::Context{};
    d.context->encounter.push_back(encounter_ref());
    d.custodian = org_ref_;
    return d;
  }

  static void append(std::string& text, std::string_view label, std::string_view v) {
    if (v.empty()) return;
    if (!text.empty()) text += "\n";
    text += label;
    text += ": ";
    text += detail::nfc(v);
  }

  void clinical_course() {
    const std::string_view note_field = is4210() ? "DIEN_BIEN" : "DIEN_BIEN_LS";
    const std::string_view time_field = is4210() ? "NGAY_YL" : "THOI_DIEM_DBLS";
    for (const auto& r : rec_.rows(table_id::xml5)) {
      const std::string_view note = r.value(note_field);
      std::string text = detail::nfc(note);
      append(text, "Giai đoạn bệnh", r.value("GIAI_DOAN_BENH"));
      append(text, "Hội chẩn", r.value("HOI_CHAN"));
      append(text, "Phẫu thuật", r.value("PHAU_THUAT"));
      if (!text.empty()) {
        auto d = document("XML5|" + key_of(r), "11506-3", "Progress note", text, date_time(r, time_field));
        if (const std::string_view v = r.value("NGUOI_THUC_HIEN"); !v.empty()) d.author.push_back(practitioner(v));
        add(std::move(d));
      }
      const auto v = parse_vitals(
          note, [&] { return r.location(note_field); }, out_.issues);
      if (!v.found) continue;
      if (!v.pulse.empty()) add(vital(pulse, v.pulse, "pulse", r, time_field));
      if (!v.temperature.empty()) add(vital(temperature, v.temperature, "temperature", r, time_field));
      if (!v.respiratory_rate.empty()) add(vital(resp_rate, v.respiratory_rate, "respiratory-rate", r, time_field));
      if (!v.spo2.empty()) {
        auto o = vital(spo2, v.spo2, "spo2", r, time_field);
        o.code.coding.push_back(Coding{s_.codes.loinc, {}, "2708-6", "Oxygen saturation in Arterial blood", {}});
        add(std::move(o));
      }
      if (!v.systolic.empty() && !v.diastolic.empty()) {
        fhir::Observation bp = vital(loinc_vital{"85354-9", "Blood pressure panel with all children optional", "", ""},
                                     "", "blood-pressure", r, time_field);
        bp.value.reset();
        auto component = [&](std::string_view code, std::string_view display, std::string_view value) {
          fhir::Observation::Component c;
          c.code = concept_of(s_.codes.loinc, code, std::string(display), std::string(display));
          fhir::Quantity q;
          q.value = fhir::decimal::parse(value);
          q.unit = "mm[Hg]";
          q.system = s_.codes.ucum;
          q.code = "mm[Hg]";
          c.value = std::move(q);
          bp.component.push_back(std::move(c));
        };
        component("8480-6", "Systolic blood pressure", v.systolic);
        component("8462-4", "Diastolic blood pressure", v.diastolic);
        add(std::move(bp));
      }
    }
  }

  /// Paper-like tables kept as text documents: which fields, labelled how, under which LOINC
  /// document type.
  struct paper {
    table_id table;
    std::string_view loinc, display, author_field, date_field;
    std::array<std::pair<std::string_view, std::string_view>, 7> sections;  ///< (field, label)
  };
  static constexpr std::array<paper, 3> papers{{
      {table_id::xml7,
       "18842-5",
       "Discharge summary",
       "MA_BS",
       "NGAY_RA",
       {{{"CHAN_DOAN_RV", "Chẩn đoán ra viện"}, {"PP_DIEUTRI", "Phương pháp điều trị"}, {"GHI_CHU", "Ghi chú"}}}},
      {table_id::xml8,
       "34133-9",
       "Summary of episode note",
       "",
       "NGAY_RA",
       {{{"CHAN_DOAN_VAO", "Chẩn đoán vào viện"},
         {"CHAN_DOAN_RV", "Chẩn đoán ra viện"},
         {"QT_BENHLY", "Quá trình bệnh lý"},
         {"TOMTAT_KQ", "Tóm tắt kết quả"},
         {"PP_DIEUTRI", "Phương pháp điều trị"},
         {"GHI_CHU", "Ghi chú"}}}},
      {table_id::xml13,
       "57133-1",
       "Referral note",
       "MA_BAC_SI",
       "NGAY_RA",
       {{{"DAU_HIEU_LS", "Dấu hiệu lâm sàng"},
         {"QT_BENHLY", "Quá trình bệnh lý"},
         {"TOMTAT_KQ", "Tóm tắt kết quả"},
         {"CHAN_DOAN_RV", "Chẩn đoán ra viện"},
         {"HUONG_DIEU_TRI", "Hướng điều trị"},
         {"PHUONGTIEN_VC", "Phương tiện vận chuyển"},
         {"MA_NOI_DEN", "Nơi chuyển đến"}}}},
  }};

  void documents() {
    for (const auto& pp : papers)
      for (const auto& r : rec_.rows(pp.table)) {
        std::string text;
        for (const auto& [field, label] : pp.sections)
          if (!field.empty()) append(text, label, r.value(field));
        if (text.empty()) continue;
        auto d = document(std::string(table_name(pp.table)) + "|" + key_of(r), pp.loinc, pp.display, text,
                          date_time(r, pp.date_field));
        if (!pp.author_field.empty() && r.has(pp.author_field))
          d.author.push_back(practitioner(r.value(pp.author_field)));
        add(std::move(d));
      }
  }

  void appointment(std::string id_part, std::string_view when_text, const row& r, std::string_view field,
                   std::string description) {
    fhir::Appointment a;
    a.id = fhir::stable_id("Appointment", encounter_id_, id_part);
    fhir::time_settings ts = s_.time;
    ts.zero_time_is_unknown = false;
    fhir::issue_list scratch;
    // As in when(): the location text is built (and the pure conversion repeated) only for issues.
    auto t = fhir::from_qd130(when_text, scratch, {}, ts);
    if (!scratch.empty()) {
      scratch.clear();
      t = fhir::from_qd130(when_text, scratch, r.location(field), ts);
    }
    if (!t) {
      out_.issues.insert(out_.issues.end(), scratch.begin(), scratch.end());
      return;
    }
    if (t->is_date()) {
      a.status = "proposed";  // app-3: a booked appointment needs a start instant
      description += " (" + t->value + ")";
    } else {
      a.status = "booked";
      a.start = t->value;
    }
    a.description = std::move(description);
    a.service_type.push_back(concept_of({}, {}, {}, "Tái khám"));
    fhir::Appointment::Participant p;
    p.actor = patient_ref();
    p.status = "accepted";
    a.participant.push_back(std::move(p));
    fhir::Appointment::Participant org;
    org.actor = org_ref_;
    org.status = "accepted";
    a.participant.push_back(std::move(org));
    a.created = date_time(*x1_, "NGAY_RA");
    add(std::move(a));
  }

  void appointments() {
    const auto& x14 = rec_.rows(table_id::xml14);
    for (const auto& r : x14) {
      if (!r.has("NGAY_HEN_KL")) continue;
      std::string desc = "Giấy hẹn khám lại";
      if (r.has("SO_GIAYHEN_KL")) desc += " " + std::string(r.value("SO_GIAYHEN_KL"));
      appointment("XML14|" + key_of(r), r.value("NGAY_HEN_KL"), r, "NGAY_HEN_KL", std::move(desc));
    }
    if (!x14.empty()) return;
    for (auto d : detail::split_list(x1_->value("NGAY_TAI_KHAM")))
      appointment("NGAY_TAI_KHAM|" + std::string(d), d, *x1_, "NGAY_TAI_KHAM", "Hẹn tái khám");
  }
};

/// About how many entries a record gives (Organization, Patient, Encounter, Conditions, ... plus the
/// rows); only sizes a reservation.
std::size_t expected_entries(const record& rec) {
  auto n = [&](table_id t) { return rec.rows(t).size(); };
  return 16 + 2 * n(table_id::xml2) + n(table_id::xml3) + 2 * n(table_id::xml4) + 7 * n(table_id::xml5) +
         n(table_id::xml7) + n(table_id::xml8) + n(table_id::xml13) + n(table_id::xml14);
}

bool facility_forbidden(const decode_result& decoded, const context& ctx, fhir::issue_list& issues) {
  if (ctx.authenticated_facility.empty()) return false;
  bool forbidden = false;
  if (!decoded.env.facility_code.empty() && decoded.env.facility_code != ctx.authenticated_facility) {
    issues.push_back(
        issue{severity::error, issue_code::forbidden, "GIAMDINHHS.MACSKCB",
              fhir::facility_mismatch_text("MACSKCB", decoded.env.facility_code, ctx.authenticated_facility)});
    forbidden = true;
  }
  for (const auto& rec : decoded.env.records)
    if (const row* x1 = rec.first(table_id::xml1);
        x1 != nullptr && x1->has("MA_CSKCB") && x1->value("MA_CSKCB") != ctx.authenticated_facility) {
      issues.push_back(
          issue{severity::error, issue_code::forbidden, x1->location("MA_CSKCB"),
                fhir::facility_mismatch_text("MA_CSKCB", x1->value("MA_CSKCB"), ctx.authenticated_facility)});
      forbidden = true;
    }
  return forbidden;
}

}  // namespace

namespace {
/// translate() of a decoded envelope whose issues (`issues`, copied or moved from it) were
/// checked already: `usable` is decoded.usable().
translation map_decoded(const decode_result& decoded, bool usable, fhir::issue_list issues, const settings& s,
                        const context& ctx) {
  translation out;
  out.issues = std::move(issues);
  out.version = decoded.env.version == schema_version::unknown ? schema_version::qd130 : decoded.env.version;
  out.kind = decoded.env.kind;
  out.bundle.type = "transaction";
  if (!usable) return out;
  if (facility_forbidden(decoded, ctx, out.issues)) return out;
  // Entries are large and moved on every growth of the vector: reserve about what the rows give.
  std::size_t expected = 1;
  for (const auto& rec : decoded.env.records) expected += expected_entries(rec);
  out.bundle.entry.reserve(expected);
  std::vector<Reference> targets;
  targets.reserve(expected);
  entry_set seen(targets, expected);
  std::string facility, facility_org;
  for (const auto& rec : decoded.env.records) {
    mapper m(s, ctx, out, decoded.env, rec, targets, seen);
    m.run();
    if (facility.empty()) {
      facility = m.facility();
      facility_org = m.organization_id();
    }
  }
  if (targets.empty()) return out;
  fhir::Provenance p;
  p.id = fhir::stable_id("Provenance", "qd130", ctx.sha256_hex.empty() ? targets.front().reference : ctx.sha256_hex);
  p.target = std::move(targets);
  p.recorded = fhir::format_instant(ctx.received, s.time.default_offset);
  p.activity = concept_of("http://terminology.hl7.org/CodeSystem/v3-DataOperation", "CREATE", "create");
  fhir::Provenance::Agent agent;
  agent.type = concept_of("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author");
  agent.who = fhir::reference("Organization", facility_org.empty() ? fhir::organization_id(facility) : facility_org);
  p.agent.push_back(std::move(agent));
  if (!ctx.sha256_hex.empty()) {
    fhir::Provenance::Entity e;
    e.role = "source";
    e.what = fhir::logical_reference(s.codes.message_hash, ctx.sha256_hex,
                                     out.version == schema_version::qd4210 ? "QĐ 4210 XML" : "QĐ 130 XML");
    p.entity.push_back(std::move(e));
  }
  const std::string pid = p.id;
  fhir::Bundle::Entry e;
  e.full_url = fhir::urn_uuid(pid);
  e.request = fhir::Bundle::Request{};
  e.request->method = "PUT";
  e.request->url = "Provenance/" + pid;
  e.resource = std::move(p);
  out.bundle.entry.push_back(std::move(e));
  return out;
}

}  // namespace

translation translate(const decode_result& decoded, const settings& s, const context& ctx) {
  return map_decoded(decoded, decoded.usable(), decoded.issues, s, ctx);
}

translation translate(std::string_view bytes, const settings& s, const context& ctx) {
  decode_result decoded = decode(bytes, s.limits);
  const bool usable = decoded.usable();
  return map_decoded(decoded, usable, std::move(decoded.issues), s, ctx);
}

// ---------------------------------------------------------------------------------------------

namespace {
/// Reads a decimal number at the start of `s` (digits with one optional '.'), advancing `s`.
std::string_view take_number(std::string_view& s) {
  std::size_t i = 0;
  bool dot = false;
  while (i < s.size() && (detail::is_digit(s[i]) || (s[i] == '.' && !dot && i > 0))) {
    dot = dot || s[i] == '.';
    ++i;
  }
  if (i > 0 && s[i - 1] == '.') --i;
  const auto n = s.substr(0, i);
  s.remove_prefix(i);
  return n;
}
void skip_spaces(std::string_view& s) {
  while (!s.empty() && detail::is_space(s.front())) s.remove_prefix(1);
}
bool eat(std::string_view& s, std::string_view word) {
  skip_spaces(s);
  if (!s.starts_with(word)) return false;
  s.remove_prefix(word.size());
  return true;
}
int to_int(std::string_view n) {
  int v = 0;
  for (char c : n) {
    if (!detail::is_digit(c) || v > 100000) return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}
}  // namespace

bool parse_dose(std::string_view text, dose_pattern& out) {
  std::string_view s = detail::trim(text);
  const auto dose = take_number(s);
  if (dose.empty()) return false;
  skip_spaces(s);
  const auto slash = s.find("/lần");
  if (slash == std::string_view::npos || slash == 0) return false;
  const auto unit = detail::trim(s.substr(0, slash));
  if (unit.empty() || unit.find('*') != std::string_view::npos) return false;
  s.remove_prefix(slash + std::string_view("/lần").size());
  if (!eat(s, "*")) return false;
  skip_spaces(s);
  const int per_day = to_int(take_number(s));
  if (per_day <= 0 || !eat(s, "lần/ngày")) return false;
  int days = 0;
  if (eat(s, "*")) {
    skip_spaces(s);
    days = to_int(take_number(s));
    if (days <= 0 || !eat(s, "ngày")) return false;
  }
  out.dose = std::string(dose);
  out.dose_unit = std::string(unit);
  out.per_day = per_day;
  out.days = days;
  return true;
}

vital_signs parse_vital_signs(std::string_view text, std::string_view location, fhir::issue_list& issues) {
  return parse_vitals(
      text, [&] { return std::string(location); }, issues);
}

namespace {
template <class Location>
vital_signs parse_vitals(std::string_view text, const Location& location, fhir::issue_list& issues) {
  vital_signs v;
  const auto b = text.find("CSST<");
  if (b == std::string_view::npos) return v;
  const auto e = text.find('>', b);
  if (e == std::string_view::npos) {
    issues.push_back(issue{severity::warning, issue_code::value, location(), "CSST<...> is not closed"});
    return v;
  }
  v.found = true;
  // The parts of split_list(inner, '_'), without building the list (empty parts are skipped).
  std::string_view rest = detail::trim(text.substr(b + 5, e - b - 5));
  while (!rest.empty()) {
    const auto sep = rest.find('_');
    const std::string_view part = detail::trim(rest.substr(0, sep));
    rest = sep == std::string_view::npos ? std::string_view{} : rest.substr(sep + 1);
    if (part.empty()) continue;
    std::string_view key;
    for (std::string_view k : {"HA", "HL", "NT", "SP", "M", "T"})
      if (part.starts_with(k)) {
        key = k;
        break;
      }
    std::string_view value = key.empty() ? part : part.substr(key.size());
    auto number = [&](std::string_view n, std::string& dst) {
      if (detail::is_decimal(n))
        dst = std::string(n);
      else
        issues.push_back(issue{severity::warning, issue_code::value, location(),
                               "CSST " + std::string(key) + " value is not a number"});
    };
    if (key == "M")
      number(value, v.pulse);
    else if (key == "T")
      number(value, v.temperature);
    else if (key == "NT")
      number(value, v.respiratory_rate);
    else if (key == "SP")
      number(value, v.spo2);
    else if (key == "HL")
      v.care_level = std::string(value);
    else if (key == "HA") {
      const auto slash = value.find('/');
      if (slash == std::string_view::npos) {
        issues.push_back(issue{severity::warning, issue_code::value, location(), "CSST HA is not systolic/diastolic"});
      } else {
        number(value.substr(0, slash), v.systolic);
        number(value.substr(slash + 1), v.diastolic);
      }
    } else {
      issues.push_back(
          issue{severity::information, issue_code::informational, location(), "CSST part not recognised; ignored"});
    }
  }
  return v;
}

}  // namespace

}  // namespace gw::qd130
