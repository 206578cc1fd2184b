// ProfileMachine: the small class in front of the machine (machine.h, states in machine_states.h).
// Replies are matched to the outstanding request here, before they become events.
#include "lifecycle/profile_machine.h"

#include "lifecycle/machine.h"

namespace lifecycle::detail {
namespace {

template <class Event, class Reply>
void deliver(Machine& m, Reply reply, std::string_view name) {
    if (reply.request == 0 || reply.request != m.outstanding) {
        m.log.info("profile " + m.profile.name() + ": stale " + std::string(name) + " (request " +
                   std::to_string(reply.request) + ") ignored in " + m.current);
        return;
    }
    m.outstanding = 0;
    m.dispatch(Event(std::move(reply)), name);
}

}  // namespace

}  // namespace lifecycle::detail

namespace lifecycle {

using detail::Machine;

std::string_view to_string(Status::Kind kind) {
    switch (kind) {
        case Status::Kind::working:
            return "working";
        case Status::Kind::valid:
            return "valid";
        case Status::Kind::pending_poll:
            return "pending_poll";
        case Status::Kind::retry_wait:
            return "retry_wait";
        case Status::Kind::waiting_for_clock:
            return "waiting_for_clock";
        case Status::Kind::failed:
            return "failed";
    }
    return "?";
}

ProfileMachine::ProfileMachine(profiles::Profile profile, Ports ports, const common::Clock& clock,
                               common::Timers& timers, common::Logger log,
                               std::optional<Position> resume)
    : m_machine(std::make_unique<Machine>(std::move(profile), ports, clock, timers, std::move(log),
                                          std::move(resume))) {
    m_machine->initiate_machine();
}

ProfileMachine::~ProfileMachine() = default;

void ProfileMachine::start() {
    m_machine->dispatch(detail::Started{}, "Started");
}

void ProfileMachine::profile_changed(profiles::Profile profile) {
    if (profile == m_machine->profile)
        return;
    profiles::Profile previous = std::move(m_machine->profile);
    m_machine->profile = std::move(profile);
    m_machine->dispatch(detail::ProfileChanged(std::move(previous)), "ProfileChanged");
}

void ProfileMachine::renew_requested() {
    m_machine->dispatch(detail::RenewRequested{}, "RenewRequested");
}

void ProfileMachine::clock_trusted() {
    m_machine->dispatch(detail::ClockTrusted{}, "ClockTrusted");
}

void ProfileMachine::on_ca_certificates(CaCertificatesFetched reply) {
    // CheckingRollover re-fetches the current CA set after a resume.
    if (m_machine->current == "CheckingRollover" && reply.request == m_machine->outstanding &&
        reply.request != 0) {
        m_machine->outstanding = 0;
        if (!reply.result) {
            m_machine->dispatch(detail::NextCaFetched(NextCaCertificatesFetched{
                                    reply.request, std::move(reply.result).error()}),
                                "CaCertificatesFetched");
            return;
        }
        m_machine->ca = *reply.result;
        m_machine->outstanding = m_machine->new_request();
        m_machine->ports.enroller.fetch_next_ca_certificates(
            {m_machine->outstanding, m_machine->profile.name(), *m_machine->ca});
        return;
    }
    detail::deliver<detail::CaFetched>(*m_machine, std::move(reply), "CaCertificatesFetched");
}
void ProfileMachine::on_next_ca_certificates(NextCaCertificatesFetched reply) {
    detail::deliver<detail::NextCaFetched>(*m_machine, std::move(reply),
                                           "NextCaCertificatesFetched");
}
void ProfileMachine::on_enrolment(EnrolmentReplied reply) {
    std::string name = "EnrolmentFailed";
    if (reply.result) {
        switch (reply.result->status) {
            case EnrolmentOutcome::Status::issued:
                name = "EnrolmentIssued";
                break;
            case EnrolmentOutcome::Status::pending:
                name = "EnrolmentPending";
                break;
            case EnrolmentOutcome::Status::rejected:
                name = "EnrolmentRejected";
                break;
        }
    }
    detail::deliver<detail::EnrolmentAnswered>(*m_machine, std::move(reply), name);
}
void ProfileMachine::on_peer_anchor(PeerAnchorFetched reply) {
    detail::deliver<detail::PeerFetched>(*m_machine, std::move(reply), "PeerAnchorFetched");
}
void ProfileMachine::on_revocation_checked(RevocationChecked reply) {
    detail::deliver<detail::RevocationAnswered>(*m_machine, std::move(reply), "RevocationChecked");
}
void ProfileMachine::on_installed(Installed reply) {
    detail::deliver<detail::InstallFinished>(*m_machine, std::move(reply), "Installed");
}
void ProfileMachine::on_cleaned_up(CleanedUp reply) {
    detail::deliver<detail::CleanupFinished>(*m_machine, std::move(reply), "CleanedUp");
}

const std::string& ProfileMachine::profile_name() const {
    return m_machine->profile.name();
}
std::string ProfileMachine::state_name() const {
    return m_machine->current;
}
bool ProfileMachine::stable() const {
    return m_machine->current == "Valid" || m_machine->current == "Failed";
}
bool ProfileMachine::failed() const {
    return m_machine->current == "Failed";
}

Status ProfileMachine::status() const {
    const Machine& m = *m_machine;
    Status s;
    s.profile = m.profile.name();
    s.state = m.current;
    if (m.installed) {
        s.subject = m.installed->certificate.subject();
        s.serial = m.installed->certificate.serial_hex();
        s.not_after = m.installed->certificate.not_after();
    }
    if (m.current == "Valid") {
        s.kind = Status::Kind::valid;
    } else if (m.current == "Failed") {
        s.kind = Status::Kind::failed;
    } else if (m.outstanding != 0 || !m.timer) {
        s.kind = Status::Kind::working;  // a reply is awaited (or an event is being posted)
    } else if (m.current == "Polling") {
        s.kind = Status::Kind::pending_poll;
    } else if (m.current == "RetryWait") {
        s.kind = Status::Kind::retry_wait;
    } else if (m.current == "WaitingForClock") {
        s.kind = Status::Kind::waiting_for_clock;
    }
    s.next_action = m.next_action;
    s.next_action_at = m.next_action_at;
    s.last_error = m.last_error;
    return s;
}

}  // namespace lifecycle
