// VALUE CHANGE (TR-069 Amd 6 §3.2.1 and §A.3.2.4): which parameters with Passive (1) or Active
// (2) Notification changed since they were last reported. The session turns the result into a
// "4 VALUE CHANGE" Inform (Active: start a session now; Passive: with the next one).
//
// A certificate renewed by the lifecycle keeps its Device.Security.Certificate.{i}. instance
// (data_model_providers.h), so its SerialNumber, NotAfter, ... show up here as changed values.
//
// Thread-safety: pure functions, plus the two helpers over DataModel/CwmpStore (session thread).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "cwmp/cwmp_store.h"
#include "cwmp/data_model.h"
#include "cwmp/messages.h"

namespace cwmp {

struct WatchedValue {
    std::string name;
    std::string value;  // "" for a secret parameter (its change is still reported)
    ValueType type = ValueType::string;
    Notification notification = Notification::off;
    friend bool operator==(const WatchedValue&, const WatchedValue&) = default;
};

// Every parameter of tree whose effective notification is 1 or 2, in tree order.
std::vector<WatchedValue> watched_values(const DataModel& model, const Tree& tree,
                                         std::span<const StoredAttributes> attributes);

// The entries of current whose value differs from previous[name] (the value last reported).
// A name missing from previous is a parameter that appeared since (a new certificate instance)
// and counts as changed.
std::vector<WatchedValue> changed_values(const std::map<std::string, std::string>& previous,
                                         std::span<const WatchedValue> current);

// The changes not yet reported, against CwmpStore::reported_values().
common::Result<std::vector<WatchedValue>> pending_value_changes(DataModel& model, CwmpStore& store);

// Records the current values of the watched parameters at or below each of paths (names, or
// partial paths ending in '.'; "" = all) as reported: after an InformResponse acknowledged
// them, and after the ACS itself changed values or attributes (no VALUE CHANGE for those; the
// handlers do that). Call it with "" once at BOOTSTRAP, so parameters that notify by default
// (ConnectionRequestURL, SoftwareVersion) start from a baseline.
common::Result<void> mark_reported(DataModel& model, CwmpStore& store, std::span<const std::string> paths);

}  // namespace cwmp
