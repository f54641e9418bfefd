-- Helpers shipped with rollcall for policy authors. Loaded once into the shared base
-- environment (read-only to policies), before any policy file. Reference: docs/policies.md.

-- contains(list, value): true when the list holds value.
function contains(list, value)
  if type(list) ~= "table" then
    error("contains: argument 1 must be a list, not " .. type(list), 2)
  end
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

-- one_of(value, a, b, ...): true when value equals one of the others.
function one_of(value, ...)
  for i = 1, select("#", ...) do
    if value == select(i, ...) then return true end
  end
  return false
end

-- has_role(person, role): true when the roster's role column lists role.
function has_role(person, role)
  if type(person) ~= "table" then
    error("has_role: argument 1 must be a person, not " .. type(person), 2)
  end
  return contains(person.roles, role)
end

-- email_domain(email): the part after the last "@", lower-cased; nil when there is none.
function email_domain(email)
  if type(email) ~= "string" then
    error("email_domain: argument 1 must be a string, not " .. type(email), 2)
  end
  local domain = email:match("@([^@]+)$")
  return domain and domain:lower() or nil
end

-- merge(a, b, ...): one rule result from several ({ github = {...} }, nil, { slack = {...} }).
-- nil and false arguments are skipped, so merge(x, cond and y) reads naturally.
function merge(...)
  local out = {}
  for i = 1, select("#", ...) do
    local part = select(i, ...)
    if part then
      if type(part) ~= "table" then
        error("merge: argument " .. i .. " must be a table of system = { entitlements }", 2)
      end
      local systems = {}
      for system in pairs(part) do systems[#systems + 1] = system end
      table.sort(systems)
      for _, system in ipairs(systems) do
        local into = out[system] or {}
        out[system] = into
        for _, entitlement in ipairs(part[system]) do into[#into + 1] = entitlement end
      end
    end
  end
  return out
end

-- list_attr(person, field): the values of a roster field as a list. A field that arrived as a
-- list (an Airtable multiple select or linked records, a JSON or PostgreSQL array) is that list;
-- text (a CSV or SQLite column) is split on ";" and trimmed; an absent field is an empty list.
function list_attr(person, field)
  if type(person) ~= "table" then
    error("list_attr: argument 1 must be a person, not " .. type(person), 2)
  end
  if type(field) ~= "string" then
    error("list_attr: argument 2 must be a field name, not " .. type(field), 2)
  end
  local value = person.attrs[field]
  local out = {}
  if type(value) == "string" then
    for part in value:gmatch("[^;]+") do
      local item = part:match("^%s*(.-)%s*$")
      if item ~= "" then out[#out + 1] = item end
    end
  elseif value ~= nil then
    for _, item in ipairs(value) do out[#out + 1] = item end
  end
  return out
end

-- Looks up each value of a list field in `map`; an unknown value is an error naming the field,
-- the value, the person and the known values.
local function mapped_values(person, field, map, helper)
  local out = {}
  for _, value in ipairs(list_attr(person, field)) do
    local mapped = map[value]
    if mapped == nil then
      local known = {}
      for k in pairs(map) do known[#known + 1] = tostring(k) end
      table.sort(known)
      error("roster field " .. string.format("%q", field) .. " of " .. person.email .. " lists " ..
            string.format("%q", value) .. ", which the " .. helper .. " map does not name (it names: " ..
            table.concat(known, ", ") .. ")", 0)
    end
    out[#out + 1] = mapped
  end
  return out
end

-- entitlements_from(field, map): explicit per-person entitlements. Defines the rule
-- "roster field <field>": each value the person's roster field lists gives what `map` says
-- for it ({ system = { entitlements } }, as a rule returns). Provenance reads
-- rule "roster field Entitlements" <- policies/access.lua:LINE.
--   entitlements_from("Entitlements", {
--     Slack = { slack = { "workspace:member" } },
--     GitHub = { github = { "org:acme" } },
--   })
function entitlements_from(field, map)
  if type(field) ~= "string" or type(map) ~= "table" then
    error("entitlements_from needs a field name and a map: entitlements_from(\"Entitlements\", { Slack = " ..
          "{ slack = { \"workspace:member\" } } })", 2)
  end
  rule("roster field " .. field, function(person)
    return merge(table.unpack(mapped_values(person, field, map, "entitlements_from")))
  end)
end

-- roles_from(person, field, map): the roles a list field asks for, for an assign hook: each
-- value gives the role (or list of roles) `map` names for it.
--   assign(function(person) return roles_from(person, "Teams", { Payments = "payments-dev" }) end)
function roles_from(person, field, map)
  local out = {}
  for _, roles in ipairs(mapped_values(person, field, map, "roles_from")) do
    if type(roles) == "string" then
      out[#out + 1] = roles
    else
      for _, role in ipairs(roles) do out[#out + 1] = role end
    end
  end
  return out
end
