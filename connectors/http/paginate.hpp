// Pagination, written once. A connector picks a strategy and gets each item of every page in
// order; it never writes its own page loop.
//
//   LinkPaging   — RFC 8288 Link header, rel="next" (GitHub per_page=N, Okta limit=N), then
//                  follow links; or a link in the body (Okta's _links.next.href).
//   CursorPaging — an opaque cursor in the body (Slack: response_metadata.next_cursor;
//                  Airtable: offset, with pageSize as the limit parameter), or, with
//                  next_may_be_link, the next page's URL there (Atlassian's admin API: links.next).
//   IndexPaging  — SCIM 2.0 (RFC 7644 §3.4.2.4): startIndex/count, totalResults, Resources.
//   OffsetPaging — Atlassian's startAt/maxResults: a bare array (Jira's /users/search) or a
//                  page bean ({"values": [...], "isLast": bool}). startAt advances by the items
//                  received, so a server that caps maxResults lower loses nothing. A page bean
//                  ends at "isLast": true; a bare array ends at an empty page (one request more
//                  than a short-page rule, but Jira returns short pages mid-list).
//   NextLinkPaging — OData v4 (Microsoft Graph): items in "value", the next page's absolute URL in
//                  "@odata.nextLink", followed exactly as given (it carries the server's skip token).
//
// Failure is total: a page that fails after retries, is malformed, or breaks the strategy's
// contract (a link to another host, a cursor or link that repeats, a SCIM page that comes back
// empty before totalResults is reached, a page bean that is empty but not the last, an offset
// page that repeats the previous one because the server ignored startAt) fails the whole walk
// with "<label> page N: <why>", and an item the callback rejects with "<label> page N: item K:
// <why>". Items already handed to the callback stay handed: the caller must treat the failure
// as "this system is partial".
#pragma once

#include <functional>
#include <string>
#include <variant>

#include "connectors/http/api_client.hpp"

namespace rollcall::http {

struct LinkPaging {
  int per_page = 100;
  std::string items;  // JSON pointer to the items; "" = the body is the array
  std::string limit_param = "per_page";  // the page-size parameter (Okta: "limit")
  // JSON pointer to the next page's URL in the body, for APIs that put the link there instead
  // of a Link header (Okta's /api/v1/iam: "/_links/next/href"); "" = the Link header.
  std::string next_href;
};

struct CursorPaging {
  int limit = 200;
  std::string items;                                    // JSON pointer, e.g. "/members"
  std::string cursor_param = "cursor";
  std::string next_cursor = "/response_metadata/next_cursor";
  std::string limit_param = "limit";  // Airtable: "pageSize"; "" = no page size is sent
  // An absolute http(s) URL at next_cursor is followed as the next page (on the API's origin
  // only, like a Link header) instead of being sent as cursor_param.
  bool next_may_be_link = false;
};

struct IndexPaging {
  int count = 100;  // items asked for per page; servers may return fewer
};

struct OffsetPaging {
  int page_size = 50;  // maxResults asked for; servers may return fewer
  std::string items;   // JSON pointer to the items: "" = the body is the array, "/values" in a page bean
  std::string start_param = "startAt";
  std::string size_param = "maxResults";
};

struct NextLinkPaging {
  int top = 0;                              // page size asked for with `$top`; 0 = the server's default
  std::string items = "/value";             // JSON pointer to the items
  std::string next = "/@odata.nextLink";    // JSON pointer to the next page's URL; absent = last page
};

// AWS's Marker/IsTruncated paging (the IAM Query API): each page is one form-encoded POST of
// `form` plus MaxItems and, after the first, Marker; the connector parses each page itself
// (XML), takes its items, and returns the page's IsTruncated flag and Marker. The walk ends at
// a page that is not truncated. A truncated page without a marker, a marker that repeats, or
// more than max_pages pages fails the walk ("<label> page N: <why>"): the list would otherwise
// be cut short without anyone noticing.
struct MarkerPage {
  bool truncated = false;
  std::string marker;
};
struct MarkerPaging {
  int max_items = 1000;  // sent as max_items_param; 0 = not sent (the server's default)
  std::string max_items_param = "MaxItems";
  std::string marker_param = "Marker";
  int max_pages = 100'000;
};
using MarkerPageFn = std::function<Result<MarkerPage>(const Response& page)>;

// POSTs `form` (read_only) to `path` page by page and calls `fn` with each page, in order.
// `label` names the request in errors ("ListUsers").
Result<void> for_each_marker_page(const ApiClient& client, const std::string& path, const Query& form,
                                  const std::string& label, const MarkerPaging& paging, const MarkerPageFn& fn);

using Paging = std::variant<LinkPaging, CursorPaging, IndexPaging, OffsetPaging, NextLinkPaging>;
using ItemFn = std::function<Result<void>(const Json& item)>;

// Reads every page of `path?query` and calls `fn` for each item, in order.
Result<void> for_each_item(const ApiClient& client, const std::string& path, const Query& query,
                           const Paging& paging, const ItemFn& fn);

// The URL of the rel="next" link in a Link header value, or "" when there is none.
std::string next_link(std::string_view link_header);

}  // namespace rollcall::http
