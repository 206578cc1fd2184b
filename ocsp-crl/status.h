// revocation::Status: the answer to "is this certificate revoked?" as a value.
//
// Good and Revoked are only ever produced from evidence that passed every check (signature,
// issuer, scope, freshness). Anything else (no responder, a CRL signed by the wrong key, a stale
// or mismatched OCSP response, garbage bytes) is Unknown with a reason an operator can act on:
// never a false Good.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "common/clock.h"

namespace revocation {

// CRLReason (RFC 5280 §5.3.1); 7 is unused.
enum class Reason : int {
    unspecified = 0,
    key_compromise = 1,
    ca_compromise = 2,
    affiliation_changed = 3,
    superseded = 4,
    cessation_of_operation = 5,
    certificate_hold = 6,
    remove_from_crl = 8,
    privilege_withdrawn = 9,
    aa_compromise = 10,
};
// "keyCompromise", ... as RFC 5280 spells them; "unknown(N)" for other values.
std::string reason_name(int reason);

struct Good {};
struct Revoked {
    common::SystemTime time;
    std::optional<int> reason;  // a Reason value when the evidence carried one
};
struct Unknown {
    std::string why;  // one sentence for the operator, e.g. "CRL expired at 2026-01-01T00:00:00Z"
};

class Status {
public:
    static Status good() { return Status(Good{}); }
    static Status revoked(common::SystemTime time, std::optional<int> reason = std::nullopt) {
        return Status(Revoked{time, reason});
    }
    static Status unknown(std::string why) { return Status(Unknown{std::move(why)}); }

    bool is_good() const { return std::holds_alternative<Good>(m_value); }
    bool is_revoked() const { return std::holds_alternative<Revoked>(m_value); }
    bool is_unknown() const { return std::holds_alternative<Unknown>(m_value); }
    const Revoked& revoked_info() const { return std::get<Revoked>(m_value); }
    const std::string& why() const { return std::get<Unknown>(m_value).why; }

    // "good", "revoked", "unknown".
    std::string_view name() const;
    // One line: "good", "revoked at 2026-01-02T03:04:05Z (keyCompromise)", "unknown: why".
    std::string describe() const;

    const std::variant<Good, Revoked, Unknown>& value() const { return m_value; }

private:
    explicit Status(std::variant<Good, Revoked, Unknown> value) : m_value(std::move(value)) {}
    std::variant<Good, Revoked, Unknown> m_value;
};

// Which kind of evidence answered.
enum class Method { ocsp, crl };
std::string_view method_name(Method method);  // "ocsp", "crl"

// Freshness rules shared by CRL and OCSP checks.
struct Freshness {
    // Tolerated clock difference between us and the CRL issuer / OCSP responder: thisUpdate may
    // lie this far in the future and nextUpdate this far in the past.
    std::chrono::seconds skew{300};
    // Evidence whose thisUpdate is older than this is stale even before its nextUpdate; evidence
    // without nextUpdate is only accepted with a max_age. nullopt = nextUpdate decides alone.
    std::optional<std::chrono::seconds> max_age;
};

}  // namespace revocation
