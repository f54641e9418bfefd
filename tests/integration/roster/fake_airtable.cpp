#include "tests/integration/roster/fake_airtable.hpp"

namespace rollcall::testing {

namespace {

void error(httplib::Response& res, int status, const std::string& type, const std::string& message) {
  reply_json(res, nlohmann::json{{"error", {{"type", type}, {"message", message}}}}.dump(), status);
}

}  // namespace

FakeAirtable::FakeAirtable(FakeServer& server, std::string base, std::string table, std::string token)
    : server_(server), base_(std::move(base)), table_(std::move(table)), token_(std::move(token)) {}

FakeAirtable::Json FakeAirtable::record(const std::string& id, Json fields) {
  return Json{{"id", id}, {"createdTime", "2026-01-05T10:00:00.000Z"}, {"fields", std::move(fields)}};
}

void FakeAirtable::install() {
  server_.get(path(), [this](const httplib::Request& req, httplib::Response& res) { list(req, res); });
}

int FakeAirtable::rate_limited() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rate_limited_;
}

void FakeAirtable::list(const httplib::Request& req, httplib::Response& res) {
  if (rate_limit) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    while (!recent_.empty() && now - recent_.front() >= std::chrono::seconds(1)) recent_.pop_front();
    recent_.push_back(now);
    if (recent_.size() > 5) {
      ++rate_limited_;
      reply_json(res,
                 R"({"errors":[{"error":"RATE_LIMIT_REACHED","message":"Rate limit exceeded. Please try again later"}]})",
                 429);
      return;
    }
  }
  if (req.get_header_value("Authorization") != "Bearer " + token_) {
    error(res, 401, "AUTHENTICATION_REQUIRED", "Authentication required");
    return;
  }
  long long page_size = int_param(req, "pageSize", 100);
  if (page_size < 1 || page_size > 100) {
    error(res, 422, "INVALID_PAGE_SIZE", "pageSize must be between 1 and 100");
    return;
  }
  std::function<bool(const Json&)> shown = [](const Json&) { return true; };
  if (req.has_param("view")) {
    auto it = views.find(req.get_param_value("view"));
    if (it == views.end()) {
      error(res, 422, "VIEW_NAME_NOT_FOUND", "Could not find view " + req.get_param_value("view") + " in table");
      return;
    }
    shown = it->second;
  }
  std::vector<const Json*> rows;
  for (const Json& r : records) {
    if (shown(r)) rows.push_back(&r);
  }
  std::size_t start = 0;
  if (req.has_param("offset")) {
    // The fake's offsets are "itr<start>/<record id>"; Airtable's are as opaque.
    const std::string offset = req.get_param_value("offset");
    auto slash = offset.find('/');
    if (offset.rfind("itr", 0) != 0 || slash == std::string::npos) {
      error(res, 422, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "The offset is not valid");
      return;
    }
    start = std::stoul(offset.substr(3, slash - 3));
  }
  std::vector<std::string> only;
  for (std::size_t i = 0; i < req.get_param_value_count("fields[]"); ++i) only.push_back(req.get_param_value("fields[]", i));
  std::size_t per_page = std::min<std::size_t>(static_cast<std::size_t>(page_size), page_cap);
  Json page = Json::array();
  std::size_t end = std::min(rows.size(), start + per_page);
  for (std::size_t i = start; i < end; ++i) {
    Json r = *rows[i];
    if (!only.empty() && r["fields"].is_object()) {
      Json kept = Json::object();
      for (const auto& name : only) {
        if (r["fields"].contains(name)) kept[name] = r["fields"][name];
      }
      r["fields"] = kept;
    }
    page.push_back(std::move(r));
  }
  Json body{{"records", page}};
  if (end < rows.size()) body["offset"] = "itr" + std::to_string(end) + "/" + (*rows[end])["id"].get<std::string>();
  reply_json(res, body.dump());
}

}  // namespace rollcall::testing
