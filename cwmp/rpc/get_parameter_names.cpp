// GetParameterNames (TR-069 Amd 6 §A.3.2.3). ParameterPath is "" (the whole tree), a parameter
// name or a partial path ending in '.'. NextLevel false: the node named and everything below
// it; true: only the nodes one level below a partial path ("" -> "Device."). NextLevel true on a
// parameter name is 9003; a name that is not in the tree is 9005.
#include "cwmp/rpc/rpc.h"

#include <algorithm>

namespace cwmp {
namespace {

// The depth of a node: the number of '.'-separated names in it.
std::size_t depth(std::string_view name) {
    const auto dots = static_cast<std::size_t>(std::count(name.begin(), name.end(), '.'));
    return name.ends_with('.') ? dots : dots + 1;
}

}  // namespace

Body handle(const GetParameterNames& request, RpcContext& context) {
    const std::string& path = request.parameter_path;
    if (path.size() > max_name_length) return make_fault(FaultCode::invalid_parameter_name);
    auto tree = context.model.tree();
    if (!tree) return internal_fault(tree.error());
    GetParameterNamesResponse response;
    auto add = [&](const Node& n) { response.parameter_list.push_back({n.name, n.writable}); };
    if (!path.empty()) {
        const auto index = tree->find(path);
        if (!index) return make_fault(FaultCode::invalid_parameter_name);
        if (!tree->nodes[*index].object) {
            if (request.next_level) {
                return make_fault(FaultCode::invalid_arguments, "NextLevel true needs a partial path");
            }
            add(tree->nodes[*index]);
            return response;
        }
    }
    const std::size_t level = path.empty() ? 1 : depth(path) + 1;
    for (const auto i : tree->subtree(path)) {
        const Node& n = tree->nodes[i];
        if (!request.next_level || depth(n.name) == level) add(n);
    }
    return response;
}

}  // namespace cwmp
