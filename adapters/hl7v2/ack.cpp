#include "adapters/hl7v2/ack.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "adapters/hl7v2/encoder.hpp"
#include "adapters/hl7v2/escape.hpp"

namespace gw::hl7v2 {

using fhir::severity;

std::string_view to_string(ack_code c) {
  switch (c) {
    case ack_code::AA: return "AA";
    case ack_code::AE: return "AE";
    case ack_code::AR: return "AR";
    case ack_code::CA: return "CA";
    case ack_code::CE: return "CE";
    case ack_code::CR: return "CR";
  }
  return "AR";
}

std::string_view hl7_error_text(std::uint16_t code) {
  switch (code) {
    case 0: return "Message accepted";
    case 100: return "Segment sequence error";
    case 101: return "Required field missing";
    case 102: return "Data type error";
    case 103: return "Table value not found";
    case 200: return "Unsupported message type";
    case 201: return "Unsupported event code";
    case 202: return "Unsupported processing id";
    case 203: return "Unsupported version id";
    case 204: return "Unknown key identifier";
    case 205: return "Duplicate key identifier";
    case 206: return "Application record locked";
    case 207: return "Application internal error";
    default: return "Application error";
  }
}

namespace {

bool is_unsupported(const fhir::issue& i) {
  auto c = fhir::hl7_code_of(i);
  return fhir::is_error(i) && c >= 200 && c <= 203;
}

/// HL7 DTM with seconds and zone: YYYYMMDDHHMMSS+ZZZZ.
std::string format_dtm(std::chrono::sys_seconds now, int offset_minutes) {
  using namespace std::chrono;
  auto local = now + minutes(offset_minutes);
  auto day = floor<days>(local);
  year_month_day ymd(day);
  hh_mm_ss<seconds> t(local - day);
  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d%c%02d%02d", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(t.hours().count()), int(t.minutes().count()), int(t.seconds().count()),
                offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

bool valid_segment_id(std::string_view s) {
  if (s.size() != 3 || s[0] < 'A' || s[0] > 'Z') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

/// Splits an HL7 location "SEG^1^9[^1^2]" into its parts; empty when it is not one.
std::vector<std::string_view> hl7_location_parts(std::string_view loc) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t p = loc.find('^', start);
    parts.push_back(loc.substr(start, p == std::string_view::npos ? p : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  if (parts.size() < 2 || parts.size() > 6 || !valid_segment_id(parts[0])) return {};
  for (std::size_t i = 1; i < parts.size(); ++i)
    if (parts[i].empty() || !std::all_of(parts[i].begin(), parts[i].end(), [](char c) { return c >= '0' && c <= '9'; }))
      return {};
  return parts;
}

char severity_code(severity s) {
  switch (s) {
    case severity::fatal:
    case severity::error: return 'E';
    case severity::warning: return 'W';
    case severity::information: return 'I';
  }
  return 'E';
}

bool legacy_version(std::string_view v) {
  return v == "2.3" || v == "2.3.1" || v == "2.4";
}

}  // namespace

ack_code choose_ack_code(outcome o, const fhir::issue_list& issues, ack_kind kind) {
  const bool commit = kind == ack_kind::commit;
  if (o == outcome::not_stored || std::any_of(issues.begin(), issues.end(), is_unsupported))
    return commit ? ack_code::CR : ack_code::AR;
  if (o == outcome::rejected || fhir::has_errors(issues)) return commit ? ack_code::CE : ack_code::AE;
  return commit ? ack_code::CA : ack_code::AA;
}

ack_request ack_request_of(const message* m) {
  ack_request r;
  if (m == nullptr || m->segment_count() == 0) return r;
  segment msh = m->header();
  r.accept_condition = msh.field(15).text();
  r.application_condition = msh.field(16).text();
  r.enhanced = !r.accept_condition.empty() || !r.application_condition.empty();
  return r;
}

bool should_send(std::string_view condition, ack_code code) {
  const bool success = code == ack_code::AA || code == ack_code::CA;
  if (condition == "NE") return false;
  if (condition == "ER") return !success;
  if (condition == "SU") return success;
  return true;
}

std::string build_ack(const message* original, ack_code code, const fhir::issue_list& issues, const ack_params& params,
                      const ack_settings& settings) {
  const bool have = original != nullptr && original->segment_count() > 0;
  const delimiters d = have ? original->delims() : delimiters{};
  message_writer w(d);

  std::string version = settings.default_version;
  if (have && is_supported_version(original->version().text())) version = original->version().text();
  const bool legacy = legacy_version(version);

  // MSH: sender and receiver swapped; the raw values keep their components as sent.
  w.segment("MSH");
  if (have) {
    segment msh = original->header();
    auto swapped = [&](std::size_t f, const std::string& fallback) {
      value v = msh.field(f);
      if (v.has_value())
        w.raw_field(v.raw());
      else
        w.field(fallback);
    };
    swapped(5, settings.sending_application);
    swapped(6, settings.sending_facility);
    w.raw_field(msh.field(3).raw());
    w.raw_field(msh.field(4).raw());
  } else {
    w.field(settings.sending_application).field(settings.sending_facility).field("").field("");
  }
  w.field(format_dtm(params.now, settings.utc_offset_minutes));
  w.field("");
  std::string trigger = have ? original->trigger_event().text() : std::string{};
  w.components({"ACK", trigger, "ACK"});
  std::string original_id = have ? original->control_id().text() : std::string{};
  w.field(params.control_id.empty() ? "ACK" + original_id : params.control_id);
  std::string processing = have ? original->header().get(11, 1).text() : std::string{};
  w.field(processing.empty() ? "P" : processing);
  w.field(version);
  std::string charset = have ? original->header().field(18).repetition(0).text() : std::string{};
  if (charset == "UNICODE UTF-8" || charset == "ASCII") {
    w.field("").field("").field("").field("").field("");
    w.field(charset);
  }

  const std::vector<const fhir::issue*> order = fhir::errors_first(issues);

  // MSA
  w.segment("MSA").field(to_string(code)).field(original_id);
  if (legacy && !order.empty() && fhir::is_error(*order.front())) w.field(order.front()->message);

  std::size_t listed = 0;
  for (const fhir::issue* i : order) {
    if (listed == settings.max_err_segments) break;
    ++listed;
    const auto code_num = fhir::hl7_code_of(*i);
    const std::string code_str = std::to_string(code_num);
    const auto parts = hl7_location_parts(i->location);

    std::string erl;  // the location with this message's component separator
    std::string diagnostic = parts.empty() ? i->location : std::string{};

    w.segment("ERR");
    if (legacy) {
      // ERR-1 (ELD): segment^sequence^field^code&text&HL70357
      for (std::size_t k = 0; k < 3; ++k) {
        if (k > 0) erl += d.component;
        if (k < parts.size()) erl += parts[k];
      }
      erl += d.component;
      erl += code_str;
      erl += d.subcomponent;
      escape_text_to(erl, hl7_error_text(code_num), d);
      erl += d.subcomponent;
      erl += "HL70357";
      w.raw_field(erl);
      continue;
    }
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (k > 0) erl += d.component;
      erl += parts[k];
    }
    w.field("");                                                    // ERR-1
    w.raw_field(erl);                                               // ERR-2
    w.components({code_str, hl7_error_text(code_num), "HL70357"});  // ERR-3
    w.field(std::string(1, severity_code(i->severity)));            // ERR-4
    w.field("").field("");                                          // ERR-5, ERR-6
    w.field(diagnostic).field(i->message);                          // ERR-7, ERR-8
  }
  if (order.size() > listed) {
    w.segment("ERR");
    std::string note = std::to_string(order.size() - listed) + " further issues not listed";
    if (legacy) {
      std::string eld(3, d.component);
      eld += "207";
      w.raw_field(eld);
    } else {
      w.field("").field("").components({"207", hl7_error_text(207), "HL70357"}).field("I");
      w.field("").field("").field("").field(note);
    }
  }
  return w.finish();
}

std::vector<std::string> acknowledgements(const message* original, outcome o, const fhir::issue_list& issues,
                                          const ack_params& params, const ack_settings& settings) {
  std::vector<std::string> out;
  if (original != nullptr && original->segment_count() == 0) original = nullptr;
  if (original != nullptr && original->message_code().raw() == "ACK") return out;
  const ack_request req = ack_request_of(original);
  if (!req.enhanced) {
    out.push_back(build_ack(original, choose_ack_code(o, issues, ack_kind::original), issues, params, settings));
    return out;
  }
  const ack_code commit = choose_ack_code(o, issues, ack_kind::commit);
  if (should_send(req.accept_condition, commit)) out.push_back(build_ack(original, commit, issues, params, settings));
  if (commit == ack_code::CR) return out;  // not committed, or never to be processed: no application answer
  const ack_code application = choose_ack_code(o, issues, ack_kind::application);
  if (!should_send(req.application_condition, application)) return out;
  ack_params app = params;
  app.control_id = params.control_id.empty() ? "APP" + original->control_id().text() : params.control_id + "-APP";
  out.push_back(build_ack(original, application, issues, app, settings));
  return out;
}

std::optional<std::string> acknowledge(const message* original, outcome o, const fhir::issue_list& issues,
                                       const ack_params& params, const ack_settings& settings) {
  std::vector<std::string> acks = acknowledgements(original, o, issues, params, settings);
  if (acks.empty()) return std::nullopt;
  std::string answer = std::move(acks.front());
  for (std::size_t i = 1; i < acks.size(); ++i) answer += acks[i];
  return answer;
}

std::vector<std::string_view> split_messages(std::string_view answer) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  std::size_t pos = 0;
  while (pos < answer.size()) {
    std::size_t end = answer.find('\r', pos);
    end = end == std::string_view::npos ? answer.size() : end + 1;
    if (end < answer.size() && answer.substr(end, 3) == "MSH") {
      out.push_back(answer.substr(start, end - start));
      start = end;
    }
    pos = end;
  }
  if (start < answer.size()) out.push_back(answer.substr(start));
  return out;
}

std::optional<std::string> acknowledge(const parse_result& parsed, outcome o, const fhir::issue_list& extra,
                                       const ack_params& params, const ack_settings& settings) {
  fhir::issue_list all = parsed.issues;
  all.insert(all.end(), extra.begin(), extra.end());
  return acknowledge(parsed.msg ? &*parsed.msg : nullptr, o, all, params, settings);
}

}  // namespace gw::hl7v2
