// Policy evaluation benchmark: 100k generated people against 50 roles (some with includes),
// 20 rules and an assign hook, with 500 exceptions loaded, all on one reused lua_State.
// Prints the load time, the evaluation wall time and people per second.
//
//   build/bench/policy_bench [PEOPLE]      (Release build; default 100000)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/measure.hpp"
#include "policies/engine/policy.hpp"

using namespace rollcall;

using namespace rollcall::bench;

namespace {

const char* const kSystems[] = {"github", "slack", "okta", "postgres", "netsuite"};
const char* const kDepartments[] = {"Engineering", "Data",  "Finance", "Security",
                                    "Support",     "Sales", "Legal",   "HR"};
const char* const kLocations[] = {"Berlin", "London", "New York", "Lisbon", "Remote"};

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// 50 roles in 5 team files: each gives 4 entitlements in 2-3 systems; every fifth role includes
// the one before it.
void write_roles(const std::filesystem::path& dir) {
  for (int file = 0; file < 5; ++file) {
    std::string text = "owner \"team-" + std::to_string(file) + "\"\n\n";
    for (int r = file * 10; r < file * 10 + 10; ++r) {
      std::string name = "role-" + std::to_string(r);
      text += "role \"" + name + "\" {\n";
      if (r % 5 == 4) text += "  includes = { \"role-" + std::to_string(r - 1) + "\" },\n";
      if (r % 7 == 0) text += "  privileged = true,\n";
      text += "  github   = { \"team:t" + std::to_string(r) + "\", { \"repo:r" + std::to_string(r % 13) +
              "\", level = \"" + (r % 3 == 0 ? "write" : "read") + "\" } },\n";
      text += "  slack    = { \"usergroup:g" + std::to_string(r % 17) + "\" },\n";
      text += "  " + std::string(kSystems[2 + r % 3]) + " = { \"group:x" + std::to_string(r) + "\" },\n";
      text += "}\n\n";
    }
    write(dir / ("team" + std::to_string(file) + ".lua"), text);
  }
}

// 20 rules on attributes, dates and the manager chain, plus one assign hook.
void write_rules(const std::filesystem::path& dir) {
  std::string text = "owner \"it-ops\"\n\n";
  text +=
      "rule(\"baseline\", function(person)\n  return { okta = { \"group:Everyone\" }, slack = { "
      "\"workspace:acme\" } }\nend)\n\n";
  text +=
      "rule(\"on-call\", function(person)\n  if person.attrs.oncall == \"yes\" then return { slack = { "
      "\"usergroup:oncall\" } } end\nend)\n\n";
  text +=
      "rule(\"new-joiners\", function(person)\n  if person.start_date and days_between(person.start_date, "
      "today()) < 90 then\n"
      "    return { slack = { \"usergroup:new-joiners\" } }\n  end\nend)\n\n";
  text +=
      "rule(\"leavers\", function(person)\n  if person.end_date and before(person.end_date, today()) then\n"
      "    return { okta = { \"group:Leavers\" } }\n  end\nend)\n\n";
  text +=
      "rule(\"cto-org\", function(person)\n  if reports_to(person, \"p0@acme.com\") then return { github = { "
      "\"team:cto-org\" } } end\nend)\n\n";
  for (int i = 0; i < 8; ++i) {
    text += "rule(\"department-" + std::to_string(i) + "\", function(person)\n  if person.department == \"" +
            kDepartments[i] + "\" then\n    return { okta = { \"group:dept-" + std::to_string(i) +
            "\" }, slack = { \"usergroup:dept-" + std::to_string(i) + "\" } }\n  end\nend)\n\n";
  }
  for (int i = 0; i < 5; ++i) {
    text += "rule(\"location-" + std::to_string(i) +
            "\", function(person)\n  if person.attrs.location == \"" + kLocations[i] +
            "\" then return { slack = { \"usergroup:loc-" + std::to_string(i) + "\" } } end\nend)\n\n";
  }
  text +=
      "rule(\"cost-centre\", function(person)\n  local cc = person.attrs.cost_center\n"
      "  if cc and cc:match(\"^CC%-1\") then return { netsuite = { \"role:viewer\" } } end\nend)\n\n";
  text +=
      "rule(\"managers\", function(person)\n  if has_role(person, \"role-0\") and person.title and "
      "person.title:find(\"Manager\", 1, true) then\n    return { github = { { \"team:leads\", level = "
      "\"maintainer\" } } }\n"
      "  end\nend)\n\n";
  text +=
      "assign(function(person)\n  if person.department == \"Security\" then return \"role-49\" end\nend)\n";
  write(dir / "rules.lua", text);
}

void write_exceptions(const std::filesystem::path& dir) {
  std::string text = "owner \"security\"\n\n";
  for (int i = 0; i < 500; ++i) {
    text += "exception { system = \"" + std::string(kSystems[i % 5]) + "\", account = \"p" +
            std::to_string(i * 97) + "@acme.com\", entitlement = \"group:x" + std::to_string(i % 50) +
            "\", expires = \"2027-0" + std::to_string(1 + i % 9) + "-15\", ticket = \"SEC-" +
            std::to_string(1000 + i) + "\" }\n";
  }
  write(dir / "exceptions.lua", text);
}

roster::Roster make_roster(int people) {
  roster::Roster r;
  r.path = "roster.csv";
  r.people.reserve(static_cast<std::size_t>(people));
  for (int i = 0; i < people; ++i) {
    roster::Person p;
    p.employee_id = std::to_string(i).insert(0, 1, 'E');
    p.email = "p" + std::to_string(i) + "@acme.com";
    p.name = "Person " + std::to_string(i);
    p.department = kDepartments[i % 8];
    p.title = i % 11 == 0 ? "Engineering Manager" : "Engineer";
    p.roles = {"role-" + std::to_string(i % 50)};
    if (i % 3 == 0) p.roles.push_back("role-" + std::to_string((i * 7) % 50));
    if (i > 0) p.manager_email = "p" + std::to_string((i - 1) / 10) + "@acme.com";
    p.start_date = 1700000000 + static_cast<UnixTime>(i % 1000) * 86400;
    p.attrs = {{"location", kLocations[i % 5]},
               {"oncall", i % 9 == 0 ? "yes" : "no"},
               {"cost_center", "CC-" + std::to_string(i % 40)}};
    p.line = i + 2;
    r.people.push_back(std::move(p));
  }
  r.index();
  return r;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int people = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("rollcall-policy-bench-" + std::to_string(::getpid()));
  write_roles(dir / "policies");
  write_rules(dir / "policies");
  write_exceptions(dir / "policies");
  roster::Roster roster = make_roster(people);

  auto start = std::chrono::steady_clock::now();
  auto engine = policy::PolicyEngine::load(dir / "policies", dir, {std::begin(kSystems), std::end(kSystems)},
                                           roster, *parse_iso8601("2026-11-24T00:00:00Z"));
  double load_s = seconds_since(start);
  if (!engine) {
    std::fprintf(stderr, "policy_bench: %s\n", engine.error().message().c_str());
    return 1;
  }
  std::printf("loaded %zu roles, %zu rules, %zu exceptions in %.3f s\n", (*engine)->roles().size(),
              (*engine)->rules().size(), (*engine)->exceptions().size(), load_s);

  start = std::chrono::steady_clock::now();
  double cpu_start = cpu_s();
  std::size_t grants = 0, provenance = 0;
  for (const roster::Person& p : roster.people) {
    auto access = (*engine)->evaluate(p);
    if (!access) {
      std::fprintf(stderr, "policy_bench: %s\n", access.error().message().c_str());
      return 1;
    }
    grants += access->grants.size();
    for (const auto& g : access->grants) provenance += g.why.size();
  }
  double eval_s = seconds_since(start);
  const double eval_cpu_s = cpu_s() - cpu_start;
  std::printf(
      "evaluated %d people (%zu desired grants, %zu provenance entries) in %.3f s wall, %.3f s CPU: "
      "%.0f people/s\n",
      people, grants, provenance, eval_s, eval_cpu_s, people / eval_s);
  std::filesystem::remove_all(dir);
  return 0;
}
