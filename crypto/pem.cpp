#include "crypto/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_util.h"

namespace crypto::detail {

common::Result<std::vector<PemBlock>> read_pem_blocks(std::string_view text) {
    if (text.size() > max_input_size) {
        return common::fail(common::Errc::invalid_argument, "PEM input too large");
    }
    clear_openssl_errors();
    BioPtr bio = memory_bio(text);
    if (!bio) return openssl_error(common::Errc::crypto, "BIO");
    std::vector<PemBlock> blocks;
    for (;;) {
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* data = nullptr;
        long len = 0;
        if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
            const unsigned long err = ERR_peek_last_error();
            if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
                clear_openssl_errors();
                return blocks;
            }
            return openssl_error(common::Errc::parse,
                                 "PEM block " + std::to_string(blocks.size() + 1));
        }
        PemBlock block{name, Bytes(data, data + len)};
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        blocks.push_back(std::move(block));
    }
}

std::string write_pem(std::string_view label, ByteView der) {
    const std::string b64 = to_base64(der);
    std::string out = "-----BEGIN " + std::string(label) + "-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 64) {
        out.append(b64, i, 64);
        out += '\n';
    }
    out += "-----END " + std::string(label) + "-----\n";
    return out;
}

}  // namespace crypto::detail
