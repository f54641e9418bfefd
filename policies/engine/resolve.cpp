#include "policies/engine/resolve.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "scanner/core/strings.hpp"

namespace rollcall::policy::detail {
namespace {

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string close = closest_match(word, candidates);
  return close.empty() ? "" : " (did you mean " + quote(close) + "?)";
}

Result<void> check_includes(const Definitions& defs) {
  std::vector<std::string> names;
  for (const RoleDef& r : defs.roles) names.push_back(r.info.name);
  for (const RoleDef& r : defs.roles) {
    for (std::size_t i = 0; i < r.info.includes.size(); ++i) {
      const std::string& inc = r.info.includes[i];
      if (!defs.role_index.count(inc)) {
        return fail(r.include_sources[i].str() + ": role " + quote(r.info.name) + " includes unknown role " +
                    quote(inc) + did_you_mean(inc, names));
      }
    }
  }
  return {};
}

// Depth-first search for a cycle, roles visited in name order so the one reported is stable.
Result<void> check_cycles(const Definitions& defs) {
  enum Color { white, gray, black };
  std::vector<Color> color(defs.roles.size(), white);
  std::vector<std::size_t> path;
  std::vector<std::size_t> edge;  // which include of path[k] leads to path[k+1]

  std::function<Result<void>(std::size_t)> visit = [&](std::size_t r) -> Result<void> {
    color[r] = gray;
    path.push_back(r);
    const RoleDef& def = defs.roles[r];
    for (std::size_t i = 0; i < def.info.includes.size(); ++i) {
      std::size_t next = defs.role_index.at(def.info.includes[i]);
      edge.push_back(i);
      if (color[next] == gray) {
        std::size_t start =
            static_cast<std::size_t>(std::find(path.begin(), path.end(), next) - path.begin());
        std::string chain;
        for (std::size_t k = start; k < path.size(); ++k)
          chain += quote(defs.roles[path[k]].info.name) + " -> ";
        chain += quote(defs.roles[next].info.name);
        const RoleDef& first = defs.roles[path[start]];
        return fail(first.include_sources[edge[start]].str() + ": includes cycle: role " + chain);
      }
      if (color[next] == white) RC_TRY(visit(next));
      edge.pop_back();
    }
    path.pop_back();
    color[r] = black;
    return {};
  };
  for (std::size_t r = 0; r < defs.roles.size(); ++r) {
    if (color[r] == white) RC_TRY(visit(r));
  }
  return {};
}

Result<void> check_sod_exceptions(const Definitions& defs) {
  std::vector<std::string> names;
  for (const SodRule& r : defs.sod_rules) names.push_back(r.name);
  for (const ExceptionRule& e : defs.exceptions) {
    if (!e.system.empty() || e.entitlement.rfind("sod:", 0) != 0) continue;
    std::string name = e.entitlement.substr(4);
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return fail(e.source.str() + ": exception names unknown sod rule " + quote(name) +
                  did_you_mean(name, names));
    }
  }
  return {};
}

// Points each entitlement of a definition at the line its id is written on, within the lines
// the definition can span.
void locate_entries(const PolicyFile& file, const Source& def, std::vector<EntryDef>& entries) {
  int end = file.range_end(def.line);
  for (EntryDef& e : entries) {
    int line = file.index.literal_line(e.entitlement_id, def.line, end, e.system);
    e.source = {def.file, line > 0 ? line : def.line};
  }
}

void flatten(Definitions& defs, std::size_t root) {
  RoleDef& out = defs.roles[root];
  std::set<std::size_t> seen;
  std::set<std::tuple<std::string, std::string, int, std::string>> written;
  std::function<void(std::size_t, std::vector<std::string>&)> visit = [&](std::size_t r,
                                                                          std::vector<std::string>& chain) {
    if (!seen.insert(r).second) return;
    out.closure.push_back(r);
    const RoleDef& def = defs.roles[r];
    for (const EntryDef& e : def.entries) {
      if (!written.emplace(e.system, e.entitlement_id, e.source.line, e.level).second) continue;
      DesiredGrant g;
      g.system = e.system;
      g.entitlement_id = e.entitlement_id;
      g.level = e.level;
      g.privileged = e.privileged || def.info.privileged;
      Provenance p;
      p.kind = Provenance::Kind::role;
      p.name = out.info.name;
      p.chain = chain;
      p.source = e.source;
      p.level = e.level;
      g.why.push_back(std::move(p));
      out.flat.push_back(std::move(g));
    }
    for (const std::string& inc : def.info.includes) {
      chain.push_back(inc);
      visit(defs.role_index.at(inc), chain);
      chain.pop_back();
    }
  };
  std::vector<std::string> chain = {out.info.name};
  visit(root, chain);
}

}  // namespace

int PolicyFile::range_end(int line) const {
  auto next = std::upper_bound(definition_lines.begin(), definition_lines.end(), line);
  return next == definition_lines.end() ? INT32_MAX : *next - 1;
}

// Two sources of one grant: the higher primary level wins with its whole set; equal primary
// levels allow the union of their sets.
Result<void> merge_reason(DesiredGrant& into, std::string_view level, bool privileged, Provenance why) {
  if (level != into.level && primary_level(level) == primary_level(into.level)) {
    std::string merged = into.level;
    for (std::string_view l : allowed_levels(level)) {
      if (!level_allowed(merged, l)) merged += kLevelSeparator + std::string(l);
    }
    into.level = std::move(merged);
  } else if (level != into.level) {
    auto a = level_rank(primary_level(into.level)), b = level_rank(primary_level(level));
    if (!a || !b) {
      return fail("entitlement " + quote(into.entitlement_id) + " in system " + quote(into.system) +
                  " gets levels " + quote(into.level) + " (" + into.why.front().describe() + ") and " +
                  quote(level) + " (" + why.describe() + "), and " + quote(!a ? into.level : level) +
                  " has no ranking (use one level, or levels from the documented ranking)");
    }
    if (*b > *a) into.level = std::string(level);
  }
  into.privileged = into.privileged || privileged;
  into.why.push_back(std::move(why));
  return {};
}

Result<std::vector<DesiredGrant>> merge_grants(std::vector<DesiredGrant> grants) {
  std::stable_sort(grants.begin(), grants.end(), [](const DesiredGrant& a, const DesiredGrant& b) {
    return std::tie(a.system, a.entitlement_id) < std::tie(b.system, b.entitlement_id);
  });
  std::vector<DesiredGrant> out;
  for (DesiredGrant& g : grants) {
    if (out.empty() || out.back().system != g.system || out.back().entitlement_id != g.entitlement_id) {
      out.push_back(std::move(g));
      continue;
    }
    for (Provenance& p : g.why) RC_TRY(merge_reason(out.back(), g.level, g.privileged, std::move(p)));
  }
  return out;
}

Result<void> resolve(Definitions& defs) {
  // Roles by name (the index follows), rules and hooks in file and line order.
  std::sort(defs.roles.begin(), defs.roles.end(),
            [](const RoleDef& a, const RoleDef& b) { return a.info.name < b.info.name; });
  defs.role_index.clear();
  for (std::size_t i = 0; i < defs.roles.size(); ++i) defs.role_index[defs.roles[i].info.name] = i;
  auto by_place = [](const HookDef& a, const HookDef& b) {
    return std::tie(a.file, a.source.line, a.name) < std::tie(b.file, b.source.line, b.name);
  };
  for (auto* hooks : {&defs.assigns, &defs.rules, &defs.matchers})
    std::stable_sort(hooks->begin(), hooks->end(), by_place);
  std::stable_sort(
      defs.exceptions.begin(), defs.exceptions.end(), [](const ExceptionRule& a, const ExceptionRule& b) {
        return std::tie(a.source.file, a.source.line, a.system, a.account, a.person, a.entitlement) <
               std::tie(b.source.file, b.source.line, b.system, b.account, b.person, b.entitlement);
      });
  std::sort(defs.sod_rules.begin(), defs.sod_rules.end(),
            [](const SodRule& a, const SodRule& b) { return a.name < b.name; });
  std::sort(defs.service_accounts.begin(), defs.service_accounts.end(),
            [](const ServiceAccount& a, const ServiceAccount& b) {
              return std::tie(a.system, a.account) < std::tie(b.system, b.account);
            });

  RC_TRY(check_includes(defs));
  RC_TRY(check_cycles(defs));
  RC_TRY(check_sod_exceptions(defs));

  for (RoleDef& r : defs.roles) locate_entries(defs.files[r.file], r.info.source, r.entries);
  for (ServiceAccount& sa : defs.service_accounts) {
    const PolicyFile* file = nullptr;
    for (const PolicyFile& f : defs.files) {
      if (f.path == sa.source.file) file = &f;
    }
    int end = file ? file->range_end(sa.source.line) : sa.source.line;
    for (DesiredGrant& g : sa.entitlements) {
      int line = file ? file->index.literal_line(g.entitlement_id, sa.source.line, end, "entitlements") : 0;
      g.why.front().source.line = line > 0 ? line : sa.source.line;
    }
  }
  for (std::size_t i = 0; i < defs.roles.size(); ++i) {
    flatten(defs, i);
    RoleDef& r = defs.roles[i];
    auto merged = merge_grants(r.flat);
    if (!merged)
      return fail(r.info.source.str() + ": role " + quote(r.info.name) + ": " + merged.error().message());
    r.info.grants = std::move(*merged);
  }
  return {};
}

}  // namespace rollcall::policy::detail
