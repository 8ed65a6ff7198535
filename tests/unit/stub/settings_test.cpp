// The stub's settings file: the shipped one is valid; mistakes are named with file, line and key.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "gateway/stub/settings.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::stub {
namespace {

bool has_error(const settings_result& r, const std::string& key, int line) {
  return std::any_of(r.errors.begin(), r.errors.end(),
                     [&](const settings_error& e) { return e.key == key && (line == 0 || e.line == line); });
}

TEST(stub_settings, the_shipped_file_is_valid) {
  auto r = load_settings(GW_SOURCE_DIR "/config/national-stub.yaml");
  for (const auto& e : r.errors) ADD_FAILURE() << format_error(e);
  ASSERT_TRUE(r.settings);
  EXPECT_EQ(r.settings->admin.address, "127.0.0.1");
  ASSERT_TRUE(r.settings->fhir.tls);
  EXPECT_EQ(r.settings->fhir.tls->certificate.filename(), "national-stub.crt");
  EXPECT_EQ(r.settings->clients.subjects.at(0), "CN=gateway.emr-gateway.test");
  EXPECT_EQ(r.settings->faults.error_rate, 0);
}

TEST(stub_settings, mistakes_are_located) {
  test::temp_dir dir("stubcfg");
  test::write_file(dir / "s.yaml",
                   "listen:\n"
                   "  port: 99999\n"
                   "  tls: {certificate: a.crt, private_key: a.key}\n"
                   "admin: {address: 0.0.0.0, port: 1}\n"
                   "clients: {subjects: []}\n"
                   "faults:\n"
                   "  error_rate: 2\n"
                   "  outages: [{after: 1s, duration: soon}]\n"
                   "colour: red\n");
  auto r = load_settings(dir / "s.yaml");
  EXPECT_FALSE(r.settings);
  EXPECT_TRUE(has_error(r, "listen.port", 2));
  EXPECT_TRUE(has_error(r, "listen.tls.ca", 3));
  EXPECT_TRUE(has_error(r, "admin.address", 4));
  EXPECT_TRUE(has_error(r, "clients", 5));
  EXPECT_TRUE(has_error(r, "faults.error_rate", 7));
  EXPECT_TRUE(has_error(r, "faults.outages[0].duration", 8));
  EXPECT_TRUE(has_error(r, "colour", 9));
  for (const auto& e : r.errors) EXPECT_NE(format_error(e).find("s.yaml:"), std::string::npos);
}

TEST(stub_settings, empty_paths_null_ports_and_bad_list_items_are_reported) {
  test::temp_dir dir("stubcfg");
  ::unsetenv("GW_STUB_TEST_UNSET");
  test::write_file(
      dir / "s.yaml",
      "listen:\n"
      "  port:\n"
      "  tls: {certificate: \"\", private_key: \"${GW_STUB_TEST_UNSET:-}\", ca: ca.crt, min_version: 1.4}\n"
      "admin: {port: 9644}\n"
      "clients:\n"
      "  subjects: [\"CN=${GW_STUB_TEST_UNSET}\", {cn: x}, CN=gateway]\n"
      "log_level: loud\n");
  auto r = load_settings(dir / "s.yaml");
  EXPECT_FALSE(r.settings);
  // Exactly these mistakes (every one, none twice), by key and line.
  std::vector<std::pair<std::string, int>> got;
  std::string text;
  for (const auto& e : r.errors) {
    got.emplace_back(e.key, e.line);
    text += format_error(e) + "\n";
  }
  // The good subject is kept, so "clients" (no accepted certificate) does not follow.
  const std::vector<std::pair<std::string, int>> want{
      {"clients.subjects[0]", 6},    {"clients.subjects[1]", 6},    {"listen.port", 2}, {"listen.tls.certificate", 3},
      {"listen.tls.min_version", 3}, {"listen.tls.private_key", 3}, {"log_level", 7}};
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want) << text;
}

TEST(stub_settings, a_missing_file_is_an_error) {
  auto r = load_settings("/nonexistent/national-stub.yaml");
  EXPECT_FALSE(r.settings);
  ASSERT_EQ(r.errors.size(), 1u);
}

}  // namespace
}  // namespace gw::stub
