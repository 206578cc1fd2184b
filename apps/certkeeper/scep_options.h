// What every `certkeeper scep` verb shares: the option table, building the SCEP client from the
// options, and mapping an Error to an exit code.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "command.h"
#include "common/clock.h"
#include "common/log.h"
#include "scep/client.h"
#include "transport/curl_http_client.h"

namespace cli {

// The common options plus the named extras (from a fixed table of SCEP verb options).
std::vector<OptionSpec> scep_options(const std::vector<std::string>& extras);

// Prints "certkeeper scep VERB: error" and returns the exit code for the error's kind.
int report_error(const std::string& verb, const common::Error& error, std::ostream& err);

class ScepSession {
public:
    // nullptr (after printing why to err) if the options are unusable.
    static std::unique_ptr<ScepSession> open(const Args& args, std::ostream& err);

    scep::Client& client() { return *m_client; }
    bool has_trust() const { return m_has_trust; }
    const common::Clock& clock() const { return m_clock; }

private:
    ScepSession() = default;
    common::StderrSink m_stderr;
    common::NullSink m_null;
    common::SystemClock m_clock;
    std::unique_ptr<transport::CurlHttpClient> m_http;
    std::unique_ptr<scep::Client> m_client;
    bool m_has_trust = false;
};

int report_enrollment(const Args& args, const scep::EnrollmentResult& result,
                      const scep::CaCertificates& ca, std::ostream& out, std::ostream& err);

std::vector<Command> scep_enrollment_commands(const std::string& exit_codes);

}  // namespace cli
