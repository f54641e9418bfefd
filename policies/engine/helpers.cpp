// install_helpers: what policy code works with besides the vocabulary, one file per job: the
// date type (dates.cpp), the views of a person and an account (person_views.cpp) and the roster
// helpers (roster_helpers.cpp).
#include "policies/engine/helpers.hpp"

namespace rollcall::policy::detail {

int install_helpers(lua_State* L) {
  install_dates(L);
  install_views(L);
  install_roster_helpers(L);
  return 0;
}

}  // namespace rollcall::policy::detail
