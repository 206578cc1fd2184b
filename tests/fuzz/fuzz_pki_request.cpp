// libFuzzer target: the responder's request parser (scep::verify_request + open_request), the
// first code that touches what any client on the network sends.
#include <cstddef>
#include <cstdint>

#include "crypto/self_signed.h"
#include "scep/pki_message.h"

namespace {

struct Keys {
    crypto::PrivateKey key;
    crypto::Certificate cert;
};

const Keys& keys() {
    static const Keys k = [] {
        auto key = crypto::PrivateKey::generate(*crypto::KeySpec::parse("rsa:2048"));
        const auto now = std::chrono::system_clock::now();
        auto cert = crypto::make_self_signed(*key, "CN=fuzz RA",
                                             {now - std::chrono::hours(1), now + std::chrono::hours(24)});
        return Keys{*key, *cert};
    }();
    return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const crypto::ByteView input(data, size);
    auto signed_request = scep::verify_request(input);
    if (signed_request) {
        auto opened = scep::open_request(std::move(*signed_request), keys().cert, keys().key, true);
        if (opened && opened->request.sender_nonce.size() != scep::nonce_size) __builtin_trap();
    }
    (void)scep::decode_issuer_and_serial(input);
    (void)scep::decode_issuer_and_subject(input);
    return 0;
}
