#include "fhir/ids.hpp"

// The low-level SHA1_* functions are marked deprecated in OpenSSL 3.0 in favour of EVP, whose
// per-call provider dispatch is the cost avoided here; they remain part of OpenSSL 3's API.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cctype>
#include <charconv>
#include <cstring>
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
  std::string out(36, '-');
  std::size_t o = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++o;
    out[o++] = hex[b[i] >> 4];
    out[o++] = hex[b[i] & 0x0f];
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
  constexpr std::string_view prefix = "urn:uuid:";
  std::string s;
  s.reserve(prefix.size() + id.size());
  s.append(prefix).append(id);
  return s;
}

std::string uuid_v5(const uuid_bytes& ns, std::string_view name) {
  // SHA-1 of namespace + name with OpenSSL's low-level functions on a stack context: no EVP
  // provider dispatch, no heap. Through EVP a digest cost about 6,000 instructions, most of it
  // dispatch, and ids were a tenth of translating a message. (OpenSSL 3's one-shot SHA1() goes
  // through EVP again.) In memory these calls cannot fail.
  SHA_CTX c;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1_Init(&c);
  SHA1_Update(&c, ns.data(), ns.size());
  SHA1_Update(&c, name.data(), name.size());
  SHA1_Final(digest, &c);
  uuid_bytes b{};
  for (std::size_t i = 0; i < 16; ++i) b[i] = digest[i];
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x50);  // version 5
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return to_text(b);
}

std::string stable_id(std::string_view type, std::initializer_list<std::string_view> parts) {
  // The name is built in a stack buffer when it fits (the usual case), else on the heap.
  std::size_t size = type.size();
  for (auto p : parts) size += trim(p).size() + 22;  // '|' + up to 20 digits + ':'
  char stack[512];
  std::unique_ptr<char[]> heap;
  char* buf = stack;
  if (size > sizeof stack) {
    heap = std::make_unique<char[]>(size);
    buf = heap.get();
  }
  char* o = buf;
  std::memcpy(o, type.data(), type.size());
  o += type.size();
  for (auto p : parts) {
    p = trim(p);
    *o++ = '|';
    o = std::to_chars(o, buf + size, p.size()).ptr;
    *o++ = ':';
    if (!p.empty()) std::memcpy(o, p.data(), p.size());
    o += p.size();
  }
  return uuid_v5(project_namespace(), std::string_view(buf, static_cast<std::size_t>(o - buf)));
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
