// CwmpAgent: certkeeperd's TR-069 (CWMP) CPE side, wired to the daemon (docs/cwmp.md). It puts
// together what cwmp/ provides - the data model over the state database, the RPC dispatcher, the
// session engine and scheduler, the connection-request listener - and adds what only the daemon
// can do:
//
//  - HTTP: every session exchange runs on the worker pool (key "cwmp", so one at a time, on one
//    keep-alive curl handle with the ACS's TLS settings) and its result is posted to the loop;
//  - events: "0 BOOTSTRAP" on the first contact with an ACS URL (also after the ACS changed
//    the URL), "1 BOOT" on every other start; the lifecycle's notifications become
//    "4 VALUE CHANGE" when a watched parameter changed (Active: a session now; Passive: with the
//    next one) - the Inform then carries the changed values, which count as reported once the
//    InformResponse arrived;
//  - Download: recorded in the state database (cwmp_downloads) when accepted, so a restart does
//    not lose it; after the session (and DelaySeconds), the file is fetched on a worker, parsed as
//    a profile file and applied as profiles with source "cwmp" (the daemon re-runs their
//    machines); TransferComplete reports 0 or a fault (9015 server unreachable, 9016 file not
//    found/refused, 9012 authentication, 9018 not a valid profile file) and the old profiles stay;
//  - Reboot and FactoryReset: after the session the daemon restarts certkeeperd (RestartKind);
//  - settings the ACS wrote (URL, credentials, periodic inform, connection-request credentials)
//    take effect when the session that wrote them has ended.
//
// Thread-safety: loop thread only, except where noted (the connection-request server's thread
// only posts to the loop).
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "common/timers.h"
#include "cwmp/data_model_providers.h"
#include "lifecycle/ports.h"
#include "services.h"
#include "stores/sqlite.h"
#include "stores/state_store.h"
#include "transport/curl_http_client.h"

namespace certkeeperd {

struct CwmpAgentOptions {
    cwmp::ManagementServerSettings settings;  // configured values; the ACS's writes win
    transport::CurlOptions acs_http;          // TLS to the ACS and to Download servers
    std::string connection_request_address = "0.0.0.0";
    std::uint16_t connection_request_port = 7547;  // 0: ephemeral
    // The host in ConnectionRequestURL when listening on every address (0.0.0.0 or ::).
    std::string connection_request_host;
    cwmp::DeviceInfo device_info;                  // Manufacturer, OUI, ProductClass, SerialNumber, ...
    // Makes the agent's two HTTP clients (sessions, Downloads); default: CurlHttpClient. Tests
    // pass a fake ACS.
    std::function<std::unique_ptr<transport::HttpClient>(const transport::CurlOptions&, common::Logger)> http;
    // --once: give up (settled(), gave_up()) after this many consecutive failed sessions.
    bool once = false;
    std::uint32_t once_max_failures = 3;
};

enum class RestartKind { reboot, factory_reset };

// What the agent asks of the daemon; every call on the loop thread.
struct AgentHooks {
    // Profiles with source "cwmp" were applied or removed (by name): re-run their machines.
    std::function<void(const std::vector<std::string>&)> profiles_applied;
    // The ACS asked for a Reboot or FactoryReset and the session has ended.
    std::function<void(RestartKind)> restart;
    // Something that --once waits for may have finished (a session ended, a Download applied).
    std::function<void()> changed;
};

class CwmpAgent final : public lifecycle::Notifier {
public:
    // Opens the CWMP tables on db, starts the connection-request listener and the first session.
    // REQUIRES: every reference outlives the agent; workers stop before it is destroyed.
    static common::Result<std::unique_ptr<CwmpAgent>> start(boost::asio::io_context& io, stores::Database& db,
                                                            stores::StateStore& state, Workers& workers,
                                                            common::Timers& timers, const common::Clock& clock,
                                                            common::Logger log, CwmpAgentOptions options,
                                                            AgentHooks hooks);
    ~CwmpAgent() override;
    CwmpAgent(const CwmpAgent&) = delete;
    CwmpAgent& operator=(const CwmpAgent&) = delete;

    // The lifecycle's notifications (step 13): VALUE CHANGE for watched parameters that changed.
    void notify(const lifecycle::Notification& notification) override;

    // No session running or wanted, no event waiting, no Download waiting or running; or,
    // with --once, the sessions failed once_max_failures times in a row.
    bool settled();
    bool gave_up() const;
    // Ends sessions, timers and the listener (events stay queued in the database).
    void stop();

    struct Impl;  // cwmp_agent.cpp

private:
    explicit CwmpAgent(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// A Notifier that passes every notification to each of several (the hook notifier and the
// CWMP agent). REQUIRES: they outlive it.
class FanOutNotifier final : public lifecycle::Notifier {
public:
    explicit FanOutNotifier(std::vector<lifecycle::Notifier*> targets) : m_targets(std::move(targets)) {}
    void notify(const lifecycle::Notification& notification) override {
        for (auto* t : m_targets) t->notify(notification);
    }

private:
    std::vector<lifecycle::Notifier*> m_targets;
};

}  // namespace certkeeperd
