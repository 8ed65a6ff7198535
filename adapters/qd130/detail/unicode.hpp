#pragma once
/// Text helpers of the QĐ 130 mapping (module-private): NFC via fhir/text.hpp plus the white-space
/// clean-up free text needs.

#include <string>
#include <string_view>

namespace gw::qd130::detail {

/// NFC form of UTF-8 text with runs of ASCII whitespace collapsed to one space and trimmed.
/// Invalid UTF-8 is returned unchanged (the decoder has already refused it).
std::string nfc(std::string_view text);

}  // namespace gw::qd130::detail
