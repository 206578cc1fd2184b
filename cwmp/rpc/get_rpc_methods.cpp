// GetRPCMethods (TR-069 Amd 6 §A.3.1.1): the methods this CPE answers.
#include "cwmp/rpc/rpc.h"

namespace cwmp {

Body handle(const GetRPCMethods&, RpcContext&) {
    return GetRPCMethodsResponse{{"GetRPCMethods", "SetParameterValues", "GetParameterValues", "GetParameterNames",
                                  "SetParameterAttributes", "GetParameterAttributes", "AddObject", "DeleteObject",
                                  "Reboot", "Download", "FactoryReset", "ScheduleInform"}};
}

}  // namespace cwmp
