#include "cwmp/rpc/rpc.h"

namespace cwmp {

Fault internal_fault(const common::Error& error) {
    return make_fault(FaultCode::internal_error, "Internal error: " + error.message());
}

std::optional<std::vector<std::size_t>> resolve(const Tree& tree, std::string_view name) {
    if (name.empty()) return tree.subtree("");
    if (name.size() > max_name_length) return std::nullopt;
    const auto index = tree.find(name);
    if (!index) return std::nullopt;
    if (!tree.nodes[*index].object) return std::vector<std::size_t>{*index};
    return tree.subtree(name);
}

}  // namespace cwmp
