#include "connectors/api/connector.hpp"

namespace rollcall::connectors {

void Registry::add(ConnectorType type) { types_.push_back(std::move(type)); }

const ConnectorType* Registry::find(const std::string& name) const {
  for (const auto& t : types_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& t : types_) out.push_back(t.name);
  return out;
}

config::ConnectorKeys Registry::key_lookup() const {
  return [this](const std::string& type) -> const std::vector<config::KeySpec>* {
    const ConnectorType* t = find(type);
    return t ? &t->keys : nullptr;
  };
}

}  // namespace rollcall::connectors
