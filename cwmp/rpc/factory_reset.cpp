// FactoryReset (TR-069 Amd 6 §A.4.1.6, optional): DeviceActions wipes what certkeeper manages
// (profiles, keys, certificates, CWMP state) after the session; the next session is a BOOTSTRAP.
#include "cwmp/rpc/rpc.h"

namespace cwmp {

Body handle(const FactoryReset&, RpcContext& context) {
    if (auto r = context.actions.factory_reset(); !r) return internal_fault(r.error());
    return FactoryResetResponse{};
}

}  // namespace cwmp
