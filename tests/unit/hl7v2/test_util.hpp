#pragma once
// Helpers shared by the HL7 v2 unit tests.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace gw::hl7v2::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::filesystem::path samples_dir() {
  return std::filesystem::path(GW_SHARED_DIR) / "samples" / "hl7v2";
}

inline std::string sample(const std::string& name) {
  return read_file(samples_dir() / name);
}

/// Every *.hl7 sample file.
inline std::vector<std::filesystem::path> sample_files() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(samples_dir()))
    if (e.path().extension() == ".hl7") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

/// Every file of a fuzz corpus (tests/fuzz/corpus/<name>/).
inline std::vector<std::filesystem::path> corpus_files(const std::string& name) {
  std::vector<std::filesystem::path> out;
  auto dir = std::filesystem::path(GW_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / name;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace gw::hl7v2::test
