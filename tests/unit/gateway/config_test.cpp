// Configuration loading and validation: every kind of mistake is reported with its file, line and
// key, all of them at once, and the shipped configuration is valid.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "gateway/config/config.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::config {
namespace {

using test::temp_dir;
using test::write_file;

constexpr std::string_view k_gateway = R"(log_level: info
facilities_dir: facilities
listeners:
  mllp:
    port: 2575
    tls: {certificate: certs/gw.crt, private_key: certs/gw.key, ca: certs/ca.crt}
  ingest:
    port: 8443
    tls: {certificate: certs/gw.crt, private_key: certs/gw.key, ca: certs/ca.crt}
    limits: {max_message_bytes: 1MiB, read_timeout: 5s}
  api:
    enabled: false
    port: 9443
    tls: {certificate: certs/gw.crt, private_key: certs/gw.key}
  admin:
    port: 8081
database:
  dsn: "host=127.0.0.1"
)";

constexpr std::string_view k_facility = R"(code: "42001"
name: "Bệnh viện Đa khoa tỉnh Hà Tĩnh"
ownership: public
feeds:
  - {format: qd130, transport: https}
  - {format: hl7v2, transport: mllp}
certificates:
  subjects: ["CN=facility-42001"]
)";

/// A complete, valid configuration in a temporary folder; tests overwrite one file to break it.
struct config_fixture : ::testing::Test {
  temp_dir dir{"config"};
  void SetUp() override {
    write_file(dir / "gateway.yaml", k_gateway);
    write_file(dir / "facilities/42001.yaml", k_facility);
    for (auto f : {"certs/gw.crt", "certs/gw.key", "certs/ca.crt"}) write_file(dir / f, "x");
  }
  load_result load() { return load_config(dir / "gateway.yaml"); }
};

/// The one error whose key is `key` (fails the test when there is not exactly one).
const config_error* only_error_for(const load_result& r, std::string_view key) {
  const config_error* found = nullptr;
  int n = 0;
  for (const auto& e : r.errors)
    if (e.key == key) {
      found = &e;
      ++n;
    }
  EXPECT_EQ(n, 1) << "errors for key " << key;
  return found;
}

std::string all(const load_result& r) {
  std::string s;
  for (const auto& e : r.errors) s += format_error(e) + "\n";
  return s;
}

TEST(config_values, durations_in_every_unit_and_too_large_ones_refused) {
  using std::chrono::milliseconds;
  EXPECT_EQ(parse_duration("250"), milliseconds(250));
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("30 s"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("5min"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("7d"), milliseconds(604'800'000));
  EXPECT_EQ(parse_duration("106751991167d"), milliseconds(106'751'991'167LL * 86'400'000));  // the largest
  EXPECT_FALSE(parse_duration("106751991168d"));                                             // would overflow
  EXPECT_FALSE(parse_duration("400000000000000000d"));
  EXPECT_FALSE(parse_duration("400000000000000h"));
  EXPECT_FALSE(parse_duration("99999999999999999999"));  // beyond long long
  EXPECT_FALSE(parse_duration("5 weeks"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration(""));
}
TEST(config_values, sizes_in_every_unit_and_too_large_ones_refused) {
  EXPECT_EQ(parse_bytes("65536"), 65536u);
  EXPECT_EQ(parse_bytes("64KiB"), 65536u);
  EXPECT_EQ(parse_bytes("64 KB"), 65536u);
  EXPECT_EQ(parse_bytes("16M"), 16u << 20);
  EXPECT_EQ(parse_bytes("1GiB"), std::size_t{1} << 30);
  EXPECT_EQ(parse_bytes("17179869183GiB"), std::size_t{17'179'869'183} << 30);  // the largest
  EXPECT_FALSE(parse_bytes("17179869184GiB"));                                  // would wrap
  EXPECT_FALSE(parse_bytes("64TiB"));
  EXPECT_FALSE(parse_bytes("KiB"));
}
TEST(config_values, environment_expansion) {
  ::setenv("GW_VALUES_TEST", "x1", 1);
  ::unsetenv("GW_VALUES_UNSET");
  std::string problem;
  EXPECT_EQ(expand_env("a${GW_VALUES_TEST}b", problem), "ax1b");
  EXPECT_EQ(expand_env("${GW_VALUES_UNSET:-dflt}", problem), "dflt");
  EXPECT_FALSE(expand_env("${GW_VALUES_UNSET}", problem));
  EXPECT_EQ(problem, "environment variable GW_VALUES_UNSET is not set");
  EXPECT_FALSE(expand_env("${GW_VALUES_TEST", problem));
  EXPECT_EQ(problem, "unterminated ${...}");
}

TEST_F(config_fixture, valid_config_loads_into_typed_values) {
  auto r = load();
  ASSERT_TRUE(r.config) << all(r);
  const auto& c = *r.config;
  EXPECT_EQ(c.listeners.mllp.port, 2575);
  EXPECT_EQ(c.listeners.ingest.limits.max_message_bytes, 1024u * 1024u);
  EXPECT_EQ(c.listeners.ingest.limits.read_timeout, std::chrono::seconds(5));
  EXPECT_FALSE(c.listeners.api.enabled);
  EXPECT_EQ(c.listeners.admin.address, "127.0.0.1");
  ASSERT_EQ(c.facilities.size(), 1u);
  const auto* f = c.find_facility("42001");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->sends(feed_format::hl7v2));
  EXPECT_FALSE(f->sends(feed_format::cv365));
  EXPECT_EQ(c.listeners.mllp.tls->ca, (dir / "certs/ca.crt").lexically_normal());
}

TEST_F(config_fixture, unknown_key_is_reported_with_file_line_and_key) {
  write_file(dir / "facilities/42001.yaml", std::string(k_facility) + "colour: blue\n");
  auto r = load();
  EXPECT_FALSE(r.config);
  auto* e = only_error_for(r, "colour");
  ASSERT_NE(e, nullptr) << all(r);
  EXPECT_EQ(e->file, (dir / "facilities/42001.yaml").string());
  EXPECT_EQ(e->line, 9);
  EXPECT_NE(e->message.find("unknown key"), std::string::npos);
}

TEST_F(config_fixture, unknown_nested_key_in_gateway_yaml) {
  std::string g(k_gateway);
  g.replace(g.find("    port: 8081"), 14, "    port: 8081\n    colour: red");
  write_file(dir / "gateway.yaml", g);
  auto r = load();
  auto* e = only_error_for(r, "listeners.admin.colour");
  ASSERT_NE(e, nullptr) << all(r);
  EXPECT_EQ(e->line, 17);
}

TEST_F(config_fixture, wrong_type_is_reported) {
  std::string g(k_gateway);
  g.replace(g.find("port: 2575"), 10, "port: [1, 2]");
  write_file(dir / "gateway.yaml", g);
  auto r = load();
  EXPECT_FALSE(r.config);
  auto* e = only_error_for(r, "listeners.mllp.port");
  ASSERT_NE(e, nullptr) << all(r);
  EXPECT_EQ(e->line, 5);
  EXPECT_NE(e->message.find("wrong type"), std::string::npos);
}

TEST_F(config_fixture, wrong_type_for_a_duration) {
  std::string g(k_gateway);
  g.replace(g.find("read_timeout: 5s"), 16, "read_timeout: soon");
  write_file(dir / "gateway.yaml", g);
  auto r = load();
  auto* e = only_error_for(r, "listeners.ingest.limits.read_timeout");
  ASSERT_NE(e, nullptr) << all(r);
  EXPECT_NE(e->message.find("wrong type"), std::string::npos);
}

TEST_F(config_fixture, duplicate_facility_code_is_reported) {
  write_file(dir / "facilities/42001-copy.yaml", k_facility);
  auto r = load();
  EXPECT_FALSE(r.config);
  auto it = std::find_if(r.errors.begin(), r.errors.end(), [](const config_error& e) {
    return e.key == "code" && e.message.find("duplicate facility code 42001") != std::string::npos;
  });
  ASSERT_NE(it, r.errors.end()) << all(r);
  EXPECT_NE(it->file.find("facilities/42001"), std::string::npos);
}

TEST_F(config_fixture, port_out_of_range_is_reported) {
  std::string g(k_gateway);
  g.replace(g.find("port: 8443"), 10, "port: 70000");
  write_file(dir / "gateway.yaml", g);
  auto r = load();
  EXPECT_FALSE(r.config);
  auto* e = only_error_for(r, "listeners.ingest.port");
  ASSERT_NE(e, nullptr) << all(r);
  EXPECT_EQ(e->line, 8);
  EXPECT_EQ(e->message, "out of range: expected a port from 1 to 65535, got '70000'");
}

TEST_F(config_fixture, missing_file_is_reported) {
  std::filesystem::remove(dir / "certs/ca.crt");
  auto r = load();
  EXPECT_FALSE(r.config);
  auto* e = only_error_for(r, "listeners.mllp.tls.ca");
  ASSERT_NE(e, nullptr) << all(r);
  EXPECT_EQ(e->line, 6);
  EXPECT_NE(e->message.find("missing file"), std::string::npos);
  EXPECT_NE(e->message.find("ca.crt"), std::string::npos);
}

TEST_F(config_fixture, unknown_format_is_reported) {
  std::string f(k_facility);
  f.replace(f.find("format: hl7v2"), 13, "format: hl7v3");
  write_file(dir / "facilities/42001.yaml", f);
  auto r = load();
  EXPECT_FALSE(r.config);
  auto* e = only_error_for(r, "feeds[1].format");
  ASSERT_NE(e, nullptr) << all(r);
  EXPECT_EQ(e->line, 6);
  EXPECT_NE(e->message.find("unknown format 'hl7v3'"), std::string::npos);
}

TEST_F(config_fixture, three_mistakes_are_all_reported) {
  std::string g(k_gateway);
  g.replace(g.find("port: 8443"), 10, "port: 0");
  g += "colour: blue\n";
  write_file(dir / "gateway.yaml", g);
  std::string f(k_facility);
  f.replace(f.find("format: qd130"), 13, "format: xml");
  write_file(dir / "facilities/42001.yaml", f);
  auto r = load();
  EXPECT_FALSE(r.config);
  EXPECT_EQ(r.errors.size(), 3u) << all(r);
  std::vector<std::string> keys;
  for (const auto& e : r.errors) keys.push_back(e.key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"colour", "feeds[0].format", "listeners.ingest.port"}));
}

TEST_F(config_fixture, environment_values_and_defaults) {
  std::string g(k_gateway);
  g.replace(g.find("dsn: \"host=127.0.0.1\""), 21, "dsn: ${GW_TEST_CFG_DSN:-host=fallback}");
  write_file(dir / "gateway.yaml", g);
  ::unsetenv("GW_TEST_CFG_DSN");
  auto r = load();
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->database.dsn, "host=fallback");
  ::setenv("GW_TEST_CFG_DSN", "host=from-env", 1);
  r = load();
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->database.dsn, "host=from-env");
  ::unsetenv("GW_TEST_CFG_DSN");
}

TEST_F(config_fixture, unset_environment_variable_without_default_is_an_error) {
  std::string g(k_gateway);
  g.replace(g.find("dsn: \"host=127.0.0.1\""), 21, "dsn: ${GW_TEST_CFG_UNSET_VAR}");
  write_file(dir / "gateway.yaml", g);
  ::unsetenv("GW_TEST_CFG_UNSET_VAR");
  auto r = load();
  auto* e = only_error_for(r, "database.dsn");
  ASSERT_NE(e, nullptr) << all(r);
  EXPECT_NE(e->message.find("GW_TEST_CFG_UNSET_VAR"), std::string::npos);
}

TEST_F(config_fixture, environment_values_in_list_items) {
  std::string f(k_facility);
  f.replace(f.find("\"CN=facility-42001\""), 19, "\"CN=${GW_TEST_CFG_CN:-facility-42001}\", \"CN=${GW_TEST_CFG_CN}\"");
  write_file(dir / "facilities/42001.yaml", f);
  ::setenv("GW_TEST_CFG_CN", "from-env", 1);
  auto r = load();
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->facilities.at(0).certificates.subjects, (std::vector<std::string>{"CN=from-env", "CN=from-env"}));
  ::unsetenv("GW_TEST_CFG_CN");
  r = load();
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_EQ(format_error(r.errors[0]),
            (dir / "facilities/42001.yaml").string() +
                ":8: certificates.subjects[1]: environment variable GW_TEST_CFG_CN is not set");
}

TEST_F(config_fixture, bad_fingerprints_after_a_bad_list_item_are_still_reported) {
  write_file(dir / "facilities/42001.yaml", std::string(k_facility) + "  sha256_fingerprints: [{x: 1}, \"ab:cd\"]\n");
  auto r = load();
  std::vector<std::pair<std::string, int>> got;
  for (const auto& e : r.errors) got.emplace_back(e.key, e.line);
  // "ab:cd" is no longer at its list position once [0] is left out: the list is named instead.
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int>>{{"certificates.sha256_fingerprints[0]", 9},
                                                           {"certificates.sha256_fingerprints", 9}}))
      << all(r);
  EXPECT_NE(all(r).find("64 hexadecimal digits, got 'ab:cd'"), std::string::npos) << all(r);
}

TEST_F(config_fixture, secret_from_file) {
  write_file(dir / "secret-dsn", "host=secret-host\n");
  std::string g(k_gateway);
  g.replace(g.find("dsn: \"host=127.0.0.1\""), 21, "dsn_file: secret-dsn");
  write_file(dir / "gateway.yaml", g);
  auto r = load();
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->database.dsn, "host=secret-host");
}

TEST_F(config_fixture, certificate_bound_to_two_facilities_is_refused) {
  std::string f(k_facility);
  f.replace(f.find("\"42001\""), 7, "\"42002\"");
  write_file(dir / "facilities/42002.yaml", f);
  auto r = load();
  EXPECT_FALSE(r.config);
  auto* e = only_error_for(r, "certificates.subjects");
  ASSERT_NE(e, nullptr) << all(r);
}

TEST_F(config_fixture, invalid_yaml_names_the_line) {
  write_file(dir / "facilities/42001.yaml", "code: \"42001\"\nfeeds: [\n");
  auto r = load();
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].message.find("not valid YAML"), std::string::npos);
  EXPECT_GT(r.errors[0].line, 0);
}

TEST(shipped_config, is_valid_with_certificates_present) {
  // The shipped files reference ${GW_CERT_DIR:-../var/certs}; point them at stand-in files.
  temp_dir certs{"certs"};
  for (auto f : {"gateway.crt", "gateway.key", "ca.crt"}) write_file(certs / f, "x");
  ::setenv("GW_CERT_DIR", certs.path().c_str(), 1);
  auto r = load_config(std::filesystem::path(GW_SOURCE_DIR) / "config/gateway.yaml");
  ::unsetenv("GW_CERT_DIR");
  ASSERT_TRUE(r.config) << all(r);
  EXPECT_EQ(r.config->facilities.size(), 23u);
  // Every facility of the shared sample list is configured with the feeds it sends.
  const auto* f = r.config->find_facility("42001");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->sends(feed_format::qd130));
  EXPECT_TRUE(f->sends(feed_format::hl7v2));
  ASSERT_NE(r.config->find_facility("42020"), nullptr);
  EXPECT_TRUE(r.config->find_facility("42020")->sends(feed_format::cv365));
  EXPECT_EQ(r.config->find_facility("42006")->settings.at("legacy_4210"), "true");
}

// ---------------------------------------------------------------------------------------------
// Mapping files (cv365 / mapped feeds): every mistake with its file, line and key.
// ---------------------------------------------------------------------------------------------

constexpr std::string_view k_mapped_facility = R"(code: "42021"
name: "Bệnh viện Đa khoa tư nhân A"
ownership: private
feeds:
  - {format: mapped, transport: https}
certificates:
  subjects: ["CN=facility-42021"]
settings:
  mapping_file: ../mappings/42021.yaml
)";

constexpr std::string_view k_good_mapping = R"(format: json
records: /visits
resources:
  - resource: Patient
    fields:
      - {source: /patient/cccd, target: id.cccd}
      - {source: /patient/dob, target: birthDate, transforms: [{date: dd/MM/yyyy}]}
  - resource: Encounter
    fields:
      - {source: /visit_no, target: id.episode}
)";

struct mapping_fixture : config_fixture {
  void SetUp() override {
    config_fixture::SetUp();
    write_file(dir / "facilities/42021.yaml", k_mapped_facility);
  }
  std::string mapping_file() const { return (dir / "mappings/42021.yaml").lexically_normal().string(); }
};

TEST_F(mapping_fixture, a_valid_mapping_is_loaded_typed_and_checked) {
  write_file(dir / "mappings/42021.yaml", k_good_mapping);
  auto r = load();
  ASSERT_TRUE(r.config) << all(r);
  const auto* f = r.config->find_facility("42021");
  ASSERT_TRUE(f && f->mapping);
  EXPECT_EQ(f->mapping->json.records, "/visits");
  ASSERT_EQ(f->mapping->resources.size(), 2u);
  EXPECT_EQ(f->mapping->resources[0].fields[0].id, mapped::identity::cccd);
  EXPECT_EQ(f->mapping->resources[0].fields[1].transforms[0].kind, mapped::transform::op::date);
}

TEST_F(mapping_fixture, code_maps_are_read_from_codemaps_dir) {
  // A mapping naming code map "gender": looked up in codemaps_dir (default: beside gateway.yaml).
  std::string mapping(k_good_mapping);
  auto at = mapping.find("  - resource: Encounter");
  mapping.insert(at, "      - {source: /patient/sex, target: gender, transforms: [{map: gender}]}\n");
  write_file(dir / "mappings/42021.yaml", mapping);
  write_file(dir / "elsewhere/gender.tsv", test::read_file(GW_SOURCE_DIR "/config/codemaps/gender.tsv"));
  auto r = load();
  EXPECT_FALSE(r.config) << "gender.tsv is not in the default folder";
  write_file(dir / "gateway.yaml", std::string(k_gateway) + "codemaps_dir: elsewhere\n");
  r = load();
  EXPECT_TRUE(r.config) << all(r);
  write_file(dir / "gateway.yaml", std::string(k_gateway) + "codemaps_dir: nowhere\n");
  r = load();
  const auto* e = only_error_for(r, "codemaps_dir");
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->message.find("missing folder"), std::string::npos) << all(r);
}

TEST_F(mapping_fixture, mapping_mistakes_are_reported_with_file_line_and_key) {
  write_file(dir / "mappings/42021.yaml", R"(format: json
records: visits
resources:
  - resource: Patient
    fields:
      - {source: /patient/cccd, target: id.cccd}
      - {source: /patient/dob, target: birthdate}
      - {source: /patient/sex, target: gender, transforms: [capitalise]}
      - {source: "/patient/~2", target: "name[0].text"}
  - resource: Encounter
    fields:
      - {source: /visit_no, target: id.episode}
      - {source: /visit_no, target: period}
)");
  auto r = load();
  EXPECT_FALSE(r.config);
  const auto* bad_records = only_error_for(r, "records");
  ASSERT_TRUE(bad_records) << all(r);
  EXPECT_EQ(bad_records->file, mapping_file());
  EXPECT_EQ(bad_records->line, 2);
  const auto* element = only_error_for(r, "resources[0].fields[1].target");
  ASSERT_TRUE(element) << all(r);
  EXPECT_EQ(element->line, 7);
  EXPECT_NE(element->message.find("birthdate"), std::string::npos);
  const auto* tr = only_error_for(r, "resources[0].fields[2].transforms[0]");
  ASSERT_TRUE(tr) << all(r);
  EXPECT_EQ(tr->line, 8);
  const auto* ptr = only_error_for(r, "resources[0].fields[3].source");
  ASSERT_TRUE(ptr) << all(r);
  EXPECT_EQ(ptr->line, 9);
  const auto* complex = only_error_for(r, "resources[1].fields[1].target");
  ASSERT_TRUE(complex) << all(r);
  EXPECT_EQ(complex->line, 13);
}

TEST_F(mapping_fixture, delimited_column_out_of_range_and_unknown_column) {
  write_file(dir / "mappings/42021.yaml", R"(format: delimited
delimited:
  delimiter: "|"
  record_types:
    row:
      width: 3
      columns: {cccd: 1, visit: 2, dob: 7}
resources:
  - resource: Patient
    fields:
      - {source: /cccd, target: id.cccd}
      - {source: /birth, target: birthDate}
)");
  auto r = load();
  EXPECT_FALSE(r.config);
  const auto* range = only_error_for(r, "delimited.record_types.row.columns.dob");
  ASSERT_TRUE(range) << all(r);
  EXPECT_EQ(range->line, 7);
  EXPECT_NE(range->message.find("out of range"), std::string::npos);
  const auto* col = only_error_for(r, "resources[0].fields[1].source");
  ASSERT_TRUE(col) << all(r);
  EXPECT_EQ(col->line, 12);
}

TEST_F(mapping_fixture, a_mapped_feed_needs_a_mapping_file_and_a_patient) {
  write_file(dir / "facilities/42021.yaml",
             std::string(k_mapped_facility.substr(0, k_mapped_facility.find("settings:"))));
  auto r = load();
  EXPECT_FALSE(r.config);
  EXPECT_TRUE(only_error_for(r, "settings.mapping_file")) << all(r);
  write_file(dir / "facilities/42021.yaml", k_mapped_facility);
  write_file(dir / "mappings/42021.yaml",
             "format: json\nresources:\n  - resource: Encounter\n    fields:\n"
             "      - {source: /v, target: id.episode}\n");
  auto r2 = load();
  EXPECT_FALSE(r2.config);
  EXPECT_TRUE(only_error_for(r2, "resources")) << all(r2);
}

}  // namespace
}  // namespace gw::config
