// Daemon: certkeeperd's event loop. One io_context on the main thread runs every profile's
// machine, its timers (AsioTimers), the signals (SIGTERM/SIGINT: stop; SIGHUP: re-read the
// profiles and the operator's requests) and the inotify watch of the profile directory and of
// <state-dir>/requests; a WorkerPool does the blocking I/O and posts each reply back to the loop,
// where it reaches the machine it was meant for, or is dropped if that machine was replaced.
//
// start(): opens the state database and the key store (<state-dir>/state.db, <state-dir>/keys),
// removes key temp files a killed writer left, settles the install journal
// (stores::reconcile_installs against the stores of the profiles on disk), applies the profile
// directory (StateStore::upsert_profile) and starts one machine per enabled profile, which
// resumes from its persisted position.
//
// Profile changes (SIGHUP or inotify, debounced): a new profile gets a machine; a changed one
// (content differs) is passed to profile_changed(); a removed one is stopped and removed from the
// database (its installed files stay). When the directory has errors, profiles missing from it
// are kept running rather than removed.
//
// --once: stops the loop as soon as no machine is busy (machine_driver.h Stability) and sets
// exit_code(): 0 every profile valid or disabled, 4 some PENDING and none failed, 1 some failed.
//
// Thread-safety: loop thread only, except that worker threads post into the io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "asio_timers.h"
#include "common/clock.h"
#include "common/log.h"
#include "cwmp_agent.h"
#include "device_identity.h"
#include "directory_watch.h"
#include "machine_driver.h"
#include "services.h"
#include "stores/state_store.h"

namespace certkeeperd {

struct DaemonOptions {
    std::filesystem::path profiles_dir;                  // --profiles, required
    std::filesystem::path state_dir = "/var/lib/certkeeper";  // --state-dir
    bool once = false;                                   // --once
    DeviceIdentity device;                               // --device-config merged with detection
    std::vector<std::string> hook;                       // --hook argv; empty = log only
    std::size_t workers = 2;                             // worker threads for blocking I/O
    std::chrono::milliseconds debounce{300};             // quiet time before a re-read
    transport::CurlOptions http;                         // timeouts and limits of every fetch
    std::optional<CwmpAgentOptions> cwmp;                // --acs: the CWMP agent (docs/cwmp.md)
};

inline constexpr int exit_pending = 4;
// Device.DeviceInfo.SoftwareVersion and --version.
inline constexpr std::string_view software_version = "0.1.0";

class Daemon {
public:
    // REQUIRES: io, clock and the log's sink outlive the daemon.
    Daemon(boost::asio::io_context& io, DaemonOptions options, MachineFactory factory,
           const common::Clock& clock, common::Logger log);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Everything up to the running machines. An error means nothing was started.
    common::Result<void> start();
    // Re-reads the profile directory and the renewal requests (SIGHUP does this).
    void reload();
    // Stops the machines, the watch, the signals and the workers; io.run() then returns.
    void shutdown(std::string_view why);

    int exit_code() const { return m_exit_code; }
    // The ACS asked for a Reboot or FactoryReset: the loop has stopped and main() restarts
    // certkeeperd (after wiping the state for a factory reset).
    std::optional<RestartKind> restart_requested() const { return m_restart; }
    std::size_t machines() const { return m_slots.size(); }

private:
    struct Slot;
    struct ProfileFile {
        profiles::Profile profile;
        std::string content;
    };

    common::Result<void> open_stores();
    void settle_install_journal(const std::vector<profiles::Profile>& on_disk);
    void apply(const std::vector<profiles::Profile>& profiles, bool complete);
    void start_machine(const profiles::Profile& profile);
    // Profiles the ACS applied or removed (source "cwmp"), by name: start, change or stop.
    void apply_cwmp_profiles(const std::vector<std::string>& names);
    common::Result<void> start_agent();
    // The profile as the state database last recorded it (nullopt if none or unreadable).
    std::optional<profiles::Profile> stored_profile(const std::string& name);
    void stop_machine(const std::string& name, std::string_view why);
    void take_requests();
    void wait_for_signal();
    void after_event();
    Replies replies_for(const std::shared_ptr<Slot>& slot);

    boost::asio::io_context& m_io;
    DaemonOptions m_options;
    MachineFactory m_factory;
    const common::Clock& m_clock;
    common::Logger m_log;

    std::optional<stores::Database> m_db;  // the loop thread's connection
    std::unique_ptr<stores::StateStore> m_state;
    std::optional<stores::FileKeyStore> m_keys;
    std::unique_ptr<Services> m_services;
    AsioTimers m_timers;
    class EventTimers;
    std::unique_ptr<EventTimers> m_event_timers;  // m_timers + after_event() for --once
    std::unique_ptr<lifecycle::Notifier> m_notifier;   // the hook notifier
    std::unique_ptr<CwmpAgent> m_agent;                 // --acs only
    std::unique_ptr<FanOutNotifier> m_fan_out;          // hook + agent
    lifecycle::Notifier* m_machine_notifier = nullptr;  // what the machines notify
    std::set<std::string> m_cwmp_profiles;              // profiles the ACS owns (source "cwmp")
    std::optional<RestartKind> m_restart;
    std::map<std::string, std::shared_ptr<Slot>> m_slots;
    std::set<std::string> m_disabled;
    boost::asio::signal_set m_signals;
    std::unique_ptr<DirectoryWatch> m_watch;
    std::unique_ptr<Workers> m_workers;  // last: its threads stop before anything they use goes
    bool m_stopping = false;
    int m_exit_code = 0;
};

}  // namespace certkeeperd
