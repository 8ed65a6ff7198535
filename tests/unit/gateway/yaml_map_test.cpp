// The YAML mapping reader shared by the gateway's configuration and the national stub's settings:
// each mistake comes out once, with the file, the line and the dotted key, and a message that says
// what was expected and what was given. The messages are asserted in full here because they are
// what an operator reads; the callers' tests only assert keys and lines.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "gateway/config/yaml_map.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::config {
namespace {

/// A YAML text read from "settings.yaml" in a temporary folder, and the errors its readers record.
struct yaml_map_fixture : ::testing::Test {
  test::temp_dir dir{"yamlmap"};
  std::vector<config_error> errors;
  yaml_context ctx{"settings.yaml", dir.path(), &errors};
  YAML::Node doc;

  void load(const std::string& text) { doc = YAML::Load(text); }

  /// The errors as `file:line: key: message` lines, for failure output and exact comparisons.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& e : errors) out.push_back(format_error(e));
    return out;
  }
};

using strings = std::vector<std::string>;

TEST_F(yaml_map_fixture, values_of_every_type_are_read) {
  test::write_file(dir / "certs/a.crt", "x");
  load(
      "name: gateway\n"
      "count: 12\n"
      "port: 2575\n"
      "rate: 0.25\n"
      "enabled: yes\n"
      "timeout: 30s\n"
      "size: 64KiB\n"
      "cert: certs/a.crt\n"
      "later: out/b.log\n"
      "names: [a, b]\n"
      "inner: {x: 1}\n");
  std::string name;
  int count = 0;
  std::uint16_t port = 0;
  double rate = 0;
  bool enabled = false;
  std::chrono::milliseconds timeout{};
  std::size_t size = 0;
  std::filesystem::path cert, later;
  strings names;
  {
    yaml_map m(ctx, doc, "");
    EXPECT_TRUE(m.text("name", name));
    EXPECT_TRUE(m.integer("count", count, 1, 100));
    EXPECT_TRUE(m.port("port", port));
    EXPECT_TRUE(m.number("rate", rate, 0, 1));
    EXPECT_TRUE(m.boolean("enabled", enabled));
    EXPECT_TRUE(m.duration("timeout", timeout));
    EXPECT_TRUE(m.bytes("size", size));
    EXPECT_TRUE(m.file("cert", cert));
    EXPECT_TRUE(m.path("later", later));
    EXPECT_TRUE(m.text_list("names", names));
    EXPECT_TRUE(m.has("inner"));
    yaml_map inner(m.ctx(), m.child("inner"), m.key("inner"));
    int x = 0;
    EXPECT_TRUE(inner.integer("x", x, 0, 9));
    EXPECT_EQ(x, 1);
  }
  EXPECT_EQ(lines(), strings{});
  EXPECT_EQ(name, "gateway");
  EXPECT_EQ(count, 12);
  EXPECT_EQ(port, 2575);
  EXPECT_EQ(rate, 0.25);
  EXPECT_TRUE(enabled);
  EXPECT_EQ(timeout, std::chrono::seconds(30));
  EXPECT_EQ(size, 64u * 1024u);
  EXPECT_EQ(cert, (dir / "certs/a.crt").lexically_normal());
  EXPECT_EQ(later, (dir / "out/b.log").lexically_normal());
  EXPECT_EQ(names, (strings{"a", "b"}));
}

TEST_F(yaml_map_fixture, absent_keys_keep_defaults_and_only_required_ones_are_reported) {
  load(
      "listener:\n"
      "  address: 127.0.0.1\n"
      "  port:\n");
  std::uint16_t port = 9;
  std::string address, name = "default";
  {
    yaml_map root(ctx, doc, "");
    yaml_map m(root.ctx(), root.child("listener"), root.key("listener"));
    EXPECT_TRUE(m.text("address", address));
    EXPECT_FALSE(m.port("port", port, true));  // null counts as absent
    EXPECT_FALSE(m.text("name", name));
    EXPECT_FALSE(m.has("name"));
    std::filesystem::path p;
    EXPECT_FALSE(m.file("ca", p, true));
  }
  EXPECT_EQ(port, 9);
  EXPECT_EQ(name, "default");
  EXPECT_EQ(lines(), (strings{"settings.yaml:2: listener.port: required key is missing",
                              "settings.yaml:2: listener.ca: required key is missing"}));
}

TEST_F(yaml_map_fixture, unknown_keys_are_reported_with_line_and_dotted_key) {
  load(
      "a: 1\n"
      "outer:\n"
      "  b: 2\n"
      "  colour: red\n"
      "shade: blue\n");
  {
    yaml_map m(ctx, doc, "");
    int a = 0;
    m.integer("a", a, 0, 9);
    yaml_map outer(m.ctx(), m.child("outer"), m.key("outer"));
    outer.integer("b", a, 0, 9);
  }
  EXPECT_EQ(lines(), (strings{"settings.yaml:4: outer.colour: unknown key", "settings.yaml:5: shade: unknown key"}));
}

TEST_F(yaml_map_fixture, a_duplicate_key_names_the_line_of_the_first) {
  load(
      "port: 1\n"
      "name: x\n"
      "port: 2\n");
  std::uint16_t port = 0;
  {
    yaml_map m(ctx, doc, "");
    m.port("port", port);
    std::string name;
    m.text("name", name);
  }
  EXPECT_EQ(port, 1);
  EXPECT_EQ(lines(), strings{"settings.yaml:3: port: duplicate key: already given on line 1 (only the first is read)"});
}

TEST_F(yaml_map_fixture, a_value_where_a_mapping_belongs_is_the_wrong_type) {
  load(
      "limits: 5\n"
      "tls: [a, b]\n"
      "empty:\n");
  {
    yaml_map m(ctx, doc, "");
    yaml_map limits(m.ctx(), m.child("limits"), m.key("limits"));
    yaml_map tls(m.ctx(), m.child("tls"), m.key("tls"));
    yaml_map empty(m.ctx(), m.child("empty"), m.key("empty"));  // null: an empty mapping
    EXPECT_FALSE(limits.ok());
    EXPECT_FALSE(empty.ok());
  }
  EXPECT_EQ(lines(), (strings{"settings.yaml:1: limits: wrong type: expected a mapping of keys to values, got '5'",
                              "settings.yaml:2: tls: wrong type: expected a mapping of keys to values, got a list"}));
}

TEST_F(yaml_map_fixture, whole_numbers_and_ports_name_their_range) {
  load(
      "a: abc\n"
      "b: 300\n"
      "c: [1, 2]\n"
      "d: 99999999999999999999999\n"
      "e: 1.5\n"
      "p: 70000\n"
      "q: http\n"
      "r: 0\n");
  int v = 7;
  std::uint16_t port = 7;
  {
    yaml_map m(ctx, doc, "");
    EXPECT_FALSE(m.integer("a", v, 1, 256));
    EXPECT_FALSE(m.integer("b", v, 1, 256));
    EXPECT_FALSE(m.integer("c", v, 1, 256));
    EXPECT_FALSE(m.integer("d", v, 1, 256));
    EXPECT_FALSE(m.integer("e", v, 1, 256));
    EXPECT_FALSE(m.port("p", port));
    EXPECT_FALSE(m.port("q", port));
    EXPECT_FALSE(m.port("r", port));
  }
  EXPECT_EQ(v, 7);
  EXPECT_EQ(port, 7);
  EXPECT_EQ(lines(), (strings{
                         "settings.yaml:1: a: wrong type: expected a whole number from 1 to 256, got 'abc'",
                         "settings.yaml:2: b: out of range: expected a whole number from 1 to 256, got '300'",
                         "settings.yaml:3: c: wrong type: expected a whole number from 1 to 256, got a list",
                         "settings.yaml:4: d: out of range: expected a whole number from 1 to 256, got "
                         "'99999999999999999999999'",
                         "settings.yaml:5: e: wrong type: expected a whole number from 1 to 256, got '1.5'",
                         "settings.yaml:6: p: out of range: expected a port from 1 to 65535, got '70000'",
                         "settings.yaml:7: q: wrong type: expected a port from 1 to 65535, got 'http'",
                         "settings.yaml:8: r: out of range: expected a port from 1 to 65535, got '0'",
                     }));
}

TEST_F(yaml_map_fixture, numbers_with_decimals_and_their_range) {
  load(
      "half: 0.5\n"
      "edge: 1\n"
      "tiny: 1e-3\n"
      "over: 1.01\n"
      "under: -0.1\n"
      "word: half\n"
      "nan: nan\n"
      "comma: 0,5\n");
  double half = 0, edge = 0, tiny = 0, v = 9;
  {
    yaml_map m(ctx, doc, "");
    EXPECT_TRUE(m.number("half", half, 0, 1));
    EXPECT_TRUE(m.number("edge", edge, 0, 1));
    EXPECT_TRUE(m.number("tiny", tiny, 0, 1));
    for (const char* k : {"over", "under", "word", "nan", "comma"}) EXPECT_FALSE(m.number(k, v, 0, 1)) << k;
  }
  EXPECT_EQ(half, 0.5);
  EXPECT_EQ(edge, 1);
  EXPECT_EQ(tiny, 0.001);
  EXPECT_EQ(v, 9);
  EXPECT_EQ(lines(), (strings{
                         "settings.yaml:4: over: out of range: expected a number from 0 to 1, got '1.01'",
                         "settings.yaml:5: under: out of range: expected a number from 0 to 1, got '-0.1'",
                         "settings.yaml:6: word: wrong type: expected a number from 0 to 1, got 'half'",
                         "settings.yaml:7: nan: out of range: expected a number from 0 to 1, got 'nan'",
                         "settings.yaml:8: comma: wrong type: expected a number from 0 to 1, got '0,5'",
                     }));
}

TEST_F(yaml_map_fixture, booleans_durations_sizes_and_texts_say_what_they_expected) {
  load(
      "flag: maybe\n"
      "wait: soon\n"
      "size: 0\n"
      "big: 2TiB\n"
      "name: {a: 1}\n");
  {
    yaml_map m(ctx, doc, "");
    bool b = false;
    std::chrono::milliseconds d{};
    std::size_t s = 0;
    std::string t;
    EXPECT_FALSE(m.boolean("flag", b));
    EXPECT_FALSE(m.duration("wait", d));
    EXPECT_FALSE(m.bytes("size", s));
    EXPECT_FALSE(m.bytes("big", s));
    EXPECT_FALSE(m.text("name", t));
  }
  EXPECT_EQ(lines(), (strings{
                         "settings.yaml:1: flag: wrong type: expected true or false, got 'maybe'",
                         "settings.yaml:2: wait: wrong type: expected a duration such as 500ms, 30s, 5m, 1h or 7d, "
                         "got 'soon'",
                         "settings.yaml:3: size: wrong type: expected a size such as 65536, 64KiB or 16MiB, got '0'",
                         "settings.yaml:4: big: wrong type: expected a size such as 65536, 64KiB or 16MiB, got '2TiB'",
                         "settings.yaml:5: name: wrong type: expected a text value, got a mapping",
                     }));
}

TEST_F(yaml_map_fixture, choices_name_what_is_allowed) {
  load(
      "log_level: loud\n"
      "min_version: [\"1.2\"]\n"
      "transport: mllp\n");
  std::string level = "info", version, transport;
  {
    yaml_map m(ctx, doc, "");
    EXPECT_FALSE(m.choice("log_level", level, log_levels, "log level"));
    EXPECT_FALSE(m.choice("min_version", version, {"1.2", "1.3"}, "TLS version"));
    EXPECT_TRUE(m.choice("transport", transport, {"https", "mllp"}, "transport"));
    EXPECT_FALSE(m.choice("format", version, {"json"}, "format", true));
  }
  EXPECT_EQ(level, "info");
  EXPECT_EQ(transport, "mllp");
  EXPECT_EQ(lines(),
            (strings{
                "settings.yaml:1: log_level: unknown log level 'loud' (allowed trace, debug, info, warn, error, "
                "critical, off)",
                "settings.yaml:2: min_version: wrong type: expected one of 1.2, 1.3, got a list",
                "settings.yaml:1: format: required key is missing",
            }));
}

TEST_F(yaml_map_fixture, environment_references_are_expanded_in_scalars) {
  ::setenv("GW_YAML_MAP_PORT", "8443", 1);
  ::setenv("GW_YAML_MAP_RATE", "0.2", 1);
  ::unsetenv("GW_YAML_MAP_UNSET");
  load(
      "port: ${GW_YAML_MAP_PORT}\n"
      "rate: ${GW_YAML_MAP_RATE}\n"
      "host: db-${GW_YAML_MAP_UNSET:-local}\n"
      "dsn: ${GW_YAML_MAP_UNSET}\n"
      "bad: ${GW_YAML_MAP_PORT\n"
      "count: ${GW_YAML_MAP_UNSET:-many}\n");
  std::uint16_t port = 0;
  double rate = 0;
  std::string host, dsn = "unchanged";
  int count = 0;
  {
    yaml_map m(ctx, doc, "");
    EXPECT_TRUE(m.port("port", port));
    EXPECT_TRUE(m.number("rate", rate, 0, 1));
    EXPECT_TRUE(m.text("host", host));
    EXPECT_FALSE(m.text("dsn", dsn));
    EXPECT_FALSE(m.text("bad", dsn));
    EXPECT_FALSE(m.integer("count", count, 1, 10));
  }
  ::unsetenv("GW_YAML_MAP_PORT");
  ::unsetenv("GW_YAML_MAP_RATE");
  EXPECT_EQ(port, 8443);
  EXPECT_EQ(rate, 0.2);
  EXPECT_EQ(host, "db-local");
  EXPECT_EQ(dsn, "unchanged");
  EXPECT_EQ(lines(), (strings{
                         "settings.yaml:4: dsn: environment variable GW_YAML_MAP_UNSET is not set",
                         "settings.yaml:5: bad: unterminated ${...}",
                         "settings.yaml:6: count: wrong type: expected a whole number from 1 to 10, got 'many'",
                     }));
}

TEST_F(yaml_map_fixture, list_items_are_expanded_and_every_bad_item_is_reported_and_left_out) {
  ::setenv("GW_YAML_MAP_CN", "gateway", 1);
  ::unsetenv("GW_YAML_MAP_UNSET");
  load(
      "subjects: [\"CN=${GW_YAML_MAP_CN}\", \"CN=${GW_YAML_MAP_UNSET:-other}\"]\n"
      "systems:\n"
      "  - urn:a\n"
      "  - ${GW_YAML_MAP_UNSET}\n"
      "  - {b: 1}\n"
      "  - [c]\n"
      "single: urn:a\n");
  strings subjects, systems{"default"}, single{"default"};
  {
    yaml_map m(ctx, doc, "");
    EXPECT_TRUE(m.text_list("subjects", subjects));
    EXPECT_FALSE(m.text_list("systems", systems));
    EXPECT_FALSE(m.text_list("single", single));
  }
  ::unsetenv("GW_YAML_MAP_CN");
  EXPECT_EQ(subjects, (strings{"CN=gateway", "CN=other"}));
  EXPECT_EQ(systems, strings{"urn:a"});   // the good items, so that their own checks still run
  EXPECT_EQ(single, strings{"default"});  // not a list: left alone
  EXPECT_EQ(lines(), (strings{
                         "settings.yaml:4: systems[1]: environment variable GW_YAML_MAP_UNSET is not set",
                         "settings.yaml:5: systems[2]: wrong type: expected a text value, got a mapping",
                         "settings.yaml:6: systems[3]: wrong type: expected a text value, got a list",
                         "settings.yaml:7: single: wrong type: expected a list of text values, got 'urn:a'",
                     }));
}

TEST_F(yaml_map_fixture, files_must_exist_and_paths_need_not) {
  test::write_file(dir / "certs/ca.crt", "x");
  load(
      "ca: certs/ca.crt\n"
      "key: certs/gone.key\n"
      "abs: /nonexistent/gw.crt\n"
      "later: ../out/x.log\n"
      "blank: \"\"\n"
      "folder: certs\n");
  std::filesystem::path ca, key, abs, later, blank;
  {
    yaml_map m(ctx, doc, "");
    EXPECT_TRUE(m.file("ca", ca));
    EXPECT_FALSE(m.file("key", key));
    EXPECT_FALSE(m.file("abs", abs));
    EXPECT_TRUE(m.path("later", later));
    EXPECT_FALSE(m.path("blank", blank, true));  // empty names no file
    EXPECT_FALSE(m.file("folder", key));         // a folder is not a file
  }
  EXPECT_EQ(ca, dir / "certs/ca.crt");
  EXPECT_EQ(later, (dir.path().parent_path() / "out/x.log"));
  const std::string d = dir.path().string();
  EXPECT_EQ(lines(),
            (strings{
                "settings.yaml:2: key: missing file: expected an existing file, got 'certs/gone.key' (" + d +
                    "/certs/gone.key)",
                "settings.yaml:3: abs: missing file: expected an existing file, got '/nonexistent/gw.crt'",
                "settings.yaml:1: blank: required key is missing",
                "settings.yaml:6: folder: missing file: expected an existing file, got 'certs' (" + d + "/certs)",
            }));
}

}  // namespace
}  // namespace gw::config
