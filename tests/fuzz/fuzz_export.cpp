// Fuzzes the file connector's export readers into a real SnapshotWriter on an in-memory
// database: JSON (ROLLCALL_FUZZ_EXPORT_CSV=0: the input is the file) or CSV (the input is
// accounts.csv, grants.csv and entitlements.csv separated by NUL bytes).
#include "connectors/file/file_connector.hpp"
#include "scanner/core/utf8.hpp"
#include "scanner/store/snapshot_store.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rollcall;
  std::filesystem::path path;
  if (ROLLCALL_FUZZ_EXPORT_CSV) {
    path = fuzz::scratch() / "export";
    std::filesystem::create_directories(path);
    const auto files = fuzz::parts(data, size, 3);
    fuzz::write_scratch("export/accounts.csv", files[0]);
    fuzz::write_scratch("export/grants.csv", files.size() > 1 ? files[1] : "");
    std::error_code ec;
    std::filesystem::remove(path / "entitlements.csv", ec);
    if (files.size() > 2) fuzz::write_scratch("export/entitlements.csv", files[2]);
  } else {
    path = fuzz::write_scratch("export.json", std::string_view(reinterpret_cast<const char*>(data), size));
  }
  static auto db = store::Database::open_memory();
  fuzz::fuzz_check(db.ok(), "in-memory database opens");
  store::SnapshotStore snapshots(**db);
  auto writer = snapshots.begin("fuzz", "file", 0);
  fuzz::fuzz_check(writer.ok(), "snapshot begins");
  auto read = connectors::file::read_export(path, **writer);
  if (read) {
    auto committed = (*writer)->commit(1);
    if (!committed) (void)(*writer)->abort(committed.error(), 1);
  } else {
    fuzz::fuzz_check(is_valid_utf8(read.error().message()), "export error message is valid UTF-8");
    (void)(*writer)->abort(read.error(), 1);
  }
  return 0;
}
