#include "scanner/cli/usage.hpp"

#include <cstdio>
#include <map>
#include <vector>

#include "scanner/core/strings.hpp"

namespace rollcall::cli {
namespace {

// Examples and exit codes of each command, shown at the end of its help (and in the man page,
// which is generated from the help). docs/cli.md has the same text with more words.
struct CommandDoc {
  const char* examples;
  const char* exit_codes;
};

const std::map<std::string, CommandDoc>& command_docs() {
  static const std::map<std::string, CommandDoc> docs = {
      {"", {"  rollcall --workspace /srv/acme snapshot\n"
            "  rollcall scan --fail-on critical\n"
            "  rollcall help plan",
            "  0 success; 1 error (bad configuration, a system unreadable, a usage error); 2 scan: findings at or\n"
            "  above --fail-on / plan --detailed-exitcode: changes pending; 3 apply: an action conflicted or failed"}},
      {"init", {"  rollcall init /srv/acme", "  0 created; 1 error (the folder already holds a rollcall.toml)"}},
      {"snapshot", {"  rollcall snapshot\n  rollcall snapshot --system github --system okta",
                    "  0 every system read completely; 1 a system could not be read (recorded as partial/failed)"}},
      {"history", {"  rollcall history --system github --limit 5\n  rollcall history --scans\n"
                   "  rollcall history --plan 3f2a9c0d1e5b7a64",
                   "  0 success; 1 error"}},
      {"policy", {"  rollcall policy check\n  rollcall policy explain jane@acme.com\n  rollcall policy diff --base origin/main",
                  "  0 success; 1 error; 2 policy diff: changes"}},
      {"check", {"  rollcall policy check", "  0 every policy is valid; 1 error"}},
      {"explain", {"  rollcall policy explain jane@acme.com", "  0 success; 1 error (unknown person, bad policy)"}},
      {"policy diff", {"  rollcall policy diff\n  rollcall policy diff --base origin/main --format markdown\n"
                       "  rollcall policy diff --base-dir ../main/policies --format json",
                       "  0 no change in desired access or findings; 1 error; 2 changes"}},
      {"review", {"  rollcall review export --by manager --out review-q3\n  rollcall review import review-q3",
                  "  0 success; 1 error"}},
      {"export", {"  rollcall review export --by manager --out review-q3\n"
                  "  rollcall review export --by manager --system github --out review-q3",
                  "  0 success; 1 error (no scan stored, unknown system)"}},
      {"import", {"  rollcall review import review-q3\n  rollcall review import review-q3 --reviewer audit@acme.com",
                  "  0 every decision recorded; 1 error (nothing recorded: a sheet names the file and line)"}},
      {"scan", {"  rollcall scan\n  rollcall scan --fail-on critical --format json,html\n"
                "  rollcall scan --fail-on none --out /var/www/audit",
                "  0 no open finding at or above --fail-on (default high; none: never); 1 error;\n"
                "  2 findings at or above --fail-on"}},
      {"diff", {"  rollcall diff 41 42", "  0 success; 1 error (unknown scan id)"}},
      {"plan", {"  rollcall plan\n  rollcall plan --system okta --kind grant --out okta.plan.json\n"
                "  rollcall plan --detailed-exitcode && echo nothing to do\n  rollcall plan --from-review",
                "  0 success (with --detailed-exitcode: no changes); 1 error, or a system was skipped;\n"
                "  2 with --detailed-exitcode: changes pending"}},
      {"apply", {"  rollcall apply rollcall.plan.json --dry-run\n  rollcall apply rollcall.plan.json --yes",
                 "  0 every action done or already in place; 1 error (stale plan, limits, lock held);\n"
                 "  3 an action conflicted or failed"}},
      {"run", {"  rollcall run\n  rollcall run --fail-on critical\n"
               "  systemctl start rollcall.service   # the packaged unit runs `rollcall run`",
               "  0 no open finding at or above the threshold; 1 error (also: another run holds the lock, or a\n"
               "  notification failed with [run] fail_on_notify_error = true); 2 findings at or above the\n"
               "  threshold; 3 the self-healing apply had a conflict or failure"}},
      {"prune", {"  rollcall prune --keep 90d\n  rollcall prune --keep 30d --dry-run",
                 "  0 success; 1 error (bad --keep, store locked)"}},
      {"help", {"  rollcall help\n  rollcall help scan", "  0 success; 1 unknown command"}},
  };
  return docs;
}

std::vector<CLI::App*> commands(CLI::App& app) {
  return app.get_subcommands([](CLI::App* sub) { return !sub->get_name().empty(); });
}

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* c : commands(app)) names.push_back(c->get_name());
  return names;
}

CLI::App* find_command(CLI::App& app, const std::string& name) {
  for (CLI::App* c : commands(app)) {
    if (c->get_name() == name) return c;
  }
  return nullptr;
}

// "rollcall policy explain": the words that lead to `cmd`.
std::string command_path(const CLI::App& cmd) {
  std::vector<std::string> words;
  for (const CLI::App* a = &cmd; a != nullptr; a = a->get_parent()) words.insert(words.begin(), a->get_name());
  return join(words, " ");
}

// An option of `cmd` or, through fallthrough, of one of its parents.
const CLI::Option* find_option(const CLI::App& cmd, const std::string& name) {
  for (const CLI::App* a = &cmd; a != nullptr; a = a->get_parent()) {
    if (const CLI::Option* o = a->get_option_no_throw(name)) return o;
  }
  return nullptr;
}

std::vector<std::string> option_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::App* a = &cmd; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
  }
  return names;
}

std::string error_with_usage(const std::string& message, const CLI::App& cmd) {
  return "rollcall: error: " + message + "\n" + usage_line(cmd) + "\n";
}

}  // namespace

std::string usage_line(const CLI::App& cmd) {
  std::string line = "usage: " + command_path(cmd);
  if (cmd.get_parent() == nullptr) line += " [--workspace DIR] [-v] [-q] [--no-color]";
  for (const CLI::Option* o : cmd.get_options()) {
    if (o->get_lnames().empty() && o->get_snames().empty() && !o->get_positional()) continue;
    const auto& l = o->get_lnames();
    if (!l.empty() && (l.front() == "help" || l.front() == "version")) continue;
    if (cmd.get_parent() == nullptr && o->nonpositional()) continue;  // the global options, listed above
    if (!o->nonpositional()) {
      line += o->get_required() ? " " + o->get_name(true) : " [" + o->get_name(true) + "]";
      continue;
    }
    std::string word = o->get_lnames().empty() ? "-" + o->get_snames().front() : "--" + o->get_lnames().front();
    if (o->get_items_expected_max() > 0) {
      word += " " + (o->get_option_text().empty() ? std::string("VALUE") : o->get_option_text());
    }
    line += o->get_required() ? " " + word : " [" + word + "]";
  }
  auto subs = const_cast<CLI::App&>(cmd).get_subcommands([](CLI::App* s) { return !s->get_name().empty(); });
  if (!subs.empty()) {
    std::vector<std::string> names;
    for (CLI::App* s : subs) names.push_back(s->get_name());
    line += " " + join(names, "|") + (cmd.get_parent() == nullptr ? " ..." : "");
  }
  return line;
}

std::optional<std::string> check_words(CLI::App& app, int argc, const char* const* argv) {
  CLI::App* cmd = &app;
  bool positionals_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (positionals_only) continue;
    if (word == "--") {
      positionals_only = true;
      continue;
    }
    if (word.size() > 1 && word[0] == '-' && !(word[1] >= '0' && word[1] <= '9')) {
      const std::string name = word.substr(0, word.find('='));
      const CLI::Option* o = find_option(*cmd, name);
      if (o == nullptr && word[1] != '-' && word.size() > 2) {
        // -vv, -vq: bundled short flags, each known.
        bool all = true;
        for (std::size_t k = 1; k < word.size() && all; ++k) {
          const CLI::Option* f = find_option(*cmd, std::string("-") + word[k]);
          all = f != nullptr && f->get_items_expected_max() == 0;
        }
        if (all) continue;
      }
      if (o == nullptr) {
        const std::string guess = closest_match(name, option_names(*cmd));
        std::string where = cmd == &app ? "" : " for \"" + command_path(*cmd) + "\"";
        return error_with_usage("unknown flag " + quote(name) + where +
                                    (guess.empty() ? "" : " (did you mean " + quote(guess) + "?)"),
                                *cmd);
      }
      if (o->get_items_expected_max() > 0 && word.find('=') == std::string::npos) ++i;  // its value
      continue;
    }
    auto subs = commands(*cmd);
    if (subs.empty()) continue;  // a positional argument of a leaf command
    if (CLI::App* sub = find_command(*cmd, word)) {
      cmd = sub;
      continue;
    }
    const std::string guess = closest_match(word, command_names(*cmd));
    const std::string what = cmd == &app ? "unknown command " : "unknown " + command_path(*cmd) + " command ";
    return error_with_usage(what + quote(word) + (guess.empty() ? "" : " (did you mean " + quote(guess) + "?)"), *cmd);
  }
  if (!commands(*cmd).empty()) {
    for (int i = 1; i < argc; ++i) {
      const std::string w = argv[i];
      if (w == "--help" || w == "-h" || w == "--version") return std::nullopt;
    }
    return error_with_usage("a command is required: " + join(command_names(*cmd), ", ") + " (see `" +
                                command_path(*cmd) + " --help`)",
                            *cmd);
  }
  return std::nullopt;
}

void add_help_footers(CLI::App& app) {
  std::vector<CLI::App*> all = {&app};
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (CLI::App* s : commands(*all[i])) all.push_back(s);
  }
  for (CLI::App* cmd : all) {
    // A subcommand's docs are under "policy diff" when its name alone means another command.
    const CLI::App* parent = cmd->get_parent();
    auto it = command_docs().find(cmd == &app ? "" : command_path(*cmd).substr(command_path(app).size() + 1));
    if (it == command_docs().end() && parent == &app) continue;
    if (it == command_docs().end()) it = command_docs().find(cmd->get_name());
    if (it == command_docs().end()) continue;
    cmd->footer(std::string("\nExamples:\n") + it->second.examples + "\n\nExit codes:\n" + it->second.exit_codes);
  }
}

void add_help_command(CLI::App& app, int& exit_code) {
  auto words = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("help", "show the help of rollcall or of one command");
  cmd->add_option("COMMAND", *words, "a command (and subcommand), e.g. `scan` or `policy explain`");
  cmd->callback([&app, &exit_code, cmd, words] {
    CLI::App* target = &app;
    for (const auto& w : *words) {
      CLI::App* sub = find_command(*target, w);
      if (sub == nullptr) {
        const std::string guess = closest_match(w, command_names(*target));
        std::fputs(error_with_usage("unknown command " + quote(w) +
                                        (guess.empty() ? "" : " (did you mean " + quote(guess) + "?)"),
                                    *cmd)
                       .c_str(),
                   stderr);
        exit_code = 1;
        return;
      }
      target = sub;
    }
    // App::help() would delegate to the command being run (`help` itself): format directly,
    // with the full path so the usage line reads "rollcall policy explain".
    std::fputs(target->get_formatter()->make_help(target, command_path(*target), CLI::AppFormatMode::Normal).c_str(),
               stdout);
  });
}

std::string parse_error_message(const CLI::App& app, const CLI::ParseError& error, int argc,
                                const char* const* argv) {
  // The deepest command named on the line is the one whose usage helps.
  const CLI::App* cmd = &app;
  for (int i = 1; i < argc; ++i) {
    auto subs = const_cast<CLI::App*>(cmd)->get_subcommands([](CLI::App* s) { return !s->get_name().empty(); });
    for (CLI::App* s : subs) {
      if (s->get_name() == argv[i]) {
        cmd = s;
        break;
      }
    }
  }
  std::string what = error.what();
  if (!what.empty() && what.back() == '\n') what.pop_back();
  return error_with_usage(what, *cmd);
}

}  // namespace rollcall::cli
