// The log facade. Libraries return errors; orchestrating code logs through a Logger that the
// application built and passed in (no global logger). The application chooses the sink
// (stderr, syslog, a file); tests capture lines with tests/fakes/capture_sink.h.
//
// Never log key material, challenge passwords or credentials; log certificates as subject,
// serial and fingerprint (STYLE.md, Logging).
//
// Thread-safety: Logger is immutable after construction; a sink must accept concurrent write()s.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace common {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

std::string_view to_string(LogLevel level);

class LogSink {
public:
    virtual ~LogSink() = default;
    virtual void write(LogLevel level, std::string_view component, std::string_view message) = 0;
};

// Writes "LEVEL component: message" lines to stderr, serialised by a mutex.
class StderrSink final : public LogSink {
public:
    void write(LogLevel level, std::string_view component, std::string_view message) override;

private:
    std::mutex m_mutex;
};

// Drops everything.
class NullSink final : public LogSink {
public:
    void write(LogLevel, std::string_view, std::string_view) override {}
};

// A named view of a sink with a minimum level. Cheap to copy.
// REQUIRES: the sink outlives every Logger that refers to it.
class Logger {
public:
    Logger(LogSink& sink, std::string component, LogLevel min_level = LogLevel::info)
        : m_sink(&sink), m_component(std::move(component)), m_min_level(min_level) {}

    // A logger for a sub-component: "scep" -> "scep.client".
    Logger child(std::string_view name) const;

    bool enabled(LogLevel level) const { return level >= m_min_level; }
    void log(LogLevel level, std::string_view message) const;
    void debug(std::string_view message) const { log(LogLevel::debug, message); }
    void info(std::string_view message) const { log(LogLevel::info, message); }
    void warning(std::string_view message) const { log(LogLevel::warning, message); }
    void error(std::string_view message) const { log(LogLevel::error, message); }

    const std::string& component() const { return m_component; }

private:
    LogSink* m_sink;
    std::string m_component;
    LogLevel m_min_level;
};

}  // namespace common
