// certkeeperd: the device daemon. Wiring only: options, logging, the pid file, daemonising,
// then the Daemon's event loop (daemon.h). docs/certkeeperd.md is the manual.
#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "args.h"
#include "daemon.h"
#include "daemon_control.h"
#include "sd_notify.h"

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
};

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

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> raw(argv + 1, argv + argc);
    for (const auto& a : raw) {
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        }
        if (a == "--version") {
            std::cout << "certkeeperd 0.1.0\n";
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
        char* end = nullptr;
        const unsigned long v = std::strtoul(n->c_str(), &end, 10);
        if (end == n->c_str() || *end != '\0' || v < 1 || v > 16) {
            std::cerr << "certkeeperd: --workers takes 1..16\n";
            return 2;
        }
        o.workers = v;
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

    boost::asio::io_context io(1);
    common::SystemClock clock;
    certkeeperd::Daemon daemon(io, std::move(o), certkeeperd::lifecycle_machine_factory(), clock, log);
    if (auto started = daemon.start(); !started) {
        log.error("cannot start: " + started.error().to_string());
        return 2;
    }
    certkeeperd::sd_notify("READY=1");
    io.run();
    return daemon.exit_code();
}
