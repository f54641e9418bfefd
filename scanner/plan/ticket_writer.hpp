// The `file` writer: for systems without an API, apply files each change as a ticket, one row
// of <workspace>/tickets/<system>.csv, for a human to carry out. Its live state is the latest
// complete snapshot of the system, except that a change already filed as a ticket reads as
// done, so a rerun files nothing twice. Not thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "connectors/api/writer.hpp"
#include "scanner/store/sqlite.hpp"

namespace rollcall::plan {

class TicketWriter final : public connectors::Writer {
 public:
  // `db` is borrowed for the writer's life; tickets go to `tickets_csv` (created with a header).
  TicketWriter(store::Database& db, std::string system, std::filesystem::path tickets_csv)
      : db_(db), system_(std::move(system)), path_(std::move(tickets_csv)) {}

  Result<connectors::LiveState> read(const connectors::Change& change) override;
  Result<void> write(const connectors::Change& change) override;

 private:
  Result<bool> filed(const std::string& key) const;

  store::Database& db_;
  std::string system_;
  std::filesystem::path path_;
};

}  // namespace rollcall::plan
