#include "daemon.h"

#include <boost/asio/post.hpp>

#include <sys/stat.h>

#include <csignal>

#include "certificate_repository.h"
#include "daemon_control.h"
#include "hook_notifier.h"
#include "profile_mapping.h"
#include "profiles/profile_parser.h"
#include "profiles/profile_writer.h"
#include "revocation_adapter.h"
#include "scep_enroller.h"
#include "sd_notify.h"
#include "stores/install_reconcile.h"
#include "stores/state_db.h"

namespace certkeeperd {

namespace fs = std::filesystem;

std::string_view to_string(Stability s) {
    switch (s) {
        case Stability::busy: return "busy";
        case Stability::valid: return "valid";
        case Stability::waiting: return "waiting";
        case Stability::failed: return "failed";
        case Stability::disabled: return "disabled";
    }
    return "?";
}

// A machine with its profile and its port adapters, which refer to each other.
struct Daemon::Slot {
    explicit Slot(const profiles::Profile& p) : profile(p) {}
    ProfileHolder profile;
    std::unique_ptr<ScepEnroller> enroller;
    std::unique_ptr<RevocationAdapter> revocation;
    std::unique_ptr<CertificateRepositoryAdapter> repository;
    std::unique_ptr<MachineDriver> machine;
};

// The machines' Timers: AsioTimers, and after each callback the --once check.
class Daemon::EventTimers final : public common::Timers {
public:
    EventTimers(AsioTimers& timers, Daemon& daemon) : m_timers(timers), m_daemon(daemon) {}
    common::TimerId start(std::chrono::steady_clock::duration delay,
                          std::function<void()> on_fire) override {
        return m_timers.start(delay, [this, f = std::move(on_fire)] {
            f();
            m_daemon.after_event();
        });
    }
    bool cancel(common::TimerId id) override { return m_timers.cancel(id); }

private:
    AsioTimers& m_timers;
    Daemon& m_daemon;
};

Daemon::Daemon(boost::asio::io_context& io, DaemonOptions options, MachineFactory factory,
               const common::Clock& clock, common::Logger log)
    : m_io(io),
      m_options(std::move(options)),
      m_factory(std::move(factory)),
      m_clock(clock),
      m_log(std::move(log)),
      m_timers(io),
      m_signals(io) {
    m_event_timers = std::make_unique<EventTimers>(m_timers, *this);
}

Daemon::~Daemon() {
    if (m_workers) m_workers->stop();
    for (auto& [name, slot] : m_slots) slot->machine->stop();
}

common::Result<void> Daemon::open_stores() {
    auto db_path = stores::state_db_path(m_options.state_dir);
    if (!db_path) return db_path.error();
    auto db = stores::open_state_db(*db_path);
    if (!db) return db.error().with_context(db_path->string());
    m_db.emplace(std::move(*db));
    m_state = std::make_unique<stores::StateStore>(*m_db);

    auto keys = stores::FileKeyStore::open({m_options.state_dir / "keys", true, std::nullopt});
    if (!keys) return keys.error().with_context("key store");
    m_keys.emplace(std::move(*keys));
    if (auto removed = m_keys->remove_temporary_files(); !removed) {
        m_log.warning("key store: " + removed.error().to_string());
    } else if (*removed > 0) {
        m_log.info("key store: removed " + std::to_string(*removed) + " temporary file(s) of an interrupted write");
    }
    m_services.reset(new Services{m_clock, *m_keys, m_options.device.variables, m_log});

    const fs::path path = *db_path;
    const transport::CurlOptions http = m_options.http;
    const common::Logger worker_log = m_log.child("worker");
    m_workers = std::make_unique<Workers>(m_options.workers, [path, http, worker_log] {
        auto ctx = std::make_unique<WorkerContext>(worker_log, http);
        auto opened = stores::open_state_db(path);
        if (!opened) {
            ctx->db_error = opened.error().to_string();
            return ctx;
        }
        ctx->db.emplace(std::move(*opened));
        ctx->state = std::make_unique<stores::StateStore>(*ctx->db);
        ctx->revocation_cache = std::make_unique<revocation::SqliteRevocationCache>(*ctx->db);
        ctx->revocation = std::make_unique<revocation::OnlineRevocationChecker>(
            ctx->http, ctx->revocation_cache.get(), worker_log.child("revocation"));
        return ctx;
    });
    m_notifier = std::make_unique<HookNotifier>(*m_workers, m_log.child("notify"), m_options.hook);
    m_machine_notifier = m_notifier.get();
    return {};
}

common::Result<void> Daemon::start_agent() {
    AgentHooks hooks;
    hooks.profiles_applied = [this](const std::vector<std::string>& names) { apply_cwmp_profiles(names); };
    hooks.restart = [this](RestartKind kind) {
        m_restart = kind;
        shutdown(kind == RestartKind::reboot ? "Reboot requested by the ACS" : "FactoryReset requested by the ACS");
    };
    hooks.changed = [this] { after_event(); };
    auto agent = CwmpAgent::start(m_io, *m_db, *m_state, *m_workers, *m_event_timers, m_clock, m_log,
                                  *m_options.cwmp, std::move(hooks));
    if (!agent) return agent.error().with_context("CWMP agent");
    m_agent = std::move(*agent);
    m_fan_out = std::make_unique<FanOutNotifier>(std::vector<lifecycle::Notifier*>{m_notifier.get(), m_agent.get()});
    m_machine_notifier = m_fan_out.get();
    return {};
}

void Daemon::apply_cwmp_profiles(const std::vector<std::string>& names) {
    if (m_stopping) return;
    for (const std::string& name : names) {
        auto stored = stored_profile(name);
        if (!stored) {
            m_cwmp_profiles.erase(name);
            m_disabled.erase(name);
            stop_machine(name, "removed by the ACS");
            continue;
        }
        m_cwmp_profiles.insert(name);
        const profiles::Profile& p = *stored;
        auto it = m_slots.find(name);
        if (!p.enabled()) {
            if (it != m_slots.end()) stop_machine(name, "disabled by the ACS");
            if (m_disabled.insert(name).second) m_log.info("profile " + name + ": disabled (ACS)");
            continue;
        }
        m_disabled.erase(name);
        if (it == m_slots.end()) {
            m_log.info("profile " + name + ": from the ACS, machine started");
            start_machine(p);
        } else if (!(*it->second->profile.current() == p)) {
            m_log.info("profile " + name + ": changed by the ACS");
            it->second->profile.replace(p);
            it->second->machine->profile_changed(p);
        }
    }
}

void Daemon::settle_install_journal(const std::vector<profiles::Profile>& on_disk) {
    auto report = stores::reconcile_installs(
        *m_state,
        [&on_disk](const std::string& profile, const std::string& store) -> std::optional<stores::AppStoreSpec> {
            for (const auto& p : on_disk) {
                if (p.name() != profile) continue;
                for (const auto& spec : store_specs(p)) {
                    if (stores::store_id(spec) == store) return spec;
                }
            }
            return std::nullopt;
        },
        m_clock.now());
    if (!report) {
        m_log.error("install journal: " + report.error().to_string());
        return;
    }
    for (const auto& r : report->installs) {
        const std::string what = "install journal: profile " + r.row.profile + ", store " + r.row.store +
                                 ", version " + std::to_string(r.row.version) + ": ";
        switch (r.outcome) {
            case stores::ReconciledInstall::Outcome::finished: m_log.info(what + "in service, finished"); break;
            case stores::ReconciledInstall::Outcome::abandoned: m_log.info(what + "not in service, abandoned"); break;
            case stores::ReconciledInstall::Outcome::unresolved: m_log.warning(what + "no such store in the profiles, left as it is"); break;
            case stores::ReconciledInstall::Outcome::failed: m_log.warning(what + r.error); break;
        }
    }
}

common::Result<void> Daemon::start() {
    if (auto r = open_stores(); !r) return r;
    auto loaded = profiles::load_profiles(m_options.profiles_dir);
    if (!loaded) return loaded.error().with_context("--profiles");
    for (const auto& d : loaded->diagnostics) m_log.warning("profile: " + d.to_string());
    // Profiles the ACS applied earlier run too (their install journal is settled with them).
    std::vector<profiles::Profile> from_acs;
    if (auto stored = m_state->list_profiles(); stored) {
        for (const auto& rec : *stored) {
            if (rec.source != "cwmp") continue;
            if (auto p = stored_profile(rec.name)) from_acs.push_back(*p);
        }
    }
    for (const auto& p : from_acs) m_cwmp_profiles.insert(p.name());
    std::vector<profiles::Profile> all = loaded->profiles;
    all.insert(all.end(), from_acs.begin(), from_acs.end());
    settle_install_journal(all);
    if (m_options.cwmp) {
        if (auto r = start_agent(); !r) return r;
    }
    apply(loaded->profiles, loaded->ok());
    std::vector<std::string> acs_names;
    for (const auto& p : from_acs) acs_names.push_back(p.name());
    apply_cwmp_profiles(acs_names);
    take_requests();

    if (!m_options.once) {
        m_signals.add(SIGHUP);
        auto watch = DirectoryWatch::create(m_io, m_options.debounce, [this](const std::set<fs::path>& changed) {
            if (changed.contains(cli::requests_dir(m_options.state_dir))) take_requests();
            if (changed.contains(m_options.profiles_dir)) reload();
        });
        if (!watch) {
            m_log.warning(watch.error().to_string() + "; profile changes need SIGHUP");
        } else {
            m_watch = std::move(*watch);
            if (auto r = m_watch->watch(m_options.profiles_dir); !r) m_log.warning(r.error().to_string());
            const fs::path requests = cli::requests_dir(m_options.state_dir);
            ::mkdir(requests.c_str(), 0700);
            if (auto r = m_watch->watch(requests); !r) m_log.warning(r.error().to_string());
        }
    }
    m_signals.add(SIGTERM);
    m_signals.add(SIGINT);
    wait_for_signal();
    m_log.info("running " + std::to_string(m_slots.size()) + " profile(s) from " +
               m_options.profiles_dir.string() + ", state in " + m_options.state_dir.string());
    boost::asio::post(m_io, [this] { after_event(); });
    return {};
}

void Daemon::wait_for_signal() {
    m_signals.async_wait([this](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
            m_log.info("SIGHUP: re-reading " + m_options.profiles_dir.string());
            sd_notify("RELOADING=1");
            reload();
            sd_notify("READY=1");
            wait_for_signal();
            return;
        }
        shutdown(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    });
}

void Daemon::reload() {
    if (m_stopping) return;
    auto loaded = profiles::load_profiles(m_options.profiles_dir);
    if (!loaded) {
        m_log.error("profiles: " + loaded.error().to_string() + "; keeping what runs");
    } else {
        for (const auto& d : loaded->diagnostics) m_log.warning("profile: " + d.to_string());
        apply(loaded->profiles, loaded->ok());
    }
    if (m_watch) (void)m_watch->watch(m_options.profiles_dir);  // it may have been re-created
    take_requests();
}

void Daemon::apply(const std::vector<profiles::Profile>& profiles, bool complete) {
    std::set<std::string> seen;
    for (const profiles::Profile& p : profiles) {
        seen.insert(p.name());
        if (m_cwmp_profiles.contains(p.name())) {
            m_log.warning("profile " + p.name() + ": " + p.origin_file() +
                          " names a profile the ACS owns: the ACS's one stays in service");
            continue;
        }
        const stores::AppliedProfile applied{p.name(), p.origin_file(),
                                             profiles::to_file_text(p, profiles::SecretRendering::reveal),
                                             p.enabled()};
        // The profile as last applied, for a machine that starts now: a change made while the
        // daemon was stopped must reach the machine as a change, not pass unnoticed.
        std::optional<profiles::Profile> previous;
        if (!m_slots.contains(p.name())) previous = stored_profile(p.name());
        auto upsert = m_state->upsert_profile(applied, m_clock.now());
        if (!upsert) {
            m_log.error("profile " + p.name() + ": not applied: " + upsert.error().to_string());
            continue;
        }
        auto it = m_slots.find(p.name());
        if (!p.enabled()) {
            if (it != m_slots.end()) stop_machine(p.name(), "disabled");
            if (m_disabled.insert(p.name()).second) m_log.info("profile " + p.name() + ": disabled");
            continue;
        }
        m_disabled.erase(p.name());
        if (it == m_slots.end()) {
            if (upsert->change == stores::ProfileChange::revised && previous) {
                m_log.info("profile " + p.name() + ": changed while the daemon was stopped (revision " +
                           std::to_string(upsert->revision) + ")");
                start_machine(*previous);
                m_slots[p.name()]->profile.replace(p);
                m_slots[p.name()]->machine->profile_changed(p);
            } else {
                start_machine(p);
            }
        } else if (!(*it->second->profile.current() == p)) {
            m_log.info("profile " + p.name() + ": changed (revision " + std::to_string(upsert->revision) + ")");
            it->second->profile.replace(p);
            it->second->machine->profile_changed(p);
        }
    }
    std::vector<std::string> gone;
    for (const auto& [name, slot] : m_slots) {
        if (!seen.contains(name) && !m_cwmp_profiles.contains(name)) gone.push_back(name);
    }
    for (const auto& name : m_disabled) {
        if (!seen.contains(name) && !m_cwmp_profiles.contains(name)) gone.push_back(name);
    }
    for (const std::string& name : gone) {
        if (!complete) {
            m_log.warning("profile " + name + ": not in " + m_options.profiles_dir.string() +
                          ", but the directory has errors: kept running");
            continue;
        }
        if (m_slots.contains(name)) stop_machine(name, "removed from " + m_options.profiles_dir.string());
        m_disabled.erase(name);
        if (auto r = m_state->remove_profile(name, m_clock.now()); !r && r.error().code() != common::Errc::not_found) {
            m_log.error("profile " + name + ": " + r.error().to_string());
        }
        m_log.info("profile " + name + ": removed (its installed files stay)");
    }
    // Profiles the database still lists but no file names (removed while we were down).
    if (complete) {
        if (auto stored = m_state->list_profiles(); stored) {
            for (const auto& rec : *stored) {
                if (seen.contains(rec.name) || rec.source == "cwmp") continue;
                (void)m_state->remove_profile(rec.name, m_clock.now());
                m_log.info("profile " + rec.name + ": removed while the daemon was stopped (its installed files stay)");
            }
        }
    }
}

std::optional<profiles::Profile> Daemon::stored_profile(const std::string& name) {
    auto rec = m_state->get_profile(name);
    if (!rec || !*rec) return std::nullopt;
    auto parsed = profiles::parse_profiles((*rec)->content, "state database");
    for (auto& q : parsed.profiles) {
        if (q.name() == name) return std::move(q);
    }
    return std::nullopt;
}

Replies Daemon::replies_for(const std::shared_ptr<Slot>& slot) {
    // Each reply is posted to the loop and reaches the machine only if the slot still exists.
    auto route = [this, weak = std::weak_ptr<Slot>(slot)](auto deliver) {
        return [this, weak, deliver](auto reply) {
            boost::asio::post(m_io, [this, weak, deliver, reply = std::move(reply)]() mutable {
                auto s = weak.lock();
                if (!s || m_stopping) return;
                deliver(*s->machine, reply);
                after_event();
            });
        };
    };
    Replies r;
    r.ca_certificates = route([](MachineDriver& m, const lifecycle::CaCertificatesFetched& x) { m.on_ca_certificates(x); });
    r.next_ca_certificates = route([](MachineDriver& m, const lifecycle::NextCaCertificatesFetched& x) { m.on_next_ca_certificates(x); });
    r.enrolment = route([](MachineDriver& m, const lifecycle::EnrolmentReplied& x) { m.on_enrolment(x); });
    r.peer_anchor = route([](MachineDriver& m, const lifecycle::PeerAnchorFetched& x) { m.on_peer_anchor(x); });
    r.revocation_checked = route([](MachineDriver& m, const lifecycle::RevocationChecked& x) { m.on_revocation_checked(x); });
    r.installed = route([](MachineDriver& m, const lifecycle::Installed& x) { m.on_installed(x); });
    r.cleaned_up = route([](MachineDriver& m, const lifecycle::CleanedUp& x) { m.on_cleaned_up(x); });
    return r;
}

void Daemon::start_machine(const profiles::Profile& profile) {
    auto slot = std::make_shared<Slot>(profile);
    const Replies replies = replies_for(slot);
    slot->enroller = std::make_unique<ScepEnroller>(*m_workers, *m_services, slot->profile, replies);
    slot->revocation = std::make_unique<RevocationAdapter>(*m_workers, slot->profile, replies);
    slot->repository = std::make_unique<CertificateRepositoryAdapter>(*m_workers, *m_services, *m_state,
                                                                      slot->profile, replies);
    std::optional<lifecycle::Position> resume;
    if (auto pos = m_state->load_position(profile.name()); pos && !pos->state.empty()) {
        resume = lifecycle::Position{pos->state, pos->state_data, pos->next_action_at, pos->last_error};
    }
    MachineContext context{lifecycle::Ports{*slot->enroller, *slot->revocation, *slot->repository, *m_machine_notifier},
                           *m_event_timers, m_clock, m_log.child("lifecycle"), std::move(resume)};
    slot->machine = m_factory(profile, context);
    m_slots[profile.name()] = slot;
    slot->machine->start();
}

void Daemon::stop_machine(const std::string& name, std::string_view why) {
    auto it = m_slots.find(name);
    if (it == m_slots.end()) return;
    m_log.info("profile " + name + ": machine stopped (" + std::string(why) + ")");
    it->second->machine->stop();
    m_slots.erase(it);  // replies still on their way find no slot and are dropped
}

void Daemon::take_requests() {
    auto requests = cli::take_renewal_requests(m_options.state_dir);
    if (!requests) {
        m_log.warning("renewal requests: " + requests.error().to_string());
        return;
    }
    for (const std::string& name : *requests) {
        auto it = m_slots.find(name);
        if (it == m_slots.end()) {
            m_log.warning("renewal requested for " + name + ", which no machine runs: ignored");
            continue;
        }
        m_log.info("profile " + name + ": renewal requested by the operator");
        it->second->machine->renew_requested();
    }
}

void Daemon::after_event() {
    if (!m_options.once || m_stopping) return;
    if (m_agent && !m_agent->settled()) return;
    bool failed = m_agent && m_agent->gave_up();
    if (failed) m_log.warning("cwmp: --once: the ACS could not be reached; events stay queued for the next run");
    bool waiting = false;
    for (const auto& [name, slot] : m_slots) {
        switch (slot->machine->stability()) {
            case Stability::busy: return;
            case Stability::failed: failed = true; break;
            case Stability::waiting: waiting = true; break;
            case Stability::valid:
            case Stability::disabled: break;
        }
    }
    m_exit_code = failed ? 1 : waiting ? exit_pending : 0;
    for (const auto& [name, slot] : m_slots) {
        m_log.info("profile " + name + ": " + slot->machine->state_name() + " (" +
                   std::string(to_string(slot->machine->stability())) + ")");
    }
    shutdown("--once: every profile is stable");
}

void Daemon::shutdown(std::string_view why) {
    if (m_stopping) return;
    m_stopping = true;
    sd_notify("STOPPING=1");
    m_log.info("stopping: " + std::string(why));
    for (auto& [name, slot] : m_slots) slot->machine->stop();
    if (m_agent) m_agent->stop();
    boost::system::error_code ec;
    m_signals.cancel(ec);
    m_watch.reset();
    // Jobs not started are dropped; a running one ends within its own timeout. Whatever it
    // would have reported is persisted by the machine's next start (state is in the database).
    if (m_workers) m_workers->stop();
    m_io.stop();
}

}  // namespace certkeeperd
