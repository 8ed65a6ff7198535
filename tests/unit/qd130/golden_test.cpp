// Golden files: each input sample → its FHIR transaction Bundle, compared structurally (JSON
// values, member order ignored). Every Bundle is also written for the schema check.
// Regenerate after an intended mapping change: GW_UPDATE_GOLDEN=1 ./qd130_golden_test
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "adapters/qd130/translate.hpp"
#include "fhir/json.hpp"
#include "fhir/validate.hpp"
#include "tests/support/fhir_out.hpp"
#include "tests/unit/qd130/test_util.hpp"

namespace gw::qd130 {
namespace {

using namespace gw::qd130::test;

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string pretty(const rapidjson::Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
  w.SetIndent(' ', 1);
  v.Accept(w);
  return sb.GetString();
}

/// Translates `body` as facility 42001 received at a fixed time, writes the Bundle for the schema
/// check and compares it with golden/<name>.json.
void check_golden(const std::string& name, const std::string& body, const std::string& facility) {
  context ctx;
  ctx.authenticated_facility = facility;
  ctx.received =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours{3} + std::chrono::minutes{30};
  ctx.sha256_hex = sha256_hex(body);
  const auto t = translate(body, settings{}, ctx);
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  fhir::issue_list invalid;
  EXPECT_TRUE(fhir::validate(t.bundle, invalid)) << describe(invalid);
  const std::string json = fhir::to_json(t.bundle);
  write_fhir_output("qd130-" + name, json);

  rapidjson::Document got;
  ASSERT_FALSE(got.Parse(json.c_str()).HasParseError());
  const std::string path = std::string(GW_SOURCE_DIR) + "/tests/unit/qd130/golden/" + name + ".json";
  if (std::getenv("GW_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << pretty(got) << '\n';
    GTEST_SKIP() << "golden file rewritten: " << path;
  }
  rapidjson::Document want;
  const std::string golden = read_file(path);
  ASSERT_FALSE(want.Parse(golden.c_str()).HasParseError()) << path;
  EXPECT_TRUE(got == want) << "Bundle differs from " << path << "\n--- got:\n" << pretty(got);
}

TEST(Qd130Golden, SampleEnvelope) {
  check_golden("giamdinhhs-inpatient-pneumonia", sample_envelope(), "42001");
}

TEST(Qd130Golden, LegacyQd4210Archive) {
  check_golden("qd4210-outpatient-hypertension", test_data("qd4210-outpatient-hypertension.xml"), "42006");
}

TEST(Qd130Golden, PortalFormBodyGivesTheSameResources) {
  // Same resources as the envelope itself; only the Provenance (hash of another body) differs.
  context ctx;
  const auto a = translate(sample_envelope(), settings{}, ctx);
  const auto b = translate("fileHSBase64=" + url_encode(base64(sample_envelope())), settings{}, ctx);
  ASSERT_EQ(a.bundle.entry.size(), b.bundle.entry.size());
  for (std::size_t i = 0; i + 1 < a.bundle.entry.size(); ++i)
    EXPECT_EQ(fhir::to_json(a.bundle.entry[i].resource), fhir::to_json(b.bundle.entry[i].resource));
  write_fhir_output("qd130-form-body", fhir::to_json(b.bundle));
}

}  // namespace
}  // namespace gw::qd130
