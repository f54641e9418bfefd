#include "scanner/cli/apply_support.hpp"

#include <cstdlib>

#include "scanner/core/strings.hpp"
#include "scanner/plan/ticket_writer.hpp"

namespace rollcall::cli {

Result<plan::BlastLimits> blast_limits(const config::WorkspaceConfig& cfg) {
  plan::BlastLimits l{25, 0.10};
  if (!cfg.sections.count("apply")) return l;
  const config::Table& t = cfg.sections.at("apply");
  if (auto n = t.integer("max_destructive")) l.max_destructive = *n;
  if (auto s = t.string("max_destructive_share")) {
    std::string v(trim(*s));
    const bool percent = !v.empty() && v.back() == '%';
    if (percent) v.pop_back();
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || x < 0 || (percent ? x > 100 : x > 1)) {
      return fail(t.where("max_destructive_share") + ": max_destructive_share: " + quote(*s) +
                  " is not a share like \"10%\" or \"0.1\"");
    }
    l.max_destructive_share = percent ? x / 100 : x;
  }
  return l;
}

Result<std::unique_ptr<connectors::Writer>> make_writer(const Context& ctx, const config::WorkspaceConfig& cfg,
                                                        const connectors::ConnectorEnv& env, store::Database& db,
                                                        const std::string& system) {
  const config::SystemConfig* sys = cfg.find_system(system);
  if (!sys) return fail("system " + quote(system) + " is not in " + cfg.file.filename().string());
  const connectors::ConnectorType* type = ctx.registry.find(sys->type);
  if (!type) return fail("system " + quote(system) + ": unknown connector type " + quote(sys->type));
  if (sys->apply_via == "tickets" || (sys->apply_via.empty() && !type->create_writer)) {
    return std::unique_ptr<connectors::Writer>(
        std::make_unique<plan::TicketWriter>(db, system, cfg.dir / "tickets" / (system + ".csv")));
  }
  if (!type->create_writer) {
    return fail(sys->keys.where("apply_via") + ": the " + sys->type +
                " connector cannot write to its system; use apply_via = \"tickets\"");
  }
  auto w = type->create_writer(*sys, env);
  if (!w) return w.context("system " + quote(system));
  return w;
}

}  // namespace rollcall::cli
