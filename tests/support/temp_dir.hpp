#pragma once
// A temporary folder removed at scope exit, and small file helpers for tests.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

namespace gw::test {

class temp_dir {
 public:
  explicit temp_dir(std::string_view prefix = "gwtest") {
    const char* base = std::getenv("GW_TEST_TMPDIR");
    std::filesystem::path root = base && *base ? base : std::filesystem::temp_directory_path();
    std::random_device rd;
    for (;;) {
      path_ = root / (std::string(prefix) + "-" + std::to_string(rd()));
      if (std::filesystem::create_directories(path_)) break;
    }
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& p, std::string_view text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace gw::test
