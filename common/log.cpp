#include "common/log.h"

#include <cstdio>

namespace common {

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::warning: return "warning";
        case LogLevel::error: return "error";
    }
    return "?";
}

void StderrSink::write(LogLevel level, std::string_view component, std::string_view message) {
    std::lock_guard lock(m_mutex);
    std::fprintf(stderr, "%-7.*s %.*s: %.*s\n", static_cast<int>(to_string(level).size()),
                 to_string(level).data(), static_cast<int>(component.size()), component.data(),
                 static_cast<int>(message.size()), message.data());
}

Logger Logger::child(std::string_view name) const {
    std::string component = m_component;
    if (!component.empty()) {
        component += '.';
    }
    component += name;
    return Logger(*m_sink, std::move(component), m_min_level);
}

void Logger::log(LogLevel level, std::string_view message) const {
    if (enabled(level)) {
        m_sink->write(level, m_component, message);
    }
}

}  // namespace common
