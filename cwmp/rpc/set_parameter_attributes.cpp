// SetParameterAttributes (TR-069 Amd 6 §A.3.2.4): all or nothing, persisted in the state
// database. A partial path sets a rule for every parameter below it, instances made later
// included. Faults: 9005 unknown name; 9003 a Notification other than 0, 1, 2 (no lightweight
// notification) or an AccessList entry other than "Subscriber" or a vendor "X_..." one; 9009
// Active Notification asked by name for a parameter that denies it (UpTime, ParameterKey:
// canDeny in TR-181) - below a partial path those stay off instead. A Notification change on a
// parameter whose notification is forced (SoftwareVersion, ProvisioningCode) is ignored.
#include "cwmp/rpc/rpc.h"

#include "cwmp/value_change.h"

namespace cwmp {

Body handle(const SetParameterAttributes& request, RpcContext& context) {
    auto tree = context.model.tree();
    if (!tree) return internal_fault(tree.error());
    auto stored = context.store.attributes();
    if (!stored) return internal_fault(stored.error());
    std::vector<StoredAttributes> rows;
    std::vector<std::string> paths;
    for (const auto& s : request.parameter_list) {
        const auto nodes = resolve(*tree, s.name);
        if (!nodes) return make_fault(FaultCode::invalid_parameter_name, "Invalid parameter name: " + s.name);
        const int notification = static_cast<int>(s.notification);
        if (s.notification_change && (notification < 0 || notification > 2)) {
            return make_fault(FaultCode::invalid_arguments, "Notification " + std::to_string(notification) +
                                                                " (lightweight notification) is not supported");
        }
        if (s.access_list_change) {
            for (const auto& entry : s.access_list) {
                if (entry != "Subscriber" && !entry.starts_with("X_")) {
                    return make_fault(FaultCode::invalid_arguments, "unknown AccessList entry " + entry);
                }
            }
        }
        const std::size_t first = nodes->front();
        const Node& node = tree->nodes[first];
        if (s.notification_change && s.notification == Notification::active && !node.object &&
            node.def->notify == ActiveNotify::can_deny) {
            return make_fault(FaultCode::notification_request_rejected,
                              "Active notification is not allowed for " + s.name);
        }
        // The attributes as they stand (after the earlier entries of this request).
        const std::string name = s.name.empty() ? "Device." : s.name;
        std::vector<StoredAttributes> current = *stored;
        current.insert(current.end(), rows.begin(), rows.end());
        auto changed = [&](const Node& n, std::string row_name) {
            const auto a = context.model.attributes(n, current);
            StoredAttributes row{std::move(row_name), static_cast<int>(a.notification), a.access_list};
            if (s.notification_change) row.notification = notification;
            if (s.access_list_change) row.access_list = s.access_list;
            return row;
        };
        if (!node.object) {
            rows.push_back(changed(node, name));
        } else if (s.notification_change) {
            // One rule for the whole subtree (it replaces the rows below it).
            StoredAttributes rule = changed(node, name);
            rule.notification = notification;
            if (!s.access_list_change) rule.access_list.clear();
            rows.push_back(std::move(rule));
        } else {
            // Only the access list changes: each parameter keeps its notification.
            for (const auto i : *nodes) {
                if (!tree->nodes[i].object) rows.push_back(changed(tree->nodes[i], tree->nodes[i].name));
            }
        }
        paths.push_back(name);
    }
    if (auto r = context.store.set_attributes(rows); !r) return internal_fault(r.error());
    if (auto r = mark_reported(context.model, context.store, paths); !r) return internal_fault(r.error());
    return SetParameterAttributesResponse{};
}

}  // namespace cwmp
