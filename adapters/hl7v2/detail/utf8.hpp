#pragma once
/// UTF-8 validation (module-private).

#include <cstddef>
#include <string_view>

namespace gw::hl7v2::detail {

/// Offset of the first byte that does not start a well-formed UTF-8 sequence (overlong forms,
/// surrogates and code points above U+10FFFF are ill-formed), or npos when all of `s` is valid.
std::size_t first_invalid_utf8(std::string_view s);

inline bool is_valid_utf8(std::string_view s) {
  return first_invalid_utf8(s) == std::string_view::npos;
}

}  // namespace gw::hl7v2::detail
