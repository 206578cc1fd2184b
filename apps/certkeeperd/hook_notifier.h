// lifecycle::Notifier for the device itself (step 13 without CWMP): one log line per
// notification and, with `--hook CMD`, the command run on a worker (stores::run_command: no
// shell, fixed environment, 30 s timeout) as
//
//     CMD... EVENT PROFILE
//
// with CERTKEEPER_EVENT, CERTKEEPER_PROFILE, CERTKEEPER_SUBJECT, CERTKEEPER_SERIAL,
// CERTKEEPER_NOT_AFTER (RFC 3339, "" if none) and CERTKEEPER_MESSAGE in its environment.
// The CWMP agent adds its own Notifier; FanOutNotifier sends to several.
//
// Thread-safety: notify() on the loop thread; never blocks, never calls a machine.
#pragma once

#include <string>
#include <vector>

#include "lifecycle/ports.h"
#include "services.h"

namespace certkeeperd {

class HookNotifier final : public lifecycle::Notifier {
public:
    // hook: argv of the command; empty = log only.
    HookNotifier(Workers& workers, common::Logger log, std::vector<std::string> hook)
        : m_workers(workers), m_log(std::move(log)), m_hook(std::move(hook)) {}

    void notify(const lifecycle::Notification& notification) override;

private:
    Workers& m_workers;
    common::Logger m_log;
    std::vector<std::string> m_hook;
};

}  // namespace certkeeperd
