// The systemd readiness protocol without libsystemd (sd_notify(3)): a datagram such as
// "READY=1" to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for the abstract
// namespace). Without $NOTIFY_SOCKET (not started by systemd with Type=notify) it does nothing.
//
// Thread-safety: stateless apart from reading the environment once per call.
#pragma once

#include <string_view>

namespace certkeeperd {

// "READY=1", "RELOADING=1", "STOPPING=1", "STATUS=...". Returns false when there is no
// NOTIFY_SOCKET or the datagram could not be sent (nothing else to do about it).
bool sd_notify(std::string_view state);

}  // namespace certkeeperd
