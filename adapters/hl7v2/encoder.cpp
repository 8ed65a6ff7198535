#include "adapters/hl7v2/encoder.hpp"

#include "adapters/hl7v2/escape.hpp"

namespace gw::hl7v2 {
namespace {

/// Calls `fn(piece)` for every piece of `s` split on `sep` (one empty piece for empty `s`).
template <class Fn>
void for_each_piece(std::string_view s, char sep, Fn&& fn) {
  std::size_t start = 0;
  while (true) {
    std::size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      fn(s.substr(start), true);
      return;
    }
    fn(s.substr(start, p - start), false);
    start = p + 1;
  }
}

void reencode_field(std::string& out, std::string_view raw, const delimiters& from, const delimiters& to) {
  for_each_piece(raw, from.repetition, [&](std::string_view rep, bool last_rep) {
    for_each_piece(rep, from.component, [&](std::string_view comp, bool last_comp) {
      for_each_piece(comp, from.subcomponent, [&](std::string_view sub, bool last_sub) {
        reescape_leaf_to(out, sub, from, to);
        if (!last_sub) out += to.subcomponent;
      });
      if (!last_comp) out += to.component;
    });
    if (!last_rep) out += to.repetition;
  });
}

}  // namespace

std::string encode(const message& m, const delimiters& d, std::string_view terminator) {
  const delimiters& from = m.delims();
  const bool same = from == d;
  std::string out;
  out.reserve(m.buffer().size() + 16);
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    segment seg = m.at(i);
    out += seg.name();
    std::size_t first = 1;
    if (i == 0) {
      out += d.field;
      out += d.encoding_characters();
      first = 3;
    }
    for (std::size_t f = first; f <= seg.field_count(); ++f) {
      out += d.field;
      std::string_view raw = seg.field(f).raw();
      if (same)
        out += raw;
      else
        reencode_field(out, raw, from, d);
    }
    out += terminator;
  }
  return out;
}

message_writer& message_writer::segment(std::string_view id) {
  end_segment();
  out_ += id;
  if (id == "MSH") {
    out_ += d_.field;
    out_ += d_.encoding_characters();
  }
  open_ = true;
  return *this;
}

message_writer& message_writer::field(std::string_view text) {
  out_ += d_.field;
  escape_text_to(out_, text, d_);
  return *this;
}

message_writer& message_writer::raw_field(std::string_view raw) {
  out_ += d_.field;
  out_ += raw;
  return *this;
}

message_writer& message_writer::components(std::initializer_list<std::string_view> texts) {
  out_ += d_.field;
  std::size_t n = texts.size();
  while (n > 0 && texts.begin()[n - 1].empty()) --n;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out_ += d_.component;
    escape_text_to(out_, texts.begin()[i], d_);
  }
  return *this;
}

void message_writer::end_segment() {
  if (open_) out_ += '\r';
  open_ = false;
}

std::string message_writer::finish() {
  end_segment();
  return std::move(out_);
}

}  // namespace gw::hl7v2
