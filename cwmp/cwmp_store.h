// cwmp::CwmpStore: what the CWMP agent keeps in the state database (schema version 3,
// docs/storage.md "Version 3"): events not yet acknowledged by an InformResponse (TR-069 Amd 6
// §3.7.1.5), parameter attributes set by SetParameterAttributes (§A.3.2.4), instance numbers of
// multi-instance objects (§3.6: stable across reboots, never reused), values the ACS wrote
// (ParameterKey, Device.ManagementServer.*) and the values last reported for VALUE CHANGE.
//
// Durability: every method is one SQLite transaction; when it returns success its effect
// survives a kill -9 or a power cut. Nothing is cached.
// Time: methods that record a time take `now`.
// Errors: as stores::StateStore (Errc::timeout retryable, Errc::io for a damaged file,
// Errc::invalid_argument for a value the schema refuses).
// Thread-safety: one thread at a time per CwmpStore (and per Database).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "cwmp/messages.h"
#include "stores/sqlite.h"

namespace cwmp {

// One event waiting for delivery. TR-069 Amd 6 §3.7.1.5 EventStruct plus what the session
// engine needs to build the rest of the message (`payload`, opaque to the store: e.g. the
// TransferComplete arguments that go with "7 TRANSFER COMPLETE").
struct QueuedEvent {
    std::int64_t id = 0;       // increasing in queue order
    std::string event_code;    // "0 BOOTSTRAP", "4 VALUE CHANGE", "M Download", ...
    std::string command_key;   // "" when the event has none
    std::string payload;
    common::SystemTime queued_at;
    friend bool operator==(const QueuedEvent&, const QueuedEvent&) = default;
};

// TR-069 Amd 6 §A.3.2.4 attributes as set. `name` is a parameter or a partial path ending in
// "." (a rule for every parameter below it, also of instances made later); the data model uses
// the longest stored name that matches, and its own default when none does.
struct StoredAttributes {
    std::string name;  // full parameter name or partial path
    int notification = 0;                  // 0 off, 1 passive, 2 active
    std::vector<std::string> access_list;  // e.g. {"Subscriber"}
    friend bool operator==(const StoredAttributes&, const StoredAttributes&) = default;
};

struct InstanceRecord {
    std::size_t instance = 0;
    std::optional<std::string> key;  // what the instance stands for; nullopt: none yet
    friend bool operator==(const InstanceRecord&, const InstanceRecord&) = default;
};

// A Download accepted and not yet finished (table cwmp_downloads, schema version 4).
struct PendingDownload {
    std::int64_t id = 0;
    Download download;         // CommandKey, FileType, URL, Username, Password (secret), FileSize
    common::SystemTime due_at;  // receipt + DelaySeconds (§A.3.2.8)
};

// True for the event codes that may appear more than once in an Inform ("M ...", "7 TRANSFER
// COMPLETE", "10 AUTONOMOUS TRANSFER COMPLETE", "11 DU STATE CHANGE COMPLETE", "12 ...").
bool is_multiple_event(std::string_view event_code);

class CwmpStore {
public:
    // REQUIRES: db was opened with stores::open_state_db (schema version 3 or later) and
    // outlives this.
    explicit CwmpStore(stores::Database& db) : m_db(&db) {}

    // --- events (table cwmp_events) ---

    // Queues an event and returns its id. A single event (!is_multiple_event) that is already
    // pending with the same command key is not queued twice: its id is returned.
    common::Result<std::int64_t> queue_event(std::string_view event_code, std::string_view command_key,
                                             common::SystemTime now, std::string_view payload = {});
    // Every pending event, oldest first.
    common::Result<std::vector<QueuedEvent>> pending_events();
    // Removes every event with id <= up_to_id: call it with the highest id that an Inform carried
    // once its InformResponse arrived. Events queued after that Inform was built stay.
    common::Result<void> acknowledge_events(std::int64_t up_to_id);
    // Removes pending events with this code (e.g. "M Download" after its TransferComplete).
    common::Result<void> remove_events(std::string_view event_code);

    // --- Downloads (table cwmp_downloads) ---

    // Records an accepted Download, due at due_at (its DelaySeconds after receipt).
    common::Result<std::int64_t> add_download(const Download& download, common::SystemTime due_at);
    // Every unfinished Download, oldest first.
    common::Result<std::vector<PendingDownload>> pending_downloads();
    // One transaction: the Download is removed and "M Download" (its CommandKey) and
    // "7 TRANSFER COMPLETE" (payload: the TransferComplete, session.h's encoding) are queued.
    // Errc::not_found if there is no such Download.
    common::Result<void> finish_download(std::int64_t id, std::string_view command_key,
                                         std::string_view transfer_complete_payload, common::SystemTime now);

    // --- parameter attributes (table cwmp_attributes) ---

    // Every stored row, ordered by name.
    common::Result<std::vector<StoredAttributes>> attributes();
    // Writes all rows in one transaction, in order. A row for a partial path first removes every
    // row below it (it replaces them). REQUIRES: notification in 0..2.
    common::Result<void> set_attributes(const std::vector<StoredAttributes>& rows);
    // Removes the rows whose name starts with prefix ("Device.X_001122_CertificateProfile.3.").
    common::Result<void> remove_attributes_under(std::string_view prefix);

    // --- instance numbers (tables cwmp_instances, cwmp_instance_counters) ---

    // Instances of a table object ("Device.Security.Certificate."), lowest first.
    common::Result<std::vector<InstanceRecord>> instances(std::string_view object);
    // The instance that stands for key; a new number (one above the highest ever given for this
    // object, so numbers are never reused) when there is none. nullopt key: always a new one.
    common::Result<std::size_t> assign_instance(std::string_view object,
                                                std::optional<std::string_view> key);
    // Re-points an existing instance at another key (a renamed profile).
    // Errc::not_found for an unknown instance; Errc::already_exists if key has an instance.
    common::Result<void> set_instance_key(std::string_view object, std::size_t instance,
                                          std::optional<std::string_view> key);
    // Removes an instance (its number is not given out again). Errc::not_found if unknown.
    common::Result<void> remove_instance(std::string_view object, std::size_t instance);

    // --- parameter values kept for the ACS (table cwmp_values) ---

    // ParameterKey (TR-069 Amd 6 §A.3.2.1): "" until a SetParameterValues/AddObject/DeleteObject
    // succeeded with one.
    common::Result<std::string> parameter_key();
    common::Result<void> set_parameter_key(std::string_view key);
    // Values of writable parameters the ACS set (full names); secrets included.
    common::Result<std::map<std::string, std::string>> values();
    // Writes all in one transaction (together with a new ParameterKey when given).
    common::Result<void> set_values(const std::map<std::string, std::string>& values,
                                    std::optional<std::string_view> parameter_key = std::nullopt);

    // The ACS URL of the last BOOTSTRAP the ACS acknowledged ("" for none): a start with another
    // URL is a first contact (TR-069 Amd 6 §3.7.1.5, "0 BOOTSTRAP"). Kept as the row
    // Device.ManagementServer.X_CERTKEEPER_BootstrappedURL, which the data model does not expose.
    common::Result<std::string> bootstrapped_url();
    common::Result<void> set_bootstrapped_url(std::string_view url);

    // --- values last reported to the ACS (table cwmp_reported_values), for VALUE CHANGE ---

    common::Result<std::map<std::string, std::string>> reported_values();
    // Replaces the whole set in one transaction.
    common::Result<void> set_reported_values(const std::map<std::string, std::string>& values);

private:
    stores::Database* m_db;
};

}  // namespace cwmp
