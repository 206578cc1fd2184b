// crl_lookup_bench: times revocation::CrlIndex on one CRL file, for bench/crl_vs_openssl.sh.
//
//   crl_lookup_bench parse CRL                    load and index only (vs `openssl crl -noout`)
//   crl_lookup_bench check CRL CA_CERT LEAF       load, validate against the CA, check one leaf
//                                                 (vs `openssl verify -crl_check`)
//   crl_lookup_bench lookup CRL SERIALS [ROUNDS]  SERIALS: one hex serial per line, all listed,
//                                                 each ending in 0-7; looks each up ROUNDS times
//                                                 (default 1), and as many unlisted neighbours
//                                                 (last digit F), prints ns per lookup
// The validation time is the CRL's thisUpdate plus one hour, so the run does not depend on the
// clock. Prints "key=value" lines; exit 1 on any failure.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "ocsp-crl/crl_check.h"
#include "ocsp-crl/crl_index.h"

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of this thread in ns: on a loaded machine, wall time also counts other processes.
double cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

crypto::Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    return crypto::Bytes(std::istreambuf_iterator<char>(in), {});
}

revocation::CrlIndex load(const std::string& path) {
    const auto start = Clock::now();
    auto crl = revocation::CrlIndex::parse(read_file(path));
    if (!crl) throw std::runtime_error(crl.error().to_string());
    std::printf("parse_ms=%.1f\nentries=%zu\nmemory_bytes=%zu\n", ms_since(start),
                crl->entry_count(), crl->memory_bytes());
    return std::move(crl).value();
}

crypto::Certificate certificate(const std::string& path) {
    auto certs = crypto::Certificate::load_any(read_file(path));
    if (!certs) throw std::runtime_error(path + ": " + certs.error().to_string());
    return certs->front();
}

int check(const std::string& crl_path, const std::string& ca_path, const std::string& leaf_path) {
    const auto ca = certificate(ca_path);
    const auto leaf = certificate(leaf_path);
    const auto crl = load(crl_path);
    const auto at = crl.this_update() + std::chrono::hours(1);
    const auto start = Clock::now();
    const auto valid = revocation::validate_crl(crl, ca, at, {});
    std::printf("validate_ms=%.1f\n", ms_since(start));
    if (!valid) throw std::runtime_error(valid.error().to_string());
    // check_crl validates again; the lookup itself is what is left.
    const auto status = revocation::check_crl(crl, leaf, ca, at, {});
    std::printf("leaf=%s\n", status.describe().c_str());
    return status.is_unknown() ? 1 : 0;
}

int lookup(const std::string& crl_path, const std::string& serials_path, int rounds) {
    const auto crl = load(crl_path);
    std::vector<std::string> hex;
    std::ifstream in(serials_path);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) hex.push_back(line);
    }
    if (hex.empty()) throw std::runtime_error("no serials in " + serials_path);
    // Unlisted neighbours of the same length: the last hex digit made F (the generator lists
    // only serials ending in 0-7).
    std::vector<std::string> misses = hex;
    for (auto& s : misses) s.back() = 'F';
    const double count = static_cast<double>(hex.size()) * rounds;
    std::size_t found = 0;
    auto start = Clock::now();
    double cpu = cpu_ns();
    for (int r = 0; r < rounds; ++r) {
        for (const auto& s : hex) found += crl.find_serial_hex(s).has_value() ? 1 : 0;
    }
    const double hit_ns = ms_since(start) * 1e6 / count;
    const double hit_cpu_ns = (cpu_ns() - cpu) / count;
    std::size_t false_hits = 0;
    start = Clock::now();
    cpu = cpu_ns();
    for (int r = 0; r < rounds; ++r) {
        for (const auto& s : misses) false_hits += crl.find_serial_hex(s).has_value() ? 1 : 0;
    }
    const double miss_ns = ms_since(start) * 1e6 / count;
    const double miss_cpu_ns = (cpu_ns() - cpu) / count;
    std::printf("lookups=%zu\nfound=%zu\nfalse_hits=%zu\nhit_ns=%.0f\nmiss_ns=%.0f\n"
                "hit_cpu_ns=%.0f\nmiss_cpu_ns=%.0f\n",
                hex.size() * static_cast<std::size_t>(rounds), found, false_hits, hit_ns, miss_ns,
                hit_cpu_ns, miss_cpu_ns);
    return found == hex.size() * static_cast<std::size_t>(rounds) && false_hits == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.size() == 2 && args[0] == "parse") {
            load(args[1]);
            return 0;
        }
        if (args.size() == 4 && args[0] == "check") return check(args[1], args[2], args[3]);
        if ((args.size() == 3 || args.size() == 4) && args[0] == "lookup") {
            return lookup(args[1], args[2], args.size() == 4 ? std::stoi(args[3]) : 1);
        }
    } catch (const std::exception& e) {
        std::cerr << "crl_lookup_bench: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "usage: crl_lookup_bench parse CRL | check CRL CA_CERT LEAF | lookup CRL SERIALS "
                 "[ROUNDS]\n";
    return 2;
}
