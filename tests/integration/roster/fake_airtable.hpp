// FakeAirtable: Airtable's List records endpoint (GET /v0/{base}/{table}) on a FakeServer, as
// the real API behaves: a personal access token (401 AUTHENTICATION_REQUIRED otherwise),
// pageSize (at most 100) and an opaque "offset" for the next page, views that filter and
// order, fields[] that limits the fields returned, empty fields left out of "fields", and the
// rate limit: more than 5 requests in one second on the base is answered 429 (Airtable then
// refuses for 30 s; the fake refuses only the requests over the limit).
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/http/fake_server.hpp"

namespace rollcall::testing {

class FakeAirtable {
 public:
  using Json = nlohmann::json;
  FakeAirtable(FakeServer& server, std::string base, std::string table, std::string token);

  // Records in the table's own order: {"id": "rec...", "createdTime": "...", "fields": {...}}.
  std::vector<Json> records;
  // View name -> which records it shows (in table order).
  std::map<std::string, std::function<bool(const Json& record)>> views;
  std::size_t page_cap = 100;  // the most records one page holds (Airtable: 100)
  bool rate_limit = true;      // answer 429 above 5 requests per second

  // Routes the table's path on the server. Call after filling records and views.
  void install();
  // Requests answered 429 because of the rate limit.
  int rate_limited() const;
  // "/v0/appX/People"
  std::string path() const { return "/v0/" + base_ + "/" + table_; }

  // A record with these fields (values as JSON: strings, lists, numbers, objects).
  static Json record(const std::string& id, Json fields);

 private:
  void list(const httplib::Request& req, httplib::Response& res);

  FakeServer& server_;
  std::string base_, table_, token_;
  mutable std::mutex mutex_;
  std::deque<std::chrono::steady_clock::time_point> recent_;
  int rate_limited_ = 0;
};

}  // namespace rollcall::testing
