#pragma once
/// Unicode helpers of the QĐ 130 mapping (module-private; to be replaced by the fhir/ text
/// helpers once they exist).

#include <string>
#include <string_view>

namespace gw::qd130::detail {

/// NFC form of UTF-8 text with runs of ASCII whitespace collapsed to one space and trimmed.
/// Invalid UTF-8 is returned unchanged (the decoder has already refused it).
std::string nfc(std::string_view text);

/// Standard base64 (padded) of `bytes`.
std::string base64_encode(std::string_view bytes);

}  // namespace gw::qd130::detail
