// Shared by the fuzz targets: each target defines LLVMFuzzerTestOneInput and must never crash,
// hang, leak or trip a sanitizer, whatever the bytes; failing with an Error is fine. A target
// that finds an input it should reject but accepts in a broken way calls fuzz_check().
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace rollcall::fuzz {

// A per-process scratch folder (parsers that read files get their input through it).
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    auto p = std::filesystem::temp_directory_path() / ("rollcall-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                      ("rollcall-fuzz-" + std::to_string(::getpid())),
                                  ec);
    });
    return p;
  }();
  return dir;
}

inline std::filesystem::path write_scratch(const std::string& name, std::string_view bytes) {
  const auto path = scratch() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// Splits the input at NUL bytes: a target that needs several files or responses.
inline std::vector<std::string_view> parts(const std::uint8_t* data, std::size_t size, std::size_t max_parts) {
  std::vector<std::string_view> out;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  while (out.size() + 1 < max_parts) {
    const auto nul = all.find('\0');
    if (nul == std::string_view::npos) break;
    out.push_back(all.substr(0, nul));
    all.remove_prefix(nul + 1);
  }
  out.push_back(all);
  return out;
}

// An invariant the target checks: abort (a finding for the fuzzer) when it does not hold.
inline void fuzz_check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace rollcall::fuzz
