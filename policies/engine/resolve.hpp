// The checks that need every file (an `includes` naming an unknown role, an includes cycle),
// then what each role gives with its includes expanded, the line of every entitlement, and a
// deterministic order for everything. Internal to policies/engine.
#pragma once

#include <vector>

#include "policies/engine/definitions.hpp"
#include "scanner/core/result.hpp"

namespace rollcall::policy::detail {

// Fails with "policies/x.lua:12: role "sre" includes unknown role "enginer"" and the like.
Result<void> resolve(Definitions& defs);

// Adds one more reason for `into`'s (system, entitlement): keeps the higher level (see
// level_rank), marks it privileged if either is. Fails when the two levels differ and one has
// no rank, naming both sources.
Result<void> merge_reason(DesiredGrant& into, std::string_view level, bool privileged, Provenance why);

// Merges grants of the same (system, entitlement): the highest level (see level_rank), marked
// privileged if any is, with every provenance in input order. Sorted by (system, entitlement).
// Fails when two different levels cannot be ranked, naming both sources.
Result<std::vector<DesiredGrant>> merge_grants(std::vector<DesiredGrant> grants);

}  // namespace rollcall::policy::detail
