#include "reports/output.hpp"

#include <future>

#include "reports/writers.hpp"

namespace rollcall::reports {

const std::vector<Format>& formats() {
  static const std::vector<Format> all = {{"json", "report.json", write_json},
                                          {"html", "report.html", write_html},
                                          {"csv", "report.csv", write_csv}};
  return all;
}

const Format* find_format(std::string_view name) {
  for (const auto& f : formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<void> write_reports(const Report& report, const std::filesystem::path& dir,
                           const std::vector<const Format*>& which) {
  std::vector<std::future<Result<void>>> jobs;
  for (const Format* f : which) {
    jobs.push_back(std::async(std::launch::async, f->write, std::cref(report), dir / f->file));
  }
  std::optional<Error> first;
  for (auto& job : jobs) {
    Result<void> r = job.get();
    if (!r && !first) first = r.error();
  }
  if (first) return fail(*first);
  return {};
}

}  // namespace rollcall::reports
