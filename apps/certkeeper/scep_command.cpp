// certkeeper scep VERB: the SCEP client on the command line (RFC 8894).
#include <iostream>
#include <memory>

#include "command.h"
#include "common/time_format.h"
#include "crypto/csr.h"
#include "json_writer.h"
#include "output_file.h"
#include "scep/client.h"
#include "scep_options.h"
#include "transport/curl_http_client.h"

namespace cli {
namespace {

void print_cert_summary(const crypto::Certificate& c, std::ostream& out, const std::string& indent = "") {
    out << indent << "subject:     " << c.subject() << "\n"
        << indent << "issuer:      " << c.issuer() << "\n"
        << indent << "serial:      " << c.serial_hex() << "\n"
        << indent << "not after:   " << common::format_rfc3339(c.not_after()) << "\n"
        << indent << "fingerprint: " << c.fingerprint().to_string() << "\n";
}

void cert_json(JsonWriter& json, const crypto::Certificate& c) {
    json.begin_object()
        .key("subject").value(c.subject())
        .key("issuer").value(c.issuer())
        .key("serial").value(c.serial_hex())
        .key("not_before").value(common::format_rfc3339(c.not_before()))
        .key("not_after").value(common::format_rfc3339(c.not_after()))
        .key("sha256").value(c.fingerprint().to_string())
        .end_object();
}

int getcaps(const Args& args, std::ostream& out, std::ostream& err) {
    auto session = ScepSession::open(args, err);
    if (!session) return exit_usage;
    auto caps = session->client().get_ca_caps();
    if (!caps) return report_error("getcaps", caps.error(), err);
    if (args.flag("json")) {
        JsonWriter json;
        json.begin_object().key("capabilities").strings(caps->keywords())
            .key("unknown").strings(caps->unknown).end_object();
        out << json.str() << "\n";
        return exit_ok;
    }
    for (const auto& k : caps->keywords()) out << k << "\n";
    for (const auto& k : caps->unknown) out << k << " (unknown, ignored)\n";
    return exit_ok;
}

int getca(const Args& args, std::ostream& out, std::ostream& err) {
    auto session = ScepSession::open(args, err);
    if (!session) return exit_usage;
    if (!session->has_trust()) {
        if (args.value("chain-out")) {
            err << "certkeeper scep getca: --chain-out needs --fingerprint or --ca-cert: only "
                   "verified certificates are written\n";
            return exit_usage;
        }
        auto certs = session->client().get_ca_cert_unverified();
        if (!certs) return report_error("getca", certs.error(), err);
        out << "NOT VERIFIED (no --fingerprint given); compare a fingerprint out of band:\n";
        for (const auto& c : *certs) {
            out << "\n";
            print_cert_summary(c, out, "  ");
        }
        return exit_ok;
    }
    auto ca = session->client().get_ca_certificates();
    if (!ca) return report_error("getca", ca.error(), err);
    if (auto path = args.value("chain-out")) {
        std::string pem;
        for (const auto& c : ca->all) pem += c.to_pem();
        if (auto w = write_file_atomically(*path, pem, 0644); !w) {
            return report_error("getca", w.error(), err);
        }
    }
    if (args.flag("json")) {
        JsonWriter json;
        json.begin_object().key("verified").value(true).key("issuing_ca");
        cert_json(json, ca->issuing_ca);
        json.key("encryption");
        cert_json(json, ca->encryption);
        json.key("signer");
        cert_json(json, ca->signer);
        json.key("anchor");
        cert_json(json, ca->anchor);
        json.key("certificates").begin_array();
        for (const auto& c : ca->all) cert_json(json, c);
        json.end_array().end_object();
        out << json.str() << "\n";
        return exit_ok;
    }
    out << "verified: " << ca->all.size() << " certificate(s), anchor "
        << ca->anchor.fingerprint().to_string() << "\n\nissuing CA:\n";
    print_cert_summary(ca->issuing_ca, out, "  ");
    out << "encryption (RA/CA):\n";
    print_cert_summary(ca->encryption, out, "  ");
    out << "signer (RA/CA):\n";
    print_cert_summary(ca->signer, out, "  ");
    return exit_ok;
}

int getnextca(const Args& args, std::ostream& out, std::ostream& err) {
    auto session = ScepSession::open(args, err);
    if (!session) return exit_usage;
    auto ca = session->client().get_ca_certificates();
    if (!ca) return report_error("getnextca", ca.error(), err);
    auto next = session->client().get_next_ca_certificates(*ca);
    if (!next) return report_error("getnextca", next.error(), err);
    std::string pem;
    for (const auto& c : *next) {
        print_cert_summary(c, out);
        pem += c.to_pem();
    }
    if (auto path = args.value("chain-out")) {
        if (auto w = write_file_atomically(*path, pem, 0644); !w) return report_error("getnextca", w.error(), err);
    }
    return exit_ok;
}

}  // namespace

int report_enrollment(const Args& args, const scep::EnrollmentResult& result,
                      const scep::CaCertificates& ca, std::ostream& out, std::ostream& err) {
    const bool json = args.flag("json");
    if (result.status == scep::EnrollmentResult::Status::issued) {
        if (auto path = args.value("cert-out")) {
            if (auto w = write_file_atomically(*path, result.certificate->to_pem(), 0644); !w) {
                return report_error("enroll", w.error(), err);
            }
        }
        if (auto path = args.value("chain-out")) {
            std::string pem;
            for (const auto& c : ca.chain) pem += c.to_pem();
            if (auto w = write_file_atomically(*path, pem, 0644); !w) return report_error("enroll", w.error(), err);
        }
    }
    if (json) {
        JsonWriter j;
        j.begin_object().key("status").value(scep::to_string(result.status))
            .key("transaction_id").value(result.transaction_id);
        if (result.certificate) {
            j.key("certificate");
            cert_json(j, *result.certificate);
        }
        if (result.failure) {
            j.key("fail_info").value(static_cast<long long>(result.failure->code))
                .key("fail_info_text").value(result.failure->describe());
        }
        j.end_object();
        out << j.str() << "\n";
    }
    switch (result.status) {
        case scep::EnrollmentResult::Status::issued:
            if (!json) {
                out << "issued:\n";
                print_cert_summary(*result.certificate, out, "  ");
            }
            return exit_ok;
        case scep::EnrollmentResult::Status::pending:
            if (!json) {
                out << "pending: transactionID " << result.transaction_id
                    << "\n  run 'certkeeper scep poll' later with the same --key and --subject\n";
            }
            return exit_pending;
        case scep::EnrollmentResult::Status::rejected:
            if (!json) out << "rejected: " << result.failure->describe() << "\n";
            return exit_rejected;
    }
    return exit_invalid;
}

std::vector<Command> scep_commands() {
    const std::string exits =
        "exit codes: 0 success, 1 reply failed verification or made no sense, 2 bad input,\n"
        "            3 rejected by the CA (FAILURE), 4 pending (poll later with the printed\n"
        "            transactionID), 5 network error or timeout (retrying may help)\n";
    std::vector<Command> out;
    out.push_back({"scep", "getcaps", "--url URL [--ca-id ID] [--json]",
                   "print the CA's capabilities (GetCACaps)", "", scep_options({}), getcaps});
    out.push_back({"scep", "getca", "--url URL [--fingerprint sha256:...] [--chain-out FILE]",
                   "fetch the CA/RA certificates (GetCACert); verified when a fingerprint is given",
                   exits, scep_options({"chain-out"}), getca});
    out.push_back({"scep", "getnextca", "--url URL --fingerprint sha256:... [--chain-out FILE]",
                   "fetch the rollover CA certificates (GetNextCACert), signature verified", exits,
                   scep_options({"chain-out"}), getnextca});
    for (auto& c : scep_enrollment_commands(exits)) out.push_back(std::move(c));
    return out;
}

}  // namespace cli
