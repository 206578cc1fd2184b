// One CLI verb ("certkeeper cert show"): its options, help and handler.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "args.h"

namespace cli {

// Exit codes shared by every verb.
inline constexpr int exit_ok = 0;
inline constexpr int exit_invalid = 1;  // the answer is "no" (chain invalid, cert revoked, ...)
inline constexpr int exit_usage = 2;    // bad arguments or unreadable input
inline constexpr int exit_rejected = 3; // the peer said no (SCEP FAILURE)
inline constexpr int exit_pending = 4;  // the peer has not decided yet (SCEP PENDING)
inline constexpr int exit_network = 5;  // the peer could not be reached; retrying may help
inline constexpr int exit_unknown = 6;  // no valid answer could be had (revocation status unknown)

struct Command {
    std::string group;     // "cert"
    std::string verb;      // "show"; "" for a one-word command ("certkeeper status")
    std::string synopsis;  // "[--json] FILE"
    std::string summary;   // one line
    std::string details;   // printed after the options in --help (exit codes, notes)
    std::vector<OptionSpec> options;
    std::function<int(const Args&, std::ostream& out, std::ostream& err)> run;
};

std::vector<Command> cert_commands();
std::vector<Command> chain_commands();
std::vector<Command> scep_commands();
std::vector<Command> revocation_commands();
std::vector<Command> profile_commands();
std::vector<Command> daemon_commands();  // status, renew, history

}  // namespace cli
