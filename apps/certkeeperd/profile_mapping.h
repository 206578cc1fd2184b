// From a validated profiles::Profile to what the other modules take: the application-store
// specs (stores/app_store.h), the revocation policy (ocsp-crl), the key spec and the CSR
// (crypto). Table-like conversions with no decisions of their own; docs/profile-format.md
// defines each key.
#pragma once

#include <vector>

#include "common/result.h"
#include "crypto/csr.h"
#include "crypto/private_key.h"
#include "ocsp-crl/revocation_checker.h"
#include "profiles/device_variables.h"
#include "profiles/profile.h"
#include "stores/app_store.h"

namespace certkeeperd {

// One spec per `store` line, in order. The profile's `mode` is given to every file of the store
// (key and certificates alike); owner and group as given (unset: the daemon's own).
std::vector<stores::AppStoreSpec> store_specs(const profiles::Profile& profile);

// methods and on_unknown from `revocation`, freshness.max_age from `revocation_max_age`.
revocation::Policy revocation_policy(const profiles::Profile& profile);

crypto::KeySpec key_spec(profiles::KeyType type);

// subject and san templates expanded with vars; challenge from the profile (a secret: the
// request is never logged). Errc::not_found when the device has no value for a variable used,
// Errc::invalid_argument for a SAN that is malformed after expansion.
common::Result<crypto::CsrRequest> csr_request(const profiles::Profile& profile,
                                               const profiles::DeviceVariables& vars);

}  // namespace certkeeperd
