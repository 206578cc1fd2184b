// GetParameterValues (TR-069 Amd 6 §A.3.2.2). Each name is a parameter or a partial path ("" =
// everything); one unknown name fails the whole request with 9005. Secret parameters
// (passwords, challenge) read back as "" (§A.3.2.1 hidden values).
#include "cwmp/rpc/rpc.h"

namespace cwmp {

Body handle(const GetParameterValues& request, RpcContext& context) {
    auto tree = context.model.tree();
    if (!tree) return internal_fault(tree.error());
    GetParameterValuesResponse response;
    for (const auto& name : request.parameter_names) {
        const auto nodes = resolve(*tree, name);
        if (!nodes) return make_fault(FaultCode::invalid_parameter_name, "Invalid parameter name: " + name);
        for (const auto i : *nodes) {
            const Node& n = tree->nodes[i];
            if (n.object) continue;
            response.parameter_list.push_back({n.name, n.def->secret ? std::string() : n.value, n.def->type});
        }
    }
    return response;
}

}  // namespace cwmp
