#include "scep_enroller.h"

#include <algorithm>

#include "certificate_repository.h"
#include "crypto/bytes.h"
#include "profile_mapping.h"
#include "scep/client.h"
#include "scep/pki_message.h"

namespace certkeeperd {
namespace {

using common::Errc;
using Profile = profiles::Profile;
using ProfilePtr = std::shared_ptr<const Profile>;

// The profile's username/password as HTTP Basic authentication on every request.
class BasicAuthHttpClient final : public transport::HttpClient {
public:
    BasicAuthHttpClient(transport::HttpClient& inner, const std::string& user,
                        const std::string& password)
        : m_inner(inner),
          m_value("Basic " + crypto::to_base64(crypto::as_bytes(user + ":" + password))) {}
    common::Result<transport::HttpResponse> send(const transport::HttpRequest& request) override {
        transport::HttpRequest authorised = request;
        authorised.headers.emplace_back("Authorization", m_value);
        return m_inner.send(authorised);
    }

private:
    transport::HttpClient& m_inner;
    std::string m_value;  // a secret
};

// A scep::Client for one job, with the profile's server and pin.
class Session {
public:
    Session(WorkerContext& ctx, const Services& services, const Profile& profile)
        : m_http(&ctx.http) {
        if (profile.username() && profile.password()) {
            m_auth.emplace(ctx.http, *profile.username(), profile.password()->reveal());
            m_http = &*m_auth;
        }
        scep::ClientOptions options;
        options.url = profile.url();
        options.ca_identifier = profile.ca_identifier();
        options.fingerprint = crypto::Fingerprint(
            crypto::DigestAlgorithm::sha256,
            crypto::Bytes(profile.ca_fingerprint().begin(), profile.ca_fingerprint().end()));
        m_client.emplace(*m_http, services.clock, std::move(options),
                         ctx.log.child("scep").child(profile.name()));
    }
    scep::Client& client() { return *m_client; }

private:
    std::optional<BasicAuthHttpClient> m_auth;
    transport::HttpClient* m_http;
    std::optional<scep::Client> m_client;
};

std::vector<std::string> capability_lines(const scep::Capabilities& caps) {
    std::vector<std::string> lines = caps.keywords();
    lines.insert(lines.end(), caps.unknown.begin(), caps.unknown.end());
    return lines;
}

// scep::CaCertificates (roles chosen, chain validated) -> the port's value.
lifecycle::CaCertificates to_port(const scep::CaCertificates& ca, const scep::Capabilities& caps) {
    lifecycle::CaCertificates out{ca.anchor, ca.issuing_ca, {}, {}, capability_lines(caps)};
    // chain: issuing CA ... anchor; the intermediates are what lies strictly between.
    for (std::size_t i = 1; i + 1 < ca.chain.size(); ++i) out.intermediates.push_back(ca.chain[i]);
    for (const auto* ra : {&ca.signer, &ca.encryption}) {
        if (*ra == ca.issuing_ca) continue;
        if (std::find(out.ra.begin(), out.ra.end(), *ra) == out.ra.end()) out.ra.push_back(*ra);
    }
    return out;
}

// The port's value -> scep::CaCertificates again: the roles are chosen anew from the same
// certificates, trusting the anchor the machine pinned (after a rollover: the next one).
common::Result<scep::CaCertificates> from_port(const lifecycle::CaCertificates& ca,
                                               common::SystemTime now) {
    std::vector<crypto::Certificate> all = ca.ra;
    all.push_back(ca.issuing_ca);
    all.insert(all.end(), ca.intermediates.begin(), ca.intermediates.end());
    if (!(ca.anchor == ca.issuing_ca)) all.push_back(ca.anchor);
    return scep::select_ca_certificates(all, std::nullopt, ca.anchor, now);
}

struct CaContext {
    scep::Capabilities caps;
    scep::CaCertificates ca;
};

common::Result<CaContext> ca_context(Session& session, const std::optional<lifecycle::CaCertificates>& given,
                                     common::SystemTime now) {
    auto caps = session.client().get_ca_caps();
    if (!caps) return caps.error();
    if (given) {
        auto ca = from_port(*given, now);
        if (!ca) return ca.error();
        return CaContext{*caps, std::move(*ca)};
    }
    auto ca = session.client().get_ca_certificates();
    if (!ca) return ca.error();
    return CaContext{*caps, std::move(*ca)};
}

std::string fail_info_name(const std::optional<scep::FailInfo>& info) {
    if (!info) return "badRequest";
    switch (info->code) {
        case 0: return "badAlg";
        case 1: return "badMessageCheck";
        case 2: return "badRequest";
        case 3: return "badTime";
        case 4: return "badCertId";
        default: return info->describe();
    }
}

common::Error no_database(const WorkerContext& ctx) {
    return common::Error(Errc::io, "state database: " + ctx.db_error, common::Retry::yes);
}

// The key the request names, or a new one of the profile's type (recorded as 'pending').
common::Result<std::pair<std::string, crypto::PrivateKey>> request_key(
    WorkerContext& ctx, const Services& services, const Profile& profile, const std::string& ref,
    common::SystemTime now) {
    if (!ref.empty()) {
        auto key = services.keys.load(ref);
        if (!key) return key.error().with_context("key " + ref);
        return std::pair{ref, std::move(*key)};
    }
    auto made = services.keys.generate(key_spec(profile.key_type()));
    if (!made) return made.error().with_context("key generation");
    if (auto r = ctx.state->add_key(*made, profile.name(), std::string(profiles::to_string(profile.key_type())),
                                    stores::KeyState::pending, now);
        !r) {
        return r.error();
    }
    auto key = services.keys.load(*made);
    if (!key) return key.error();
    return std::pair{*made, std::move(*key)};
}

struct Sent {
    std::string key_ref;
    std::string transaction_id;
};

// Persists the outcome of a PKCSReq/RenewalReq/CertPoll on the SCEP transaction row.
void settle_transaction(WorkerContext& ctx, const Profile& profile, std::int64_t row,
                        const common::Result<scep::EnrollmentResult>& result, common::SystemTime now) {
    if (row == 0) return;
    common::Result<void> r;
    if (!result) {
        r = result.error().retryable()
                ? ctx.state->record_scep_attempt(row, now + profile.poll_interval(), result.error().to_string())
                : ctx.state->finish_scep_transaction(row, stores::ScepState::failed, now,
                                                     result.error().to_string());
    } else {
        switch (result->status) {
            case scep::EnrollmentResult::Status::pending:
                r = ctx.state->record_scep_attempt(row, now + profile.poll_interval(), "");
                break;
            case scep::EnrollmentResult::Status::issued:
                r = ctx.state->finish_scep_transaction(row, stores::ScepState::issued, now);
                break;
            case scep::EnrollmentResult::Status::rejected:
                r = ctx.state->finish_scep_transaction(row, stores::ScepState::failed, now,
                                                       fail_info_name(result->failure));
                break;
        }
    }
    if (!r) ctx.log.warning("profile " + profile.name() + ": SCEP transaction not updated: " + r.error().to_string());
}

// The issued certificate as an 'issued' own certificate of the profile.
void record_issued(WorkerContext& ctx, const Profile& profile, const crypto::Certificate& cert,
                   const std::vector<crypto::Certificate>& chain, const std::string& key_ref,
                   common::SystemTime now) {
    std::optional<std::int64_t> key_id;
    if (auto key = ctx.state->find_key(key_ref); key && *key) key_id = (*key)->id;
    const auto rec = own_certificate_record(profile.name(), cert, chain, key_id);
    auto r = ctx.state->record_certificate(rec, now);
    if (!r && r.error().code() != Errc::already_exists) {
        ctx.log.warning("profile " + profile.name() + ": issued certificate not recorded: " +
                        r.error().to_string());
    }
}

struct EnrolmentJob {
    bool poll = false;
    lifecycle::RequestId id = 0;
    lifecycle::EnrolmentKind kind = lifecycle::EnrolmentKind::initial;
    std::string key_ref;
    std::string transaction_id;
    std::optional<crypto::Certificate> existing_certificate;
    std::string existing_key_ref;
    std::optional<lifecycle::CaCertificates> ca;
};

lifecycle::EnrolmentReplied run_enrolment(WorkerContext& ctx, const Services& services,
                                          const Profile& profile, const EnrolmentJob& job) {
    lifecycle::EnrolmentReplied reply{job.id, job.key_ref, "", common::Error(Errc::internal, "not run")};
    if (!ctx.state) {
        reply.result = no_database(ctx);
        return reply;
    }
    const common::SystemTime now = services.clock.now();
    auto key = request_key(ctx, services, profile, job.key_ref, now);
    if (!key) {
        reply.result = key.error();
        return reply;
    }
    reply.key_ref = key->first;
    reply.transaction_id = scep::transaction_id_for(key->second);
    if (!job.transaction_id.empty() && job.transaction_id != reply.transaction_id) {
        reply.result = common::Error(Errc::invalid_argument,
                                     "transactionID " + job.transaction_id + " is not that of key " +
                                         key->first);
        return reply;
    }

    // The request as first sent when the transaction is known (CertPoll must repeat it).
    std::optional<stores::ScepTransaction> known;
    if (auto t = ctx.state->find_scep_transaction(reply.transaction_id); t && *t) known = **t;
    std::optional<crypto::Csr> csr;
    if (known && !known->csr_der.empty()) {
        if (auto c = crypto::Csr::from_der(known->csr_der); c) csr = std::move(*c);
    }
    if (!csr) {
        auto request = csr_request(profile, services.device);
        if (!request) {
            reply.result = request.error().with_context("certificate request");
            return reply;
        }
        auto built = crypto::Csr::build(*request, key->second);
        if (!built) {
            reply.result = built.error();
            return reply;
        }
        csr = std::move(*built);
    }

    scep::EnrollmentKeys keys{key->second, job.existing_certificate, std::nullopt};
    if (job.existing_certificate) {
        auto old = services.keys.load(job.existing_key_ref);
        if (!old) {
            reply.result = old.error().with_context("key of the certificate in service");
            return reply;
        }
        keys.existing_key = std::move(*old);
    }

    Session session(ctx, services, profile);
    auto ca = ca_context(session, job.ca, now);
    if (!ca) {
        reply.result = ca.error();
        return reply;
    }

    std::int64_t row = 0;
    if (known && known->state == stores::ScepState::pending) {
        row = known->id;
    } else if (!job.poll) {
        stores::ScepTransaction t;
        t.profile = profile.name();
        t.transaction_id = reply.transaction_id;
        t.kind = job.kind == lifecycle::EnrolmentKind::renewal ? stores::ScepKind::renew
                                                               : stores::ScepKind::enrol;
        t.csr_der = csr->to_der();
        if (auto k = ctx.state->find_key(key->first); k && *k) t.key_id = (*k)->id;
        t.poll_window_ends_at = now + profile.poll_window();
        auto begun = ctx.state->begin_scep_transaction(t, now);
        if (begun) {
            row = *begun;
        } else {
            ctx.log.warning("profile " + profile.name() + ": SCEP transaction not recorded: " +
                            begun.error().to_string());
        }
    }

    auto result = job.poll ? session.client().poll(*csr, keys, ca->ca, ca->caps)
                           : session.client().enroll(*csr, keys, ca->ca, ca->caps);
    settle_transaction(ctx, profile, row, result, services.clock.now());
    if (!result) {
        reply.result = result.error();
        return reply;
    }
    lifecycle::EnrolmentOutcome outcome;
    switch (result->status) {
        case scep::EnrollmentResult::Status::issued:
            outcome.status = lifecycle::EnrolmentOutcome::Status::issued;
            outcome.certificate = result->certificate;
            outcome.chain = ca->ca.chain;
            if (result->certificate) {
                record_issued(ctx, profile, *result->certificate, outcome.chain, reply.key_ref, now);
            }
            break;
        case scep::EnrollmentResult::Status::pending:
            outcome.status = lifecycle::EnrolmentOutcome::Status::pending;
            break;
        case scep::EnrollmentResult::Status::rejected:
            outcome.status = lifecycle::EnrolmentOutcome::Status::rejected;
            outcome.fail_info = fail_info_name(result->failure);
            break;
    }
    reply.result = std::move(outcome);
    return reply;
}

// An Enrol or a Poll (the same fields) as a job.
template <typename Request>
EnrolmentJob job_of(bool poll, const Request& r) {
    return {poll, r.id, r.kind, r.key_ref, r.transaction_id, r.existing_certificate, r.existing_key_ref, r.ca};
}

// Runs the job behind the profile's other jobs; the reply goes to the machine.
void submit_enrolment(Workers& workers, const Services& services, const Replies& replies, ProfilePtr profile,
                      EnrolmentJob job) {
    const std::string key = profile->name();
    workers.submit(key, [services = &services, replies, profile = std::move(profile), job = std::move(job)](
                            WorkerContext& ctx) { replies.enrolment(run_enrolment(ctx, *services, *profile, job)); });
}

}  // namespace

void ScepEnroller::fetch_ca_certificates(const lifecycle::FetchCaCertificates& request) {
    const ProfilePtr profile = m_profile.current();
    m_workers.submit(profile->name(), [services = &m_services, replies = m_replies, profile, id = request.id](WorkerContext& ctx) {
        lifecycle::CaCertificatesFetched reply{id, common::Error(Errc::internal, "not run")};
        Session session(ctx, *services, *profile);
        auto caps = session.client().get_ca_caps();
        if (!caps) {
            reply.result = caps.error();
        } else if (auto ca = session.client().get_ca_certificates(); !ca) {
            reply.result = ca.error();
        } else {
            reply.result = to_port(*ca, *caps);
        }
        replies.ca_certificates(std::move(reply));
    });
}

void ScepEnroller::fetch_next_ca_certificates(const lifecycle::FetchNextCaCertificates& request) {
    const ProfilePtr profile = m_profile.current();
    m_workers.submit(profile->name(), [services = &m_services, replies = m_replies, profile, request](WorkerContext& ctx) {
        lifecycle::NextCaCertificatesFetched reply{request.id, common::Error(Errc::internal, "not run")};
        Session session(ctx, *services, *profile);
        auto caps = session.client().get_ca_caps();
        auto current = from_port(request.current, services->clock.now());
        if (!caps) {
            reply.result = caps.error();
        } else if (!current) {
            reply.result = current.error();
        } else if (!caps->get_next_ca_cert) {
            reply.result = std::optional<lifecycle::CaCertificates>();
        } else if (auto next = session.client().get_next_ca_certificates(*current); !next) {
            reply.result = next.error();
        } else if (next->empty()) {
            reply.result = std::optional<lifecycle::CaCertificates>();
        } else {
            // The rollover set is chosen like GetCACert's, trusting the self-signed CA it holds
            // (the reply's signature was verified with the current signer).
            std::optional<crypto::Certificate> anchor;
            for (const auto& c : *next) {
                if (c.is_ca() && c.is_self_issued()) anchor = c;
            }
            if (!anchor) anchor = request.current.anchor;
            auto selected = scep::select_ca_certificates(*next, std::nullopt, anchor,
                                                         services->clock.now());
            if (!selected) {
                reply.result = selected.error();
            } else {
                reply.result = std::optional<lifecycle::CaCertificates>(to_port(*selected, *caps));
            }
        }
        replies.next_ca_certificates(std::move(reply));
    });
}

void ScepEnroller::enrol(const lifecycle::Enrol& request) {
    submit_enrolment(m_workers, m_services, m_replies, m_profile.current(), job_of(false, request));
}

void ScepEnroller::poll(const lifecycle::Poll& request) {
    submit_enrolment(m_workers, m_services, m_replies, m_profile.current(), job_of(true, request));
}

void ScepEnroller::fetch_peer_anchor(const lifecycle::FetchPeerAnchor& request) {
    const ProfilePtr profile = m_profile.current();
    m_workers.submit(profile->name(), [replies = m_replies, request](WorkerContext& ctx) {
        lifecycle::PeerAnchorFetched reply{request.id, request.url,
                                           common::Error(Errc::internal, "not run")};
        transport::HttpRequest get;
        get.url = request.url;
        get.max_response_bytes = 1024 * 1024;
        auto response = ctx.http.send(get);
        if (!response) {
            reply.result = response.error();
        } else if (response->status != 200) {
            reply.result = transport::http_status_error(*response, "peer trust anchor");
        } else {
            auto certs = crypto::Certificate::load_any(crypto::as_bytes(response->body));
            if (!certs) {
                // certs-only PKCS#7, as GetCACert serves it
                certs = scep::parse_ca_cert_response(response->content_type(), response->body);
            }
            reply.result = std::move(certs);
        }
        replies.peer_anchor(std::move(reply));
    });
}

}  // namespace certkeeperd
