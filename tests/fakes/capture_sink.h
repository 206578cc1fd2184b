// A LogSink that keeps every line so a test can assert on what was (and was not) logged.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "common/log.h"

namespace fakes {

class CaptureSink final : public common::LogSink {
public:
    struct Line {
        common::LogLevel level;
        std::string component;
        std::string message;
    };

    void write(common::LogLevel level, std::string_view component,
               std::string_view message) override {
        std::lock_guard lock(m_mutex);
        m_lines.push_back(Line{level, std::string(component), std::string(message)});
    }

    std::vector<Line> lines() const {
        std::lock_guard lock(m_mutex);
        return m_lines;
    }

    // True if any captured message contains needle.
    bool contains(std::string_view needle) const {
        std::lock_guard lock(m_mutex);
        for (const auto& l : m_lines) {
            if (l.message.find(needle) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<Line> m_lines;
};

}  // namespace fakes
