// The one place that lists the connectors shipped with rollcall.
#include "connectors/api/connector.hpp"
#include "connectors/file/file_connector.hpp"

namespace rollcall::connectors {

void register_builtin_connectors(Registry& registry) {
  registry.add(file::connector_type());
}

}  // namespace rollcall::connectors
