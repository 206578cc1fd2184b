// Offline CRL checks (RFC 5280 §6.3.3): is this CRL usable evidence for certificates of this
// issuer at this time, and what does it say about one certificate? Pure functions of the CRL,
// the certificates and `now`; nothing is fetched and no clock is read.
//
// Only complete, direct CRLs are used: delta CRLs (§5.2.4) and indirect CRLs (§5.2.5) are
// refused with a message that says so, as are CRLs with critical extensions (CRL or entry
// level) this module does not process. A CRL from another issuer is an error, never silently
// skipped. Thread-safety: pure functions.
#pragma once

#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/certificate.h"
#include "ocsp-crl/crl_index.h"
#include "ocsp-crl/status.h"

namespace revocation {

struct CrlCheckOptions {
    // Clock skew and maximum age. A CRL without nextUpdate is only accepted with a max_age.
    Freshness freshness;
    // Refuse a CRL without cRLNumber (RFC 5280 §5.2.3 says conforming CRL issuers MUST include
    // it). A critical cRLNumber is refused whatever this says.
    bool require_crl_number = true;
    // Certificates besides the CA's own that may sign its CRLs (RFC 5280 §6.3.3(f)): each is
    // accepted only if the CA issued it (name and signature), it is valid at `now` and its
    // keyUsage includes cRLSign. Empty: only the CA's own key.
    std::vector<crypto::Certificate> crl_signers;
};

// Whether crl may serve as evidence for certificates issued by `issuer` at `now`: the CRL's
// issuer name equals issuer's subject; it is signed by issuer (whose keyUsage, if present,
// must include cRLSign) or by one of options.crl_signers; thisUpdate <= now + skew; now <=
// nextUpdate + skew; thisUpdate not older than max_age; cRLNumber present (if required) and
// not critical; no unprocessed critical extension; not a delta or indirect CRL. The first
// failure as Errc::verification (Errc::unsupported for delta and indirect CRLs), with a
// message such as "CRL expired at 2026-01-31T00:00:00Z (nextUpdate)".
common::Result<void> validate_crl(const CrlIndex& crl, const crypto::Certificate& issuer,
                                  common::SystemTime now, const CrlCheckOptions& options);

// cert's status according to crl, cert having been issued by issuer. validate_crl() first; then
// the scope of the issuingDistributionPoint (onlyContainsUserCerts / CACerts / AttributeCerts;
// onlySomeReasons means a partial CRL and so Unknown; a distribution point name must match one
// of cert's cRLDistributionPoints URIs). Listed: Revoked with the entry's date and reason,
// except an entry with reason removeFromCRL, which is Good. Not listed: Good. Every failure is
// Unknown with the reason; never Good without a CRL that passed every check.
Status check_crl(const CrlIndex& crl, const crypto::Certificate& cert,
                 const crypto::Certificate& issuer, common::SystemTime now,
                 const CrlCheckOptions& options);

}  // namespace revocation
