// ScheduleInform (TR-069 Amd 6 §A.4.1.2, optional): DeviceActions schedules one Inform with
// "3 SCHEDULED" and "M ScheduleInform" <CommandKey> after DelaySeconds. 9003 for DelaySeconds 0
// (it must be greater than zero) or a CommandKey over 32 characters.
#include "cwmp/rpc/rpc.h"

namespace cwmp {

Body handle(const ScheduleInform& request, RpcContext& context) {
    if (request.delay_seconds == 0) return make_fault(FaultCode::invalid_arguments, "DelaySeconds must be > 0");
    if (request.command_key.size() > max_key_length) {
        return make_fault(FaultCode::invalid_arguments, "CommandKey longer than 32 characters");
    }
    if (auto r = context.actions.schedule_inform(std::chrono::seconds(request.delay_seconds), request.command_key);
        !r) {
        return internal_fault(r.error());
    }
    return ScheduleInformResponse{};
}

}  // namespace cwmp
