#include "tests/integration/servers/test_servers.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "tests/support/temp_dir.hpp"

namespace rollcall::testing {

std::unique_ptr<TestServers> TestServers::start(const std::string& kind) {
  static std::atomic<int> counter{0};
  auto state = std::filesystem::temp_directory_path() /
               ("rollcall-servers-" + kind + "-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++));
  std::unique_ptr<TestServers> servers(new TestServers(kind, state));
  // The script stops the servers itself should this process die without running ~TestServers.
  std::string out = servers->run("start", "--watch " + std::to_string(::getpid()));
  for (std::size_t pos = 0; pos < out.size();) {
    std::size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(pos, end - pos);
    std::size_t eq = line.find('=');
    if (line.rfind("ROLLCALL_", 0) == 0 && eq != std::string::npos) {
      servers->env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    pos = end + 1;
  }
  return servers;
}

TestServers& TestServers::shared(const std::string& kind) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<TestServers>> instances;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = instances[kind];
  if (!slot) slot = start(kind);
  return *slot;
}

TestServers::~TestServers() {
  try {
    run("stop");
  } catch (const std::exception&) {
    // Already reported by run(); a destructor must not throw.
  }
}

const std::string& TestServers::get(const std::string& key) const {
  auto it = env_.find(key);
  if (it == env_.end()) throw std::runtime_error("test servers: no setting " + key);
  return it->second;
}

void TestServers::kill() { run("kill"); }

std::string TestServers::run(const std::string& command, const std::string& extra) const {
  std::string cmd = "bash '" + (source_dir() / "scripts" / "test-servers.sh").string() + "' " +
                    command + " " + kind_ + " --state '" + state_.string() + "' " + extra + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  int status = ::pclose(pipe);
  if (status != 0) {
    std::fprintf(stderr, "%s", out.c_str());
    throw std::runtime_error("scripts/test-servers.sh " + command + " " + kind_ +
                             " failed (install the servers with scripts/setup.sh "
                             "--with-test-deps): " + out);
  }
  return out;
}

namespace {

class CrashingSink final : public RecordSink {
 public:
  CrashingSink(RecordSink& next, TestServers& servers, int accounts)
      : next_(next), servers_(servers), remaining_(accounts) {}
  Result<void> account(const Account& a) override {
    if (--remaining_ == 0) servers_.kill();
    return next_.account(a);
  }
  Result<void> entitlement(const Entitlement& e) override { return next_.entitlement(e); }
  Result<void> grant(const Grant& g) override { return next_.grant(g); }
  Result<void> credential(const Credential& c) override { return next_.credential(c); }

 private:
  RecordSink& next_;
  TestServers& servers_;
  int remaining_;
};

class CrashingConnector final : public connectors::Connector {
 public:
  CrashingConnector(std::unique_ptr<connectors::Connector> inner, TestServers& servers, int accounts)
      : inner_(std::move(inner)), servers_(servers), accounts_(accounts) {}
  Result<void> fetch(RecordSink& sink) override {
    CrashingSink crashing(sink, servers_, accounts_);
    return inner_->fetch(crashing);
  }

 private:
  std::unique_ptr<connectors::Connector> inner_;
  TestServers& servers_;
  int accounts_;
};

}  // namespace

connectors::ConnectorType crash_after_accounts(connectors::ConnectorType type, TestServers& servers,
                                               int accounts) {
  auto create = type.create;
  type.create = [create, &servers, accounts](const config::SystemConfig& sys,
                                             const connectors::ConnectorEnv& env)
      -> Result<std::unique_ptr<connectors::Connector>> {
    RC_ASSIGN(auto inner, create(sys, env));
    return std::unique_ptr<connectors::Connector>(
        new CrashingConnector(std::move(inner), servers, accounts));
  };
  return type;
}

}  // namespace rollcall::testing
