#pragma once
/// Text helpers of the mapping (module-private).

#include <string>
#include <string_view>

namespace gw::hl7v2::detail {

/// NFC form of valid UTF-8 text (fhir::to_nfc; text that is plainly NFC is returned as is).
/// Invalid UTF-8 is returned unchanged (the parser has already reported it).
std::string nfc(std::string text);

/// True when `s` is non-empty base64 text (standard alphabet, optional padding, no spaces).
bool is_base64(std::string_view s);

}  // namespace gw::hl7v2::detail
