#pragma once
// The input shared by the QĐ 130 benchmark and the instruction-count driver: the 5-table sample
// envelope and a fixed context (authenticated facility, received time, body hash).
#include <chrono>
#include <fstream>
#include <iterator>
#include <string>

#include "adapters/qd130/translate.hpp"

namespace gw::qd130::bench {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline const std::string& sample() {
  static const std::string s =
      read_file(std::string(GW_SHARED_DIR) + "/samples/vn-xml130/giamdinhhs-inpatient-pneumonia.xml");
  return s;
}

inline context make_context() {
  context c;
  c.authenticated_facility = "42001";
  c.received = std::chrono::system_clock::time_point{} + std::chrono::hours{24 * 365 * 56};
  c.sha256_hex = std::string(64, 'a');
  return c;
}

}  // namespace gw::qd130::bench
