-- Helpers shipped with rollcall for policy authors. Loaded once into the shared base
-- environment (read-only to policies), before any policy file. Reference: README, "Policies".

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
