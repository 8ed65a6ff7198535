// Fuzz target for the QĐ 130 adapter: any bytes in, issues out, never a crash, a leak or a read
// outside the decoded buffers. The decoder runs first (every decoded view is touched so ASan
// sees it), then the mapping to FHIR over whatever was decoded.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/qd130/envelope.hpp"
#include "adapters/qd130/translate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gw::qd130::settings s;
  s.limits.max_input_bytes = 1u << 20;
  s.limits.max_document_bytes = 1u << 20;
  s.limits.max_total_decoded_bytes = 4u << 20;
  const auto r = gw::qd130::decode(std::string_view(reinterpret_cast<const char*>(data), size), s.limits);
  std::size_t sum = r.env.facility_code.size() + r.env.created.size();
  for (const auto& rec : r.env.records) {
    sum += rec.ma_lk().size();
    for (const auto& table : rec.tables)
      for (const auto& row : table) {
        sum += row.location("X").size();
        for (const auto& f : row.fields)
          for (char c : f.value) sum += static_cast<unsigned char>(c);
      }
  }
  for (const auto& i : r.issues) sum += i.location.size() + i.message.size();
  gw::qd130::context ctx;
  ctx.received = std::chrono::system_clock::time_point{};
  ctx.sha256_hex = "00";
  const auto t = gw::qd130::translate(r, s, ctx);
  sum += t.bundle.entry.size() + t.issues.size();
  return sum == 1 ? 1 : 0;  // keeps `sum` alive; libFuzzer ignores the value
}
