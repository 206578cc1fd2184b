// MachineDriver over lifecycle::ProfileMachine.
#include "lifecycle/profile_machine.h"
#include "machine_driver.h"

namespace certkeeperd {
namespace {

class LifecycleMachine final : public MachineDriver {
public:
    LifecycleMachine(const profiles::Profile& profile, MachineContext c)
        : m_clock(c.clock), m_machine(profile, c.ports, c.clock, c.timers, c.log, std::move(c.resume)) {}

    void start() override { m_machine.start(); }
    void profile_changed(const profiles::Profile& profile) override { m_machine.profile_changed(profile); }
    void renew_requested() override { m_machine.renew_requested(); }
    void stop() override { m_stopped = true; }
    std::string state_name() const override { return m_machine.state_name(); }

    Stability stability() const override {
        using Kind = lifecycle::Status::Kind;
        const lifecycle::Status status = m_machine.status();
        if (status.kind == Kind::working) return Stability::busy;  // a reply is awaited
        if (status.kind == Kind::failed) return Stability::failed;
        // A timer that is due (a poll, a retry or a renewal whose time passed while the daemon
        // was down) fires at once: wait for it.
        if (status.next_action_at && *status.next_action_at <= m_clock.now() + std::chrono::seconds(1)) {
            return Stability::busy;
        }
        switch (status.kind) {
            case Kind::valid: return Stability::valid;
            case Kind::pending_poll: return Stability::waiting;
            // Did not get there: a retry after a failure, a clock not yet trusted.
            case Kind::retry_wait:
            case Kind::waiting_for_clock:
            case Kind::failed: return Stability::failed;
            case Kind::working: break;
        }
        return Stability::busy;
    }

    void on_ca_certificates(const lifecycle::CaCertificatesFetched& r) override { if (!m_stopped) m_machine.on_ca_certificates(r); }
    void on_next_ca_certificates(const lifecycle::NextCaCertificatesFetched& r) override { if (!m_stopped) m_machine.on_next_ca_certificates(r); }
    void on_enrolment(const lifecycle::EnrolmentReplied& r) override { if (!m_stopped) m_machine.on_enrolment(r); }
    void on_peer_anchor(const lifecycle::PeerAnchorFetched& r) override { if (!m_stopped) m_machine.on_peer_anchor(r); }
    void on_revocation_checked(const lifecycle::RevocationChecked& r) override { if (!m_stopped) m_machine.on_revocation_checked(r); }
    void on_installed(const lifecycle::Installed& r) override { if (!m_stopped) m_machine.on_installed(r); }
    void on_cleaned_up(const lifecycle::CleanedUp& r) override { if (!m_stopped) m_machine.on_cleaned_up(r); }

private:
    const common::Clock& m_clock;
    lifecycle::ProfileMachine m_machine;
    bool m_stopped = false;  // the destructor cancels the machine's timer
};

}  // namespace

MachineFactory lifecycle_machine_factory() {
    return [](const profiles::Profile& profile, MachineContext context) -> std::unique_ptr<MachineDriver> {
        return std::make_unique<LifecycleMachine>(profile, std::move(context));
    };
}

}  // namespace certkeeperd
