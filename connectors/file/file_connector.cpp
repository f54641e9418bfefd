#include "connectors/file/file_connector.hpp"

#include "connectors/file/export_csv.hpp"
#include "connectors/file/export_json.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::connectors::file {
namespace {

class FileConnector final : public Connector {
 public:
  explicit FileConnector(std::filesystem::path path) : path_(std::move(path)) {}
  Result<void> fetch(RecordSink& sink) override { return read_export(path_, sink); }

 private:
  std::filesystem::path path_;
};

}  // namespace

Result<void> read_export(const std::filesystem::path& path, RecordSink& sink) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return read_csv_export(path, sink);
  if (!std::filesystem::exists(path, ec)) return fail("export " + quote(path.string()) + " not found");
  return read_json_export(path, sink);
}

ConnectorType connector_type() {
  ConnectorType t;
  t.name = "file";
  t.summary = "an export on disk: a JSON file, or a folder with accounts.csv and grants.csv";
  t.keys = {
      {"path", config::ValueType::string, true,
       "the export: a .json file or a folder of CSVs, relative to the workspace", ""},
  };
  t.create = [](const config::SystemConfig& sys, const ConnectorEnv& env)
      -> Result<std::unique_ptr<Connector>> {
    std::filesystem::path p = *sys.keys.string("path");
    if (p.is_relative()) p = env.workspace_dir / p;
    return std::unique_ptr<Connector>(new FileConnector(p));
  };
  return t;
}

}  // namespace rollcall::connectors::file
