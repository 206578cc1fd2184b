// The text a ProfileMachine persists as Position::state_data: one "key=value" per line, values
// with '\' and newlines escaped ("\\", "\n"), so PEM blocks fit on one line. Private to
// lifecycle/; docs/lifecycle.md lists the keys.
//
// Thread-safety: a plain value.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "crypto/certificate.h"

namespace lifecycle::detail {

class StateData {
  public:
    // Unknown or malformed lines are skipped (a newer version's keys are ignored).
    static StateData parse(std::string_view text);
    // Keys in sorted order, empty values left out.
    std::string encode() const;

    void set(const std::string& key, std::string value);
    void set_time(const std::string& key, std::optional<common::SystemTime> t);
    void set_certificates(const std::string& key, const std::vector<crypto::Certificate>& certs);

    std::string get(const std::string& key) const;  // "" when absent
    std::optional<common::SystemTime> get_time(const std::string& key) const;
    unsigned get_unsigned(const std::string& key) const;  // 0 when absent or malformed
    std::vector<crypto::Certificate> get_certificates(const std::string& key) const;

  private:
    std::map<std::string, std::string> m_values;
};

}  // namespace lifecycle::detail
