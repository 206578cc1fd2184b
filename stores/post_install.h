// The post-install command of an application store (profile field post_install), e.g.
// {"systemctl", "reload", "wpa_supplicant"}: run after a successful install so that the
// application picks up its new key and certificate.
//
// run_command() starts argv directly (posix_spawn, no shell: "$(echo hi)" or ";" reach the
// program as literal bytes), in its own process group, with stdin from /dev/null, no file
// descriptor of ours but its stdout and stderr pipes, default signal dispositions, and only
// the environment given in CommandSpec (never certkeeper's own, which may hold secrets). After
// `timeout` the group gets SIGTERM, after `kill_grace` more SIGKILL. stdout and stderr are
// captured up to `output_limit` bytes each; the rest is read and dropped so the child never
// blocks on a full pipe. The caller records the outcome (ARCHITECTURE.md step 13).
//
// Blocks the calling thread until the child has ended (at most timeout + kill_grace plus the
// time a SIGKILLed process takes to go). Thread-safe: no shared state.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"

namespace stores {

struct CommandSpec {
    // argv[0] is a path, or a name looked up in the PATH entry of `environment`.
    std::vector<std::string> argv;
    std::chrono::milliseconds timeout{30000};
    std::chrono::milliseconds kill_grace{2000};
    std::size_t output_limit = 4096;  // per stream
    // The child's whole environment, "NAME=value" each.
    std::vector<std::string> environment{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                         "LANG=C"};
};

struct CommandResult {
    enum class Outcome {
        exited,     // exit_status is valid
        signalled,  // killed by a signal we did not send; term_signal is valid
        timed_out,  // we sent SIGTERM (and SIGKILL if needed) after the timeout
    };
    Outcome outcome = Outcome::exited;
    int exit_status = 0;
    int term_signal = 0;
    std::string standard_output;
    std::string standard_error;
    bool output_truncated = false;  // either stream hit output_limit
    std::chrono::milliseconds duration{0};

    bool succeeded() const { return outcome == Outcome::exited && exit_status == 0; }
};

// "exit status 3", "killed by signal 9", "timed out": for logs and the state database.
std::string describe(const CommandResult& result);

// An Error only if the command could not be started: Errc::invalid_argument for an empty argv,
// Errc::not_found if argv[0] is not found or not executable, Errc::io for pipe or spawn failures.
// A failing or hanging command is a CommandResult, not an Error.
common::Result<CommandResult> run_command(const CommandSpec& spec);

}  // namespace stores
