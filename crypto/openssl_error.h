// The one place that turns OpenSSL's thread-local error queue into a common::Error.
// Private to crypto/ and the .cpp files that use OpenSSL directly.
#pragma once

#include <string_view>

#include "common/result.h"

namespace crypto {

// Drains the whole error queue (so the next operation starts clean) and returns an Error whose
// message is "what: <reason of the first queued error>" (or just "what" if the queue was empty).
common::Error openssl_error(common::Errc code, std::string_view what);

// Discards whatever is queued. Call before an operation whose failure is an expected outcome.
void clear_openssl_errors();

}  // namespace crypto
