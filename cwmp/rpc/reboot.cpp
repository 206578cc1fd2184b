// Reboot (TR-069 Amd 6 §A.3.2.9): "M Reboot" with the CommandKey is queued (it must survive the
// reboot, §3.7.1.5), then DeviceActions reboots after the session. 9003 for a CommandKey over
// 32 characters.
#include "cwmp/rpc/rpc.h"

namespace cwmp {

Body handle(const Reboot& request, RpcContext& context) {
    if (request.command_key.size() > max_key_length) {
        return make_fault(FaultCode::invalid_arguments, "CommandKey longer than 32 characters");
    }
    if (auto r = context.store.queue_event(event::m_reboot, request.command_key, context.clock.now()); !r) {
        return internal_fault(r.error());
    }
    if (auto r = context.actions.reboot(request.command_key); !r) return internal_fault(r.error());
    return RebootResponse{};
}

}  // namespace cwmp
