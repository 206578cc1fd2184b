// certkeeperd: the device daemon. Wiring only: options, logging, the pid file, daemonising,
// then the Daemon's event loop (daemon.h). docs/certkeeperd.md is the manual.
#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "args.h"
#include "daemon.h"
#include "daemon_control.h"
#include "sd_notify.h"
#include "transport/http_client.h"

namespace {

constexpr const char* usage = R"(usage: certkeeperd --profiles DIR [OPTIONS]

  --profiles DIR        the provisioning profiles (*.conf, docs/profile-format.md)
  --state-dir DIR       state database, keys, pid file, requests (default /var/lib/certkeeper)
  --once                run every profile to a stable state, then exit:
                        0 all valid, 4 some PENDING (none failed), 1 some failed
  --device-config FILE  mac, serial, hostname, oui, manufacturer, product_class (key = value);
                        what is not given is detected
  --hook CMD            run CMD EVENT PROFILE after each notification (words split at blanks,
                        no shell)
  --workers N           threads for blocking I/O (default 2)

CWMP (TR-069) agent, docs/cwmp.md; each also a --device-config key (acs_url, ...):
  --acs URL             the ACS (Device.ManagementServer.URL, http:// or https://)
  --acs-username U      HTTP Basic/Digest user name to the ACS
  --acs-password-file F its password (first line of F)
  --acs-ca FILE         CA certificates of an https ACS (default: the system store)
  --acs-client-cert F, --acs-client-key F
                        TLS client certificate and key for the ACS
  --connection-request-address ADDR   listen address (default 0.0.0.0)
  --connection-request-port N         default 7547; 0 picks a free port
  --connection-request-username U     default OUI-SERIAL
  --connection-request-password-file F  none: every connection request is refused
  --periodic-inform-interval S        seconds, 0 = off (default 86400)
  With --once: also wait until every CWMP event is delivered (exit 1 after 3 failed sessions).
  --log-level L         debug, info (default), warning, error
  --foreground          do not detach; log to stderr (always so with --once)
  --help, --version

Signals: SIGTERM/SIGINT stop, SIGHUP re-reads the profiles and the renewal requests.
Exit: 0 ok, 1 failure (--once: a profile failed), 2 usage or start-up error, 4 (--once) pending.
)";

const std::vector<cli::OptionSpec> options = {
    {"profiles", true, false, "DIR"},      {"state-dir", true, false, "DIR"},
    {"once", false, false, ""},            {"device-config", true, false, "FILE"},
    {"hook", true, false, "CMD"},          {"workers", true, false, "N"},
    {"log-level", true, false, "LEVEL"},   {"foreground", false, false, ""},
    {"acs", true, false, "URL"},           {"acs-username", true, false, "U"},
    {"acs-password-file", true, false, "FILE"}, {"acs-ca", true, false, "FILE"},
    {"acs-client-cert", true, false, "FILE"},   {"acs-client-key", true, false, "FILE"},
    {"connection-request-address", true, false, "ADDR"}, {"connection-request-port", true, false, "N"},
    {"connection-request-username", true, false, "U"},
    {"connection-request-password-file", true, false, "FILE"},
    {"periodic-inform-interval", true, false, "S"},
};

std::optional<std::uint32_t> parse_uint(const std::string& text, std::uint32_t max) {
    char* end = nullptr;
    errno = 0;
    const unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || end == text.c_str() || *end != '\0' || errno != 0 || v > max || text[0] == '-') {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
}

// The CWMP agent's options from the command line over the --device-config keys; nullopt
// without an ACS URL. Errc::invalid_argument naming the option for a bad value.
common::Result<std::optional<certkeeperd::CwmpAgentOptions>> agent_options(const cli::Args& args,
                                                                           const certkeeperd::DeviceIdentity& device,
                                                                           bool once) {
    auto get = [&](const std::string& option, const std::string& key) -> std::optional<std::string> {
        if (auto v = args.value(option)) return *v;
        if (auto it = device.management.find(key); it != device.management.end()) return it->second;
        return std::nullopt;
    };
    // A secret: the first line of the file named by --OPTION-file, else the config key's value.
    auto secret = [&](const std::string& option, const std::string& key) -> common::Result<std::string> {
        if (auto f = args.value(option + "-file")) {
            auto line = cli::read_secret_line(*f);
            if (!line) return line.error().with_context("--" + option + "-file");
            return *line;
        }
        auto it = device.management.find(key);
        return it == device.management.end() ? std::string() : it->second;
    };
    auto bad = [](const std::string& what) { return common::fail(common::Errc::invalid_argument, what); };
    const auto url = get("acs", "acs_url");
    if (!url) return std::optional<certkeeperd::CwmpAgentOptions>();
    if (!transport::is_http_url(*url)) return bad("--acs: an http:// or https:// URL expected");
    certkeeperd::CwmpAgentOptions o;
    o.once = once;
    o.settings.url = *url;
    o.settings.username = get("acs-username", "acs_username").value_or("");
    auto password = secret("acs-password", "acs_password");
    if (!password) return password.error();
    o.settings.password = *password;
    o.acs_http.ca_file = get("acs-ca", "acs_ca").value_or("");
    o.acs_http.client_cert_file = args.value("acs-client-cert").value_or("");
    o.acs_http.client_key_file = args.value("acs-client-key").value_or("");
    o.connection_request_address = get("connection-request-address", "connection_request_address").value_or("0.0.0.0");
    if (auto port = get("connection-request-port", "connection_request_port")) {
        auto n = parse_uint(*port, 65535);
        if (!n) return bad("--connection-request-port: 0..65535 expected");
        o.connection_request_port = static_cast<std::uint16_t>(*n);
    }
    o.connection_request_host = device.variables.hostname.empty() ? "localhost" : device.variables.hostname;
    o.settings.connection_request_username = get("connection-request-username", "connection_request_username").value_or("");
    auto cr_password = secret("connection-request-password", "connection_request_password");
    if (!cr_password) return cr_password.error();
    o.settings.connection_request_password = *cr_password;
    if (auto interval = get("periodic-inform-interval", "periodic_inform_interval")) {
        auto n = parse_uint(*interval, 0xffffffffu);
        if (!n) return bad("--periodic-inform-interval: seconds expected (0 = off)");
        o.settings.periodic_inform_enable = *n > 0;
        if (*n > 0) o.settings.periodic_inform_interval = *n;
    }
    if (device.variables.oui.empty() || device.variables.serial.empty()) {
        return bad("the CWMP agent needs the device's OUI and serial number (oui/mac and serial in --device-config)");
    }
    cwmp::DeviceInfo& d = o.device_info;
    d.manufacturer = device.manufacturer.empty() ? "certkeeper" : device.manufacturer;
    d.manufacturer_oui = device.variables.oui;
    d.product_class = device.product_class.empty() ? "certkeeperd" : device.product_class;
    d.serial_number = device.variables.serial;
    d.model_name = device.model_name.empty() ? d.product_class : device.model_name;
    d.description = device.description.empty() ? "certificate lifecycle agent (certkeeper)" : device.description;
    d.hardware_version = device.hardware_version;
    d.software_version = certkeeperd::software_version;
    return std::optional<certkeeperd::CwmpAgentOptions>(std::move(o));
}

class SyslogSink final : public common::LogSink {
public:
    SyslogSink() { ::openlog("certkeeperd", LOG_PID, LOG_DAEMON); }
    ~SyslogSink() override { ::closelog(); }
    void write(common::LogLevel level, std::string_view component, std::string_view message) override {
        int priority = LOG_INFO;
        switch (level) {
            case common::LogLevel::debug: priority = LOG_DEBUG; break;
            case common::LogLevel::info: priority = LOG_INFO; break;
            case common::LogLevel::warning: priority = LOG_WARNING; break;
            case common::LogLevel::error: priority = LOG_ERR; break;
        }
        ::syslog(priority, "%.*s: %.*s", static_cast<int>(component.size()), component.data(),
                 static_cast<int>(message.size()), message.data());
    }
};

std::optional<common::LogLevel> parse_level(const std::string& text) {
    if (text == "debug") return common::LogLevel::debug;
    if (text == "info") return common::LogLevel::info;
    if (text == "warning") return common::LogLevel::warning;
    if (text == "error") return common::LogLevel::error;
    return std::nullopt;
}

// Detaches from the terminal: fork, setsid, fork; stdin/stdout/stderr on /dev/null.
bool daemonise() {
    pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid > 0) ::_exit(0);
    if (::setsid() < 0) return false;
    pid = ::fork();
    if (pid < 0) return false;
    if (pid > 0) ::_exit(0);
    if (::chdir("/") != 0) return false;
    const int null = ::open("/dev/null", O_RDWR);
    if (null < 0) return false;
    for (int fd : {0, 1, 2}) ::dup2(null, fd);
    if (null > 2) ::close(null);
    return true;
}

// Reboot / FactoryReset from the ACS: certkeeperd starts again as a new process image with the
// same arguments (the pid file lock and every socket are closed first), after a factory reset
// without its state database, keys and requests, so that the next session is a BOOTSTRAP.
void restart_daemon(certkeeperd::RestartKind kind, const std::filesystem::path& state_dir, char** argv,
                    const common::Logger& log) {
    if (kind == certkeeperd::RestartKind::factory_reset) {
        std::error_code ec;
        for (const char* name : {"state.db", "state.db-wal", "state.db-shm"}) std::filesystem::remove(state_dir / name, ec);
        std::filesystem::remove_all(state_dir / "keys", ec);
        std::filesystem::remove_all(cli::requests_dir(state_dir), ec);
        log.info("factory reset: state database, keys and requests removed (installed files stay)");
    }
    log.info("restarting");
    ::close_range(3, ~0U, 0);
    ::execv("/proc/self/exe", argv);
    log.error(std::string("cannot restart: ") + std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> raw(argv + 1, argv + argc);
    for (const auto& a : raw) {
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        }
        if (a == "--version") {
            std::cout << "certkeeperd " << certkeeperd::software_version << "\n";
            return 0;
        }
    }
    auto args = cli::Args::parse(raw, options);
    if (!args) {
        std::cerr << "certkeeperd: " << args.error().message() << "\n" << usage;
        return 2;
    }
    if (!args->positional().empty() || !args->value("profiles")) {
        std::cerr << "certkeeperd: --profiles DIR is required (and nothing else positional)\n";
        return 2;
    }
    certkeeperd::DaemonOptions o;
    o.profiles_dir = *args->value("profiles");
    o.state_dir = args->value("state-dir").value_or(o.state_dir.string());
    o.once = args->flag("once");
    if (auto hook = args->value("hook")) {
        std::istringstream words(*hook);
        for (std::string w; words >> w;) o.hook.push_back(w);
    }
    if (auto n = args->value("workers")) {
        const auto v = parse_uint(*n, 16);
        if (!v || *v < 1) {
            std::cerr << "certkeeperd: --workers takes 1..16\n";
            return 2;
        }
        o.workers = *v;
    }
    const auto level = parse_level(args->value("log-level").value_or("info"));
    if (!level) {
        std::cerr << "certkeeperd: --log-level is debug, info, warning or error\n";
        return 2;
    }
    certkeeperd::DeviceIdentity configured;
    if (auto path = args->value("device-config")) {
        auto text = cli::read_file(*path);
        auto parsed = text ? certkeeperd::parse_device_config(*text) : common::Result<certkeeperd::DeviceIdentity>(text.error());
        if (!parsed) {
            std::cerr << "certkeeperd: --device-config " << *path << ": " << parsed.error().message() << "\n";
            return 2;
        }
        configured = *parsed;
    }
    o.device = certkeeperd::merge(configured, certkeeperd::detect_device_identity());
    auto agent = agent_options(*args, o.device, o.once);
    if (!agent) {
        std::cerr << "certkeeperd: " << agent.error().message() << "\n";
        return 2;
    }
    o.cwmp = std::move(*agent);

    const bool foreground = args->flag("foreground") || o.once;
    common::StderrSink stderr_sink;
    std::unique_ptr<SyslogSink> syslog_sink;
    if (!foreground) syslog_sink = std::make_unique<SyslogSink>();
    common::LogSink& sink = foreground ? static_cast<common::LogSink&>(stderr_sink) : *syslog_sink;
    const common::Logger log(sink, "certkeeperd", *level);

    std::error_code ec;
    std::filesystem::create_directories(o.state_dir, ec);
    auto pid_lock = cli::PidFileLock::acquire(o.state_dir, ::getpid());
    if (!pid_lock) {
        std::cerr << "certkeeperd: " << pid_lock.error().to_string() << "\n";
        return 2;
    }
    if (!foreground) {
        if (!daemonise()) {
            std::cerr << "certkeeperd: cannot detach\n";
            return 2;
        }
        (void)pid_lock->rewrite(::getpid());
    }
    log.info("device: MAC " + (o.device.variables.mac.empty() ? "(unknown)" : o.device.variables.mac) +
             ", serial " + (o.device.variables.serial.empty() ? "(unknown)" : o.device.variables.serial) +
             ", hostname " + (o.device.variables.hostname.empty() ? "(unknown)" : o.device.variables.hostname) +
             ", OUI " + (o.device.variables.oui.empty() ? "(unknown)" : o.device.variables.oui));

    const std::filesystem::path state_dir = o.state_dir;
    int exit_code = 0;
    std::optional<certkeeperd::RestartKind> restart;
    {
        boost::asio::io_context io(1);
        common::SystemClock clock;
        certkeeperd::Daemon daemon(io, std::move(o), certkeeperd::lifecycle_machine_factory(), clock, log);
        if (auto started = daemon.start(); !started) {
            log.error("cannot start: " + started.error().to_string());
            return 2;
        }
        certkeeperd::sd_notify("READY=1");
        io.run();
        exit_code = daemon.exit_code();
        restart = daemon.restart_requested();
    }  // every connection to the state database is closed here
    if (!restart) return exit_code;
    restart_daemon(*restart, state_dir, argv, log);  // returns only if it could not
    return 1;
}
