#include "certificate_repository.h"

#include "profile_mapping.h"
#include "stores/app_store.h"
#include "stores/cleanup.h"
#include "stores/install_reconcile.h"
#include "stores/post_install.h"

namespace certkeeperd {
namespace {

using common::Errc;

// Concatenated DER certificates (CertificateRecord::chain) one by one.
common::Result<std::vector<crypto::Certificate>> split_der(const std::vector<std::uint8_t>& bytes) {
    std::vector<crypto::Certificate> out;
    std::size_t at = 0;
    while (at < bytes.size()) {
        if (bytes.size() - at < 2 || bytes[at] != 0x30) return common::fail(Errc::parse, "chain: not DER");
        std::size_t header = 2;
        std::size_t length = bytes[at + 1];
        if (length & 0x80) {
            const std::size_t n = length & 0x7f;
            if (n == 0 || n > 4 || bytes.size() - at < 2 + n) return common::fail(Errc::parse, "chain: bad length");
            length = 0;
            for (std::size_t i = 0; i < n; ++i) length = (length << 8) | bytes[at + 2 + i];
            header += n;
        }
        if (bytes.size() - at < header + length) return common::fail(Errc::parse, "chain: truncated");
        auto cert = crypto::Certificate::from_der(crypto::ByteView(bytes.data() + at, header + length));
        if (!cert) return cert.error();
        out.push_back(std::move(*cert));
        at += header + length;
    }
    return out;
}

stores::CertificateRecord record_of(const std::string& profile, stores::CertificateRole role,
                                    const crypto::Certificate& cert, stores::CertificateState state) {
    stores::CertificateRecord rec;
    rec.profile = profile;
    rec.role = role;
    rec.serial = cert.serial_hex();
    rec.issuer = cert.issuer();
    rec.subject = cert.subject();
    rec.not_before = cert.not_before();
    rec.not_after = cert.not_after();
    rec.der = cert.to_der();
    rec.sha256_fingerprint = cert.fingerprint().hex();
    rec.state = state;
    return rec;
}

class KeyStoreRemover final : public stores::KeyFileRemover {
public:
    explicit KeyStoreRemover(stores::KeyStore& keys) : m_keys(keys) {}
    common::Result<void> remove_key(const std::string& ref) override {
        auto r = m_keys.remove(ref);
        if (!r && r.error().code() == Errc::not_found) return {};
        return r;
    }

private:
    stores::KeyStore& m_keys;
};

// After every store took the new certificate: what the database says is in service.
common::Result<void> record_in_service(stores::StateStore& state, const lifecycle::Install& request,
                                       common::SystemTime now) {
    const std::string& profile = request.profile;
    auto key = state.find_key(request.key_ref);
    if (!key) return key.error();
    auto owns = state.list_certificates(profile, stores::CertificateRole::own);
    if (!owns) return owns.error();
    std::optional<std::int64_t> new_id;
    for (const auto& c : *owns) {
        if (c.serial == request.certificate.serial_hex() && c.issuer == request.certificate.issuer()) new_id = c.id;
    }
    if (!new_id) {
        const auto rec = own_certificate_record(profile, request.certificate, request.chain,
                                                *key ? std::optional<std::int64_t>((*key)->id) : std::nullopt);
        auto id = state.record_certificate(rec, now);
        if (!id) return id.error();
        new_id = *id;
    }
    for (const auto& c : *owns) {
        if (c.id == *new_id || c.state != stores::CertificateState::installed) continue;
        if (auto r = state.set_certificate_state(c.id, stores::CertificateState::superseded, now); !r) return r;
        if (c.key_id && (!*key || *c.key_id != (*key)->id)) {
            if (auto r = state.set_key_state(*c.key_id, stores::KeyState::superseded, now); !r) return r;
        }
    }
    if (auto r = state.set_certificate_state(*new_id, stores::CertificateState::installed, now); !r) return r;
    if (*key && (*key)->state != stores::KeyState::active) {
        if (auto r = state.set_key_state((*key)->id, stores::KeyState::active, now); !r) return r;
    }
    // The anchors: ours (the self-issued end of the chain) and the peers'.
    auto record_anchor = [&](const crypto::Certificate& c, stores::CertificateRole role,
                             stores::CertificateState st) -> common::Result<void> {
        auto r = state.record_certificate(record_of(profile, role, c, st), now);
        if (!r && r.error().code() != Errc::already_exists) return r.error();
        return {};
    };
    for (const auto& c : request.chain) {
        const auto role = c.is_self_issued() ? stores::CertificateRole::trust_anchor
                                             : stores::CertificateRole::intermediate;
        if (auto r = record_anchor(c, role, stores::CertificateState::installed); !r) return r;
    }
    for (const auto& c : request.peer_anchors) {
        const auto role = c.is_self_issued() ? stores::CertificateRole::peer_anchor
                                             : stores::CertificateRole::intermediate;
        if (auto r = record_anchor(c, role, stores::CertificateState::installed); !r) return r;
    }
    return {};
}

lifecycle::Installed run_install(WorkerContext& ctx, const Services& services,
                                 const profiles::Profile& profile, const lifecycle::Install& request) {
    lifecycle::Installed reply{request.id, {}};
    if (!ctx.state) {
        reply.result = common::Error(Errc::io, "state database: " + ctx.db_error, common::Retry::yes);
        return reply;
    }
    stores::StateStore& state = *ctx.state;
    const common::SystemTime now = services.clock.now();
    auto key = services.keys.load(request.key_ref);
    if (!key) {
        reply.result = key.error().with_context("key " + request.key_ref);
        return reply;
    }
    // The peers' anchors travel in the same version as key and certificate (peer-anchors.pem).
    const stores::InstallMaterial material{*key, request.certificate, request.chain,
                                           request.peer_anchors};
    const std::string serial = request.certificate.serial_hex();

    std::vector<std::int64_t> rows;
    for (const stores::AppStoreSpec& spec : store_specs(profile)) {
        const std::string id = stores::store_id(spec);
        // Already in service, file for file (a re-run after a crash between install and reply):
        // done. The same certificate with other peer anchors or another layout (a re-install
        // after a profile change) is written as a new version.
        if (auto cur = state.current_install(profile.name(), id); cur && *cur && (*cur)->cert_serial == serial) {
            if (auto same = stores::current_matches(spec, material); same && *same) continue;
        }
        auto version = state.next_install_version(profile.name(), id);
        if (!version) {
            reply.result = version.error();
            return reply;
        }
        auto row = state.begin_install(profile.name(), id, *version, serial, now);
        if (!row) {
            reply.result = row.error();
            return reply;
        }
        auto installed = stores::install(spec, material, static_cast<std::uint64_t>(*version));
        if (!installed) {
            (void)state.abandon_install(*row, services.clock.now());
            reply.result = installed.error().with_context("store " + id);
            return reply;
        }
        ctx.log.info("profile " + profile.name() + ": installed serial " + serial + " into " + id +
                     " (version " + std::to_string(*version) + ")");
        rows.push_back(*row);
    }

    std::optional<int> status;
    std::string detail;
    bool command_failed = false;
    if (!profile.post_install().empty() && !rows.empty()) {
        stores::CommandSpec command;
        command.argv = profile.post_install();
        command.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(profile.post_install_timeout());
        command.environment.push_back("CERTKEEPER_PROFILE=" + profile.name());
        command.environment.push_back("CERTKEEPER_SERIAL=" + serial);
        auto ran = stores::run_command(command);
        if (!ran) {
            detail = ran.error().to_string();
            command_failed = true;
        } else {
            detail = stores::describe(*ran);
            if (ran->outcome == stores::CommandResult::Outcome::exited) status = ran->exit_status;
            command_failed = !ran->succeeded();
        }
        ctx.log.log(command_failed ? common::LogLevel::warning : common::LogLevel::info,
                    "profile " + profile.name() + ": post_install " + command.argv.front() + ": " + detail);
    }
    for (std::int64_t row : rows) {
        if (auto r = state.finish_install(row, services.clock.now(), status, detail); !r) {
            reply.result = r.error();
            return reply;
        }
    }
    if (auto r = record_in_service(state, request, services.clock.now()); !r) {
        reply.result = r.error();
        return reply;
    }
    if (command_failed) {
        reply.result = common::Error(Errc::io, "post_install: " + detail, common::Retry::yes);
    }
    return reply;
}

}  // namespace

stores::CertificateRecord own_certificate_record(const std::string& profile, const crypto::Certificate& cert,
                                                 const std::vector<crypto::Certificate>& chain,
                                                 std::optional<std::int64_t> key_id) {
    auto rec = record_of(profile, stores::CertificateRole::own, cert, stores::CertificateState::issued);
    for (const auto& c : chain) {
        if (c.is_self_issued()) continue;  // the anchor is recorded on its own
        const auto der = c.to_der();
        rec.chain.insert(rec.chain.end(), der.begin(), der.end());
    }
    rec.key_id = key_id;
    return rec;
}

common::Result<std::optional<lifecycle::InstalledCertificate>> load_installed(
    stores::StateStore& state, const std::string& profile) {
    auto owns = state.list_certificates(profile, stores::CertificateRole::own);
    if (!owns) return owns.error();
    const stores::CertificateRecord* in_service = nullptr;
    for (const auto& c : *owns) {
        if (c.state == stores::CertificateState::installed) in_service = &c;
    }
    if (in_service == nullptr) return std::optional<lifecycle::InstalledCertificate>();
    auto cert = crypto::Certificate::from_der(in_service->der);
    if (!cert) return cert.error().with_context("installed certificate of " + profile);
    auto chain = split_der(in_service->chain);
    if (!chain) return chain.error().with_context("chain of " + profile);
    const std::string top_issuer = chain->empty() ? cert->issuer() : chain->back().issuer();
    auto anchors = state.list_certificates(profile, stores::CertificateRole::trust_anchor);
    if (!anchors) return anchors.error();
    for (auto it = anchors->rbegin(); it != anchors->rend(); ++it) {
        if (it->subject != top_issuer) continue;
        if (auto a = crypto::Certificate::from_der(it->der); a) {
            chain->push_back(*a);
            break;
        }
    }
    std::string key_ref;
    if (in_service->key_id) {
        auto key = state.get_key(*in_service->key_id);
        if (!key) return key.error();
        if (*key) key_ref = (*key)->ref;
    }
    return std::optional<lifecycle::InstalledCertificate>(
        lifecycle::InstalledCertificate{*cert, std::move(*chain), key_ref});
}

common::Result<std::optional<lifecycle::InstalledCertificate>> CertificateRepositoryAdapter::installed(
    const std::string& profile) {
    return load_installed(m_loop_state, profile);
}

common::Result<void> CertificateRepositoryAdapter::record_transition(const lifecycle::Transition& t) {
    const stores::LifecyclePosition position{t.to.state, t.to.state_data, t.to.next_action_at,
                                             t.to.last_error};
    return m_loop_state.record_transition(t.profile, t.event, position, t.detail, t.at);
}

common::Result<void> CertificateRepositoryAdapter::save_position(const std::string& profile,
                                                                 const lifecycle::Position& p,
                                                                 common::SystemTime now) {
    return m_loop_state.save_position(profile, {p.state, p.state_data, p.next_action_at, p.last_error}, now);
}

void CertificateRepositoryAdapter::install(const lifecycle::Install& request) {
    const auto profile = m_profile.current();
    m_workers.submit(profile->name(), [services = &m_services, replies = m_replies, profile,
                                       request](WorkerContext& ctx) {
        replies.installed(run_install(ctx, *services, *profile, request));
    });
}

void CertificateRepositoryAdapter::cleanup(const lifecycle::Cleanup& request) {
    const auto profile = m_profile.current();
    m_workers.submit(profile->name(), [services = &m_services, replies = m_replies,
                                       request](WorkerContext& ctx) {
        lifecycle::CleanedUp reply{request.id, std::size_t{0}};
        if (!ctx.state) {
            reply.result = common::Error(Errc::io, "state database: " + ctx.db_error, common::Retry::yes);
        } else {
            KeyStoreRemover remover(services->keys);
            auto report = stores::cleanup(*ctx.state, remover, request.at);
            if (!report) {
                reply.result = report.error();
            } else {
                for (const auto& e : report->errors) ctx.log.warning("cleanup: " + e);
                reply.result = report->removed.size();
            }
        }
        replies.cleaned_up(std::move(reply));
    });
}

}  // namespace certkeeperd
