// lifecycle::Enroller over SCEP: one scep::Client per request, built on the worker's
// CurlHttpClient from the profile's url, ca_identifier and ca_fingerprint (RFC 8894 §4). Keys
// are made in the FileKeyStore and recorded in the state database (stores: keys); a PKCSReq or
// RenewalReq is recorded as a SCEP transaction before it is sent and settled when the CA
// answers, so a restarted daemon polls under the same transactionID (it is derived from the key).
// The issued certificate is recorded as an 'issued' own certificate.
//
// Thread-safety: requests on the loop thread; the work runs on the pool, replies go back
// through Replies. One adapter per machine.
#pragma once

#include "lifecycle/ports.h"
#include "services.h"

namespace certkeeperd {

class ScepEnroller final : public lifecycle::Enroller {
public:
    // REQUIRES: workers, services and profile outlive the adapter.
    ScepEnroller(Workers& workers, const Services& services, const ProfileHolder& profile,
                 Replies replies)
        : m_workers(workers), m_services(services), m_profile(profile), m_replies(std::move(replies)) {}

    void fetch_ca_certificates(const lifecycle::FetchCaCertificates& request) override;
    void fetch_next_ca_certificates(const lifecycle::FetchNextCaCertificates& request) override;
    void enrol(const lifecycle::Enrol& request) override;
    void poll(const lifecycle::Poll& request) override;
    void fetch_peer_anchor(const lifecycle::FetchPeerAnchor& request) override;

private:
    Workers& m_workers;
    const Services& m_services;
    const ProfileHolder& m_profile;
    Replies m_replies;
};

}  // namespace certkeeperd
