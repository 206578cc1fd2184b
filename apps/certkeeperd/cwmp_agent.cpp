#include "cwmp_agent.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "common/time_format.h"
#include "cwmp/connection_request.h"
#include "cwmp/cwmp_store.h"
#include "cwmp/data_model.h"
#include "cwmp/rpc/rpc.h"
#include "cwmp/rpc_dispatcher.h"
#include "cwmp/session_scheduler.h"
#include "cwmp/value_change.h"
#include "profiles/profile_parser.h"

namespace certkeeperd {
namespace {

// A profile file larger than this is refused (9017) without reading it whole.
constexpr std::size_t max_download_bytes = 1024u * 1024u;
constexpr std::chrono::seconds download_timeout{60};

bool has_event(const std::vector<cwmp::PendingEvent>& events, std::string_view code) {
    return std::any_of(events.begin(), events.end(), [&](const auto& e) { return e.event_code == code; });
}

class DeviceInfoSource final : public cwmp::DeviceInfoProvider {
public:
    DeviceInfoSource(cwmp::DeviceInfo info, const common::Clock& clock)
        : m_info(std::move(info)), m_clock(clock), m_started(clock.steady_now()) {}
    cwmp::DeviceInfo device_info() const override { return m_info; }
    std::chrono::seconds uptime() const override {
        return std::chrono::duration_cast<std::chrono::seconds>(m_clock.steady_now() - m_started);
    }

private:
    cwmp::DeviceInfo m_info;
    const common::Clock& m_clock;
    common::SteadyTime m_started;
};

// cwmp::EventStore over the state database's cwmp_events table.
class StoredEvents final : public cwmp::EventStore {
public:
    StoredEvents(cwmp::CwmpStore& store, const common::Clock& clock) : m_store(store), m_clock(clock) {}
    common::Result<std::int64_t> queue(std::string_view code, std::string_view command_key,
                                       std::string_view payload) override {
        return m_store.queue_event(code, command_key, m_clock.now(), payload);
    }
    common::Result<std::vector<cwmp::PendingEvent>> pending() override {
        auto rows = m_store.pending_events();
        if (!rows) return rows.error();
        std::vector<cwmp::PendingEvent> out;
        for (auto& r : *rows) out.push_back({r.id, std::move(r.event_code), std::move(r.command_key), std::move(r.payload)});
        return out;
    }
    common::Result<void> acknowledge(std::int64_t up_to_id) override { return m_store.acknowledge_events(up_to_id); }

private:
    cwmp::CwmpStore& m_store;
    const common::Clock& m_clock;
};

cwmp::TransferCompleteFaultStruct transfer_fault(cwmp::FaultCode code, std::string text) {
    return {static_cast<std::uint32_t>(code), std::move(text)};
}

std::unique_ptr<transport::HttpClient> make_http(const CwmpAgentOptions& options, common::Logger log) {
    if (options.http) return options.http(options.acs_http, std::move(log));
    return std::make_unique<transport::CurlHttpClient>(options.acs_http, std::move(log));
}

std::string connection_request_url(const std::string& host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/";
}

}  // namespace

struct CwmpAgent::Impl final : cwmp::SessionHost, cwmp::DeviceActions {
    Impl(boost::asio::io_context& io_in, stores::Database& db, stores::StateStore& state, Workers& workers_in,
         common::Timers& timers_in, const common::Clock& clock_in, common::Logger log_in, CwmpAgentOptions options_in,
         AgentHooks hooks_in)
        : io(io_in),
          workers(workers_in),
          timers(timers_in),
          clock(clock_in),
          log(std::move(log_in)),
          options(std::move(options_in)),
          hooks(std::move(hooks_in)),
          store(db),
          events(store, clock),
          device(this->options.device_info, clock),
          certificates(state),
          profile_source(state, clock,
                   [this](const std::vector<std::string>& names) {
                       if (this->hooks.profiles_applied) this->hooks.profiles_applied(names);
                   }),
          session_http(make_http(this->options, this->log.child("acs-http"))),
          download_http(make_http(this->options, this->log.child("download"))),
          random(std::random_device{}()) {}

    common::Result<void> start();
    cwmp::SchedulerOptions scheduler_options(const cwmp::ManagementServerSettings& s) const;
    void on_session_end(bool ok);
    void apply_settings();
    void schedule_downloads();
    void fetch(const cwmp::PendingDownload& pending);
    void finish_download(const cwmp::PendingDownload& pending, std::string start_time,
                         common::Result<transport::HttpResponse> fetched);

    // cwmp::SessionHost
    std::vector<cwmp::ParameterValueStruct> inform_parameters(const std::vector<cwmp::PendingEvent>& events) override;
    void events_delivered(std::int64_t up_to_id) override;
    cwmp::Body dispatch(const cwmp::Body& request) override {
        cwmp::RpcContext context{*model, store, *this, clock};
        return cwmp::dispatch(request, context);
    }
    std::string current_time() override { return cwmp::format_time(clock.now()); }

    // cwmp::DeviceActions (during a session; acted on when it ends)
    common::Result<void> reboot(std::string_view) override {
        restart = RestartKind::reboot;
        return {};
    }
    common::Result<void> factory_reset() override {
        restart = RestartKind::factory_reset;
        return {};
    }
    common::Result<void> schedule_inform(std::chrono::seconds delay, std::string_view command_key) override {
        scheduler->schedule_inform(delay, std::string(command_key));
        return {};
    }
    common::Result<void> download(const cwmp::DownloadRequest& request) override {
        // Recorded before the DownloadResponse goes out; fetched when the session has ended.
        const auto due = clock.now() + std::chrono::seconds(request.download.delay_seconds);
        auto id = store.add_download(request.download, due);
        if (!id) return id.error();
        return {};
    }

    boost::asio::io_context& io;
    Workers& workers;
    common::Timers& timers;
    const common::Clock& clock;
    common::Logger log;
    CwmpAgentOptions options;
    AgentHooks hooks;

    cwmp::CwmpStore store;
    StoredEvents events;
    DeviceInfoSource device;
    cwmp::StateStoreCertificates certificates;
    cwmp::StateStoreProfiles profile_source;
    std::unique_ptr<cwmp::StoredManagementServer> management_server;
    std::unique_ptr<cwmp::DataModel> model;
    std::unique_ptr<cwmp::ConnectionRequestServer> connection_requests;
    std::unique_ptr<cwmp::SessionScheduler> scheduler;
    std::unique_ptr<transport::HttpClient> session_http;   // one worker job at a time (key "cwmp")
    std::unique_ptr<transport::HttpClient> download_http;  // key "cwmp-download"
    std::mt19937_64 random;
    // Callbacks hold a weak_ptr to this and do nothing once it has gone: stop() resets it.
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
    bool stopped() const { return !alive; }

    cwmp::ManagementServerSettings applied;  // what the scheduler and the listener use now
    std::optional<RestartKind> restart;
    std::set<std::int64_t> scheduled_downloads;  // cwmp_downloads rows with a timer or a fetch running
    bool bootstrap_in_flight = false;
    std::optional<std::map<std::string, std::string>> report_on_delivery;
};

common::Result<void> CwmpAgent::Impl::start() {
    if (options.settings.url.empty()) return common::fail(common::Errc::invalid_argument, "no ACS URL");
    if (options.settings.connection_request_username.empty()) {
        options.settings.connection_request_username =
            options.device_info.manufacturer_oui + "-" + options.device_info.serial_number;
    }
    // The listener first: its port (possibly ephemeral) is part of ConnectionRequestURL.
    const cwmp::ManagementServerSettings current =
        cwmp::StoredManagementServer(store, options.settings).management_server();
    transport::HttpServerOptions http;
    http.bind_address = options.connection_request_address;
    http.port = options.connection_request_port;
    cwmp::ConnectionRequestOptions cr;
    cr.username = current.connection_request_username;
    cr.password = current.connection_request_password;
    auto server = cwmp::ConnectionRequestServer::start(
        http, cr, clock,
        [this, weak = std::weak_ptr<bool>(alive)] {
            boost::asio::post(io, [this, weak] {
                if (weak.lock()) scheduler->connection_request();
            });
        },
        log.child("connection-request"));
    if (!server) return server.error().with_context("connection-request listener on " + http.bind_address);
    connection_requests = std::move(*server);
    std::string host = options.connection_request_address;
    if (host == "0.0.0.0" || host == "::") host = options.connection_request_host;
    options.settings.connection_request_url = connection_request_url(host, connection_requests->port());
    log.info("cwmp: connection requests at " + options.settings.connection_request_url +
             (current.connection_request_password.empty() ? " (no ConnectionRequestPassword: every request refused)"
                                                          : ""));

    management_server = std::make_unique<cwmp::StoredManagementServer>(store, options.settings);
    model = std::make_unique<cwmp::DataModel>(
        cwmp::DataModelProviders{device, *management_server, certificates, profile_source}, store,
        options.device_info.manufacturer_oui);
    applied = management_server->management_server();

    auto send = [this, weak = std::weak_ptr<bool>(alive)](transport::HttpRequest request, cwmp::HttpCompletion done) {
        const bool queued = workers.submit("cwmp", [this, weak, request = std::move(request), done](WorkerContext&) {
            auto result = session_http->send(request);
            boost::asio::post(io, [this, weak, done, result = std::move(result)]() mutable {
                if (!weak.lock()) return;
                done(std::move(result));
                if (hooks.changed) hooks.changed();
            });
        });
        if (!queued) {
            boost::asio::post(io, [done] { done(common::fail(common::Errc::internal, "stopping")); });
        }
    };
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    scheduler = std::make_unique<cwmp::SessionScheduler>(
        scheduler_options(applied), cwmp::Codec::standard(), *this, events, timers, std::move(send),
        [this, unit]() mutable { return unit(random); }, log);
    scheduler->set_on_session_end([this](bool ok) { on_session_end(ok); });

    auto bootstrapped = store.bootstrapped_url();
    if (!bootstrapped) return bootstrapped.error().with_context("CWMP state");
    const bool first_contact = *bootstrapped != applied.url;
    log.info("cwmp: ACS " + applied.url + (first_contact ? " (first contact: BOOTSTRAP)" : ""));
    scheduler->start(first_contact);
    schedule_downloads();  // accepted before a restart and not finished
    return {};
}

cwmp::SchedulerOptions CwmpAgent::Impl::scheduler_options(const cwmp::ManagementServerSettings& s) const {
    cwmp::SchedulerOptions o;
    o.session.acs_url = s.url;
    o.session.username = s.username;
    o.session.password = s.password;
    const cwmp::DeviceInfo& d = options.device_info;
    o.session.device_id = {d.manufacturer, d.manufacturer_oui, d.product_class, d.serial_number};
    o.retry.minimum_wait = std::chrono::seconds(s.cwmp_retry_minimum_wait_interval);
    o.retry.interval_multiplier = s.cwmp_retry_interval_multiplier;
    o.periodic_interval = s.periodic_inform_enable ? std::chrono::seconds(s.periodic_inform_interval)
                                                   : std::chrono::seconds(0);
    if (o.periodic_interval.count() > 0 && s.periodic_inform_time != cwmp::unknown_time) {
        if (auto reference = common::parse_rfc3339(s.periodic_inform_time)) {
            o.periodic_first = cwmp::periodic_alignment(clock.now(), o.periodic_interval, *reference);
        }
    }
    return o;
}

std::vector<cwmp::ParameterValueStruct> CwmpAgent::Impl::inform_parameters(
    const std::vector<cwmp::PendingEvent>& pending) {
    report_on_delivery.reset();
    bootstrap_in_flight = has_event(pending, cwmp::event::bootstrap);
    auto tree = model->tree();
    if (!tree) {
        log.error("cwmp: data model: " + tree.error().to_string());
        return {};
    }
    auto params = cwmp::forced_inform_parameters(*tree);
    if (!bootstrap_in_flight && has_event(pending, cwmp::event::value_change)) {
        auto changes = cwmp::pending_value_changes(*model, store);
        auto reported = store.reported_values();
        if (!changes || !reported) {
            log.error("cwmp: value changes: " + (changes ? reported.error() : changes.error()).to_string());
            return params;
        }
        for (const auto& c : *changes) {
            const bool listed = std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.name == c.name; });
            if (!listed) params.push_back({c.name, c.value, c.type});
            (*reported)[c.name] = c.value;
        }
        report_on_delivery = std::move(*reported);
    }
    return params;
}

void CwmpAgent::Impl::events_delivered(std::int64_t up_to_id) {
    if (auto r = store.acknowledge_events(up_to_id); !r) log.error("cwmp: events: " + r.error().to_string());
    if (bootstrap_in_flight) {
        // From now on changes are measured against what the ACS saw at BOOTSTRAP.
        const std::vector<std::string> everything{""};
        if (auto r = cwmp::mark_reported(*model, store, everything); !r) log.error("cwmp: " + r.error().to_string());
        if (auto r = store.set_bootstrapped_url(applied.url); !r) {
            log.error("cwmp: " + r.error().to_string());
        }
        bootstrap_in_flight = false;
    } else if (report_on_delivery) {
        if (auto r = store.set_reported_values(*report_on_delivery); !r) log.error("cwmp: " + r.error().to_string());
    }
    report_on_delivery.reset();
}

void CwmpAgent::Impl::on_session_end(bool) {
    if (stopped()) return;
    apply_settings();
    schedule_downloads();
    if (restart && hooks.restart) {
        const RestartKind kind = *restart;
        restart.reset();
        hooks.restart(kind);
        return;
    }
    if (hooks.changed) hooks.changed();
}

void CwmpAgent::Impl::apply_settings() {
    const cwmp::ManagementServerSettings now = management_server->management_server();
    if (now == applied) return;
    if (now.connection_request_username != applied.connection_request_username ||
        now.connection_request_password != applied.connection_request_password) {
        connection_requests->set_credentials(now.connection_request_username, now.connection_request_password);
        log.info("cwmp: new connection-request credentials");
    }
    const bool new_url = now.url != applied.url;
    applied = now;
    scheduler->reconfigure(scheduler_options(applied));
    if (new_url) {
        log.info("cwmp: the ACS set a new URL " + applied.url + ": BOOTSTRAP there");
        scheduler->queue_event(cwmp::event::bootstrap);
    }
}

void CwmpAgent::Impl::schedule_downloads() {
    auto pending = store.pending_downloads();
    if (!pending) {
        log.error("cwmp: Downloads: " + pending.error().to_string());
        return;
    }
    for (const auto& p : *pending) {
        if (!scheduled_downloads.insert(p.id).second) continue;
        const auto delay = std::max(std::chrono::duration_cast<std::chrono::seconds>(p.due_at - clock.now()),
                                    std::chrono::seconds(0));
        if (delay.count() > 0) {
            log.info("cwmp: Download " + p.download.command_key + " in " + std::to_string(delay.count()) + " s");
        }
        timers.start(delay, [this, weak = std::weak_ptr<bool>(alive), p] {
            if (weak.lock()) fetch(p);
        });
    }
}

void CwmpAgent::Impl::fetch(const cwmp::PendingDownload& pending) {
    const std::string start_time = cwmp::format_time(clock.now());
    transport::HttpRequest get;
    get.method = transport::HttpRequest::Method::get;
    get.url = pending.download.url;
    get.username = pending.download.username;
    get.password = pending.download.password;
    get.timeout = download_timeout;
    get.max_response_bytes = max_download_bytes;
    log.info("cwmp: Download " + pending.download.command_key + ": fetching " + get.url);
    workers.submit("cwmp-download", [this, weak = std::weak_ptr<bool>(alive), pending, start_time,
                                     get = std::move(get)](WorkerContext&) {
        auto result = download_http->send(get);
        boost::asio::post(io, [this, weak, pending, start_time, result = std::move(result)]() mutable {
            if (!weak.lock()) return;
            finish_download(pending, start_time, std::move(result));
        });
    });  // dropped only when stopping: the row stays for the next start
}

void CwmpAgent::Impl::finish_download(const cwmp::PendingDownload& pending, std::string start_time,
                                      common::Result<transport::HttpResponse> fetched) {
    using cwmp::FaultCode;
    const cwmp::Download& request = pending.download;
    cwmp::TransferComplete tc;
    tc.command_key = request.command_key;
    tc.start_time = std::move(start_time);
    if (!fetched) {
        const auto code = fetched.error().code();
        tc.fault_struct = (code == common::Errc::network || code == common::Errc::timeout)
                              ? transfer_fault(FaultCode::unable_to_contact_file_server, fetched.error().message())
                              : transfer_fault(FaultCode::unable_to_complete_download, fetched.error().message());
    } else if (fetched->status == 401 || fetched->status == 403) {
        tc.fault_struct = transfer_fault(FaultCode::file_transfer_server_authentication_failure,
                                         "HTTP " + std::to_string(fetched->status));
    } else if (fetched->status < 200 || fetched->status > 299) {
        tc.fault_struct = transfer_fault(FaultCode::unable_to_access_file, "HTTP " + std::to_string(fetched->status));
    } else if (request.file_size != 0 && fetched->body.size() != request.file_size) {
        tc.fault_struct = transfer_fault(FaultCode::unable_to_complete_download,
                                         "got " + std::to_string(fetched->body.size()) + " bytes, FileSize says " +
                                             std::to_string(request.file_size));
    } else {
        auto parsed = ::profiles::parse_profiles(fetched->body, "download");
        if (!parsed.ok() || parsed.profiles.empty()) {
            const std::string why = parsed.diagnostics.empty() ? "no profile in the file"
                                                               : parsed.diagnostics.front().to_string();
            tc.fault_struct = transfer_fault(FaultCode::file_corrupted, why.substr(0, 256));
        } else if (auto r = profile_source.apply(parsed.profiles, {}); !r) {
            tc.fault_struct = transfer_fault(FaultCode::internal_error, r.error().to_string().substr(0, 256));
        } else {
            std::string names;
            for (const auto& p : parsed.profiles) names += (names.empty() ? "" : ", ") + p.name();
            log.info("cwmp: Download " + tc.command_key + ": applied profile(s) " + names);
        }
    }
    if (tc.fault_struct.fault_code != 0) {
        log.warning("cwmp: Download " + tc.command_key + " failed (" + std::to_string(tc.fault_struct.fault_code) +
                    " " + tc.fault_struct.fault_string + "); the profiles in service stay");
    }
    tc.complete_time = cwmp::format_time(clock.now());
    // The Download's row goes and its two events come in one transaction: a restart before this
    // fetches and applies it again (applying the same profiles again changes nothing).
    if (auto r = store.finish_download(pending.id, tc.command_key, cwmp::encode_transfer_complete(tc), clock.now());
        !r) {
        log.error("cwmp: Download " + tc.command_key + ": " + r.error().to_string());
    }
    scheduled_downloads.erase(pending.id);
    scheduler->events_queued();
    if (hooks.changed) hooks.changed();
}

// ---- CwmpAgent ----

CwmpAgent::CwmpAgent(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

CwmpAgent::~CwmpAgent() { stop(); }

common::Result<std::unique_ptr<CwmpAgent>> CwmpAgent::start(boost::asio::io_context& io, stores::Database& db,
                                                            stores::StateStore& state, Workers& workers,
                                                            common::Timers& timers, const common::Clock& clock,
                                                            common::Logger log, CwmpAgentOptions options,
                                                            AgentHooks hooks) {
    auto impl = std::make_unique<Impl>(io, db, state, workers, timers, clock, std::move(log), std::move(options),
                                       std::move(hooks));
    if (auto r = impl->start(); !r) return r.error();
    return std::unique_ptr<CwmpAgent>(new CwmpAgent(std::move(impl)));
}

void CwmpAgent::notify(const lifecycle::Notification&) {
    Impl& d = *m_impl;
    if (d.stopped()) return;
    auto changes = cwmp::pending_value_changes(*d.model, d.store);
    if (!changes) {
        d.log.error("cwmp: value changes: " + changes.error().to_string());
        return;
    }
    if (changes->empty()) return;
    const bool active = std::any_of(changes->begin(), changes->end(),
                                    [](const auto& c) { return c.notification == cwmp::Notification::active; });
    if (active || d.options.once) {
        d.scheduler->queue_event(cwmp::event::value_change);  // a session now (--once: deliver before exiting)
    } else if (auto r = d.store.queue_event(cwmp::event::value_change, "", d.clock.now()); !r) {
        d.log.error("cwmp: " + r.error().to_string());  // passive: with the next session
    }
}

bool CwmpAgent::gave_up() const {
    return m_impl->options.once && m_impl->scheduler->failures() >= m_impl->options.once_max_failures;
}

bool CwmpAgent::settled() {
    Impl& d = *m_impl;
    if (gave_up()) return true;
    auto downloads = d.store.pending_downloads();
    return downloads && downloads->empty() && !d.restart && d.scheduler->idle();
}

void CwmpAgent::stop() {
    Impl& d = *m_impl;
    if (d.stopped()) return;
    d.alive.reset();
    if (d.scheduler) d.scheduler->stop();
    if (d.connection_requests) d.connection_requests->stop();
}

}  // namespace certkeeperd
