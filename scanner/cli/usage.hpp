// The command line's conventions, in one place (terraform and git are the models):
//
//   - an unknown command or flag is one `rollcall: error:` line with a "did you mean", then the
//     usage line of the command, checked before CLI11 parses anything (CLI11 would only say
//     "A subcommand is required" or "The following arguments were not expected");
//   - `rollcall help [COMMAND]`;
//   - every command's help ends with examples and its exit codes (one table, kCommandDocs).
//
// Not thread-safe; called from main() only.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace rollcall::cli {

// "usage: rollcall scan [--fail-on SEVERITY] [--format FORMAT...] [--out DIR]": the usage line of
// `cmd` (the app itself or a subcommand at any depth), generated from its options.
std::string usage_line(const CLI::App& cmd);

// Checks the words of the command line against the app's commands and flags. Returns the
// message to print ("rollcall: error: ...\nusage: ...") for the first unknown command or flag,
// or nullopt when every word is known (CLI11 then parses and reports the rest).
std::optional<std::string> check_words(CLI::App& app, int argc, const char* const* argv);

// Appends examples and exit codes to the help of the app and of each command that has them.
void add_help_footers(CLI::App& app);

// `rollcall help [COMMAND [SUBCOMMAND]]`: the help of the app or of a command on stdout.
void add_help_command(CLI::App& app, int& exit_code);

// The message for a CLI11 parse error other than --help/--version: one `rollcall: error:` line
// and the usage line of the command that was being parsed.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& error, int argc,
                                const char* const* argv);

}  // namespace rollcall::cli
