#pragma once
// Helpers for the mapped and CV 365 adapter tests: the shipped configuration (so tests use the
// mapping files exactly as check-config validates them), samples, golden comparison.
#include <gtest/gtest.h>
#include <iconv.h>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "adapters/mapped/translate.hpp"
#include "fhir/json.hpp"
#include "fhir/validate.hpp"
#include "gateway/config/config.hpp"
#include "tests/support/fhir_out.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::mapped::test {

/// The shipped configuration (config/gateway.yaml with throwaway certificate files).
inline const config::gateway_config& shipped() {
  static const config::gateway_config cfg = [] {
    gw::test::temp_dir certs("certs");
    for (auto f : {"gateway.crt", "gateway.key", "ca.crt"}) gw::test::write_file(certs / f, "x");
    ::setenv("GW_CERT_DIR", certs.path().c_str(), 1);
    auto r = config::load_config(std::filesystem::path(GW_SOURCE_DIR) / "config/gateway.yaml");
    ::unsetenv("GW_CERT_DIR");
    if (!r.config) {
      std::string all;
      for (const auto& e : r.errors) all += config::format_error(e) + "\n";
      throw std::runtime_error("shipped config does not load:\n" + all);
    }
    return *r.config;
  }();
  return cfg;
}

/// Adapter settings of a shipped facility (its mapping, systems, name).
inline settings settings_of(const std::string& code) {
  const auto* f = shipped().find_facility(code);
  if (!f || !f->mapping) throw std::runtime_error("facility " + code + " has no mapping");
  settings s;
  s.map = f->mapping.get();
  s.facility_name = f->name;
  return s;
}

inline context context_of(const std::string& code) {
  context c;
  c.facility = code;
  c.received = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours{3};
  return c;
}

inline std::string sample(const std::string& rel) {
  return gw::test::read_file(std::filesystem::path(GW_SOURCE_DIR) / "tests/samples" / rel);
}

/// `utf8` in encoding `to` (an iconv name such as "CP1258", "UTF-16LE"), written by glibc iconv
/// as a hospital's export tool would write it (Windows-1258: tones as combining marks).
inline std::string encode_as(std::string_view utf8, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error(std::string("no iconv for ") + to);
  std::string out;
  auto* in = const_cast<char*>(utf8.data());  // iconv's signature; the input is not written
  std::size_t in_left = utf8.size();
  std::array<char, 4096> buf{};
  while (in_left > 0) {
    char* o = buf.data();
    std::size_t o_left = buf.size();
    const auto r = iconv(cd, &in, &in_left, &o, &o_left);
    const int err = errno;
    out.append(buf.data(), static_cast<std::size_t>(o - buf.data()));
    if (r == static_cast<std::size_t>(-1) && err != E2BIG) {
      iconv_close(cd);
      throw std::runtime_error(std::string("cannot write the text in ") + to);
    }
  }
  char* o = buf.data();
  std::size_t o_left = buf.size();
  iconv(cd, nullptr, nullptr, &o, &o_left);
  out.append(buf.data(), static_cast<std::size_t>(o - buf.data()));
  iconv_close(cd);
  return out;
}

inline std::string describe(const fhir::issue_list& issues) {
  std::string out;
  for (const auto& i : issues)
    out += std::string(fhir::to_string(i.severity)) + " " + std::string(fhir::to_string(i.code)) + " " + i.location +
           ": " + i.message + "\n";
  return out;
}

inline bool has_issue_at(const fhir::issue_list& issues, std::string_view location_part, fhir::severity s) {
  for (const auto& i : issues)
    if (i.severity == s && i.location.find(location_part) != std::string::npos) return true;
  return false;
}

/// Validates the Bundle, writes it for the schema check and compares it with the golden file
/// (tests/unit/<dir>/golden/<name>.json). GW_UPDATE_GOLDEN=1 rewrites the golden file and skips
/// the comparison (a skip fails scripts/test.sh).
inline void check_golden(const std::string& dir, const std::string& name, const fhir::Bundle& bundle) {
  fhir::issue_list invalid;
  EXPECT_TRUE(fhir::validate(bundle, invalid)) << describe(invalid);
  const std::string json = fhir::to_json(bundle);
  write_fhir_output(dir + "-" + name, json);
  rapidjson::Document got;
  got.Parse(json.c_str());
  ASSERT_FALSE(got.HasParseError());
  const auto golden = std::filesystem::path(GW_SOURCE_DIR) / "tests/unit" / dir / "golden" / (name + ".json");
  if (std::getenv("GW_UPDATE_GOLDEN")) {
    rapidjson::StringBuffer sb;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
    w.SetIndent(' ', 1);
    got.Accept(w);
    gw::test::write_file(golden, std::string(sb.GetString()) + "\n");
    // A rewritten golden file compared with itself proves nothing: not counted as a pass.
    GTEST_SKIP() << "GW_UPDATE_GOLDEN: golden file rewritten: " << golden;
  }
  rapidjson::Document want;
  want.Parse(gw::test::read_file(golden).c_str());
  ASSERT_FALSE(want.HasParseError()) << golden;
  EXPECT_TRUE(got == want) << "Bundle differs from " << golden << "\n" << json;
}

}  // namespace gw::mapped::test
