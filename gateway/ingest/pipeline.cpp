#include "gateway/ingest/pipeline.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <typeinfo>

#include "adapters/hl7v2/ack.hpp"
#include "adapters/hl7v2/parser.hpp"
#include "adapters/hl7v2/translate.hpp"
#include "gateway/store/database.hpp"
#include "gateway/store/errors.hpp"

namespace gw::ingest {

namespace asio = boost::asio;
using fhir::issue;
using fhir::issue_code;
using fhir::severity;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// A short, stable message id for answers: derived from facility + key, so a duplicate gets
/// the same id as the original.
std::string message_id_of(std::string_view facility, std::string_view key) {
  std::string s(facility);
  s += '|';
  s += key;
  return "msg-" + store::to_hex(store::sha256_of(s)).substr(0, 24);
}

bool has_code(const fhir::issue_list& issues, issue_code c) {
  return std::any_of(issues.begin(), issues.end(), [c](const issue& i) { return i.code == c && fhir::is_error(i); });
}

/// HTTP status of a rejected message: 403 for a facility mismatch, else 422 (content errors).
int rejected_status(const fhir::issue_list& issues) {
  return has_code(issues, issue_code::forbidden) ? 403 : 422;
}

hl7v2::outcome hl7_outcome(store::outcome o) {
  return o == store::outcome::accepted ? hl7v2::outcome::stored : hl7v2::outcome::rejected;
}

std::chrono::sys_seconds now_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::time_point_cast<std::chrono::seconds>(t);
}

}  // namespace

std::optional<config::feed_format> format_of(std::string_view content_type, const config::facility& f) {
  auto ct = lower(content_type.substr(0, content_type.find(';')));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  auto pick = [&](config::feed_format want) -> std::optional<config::feed_format> {
    for (const auto& fd : f.feeds)
      if (fd.format == want && fd.transport == config::transport::https) return want;
    return std::nullopt;
  };
  if (ct == "application/hl7-v2" || ct == "x-application/hl7-v2+er7" || ct == "application/edi-hl7")
    return pick(config::feed_format::hl7v2);
  if (ct == "application/xml" || ct == "text/xml" || ct == "application/x-www-form-urlencoded") {
    if (auto p = pick(config::feed_format::qd130)) return p;
    if (auto p = pick(config::feed_format::cv365)) return p;
    return pick(config::feed_format::mapped);
  }
  if (ct == "application/json" || ct == "application/fhir+json") {
    if (auto p = pick(config::feed_format::cv365)) return p;
    return pick(config::feed_format::mapped);
  }
  if (ct == "text/plain" || ct == "text/csv") return pick(config::feed_format::mapped);
  return std::nullopt;
}

std::string issues_json(const fhir::issue_list& issues) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartArray();
  for (const auto& i : issues) {
    w.StartObject();
    w.Key("severity");
    auto sv = fhir::to_string(i.severity);
    w.String(sv.data(), static_cast<rapidjson::SizeType>(sv.size()));
    w.Key("code");
    auto cv = fhir::to_string(i.code);
    w.String(cv.data(), static_cast<rapidjson::SizeType>(cv.size()));
    if (!i.location.empty()) {
      w.Key("location");
      w.String(i.location.data(), static_cast<rapidjson::SizeType>(i.location.size()));
    }
    w.Key("message");
    w.String(i.message.data(), static_cast<rapidjson::SizeType>(i.message.size()));
    w.EndObject();
  }
  w.EndArray();
  return {sb.GetString(), sb.GetSize()};
}

std::string outcome_json(std::string_view message_id, std::string_view summary_severity, std::string_view summary,
                         const fhir::issue_list& issues) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("resourceType");
  str("OperationOutcome");
  if (!message_id.empty()) {
    w.Key("id");
    str(message_id);
  }
  w.Key("issue");
  w.StartArray();
  w.StartObject();
  w.Key("severity");
  str(summary_severity);
  w.Key("code");
  str(summary_severity == "information" ? "informational" : (summary_severity == "fatal" ? "transient" : "processing"));
  w.Key("diagnostics");
  str(summary);
  w.EndObject();
  // Errors first, as in an ACK, and at most `max_listed` of them (a 5,000-row file with a mistake
  // in every row made a 1.7 MB answer); all of them are stored with the message.
  constexpr std::size_t max_listed = 200;
  std::vector<const fhir::issue*> listed = fhir::errors_first(issues);
  const bool capped = listed.size() > max_listed;
  if (capped) listed.resize(max_listed);
  for (const fhir::issue* i : listed) {
    w.StartObject();
    w.Key("severity");
    str(fhir::to_string(i->severity));
    w.Key("code");
    str(fhir::to_string(i->code));
    w.Key("diagnostics");
    str(i->message);
    if (!i->location.empty()) {
      w.Key("expression");
      w.StartArray();
      str(i->location);
      w.EndArray();
    }
    w.EndObject();
  }
  if (capped) {
    w.StartObject();
    w.Key("severity");
    str("information");
    w.Key("code");
    str("informational");
    w.Key("diagnostics");
    str(std::to_string(issues.size() - listed.size()) + " further issues not listed; all " +
        std::to_string(issues.size()) + " are stored with the message");
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

pipeline::pipeline(const config::gateway_config& cfg, std::shared_ptr<store::ingest_store> store,
                   translator_registry translators)
    : cfg_(cfg), store_(std::move(store)), translators_(std::move(translators)) {}

asio::awaitable<response> pipeline::handle(request req) {
  const auto& facility = *req.facility;
  const bool mllp = req.transport == config::transport::mllp;
  const auto sha = store::sha256_of(req.body);
  const auto sha_hex = store::to_hex(sha);

  // HL7 v2 is parsed here only for what the answer needs (MSH: key, sender, ack mode); the
  // adapter parses again to translate.
  std::optional<config::feed_format> format;
  if (mllp)
    format = config::feed_format::hl7v2;
  else
    format = format_of(req.content_type, facility);
  const bool hl7 = format == config::feed_format::hl7v2;
  // The body has passed its listener's size limit: that limit, not an adapter default, is the one.
  const std::size_t max_bytes = (mllp ? cfg_.listeners.mllp : cfg_.listeners.ingest).limits.max_message_bytes;
  hl7v2::parse_result parsed;
  std::string key;
  std::string control_id;
  if (hl7) {
    hl7v2::parse_settings ps;
    ps.max_message_bytes = std::max(ps.max_message_bytes, max_bytes);
    parsed = hl7v2::parse(req.body, ps);
    if (parsed.msg) {
      control_id = parsed.msg->control_id().text();
      // Sending application + facility + control id (a LIS and a PACS count their own ids).
      if (!control_id.empty()) key = hl7v2::message_key(*parsed.msg);
    }
  }
  if (key.empty()) {
    // The body's hash, with what it was taken for: the same bytes refused under one format (or an
    // unknown Content-Type) and sent again under the right one are a new message, not a duplicate
    // of the refusal.
    key = sha_hex + "#" +
          (format ? std::string(config::to_string(*format))
                  : "content-type:" + store::to_hex(store::sha256_of(req.content_type)));
  }
  // A stored answer is in the language of the transport it was made for (an ACK or an
  // OperationOutcome): the same bytes over the other transport are another message.
  if (mllp) key = "mllp|" + key;
  const auto msg_id = message_id_of(facility.code, key);
  const auto now = now_seconds(req.received_at);

  // The answer in the sender's language.
  auto answer_for = [&](store::outcome o, const fhir::issue_list& issues, int http_status,
                        std::string_view summary) -> store::answer {
    if (mllp) {
      // `issues` is the whole list (a translation's issues already hold the parse issues).
      auto ack = hl7v2::acknowledge(parsed.msg ? &*parsed.msg : nullptr, hl7_outcome(o), issues, {now, {}});
      return {ack.value_or(std::string()), http_status};
    }
    std::string_view sev = o == store::outcome::accepted ? "information" : "error";
    return {outcome_json(msg_id, sev, summary, issues), http_status};
  };
  auto transient = [&](std::string_view why) -> response {
    fhir::issue_list issues{
        {severity::error, issue_code::transient, "", std::string(why), fhir::hl7_error::application_internal_error}};
    response r;
    if (mllp) {
      r.body = hl7v2::acknowledge(parsed, hl7v2::outcome::not_stored, issues, {now, {}}).value_or(std::string());
    } else {
      r.body = outcome_json(msg_id, "fatal", why, issues);
    }
    r.http_status = 503;
    r.content_type = "application/fhir+json";
    r.retry_after_seconds = 30;
    return r;
  };
  auto to_response = [&](const store::answer& a) {
    response r;
    r.body = a.body;
    r.http_status = a.status;
    r.content_type = "application/fhir+json";
    return r;
  };

  if (stopping_) co_return transient("the gateway is shutting down; send again shortly");

  // A re-send is settled by the commit (same key and content: the stored answer, nothing
  // written), so a message costs one trip to the database; a re-sent message is translated again.
  store::inbound_record rec;
  rec.facility = facility.code;
  rec.transport = std::string(config::to_string(req.transport));
  rec.format = format ? std::string(config::to_string(*format)) : "unknown";
  rec.message_key = key;
  rec.sha256 = sha;
  if (hl7 && req.body.find('\n') != std::string::npos) {
    // HL7 segments may end in CR, LF or CR LF, and a relay may convert them: the same message with
    // other line ends is the same content for the key (a retransmission, not a conflict).
    std::string crs;
    crs.reserve(req.body.size());
    for (std::size_t i = 0; i < req.body.size(); ++i) {
      const char c = req.body[i];
      if (c == '\r' && i + 1 < req.body.size() && req.body[i + 1] == '\n') continue;  // CR LF → CR
      crs.push_back(c == '\n' ? '\r' : c);
    }
    rec.key_sha256 = store::sha256_of(crs);
  }
  rec.received_at = req.received_at;

  fhir::issue_list issues;
  int status = 200;
  std::string summary;
  const translator* tr = format ? translators_.find(*format) : nullptr;
  if (!format) {
    issues.push_back({severity::error, issue_code::not_supported, "Content-Type",
                      "content type '" + req.content_type + "' is not a format facility " + facility.code +
                          " is configured to send over HTTPS",
                      fhir::hl7_error::unsupported_message_type});
    status = 415;
    summary = "rejected: unsupported content type";
  } else if (!tr) {
    issues.push_back({severity::error, issue_code::not_supported, "",
                      "format " + std::string(config::to_string(*format)) + " is not translated by this gateway yet",
                      fhir::hl7_error::unsupported_message_type});
    status = 422;
    summary = "rejected: format not supported yet";
  } else {
    translation t = (*tr)(
        {req.body, &facility, req.received_at, sha_hex, cfg_.default_timezone, hl7 ? &parsed : nullptr, max_bytes});
    issues = std::move(t.issues);
    if (!fhir::has_errors(issues)) {
      rec.outcome = store::outcome::accepted;
      rec.resources = std::move(t.resources);
      rec.links = std::move(t.links);
      summary = "accepted: stored with " + std::to_string(rec.resources.size()) + " FHIR resources";
    } else {
      status = rejected_status(issues);
      summary = status == 403 ? "rejected: the facility in the message is not the authenticated facility"
                              : "rejected: the message has errors; it was kept and can be replayed once fixed";
    }
  }
  if (status != 200) rec.outcome = store::outcome::rejected;
  rec.issues_json = issues_json(issues);
  rec.answer = answer_for(rec.outcome, issues, status, summary);
  if (hl7) {
    fhir::issue_list conflict{
        {severity::error, issue_code::duplicate, "MSH^1^10",
         "control id " + control_id +
             " was already used for a different message from this sending application (MSH-3) and facility",
         fhir::hl7_error::duplicate_key_identifier}};
    rec.conflict_issues_json = issues_json(conflict);
    rec.conflict_answer = answer_for(store::outcome::rejected, conflict, 409,
                                     "rejected: this control id was already used for different content");
  }

  {
    fhir::issue_list internal{{severity::error, issue_code::exception, "",
                               "the gateway could not store this message's content; it was kept and will be "
                               "replayed once the fault is fixed",
                               fhir::hl7_error::application_internal_error}};
    rec.error_issues_json = issues_json(internal);
    rec.error_answer = answer_for(store::outcome::error, internal, 500, "error: kept, not processed");
  }
  // A copy, not a move: the parsed HL7 message's fields are views into req.body, and the answer
  // to a failed commit (`transient`) still reads them after the record has gone to the store.
  rec.raw = req.body;

  try {
    auto result = co_await store_->commit(std::move(rec));
    spdlog::info("event=ingest facility={} transport={} format={} message={} result={} status={} changed={}",
                 facility.code, config::to_string(req.transport), format ? config::to_string(*format) : "unknown",
                 msg_id,
                 result.status == store::commit_status::stored      ? "stored"
                 : result.status == store::commit_status::duplicate ? "duplicate"
                                                                    : "conflict",
                 result.answer.status, result.resources_changed);
    co_return to_response(result.answer);
  } catch (const store::unavailable&) {
    // Logged like every other answer, so an operator sees who was told to come back.
    spdlog::warn(
        "event=ingest facility={} transport={} message={} result=not_stored status=503 "
        "reason=\"database unavailable\"",
        facility.code, config::to_string(req.transport), msg_id);
    co_return transient("the gateway's database is unavailable; nothing was stored, send again later");
  } catch (const std::exception& e) {
    // Not e.what(): a database error's detail can quote key values (record numbers).
    spdlog::error("event=ingest_failed facility={} message={} error=\"{}\"", facility.code, msg_id,
                  store::describe_error(e));
    co_return transient("the gateway could not store the message; nothing was stored, send again later");
  }
}

}  // namespace gw::ingest
