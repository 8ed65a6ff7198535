#include "gateway/forward/transaction.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>

namespace gw::forward {

std::string transaction_bundle(std::span<const store::outbox_row> rows) {
  std::size_t size = 64;
  for (const auto& r : rows) size += r.resource_json.size() + r.type.size() + r.id.size() + 64;
  std::string out;
  out.reserve(size);
  out += R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  bool first = true;
  for (const auto& r : rows) {
    if (!first) out.push_back(',');
    first = false;
    // Types and ids come from the store (a FHIR type name and a UUID): no escaping needed.
    out += R"({"fullUrl":"urn:uuid:)";
    out += r.id;
    out += R"(","resource":)";
    out += r.resource_json;
    out += R"(,"request":{"method":"PUT","url":")";
    out += r.type;
    out.push_back('/');
    out += r.id;
    out += "\"}}";
  }
  out += "]}";
  return out;
}

namespace {

/// i in "Bundle.entry[i]..." ; nullopt otherwise.
std::optional<std::size_t> entry_index(std::string_view expression) {
  constexpr std::string_view prefix = "Bundle.entry[";
  if (expression.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto digits = expression.substr(prefix.size());
  std::size_t i = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), i);
  if (r.ec != std::errc() || r.ptr == digits.data() || r.ptr == digits.data() + digits.size() || *r.ptr != ']')
    return std::nullopt;
  return i;
}

}  // namespace

std::vector<refusal> refused_entries(std::string_view json, std::size_t entries) {
  std::vector<refusal> out;
  rapidjson::Document d;
  d.Parse<rapidjson::kParseStopWhenDoneFlag>(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return out;
  auto issues = d.FindMember("issue");
  if (issues == d.MemberEnd() || !issues->value.IsArray()) return out;
  for (const auto& issue : issues->value.GetArray()) {
    if (!issue.IsObject()) continue;
    std::string diagnostics;
    if (auto di = issue.FindMember("diagnostics"); di != issue.MemberEnd() && di->value.IsString())
      diagnostics.assign(di->value.GetString(), di->value.GetStringLength());
    auto expr = issue.FindMember("expression");
    if (expr == issue.MemberEnd() || !expr->value.IsArray()) continue;
    for (const auto& e : expr->value.GetArray()) {
      if (!e.IsString()) continue;
      auto i = entry_index(std::string_view(e.GetString(), e.GetStringLength()));
      if (!i || *i >= entries) continue;
      bool seen = false;
      for (auto& r : out)
        if (r.entry == *i) {
          seen = true;
          if (!diagnostics.empty() && r.diagnostics.find(diagnostics) == std::string::npos)
            r.diagnostics += "; " + diagnostics;
        }
      if (!seen) out.push_back({*i, diagnostics});
    }
  }
  return out;
}

std::optional<std::size_t> response_entries(std::string_view json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseStopWhenDoneFlag>(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  auto type = d.FindMember("type");
  if (type == d.MemberEnd() || !type->value.IsString() ||
      std::string_view(type->value.GetString()) != "transaction-response")
    return std::nullopt;
  auto entry = d.FindMember("entry");
  if (entry == d.MemberEnd()) return 0;
  if (!entry->value.IsArray()) return std::nullopt;
  return entry->value.Size();
}

}  // namespace gw::forward
