// Driver for instruction counts under callgrind (steadier than CPU time on a shared machine):
// `hl7v2_profile N [FILE]` parses, translates and writes the FHIR JSON of the ADT^A01 sample (or
// FILE) N times. Instructions per message = (Ir(N=21) - Ir(N=1)) / 20.
// `hl7v2_profile --json FILE...` prints each file's Bundle JSON and issues (for byte comparisons
// of the output before and after a change).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "adapters/hl7v2/translate.hpp"
#include "fhir/json.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  const gw::hl7v2::settings s;
  gw::hl7v2::context ctx;
  ctx.received = std::chrono::system_clock::time_point{std::chrono::seconds{1'795'000'000}};
  if (argc >= 2 && std::string_view(argv[1]) == "--json") {
    for (int i = 2; i < argc; ++i) {
      const auto t = gw::hl7v2::translate(read_file(argv[i]), s, ctx);
      std::cout << "== " << argv[i] << '\n' << gw::fhir::to_json(t.bundle) << '\n';
      for (const auto& is : t.issues)
        std::cout << static_cast<int>(is.severity) << ' ' << static_cast<int>(is.code) << ' ' << is.location << ' '
                  << is.message << '\n';
    }
    return 0;
  }
  ctx.authenticated_facility = "42001";
  const int n = argc >= 2 ? std::atoi(argv[1]) : 1;
  const std::string body = read_file(argc >= 3 ? std::string(argv[2])
                                               : std::string(GW_SHARED_DIR) + "/samples/hl7v2/adt-a01-admit-42001.hl7");
  if (body.empty()) {
    std::fprintf(stderr, "message not found\n");
    return 1;
  }
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    const auto t = gw::hl7v2::translate(body, s, ctx);
    bytes += gw::fhir::to_json(t.bundle).size();
  }
  std::printf("%d messages, %zu JSON bytes\n", n, bytes);
  return 0;
}
