#pragma once
/// Character encodings of hospitals' exports. Everything after this step is UTF-8: an export in
/// another encoding is converted first (glibc iconv), and every byte that is not valid in the
/// declared encoding is replaced by U+FFFD *and remembered*, so that the reader can name the line
/// and column (or byte offset) where it was and refuse that value: never a crash, never silently
/// wrong text. Values are put in NFC later, where every value is (translate.cpp, utf8proc), which
/// matters for Windows-1258: it writes Vietnamese with combining tone marks.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/issue.hpp"

namespace gw::mapped {

enum class text_encoding : std::uint8_t {
  utf8,          ///< UTF-8; a UTF-8 byte order mark at the start is skipped
  windows_1258,  ///< Windows-1258, the Vietnamese Windows code page (base letters + combining tones)
  utf16,         ///< UTF-16 whose byte order mark says LE or BE (required)
  utf16le,       ///< UTF-16 little-endian; a matching byte order mark is skipped
  utf16be,       ///< UTF-16 big-endian; a matching byte order mark is skipped
};

/// The encoding called `name` in a mapping file (case-insensitive: utf-8, windows-1258 or
/// cp1258, utf-16, utf-16le, utf-16be); nullopt when unknown.
std::optional<text_encoding> parse_encoding(std::string_view name);

/// The name used in mapping files and messages ("windows-1258").
std::string_view encoding_name(text_encoding e);

/// The encoding names parse_encoding accepts, for messages ("utf-8, windows-1258, ...").
std::string_view known_encodings();

/// A byte (or a few) of the input that is not valid in the declared encoding.
struct bad_bytes {
  std::size_t at = 0;     ///< offset in the decoded text of the U+FFFD that replaced it
  std::size_t input = 0;  ///< offset in the input
  std::string hex;        ///< the bytes, "0x81" or "0xD8 0x3D"
};

/// The input as UTF-8, with its bad bytes in order of offset.
struct decoded_text {
  std::string storage;  ///< the converted text (empty when the input could be used as it is)
  bool converted = false;
  std::vector<bad_bytes> bad;
  /// The UTF-8 text: `storage`, or `input` without its byte order mark. `input` must be the
  /// bytes given to decode().
  std::string_view text(std::string_view input) const;
};

/// `input` in encoding `e` → UTF-8. Problems with the whole input (UTF-16 without the byte order
/// mark that `utf16` needs, a UTF-16 byte order mark in a file declared otherwise, a file
/// declared Windows-1258 that is UTF-8) are error issues and give nullopt; single bad bytes are
/// in `bad` for the caller to place.
std::optional<decoded_text> decode(std::string_view input, text_encoding e, fhir::issue_list& issues);

/// The message for a bad byte: "byte 0x81 (offset 57) is not valid windows-1258 (...)".
std::string bad_bytes_message(const bad_bytes& b, text_encoding e);

}  // namespace gw::mapped
