#include "ocsp-crl/crl_index.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"
#include "crypto/ossl_util.h"
#include "ocsp-crl/der_reader.h"
#include "ocsp-crl/raw_signature.h"

namespace revocation {
namespace {

using crypto::Bytes;
using crypto::ByteView;
using IssuingDistPointPtr = crypto::OsslPtr<ISSUING_DIST_POINT, ISSUING_DIST_POINT_free>;
using AuthorityKeyIdPtr = crypto::OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;

constexpr std::size_t max_serial_octets = 255;
constexpr std::size_t max_crl_extensions = 64;
constexpr std::size_t max_listed_oids = 32;

// Where a part of the DER lies; views into Data::der are rebuilt from these.
struct Range {
    std::size_t offset = 0;
    std::size_t size = 0;
};

// One index record per entry: 16 bytes, no pointers. Ordered by (serial length, serial octets,
// position in the DER), which puts the first of duplicate serials first.
struct IndexRecord {
    std::uint64_t prefix;         // first 8 serial octets, big-endian, zero-padded
    std::uint32_t entry_offset;   // the entry's SEQUENCE in der
    std::uint8_t serial_length;   // content octets of the serial INTEGER
    std::uint8_t serial_skip;     // from entry_offset to the first serial octet
    std::uint16_t unused;
};
static_assert(sizeof(IndexRecord) == 16);

std::uint64_t prefix_of(ByteView serial) {
    std::uint64_t prefix = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        prefix = (prefix << 8) | (i < serial.size() ? serial[i] : 0u);
    }
    return prefix;
}

// id-ce (2.5.29) extensions are 55 1D xx.
constexpr std::uint8_t id_ce_crl_number = 0x14;
constexpr std::uint8_t id_ce_reason_code = 0x15;
constexpr std::uint8_t id_ce_hold_instruction = 0x17;
constexpr std::uint8_t id_ce_invalidity_date = 0x18;
constexpr std::uint8_t id_ce_delta_crl_indicator = 0x1b;
constexpr std::uint8_t id_ce_issuing_distribution_point = 0x1c;
constexpr std::uint8_t id_ce_authority_key_identifier = 0x23;

// The last arc of an id-ce OID, or 0 for any other OID.
std::uint8_t id_ce_arc(ByteView oid) {
    return oid.size() == 3 && oid[0] == 0x55 && oid[1] == 0x1d && oid[2] < 0x80 ? oid[2] : 0;
}

std::string oid_text(ByteView oid_element) {
    const unsigned char* p = oid_element.data();
    crypto::Asn1ObjectPtr obj(d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(oid_element.size())));
    char text[128];
    const int n = obj ? OBJ_obj2txt(text, sizeof text, obj.get(), 1) : 0;
    crypto::clear_openssl_errors();
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof text) return "(unreadable OID)";
    return text;
}

void add_once(std::vector<std::string>& list, std::string oid) {
    if (list.size() < max_listed_oids && std::find(list.begin(), list.end(), oid) == list.end()) {
        list.push_back(std::move(oid));
    }
}

struct Extension {
    der::Element oid;
    bool critical = false;
    ByteView value;  // the content of extnValue
};

// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
std::optional<Extension> read_extension(der::Reader& list) {
    const auto seq = list.next(der::tag_sequence);
    if (!seq) return std::nullopt;
    der::Reader r(seq->content);
    Extension ext;
    const auto oid = r.next(der::tag_oid);
    if (!oid || oid->content.empty()) return std::nullopt;
    ext.oid = *oid;
    if (const auto critical = r.next_if(der::tag_boolean)) {
        // DER writes TRUE as FF and omits FALSE; an explicit 00 is tolerated.
        if (critical->content.size() != 1) return std::nullopt;
        if (critical->content[0] != 0x00 && critical->content[0] != 0xff) return std::nullopt;
        ext.critical = critical->content[0] == 0xff;
    }
    const auto value = r.next(der::tag_octet_string);
    if (!value || !r.empty() || r.failed()) return std::nullopt;
    ext.value = value->content;
    return ext;
}

// CRLReason ::= ENUMERATED inside the extnValue.
std::optional<int> decode_reason(ByteView value) {
    der::Reader r(value);
    const auto e = r.next(der::tag_enumerated);
    if (!e || !r.empty() || e->content.size() != 1 || (e->content[0] & 0x80) != 0) {
        return std::nullopt;
    }
    return e->content[0];
}

struct ParsedEntry {
    der::Element serial;
    common::SystemTime revocation_time;
    std::optional<int> reason;
};

// One revokedCertificates entry (its SEQUENCE content). Unknown critical extensions go to
// `unknown` when it is not null. Returns an error description or nullptr.
const char* parse_entry(ByteView content, ParsedEntry& out, std::vector<std::string>* unknown) {
    der::Reader r(content);
    const auto serial = r.next(der::tag_integer);
    if (!serial) return r.truncated() ? "truncated entry" : "malformed serial number in an entry";
    if (!der::is_minimal_integer(serial->content)) return "serial number not minimally encoded";
    if (serial->content.size() > max_serial_octets) return "serial number over 255 octets";
    out.serial = *serial;
    const auto date = r.next();
    if (!date) return r.truncated() ? "truncated entry" : "malformed revocationDate";
    const auto time = der::parse_time(date->tag, date->content);
    if (!time) return "malformed revocationDate";
    out.revocation_time = *time;
    out.reason.reset();
    if (r.empty()) return nullptr;
    const auto extensions = r.next(der::tag_sequence);
    if (!extensions || !r.empty()) return "malformed entry extensions";
    der::Reader list(extensions->content);
    unsigned seen = 0;
    while (!list.empty()) {
        const auto ext = read_extension(list);
        if (!ext) return "malformed entry extension";
        const std::uint8_t arc = id_ce_arc(ext->oid.content);
        if (arc == id_ce_reason_code || arc == id_ce_invalidity_date ||
            arc == id_ce_hold_instruction) {
            const unsigned bit = 1u << (arc - id_ce_reason_code);
            if ((seen & bit) != 0) return "repeated entry extension";
            seen |= bit;
            if (arc == id_ce_reason_code) {
                out.reason = decode_reason(ext->value);
                if (!out.reason) return "malformed reasonCode";
            }
        } else if (ext->critical && unknown != nullptr) {
            add_once(*unknown, oid_text(ext->oid.whole));
        }
    }
    return nullptr;
}

}  // namespace

// The records of one serial length: index[begin, end). With bits > 0, bucket b of the table
// starts at buckets[table + b]: the records whose prefix, after the `shift` leading bits all of
// them share, starts with b in its top `bits` bits. A lookup then binary-searches a handful of
// records instead of a million.
struct LengthClass {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    std::uint32_t table = 0;
    std::uint8_t length = 0;
    std::uint8_t shift = 0;
    std::uint8_t bits = 0;

    std::uint64_t bucket(std::uint64_t prefix) const { return (prefix << shift) >> (64 - bits); }
};

struct CrlIndex::Data {
    Bytes der;
    std::vector<IndexRecord> index;
    std::vector<LengthClass> classes;  // by length
    std::vector<std::uint32_t> buckets;
    int version = 1;
    Range tbs;            // TBSCertList, whole element: the signed bytes
    Range tbs_algorithm;  // signature inside TBSCertList, whole element
    Range algorithm;      // signatureAlgorithm, whole element
    Range signature;      // signatureValue content (unused-bits octet first)
    Range issuer;         // issuer Name, whole element
    std::string issuer_text;
    common::SystemTime this_update;
    std::optional<common::SystemTime> next_update;
    std::optional<std::string> crl_number_hex;
    bool crl_number_critical = false;
    bool delta = false;
    std::optional<Bytes> authority_key_id;
    std::optional<IssuingDistributionPoint> idp;
    std::vector<std::string> unknown_critical;
    std::vector<std::string> unknown_critical_entry;

    ByteView view(Range r) const { return ByteView(der).subspan(r.offset, r.size); }
    Range range_of(ByteView part) const {
        return {static_cast<std::size_t>(part.data() - der.data()), part.size()};
    }
    ByteView serial_of(const IndexRecord& rec) const {
        return ByteView(der).subspan(std::size_t{rec.entry_offset} + rec.serial_skip,
                                     rec.serial_length);
    }

    common::Result<void> parse();
    common::Result<void> parse_entries(ByteView revoked);
    void build_buckets();
    common::Result<void> parse_extensions(ByteView extensions);
    common::Result<void> parse_extension(const Extension& ext);
    common::Result<void> parse_idp(ByteView value);
};

namespace {

common::Unexpected malformed(const der::Reader& r, std::string_view what) {
    return common::fail(common::Errc::parse, std::string("CRL: ") +
                                                 (r.truncated() ? "truncated DER in "
                                                                : "malformed DER in ") +
                                                 std::string(what));
}

common::Unexpected invalid(std::string_view what) {
    return common::fail(common::Errc::parse, "CRL: " + std::string(what));
}

bool record_less(const IndexRecord& a, const IndexRecord& b, const Bytes& der) {
    if (a.serial_length != b.serial_length) return a.serial_length < b.serial_length;
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    if (a.serial_length > 8) {
        const int c = std::memcmp(der.data() + a.entry_offset + a.serial_skip + 8,
                                  der.data() + b.entry_offset + b.serial_skip + 8,
                                  a.serial_length - 8u);
        if (c != 0) return c < 0;
    }
    return a.entry_offset < b.entry_offset;
}

bool outer_sequence_spans(ByteView data) {
    der::Reader r(data);
    return r.next(der::tag_sequence) && r.empty();
}

// The first "X509 CRL" block of a PEM text.
common::Result<Bytes> pem_to_der(ByteView data) {
    const std::string_view text = crypto::as_chars(data);
    constexpr std::string_view begin = "-----BEGIN X509 CRL-----";
    constexpr std::string_view end = "-----END X509 CRL-----";
    const auto b = text.find(begin);
    if (b == std::string_view::npos) return invalid("no X509 CRL block in PEM text");
    const auto e = text.find(end, b + begin.size());
    if (e == std::string_view::npos) return invalid("PEM block without its END line");
    const std::string_view base64 = text.substr(b + begin.size(), e - b - begin.size());
    // EVP_DecodeUpdate skips line breaks and is several times faster than a portable decoder,
    // which matters for a 50 MB PEM CRL.
    crypto::OsslPtr<EVP_ENCODE_CTX, EVP_ENCODE_CTX_free> ctx(EVP_ENCODE_CTX_new());
    if (!ctx) return crypto::openssl_error(common::Errc::crypto, "CRL: PEM");
    EVP_DecodeInit(ctx.get());
    Bytes der(base64.size() / 4 * 3 + 80);
    std::size_t total = 0;
    constexpr std::size_t chunk = 1u << 20;
    for (std::size_t pos = 0; pos < base64.size(); pos += chunk) {
        const std::size_t n = std::min(chunk, base64.size() - pos);
        int out = 0;
        if (EVP_DecodeUpdate(ctx.get(), der.data() + total, &out,
                             reinterpret_cast<const unsigned char*>(base64.data() + pos),
                             static_cast<int>(n)) < 0) {
            crypto::clear_openssl_errors();
            return invalid("malformed base64 in PEM");
        }
        total += static_cast<std::size_t>(out);
    }
    int out = 0;
    if (EVP_DecodeFinal(ctx.get(), der.data() + total, &out) < 0) {
        crypto::clear_openssl_errors();
        return invalid("malformed base64 in PEM");
    }
    der.resize(total + static_cast<std::size_t>(out));
    return der;
}

}  // namespace

common::Result<CrlIndex> CrlIndex::parse(Bytes data) {
    if (data.empty()) return invalid("empty input");
    if (data.size() >= std::numeric_limits<std::uint32_t>::max()) {
        return common::fail(common::Errc::unsupported, "CRL: input of 4 GiB or more");
    }
    if (data[0] != der::tag_sequence || !outer_sequence_spans(data)) {
        const std::string_view text = crypto::as_chars(data);
        if (text.find("-----BEGIN ") != std::string_view::npos) {
            auto der = pem_to_der(data);
            if (!der) return der.error();
            data = std::move(*der);
        }
    }
    auto parsed = std::make_shared<Data>();
    parsed->der = std::move(data);
    if (auto ok = parsed->parse(); !ok) return ok.error();
    return CrlIndex(std::move(parsed));
}

common::Result<void> CrlIndex::Data::parse() {
    der::Reader top(der);
    const auto list = top.next(der::tag_sequence);
    if (!list) return malformed(top, "CertificateList");
    if (!top.empty()) return invalid("trailing data after the DER");
    der::Reader outer(list->content);
    const auto tbs_el = outer.next(der::tag_sequence);
    if (!tbs_el) return malformed(outer, "TBSCertList");
    const auto alg_el = outer.next(der::tag_sequence);
    if (!alg_el) return malformed(outer, "signatureAlgorithm");
    const auto sig_el = outer.next(der::tag_bit_string);
    if (!sig_el) return malformed(outer, "signatureValue");
    if (!outer.empty()) return invalid("unexpected data after signatureValue");
    tbs = range_of(tbs_el->whole);
    algorithm = range_of(alg_el->whole);
    signature = range_of(sig_el->content);

    der::Reader r(tbs_el->content);
    if (const auto v = r.next_if(der::tag_integer)) {
        if (v->content.size() != 1 || v->content[0] > 1) {
            return common::fail(common::Errc::unsupported,
                                "CRL: unsupported version (only v1 and v2 are defined)");
        }
        version = v->content[0] + 1;
    } else if (r.failed()) {
        return malformed(r, "version");
    }
    const auto tbs_alg = r.next(der::tag_sequence);
    if (!tbs_alg) return malformed(r, "signature");
    tbs_algorithm = range_of(tbs_alg->whole);
    const auto issuer_el = r.next(der::tag_sequence);
    if (!issuer_el) return malformed(r, "issuer");
    issuer = range_of(issuer_el->whole);
    {
        const unsigned char* p = issuer_el->whole.data();
        crypto::X509NamePtr name(
            d2i_X509_NAME(nullptr, &p, static_cast<long>(issuer_el->whole.size())));
        crypto::clear_openssl_errors();
        if (!name || p != issuer_el->whole.data() + issuer_el->whole.size()) {
            return invalid("malformed issuer name");
        }
        issuer_text = crypto::detail::name_to_string(name.get());
    }
    const auto this_el = r.next();
    if (!this_el) return malformed(r, "thisUpdate");
    const auto this_time = der::parse_time(this_el->tag, this_el->content);
    if (!this_time) return invalid("malformed thisUpdate");
    this_update = *this_time;
    if (!r.empty() && (r.peek_tag() == der::tag_utc_time ||
                       r.peek_tag() == der::tag_generalized_time)) {
        const auto next_el = r.next();
        if (!next_el) return malformed(r, "nextUpdate");
        next_update = der::parse_time(next_el->tag, next_el->content);
        if (!next_update) return invalid("malformed nextUpdate");
    }
    if (const auto revoked = r.next_if(der::tag_sequence)) {
        if (auto ok = parse_entries(revoked->content); !ok) return ok;
    } else if (r.failed()) {
        return malformed(r, "revokedCertificates");
    }
    if (const auto extensions = r.next_if(der::tag_context_0)) {
        if (version != 2) return invalid("v1 CRL with extensions");
        if (auto ok = parse_extensions(extensions->content); !ok) return ok;
    } else if (r.failed()) {
        return malformed(r, "crlExtensions");
    }
    if (!r.empty()) return invalid("unexpected data at the end of TBSCertList");
    return {};
}

common::Result<void> CrlIndex::Data::parse_entries(ByteView revoked) {
    std::size_t count = 0;
    for (der::Reader r(revoked); !r.empty(); ++count) {
        if (!r.next(der::tag_sequence)) return malformed(r, "revokedCertificates");
    }
    index.reserve(count);
    ParsedEntry entry;
    for (der::Reader r(revoked); !r.empty();) {
        const auto el = r.next(der::tag_sequence);
        if (!el) return malformed(r, "revokedCertificates");
        if (const char* error = parse_entry(el->content, entry, &unknown_critical_entry)) {
            return invalid(std::string(error) + " (entry " + std::to_string(index.size() + 1) +
                           ")");
        }
        const ByteView serial = entry.serial.content;
        index.push_back({prefix_of(serial), static_cast<std::uint32_t>(el->whole.data() - der.data()),
                         static_cast<std::uint8_t>(serial.size()),
                         static_cast<std::uint8_t>(serial.data() - el->whole.data()), 0});
    }
    const auto less = [this](const IndexRecord& a, const IndexRecord& b) {
        return record_less(a, b, der);
    };
    if (!std::is_sorted(index.begin(), index.end(), less)) {
        std::sort(index.begin(), index.end(), less);
    }
    build_buckets();
    return {};
}

void CrlIndex::Data::build_buckets() {
    constexpr std::size_t min_records = 64;  // below this, a plain binary search is as fast
    for (std::size_t i = 0; i < index.size();) {
        LengthClass c;
        c.length = index[i].serial_length;
        std::size_t j = i;
        while (j < index.size() && index[j].serial_length == c.length) ++j;
        c.begin = static_cast<std::uint32_t>(i);
        c.end = static_cast<std::uint32_t>(j);
        const std::uint64_t low = index[i].prefix;
        const std::uint64_t high = index[j - 1].prefix;
        if (j - i >= min_records && low != high) {
            // About four records per bucket, at most 2^20 buckets (4 MiB).
            c.shift = static_cast<std::uint8_t>(std::countl_zero(low ^ high));
            c.bits = static_cast<std::uint8_t>(
                std::min<std::size_t>(20, std::bit_width((j - i) / 4)));
            c.table = static_cast<std::uint32_t>(buckets.size());
            const std::size_t count = (std::size_t{1} << c.bits) + 1;
            buckets.reserve(buckets.size() + count);
            std::size_t r = i;
            for (std::uint64_t b = 0; b < count; ++b) {
                while (r < j && c.bucket(index[r].prefix) < b) ++r;
                buckets.push_back(static_cast<std::uint32_t>(r));
            }
        }
        classes.push_back(c);
        i = j;
    }
}

common::Result<void> CrlIndex::Data::parse_extensions(ByteView extensions) {
    der::Reader outer(extensions);
    const auto seq = outer.next(der::tag_sequence);
    if (!seq || !outer.empty()) return malformed(outer, "crlExtensions");
    std::vector<ByteView> seen;
    for (der::Reader list(seq->content); !list.empty();) {
        const auto ext = read_extension(list);
        if (!ext) return malformed(list, "a CRL extension");
        const ByteView oid = ext->oid.content;
        const auto same = [oid](ByteView o) { return std::ranges::equal(o, oid); };
        if (std::find_if(seen.begin(), seen.end(), same) != seen.end()) {
            return invalid("extension " + oid_text(ext->oid.whole) + " appears twice");
        }
        if (seen.size() == max_crl_extensions) return invalid("more than 64 CRL extensions");
        seen.push_back(oid);
        if (auto ok = parse_extension(*ext); !ok) return ok;
    }
    return {};
}

common::Result<void> CrlIndex::Data::parse_extension(const Extension& ext) {
    switch (id_ce_arc(ext.oid.content)) {
        case id_ce_crl_number: {
            der::Reader r(ext.value);
            const auto number = r.next(der::tag_integer);
            if (!number || !r.empty() || !der::is_minimal_integer(number->content)) {
                return invalid("malformed cRLNumber");
            }
            const unsigned char* p = number->whole.data();
            crypto::Asn1IntegerPtr value(
                d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(number->whole.size())));
            crypto::clear_openssl_errors();
            if (!value) return invalid("malformed cRLNumber");
            crl_number_hex = crypto::detail::asn1_integer_to_hex(value.get());
            crl_number_critical = ext.critical;
            return {};
        }
        case id_ce_delta_crl_indicator:
            delta = true;
            return {};
        case id_ce_issuing_distribution_point:
            return parse_idp(ext.value);
        case id_ce_authority_key_identifier: {
            const unsigned char* p = ext.value.data();
            AuthorityKeyIdPtr aki(
                d2i_AUTHORITY_KEYID(nullptr, &p, static_cast<long>(ext.value.size())));
            crypto::clear_openssl_errors();
            if (!aki || p != ext.value.data() + ext.value.size()) {
                return invalid("malformed authorityKeyIdentifier");
            }
            if (aki->keyid != nullptr) {
                const auto* id = ASN1_STRING_get0_data(aki->keyid);
                authority_key_id = Bytes(id, id + ASN1_STRING_length(aki->keyid));
            }
            return {};
        }
        default:
            if (ext.critical) add_once(unknown_critical, oid_text(ext.oid.whole));
            return {};
    }
}

common::Result<void> CrlIndex::Data::parse_idp(ByteView value) {
    const unsigned char* p = value.data();
    IssuingDistPointPtr decoded(d2i_ISSUING_DIST_POINT(nullptr, &p, static_cast<long>(value.size())));
    crypto::clear_openssl_errors();
    if (!decoded || p != value.data() + value.size()) {
        return invalid("malformed issuingDistributionPoint");
    }
    IssuingDistributionPoint out;
    if (const DIST_POINT_NAME* name = decoded->distpoint) {
        out.has_name = true;
        if (name->type == 0 && name->name.fullname != nullptr) {
            for (const auto& san : crypto::detail::general_names_to_sans(name->name.fullname)) {
                if (san.type == crypto::SubjectAltName::Type::uri) out.uris.push_back(san.value);
            }
        }
    }
    out.only_user_certs = decoded->onlyuser != 0;
    out.only_ca_certs = decoded->onlyCA != 0;
    out.only_attribute_certs = decoded->onlyattr != 0;
    out.indirect_crl = decoded->indirectCRL != 0;
    if (decoded->onlysomereasons != nullptr) {
        std::uint32_t bits = 0;
        for (int bit = 0; bit < 32; ++bit) {
            if (ASN1_BIT_STRING_get_bit(decoded->onlysomereasons, bit) != 0) bits |= 1u << bit;
        }
        out.only_some_reasons = bits;
    }
    idp = std::move(out);
    return {};
}

int CrlIndex::version() const { return m_data->version; }
std::string CrlIndex::issuer() const { return m_data->issuer_text; }
crypto::ByteView CrlIndex::issuer_der() const { return m_data->view(m_data->issuer); }
common::SystemTime CrlIndex::this_update() const { return m_data->this_update; }
std::optional<common::SystemTime> CrlIndex::next_update() const { return m_data->next_update; }
std::optional<std::string> CrlIndex::crl_number_hex() const { return m_data->crl_number_hex; }
bool CrlIndex::crl_number_critical() const { return m_data->crl_number_critical; }
bool CrlIndex::is_delta() const { return m_data->delta; }
std::optional<crypto::Bytes> CrlIndex::authority_key_id() const { return m_data->authority_key_id; }
const std::optional<IssuingDistributionPoint>& CrlIndex::issuing_distribution_point() const {
    return m_data->idp;
}
const std::vector<std::string>& CrlIndex::unknown_critical_extensions() const {
    return m_data->unknown_critical;
}
const std::vector<std::string>& CrlIndex::unknown_critical_entry_extensions() const {
    return m_data->unknown_critical_entry;
}
std::size_t CrlIndex::entry_count() const { return m_data->index.size(); }
crypto::ByteView CrlIndex::der() const { return m_data->der; }
std::size_t CrlIndex::memory_bytes() const {
    return m_data->der.capacity() + m_data->index.capacity() * sizeof(IndexRecord) +
           m_data->classes.capacity() * sizeof(LengthClass) +
           m_data->buckets.capacity() * sizeof(std::uint32_t);
}

std::optional<CrlEntry> CrlIndex::find_serial(crypto::ByteView serial) const {
    // Tolerate redundant sign octets from the caller.
    while (serial.size() > 1 && ((serial[0] == 0x00 && (serial[1] & 0x80) == 0) ||
                                 (serial[0] == 0xff && (serial[1] & 0x80) != 0))) {
        serial = serial.subspan(1);
    }
    if (serial.empty() || serial.size() > max_serial_octets) return std::nullopt;
    const Data& d = *m_data;
    const std::uint64_t prefix = prefix_of(serial);
    const auto compare = [&](const IndexRecord& rec) {
        if (rec.serial_length != serial.size()) return rec.serial_length < serial.size() ? -1 : 1;
        if (rec.prefix != prefix) return rec.prefix < prefix ? -1 : 1;
        if (serial.size() <= 8) return 0;
        return std::memcmp(d.serial_of(rec).data() + 8, serial.data() + 8, serial.size() - 8);
    };
    const auto cls = std::partition_point(
        d.classes.begin(), d.classes.end(),
        [&](const LengthClass& c) { return c.length < serial.size(); });
    if (cls == d.classes.end() || cls->length != serial.size()) return std::nullopt;
    auto first = d.index.begin() + cls->begin;
    auto last = d.index.begin() + cls->end;
    if (cls->bits > 0) {
        if (prefix < first->prefix || prefix > (last - 1)->prefix) return std::nullopt;
        const std::size_t b = cls->table + cls->bucket(prefix);
        last = d.index.begin() + d.buckets[b + 1];
        first = d.index.begin() + d.buckets[b];
    }
    const auto it = std::partition_point(first, last,
                                         [&](const IndexRecord& rec) { return compare(rec) < 0; });
    if (it == last || compare(*it) != 0) return std::nullopt;
    der::Reader r(ByteView(d.der).subspan(it->entry_offset));
    const auto entry = r.next(der::tag_sequence);
    ParsedEntry parsed;
    if (!entry || parse_entry(entry->content, parsed, nullptr) != nullptr) return std::nullopt;
    return CrlEntry{parsed.revocation_time, parsed.reason};
}

std::optional<CrlEntry> CrlIndex::find_serial_hex(std::string_view serial_hex) const {
    const bool negative = !serial_hex.empty() && serial_hex[0] == '-';
    if (negative) serial_hex.remove_prefix(1);
    while (serial_hex.size() > 1 && serial_hex[0] == '0') serial_hex.remove_prefix(1);
    if (serial_hex.empty() || serial_hex.size() > 2 * max_serial_octets) return std::nullopt;
    // Magnitude, big-endian, with one spare octet in front for the sign.
    std::array<std::uint8_t, max_serial_octets + 2> buf{};
    const std::size_t octets = (serial_hex.size() + 1) / 2;
    std::uint8_t* magnitude = buf.data() + 1;
    for (std::size_t i = 0; i < serial_hex.size(); ++i) {
        const char c = serial_hex[serial_hex.size() - 1 - i];
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) return std::nullopt;
        magnitude[octets - 1 - i / 2] |= static_cast<std::uint8_t>(i % 2 == 0 ? v : v << 4);
    }
    if (negative) {
        // Two's complement of the magnitude over octets + 1 octets; find_serial() trims it.
        unsigned carry = 1;
        for (std::size_t i = octets + 1; i-- > 0;) {
            const unsigned sum = static_cast<std::uint8_t>(~buf[i]) + carry;
            buf[i] = static_cast<std::uint8_t>(sum);
            carry = sum >> 8;
        }
    }
    return find_serial(ByteView(buf.data(), octets + 1));
}

bool CrlIndex::signature_algorithms_match() const {
    return std::ranges::equal(m_data->view(m_data->tbs_algorithm), m_data->view(m_data->algorithm));
}

std::string CrlIndex::signature_algorithm() const {
    return signature_algorithm_name(m_data->view(m_data->algorithm));
}

bool CrlIndex::is_signed_by(const crypto::Certificate& signer) const {
    return signature_algorithms_match() &&
           verify_raw_signature(m_data->view(m_data->tbs), m_data->view(m_data->algorithm),
                                m_data->view(m_data->signature), signer);
}

}  // namespace revocation
