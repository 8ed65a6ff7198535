// Fuzz target: the HL7 v2 parser, encoder and acknowledgement builder.
// Properties checked on every input (abort on violation):
//   * parse never crashes; a message, when returned, has the MSH first;
//   * parse → encode → parse gives the same encoding (the encoder is a fixed point);
//   * re-encoding with other delimiters and parsing again keeps the segment/field structure;
//   * an acknowledgement is built (except for an ACK, or when enhanced mode asks for none) and
//     parses cleanly;
//   * translation to FHIR never crashes, and every entry has an id and a PUT request.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/hl7v2/ack.hpp"
#include "adapters/hl7v2/encoder.hpp"
#include "adapters/hl7v2/parser.hpp"
#include "adapters/hl7v2/translate.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool valid_ids(const gw::hl7v2::message& m) {
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    std::string_view n = m.at(i).name();
    if (n.size() != 3) return false;
    for (char c : n)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gw::hl7v2;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  parse_settings limits;
  limits.max_message_bytes = 1 << 20;
  limits.max_segments = 200;
  limits.max_fields = 100;
  limits.max_repetitions = 100;
  limits.max_components = 100;
  parse_result r = parse(in, limits);

  ack_params p{std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000}}, ""};
  auto ack = acknowledge(r, outcome::rejected, {}, p);
  if (ack) {
    parse_result a = parse(*ack);
    check(a.msg.has_value() && a.complete);
  } else {
    // No answer is owed only to an ACK, or in enhanced mode when MSH-15/16 ask for none.
    check(r.msg.has_value() && (r.msg->message_code().raw() == "ACK" || r.msg->header().field(15).has_value() ||
                                r.msg->header().field(16).has_value()));
  }
  {
    settings ts;
    ts.parse = limits;
    translation t = translate(r, ts, context{});
    for (const auto& e : t.bundle.entry)
      check(!e.resource.id().empty() && e.request.has_value() && e.request->method == "PUT");
  }
  if (!r.msg) return 0;
  const message& m = *r.msg;
  check(m.segment_count() > 0 && m.header().name() == "MSH");
  // Touch the values the way the mapping does.
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    segment s = m.at(i);
    for (std::size_t f = 1; f <= s.field_count() && f < 8; ++f) {
      value v = s.field(f);
      (void)v.repetition(1).component(2).subcomponent(2).text();
      (void)v.text();
    }
  }
  if (!r.complete) return 0;

  std::string enc = encode(m);
  parse_result r2 = parse(enc, limits);
  check(r2.msg.has_value());
  check(encode(*r2.msg) == enc);

  if (valid_ids(m)) {
    delimiters other{'#', '*', '!', '%', '$', 0};
    if (m.delims() != other) {
      std::string enc2 = encode(m, other);
      parse_result r3 = parse(enc2, limits);
      check(r3.msg.has_value());
      check(r3.msg->segment_count() == m.segment_count());
      for (std::size_t i = 0; i < m.segment_count(); ++i) check(r3.msg->at(i).field_count() == m.at(i).field_count());
    }
  }
  return 0;
}
