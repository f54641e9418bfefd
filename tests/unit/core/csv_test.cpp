#include <catch2/catch.hpp>

#include <sstream>

#include "scanner/core/csv.hpp"

using namespace rollcall;

namespace {
std::vector<std::vector<std::string>> read_all(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (true) {
    auto r = reader.next(row);
    REQUIRE(r.ok());
    if (!*r) break;
    rows.push_back(row);
  }
  return rows;
}
}  // namespace

TEST_CASE("csv: quoted fields may hold commas, quotes and newlines", "[core][csv]") {
  auto rows = read_all("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[1] == std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"});
}

TEST_CASE("csv: a UTF-8 BOM and CRLF line ends are handled", "[core][csv]") {
  auto rows = read_all("\xEF\xBB\xBFid,name\r\n1,\"Zo\xC3\xAB\"\r\n2,\r\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][0] == "id");
  CHECK(rows[1][1] == "Zo\xC3\xAB");
  CHECK(rows[2] == std::vector<std::string>{"2", ""});
}

TEST_CASE("csv: record start lines count embedded newlines; blank lines are skipped", "[core][csv]") {
  std::istringstream in("h\n\"a\nb\"\n\nc\n");
  CsvReader reader(in);
  std::vector<std::string> row;
  REQUIRE(*reader.next(row));
  REQUIRE(*reader.next(row));
  CHECK(reader.line() == 2);
  REQUIRE(*reader.next(row));
  CHECK(reader.line() == 5);
  CHECK(row[0] == "c");
}

TEST_CASE("csv: an unterminated quote names the line where the field starts", "[core][csv]") {
  std::istringstream in("h\nok\n\"never closed\nmore\n");
  CsvReader reader(in);
  std::vector<std::string> row;
  REQUIRE(*reader.next(row));
  REQUIRE(*reader.next(row));
  auto r = reader.next(row);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "3: unterminated quoted field");
}

TEST_CASE("csv: a stray quote inside an unquoted field is an error", "[core][csv]") {
  std::istringstream in("a,b\"c\n");
  CsvReader reader(in);
  std::vector<std::string> row;
  auto r = reader.next(row);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "1: quote inside an unquoted field");
}

TEST_CASE("csv: fields are quoted on output only when needed", "[core][csv]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"x\"") == "\"say \"\"x\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
}
