// What allocation costs the HL7 v2 path: `hl7v2_arena_probe [N] [FILE]` times parse + translate +
// FHIR JSON of the ADT^A01 sample (or FILE) N times per round, alternating rounds where memory
// comes from the program's allocator with rounds where operator new takes it from a bump arena
// that is reset after every message (allocation and freeing then cost nearly nothing). The
// difference is the most a per-message arena for the FHIR model could save. The first round uses
// the allocator, so that what lives on past a message (thread-local buffers) is not in the arena.
// Run it pinned (`taskset -c 1`); it prints microseconds per message for each round.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <new>
#include <string>

#include "adapters/hl7v2/translate.hpp"
#include "fhir/json.hpp"

namespace {

constexpr std::size_t arena_size = std::size_t{1} << 26;
alignas(64) char arena[arena_size];
std::size_t arena_top = 0;
bool arena_on = false;

bool in_arena(const void* p) {
  return static_cast<const char*>(p) >= arena && static_cast<const char*>(p) < arena + arena_size;
}

void* allocate(std::size_t n) {
  if (arena_on) {
    n = (n + 15) & ~std::size_t{15};
    if (arena_size - arena_top >= n) {
      void* p = arena + arena_top;
      arena_top += n;
      return p;
    }
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void release(void* p) noexcept {
  if (!in_arena(p)) std::free(p);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

void* operator new(std::size_t n) {
  return allocate(n);
}
void* operator new[](std::size_t n) {
  return allocate(n);
}
void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}

int main(int argc, char** argv) {
  const int n = argc >= 2 ? std::atoi(argv[1]) : 100'000;
  const std::string body = read_file(argc >= 3 ? std::string(argv[2])
                                               : std::string(GW_SHARED_DIR) + "/samples/hl7v2/adt-a01-admit-42001.hl7");
  if (body.empty() || n <= 0) {
    std::fprintf(stderr, "usage: hl7v2_arena_probe [N] [FILE]\n");
    return 2;
  }
  const gw::hl7v2::settings s;
  gw::hl7v2::context ctx;
  ctx.authenticated_facility = "42001";
  ctx.received = std::chrono::system_clock::time_point{std::chrono::seconds{1'795'000'000}};
  std::size_t bytes = 0;
  for (int round = 0; round < 6; ++round) {
    const bool bump = round % 2 == 1;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      arena_top = 0;
      arena_on = bump;
      {
        const auto t = gw::hl7v2::translate(body, s, ctx);
        bytes += gw::fhir::to_json(t.bundle).size();
      }
      arena_on = false;
    }
    const std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - t0;
    std::printf("%-10s %.2f us/message\n", bump ? "arena" : "allocator", d.count() / n);
  }
  return bytes == 0 ? 1 : 0;
}
