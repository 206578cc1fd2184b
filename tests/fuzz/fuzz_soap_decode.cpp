// libFuzzer target for the CWMP SOAP decoder (cwmp/codec.h): any bytes must give an Envelope or
// an Error, never a crash, leak or hang; a decoded envelope must encode again, and that encoding
// must decode to the same header and body. Re-encoded in cwmp-1-2: cwmp-1-0 output rewrites fault
// codes its schema lacks (cwmp/codec.h), which is deliberate and not a round-trip error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "cwmp/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view xml(reinterpret_cast<const char*>(data), size);
    cwmp::DecodeLimits limits;
    limits.max_bytes = 256 * 1024;
    auto envelope = cwmp::decode(xml, limits);
    if (!envelope || std::holds_alternative<cwmp::UnknownMethod>(envelope->body)) {
        return 0;
    }
    auto again = cwmp::encode(*envelope, cwmp::CwmpVersion::v1_2);
    if (!again) {
        return 0;  // e.g. text that is not UTF-8: refused on output, which is the point
    }
    auto round = cwmp::decode(*again, limits);
    if (!round) {
        std::abort();  // our own output must always decode
    }
    round->header.not_understood = envelope->header.not_understood;
    if (!(round->body == envelope->body) || !(round->header == envelope->header)) {
        std::abort();
    }
    return 0;
}
