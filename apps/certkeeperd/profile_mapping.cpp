#include "profile_mapping.h"

namespace certkeeperd {

std::vector<stores::AppStoreSpec> store_specs(const profiles::Profile& profile) {
    std::vector<stores::AppStoreSpec> out;
    for (const profiles::StoreTarget& t : profile.stores()) {
        stores::AppStoreSpec spec;
        switch (t.format) {
            case profiles::StoreFormat::pem: spec.format = stores::StoreFormat::pem; break;
            case profiles::StoreFormat::der: spec.format = stores::StoreFormat::der; break;
            case profiles::StoreFormat::pkcs12: spec.format = stores::StoreFormat::pkcs12; break;
        }
        switch (t.layout) {
            case profiles::PemLayout::separate: spec.layout = stores::PemLayout::separate; break;
            case profiles::PemLayout::fullchain: spec.layout = stores::PemLayout::fullchain; break;
            case profiles::PemLayout::combined: spec.layout = stores::PemLayout::combined; break;
        }
        spec.path = t.path;
        spec.owner = t.owner.value_or("");
        spec.group = t.group.value_or("");
        spec.key_mode = static_cast<mode_t>(t.mode);
        spec.cert_mode = static_cast<mode_t>(t.mode);
        if (t.passphrase) spec.pkcs12_passphrase = t.passphrase->reveal();
        out.push_back(std::move(spec));
    }
    return out;
}

revocation::Policy revocation_policy(const profiles::Profile& profile) {
    revocation::Policy policy;
    policy.methods.clear();
    for (profiles::RevocationMethod m : profile.revocation().methods) {
        policy.methods.push_back(m == profiles::RevocationMethod::ocsp ? revocation::Method::ocsp
                                                                       : revocation::Method::crl);
    }
    policy.on_unknown = profile.revocation().on_unknown == profiles::UnknownRevocation::hard_fail
                            ? revocation::Policy::OnUnknown::hard_fail
                            : revocation::Policy::OnUnknown::soft_fail;
    policy.freshness.max_age = profile.revocation_max_age();
    return policy;
}

crypto::KeySpec key_spec(profiles::KeyType type) {
    crypto::KeySpec spec;
    switch (type) {
        case profiles::KeyType::rsa_2048: spec.rsa_bits = 2048; break;
        case profiles::KeyType::rsa_3072: spec.rsa_bits = 3072; break;
        case profiles::KeyType::rsa_4096: spec.rsa_bits = 4096; break;
        case profiles::KeyType::ec_p256:
            spec.type = crypto::KeySpec::Type::ec;
            spec.curve = "P-256";
            break;
        case profiles::KeyType::ec_p384:
            spec.type = crypto::KeySpec::Type::ec;
            spec.curve = "P-384";
            break;
    }
    return spec;
}

common::Result<crypto::CsrRequest> csr_request(const profiles::Profile& profile,
                                               const profiles::DeviceVariables& vars) {
    crypto::CsrRequest request;
    auto subject = profiles::expand(profile.subject(), vars);
    if (!subject) return subject.error().with_context("subject");
    request.subject = *subject;
    for (const profiles::SubjectAltName& san : profile.subject_alt_names()) {
        auto value = profiles::expand(san.value, vars);
        if (!value) return value.error().with_context("san");
        auto parsed = crypto::parse_subject_alt_name(std::string(profiles::to_string(san.type)) +
                                                     ":" + *value);
        if (!parsed) return parsed.error().with_context("san");
        request.subject_alt_names.push_back(*parsed);
    }
    if (profile.challenge()) request.challenge_password = profile.challenge()->reveal();
    return request;
}

}  // namespace certkeeperd
