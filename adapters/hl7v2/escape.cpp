#include "adapters/hl7v2/escape.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "fhir/text.hpp"

namespace gw::hl7v2 {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// Count argument of a formatting command such as ".sp 2" (default 1, capped so that a hostile
/// message cannot make decoding allocate much).
std::size_t command_count(std::string_view arg) {
  while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  if (arg.empty()) return 1;
  if (arg.front() == '+') arg.remove_prefix(1);
  unsigned n = 0;
  auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
  if (ec != std::errc{} || p != arg.data() + arg.size()) return 1;
  return n > 64 ? 64 : n;
}

/// Decoded bytes of a \X..\ body, or false when it is not an even run of hex digits forming
/// valid UTF-8 (then the escape is kept as received).
bool decode_hex(std::string_view body, std::string& out) {
  if (body.empty() || body.size() % 2 != 0) return false;
  std::string bytes;
  bytes.reserve(body.size() / 2);
  for (std::size_t i = 0; i < body.size(); i += 2) {
    int hi = hex_digit(body[i]);
    int lo = hex_digit(body[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes.push_back(static_cast<char>((hi << 4) | lo));
  }
  if (!fhir::is_valid_utf8(bytes)) return false;
  out += bytes;
  return true;
}

enum class esc_kind : std::uint8_t { delimiter, formatting, dropped, unknown };

/// Classifies the body of an escape sequence (the text between the escape characters) and
/// appends its decoded text.
esc_kind decode_escape(std::string_view body, const delimiters& d, std::string& out) {
  if (body.size() == 1) {
    switch (body[0]) {
      case 'F': out += d.field; return esc_kind::delimiter;
      case 'S': out += d.component; return esc_kind::delimiter;
      case 'T': out += d.subcomponent; return esc_kind::delimiter;
      case 'R': out += d.repetition; return esc_kind::delimiter;
      case 'E': out += d.escape; return esc_kind::delimiter;
      case 'P':
        if (d.truncation != 0) {
          out += d.truncation;
          return esc_kind::delimiter;
        }
        break;
      case 'H':
      case 'N': return esc_kind::dropped;
      default: break;
    }
  }
  if (!body.empty() && body[0] == 'X' && decode_hex(body.substr(1), out)) return esc_kind::formatting;
  if (body.size() >= 3 && body[0] == '.') {
    std::string_view cmd = body.substr(1, 2);
    std::string_view arg = body.substr(3);
    if (cmd == "br" && arg.empty()) {
      out += '\n';
      return esc_kind::formatting;
    }
    if (cmd == "sp") {
      out.append(command_count(arg), '\n');
      return esc_kind::formatting;
    }
    if (cmd == "sk") {
      out.append(command_count(arg), ' ');
      return esc_kind::formatting;
    }
    if (cmd == "ce" && arg.empty()) {
      out += '\n';
      return esc_kind::formatting;
    }
    if (cmd == "fi" || cmd == "nf" || cmd == "in" || cmd == "ti") return esc_kind::dropped;
  }
  // Not understood: keep it visibly, in the canonical backslash form, independent of the
  // message's own escape character.
  out += '\\';
  out += body;
  out += '\\';
  return esc_kind::unknown;
}

}  // namespace

void decode_text_to(std::string& out, std::string_view raw, const delimiters& d) {
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t e = raw.find(d.escape, i);
    if (e == std::string_view::npos) {
      out.append(raw.substr(i));
      return;
    }
    out.append(raw.substr(i, e - i));
    std::size_t close = raw.find(d.escape, e + 1);
    if (close == std::string_view::npos) {
      // An escape character with no partner is data.
      out.append(raw.substr(e));
      return;
    }
    decode_escape(raw.substr(e + 1, close - e - 1), d, out);
    i = close + 1;
  }
}

std::string decode_text(std::string_view raw, const delimiters& d) {
  // Most values hold no escape sequence: one copy, no scanning call per piece.
  if (std::find(raw.begin(), raw.end(), d.escape) == raw.end()) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  decode_text_to(out, raw, d);
  return out;
}

void escape_text_to(std::string& out, std::string_view text, const delimiters& d) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char code = 0;
    if (c == d.field)
      code = 'F';
    else if (c == d.component)
      code = 'S';
    else if (c == d.subcomponent)
      code = 'T';
    else if (c == d.repetition)
      code = 'R';
    else if (c == d.escape)
      code = 'E';
    else if (d.truncation != 0 && c == d.truncation)
      code = 'P';
    if (code != 0) {
      out += d.escape;
      out += code;
      out += d.escape;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += d.escape;
      out += ".br";
      out += d.escape;
    } else {
      out += c;
    }
  }
}

std::string escape_text(std::string_view text, const delimiters& d) {
  std::string out;
  out.reserve(text.size() + 8);
  escape_text_to(out, text, d);
  return out;
}

void reescape_leaf_to(std::string& out, std::string_view raw, const delimiters& from, const delimiters& to) {
  std::size_t i = 0;
  std::string scratch;
  while (i < raw.size()) {
    std::size_t e = raw.find(from.escape, i);
    if (e == std::string_view::npos) {
      escape_text_to(out, raw.substr(i), to);
      return;
    }
    escape_text_to(out, raw.substr(i, e - i), to);
    std::size_t close = raw.find(from.escape, e + 1);
    if (close == std::string_view::npos) {
      escape_text_to(out, raw.substr(e), to);
      return;
    }
    std::string_view body = raw.substr(e + 1, close - e - 1);
    scratch.clear();
    esc_kind k = decode_escape(body, from, scratch);
    bool body_safe = true;
    for (char c : body)
      if (to.is_special(c) || c == '\r' || c == '\n') body_safe = false;
    if (k == esc_kind::delimiter || !body_safe) {
      // The decoded text (for an unknown escape: its canonical form) escaped for `to`.
      escape_text_to(out, scratch, to);
    } else {
      out += to.escape;
      out += body;
      out += to.escape;
    }
    i = close + 1;
  }
}

}  // namespace gw::hl7v2
