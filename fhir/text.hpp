#pragma once
/// Vietnamese text: UTF-8 validity, NFC normalisation and accent-insensitive search keys.
/// The same name can arrive in NFC or NFD and with either tone-mark placement; store NFC (keep
/// the original text where it matters) and match on search keys.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gw::fhir {

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool is_valid_utf8(std::string_view s);

/// Offset of the first byte that does not start a well-formed UTF-8 sequence (the same rules as
/// is_valid_utf8), or npos when all of `s` is valid. ASCII runs are checked eight bytes at a time.
std::size_t first_invalid_utf8(std::string_view s);

/// Quick check without a library call: true when `s` is valid UTF-8 whose code points all lie
/// below U+0300 or in U+1E00–U+1EFF (Latin Extended Additional, the precomposed Vietnamese
/// letters). Such text has no combining marks and nothing NFC changes, so it is already NFC.
/// False says only that the quick check could not tell.
bool is_plainly_nfc(std::string_view s);

/// NFC form of `s`; nullopt when `s` is not valid UTF-8. Text that is_plainly_nfc is copied as
/// it is, without the normaliser.
std::optional<std::string> to_nfc(std::string_view s);

/// Standard base64 (RFC 4648 alphabet, '=' padding) of `bytes`, e.g. for Attachment.data.
std::string base64_encode(std::string_view bytes);

/// Accent-insensitive key: NFKD, combining marks removed, case-folded (lower case), đ/Đ → d,
/// runs of white space collapsed to one space and trimmed. "  Nguyễn  Văn ĐỨC" → "nguyen van duc".
/// Invalid UTF-8 gives an empty key.
std::string search_key(std::string_view s);

}  // namespace gw::fhir
