#pragma once
// A FHIR transaction Bundle of PUTs around resources given as JSON text (each with
// "resourceType" and "id" as its first string members of those names), for tests of the
// national database stub and the forwarder.
#include <string>
#include <vector>

namespace gw::test {

/// The value of the first `"key":"value"` member in `json` ("" when none).
inline std::string first_string_member(const std::string& json, const std::string& key) {
  auto at = json.find("\"" + key + "\":\"");
  if (at == std::string::npos) return {};
  at += key.size() + 4;
  return json.substr(at, json.find('"', at) - at);
}

/// {"resourceType":"Bundle","type":"transaction","entry":[{"resource":R,"request":{"method":"PUT","url":"Type/id"}}...]}
inline std::string transaction_bundle(const std::vector<std::string>& resources) {
  std::string out = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const auto& r = resources[i];
    if (i > 0) out += ',';
    out += R"({"resource":)" + r + R"(,"request":{"method":"PUT","url":")" + first_string_member(r, "resourceType") +
           "/" + first_string_member(r, "id") + R"("}})";
  }
  return out + "]}";
}

}  // namespace gw::test
