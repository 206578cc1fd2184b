// Minimal JSON output for --json: objects, arrays, strings, numbers and booleans, written in
// order with correct string escaping. Not a parser.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

class JsonWriter {
public:
    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }
    JsonWriter& key(std::string_view k) {
        separator();
        quote(k);
        m_out += ':';
        m_after_key = true;
        return *this;
    }
    JsonWriter& value(std::string_view v) {
        separator();
        quote(v);
        return *this;
    }
    JsonWriter& value(const char* v) { return value(std::string_view(v)); }
    JsonWriter& value(bool v) {
        separator();
        m_out += v ? "true" : "false";
        return *this;
    }
    JsonWriter& value(long long v) {
        separator();
        m_out += std::to_string(v);
        return *this;
    }
    JsonWriter& null() {
        separator();
        m_out += "null";
        return *this;
    }
    JsonWriter& strings(const std::vector<std::string>& vs) {
        begin_array();
        for (const auto& v : vs) value(v);
        return end_array();
    }
    const std::string& str() const { return m_out; }

private:
    JsonWriter& open(char c) {
        separator();
        m_out += c;
        m_first.push_back(true);
        return *this;
    }
    JsonWriter& close(char c) {
        m_out += c;
        m_first.pop_back();
        return *this;
    }
    void separator() {
        if (m_after_key) {
            m_after_key = false;
            return;
        }
        if (!m_first.empty()) {
            if (!m_first.back()) m_out += ',';
            m_first.back() = false;
        }
    }
    void quote(std::string_view s) {
        m_out += '"';
        for (char c : s) {
            switch (c) {
                case '"': m_out += "\\\""; break;
                case '\\': m_out += "\\\\"; break;
                case '\n': m_out += "\\n"; break;
                case '\r': m_out += "\\r"; break;
                case '\t': m_out += "\\t"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                        m_out += buf;
                    } else {
                        m_out += c;
                    }
            }
        }
        m_out += '"';
    }

    std::string m_out;
    std::vector<bool> m_first;
    bool m_after_key = false;
};

}  // namespace cli
