// What the port adapters of certkeeperd share: the worker threads' per-thread context, the
// read-only services every thread may use, the profile a machine currently runs, and the routes
// by which a worker's reply reaches its machine on the event loop.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "lifecycle/events.h"
#include "ocsp-crl/revocation_cache.h"
#include "ocsp-crl/revocation_checker.h"
#include "profiles/device_variables.h"
#include "profiles/profile.h"
#include "stores/key_store.h"
#include "stores/state_store.h"
#include "transport/curl_http_client.h"
#include "worker_pool.h"

namespace certkeeperd {

// One per worker thread, made on that thread: an HTTP client and a state database connection
// are used by one thread at a time. `state` is null when the database could not be opened (then
// every job reports that error).
struct WorkerContext {
    WorkerContext(common::Logger logger, transport::CurlOptions http_options)
        : log(logger), http(std::move(http_options), logger.child("http")) {}

    common::Logger log;
    transport::CurlHttpClient http;
    std::optional<stores::Database> db;
    std::unique_ptr<stores::StateStore> state;
    std::unique_ptr<revocation::SqliteRevocationCache> revocation_cache;
    std::unique_ptr<revocation::OnlineRevocationChecker> revocation;
    std::string db_error;  // why state is null
};

using Workers = WorkerPool<WorkerContext>;

// Immutable after start-up; safe from every thread.
struct Services {
    const common::Clock& clock;
    stores::FileKeyStore& keys;  // FileKeyStore: immutable after open(), any thread
    profiles::DeviceVariables device;
    common::Logger log;
};

// The profile a machine runs. Set and read on the loop thread only; a request captures the
// current value, so a job on a worker never sees a profile change half-way.
class ProfileHolder {
public:
    explicit ProfileHolder(profiles::Profile profile)
        : m_current(std::make_shared<const profiles::Profile>(std::move(profile))) {}
    std::shared_ptr<const profiles::Profile> current() const { return m_current; }
    void replace(profiles::Profile profile) {
        m_current = std::make_shared<const profiles::Profile>(std::move(profile));
    }

private:
    std::shared_ptr<const profiles::Profile> m_current;
};

// How replies reach one machine: each function may be called from any thread and must post to
// the event loop (Daemon builds them; a reply for a machine that was replaced is dropped there).
struct Replies {
    std::function<void(lifecycle::CaCertificatesFetched)> ca_certificates;
    std::function<void(lifecycle::NextCaCertificatesFetched)> next_ca_certificates;
    std::function<void(lifecycle::EnrolmentReplied)> enrolment;
    std::function<void(lifecycle::PeerAnchorFetched)> peer_anchor;
    std::function<void(lifecycle::RevocationChecked)> revocation_checked;
    std::function<void(lifecycle::Installed)> installed;
    std::function<void(lifecycle::CleanedUp)> cleaned_up;
};

}  // namespace certkeeperd
