#include <iostream>

#include "certificate_files.h"
#include "command.h"
#include "common/time_format.h"
#include "crypto/certificate.h"
#include "json_writer.h"

namespace cli {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out.empty() ? "-" : out;
}

std::vector<std::string> san_strings(const crypto::Certificate& cert) {
    std::vector<std::string> out;
    for (const auto& san : cert.subject_alt_names()) {
        out.push_back(std::string(crypto::to_string(san.type)) + ":" + san.value);
    }
    return out;
}

std::vector<std::string> eku_names(const crypto::Certificate& cert) {
    std::vector<std::string> out;
    for (const auto& oid : cert.extended_key_usage()) out.push_back(crypto::extended_key_usage_name(oid));
    return out;
}

void print_text(const crypto::Certificate& cert, std::ostream& out) {
    const auto ku = cert.key_usage();
    const auto path_len = cert.path_length();
    out << "Subject:         " << cert.subject() << "\n"
        << "Issuer:          " << cert.issuer() << "\n"
        << "Serial:          " << cert.serial_hex() << "\n"
        << "Not before:      " << common::format_rfc3339(cert.not_before()) << "\n"
        << "Not after:       " << common::format_rfc3339(cert.not_after()) << "\n"
        << "SANs:            " << join(san_strings(cert)) << "\n"
        << "Public key:      " << cert.public_key_description() << "\n"
        << "Signature:       " << cert.signature_algorithm() << "\n"
        << "Key usage:       " << (ku ? join(ku->names()) : "(extension absent)") << "\n"
        << "Ext. key usage:  " << join(eku_names(cert)) << "\n"
        << "CA:              " << (cert.is_ca() ? "yes" : "no")
        << (path_len ? " (pathLen " + std::to_string(*path_len) + ")" : "") << "\n"
        << "SHA-256:         " << cert.fingerprint(crypto::DigestAlgorithm::sha256).to_string() << "\n"
        << "SHA-1:           " << cert.fingerprint(crypto::DigestAlgorithm::sha1).to_string() << "\n"
        << "MD5:             " << cert.fingerprint(crypto::DigestAlgorithm::md5).to_string() << "\n";
}

void write_json(const crypto::Certificate& cert, JsonWriter& json) {
    const auto ku = cert.key_usage();
    json.begin_object()
        .key("subject").value(cert.subject())
        .key("issuer").value(cert.issuer())
        .key("serial").value(cert.serial_hex())
        .key("not_before").value(common::format_rfc3339(cert.not_before()))
        .key("not_after").value(common::format_rfc3339(cert.not_after()))
        .key("subject_alt_names").strings(san_strings(cert))
        .key("public_key").value(cert.public_key_description())
        .key("signature_algorithm").value(cert.signature_algorithm());
    json.key("key_usage");
    if (ku) {
        json.strings(ku->names());
    } else {
        json.null();
    }
    json.key("extended_key_usage").strings(eku_names(cert))
        .key("is_ca").value(cert.is_ca())
        .key("fingerprints").begin_object()
        .key("sha256").value(cert.fingerprint(crypto::DigestAlgorithm::sha256).to_string())
        .key("sha1").value(cert.fingerprint(crypto::DigestAlgorithm::sha1).to_string())
        .key("md5").value(cert.fingerprint(crypto::DigestAlgorithm::md5).to_string())
        .end_object()
        .end_object();
}

int show(const Args& args, std::ostream& out, std::ostream& err) {
    if (args.positional().size() != 1) {
        err << "certkeeper cert show: expected one FILE\n";
        return exit_usage;
    }
    const std::string& path = args.positional()[0];
    auto certs = load_certificates(path);
    if (!certs) {
        err << "certkeeper cert show: " << certs.error().to_string() << "\n";
        return exit_usage;
    }
    if (args.flag("json")) {
        JsonWriter json;
        json.begin_array();
        for (const auto& c : *certs) write_json(c, json);
        json.end_array();
        out << json.str() << "\n";
        return exit_ok;
    }
    for (std::size_t i = 0; i < certs->size(); ++i) {
        if (certs->size() > 1) out << (i == 0 ? "" : "\n") << "Certificate " << i + 1 << " of " << certs->size() << "\n";
        print_text((*certs)[i], out);
    }
    return exit_ok;
}

}  // namespace

std::vector<Command> cert_commands() {
    return {Command{"cert", "show", "[--json] FILE",
                    "print subject, issuer, serial, validity, SANs, key and fingerprints of every "
                    "certificate in FILE (PEM or DER)",
                    "",
                    {{"json", false, false, "print a JSON array, one object per certificate"}},
                    show}};
}

}  // namespace cli
