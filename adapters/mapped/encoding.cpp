#include "adapters/mapped/encoding.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "fhir/text.hpp"

namespace gw::mapped {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view utf16le_bom = "\xFF\xFE";
constexpr std::string_view utf16be_bom = "\xFE\xFF";
/// More bad bytes than this and the file is not in the declared encoding at all: it is refused as
/// a whole (and the list of places stays small).
constexpr std::size_t max_bad = 100;

void error(fhir::issue_list& issues, std::string location, std::string message) {
  issues.push_back(
      fhir::issue{fhir::severity::error, fhir::issue_code::value, std::move(location), std::move(message)});
}

std::string hex_of(std::string_view bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += "0x";
    out += digits[c >> 4];
    out += digits[c & 0xF];
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// Records a bad byte run at input offset `input` and puts U+FFFD in its place. False when there
/// are too many (the caller refuses the input).
bool mark_bad(decoded_text& d, std::string_view bytes, std::size_t input) {
  if (d.bad.size() >= max_bad) return false;
  d.bad.push_back({d.storage.size(), input, hex_of(bytes)});
  d.storage += replacement;
  return true;
}

void too_many(fhir::issue_list& issues, const decoded_text& d, text_encoding e) {
  error(issues, "byte " + std::to_string(d.bad.front().input),
        "more than " + std::to_string(max_bad) + " bytes are not valid " + std::string(encoding_name(e)) +
            ", the first at this offset: the file is in another encoding than its mapping declares");
}

/// UTF-8 that may hold invalid bytes (`base` = offset of `s` in the input).
bool repair_utf8(std::string_view s, std::size_t base, decoded_text& d) {
  d.converted = true;
  d.storage.reserve(s.size() + 16);
  std::size_t i = 0;
  while (i < s.size()) {
    auto bad = fhir::first_invalid_utf8(s.substr(i));
    if (bad == std::string_view::npos) {
      d.storage.append(s.substr(i));
      break;
    }
    d.storage.append(s.substr(i, bad));
    i += bad;
    if (!mark_bad(d, s.substr(i, 1), base + i)) return false;
    ++i;
  }
  return true;
}

/// `s` from `from` (an iconv name) to UTF-8; `unit` = bytes per code unit (skipped on a bad one).
bool convert(std::string_view s, std::size_t base, const char* from, std::size_t unit, text_encoding e, decoded_text& d,
             fhir::issue_list& issues) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    error(issues, "",
          "this system cannot convert from " + std::string(encoding_name(e)) + " (glibc iconv '" + from +
              "' is not available)");
    return false;
  }
  d.converted = true;
  d.storage.reserve(s.size() + s.size() / 2 + 16);
  std::array<char, 16384> buf{};
  auto* in = const_cast<char*>(s.data());  // iconv's signature; it does not write the input
  std::size_t in_left = s.size();
  auto flush = [&] {  // Windows-1258 holds back a base letter until it sees whether a tone follows
    char* o = buf.data();
    std::size_t o_left = buf.size();
    iconv(cd, nullptr, nullptr, &o, &o_left);
    d.storage.append(buf.data(), static_cast<std::size_t>(o - buf.data()));
  };
  bool ok = true;
  while (in_left > 0) {
    char* o = buf.data();
    std::size_t o_left = buf.size();
    const std::size_t r = iconv(cd, &in, &in_left, &o, &o_left);
    const int err = errno;
    d.storage.append(buf.data(), static_cast<std::size_t>(o - buf.data()));
    if (r != static_cast<std::size_t>(-1) || err == E2BIG) continue;
    // EILSEQ: a code unit that is not valid here; EINVAL: the input ends inside a character.
    flush();
    const auto off = static_cast<std::size_t>(in - s.data());
    const std::size_t n = err == EINVAL ? in_left : std::min(unit, in_left);
    if (!mark_bad(d, s.substr(off, n), base + off)) {
      ok = false;
      break;
    }
    in += n;
    in_left -= n;
  }
  if (ok) flush();
  iconv_close(cd);
  if (!ok) too_many(issues, d, e);
  return ok;
}

}  // namespace

std::optional<text_encoding> parse_encoding(std::string_view name) {
  const std::string n = lower(name);
  if (n == "utf-8" || n == "utf8") return text_encoding::utf8;
  if (n == "windows-1258" || n == "cp1258") return text_encoding::windows_1258;
  if (n == "utf-16") return text_encoding::utf16;
  if (n == "utf-16le") return text_encoding::utf16le;
  if (n == "utf-16be") return text_encoding::utf16be;
  return std::nullopt;
}

std::string_view encoding_name(text_encoding e) {
  switch (e) {
    case text_encoding::utf8: return "utf-8";
    case text_encoding::windows_1258: return "windows-1258";
    case text_encoding::utf16: return "utf-16";
    case text_encoding::utf16le: return "utf-16le";
    case text_encoding::utf16be: return "utf-16be";
  }
  return "?";
}

std::string_view known_encodings() {
  return "utf-8, windows-1258 (cp1258), utf-16 (with BOM), utf-16le, utf-16be";
}

std::string_view decoded_text::text(std::string_view input) const {
  if (converted) return storage;
  return starts_with(input, utf8_bom) ? input.substr(utf8_bom.size()) : input;
}

std::optional<decoded_text> decode(std::string_view input, text_encoding e, fhir::issue_list& issues) {
  decoded_text d;
  const bool le_bom = starts_with(input, utf16le_bom), be_bom = starts_with(input, utf16be_bom);
  const bool utf16_declared = e == text_encoding::utf16 || e == text_encoding::utf16le || e == text_encoding::utf16be;
  if ((le_bom || be_bom) && !utf16_declared) {
    error(issues, "byte 0",
          std::string("the file starts with a UTF-16") + (le_bom ? "LE" : "BE") +
              " byte order mark, its mapping says " + std::string(encoding_name(e)) + " (set encoding: utf-16)");
    return std::nullopt;
  }
  switch (e) {
    case text_encoding::utf8: {
      const std::size_t base = starts_with(input, utf8_bom) ? utf8_bom.size() : 0;
      const auto body = input.substr(base);
      if (fhir::first_invalid_utf8(body) == std::string_view::npos) return d;
      if (!repair_utf8(body, base, d)) {
        too_many(issues, d, e);
        return std::nullopt;
      }
      return d;
    }
    case text_encoding::windows_1258: {
      // Real Windows-1258 Vietnamese is practically never valid UTF-8; a file that is (with
      // letters beyond ASCII) was exported as UTF-8, and reading it as 1258 would garble every name.
      const bool ascii = std::all_of(input.begin(), input.end(), [](char c) { return (c & 0x80) == 0; });
      if (!ascii && (starts_with(input, utf8_bom) || fhir::is_valid_utf8(input))) {
        error(issues, "byte 0",
              "the file is UTF-8 (every byte is valid UTF-8), its mapping says windows-1258 (set encoding: utf-8)");
        return std::nullopt;
      }
      if (!convert(input, 0, "CP1258", 1, e, d, issues)) return std::nullopt;
      return d;
    }
    case text_encoding::utf16:
    case text_encoding::utf16le:
    case text_encoding::utf16be: {
      bool le = e == text_encoding::utf16le;
      if (e == text_encoding::utf16) {
        if (!le_bom && !be_bom) {
          error(issues, "byte 0",
                "no UTF-16 byte order mark at the start: set encoding: utf-16le or utf-16be (or is the file not "
                "UTF-16?)");
          return std::nullopt;
        }
        le = le_bom;
      } else if ((le && be_bom) || (!le && le_bom)) {
        error(issues, "byte 0",
              std::string("the byte order mark says UTF-16") + (le_bom ? "LE" : "BE") + ", the mapping says " +
                  std::string(encoding_name(e)));
        return std::nullopt;
      }
      const std::size_t base = le_bom || be_bom ? 2 : 0;
      if (!convert(input.substr(base), base, le ? "UTF-16LE" : "UTF-16BE", 2, e, d, issues)) return std::nullopt;
      return d;
    }
  }
  return d;
}

std::string bad_bytes_message(const bad_bytes& b, text_encoding e) {
  return "byte " + b.hex + " (offset " + std::to_string(b.input) + ") is not valid " + std::string(encoding_name(e)) +
         ": is the file in another encoding than its mapping declares?";
}

}  // namespace gw::mapped
