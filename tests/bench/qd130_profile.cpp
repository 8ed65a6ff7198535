// Driver for instruction counts under callgrind (steadier than CPU time on a shared machine):
// `qd130_profile N [FILE]` decodes, translates and writes the FHIR JSON of the sample envelope
// (or FILE) N times. Instructions per envelope = (Ir(N=21) - Ir(N=1)) / 20.
// `qd130_profile --json FILE...` prints each file's Bundle JSON and issues (for byte comparisons
// of the output before and after a change).
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "adapters/qd130/translate.hpp"
#include "fhir/json.hpp"
#include "tests/bench/qd130_bench_input.hpp"

using gw::qd130::bench::make_context;
using gw::qd130::bench::read_file;

int main(int argc, char** argv) {
  const gw::qd130::settings s;
  auto ctx = make_context();
  if (argc >= 2 && std::string_view(argv[1]) == "--json") {
    ctx.authenticated_facility.clear();
    for (int i = 2; i < argc; ++i) {
      const auto t = gw::qd130::translate(read_file(argv[i]), s, ctx);
      std::cout << "== " << argv[i] << '\n' << gw::fhir::to_json(t.bundle) << '\n';
      for (const auto& is : t.issues)
        std::cout << static_cast<int>(is.severity) << ' ' << static_cast<int>(is.code) << ' ' << is.location << ' '
                  << is.message << '\n';
    }
    return 0;
  }
  const int n = argc >= 2 ? std::atoi(argv[1]) : 1;
  const std::string body = argc >= 3 ? read_file(argv[2]) : gw::qd130::bench::sample();
  if (body.empty()) {
    std::fprintf(stderr, "sample not found\n");
    return 1;
  }
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    const auto t = gw::qd130::translate(body, s, ctx);
    bytes += gw::fhir::to_json(t.bundle).size();
  }
  std::printf("%d envelopes, %zu JSON bytes\n", n, bytes);
  return 0;
}
