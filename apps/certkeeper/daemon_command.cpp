// certkeeper status / renew / history: the daemon's state as the state database holds it
// (docs/certkeeperd.md, "Talking to the daemon"). The CLI reads the database directly (SQLite
// lets a reader in beside the daemon's writer) and asks for a renewal with a request file plus
// SIGHUP (daemon_control.h).
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "command.h"
#include "common/time_format.h"
#include "daemon_control.h"
#include "json_writer.h"
#include "profiles/profile_validator.h"
#include "stores/state_db.h"
#include "stores/state_store.h"

namespace cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* default_state_dir = "/var/lib/certkeeper";

struct OpenState {
    stores::Database db;
};

fs::path state_dir_of(const Args& args) { return args.value("state-dir").value_or(default_state_dir); }

// The state database of --state-dir; never creates one.
common::Result<OpenState> open_state(const Args& args) {
    const fs::path dir = state_dir_of(args);
    const fs::path path = dir / "state.db";
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        return common::fail(common::Errc::not_found,
                            "no state database in " + dir.string() + " (has certkeeperd run there?)");
    }
    auto db = stores::open_state_db(path);
    if (!db) return db.error().with_context(path.string());
    return OpenState{std::move(*db)};
}

std::string time_or_empty(const std::optional<common::SystemTime>& t) {
    return t ? common::format_rfc3339(*t) : "";
}

// What the machine's armed timer will do, as it persisted it: the state_data line
// "next_action=..." (lifecycle/ports.h Position; values escape '\\' and newlines). "" when no
// timer is armed, or for a position written before the machine recorded it.
std::string next_action_of(const stores::LifecyclePosition& p) {
    if (!p.next_action_at) return "";
    std::size_t at = 0;
    while (at < p.state_data.size()) {
        const std::size_t end = std::min(p.state_data.find('\n', at), p.state_data.size());
        const std::string_view line(p.state_data.data() + at, end - at);
        if (line.rfind("next_action=", 0) == 0) {
            std::string value;
            for (std::size_t i = 12; i < line.size(); ++i) {
                if (line[i] == '\\' && i + 1 < line.size()) {
                    ++i;
                    value += line[i] == 'n' ? ' ' : line[i];
                } else {
                    value += line[i];
                }
            }
            return value;
        }
        at = end + 1;
    }
    return "";
}

struct ProfileStatus {
    stores::ProfileRecord record;
    std::optional<stores::CertificateRecord> certificate;
    std::string next_action;
};

common::Result<std::vector<ProfileStatus>> collect(stores::StateStore& state) {
    auto profiles = state.list_profiles();
    if (!profiles) return profiles.error();
    std::vector<ProfileStatus> out;
    for (auto& rec : *profiles) {
        ProfileStatus s{rec, std::nullopt, next_action_of(rec.position)};
        auto certs = state.list_certificates(rec.name, stores::CertificateRole::own);
        if (!certs) return certs.error();
        for (const auto& c : *certs) {
            if (c.state == stores::CertificateState::installed) s.certificate = c;
        }
        out.push_back(std::move(s));
    }
    return out;
}

int report(const std::string& verb, const common::Error& e, std::ostream& err) {
    err << "certkeeper " << verb << ": " << e.to_string() << "\n";
    return e.code() == common::Errc::not_found ? exit_invalid : exit_usage;
}

int status(const Args& args, std::ostream& out, std::ostream& err) {
    auto opened = open_state(args);
    if (!opened) return report("status", opened.error(), err);
    stores::StateStore state(opened->db);
    auto all = collect(state);
    if (!all) return report("status", all.error(), err);
    const auto pid = running_daemon(state_dir_of(args));
    if (args.flag("json")) {
        JsonWriter json;
        json.begin_object().key("daemon_pid");
        if (pid) json.value(static_cast<long long>(*pid)); else json.null();
        json.key("profiles").begin_array();
        for (const auto& s : *all) {
            const auto& p = s.record.position;
            json.begin_object()
                .key("name").value(s.record.name)
                .key("enabled").value(s.record.enabled)
                .key("revision").value(static_cast<long long>(s.record.revision))
                .key("source").value(s.record.source)
                .key("state").value(p.state)
                .key("next_action").value(s.next_action)
                .key("next_action_at").value(time_or_empty(p.next_action_at))
                .key("last_error").value(p.last_error)
                .key("updated_at").value(common::format_rfc3339(s.record.updated_at));
            json.key("certificate");
            if (s.certificate) {
                json.begin_object()
                    .key("subject").value(s.certificate->subject)
                    .key("serial").value(s.certificate->serial)
                    .key("issuer").value(s.certificate->issuer)
                    .key("not_before").value(common::format_rfc3339(s.certificate->not_before))
                    .key("not_after").value(common::format_rfc3339(s.certificate->not_after))
                    .key("sha256").value(s.certificate->sha256_fingerprint)
                    .end_object();
            } else {
                json.null();
            }
            json.end_object();
        }
        json.end_array().end_object();
        out << json.str() << "\n";
        return exit_ok;
    }
    out << "certkeeperd: " << (pid ? "running, pid " + std::to_string(*pid) : std::string("not running")) << "\n";
    if (all->empty()) out << "no profiles\n";
    for (const auto& s : *all) {
        const auto& p = s.record.position;
        out << "\nprofile " << s.record.name << (s.record.enabled ? "" : " (disabled)") << "\n"
            << "  state:       " << (p.state.empty() ? "(not started)" : p.state) << "\n";
        if (s.certificate) {
            out << "  certificate: " << s.certificate->subject << "\n"
                << "  serial:      " << s.certificate->serial << "\n"
                << "  not after:   " << common::format_rfc3339(s.certificate->not_after) << "\n";
        } else {
            out << "  certificate: none installed\n";
        }
        if (p.next_action_at) {
            out << "  next:        " << (s.next_action.empty() ? "timer" : s.next_action) << " at "
                << common::format_rfc3339(*p.next_action_at) << "\n";
        }
        if (!p.last_error.empty()) out << "  last error:  " << p.last_error << "\n";
    }
    return exit_ok;
}

int history(const Args& args, std::ostream& out, std::ostream& err) {
    if (args.positional().size() != 1) {
        err << "certkeeper history: expected PROFILE\n";
        return exit_usage;
    }
    std::size_t limit = 50;
    if (auto l = args.value("limit")) {
        char* end = nullptr;
        const unsigned long v = std::strtoul(l->c_str(), &end, 10);
        if (end == l->c_str() || *end != '\0' || v == 0) {
            err << "certkeeper history: --limit takes a positive number\n";
            return exit_usage;
        }
        limit = v;
    }
    auto opened = open_state(args);
    if (!opened) return report("history", opened.error(), err);
    stores::StateStore state(opened->db);
    auto rows = state.list_history(args.positional()[0], limit);
    if (!rows) return report("history", rows.error(), err);
    if (args.flag("json")) {
        JsonWriter json;
        json.begin_array();
        for (const auto& h : *rows) {
            json.begin_object()
                .key("at").value(common::format_rfc3339(h.at))
                .key("from").value(h.from_state)
                .key("to").value(h.to_state)
                .key("event").value(h.event)
                .key("detail").value(h.detail)
                .end_object();
        }
        json.end_array();
        out << json.str() << "\n";
        return exit_ok;
    }
    // Oldest first reads like a story.
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
        out << common::format_rfc3339(it->at) << "  " << it->event;
        if (!it->from_state.empty() || !it->to_state.empty()) {
            out << "  " << (it->from_state.empty() ? "-" : it->from_state) << " -> " << it->to_state;
        }
        if (!it->detail.empty()) out << "  " << it->detail;
        out << "\n";
    }
    return exit_ok;
}

int renew(const Args& args, std::ostream& out, std::ostream& err) {
    if (args.positional().size() != 1 || !profiles::valid_profile_name(args.positional()[0])) {
        err << "certkeeper renew: expected one PROFILE name\n";
        return exit_usage;
    }
    const std::string& name = args.positional()[0];
    auto opened = open_state(args);
    if (!opened) return report("renew", opened.error(), err);
    stores::StateStore state(opened->db);
    auto profile = state.get_profile(name);
    if (!profile) return report("renew", profile.error(), err);
    if (!*profile) {
        err << "certkeeper renew: no profile '" << name << "' in " << state_dir_of(args).string() << "\n";
        return exit_invalid;
    }
    if (auto r = request_renewal(state_dir_of(args), name); !r) return report("renew", r.error(), err);
    (void)state.append_history({0, name, std::chrono::system_clock::now(), "", "", "renew_requested",
                                "certkeeper renew"});
    const auto pid = running_daemon(state_dir_of(args));
    if (!pid) {
        out << "renewal of " << name << " requested; certkeeperd is not running: it takes the request when it starts\n";
        return exit_ok;
    }
    if (::kill(*pid, SIGHUP) != 0) {
        out << "renewal of " << name << " requested; certkeeperd (pid " << *pid
            << ") sees the request file (SIGHUP not sent: " << std::strerror(errno) << ")\n";
        return exit_ok;
    }
    out << "renewal of " << name << " requested; certkeeperd (pid " << *pid << ") notified\n";
    return exit_ok;
}

}  // namespace

std::vector<Command> daemon_commands() {
    const OptionSpec state_dir{"state-dir", true, false, "DIR the daemon's state directory (default /var/lib/certkeeper)"};
    const OptionSpec json{"json", false, false, "machine-readable output"};
    const OptionSpec limit{"limit", true, false, "N at most N entries, newest (default 50)"};
    const std::string exits = "exit codes: 0 ok, 1 no such profile or no state database, 2 usage or database error\n";
    return {
        {"status", "", "[--state-dir DIR] [--json]",
         "every profile: state, certificate in service, next action and when, last error", exits,
         {state_dir, json}, status},
        {"renew", "", "PROFILE [--state-dir DIR]", "ask certkeeperd to renew PROFILE's certificate now",
         exits, {state_dir}, renew},
        {"history", "", "PROFILE [--state-dir DIR] [--json] [--limit N]",
         "what happened to PROFILE: transitions, installs, operator requests", exits,
         {state_dir, json, limit}, history},
    };
}

}  // namespace cli
