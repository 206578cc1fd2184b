// GetParameterAttributes (TR-069 Amd 6 §A.3.2.5). Names as in GetParameterValues (partial paths
// expand to every parameter below); unknown name 9005. The attributes are those set by
// SetParameterAttributes (persisted), else the data model's default (ConnectionRequestURL
// active; SoftwareVersion and ProvisioningCode are always active).
#include "cwmp/rpc/rpc.h"

namespace cwmp {

Body handle(const GetParameterAttributes& request, RpcContext& context) {
    auto tree = context.model.tree();
    if (!tree) return internal_fault(tree.error());
    auto stored = context.store.attributes();
    if (!stored) return internal_fault(stored.error());
    GetParameterAttributesResponse response;
    for (const auto& name : request.parameter_names) {
        const auto nodes = resolve(*tree, name);
        if (!nodes) return make_fault(FaultCode::invalid_parameter_name, "Invalid parameter name: " + name);
        for (const auto i : *nodes) {
            if (!tree->nodes[i].object) response.parameter_list.push_back(context.model.attributes(tree->nodes[i], *stored));
        }
    }
    return response;
}

}  // namespace cwmp
