#include "connectors/api/snapshot_runner.hpp"

#include "scanner/core/strings.hpp"

namespace rollcall::connectors {
namespace {

// Forwards to the writer and reports progress every few thousand records.
class ProgressSink final : public RecordSink {
 public:
  ProgressSink(store::SnapshotWriter& writer, const ProgressFn& progress)
      : writer_(writer), progress_(progress) {}
  Result<void> account(const Account& a) override {
    ++accounts_;
    tick();
    return writer_.account(a);
  }
  Result<void> entitlement(const Entitlement& e) override { return writer_.entitlement(e); }
  Result<void> grant(const Grant& g) override {
    ++grants_;
    tick();
    return writer_.grant(g);
  }

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

  Error error = result.error().context(label);
  RC_ASSIGN(store::SnapshotInfo info, writer->abort(result.error(), env.clock.now()));
  return SnapshotOutcome{std::move(info), std::move(error)};
}

}  // namespace rollcall::connectors
