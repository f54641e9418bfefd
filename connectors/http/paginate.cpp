#include "connectors/http/paginate.hpp"

#include <optional>
#include <unordered_set>

#include "scanner/core/strings.hpp"

namespace rollcall::http {
namespace {

std::string page_label(const std::string& label, int page) { return label + " page " + std::to_string(page); }

Result<void> each(const Json& items, const std::string& where, const ItemFn& fn) {
  std::size_t k = 0;
  for (const Json& item : items) {
    ++k;
    auto r = fn(item);
    if (!r) return fail(where + ": item " + std::to_string(k) + ": " + r.error().message());
  }
  return {};
}

Result<void> walk(const ApiClient& client, const std::string& path, const Query& query,
                  const LinkPaging& paging, const ItemFn& fn) {
  Query q = query;
  q.emplace_back(paging.limit_param, std::to_string(paging.per_page));
  const std::string label = client.label(path, query);
  std::string url = client.url(path, q);
  std::unordered_set<std::string> seen{url};
  for (int page = 1;; ++page) {
    RC_ASSIGN(JsonResponse r, client.get_json(url, label, page));
    const std::string where = page_label(label, page);
    auto items = array_at(r.json, paging.items);
    if (!items) return fail(where + ": " + items.error().message());
    RC_TRY(each(**items, where, fn));
    std::string next;
    if (paging.next_href.empty()) {
      // Okta sends rel="self" and rel="next" as two Link headers: look at every one.
      for (const Header& h : r.response.headers) {
        if (next.empty() && to_lower(h.name) == "link") next = next_link(h.value);
      }
    } else {
      try {
        Json::json_pointer p(paging.next_href);
        if (r.json.contains(p)) {
          const Json& href = r.json.at(p);
          if (!href.is_string()) return fail(where + ": " + quote(paging.next_href) + " is " + type_name(href) + ", not a string");
          next = href.get<std::string>();
        }
      } catch (const Json::exception& e) {
        return fail(where + ": " + quote(paging.next_href) + ": " + e.what());
      }
    }
    if (next.empty()) return {};
    // The credential goes with every request: never follow a link off the API's origin.
    if (!client.same_origin(next)) {
      return fail(where + ": the next-page link leads to another host (" + quote(next) + "); not followed");
    }
    if (!seen.insert(next).second) return fail(where + ": the next-page link repeats an earlier page");
    url = std::move(next);
  }
}

Result<void> walk(const ApiClient& client, const std::string& path, const Query& query,
                  const CursorPaging& paging, const ItemFn& fn) {
  const std::string label = client.label(path, query);
  std::string cursor;
  std::string link;  // next_may_be_link: the next page's URL
  std::unordered_set<std::string> seen;
  for (int page = 1;; ++page) {
    std::string url = link;
    if (url.empty()) {
      Query q = query;
      if (!paging.limit_param.empty()) q.emplace_back(paging.limit_param, std::to_string(paging.limit));
      if (!cursor.empty()) q.emplace_back(paging.cursor_param, cursor);
      url = client.url(path, q);
    }
    RC_ASSIGN(JsonResponse r, client.get_json(url, label, page));
    const std::string where = page_label(label, page);
    auto items = array_at(r.json, paging.items);
    if (!items) return fail(where + ": " + items.error().message());
    RC_TRY(each(**items, where, fn));
    cursor.clear();
    link.clear();
    std::string next;
    try {
      Json::json_pointer p(paging.next_cursor);
      if (r.json.contains(p)) {
        const Json& value = r.json.at(p);
        if (!value.is_null() && !value.is_string()) {
          return fail(where + ": " + quote(paging.next_cursor) + " is " + type_name(value) + ", not a string");
        }
        if (value.is_string()) next = value.get<std::string>();
      }
    } catch (const Json::exception& e) {
      return fail(where + ": " + quote(paging.next_cursor) + ": " + e.what());
    }
    if (next.empty()) return {};
    if (!seen.insert(next).second) return fail(where + ": the next cursor repeats an earlier one");
    const bool is_link = paging.next_may_be_link && (starts_with(next, "https://") || starts_with(next, "http://"));
    if (!is_link) {
      cursor = std::move(next);
      continue;
    }
    // The credential goes with every request: never follow a link off the API's origin.
    if (!client.same_origin(next)) {
      return fail(where + ": the next-page link leads to another host (" + quote(next) + "); not followed");
    }
    link = std::move(next);
  }
}

Result<void> walk(const ApiClient& client, const std::string& path, const Query& query,
                  const IndexPaging& paging, const ItemFn& fn) {
  const std::string label = client.label(path, query);
  std::int64_t start = 1;  // SCIM indexes are 1-based
  for (int page = 1;; ++page) {
    Query q = query;
    q.emplace_back("startIndex", std::to_string(start));
    q.emplace_back("count", std::to_string(paging.count));
    RC_ASSIGN(JsonResponse r, client.get_json(client.url(path, q), label, page));
    const std::string where = page_label(label, page);
    if (!r.json.is_object()) return fail(where + ": expected a ListResponse object, got " + type_name(r.json));
    const Json* total = member(r.json, "totalResults");
    if (total == nullptr || !total->is_number_integer() || total->get<std::int64_t>() < 0) {
      return fail(where + ": \"totalResults\" is missing or not a count");
    }
    std::int64_t total_results = total->get<std::int64_t>();
    // RFC 7644 lets a server omit "Resources" when there are none.
    static const Json kEmpty = Json::array();
    const Json* resources = &kEmpty;
    if (member(r.json, "Resources") != nullptr) {
      auto items = array_at(r.json, "/Resources");
      if (!items) return fail(where + ": " + items.error().message());
      resources = *items;
    }
    RC_TRY(each(*resources, where, fn));
    auto got = static_cast<std::int64_t>(resources->size());
    start += got;
    if (start > total_results) return {};
    if (got == 0) {
      return fail(where + ": no resources returned at startIndex " + std::to_string(start) +
                  " although totalResults is " + std::to_string(total_results));
    }
  }
}

Result<void> walk(const ApiClient& client, const std::string& path, const Query& query,
                  const OffsetPaging& paging, const ItemFn& fn) {
  const std::string label = client.label(path, query);
  std::int64_t start = 0;  // Atlassian offsets are 0-based
  std::string previous_first;  // the first item of the previous page, to catch an ignored startAt
  for (int page = 1;; ++page) {
    Query q = query;
    q.emplace_back(paging.start_param, std::to_string(start));
    q.emplace_back(paging.size_param, std::to_string(paging.page_size));
    RC_ASSIGN(JsonResponse r, client.get_json(client.url(path, q), label, page));
    const std::string where = page_label(label, page);
    auto items = array_at(r.json, paging.items);
    if (!items) return fail(where + ": " + items.error().message());
    const Json& list = **items;
    std::optional<bool> is_last;
    if (r.json.is_object()) {
      if (const Json* last = member(r.json, "isLast")) {
        if (!last->is_boolean()) return fail(where + ": \"isLast\" is " + type_name(*last) + ", not a boolean");
        is_last = last->get<bool>();
      }
    }
    if (!list.empty()) {
      std::string first = list.front().dump();
      if (page > 1 && first == previous_first) {
        return fail(where + ": the page at " + paging.start_param + "=" + std::to_string(start) +
                    " repeats the previous page; the server ignored " + paging.start_param);
      }
      previous_first = std::move(first);
    }
    RC_TRY(each(list, where, fn));
    if (is_last.value_or(list.empty())) return {};
    if (list.empty()) {
      return fail(where + ": no items at " + paging.start_param + "=" + std::to_string(start) +
                  " although \"isLast\" is false");
    }
    start += static_cast<std::int64_t>(list.size());
  }
}

Result<void> walk(const ApiClient& client, const std::string& path, const Query& query,
                  const NextLinkPaging& paging, const ItemFn& fn) {
  Query q = query;
  if (paging.top > 0) q.emplace_back("$top", std::to_string(paging.top));
  const std::string label = client.label(path, query);
  std::string url = client.url(path, q);
  std::unordered_set<std::string> seen{url};
  for (int page = 1;; ++page) {
    RC_ASSIGN(JsonResponse r, client.get_json(url, label, page));
    const std::string where = page_label(label, page);
    auto items = array_at(r.json, paging.items);
    if (!items) return fail(where + ": " + items.error().message());
    RC_TRY(each(**items, where, fn));
    std::string next;
    try {
      Json::json_pointer p(paging.next);
      if (r.json.contains(p)) {
        const Json& link = r.json.at(p);
        if (!link.is_null() && !link.is_string()) {
          return fail(where + ": " + quote(paging.next) + " is " + type_name(link) + ", not a URL");
        }
        if (link.is_string()) next = link.get<std::string>();
      }
    } catch (const Json::exception& e) {
      return fail(where + ": " + quote(paging.next) + ": " + e.what());
    }
    if (next.empty()) return {};
    // The credential goes with every request: never follow a link off the API's origin.
    if (!client.same_origin(next)) {
      return fail(where + ": the next-page link leads to another host (" + quote(next) + "); not followed");
    }
    if (!seen.insert(next).second) return fail(where + ": the next-page link repeats an earlier page");
    url = std::move(next);
  }
}

}  // namespace

Result<void> for_each_marker_page(const ApiClient& client, const std::string& path, const Query& form,
                                  const std::string& label, const MarkerPaging& paging, const MarkerPageFn& fn) {
  std::string marker;
  std::unordered_set<std::string> seen;
  for (int page = 1;; ++page) {
    const std::string where = page_label(label, page);
    if (page > paging.max_pages) {
      return fail(where + ": more than " + std::to_string(paging.max_pages) + " pages; the list does not end");
    }
    RawRequest raw;
    raw.method = Method::post;
    raw.path = path;
    raw.content_type = "application/x-www-form-urlencoded; charset=utf-8";
    raw.read_only = true;
    raw.label = where;
    Query q = form;
    if (paging.max_items > 0) q.emplace_back(paging.max_items_param, std::to_string(paging.max_items));
    if (!marker.empty()) q.emplace_back(paging.marker_param, marker);
    raw.body = encode_query(q);
    RC_ASSIGN(Response r, client.send_raw(raw));
    auto next = fn(r);
    if (!next) return fail(where + ": " + next.error().message());
    if (!next->truncated) return {};
    if (next->marker.empty()) return fail(where + ": the page is truncated (IsTruncated) but has no Marker for the next one");
    if (!seen.insert(next->marker).second) return fail(where + ": the Marker repeats an earlier page's");
    marker = std::move(next->marker);
  }
}

std::string next_link(std::string_view header) {
  // <https://...?page=2>; rel="next", <https://...?page=9>; rel="last"
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto open = header.find('<', pos);
    if (open == std::string_view::npos) return "";
    auto close = header.find('>', open);
    if (close == std::string_view::npos) return "";
    std::string_view target = header.substr(open + 1, close - open - 1);
    auto end = header.find('<', close);
    std::string_view params = header.substr(close + 1, end == std::string_view::npos ? end : end - close - 1);
    for (const std::string& param : split(params, ';')) {
      std::string_view p = trim(param);
      while (!p.empty() && p.back() == ',') p = trim(p.substr(0, p.size() - 1));
      if (!starts_with(to_lower(p), "rel=")) continue;
      std::string_view value = trim(p.substr(4));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      for (const std::string& rel : split(value, ' ')) {
        if (to_lower(rel) == "next") return std::string(target);
      }
    }
    pos = close + 1;
  }
  return "";
}

Result<void> for_each_item(const ApiClient& client, const std::string& path, const Query& query,
                           const Paging& paging, const ItemFn& fn) {
  return std::visit([&](const auto& p) { return walk(client, path, query, p, fn); }, paging);
}

}  // namespace rollcall::http
