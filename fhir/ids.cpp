#include "fhir/ids.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <cstdlib>
#include <memory>

namespace gw::fhir {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_text(const uuid_bytes& b) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0x0f];
  }
  return out;
}

const uuid_bytes& project_namespace() {
  static const uuid_bytes ns = [] {
    uuid_bytes b{};
    parse_uuid(gateway_namespace, b);
    return b;
  }();
  return ns;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

bool parse_uuid(std::string_view t, uuid_bytes& out) {
  if (t.size() != 36) return false;
  std::size_t j = 0;
  for (std::size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (t[i] != '-') return false;
      continue;
    }
    int hi = hex_value(t[i]), lo = hex_value(t[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[j++] = static_cast<std::uint8_t>(hi << 4 | lo);
    ++i;
  }
  return j == 16;
}

bool is_uuid(std::string_view text) {
  uuid_bytes b{};
  return parse_uuid(text, b);
}

std::string urn_uuid(std::string_view id) {
  return "urn:uuid:" + std::string(id);
}

std::string uuid_v5(const uuid_bytes& ns, std::string_view name) {
  // The SHA-1 implementation is fetched once: `EVP_sha1()` makes OpenSSL 3 look it up on every
  // digest init, which was the largest single cost of translating a message. One context per
  // thread is reused.
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // Hashing in memory only fails when OpenSSL cannot allocate: a bug-level condition, not input.
  if (sha1 && ctx && EVP_DigestInit_ex(ctx.get(), sha1, nullptr) == 1 &&
      EVP_DigestUpdate(ctx.get(), ns.data(), ns.size()) == 1 &&
      EVP_DigestUpdate(ctx.get(), name.data(), name.size()) == 1)
    EVP_DigestFinal_ex(ctx.get(), digest, &len);
  if (len < 16) std::abort();
  uuid_bytes b{};
  for (std::size_t i = 0; i < 16; ++i) b[i] = digest[i];
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x50);  // version 5
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return to_text(b);
}

std::string stable_id(std::string_view type, std::initializer_list<std::string_view> parts) {
  std::string name(type);
  for (auto p : parts) {
    p = trim(p);
    name += '|';
    name += std::to_string(p.size());
    name += ':';
    name += p;
  }
  return uuid_v5(project_namespace(), name);
}

std::string patient_id_from_cccd(std::string_view cccd) {
  return stable_id("Patient", "cccd", cccd);
}

std::string facility_patient_id(std::string_view facility, std::string_view record_number) {
  return stable_id("Patient", "facility", facility, record_number);
}

std::string encounter_id(std::string_view facility, std::string_view episode_key) {
  return stable_id("Encounter", facility, episode_key);
}

std::string condition_id(std::string_view encounter, std::string_view code, std::string_view role) {
  std::string c;
  for (char ch : trim(code))
    if (ch != '.') c += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return stable_id("Condition", encounter, c, role);
}

std::string organization_id(std::string_view facility) {
  return stable_id("Organization", facility);
}

std::string practitioner_id(std::string_view licence) {
  return stable_id("Practitioner", licence);
}

}  // namespace gw::fhir
