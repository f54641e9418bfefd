// Fuzzes rollcall.toml loading with the file connector's keys (the config parser, key specs,
// roster and apply sections).
#include "connectors/api/connector.hpp"
#include "connectors/file/file_connector.hpp"
#include "scanner/config/config.hpp"
#include "scanner/core/utf8.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rollcall;
  static connectors::Registry registry = [] {
    connectors::Registry r;
    r.add(connectors::file::connector_type());
    return r;
  }();
  fuzz::write_scratch("rollcall.toml", std::string_view(reinterpret_cast<const char*>(data), size));
  auto cfg = config::load_workspace(fuzz::scratch(), registry.key_lookup(), registry.names());
  if (!cfg) fuzz::fuzz_check(is_valid_utf8(cfg.error().message()), "config error message is valid UTF-8");
  return 0;
}
