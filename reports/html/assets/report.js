// The HTML report's one script (compiled into rollcall by CMake: reports/html/page_assets.hpp).
// It renders the findings, people and resolved views from the JSON data block (page_data.hpp).
// Safety rule: report data reaches the DOM only as text (textContent, text nodes, option.value);
// never innerHTML, never an attribute that loads or runs anything.
// Scale rule: at most one page (100 rows) of any list is in the DOM; filtering and sorting
// work on row indexes, and text columns sort by a rank computed once per column.
(function () {
"use strict";
var D = JSON.parse(document.getElementById("rollcall-data").textContent);
var S = D.s, SEV = D.sev, ST = D.st, PAGE = 100;
var FP = 0, KIND = 1, SV = 2, STATUS = 3, SYS = 4, ACC = 5, LOGIN = 6, EMAIL = 7, NAME = 8,
    ENT = 9, EXP = 10, ACT = 11, FIRST = 12, MSG = 13, EV = 14, OWNER = 15;
var OPEN = [ST.indexOf("new"), ST.indexOf("persisting")], EXCEPTED = ST.indexOf("excepted");

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
function add(parent, child) { parent.appendChild(child); return child; }
function button(parent, text, onClick) {
  var b = add(parent, el("button", null, text));
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}
function iso(t) {
  var d = new Date(t * 1000);
  return !t ? "" : isNaN(d) ? String(t) : d.toISOString().replace(".000Z", "Z");
}
function num(n) { return n.toLocaleString("en-US"); }
function badge(sev) { return el("span", "badge sev-" + SEV[sev], SEV[sev]); }
function isOpen(r) { return r[STATUS] === OPEN[0] || r[STATUS] === OPEN[1]; }
// A person is keyed by the string index of their email, else minus that of their name; 0
// groups the findings that match no person.
function personKey(r) { return r[EMAIL] || -r[NAME]; }

// Text columns sort by rank: the distinct strings of the column (across findings and resolved)
// sorted once, case-insensitively, so sorting rows compares integers. Built on first use.
var ranks = [];
function columnRank(c) {
  if (!ranks[c]) {
    var fields = COLS[c].fields, seen = new Set();
    [D.f, D.r].forEach(function (rows) {
      rows.forEach(function (r) { fields.forEach(function (f) { seen.add(r[f]); }); });
    });
    var keyed = Array.from(seen, function (i) { return [S[i].toLowerCase(), i]; });
    keyed.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]; });
    var rank = new Int32Array(S.length);
    keyed.forEach(function (k, n) { rank[k[1]] = n; });
    ranks[c] = rank;
  }
  return ranks[c];
}
// The sort key of column c for a row: a number, or the rank of the first non-empty text field.
function sortKey(c) {
  var col = COLS[c];
  if (col.num !== undefined) return function (r) { return r[col.num]; };
  var rank = columnRank(c), a = col.fields[0], b = col.fields[1];
  return b === undefined ? function (r) { return rank[r[a]]; } : function (r) { return rank[r[a] || r[b]]; };
}
// Table cells show at most 160 characters; the evidence row shows the whole value.
function cut(s) {
  if (s.length <= 160) return s;
  return Array.from(s).slice(0, 159).join("") + "\u2026";
}
// Appends an identifier (kind, system, account, email, entitlement id, team) so that it never
// wraps inside a token: each run between sensible break points is one unbreakable span
// (span.seg), and a line may break only at a space, before "@" or after ":" and "/"
// (li.wei | @acme.com, role: | ap_clerk; never service_account_ | owner_invalid).
function idText(node, s) {
  var start = 0;
  function seg(end) {
    if (end > start) add(node, el("span", "seg", s.slice(start, end)));
    start = end;
  }
  for (var i = 0; i < s.length; i++) {
    var c = s.charAt(i);
    if (c === " ") {
      seg(i);
      node.appendChild(document.createTextNode(" "));
      start = i + 1;
    } else if (c === "@" && i > start) {
      seg(i);
      node.appendChild(document.createElement("wbr"));
    } else if (c === ":" || c === "/") {
      seg(i + 1);
      node.appendChild(document.createElement("wbr"));
    }
  }
  seg(s.length);
  return node;
}
// Appends prose (a sentence, a name, an expected or actual state), which wraps between words.
function plainText(node, s) { node.appendChild(document.createTextNode(s)); return node; }
function idCell(i) { return function (td, r) { idText(td, cut(S[r[i]])); }; }
function textCell(i) { return function (td, r) { plainText(td, cut(S[r[i]])); }; }
// The first non-empty of two fields (each shown by its own function), with the second underneath
// when both are set and differ.
function twoCell(a, b, showA, showB) {
  return function (td, r) {
    if (r[a]) showA(td, cut(S[r[a]])); else showB(td, cut(S[r[b]]));
    if (r[a] && r[b] && S[r[a]] !== S[r[b]]) showB(add(td, el("span", "small")), cut(S[r[b]]));
  };
}
// An excepted finding shows a grey "excepted" badge with its severity underneath, never the
// severity's own colour: it is not open and does not count against the cards.
function severityCell(td, r) {
  if (r[STATUS] !== EXCEPTED) { add(td, badge(r[SV])); return; }
  add(td, el("span", "badge excepted", "excepted"));
  add(td, el("span", "small", SEV[r[SV]]));
}

// nw: a column of fixed short words (statuses, dates), kept on one line.
// Every cell carries its column's label (data-label) for the narrow-screen layout, where each
// row becomes a card.
var COLS = [
  {label: "Severity", num: SV, desc: true, nw: true, cell: severityCell},
  {label: "Kind", fields: [KIND], cell: idCell(KIND)},
  {label: "System", fields: [SYS], cell: idCell(SYS)},
  {label: "Account", fields: [LOGIN, ACC], cell: twoCell(LOGIN, ACC, idText, idText)},
  {label: "Person", fields: [NAME, EMAIL], cell: twoCell(NAME, EMAIL, plainText, idText)},
  {label: "Entitlement", fields: [ENT], cell: idCell(ENT)},
  {label: "Owner", fields: [OWNER], cell: idCell(OWNER)},
  {label: "Expected", fields: [EXP], cell: textCell(EXP)},
  {label: "Actual", fields: [ACT], cell: textCell(ACT)},
  {label: "Status", num: STATUS, nw: true, cell: function (td, r) { td.textContent = ST[r[STATUS]]; }},
  {label: "First seen", num: FIRST, desc: true, nw: true,
   cell: function (td, r) { td.textContent = iso(r[FIRST]).slice(0, 10); }}
];

function pager(box, page, pages, go) {
  box.textContent = "";
  button(box, "\u00AB First", function () { go(0); }).disabled = page === 0;
  button(box, "\u2039 Previous", function () { go(page - 1); }).disabled = page === 0;
  add(box, el("span", null, "Page " + num(page + 1) + " of " + num(pages)));
  button(box, "Next \u203A", function () { go(page + 1); }).disabled = page >= pages - 1;
  button(box, "Last \u00BB", function () { go(pages - 1); }).disabled = page >= pages - 1;
}

function definitions(dl, pairs) {
  pairs.forEach(function (p) {
    if (p[1] === "" || p[1] === null || p[1] === undefined) return;
    add(dl, el("dt", null, p[0]));
    var dd = add(dl, el("dd"));
    if (typeof p[1] === "string") dd.textContent = p[1]; else add(dd, p[1]);
  });
}

// Evidence facts by key (scanner/drift), as people read them; other keys are shown with their
// underscores as spaces.
var FACT_LABELS = {
  "account ids": "Account ids", account_email: "Account email", account_kind: "Account kind",
  accounts: "Accounts", candidates: "Candidates", carried_findings: "Findings carried over",
  display_name: "Display name", dormant_days: "Dormant after (days)", end_date: "End date",
  error: "Error", exception: "Exception", exception_account: "Exception names account",
  exception_owner: "Exception owner", expired: "Expired", grants: "Grants", last_login: "Last login",
  match_note: "Matching note", matched_by: "Matched by", people: "People",
  person_status: "Person's status", privileged: "Privileged entitlement",
  service_account_owner: "Service account owner"
};
function factLabel(key) {
  if (Object.prototype.hasOwnProperty.call(FACT_LABELS, key)) return FACT_LABELS[key];
  if (key.indexOf("snapshot ") === 0) return "Snapshot of " + key.slice(9);
  var words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
function snapshotText(ev) {
  return ev.s ? "#" + ev.s[0] + " taken " + iso(ev.s[1]) + (ev.s[2] ? ", digest " + S[ev.s[2]] : "") : "";
}
// Every piece of evidence of a row as [label, value] pairs; the policy lines as a list.
function evidencePairs(r, policy) {
  var ev = r[EV], pairs = [
    ["Finding", S[r[MSG]]], ["Fingerprint", S[r[FP]]], ["Expected", S[r[EXP]]], ["Actual", S[r[ACT]]],
    ["Account id", S[r[ACC]]], ["Login", S[r[LOGIN]]], ["Person", S[r[NAME]]], ["Email", S[r[EMAIL]]],
    ["Owner", S[r[OWNER]]], ["First seen", iso(r[FIRST])], ["Roster row", ev.r ? S[ev.r] : ""],
    ["Policy", policy], ["Snapshot", snapshotText(ev)],
    ["Exception ticket", ev.x ? S[ev.x[0]] : ""], ["Exception expires", ev.x ? iso(ev.x[1]).slice(0, 10) : ""],
    ["Exception reason", ev.x ? S[ev.x[2]] : ""], ["Exception source", ev.x ? S[ev.x[3]] : ""]
  ];
  for (var i = 0; ev.e && i + 1 < ev.e.length; i += 2) pairs.push([factLabel(S[ev.e[i]]), S[ev.e[i + 1]]]);
  return pairs;
}

function evidenceRow(r) {
  var ev = r[EV], tr = el("tr", "evidence"), td = add(tr, el("td"));
  td.colSpan = COLS.length + 1;
  var dl = add(td, el("dl"));
  var policy = null;
  if (ev.p) {
    policy = el("ol");
    ev.p.forEach(function (i) { add(policy, el("li", null, S[i])); });
  }
  definitions(dl, evidencePairs(r, policy));
  return tr;
}

// One paginated, filterable, sortable findings table over `rows`.
function FindingTable(box, rows, noun) {
  var self = this;
  this.rows = rows;
  this.noun = noun;
  this.page = 0;
  this.sortCol = -1;
  this.sortDir = 1;
  this.f = {sev: -1, kind: -1, sys: -1, owner: -1, st: -1, q: "", person: null};
  this.expanded = new Set();
  this.hay = null;
  this.selects = {};
  var controls = add(box, el("div", "controls"));
  this.select(controls, "sev", "Severity", SV, function (v) { return SEV[v]; }, true);
  this.select(controls, "kind", "Kind", KIND, function (v) { return S[v]; });
  this.select(controls, "sys", "System", SYS, function (v) { return S[v]; });
  this.select(controls, "owner", "Owner", OWNER, function (v) { return S[v] || "(no owner)"; });
  this.select(controls, "st", "Status", STATUS, function (v) { return ST[v]; });
  var label = add(controls, el("label", null, "Search"));
  this.q = add(label, el("input"));
  this.q.type = "search";
  this.q.placeholder = "person, account, entitlement, fingerprint\u2026";
  var timer = 0;
  this.q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { self.f.q = self.q.value.trim().toLowerCase(); self.go(0); }, 200);
  });
  this.chip = add(controls, el("span", "chip"));
  this.chip.hidden = true;
  button(controls, "Reset filters", function () { self.reset(); });
  this.status = add(box, el("p", "status"));
  this.status.setAttribute("aria-live", "polite");
  var table = add(add(box, el("div", "table-wrap")), el("table", "data findings"));
  add(table, el("caption", "sr-only", noun));
  var head = add(add(table, el("thead")), el("tr"));
  this.ths = COLS.map(function (c, i) {
    var th = add(head, el("th"));
    th.scope = "col";
    button(th, c.label, function () { self.sortBy(i); }).className = "sort";
    return th;
  });
  add(head, el("th", "ev", "Evidence")).scope = "col";
  this.tbody = add(table, el("tbody"));
  this.pager = add(box, el("div", "pager"));
  this.go(0);
}

// A select over the distinct values of one field; left out when there is only one value.
FindingTable.prototype.select = function (box, name, label, field, text, numeric) {
  var self = this, seen = new Set();
  this.rows.forEach(function (r) { seen.add(r[field]); });
  if (seen.size < 2) return;
  var values = Array.from(seen);
  if (numeric) values.sort(function (a, b) { return b - a; });
  else values.sort(function (a, b) { return S[a] < S[b] ? -1 : S[a] > S[b] ? 1 : 0; });
  var l = add(box, el("label", null, label));
  var s = add(l, el("select"));
  add(s, el("option", null, "All")).value = "-1";
  values.forEach(function (v) { add(s, el("option", null, cut(text(v)))).value = String(v); });
  s.addEventListener("change", function () { self.f[name] = Number(s.value); self.go(0); });
  this.selects[name] = s;
};

FindingTable.prototype.reset = function () {
  this.f = {sev: -1, kind: -1, sys: -1, owner: -1, st: -1, q: "", person: null};
  for (var k in this.selects) this.selects[k].value = "-1";
  this.q.value = "";
  this.go(0);
};

FindingTable.prototype.setSystem = function (name) {
  var i = S.indexOf(name);
  if (i < 0 || !this.selects.sys) return;
  this.f.sys = i;
  this.selects.sys.value = String(i);
  this.go(0);
};

FindingTable.prototype.setPerson = function (key, label) {
  var self = this;
  this.f.person = key;
  this.chip.textContent = "";
  add(this.chip, el("span", null, "Person: " + cut(label)));
  button(this.chip, "\u00D7", function () { self.f.person = null; self.go(0); })
      .setAttribute("aria-label", "Clear person filter");
  this.go(0);
};

FindingTable.prototype.haystack = function (i) {
  if (!this.hay) {
    this.hay = this.rows.map(function (r) {
      return [FP, KIND, SYS, ACC, LOGIN, EMAIL, NAME, ENT, OWNER, EXP, ACT, MSG]
          .map(function (k) { return S[r[k]]; }).join("\n").toLowerCase();
    });
  }
  return this.hay[i];
};

FindingTable.prototype.matches = function (r, i) {
  var f = this.f;
  return (f.sev < 0 || r[SV] === f.sev) && (f.kind < 0 || r[KIND] === f.kind) &&
      (f.sys < 0 || r[SYS] === f.sys) && (f.owner < 0 || r[OWNER] === f.owner) &&
      (f.st < 0 || r[STATUS] === f.st) &&
      (f.person === null || personKey(r) === f.person) &&
      (!f.q || this.haystack(i).indexOf(f.q) >= 0);
};

FindingTable.prototype.sortBy = function (col) {
  if (this.sortCol === col) this.sortDir = -this.sortDir;
  else { this.sortCol = col; this.sortDir = COLS[col].desc ? -1 : 1; }
  this.go(0);
};

FindingTable.prototype.go = function (page) {
  var self = this, rows = this.rows, view = [];
  for (var i = 0; i < rows.length; i++) if (this.matches(rows[i], i)) view.push(i);
  if (this.sortCol >= 0) {
    var key = sortKey(this.sortCol), dir = this.sortDir;
    view.sort(function (a, b) { return (key(rows[a]) - key(rows[b])) * dir || a - b; });
  }
  var pages = Math.max(1, Math.ceil(view.length / PAGE));
  this.page = Math.min(Math.max(page, 0), pages - 1);
  var from = this.page * PAGE, to = Math.min(view.length, from + PAGE);
  var tbody = el("tbody");
  for (var k = from; k < to; k++) this.renderRow(tbody, view[k]);
  this.tbody.replaceWith(tbody);
  this.tbody = tbody;
  this.chip.hidden = this.f.person === null;
  this.status.textContent = view.length
      ? "Showing " + num(from + 1) + "\u2013" + num(to) + " of " + num(view.length) + " " + this.noun +
        (view.length < rows.length ? " (filtered from " + num(rows.length) + ")" : "")
      : "No " + this.noun + " match these filters.";
  this.ths.forEach(function (th, c) {
    if (c === self.sortCol) th.setAttribute("aria-sort", self.sortDir > 0 ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  });
  pager(this.pager, this.page, pages, function (p) { self.go(p); });
};

FindingTable.prototype.renderRow = function (tbody, i) {
  var self = this, r = this.rows[i];
  var tr = add(tbody, el("tr", r[STATUS] === EXCEPTED ? "finding excepted" : "finding"));
  COLS.forEach(function (c) {
    var td = add(tr, el("td", c.nw ? "nw" : null));
    td.setAttribute("data-label", c.label);
    c.cell(td, r);
  });
  var open = this.expanded.has(i);
  var evTd = add(tr, el("td", "ev"));
  evTd.setAttribute("data-label", "Evidence");
  var b = button(evTd, open ? "Hide" : "Show", function () {
    if (self.expanded.has(i)) {
      self.expanded.delete(i);
      tr.nextSibling.remove();
    } else {
      self.expanded.add(i);
      tr.after(evidenceRow(r));
    }
    var now = self.expanded.has(i);
    b.textContent = now ? "Hide" : "Show";
    b.setAttribute("aria-expanded", String(now));
  });
  b.setAttribute("aria-expanded", String(open));
  if (open) add(tbody, evidenceRow(r));
};

// People with findings, worst first, paginated; "Show findings" filters the findings table.
function PeopleTable(box, rows, findings) {
  var groups = new Map();
  rows.forEach(function (r) {
    var key = personKey(r), g = groups.get(key);
    if (!g) {
      g = {key: key, name: S[r[NAME]], email: S[r[EMAIL]], n: [0, 0, 0, 0, 0, 0], open: 0, excepted: 0,
           worst: -1, systems: []};
      groups.set(key, g);
    }
    if (isOpen(r)) { g.n[r[SV]]++; g.open++; g.worst = Math.max(g.worst, r[SV]); } else g.excepted++;
    if (g.systems.indexOf(r[SYS]) < 0) g.systems.push(r[SYS]);  // a person is in few systems
  });
  var all = Array.from(groups.values());
  function worstCount(g) { return g.worst >= 0 ? g.n[g.worst] : 0; }
  all.sort(function (a, b) {
    return b.worst - a.worst || worstCount(b) - worstCount(a) || b.open - a.open ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
  });
  var sevs = [];
  for (var s = SEV.length - 1; s >= 0; s--) if (all.some(function (g) { return g.n[s] > 0; })) sevs.push(s);
  var page = 0, q = "", view = all;
  var controls = add(box, el("div", "controls"));
  var input = add(add(controls, el("label", null, "Search people")), el("input"));
  input.type = "search";
  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      q = input.value.trim().toLowerCase();
      view = q ? all.filter(function (g) { return (g.name + "\n" + g.email).toLowerCase().indexOf(q) >= 0; }) : all;
      render(0);
    }, 200);
  });
  var status = add(box, el("p", "status"));
  status.setAttribute("aria-live", "polite");
  var table = add(add(box, el("div", "table-wrap")), el("table", "data"));
  add(table, el("caption", "sr-only", "People with findings"));
  var head = add(add(table, el("thead")), el("tr"));
  add(head, el("th", null, "Person")).scope = "col";
  sevs.forEach(function (s) { add(head, el("th", "num", SEV[s])).scope = "col"; });
  ["Open", "Excepted", "Systems"].forEach(function (t) { add(head, el("th", "num", t)).scope = "col"; });
  add(head, el("th", null, "")).scope = "col";
  var tbody = add(table, el("tbody"));
  var pagerBox = add(box, el("div", "pager"));
  function render(p) {
    var pages = Math.max(1, Math.ceil(view.length / PAGE));
    page = Math.min(Math.max(p, 0), pages - 1);
    var body = el("tbody");
    view.slice(page * PAGE, page * PAGE + PAGE).forEach(function (g) {
      var tr = add(body, el("tr", "person"));
      function cell(label, cls, text) {
        var td = add(tr, el("td", cls, text));
        td.setAttribute("data-label", label);
        return td;
      }
      var who = cell("Person");
      var label = g.key ? (g.name || g.email) : "No matching person (unmatched accounts)";
      if (g.key && !g.name) idText(who, cut(label)); else plainText(who, cut(label));
      if (g.key && g.name && g.email) idText(add(who, el("span", "small")), cut(g.email));
      sevs.forEach(function (s) { cell(SEV[s], "num", g.n[s] ? num(g.n[s]) : ""); });
      cell("Open", "num", num(g.open));
      cell("Excepted", "num", g.excepted ? num(g.excepted) : "");
      cell("Systems", "num", num(g.systems.length));
      button(cell(""), "Show findings", function () {
        findings.setPerson(g.key, label);
        document.getElementById("findings").scrollIntoView();
      });
    });
    tbody.replaceWith(body);
    tbody = body;
    status.textContent = view.length ? num(view.length) + " people" + (view.length < all.length ? " match" : "") : "No people match.";
    pager(pagerBox, page, pages, render);
  }
  render(0);
}

// The printout: every open and excepted finding with its evidence, worst first, in one plain
// table whose header repeats on every printed page (hidden on screen, where the paged table
// is). Built once at load, for at most data-max rows; above that the page itself says where
// the complete list is (html_writer.cpp).
var IN_COLUMNS = {"Account id": 1, "Login": 1, "Person": 1, "Email": 1, "Owner": 1, "First seen": 1};
function PrintTable(box, rows) {
  var max = Number(box.getAttribute("data-max")), table = add(box, el("table", "print"));
  add(table, el("caption", "sr-only", "Findings with evidence, for printing"));
  var head = add(add(table, el("thead")), el("tr"));
  ["Severity", "Kind", "System", "Account", "Person", "Entitlement", "Owner", "Status", "Evidence"]
      .forEach(function (t) { add(head, el("th", null, t)).scope = "col"; });
  var body = add(table, el("tbody"));
  rows.slice(0, max).forEach(function (r) {
    var tr = add(body, el("tr", r[STATUS] === EXCEPTED ? "excepted" : null));
    severityCell(add(tr, el("td")), r);
    [KIND, SYS].forEach(function (i) { idText(add(tr, el("td")), S[r[i]]); });
    twoCell(LOGIN, ACC, idText, idText)(add(tr, el("td")), r);
    twoCell(NAME, EMAIL, plainText, idText)(add(tr, el("td")), r);
    [ENT, OWNER].forEach(function (i) { idText(add(tr, el("td")), S[r[i]]); });
    var status = add(tr, el("td", null, ST[r[STATUS]]));
    if (r[FIRST]) add(status, el("span", "small seg", "since " + iso(r[FIRST]).slice(0, 10)));
    var ev = add(tr, el("td", "evidence"));
    var policy = r[EV].p ? r[EV].p.map(function (i) { return S[i]; }).join("; ") : "";
    evidencePairs(r, policy).forEach(function (p) {
      if (p[1] === "" || IN_COLUMNS[p[0]]) return;
      var line = add(ev, el("div"));
      add(line, el("span", "k", p[0] + ": "));
      add(line, document.createTextNode(p[1]));
    });
  });
}

document.documentElement.classList.add("js");
var findings = new FindingTable(document.getElementById("findings-view"), D.f, "findings");
new PeopleTable(document.getElementById("people-view"), D.f, findings);
if (D.r.length) new FindingTable(document.getElementById("resolved-view"), D.r, "resolved findings");
PrintTable(document.getElementById("print-view"), D.f);
Array.prototype.forEach.call(document.querySelectorAll("button[data-system]"), function (b) {
  b.addEventListener("click", function () {
    findings.setSystem(b.getAttribute("data-system"));
    document.getElementById("findings").scrollIntoView();
  });
});
document.documentElement.setAttribute("data-rendered", "1");
})();
