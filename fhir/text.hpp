#pragma once
/// Vietnamese text: UTF-8 validity, NFC normalisation and accent-insensitive search keys.
/// The same name can arrive in NFC or NFD and with either tone-mark placement; store NFC (keep
/// the original text where it matters) and match on search keys.

#include <optional>
#include <string>
#include <string_view>

namespace gw::fhir {

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool is_valid_utf8(std::string_view s);

/// NFC form of `s`; nullopt when `s` is not valid UTF-8.
std::optional<std::string> to_nfc(std::string_view s);

/// Accent-insensitive key: NFKD, combining marks removed, case-folded (lower case), đ/Đ → d,
/// runs of white space collapsed to one space and trimmed. "  Nguyễn  Văn ĐỨC" → "nguyen van duc".
/// Invalid UTF-8 gives an empty key.
std::string search_key(std::string_view s);

}  // namespace gw::fhir
