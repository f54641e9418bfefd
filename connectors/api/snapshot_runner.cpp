#include "connectors/api/snapshot_runner.hpp"

#include "scanner/core/strings.hpp"
#include "scanner/core/utf8.hpp"

namespace rollcall::connectors {
namespace {

// The text rule for every connector (docs/security.md): each text field of each record must be
// valid UTF-8, or the record is refused naming it. Connectors with a better location (file and
// record) check earlier; this is the check none can skip.
// The label is built only on failure: this runs for every grant of a snapshot.
template <class Label>
Result<void> check_text(std::initializer_list<std::pair<const char*, const std::string*>> fields, Label label) {
  for (const auto& [name, value] : fields) {
    if (is_valid_utf8(*value)) continue;
    return check_utf8(*value, std::string("field ") + quote(name)).context(label());
  }
  return {};
}

// Forwards to the writer after the text check, and reports progress every few thousand records.
class ProgressSink final : public RecordSink {
 public:
  ProgressSink(store::SnapshotWriter& writer, const ProgressFn& progress)
      : writer_(writer), progress_(progress) {}
  Result<void> account(const Account& a) override {
    ++accounts_;
    tick();
    RC_TRY(check_text({{"id", &a.id}, {"login", &a.login}, {"email", &a.email}, {"display_name", &a.display_name},
                       {"external_id", &a.external_id}, {"attrs", &a.attrs_json}},
                      [&] { return "account " + quote(a.id); }));
    return writer_.account(a);
  }
  Result<void> entitlement(const Entitlement& e) override {
    RC_TRY(check_text({{"id", &e.id}, {"type", &e.type}, {"name", &e.name}, {"attrs", &e.attrs_json}},
                      [&] { return "entitlement " + quote(e.id); }));
    return writer_.entitlement(e);
  }
  Result<void> grant(const Grant& g) override {
    ++grants_;
    tick();
    RC_TRY(check_text({{"account", &g.account_id}, {"entitlement", &g.entitlement_id}, {"level", &g.level},
                       {"via", &g.via}},
                      [&] { return "grant of " + quote(g.entitlement_id) + " to account " + quote(g.account_id); }));
    return writer_.grant(g);
  }
  Result<void> credential(const Credential& c) override {
    RC_TRY(check_text({{"account", &c.account_id}, {"id", &c.id}, {"last_used_where", &c.last_used_where},
                       {"attrs", &c.attrs_json}},
                      [&] { return "credential " + quote(c.id) + " of account " + quote(c.account_id); }));
    return writer_.credential(c);
  }
  Result<void> finish(const GrantLocator& locate) override { return writer_.finish(locate); }

 private:
  void tick() {
    if (progress_ && ((accounts_ + grants_) & 0x3fff) == 0) progress_(accounts_, grants_);
  }
  store::SnapshotWriter& writer_;
  const ProgressFn& progress_;
  std::int64_t accounts_ = 0;
  std::int64_t grants_ = 0;
};

}  // namespace

Result<SnapshotOutcome> take_snapshot(const config::SystemConfig& system, const Registry& registry,
                                      const ConnectorEnv& env, store::SnapshotStore& store,
                                      const ProgressFn& progress) {
  const std::string label = "system " + quote(system.name);
  const ConnectorType* type = registry.find(system.type);
  UnixTime started = env.clock.now();
  RC_ASSIGN(auto writer, store.begin(system.name, system.type, started));

  auto run = [&]() -> Result<store::SnapshotInfo> {
    if (type == nullptr) return fail("unknown system type " + quote(system.type));
    RC_ASSIGN(auto connector, type->create(system, env));
    ProgressSink sink(*writer, progress);
    RC_TRY(connector->fetch(sink));
    return writer->commit(env.clock.now());
  };
  auto result = run();
  if (result) return SnapshotOutcome{std::move(result).value(), std::nullopt};

  // The error is stored and shown: redact every secret the connector resolved, in every form a
  // server may have echoed it (scanner/core/redact.hpp), whatever layer the message came from.
  const Redactor redactor = env.secrets.redactor();
  const Error stored(redactor.redact(result.error().message()));
  Error error = stored.context(label);
  RC_ASSIGN(store::SnapshotInfo info, writer->abort(stored, env.clock.now()));
  return SnapshotOutcome{std::move(info), std::move(error)};
}

}  // namespace rollcall::connectors
