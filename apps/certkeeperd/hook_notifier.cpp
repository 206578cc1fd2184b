#include "hook_notifier.h"

#include "common/time_format.h"
#include "stores/post_install.h"

namespace certkeeperd {

void HookNotifier::notify(const lifecycle::Notification& n) {
    const std::string event(lifecycle::to_string(n.kind));
    const std::string not_after = n.not_after ? common::format_rfc3339(*n.not_after) : "";
    std::string line = "notify " + event + " profile " + n.profile;
    if (!n.serial.empty()) line += " serial " + n.serial;
    if (!n.subject.empty()) line += " subject " + n.subject;
    if (!not_after.empty()) line += " notAfter " + not_after;
    if (!n.message.empty()) line += ": " + n.message;
    m_log.log(n.kind == lifecycle::Notification::Kind::failed ? common::LogLevel::warning
                                                              : common::LogLevel::info,
              line);
    if (m_hook.empty()) return;

    stores::CommandSpec command;
    command.argv = m_hook;
    command.argv.push_back(event);
    command.argv.push_back(n.profile);
    command.environment.push_back("CERTKEEPER_EVENT=" + event);
    command.environment.push_back("CERTKEEPER_PROFILE=" + n.profile);
    command.environment.push_back("CERTKEEPER_SUBJECT=" + n.subject);
    command.environment.push_back("CERTKEEPER_SERIAL=" + n.serial);
    command.environment.push_back("CERTKEEPER_NOT_AFTER=" + not_after);
    command.environment.push_back("CERTKEEPER_MESSAGE=" + n.message);
    // Hooks of every profile queue behind each other, never behind a profile's enrolment.
    m_workers.submit("\x01hook", [command, log = m_log](WorkerContext&) {
        auto ran = stores::run_command(command);
        if (!ran) {
            log.warning("hook " + command.argv.front() + ": " + ran.error().to_string());
        } else if (!ran->succeeded()) {
            log.warning("hook " + command.argv.front() + ": " + stores::describe(*ran));
        }
    });
}

}  // namespace certkeeperd
