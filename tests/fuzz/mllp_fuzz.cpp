// Fuzz target: the MLLP decoder. The input is fed whole and split at a position taken from its
// first byte; both must give the same frames, events aside, and frames must never hold VT or FS.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/hl7v2/mllp.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string> run(std::string_view in, std::size_t chunk) {
  gw::hl7v2::mllp_settings s;
  s.max_frame_bytes = 4096;
  gw::hl7v2::mllp_decoder d(s);
  std::vector<std::string> frames;
  for (std::size_t i = 0; i < in.size(); i += chunk) {
    d.push(in.substr(i, chunk));
    while (auto f = d.next_frame()) frames.push_back(std::move(*f));
    (void)d.take_events();
  }
  check(d.buffered_bytes() <= s.max_frame_bytes);
  return frames;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t chunk = size == 0 ? 1 : 1 + static_cast<std::uint8_t>(in[0]) % 17;
  auto whole = run(in, in.size() + 1);
  auto split = run(in, chunk);
  check(whole == split);
  for (const auto& f : whole) {
    check(f.find(gw::hl7v2::mllp_start) == std::string::npos);
    check(f.find(gw::hl7v2::mllp_end) == std::string::npos);
    // Encoding a frame and decoding it gives it back.
    auto again = run(gw::hl7v2::mllp_encode(f), 3);
    check(again.size() == 1 && again[0] == f);
  }
  return 0;
}
