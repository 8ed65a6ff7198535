#pragma once
// Test helper: every test that produces FHIR JSON (resources or Bundles) writes it here, so that
// the schema check (ctest -L schema → tests/schema/validate.js) validates everything the suite made.

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#ifndef GW_TEST_OUT_DIR
#error "GW_TEST_OUT_DIR must be defined (link gw_test_support)"
#endif

/// Writes `json` to ${GW_TEST_OUT_DIR}/fhir/<name>.json, replacing an older file of that name.
/// Characters other than letters, digits, '-', '_' and '.' in `name` become '_'; prefix names
/// with your module ("hl7v2-adt-a01") so modules do not overwrite each other. Throws
/// std::runtime_error when the file cannot be written (the test then fails).
inline void write_fhir_output(std::string_view name, std::string_view json) {
  std::string file;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    file += ok ? c : '_';
  }
  std::filesystem::path dir = std::filesystem::path(GW_TEST_OUT_DIR) / "fhir";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream out(dir / (file + ".json"), std::ios::binary | std::ios::trunc);
  out.write(json.data(), static_cast<std::streamsize>(json.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write test output " + (dir / file).string());
}
