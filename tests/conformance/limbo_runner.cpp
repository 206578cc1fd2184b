// x509-limbo conformance runner: drives every testcase of limbo.json through
// crypto::ChainValidator and compares the outcome with expected_result and with what plain
// OpenSSL answered (results-openssl-*.json). A testcase whose constraints the validator cannot
// express is SKIPPED, never counted as passed.
//
// Testcases that carry CRLs also go through the CRL path: the chain validated without CRLs,
// then the leaf checked with revocation::check_crl against each CRL of its issuer (RFC 5280
// §6.3.3, the case's validation time): SUCCESS only for a valid chain, at least one usable CRL
// and no Revoked or Unknown answer. Printed as "limbo crl path: N/M agree"; a crl:: case that
// the ChainValidator path passes and the CRL path gets wrong fails the run.
//
// usage: limbo_runner [--min-pass N] [--list-failures] [--verbose] [--only PREFIX] LIMBO.json[.gz]
// RESULTS.json[.gz] Exit status: 0 ok; 1 fewer passes than --min-pass or a testcase crashed; 2
// usage or input error.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include "common/time_format.h"
#include "crypto/chain_validator.h"
#include "ocsp-crl/crl_check.h"
#include "ocsp-crl/crl_index.h"

namespace {

using boost::property_tree::ptree;

enum class Verdict { success, failure, skipped };

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::success:
            return "SUCCESS";
        case Verdict::failure:
            return "FAILURE";
        case Verdict::skipped:
            return "SKIPPED";
    }
    return "?";
}

Verdict parse_verdict(const std::string& s) {
    if (s == "SUCCESS")
        return Verdict::success;
    if (s == "FAILURE")
        return Verdict::failure;
    return Verdict::skipped;
}

struct Outcome {
    Verdict verdict;
    std::string reason;
};

struct Reference {
    Verdict verdict = Verdict::skipped;
    std::string context;
};

struct Options {
    std::string limbo_path;
    std::string results_path;
    std::optional<long> min_pass;
    bool list_failures = false;
    bool verbose = false;  // every testcase's outcome, not only the disagreements
    std::string only;
};

// ---- input ----------------------------------------------------------------------------------

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

// Reads a file; a .gz file is decompressed by gzip(1) (no zlib dependency).
std::string read_input(const std::string& path) {
    if (!ends_with(path, ".gz")) {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw std::runtime_error("cannot open " + path);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }
    FILE* pipe = popen(("gzip -dc " + shell_quote(path)).c_str(), "r");
    if (pipe == nullptr)
        throw std::runtime_error("cannot run gzip for " + path);
    std::string text;
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
        text.append(buf, n);
    }
    if (pclose(pipe) != 0)
        throw std::runtime_error("gzip -dc failed for " + path);
    return text;
}

ptree read_json(const std::string& path) {
    std::istringstream in(read_input(path));
    ptree tree;
    boost::property_tree::read_json(in, tree);
    return tree;
}

// A JSON array as ptree holds its elements as children with empty keys; null is "null".
std::vector<std::string> strings(const ptree& tc, const std::string& key) {
    std::vector<std::string> out;
    if (auto node = tc.get_child_optional(key)) {
        for (const auto& [name, child] : *node) {
            out.push_back(child.get_value<std::string>());
        }
    }
    return out;
}

bool is_null(const ptree& node) {
    return node.empty() && node.data() == "null";
}

struct ReferenceRun {
    std::string harness;  // e.g. "openssl-3.0.19"
    std::map<std::string, Reference> by_id;
};

ReferenceRun read_reference(const std::string& path) {
    ReferenceRun out;
    const ptree tree = read_json(path);
    out.harness = tree.get<std::string>("harness", "reference");
    for (const auto& [key, r] : tree.get_child("results")) {
        const auto context = r.get_optional<std::string>("context");
        out.by_id[r.get<std::string>("id")] = {parse_verdict(r.get<std::string>("actual_result")),
                                               context && *context != "null" ? *context : ""};
    }
    return out;
}

// ---- one testcase ---------------------------------------------------------------------------

struct Skip {
    std::string reason;
};

std::vector<crypto::Certificate> certificates(const ptree& tc, const std::string& key) {
    std::vector<crypto::Certificate> out;
    for (const auto& pem : strings(tc, key)) {
        auto cert = crypto::Certificate::from_pem(pem);
        if (!cert)
            throw std::runtime_error(key + ": " + cert.error().to_string());
        out.push_back(*cert);
    }
    return out;
}

crypto::PeerName peer_name(const ptree& node) {
    const auto kind = node.get<std::string>("kind");
    const auto value = node.get<std::string>("value");
    if (kind == "DNS")
        return {crypto::PeerName::Kind::dns, value};
    if (kind == "IP")
        return {crypto::PeerName::Kind::ip, value};
    if (kind == "RFC822")
        return {crypto::PeerName::Kind::email, value};
    throw Skip{"peer name kind " + kind};
}

// SERVER cases name the peer in expected_peer_name, CLIENT cases in expected_peer_names; the
// validator checks one name.
std::optional<crypto::PeerName> expected_peer(const ptree& tc) {
    std::vector<crypto::PeerName> names;
    if (auto one = tc.get_child_optional("expected_peer_name"); one && !is_null(*one)) {
        names.push_back(peer_name(*one));
    }
    if (auto many = tc.get_child_optional("expected_peer_names")) {
        for (const auto& [key, child] : *many) {
            names.push_back(peer_name(child));
        }
    }
    if (names.size() > 1)
        throw Skip{"more than one expected peer name"};
    if (names.empty())
        return std::nullopt;
    return names.front();
}

crypto::SystemTime validation_time(const ptree& tc) {
    const auto text = tc.get<std::string>("validation_time", "null");
    if (text == "null") {
        return std::chrono::system_clock::now();  // limbo: absent means "now"
    }
    auto t = common::parse_rfc3339(text);
    if (!t)
        throw std::runtime_error("validation_time: " + t.error().to_string());
    return *t;
}

void set_usages(const ptree& tc, crypto::ValidationOptions& options) {
    for (const auto& name : strings(tc, "key_usage")) {
        auto usage = crypto::parse_key_usage(name);
        if (!usage)
            throw Skip{"key usage " + name};
        options.required_key_usage.add(*usage);
    }
    for (const auto& name : strings(tc, "extended_key_usage")) {
        auto oid = crypto::parse_extended_key_usage(name);
        if (!oid)
            throw Skip{"extended key usage " + name};
        options.required_extended_key_usage.push_back(*oid);
    }
}

crypto::ValidationOptions validation_options(const ptree& tc) {
    if (!strings(tc, "signature_algorithms").empty()) {
        throw Skip{"signature_algorithms constraints are not expressible"};
    }
    const auto kind = tc.get<std::string>("validation_kind");
    if (kind != "SERVER" && kind != "CLIENT")
        throw Skip{"validation_kind " + kind};
    crypto::ValidationOptions options;
    options.time = validation_time(tc);
    options.expected_peer_name = expected_peer(tc);
    set_usages(tc, options);
    // A SERVER case validates a TLS server's certificate, a CLIENT case a TLS client's: without
    // an explicit extended_key_usage list, that purpose is the requirement (as in the Go, pyca
    // and webpki harnesses).
    if (options.required_extended_key_usage.empty()) {
        options.required_extended_key_usage.emplace_back(
            kind == "SERVER" ? crypto::eku::server_auth : crypto::eku::client_auth);
    }
    const auto depth = tc.get<std::string>("max_chain_depth", "null");
    if (depth != "null")
        options.max_intermediates = std::stoi(depth);
    for (const auto& pem : strings(tc, "crls")) {
        auto crl = crypto::Crl::from_pem(pem);
        if (!crl)
            throw std::runtime_error("crls: " + crl.error().to_string());
        options.crls.push_back(*crl);
    }
    return options;
}

Outcome evaluate(const ptree& tc) {
    try {
        const auto options = validation_options(tc);
        const auto anchors = certificates(tc, "trusted_certs");
        const auto untrusted = certificates(tc, "untrusted_intermediates");
        auto leaf = crypto::Certificate::from_pem(tc.get<std::string>("peer_certificate"));
        if (!leaf)
            return {Verdict::failure, "peer_certificate: " + leaf.error().to_string()};
        const crypto::ChainValidator validator(anchors);
        auto path = validator.validate(*leaf, untrusted, options);
        if (path)
            return {Verdict::success, ""};
        return {Verdict::failure, path.error().to_string()};
    } catch (const Skip& skip) {
        return {Verdict::skipped, skip.reason};
    }
}

// ---- the CRL path ---------------------------------------------------------------------------

Outcome evaluate_crl_path(const ptree& tc) {
    try {
        auto options = validation_options(tc);
        options.crls.clear();
        const auto anchors = certificates(tc, "trusted_certs");
        const auto untrusted = certificates(tc, "untrusted_intermediates");
        auto leaf = crypto::Certificate::from_pem(tc.get<std::string>("peer_certificate"));
        if (!leaf)
            return {Verdict::failure, "peer_certificate: " + leaf.error().to_string()};
        const crypto::ChainValidator validator(anchors);
        auto path = validator.validate(*leaf, untrusted, options);
        if (!path)
            return {Verdict::failure, "chain: " + path.error().to_string()};
        if (path->size() < 2)
            return {Verdict::failure, "the leaf is itself a trust anchor"};
        const crypto::Certificate& issuer = (*path)[1];
        std::vector<revocation::CrlIndex> crls;
        for (const auto& pem : strings(tc, "crls")) {
            auto crl = revocation::CrlIndex::parse(crypto::Bytes(pem.begin(), pem.end()));
            if (!crl)
                return {Verdict::failure, "crls: " + crl.error().to_string()};
            // CRLs of other issuers are not evidence about this leaf; check_crl would say so.
            if (crl->issuer() == issuer.subject())
                crls.push_back(*crl);
        }
        if (crls.empty())
            return {Verdict::failure, "no CRL from " + issuer.subject()};
        for (const auto& crl : crls) {
            const auto status = revocation::check_crl(crl, *leaf, issuer, options.time, {});
            if (!status.is_good())
                return {Verdict::failure, status.describe()};
        }
        return {Verdict::success, ""};
    } catch (const Skip& skip) {
        return {Verdict::skipped, skip.reason};
    }
}

struct CrlPathTally {
    long cases = 0;
    long agree = 0;
    long skipped = 0;
    long regressions = 0;  // crl:: cases the ChainValidator path passes and the CRL path fails
};

// ---- report ---------------------------------------------------------------------------------

struct Tally {
    long cases = 0;
    long passed = 0;
    long failed = 0;
    long skipped = 0;
    long ossl_passed = 0;
    long ossl_failed = 0;
    long ossl_skipped = 0;

    void add(Verdict expected, Verdict ours, Verdict openssl) {
        ++cases;
        (ours == Verdict::skipped ? skipped : ours == expected ? passed : failed) += 1;
        (openssl == Verdict::skipped ? ossl_skipped
         : openssl == expected       ? ossl_passed
                                     : ossl_failed) += 1;
    }
};

void print_row(const std::string& name, const Tally& t) {
    std::cout << std::left << std::setw(14) << name << std::right << std::setw(7) << t.cases
              << std::setw(9) << t.passed << std::setw(7) << t.failed << std::setw(7) << t.skipped
              << std::setw(12) << t.ossl_passed << std::setw(7) << t.ossl_failed << std::setw(7)
              << t.ossl_skipped << "\n";
}

void print_table(const std::map<std::string, Tally>& categories, const Tally& total,
                 const std::string& harness) {
    std::cout << "ours: crypto::ChainValidator; ossl: " << harness << "\n";
    std::cout << std::left << std::setw(14) << "category" << std::right << std::setw(7) << "cases"
              << std::setw(9) << "pass" << std::setw(7) << "fail" << std::setw(7) << "skip"
              << std::setw(12) << "ossl pass" << std::setw(7) << "fail" << std::setw(7) << "skip"
              << "\n";
    for (const auto& [name, tally] : categories) {
        print_row(name, tally);
    }
    print_row("total", total);
}

std::optional<Options> parse_arguments(int argc, char** argv) {
    Options options;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--list-failures") {
            options.list_failures = true;
        } else if (arg == "--verbose") {
            options.verbose = true;
        } else if ((arg == "--min-pass" || arg == "--only") && i + 1 < argc) {
            const std::string value = argv[++i];
            if (arg == "--only") {
                options.only = value;
            } else {
                options.min_pass = std::stol(value);
            }
        } else if (!arg.empty() && arg[0] == '-') {
            return std::nullopt;
        } else {
            positional.push_back(arg);
        }
    }
    if (positional.size() != 2)
        return std::nullopt;
    options.limbo_path = positional[0];
    options.results_path = positional[1];
    return options;
}

int run(const Options& options) {
    const ptree limbo = read_json(options.limbo_path);
    const auto reference = read_reference(options.results_path);
    std::map<std::string, Tally> categories;
    Tally total;
    CrlPathTally crl_path;
    long crashes = 0;
    for (const auto& [key, tc] : limbo.get_child("testcases")) {
        const auto id = tc.get<std::string>("id");
        if (id.compare(0, options.only.size(), options.only) != 0)
            continue;
        const Verdict expected = parse_verdict(tc.get<std::string>("expected_result"));
        Outcome ours{Verdict::failure, ""};
        try {
            ours = evaluate(tc);
        } catch (const std::exception& e) {
            ++crashes;
            ours = {Verdict::failure, std::string("CRASH: ") + e.what()};
            std::cerr << "crash: " << id << ": " << e.what() << "\n";
        }
        const auto it = reference.by_id.find(id);
        const Reference openssl = it != reference.by_id.end() ? it->second : Reference{};
        categories[id.substr(0, id.find("::"))].add(expected, ours.verdict, openssl.verdict);
        total.add(expected, ours.verdict, openssl.verdict);
        const bool disagrees = ours.verdict != Verdict::skipped && ours.verdict != expected;
        if (!strings(tc, "crls").empty()) {
            Outcome crl{Verdict::failure, ""};
            try {
                crl = evaluate_crl_path(tc);
            } catch (const std::exception& e) {
                ++crashes;
                crl = {Verdict::failure, std::string("CRASH: ") + e.what()};
                std::cerr << "crash (crl path): " << id << ": " << e.what() << "\n";
            }
            ++crl_path.cases;
            crl_path.skipped += crl.verdict == Verdict::skipped ? 1 : 0;
            crl_path.agree += crl.verdict == expected ? 1 : 0;
            const bool regression = id.rfind("crl::", 0) == 0 && ours.verdict == expected &&
                                    crl.verdict != Verdict::skipped && crl.verdict != expected;
            crl_path.regressions += regression ? 1 : 0;
            if (options.verbose || regression || (options.list_failures && crl.verdict != expected)) {
                std::cout << (crl.verdict == expected ? "PASS " : "FAIL ") << "(crl path) " << id
                          << ": expected " << to_string(expected) << ", got "
                          << to_string(crl.verdict)
                          << (crl.reason.empty() ? "" : " (" + crl.reason + ")") << "\n";
            }
        }
        if (options.verbose || (options.list_failures && disagrees)) {
            std::cout << (disagrees                          ? "FAIL "
                          : ours.verdict == Verdict::skipped ? "SKIP "
                                                             : "PASS ")
                      << id << ": expected " << to_string(expected) << ", got "
                      << to_string(ours.verdict)
                      << (ours.reason.empty() ? "" : " (" + ours.reason + ")") << "; "
                      << reference.harness << " " << to_string(openssl.verdict)
                      << (openssl.context.empty() ? "" : " (" + openssl.context + ")") << "\n";
        }
    }
    print_table(categories, total, reference.harness);
    if (crashes > 0)
        std::cout << crashes << " testcase(s) crashed\n";
    std::cout << "limbo: " << total.passed << " passed, " << total.failed << " failed, "
              << total.skipped << " skipped\n";
    std::cout << "limbo crl path: " << crl_path.agree << "/" << crl_path.cases << " agree"
              << (crl_path.skipped > 0 ? ", " + std::to_string(crl_path.skipped) + " skipped" : "")
              << "\n";
    if (crl_path.regressions > 0)
        std::cout << crl_path.regressions
                  << " crl:: testcase(s) pass the ChainValidator path but not the CRL path\n";
    const bool enough = !options.min_pass || total.passed >= *options.min_pass;
    if (!enough)
        std::cout << "fewer than " << *options.min_pass << " passes\n";
    return enough && crashes == 0 && crl_path.regressions == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse_arguments(argc, argv);
    if (!options) {
        std::cerr
            << "usage: limbo_runner [--min-pass N] [--list-failures] [--verbose] [--only PREFIX] "
               "LIMBO.json[.gz] RESULTS.json[.gz]\n";
        return 2;
    }
    try {
        return run(*options);
    } catch (const std::exception& e) {
        std::cerr << "limbo_runner: " << e.what() << "\n";
        return 2;
    }
}
