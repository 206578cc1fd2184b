#include "cwmp/value_change.h"

namespace cwmp {

std::vector<WatchedValue> watched_values(const DataModel& model, const Tree& tree,
                                         std::span<const StoredAttributes> attributes) {
    std::vector<WatchedValue> out;
    for (const auto& node : tree.nodes) {
        if (node.object) continue;
        const auto a = model.attributes(node, attributes);
        if (a.notification != Notification::passive && a.notification != Notification::active) continue;
        out.push_back(WatchedValue{node.name, node.def->secret ? std::string() : node.value, node.def->type,
                                   a.notification});
    }
    return out;
}

std::vector<WatchedValue> changed_values(const std::map<std::string, std::string>& previous,
                                         std::span<const WatchedValue> current) {
    std::vector<WatchedValue> out;
    for (const auto& v : current) {
        const auto it = previous.find(v.name);
        if (it == previous.end() || it->second != v.value) out.push_back(v);
    }
    return out;
}

namespace {

common::Result<std::vector<WatchedValue>> current_watched(DataModel& model, CwmpStore& store) {
    auto tree = model.tree();
    if (!tree) return tree.error();
    auto attributes = store.attributes();
    if (!attributes) return attributes.error();
    return watched_values(model, *tree, *attributes);
}

bool covered(std::string_view name, std::span<const std::string> paths) {
    for (const auto& p : paths) {
        if (p.empty() || name == p || (p.ends_with('.') && name.starts_with(p))) return true;
    }
    return false;
}

}  // namespace

common::Result<std::vector<WatchedValue>> pending_value_changes(DataModel& model, CwmpStore& store) {
    auto current = current_watched(model, store);
    if (!current) return current.error();
    auto previous = store.reported_values();
    if (!previous) return previous.error();
    return changed_values(*previous, *current);
}

common::Result<void> mark_reported(DataModel& model, CwmpStore& store, std::span<const std::string> paths) {
    auto current = current_watched(model, store);
    if (!current) return current.error();
    auto previous = store.reported_values();
    if (!previous) return previous.error();
    std::map<std::string, std::string> next;
    for (const auto& [name, value] : *previous) {
        if (!covered(name, paths)) next[name] = value;  // below paths: only what is watched now
    }
    for (const auto& v : *current) {
        if (covered(v.name, paths)) {
            next[v.name] = v.value;
        } else if (const auto it = previous->find(v.name); it != previous->end()) {
            next[v.name] = it->second;
        }
    }
    return store.set_reported_values(next);
}

}  // namespace cwmp
