#include "lifecycle/profile_machine.h"

#include <gtest/gtest.h>

#include <memory>

#include "fakes/fake_clock.h"
#include "fakes/fake_lifecycle_ports.h"
#include "fakes/fake_timers.h"
#include "lifecycle/policy.h"
#include "unit/lifecycle/lifecycle_test_pki.h"

namespace {

using namespace std::chrono_literals;
using lifecycle::CertificateRevocation;
using lifecycle::EnrolmentKind;
using lifecycle::EnrolmentOutcome;
using lifecycle::Notification;
using lifecycle_test::at;
using lifecycle_test::Ca;

class ProfileMachineTest : public ::testing::Test {
  protected:
    // Shared by every test: making EC keys is cheap, but once is enough.
    static const Ca& ops() {
        static const Ca ca("Ops");
        return ca;
    }

    void make(const profiles::Profile& p,
              std::optional<lifecycle::Position> resume = std::nullopt) {
        machine.reset();
        machine = std::make_unique<lifecycle::ProfileMachine>(
            p, world.ports(), clock, timers, common::Logger(sink, "lifecycle"), std::move(resume));
        machine->start();
    }
    // A new machine (as after kill -9) from what the repository persisted last.
    void restart() {
        const auto position = world.repository.position;
        const auto current = world.repository.current;
        machine.reset();
        world.enroller = {};
        world.revocation = {};
        world.repository.installs.clear();
        world.repository.cleanups.clear();
        world.notifier = {};
        make(profile_in_use, position);
    }
    void start(const profiles::Profile& p) {
        profile_in_use = p;
        make(p);
    }

    void answer_ca(const lifecycle::CaCertificates& set) {
        machine->on_ca_certificates({world.enroller.ca.back().id, set});
    }
    void answer_enrol(EnrolmentOutcome outcome, const std::string& tx = "TX-1",
                      const std::string& key = "file:1") {
        // The newest enrolment request, PKCSReq/RenewalReq or CertPoll (ids only grow).
        lifecycle::RequestId id = 0;
        if (!world.enroller.enrols.empty())
            id = world.enroller.enrols.back().id;
        if (!world.enroller.polls.empty())
            id = std::max(id, world.enroller.polls.back().id);
        machine->on_enrolment({id, key, tx, std::move(outcome)});
    }
    static EnrolmentOutcome issued(const crypto::Certificate& cert,
                                   std::vector<crypto::Certificate> chain) {
        return EnrolmentOutcome{EnrolmentOutcome::Status::issued, cert, std::move(chain), ""};
    }
    static EnrolmentOutcome pending() {
        return EnrolmentOutcome{EnrolmentOutcome::Status::pending, {}, {}, ""};
    }
    void answer_revocation(CertificateRevocation::Status leaf, bool acceptable) {
        const auto& check = world.revocation.checks.back();
        lifecycle::RevocationChecked reply{check.id, {}, acceptable};
        for (std::size_t i = 0; i + 1 < check.chain.size(); ++i) {
            reply.certificates.push_back(
                {check.chain[i].subject(), check.chain[i].serial_hex(),
                 i == 0 ? leaf : CertificateRevocation::Status::good, std::nullopt,
                 i == 0 && leaf != CertificateRevocation::Status::good ? "responder unreachable"
                                                                       : ""});
        }
        machine->on_revocation_checked(reply);
    }
    void answer_ca_error() {
        machine->on_ca_certificates({world.enroller.ca.back().id,
                                     common::fail(common::Errc::network, "connection refused",
                                                  common::Retry::yes)});
        answered = world.enroller.ca.size();
    }
    void answer_install() { machine->on_installed({world.repository.installs.back().id, {}}); }
    void answer_cleanup() {
        machine->on_cleaned_up({world.repository.cleanups.back().id, std::size_t{0}});
    }

    // Drives a first enrolment up to Valid with cert (revocation answered Good if asked).
    void enrol_to_valid(const crypto::Certificate& cert) {
        answer_ca(ops().ca_set());
        answer_enrol(issued(cert, ops().chain()));
        if (machine->state_name() == "CheckingRevocation")
            answer_revocation(CertificateRevocation::Status::good, true);
        ASSERT_EQ(machine->state_name(), "Installing");
        answer_install();
        ASSERT_EQ(machine->state_name(), "CleaningUp");
        answer_cleanup();
        ASSERT_EQ(machine->state_name(), "Valid");
    }
    void put_in_service(const crypto::Certificate& cert) {
        world.repository.current = lifecycle::InstalledCertificate{cert, ops().chain(), "file:0"};
    }
    crypto::Certificate ninety_days(std::uint8_t serial) const {
        return ops().issue(clock.now() - 1min, clock.now() - 1min + 90 * 24h, serial);
    }

    fakes::FakeClock clock{at("2026-01-01T00:00:00Z")};
    fakes::FakeTimers timers{clock};
    fakes::FakeLifecyclePorts world;
    common::NullSink sink;
    std::unique_ptr<lifecycle::ProfileMachine> machine;
    std::size_t answered = 0;  // world.enroller.ca requests answered by answer_ca_error()
    profiles::Profile profile_in_use = lifecycle_test::profile(ops().root);
};

TEST_F(ProfileMachineTest, FirstEnrolmentRunsEveryStepAndEndsValidWithOneTimer) {
    start(lifecycle_test::profile(ops().root));
    ASSERT_EQ(machine->state_name(), "FetchingCaCertificates");
    ASSERT_EQ(world.enroller.ca.size(), 1u);
    answer_ca(ops().ca_set());
    ASSERT_EQ(machine->state_name(), "Requesting");
    ASSERT_EQ(world.enroller.enrols.size(), 1u);
    const auto& enrol = world.enroller.enrols[0];
    EXPECT_EQ(enrol.kind, EnrolmentKind::initial);
    EXPECT_TRUE(enrol.key_ref.empty());
    EXPECT_TRUE(enrol.transaction_id.empty());
    ASSERT_TRUE(enrol.ca.has_value());
    EXPECT_EQ(enrol.ca->issuing_ca, ops().issuing);

    const auto cert = ninety_days(1);
    answer_enrol(issued(cert, ops().chain()));
    ASSERT_EQ(machine->state_name(), "CheckingRevocation");
    ASSERT_EQ(world.revocation.checks.size(), 1u);
    EXPECT_EQ(world.revocation.checks[0].chain.size(), 3u);
    answer_revocation(CertificateRevocation::Status::good, true);
    ASSERT_EQ(machine->state_name(), "Installing");
    ASSERT_EQ(world.repository.installs.size(), 1u);
    EXPECT_EQ(world.repository.installs[0].key_ref, "file:1");
    EXPECT_EQ(world.repository.installs[0].certificate, cert);
    answer_install();
    answer_cleanup();
    EXPECT_EQ(machine->state_name(), "Valid");
    EXPECT_EQ(
        world.repository.states(),
        (std::vector<std::string>{"FetchingCaCertificates", "Requesting", "CheckingRevocation",
                                  "Installing", "CleaningUp", "Valid"}));
    ASSERT_EQ(world.notifier.notes.size(), 1u);
    EXPECT_EQ(world.notifier.notes[0].kind, Notification::Kind::installed);
    EXPECT_EQ(timers.pending(), 1u);
    const auto status = machine->status();
    EXPECT_EQ(status.serial, cert.serial_hex());
    EXPECT_EQ(status.next_action, "check revocation");  // 24 h before the renewal at day 72
    EXPECT_TRUE(status.last_error.empty());
    EXPECT_TRUE(machine->stable());
}

TEST_F(ProfileMachineTest, PendingIsPolledWithTheSameTransactionUntilIssued) {
    start(lifecycle_test::profile(ops().root));
    answer_ca(ops().ca_set());
    answer_enrol(pending(), "TX-42", "file:7");
    ASSERT_EQ(machine->state_name(), "Polling");
    EXPECT_EQ(
        world.repository.position.state_data.find("transaction_id=TX-42") != std::string::npos,
        true);
    EXPECT_EQ(timers.advance(59s), 0);
    EXPECT_TRUE(world.enroller.polls.empty());
    EXPECT_EQ(timers.advance(1s), 1);
    ASSERT_EQ(world.enroller.polls.size(), 1u);
    EXPECT_EQ(world.enroller.polls[0].transaction_id, "TX-42");
    EXPECT_EQ(world.enroller.polls[0].key_ref, "file:7");
    answer_enrol(pending(), "TX-42", "file:7");
    timers.advance(60s);
    ASSERT_EQ(world.enroller.polls.size(), 2u);
    answer_enrol(issued(ninety_days(2), ops().chain()), "TX-42", "file:7");
    EXPECT_EQ(machine->state_name(), "CheckingRevocation");
}

TEST_F(ProfileMachineTest, PollingWindowExceededFailsAndStops) {
    start(lifecycle_test::profile(ops().root));
    answer_ca(ops().ca_set());
    answer_enrol(pending());
    for (int i = 0; i < 100 && machine->state_name() == "Polling"; ++i) {
        timers.advance(60s);
        answer_enrol(pending());
    }
    EXPECT_EQ(machine->state_name(), "Failed");
    EXPECT_EQ(world.enroller.polls.size(), 60u);  // one an interval for 1 h, the last at the end
    EXPECT_NE(machine->status().last_error.find("polling window exceeded"), std::string::npos);
    ASSERT_FALSE(world.notifier.notes.empty());
    EXPECT_EQ(world.notifier.notes.back().kind, Notification::Kind::failed);
    EXPECT_EQ(timers.pending(), 0u);
    timers.advance(24h);
    EXPECT_EQ(world.enroller.polls.size(), 60u);
}

TEST_F(ProfileMachineTest, RenewalStartsExactlyAtThePercentageWithItsJitter) {
    start(lifecycle_test::profile(ops().root, "revocation = off\n"));
    const auto cert = ops().issue(clock.now(), clock.now() + 100 * 24h, 3);
    enrol_to_valid(cert);
    const auto due = lifecycle::policy::renewal_due(cert.not_before(), cert.not_after(), 80,
                                                    "wifi/" + cert.serial_hex());
    EXPECT_GE(due, cert.not_before() + 80 * 24h);
    EXPECT_EQ(machine->status().next_action, "renew");
    EXPECT_EQ(machine->status().next_action_at, due);
    EXPECT_EQ(timers.pending(), 1u);
    timers.advance(due - clock.now() - 1s);
    EXPECT_EQ(world.enroller.ca.size(), 1u) << "not a second early";
    EXPECT_EQ(machine->state_name(), "Valid");
    timers.advance(1s);
    ASSERT_EQ(world.enroller.ca.size(), 2u);
    EXPECT_EQ(clock.now(), due);
    answer_ca(ops().ca_set({"Renewal"}));
    ASSERT_EQ(machine->state_name(), "Requesting");
    const auto& enrol = world.enroller.enrols.back();
    EXPECT_EQ(enrol.kind, EnrolmentKind::renewal);
    ASSERT_TRUE(enrol.existing_certificate.has_value());
    EXPECT_EQ(*enrol.existing_certificate, cert);
    EXPECT_EQ(enrol.existing_key_ref, "file:1");
    EXPECT_TRUE(enrol.key_ref.empty()) << "a renewal gets a new key";
}

TEST_F(ProfileMachineTest, CaRolloverThroughGetNextCaCert) {
    static const Ca next("Next");
    put_in_service(ninety_days(4));
    start(lifecycle_test::profile(ops().root, "revocation = off\n"));
    ASSERT_EQ(machine->state_name(), "Valid");
    machine->renew_requested();
    answer_ca(ops().ca_set());
    ASSERT_EQ(machine->state_name(), "CheckingRollover");
    ASSERT_EQ(world.enroller.next_ca.size(), 1u);
    EXPECT_EQ(world.enroller.next_ca[0].current.issuing_ca, ops().issuing);
    machine->on_next_ca_certificates({world.enroller.next_ca[0].id, std::optional(next.ca_set())});
    ASSERT_EQ(machine->state_name(), "Requesting");
    const auto& enrol = world.enroller.enrols.back();
    ASSERT_TRUE(enrol.ca.has_value());
    EXPECT_EQ(enrol.ca->issuing_ca, next.issuing);
    EXPECT_EQ(enrol.kind, EnrolmentKind::renewal);
    const auto renewed = next.issue(clock.now(), clock.now() + 90 * 24h, 5);
    answer_enrol(issued(renewed, next.chain()));
    ASSERT_EQ(machine->state_name(), "Installing");
    EXPECT_EQ(world.repository.installs.back().chain.back(), next.root);
    answer_install();
    EXPECT_EQ(world.notifier.notes.back().kind, Notification::Kind::renewed);
    answer_cleanup();
    EXPECT_EQ(machine->state_name(), "Valid");
    // The new root stays trusted after a restart although the profile still pins the old one.
    restart();
    machine->renew_requested();
    answer_ca(next.ca_set({}));
    EXPECT_EQ(machine->state_name(), "Requesting");
}

TEST_F(ProfileMachineTest, RevokedOwnCertificateIsReEnrolledWithANewKey) {
    put_in_service(ninety_days(6));
    start(lifecycle_test::profile(ops().root));
    ASSERT_EQ(machine->state_name(), "CheckingRevocation");
    answer_revocation(CertificateRevocation::Status::revoked, false);
    ASSERT_EQ(machine->state_name(), "FetchingCaCertificates");
    ASSERT_FALSE(world.notifier.notes.empty());
    EXPECT_EQ(world.notifier.notes[0].kind, Notification::Kind::revoked);
    answer_ca(ops().ca_set({}));
    ASSERT_EQ(machine->state_name(), "Requesting");
    const auto& enrol = world.enroller.enrols.back();
    EXPECT_EQ(enrol.kind, EnrolmentKind::reenrolment);
    EXPECT_TRUE(enrol.key_ref.empty());
    EXPECT_FALSE(enrol.existing_certificate.has_value());
}

TEST_F(ProfileMachineTest, OcspDownUnderSoftFailInstallsWithAWarning) {
    start(lifecycle_test::profile(ops().root, "revocation = ocsp soft-fail\n"));
    answer_ca(ops().ca_set());
    answer_enrol(issued(ninety_days(7), ops().chain()));
    answer_revocation(CertificateRevocation::Status::unknown, true);
    EXPECT_EQ(machine->state_name(), "Installing");
}

TEST_F(ProfileMachineTest, OcspDownUnderHardFailRetriesWithBackOffAndKeepsTheOldCertificate) {
    start(lifecycle_test::profile(ops().root, "revocation = ocsp hard-fail\n"));
    answer_ca(ops().ca_set());
    answer_enrol(issued(ninety_days(8), ops().chain()));
    answer_revocation(CertificateRevocation::Status::unknown, false);
    ASSERT_EQ(machine->state_name(), "RetryWait");
    EXPECT_TRUE(world.repository.installs.empty());
    const auto first = lifecycle::policy::retry_delay(profile_in_use.retry(), 1, "wifi");
    timers.advance(first - 1s);
    EXPECT_EQ(world.revocation.checks.size(), 1u);
    timers.advance(1s);
    ASSERT_EQ(world.revocation.checks.size(), 2u);
    answer_revocation(CertificateRevocation::Status::unknown, false);
    const auto second = lifecycle::policy::retry_delay(profile_in_use.retry(), 2, "wifi");
    EXPECT_GT(second, first);
    timers.advance(second);
    ASSERT_EQ(world.revocation.checks.size(), 3u);
    answer_revocation(CertificateRevocation::Status::good, true);
    EXPECT_EQ(machine->state_name(), "Installing");
}

TEST_F(ProfileMachineTest, FingerprintMismatchStopsAndReportsUntilTheProfileChanges) {
    static const Ca rogue("Rogue");
    start(lifecycle_test::profile(ops().root));
    answer_ca(rogue.ca_set());
    ASSERT_EQ(machine->state_name(), "Failed");
    EXPECT_NE(machine->status().last_error.find("fingerprint"), std::string::npos);
    ASSERT_EQ(world.notifier.notes.size(), 1u);
    EXPECT_EQ(world.notifier.notes[0].kind, Notification::Kind::failed);
    EXPECT_EQ(timers.pending(), 0u);
    timers.advance(7 * 24h);
    EXPECT_EQ(world.enroller.ca.size(), 1u) << "no retry";
    machine->profile_changed(lifecycle_test::profile(rogue.root));
    EXPECT_EQ(machine->state_name(), "FetchingCaCertificates");
    answer_ca(rogue.ca_set());
    EXPECT_EQ(machine->state_name(), "Requesting");
}

TEST_F(ProfileMachineTest, PeerAnchorChangeIsFetchedPinnedAndInstalled) {
    static const Ca peer1("Peer1");
    static const Ca peer2("Peer2");
    put_in_service(ninety_days(9));
    const auto with_peer = [](const Ca& peer) {
        return lifecycle_test::profile(
            ops().root, "revocation = off\npeer_trust_anchor = https://peer.example/root.p7 " +
                            peer.root.fingerprint().to_string() + "\n");
    };
    start(with_peer(peer1));
    ASSERT_EQ(machine->state_name(), "Valid");
    machine->profile_changed(with_peer(peer2));
    ASSERT_EQ(machine->state_name(), "FetchingPeerAnchors");
    ASSERT_EQ(world.enroller.peers.size(), 1u);
    EXPECT_EQ(world.enroller.peers[0].url, "https://peer.example/root.p7");
    machine->on_peer_anchor({world.enroller.peers[0].id, "https://peer.example/root.p7",
                             std::vector<crypto::Certificate>{peer2.issuing, peer2.root}});
    ASSERT_EQ(machine->state_name(), "Installing");
    const auto& install = world.repository.installs.back();
    EXPECT_EQ(install.peer_anchors, (std::vector<crypto::Certificate>{peer2.root, peer2.issuing}));
    EXPECT_EQ(install.key_ref, "file:0");
    answer_install();
    answer_cleanup();
    EXPECT_EQ(machine->state_name(), "Valid");
    // An anchor that does not match its pin is refused.
    machine->profile_changed(with_peer(peer1));
    machine->on_peer_anchor({world.enroller.peers.back().id, "https://peer.example/root.p7",
                             std::vector<crypto::Certificate>{peer2.root}});
    EXPECT_EQ(machine->state_name(), "Failed");
}

TEST_F(ProfileMachineTest, StaleRepliesAreIgnored) {
    start(lifecycle_test::profile(ops().root));
    const auto first = world.enroller.ca[0].id;
    machine->renew_requested();  // a second GetCACert; the first reply is now stale
    ASSERT_EQ(world.enroller.ca.size(), 2u);
    machine->on_ca_certificates({first, ops().ca_set()});
    EXPECT_EQ(machine->state_name(), "FetchingCaCertificates");
    machine->on_enrolment({first, "", "", pending()});
    EXPECT_EQ(machine->state_name(), "FetchingCaCertificates");
    answer_ca(ops().ca_set());
    EXPECT_EQ(machine->state_name(), "Requesting");
}

TEST_F(ProfileMachineTest, ProfileChangeMidEnrolmentAbandonsTheTransaction) {
    start(lifecycle_test::profile(ops().root));
    answer_ca(ops().ca_set());
    answer_enrol(pending(), "TX-OLD", "file:1");
    timers.advance(60s);
    ASSERT_EQ(world.enroller.polls.size(), 1u);
    const auto old_poll = world.enroller.polls[0].id;
    machine->profile_changed(lifecycle_test::profile(ops().root, "san = dns:device-001.example\n"));
    ASSERT_EQ(machine->state_name(), "FetchingCaCertificates");
    machine->on_enrolment({old_poll, "file:1", "TX-OLD", issued(ninety_days(10), ops().chain())});
    EXPECT_EQ(machine->state_name(), "FetchingCaCertificates");
    EXPECT_EQ(timers.pending(), 0u);
    answer_ca(ops().ca_set());
    ASSERT_EQ(machine->state_name(), "Requesting");
    EXPECT_TRUE(world.enroller.enrols.back().transaction_id.empty());
    EXPECT_TRUE(world.enroller.enrols.back().key_ref.empty());
}

TEST_F(ProfileMachineTest, WaitsForATrustworthyClock) {
    clock.set_wall(at("2000-01-01T00:00:00Z"));
    start(lifecycle_test::profile(ops().root));
    ASSERT_EQ(machine->state_name(), "WaitingForClock");
    EXPECT_TRUE(world.enroller.ca.empty());
    timers.advance(5min);
    EXPECT_EQ(machine->state_name(), "WaitingForClock");
    clock.set_wall(at("2026-01-01T00:00:00Z"));
    machine->clock_trusted();
    EXPECT_EQ(machine->state_name(), "FetchingCaCertificates");
}

TEST_F(ProfileMachineTest, UnretryableEnrolmentErrorsFailRetryableOnesWait) {
    start(lifecycle_test::profile(ops().root));
    answer_ca(ops().ca_set());
    machine->on_enrolment(
        {world.enroller.enrols.back().id, "file:3", "TX-3",
         common::fail(common::Errc::network, "connection refused", common::Retry::yes)});
    ASSERT_EQ(machine->state_name(), "RetryWait");
    timers.advance(1h);
    ASSERT_EQ(machine->state_name(), "Requesting");
    EXPECT_EQ(world.enroller.enrols.back().transaction_id, "TX-3");
    EXPECT_EQ(world.enroller.enrols.back().key_ref, "file:3");
    answer_enrol(EnrolmentOutcome{EnrolmentOutcome::Status::rejected, {}, {}, "badRequest"}, "TX-3",
                 "file:3");
    EXPECT_EQ(machine->state_name(), "Failed");
    EXPECT_NE(machine->status().last_error.find("badRequest"), std::string::npos);
}

TEST_F(ProfileMachineTest, NewCertificateThatDoesNotChainIsRefusedAndTheOldStays) {
    static const Ca other("Other");
    put_in_service(ninety_days(11));
    start(lifecycle_test::profile(ops().root, "revocation = off\n"));
    machine->renew_requested();
    answer_ca(ops().ca_set({}));
    answer_enrol(issued(other.issue(clock.now(), clock.now() + 24h, 12), ops().chain()));
    EXPECT_EQ(machine->state_name(), "Failed");
    EXPECT_TRUE(world.repository.installs.empty());
    EXPECT_NE(machine->status().last_error.find("old one stays in service"), std::string::npos);
    EXPECT_EQ(machine->status().serial, world.repository.current->certificate.serial_hex());
}

// ---- the status: an explicit kind, and the next action persisted with the position ----

// The persisted state_data line "next_action=..." ("" when absent).
std::string persisted_next_action(const lifecycle::Position& p) {
    const auto at = p.state_data.find("next_action=");
    if (at == std::string::npos)
        return "";
    const auto begin = at + std::string("next_action=").size();
    return p.state_data.substr(begin, p.state_data.find('\n', begin) - begin);
}

TEST_F(ProfileMachineTest, StatusKindAndNextActionFollowEveryWaitAndArePersisted) {
    using Kind = lifecycle::Status::Kind;
    start(lifecycle_test::profile(ops().root));
    EXPECT_EQ(machine->status().kind, Kind::working);
    EXPECT_EQ(machine->status().next_action, "");
    EXPECT_EQ(persisted_next_action(world.repository.position), "");
    EXPECT_FALSE(world.repository.position.next_action_at.has_value());
    answer_ca(ops().ca_set());
    machine->on_enrolment(
        {world.enroller.enrols.back().id, "file:3", "TX-3",
         common::fail(common::Errc::network, "connection refused", common::Retry::yes)});
    // RetryWait: "retry Requesting" at retry_at, in memory and in the database.
    auto status = machine->status();
    EXPECT_EQ(status.kind, Kind::retry_wait);
    EXPECT_EQ(status.next_action, "retry Requesting");
    const auto retry_at =
        clock.now() + lifecycle::policy::retry_delay(profile_in_use.retry(), 1, "wifi");
    EXPECT_EQ(status.next_action_at, retry_at);
    EXPECT_EQ(persisted_next_action(world.repository.position), "retry Requesting");
    EXPECT_EQ(world.repository.position.next_action_at, retry_at);
    EXPECT_FALSE(machine->stable());
    // Requesting again: working, nothing planned.
    timers.advance(1h);
    ASSERT_EQ(machine->state_name(), "Requesting");
    EXPECT_EQ(machine->status().kind, Kind::working);
    EXPECT_EQ(persisted_next_action(world.repository.position), "");
    // PENDING: "poll" one interval later.
    answer_enrol(pending(), "TX-3", "file:3");
    status = machine->status();
    EXPECT_EQ(status.kind, Kind::pending_poll);
    EXPECT_EQ(status.next_action, "poll");
    EXPECT_EQ(status.next_action_at, clock.now() + 60s);
    EXPECT_EQ(persisted_next_action(world.repository.position), "poll");
    EXPECT_EQ(world.repository.position.next_action_at, clock.now() + 60s);
    // A CertPoll in flight: working, and the database says nothing is planned.
    timers.advance(60s);
    ASSERT_EQ(world.enroller.polls.size(), 1u);
    EXPECT_EQ(machine->status().kind, Kind::working);
    EXPECT_EQ(machine->status().next_action, "");
    EXPECT_EQ(persisted_next_action(world.repository.position), "");
    EXPECT_FALSE(world.repository.position.next_action_at.has_value());
    // Valid: the renewal or the re-check, exactly as the timer is armed.
    const auto cert = ninety_days(20);
    answer_enrol(issued(cert, ops().chain()), "TX-3", "file:3");
    answer_revocation(CertificateRevocation::Status::good, true);
    answer_install();
    answer_cleanup();
    status = machine->status();
    EXPECT_EQ(status.kind, Kind::valid);
    EXPECT_EQ(status.next_action, "check revocation");
    EXPECT_EQ(status.next_action_at, clock.now() + lifecycle::policy::revocation_recheck_interval);
    EXPECT_EQ(persisted_next_action(world.repository.position), "check revocation");
    EXPECT_EQ(world.repository.position.next_action_at, status.next_action_at);
    // Failed: nothing planned.
    static const Ca rogue("Rogue");
    machine->renew_requested();
    answer_ca(rogue.ca_set());
    ASSERT_EQ(machine->state_name(), "Failed");
    EXPECT_EQ(machine->status().kind, Kind::failed);
    EXPECT_EQ(machine->status().next_action, "");
    EXPECT_EQ(persisted_next_action(world.repository.position), "");
    EXPECT_FALSE(world.repository.position.next_action_at.has_value());
    // WaitingForClock after a restart with a wrong clock.
    machine->renew_requested();
    clock.set_wall(at("2000-01-01T00:00:00Z"));
    restart();
    ASSERT_EQ(machine->state_name(), "WaitingForClock");
    EXPECT_EQ(machine->status().kind, Kind::waiting_for_clock);
    EXPECT_EQ(machine->status().next_action, "recheck clock");
    EXPECT_EQ(persisted_next_action(world.repository.position), "recheck clock");
    EXPECT_EQ(lifecycle::to_string(Kind::waiting_for_clock), "waiting_for_clock");
}

TEST_F(ProfileMachineTest, ValidPlansTheRenewalWhenRevocationIsOff) {
    start(lifecycle_test::profile(ops().root, "revocation = off\n"));
    const auto cert = ops().issue(clock.now(), clock.now() + 100 * 24h, 21);
    enrol_to_valid(cert);
    const auto due = lifecycle::policy::renewal_due(cert.not_before(), cert.not_after(), 80,
                                                    "wifi/" + cert.serial_hex());
    EXPECT_EQ(persisted_next_action(world.repository.position), "renew");
    EXPECT_EQ(world.repository.position.next_action_at, due);
    // Resumed: the same action and time, persisted again.
    world.repository.current = lifecycle::InstalledCertificate{cert, ops().chain(), "file:1"};
    restart();
    EXPECT_EQ(machine->status().kind, lifecycle::Status::Kind::valid);
    EXPECT_EQ(persisted_next_action(world.repository.position), "renew");
    EXPECT_EQ(world.repository.position.next_action_at, due);
}

TEST_F(ProfileMachineTest, FailingRenewalNotifiesExpiringOnceADayInTheLastWeek) {
    // 90 days, 10 days left: the warning starts 7 days before notAfter (7 d < 10 % = 9 d).
    const auto t0 = clock.now();
    const auto cert = ops().issue(t0 - 80 * 24h, t0 + 10 * 24h, 22);
    EXPECT_EQ(lifecycle::policy::expiry_warning_from(cert.not_before(), cert.not_after()),
              t0 + 3 * 24h);
    put_in_service(cert);
    start(lifecycle_test::profile(ops().root, "revocation = off\n"));
    ASSERT_EQ(machine->state_name(), "Valid");
    int expiring = 0;
    const auto count = [&] {
        for (const auto& n : world.notifier.notes)
            expiring += n.kind == Notification::Kind::expiring ? 1 : 0;
        world.notifier.notes.clear();
    };
    // The CA stays unreachable: every retry of the renewal fails.
    const auto run_until = [&](common::SystemTime end) {
        while (clock.now() < end) {
            timers.advance(std::min<common::SystemTime::duration>(1h, end - clock.now()));
            if (machine->state_name() == "FetchingCaCertificates" &&
                world.enroller.ca.size() > answered) {
                answer_ca_error();
            }
            count();
        }
    };
    timers.advance(1s);  // the renewal is overdue: it starts at once
    ASSERT_EQ(machine->state_name(), "FetchingCaCertificates");
    answer_ca_error();
    ASSERT_EQ(machine->state_name(), "RetryWait");
    count();
    EXPECT_EQ(expiring, 0) << "ten days left: not yet";
    run_until(t0 + 3 * 24h - 1min);
    EXPECT_EQ(expiring, 0);
    run_until(t0 + 3 * 24h + 2h);
    EXPECT_EQ(expiring, 1) << "the first retry in the last week";
    EXPECT_EQ(machine->status().kind, lifecycle::Status::Kind::retry_wait);
    restart();  // the day's notification is persisted: not repeated after a restart
    answered = 0;
    count();
    run_until(t0 + 4 * 24h - 1h);
    EXPECT_EQ(expiring, 1);
    run_until(t0 + 4 * 24h + 4h);
    EXPECT_EQ(expiring, 2) << "one a day";
    run_until(t0 + 5 * 24h + 6h);
    EXPECT_EQ(expiring, 3);
}

// ---- restart in every state ----

TEST_F(ProfileMachineTest, RestartResumesEveryState) {
    const auto base = lifecycle_test::profile(ops().root);
    // FetchingCaCertificates: fetched again.
    start(base);
    restart();
    EXPECT_EQ(machine->state_name(), "FetchingCaCertificates");
    EXPECT_EQ(world.enroller.ca.size(), 1u);
    // Requesting (retry after a network error): same key and transactionID.
    answer_ca(ops().ca_set());
    machine->on_enrolment({world.enroller.enrols.back().id, "file:5", "TX-5",
                           common::fail(common::Errc::network, "down", common::Retry::yes)});
    ASSERT_EQ(machine->state_name(), "RetryWait");
    restart();
    EXPECT_EQ(machine->state_name(), "RetryWait");
    timers.advance(1h);
    ASSERT_EQ(world.enroller.enrols.size(), 1u);
    EXPECT_EQ(world.enroller.enrols[0].transaction_id, "TX-5");
    EXPECT_EQ(world.enroller.enrols[0].key_ref, "file:5");
    restart();  // in Requesting itself
    EXPECT_EQ(machine->state_name(), "Requesting");
    ASSERT_EQ(world.enroller.enrols.size(), 1u);
    EXPECT_EQ(world.enroller.enrols[0].transaction_id, "TX-5");
    // Polling: same transaction, at the persisted time, same window.
    answer_enrol(pending(), "TX-5", "file:5");
    timers.advance(30s);
    restart();
    EXPECT_EQ(machine->state_name(), "Polling");
    EXPECT_TRUE(world.enroller.polls.empty());
    timers.advance(29s);
    EXPECT_TRUE(world.enroller.polls.empty());
    timers.advance(1s);
    ASSERT_EQ(world.enroller.polls.size(), 1u);
    EXPECT_EQ(world.enroller.polls[0].transaction_id, "TX-5");
    EXPECT_EQ(world.enroller.polls[0].key_ref, "file:5");
    restart();  // with a poll in flight: polled again one interval later
    timers.advance(60s);
    ASSERT_EQ(world.enroller.polls.size(), 1u);
    // CheckingRevocation of the new chain: the certificate came back from state_data.
    const auto cert = ninety_days(13);
    answer_enrol(issued(cert, ops().chain()), "TX-5", "file:5");
    ASSERT_EQ(machine->state_name(), "CheckingRevocation");
    restart();
    ASSERT_EQ(world.revocation.checks.size(), 1u);
    EXPECT_EQ(world.revocation.checks[0].chain.front(), cert);
    // Installing: re-run with the same key and certificate.
    answer_revocation(CertificateRevocation::Status::good, true);
    ASSERT_EQ(machine->state_name(), "Installing");
    restart();
    ASSERT_EQ(world.repository.installs.size(), 1u);
    EXPECT_EQ(world.repository.installs[0].certificate, cert);
    EXPECT_EQ(world.repository.installs[0].key_ref, "file:5");
    // CleaningUp, then Valid.
    world.repository.current = lifecycle::InstalledCertificate{cert, ops().chain(), "file:5"};
    answer_install();
    ASSERT_EQ(machine->state_name(), "CleaningUp");
    restart();
    ASSERT_EQ(world.repository.cleanups.size(), 1u);
    answer_cleanup();
    ASSERT_EQ(machine->state_name(), "Valid");
    const auto due = machine->status().next_action_at;
    restart();
    EXPECT_EQ(machine->state_name(), "Valid");
    EXPECT_EQ(machine->status().next_action_at, due);
    EXPECT_EQ(timers.pending(), 1u);
    EXPECT_TRUE(world.enroller.ca.empty());
}

TEST_F(ProfileMachineTest, RestartInFailedAndWaitingForClockAndRollover) {
    static const Ca rogue("Rogue");
    start(lifecycle_test::profile(ops().root));
    answer_ca(rogue.ca_set());
    ASSERT_EQ(machine->state_name(), "Failed");
    restart();
    EXPECT_EQ(machine->state_name(), "Failed");
    EXPECT_TRUE(world.notifier.notes.empty());
    EXPECT_TRUE(world.enroller.ca.empty());
    EXPECT_EQ(timers.pending(), 0u);
    EXPECT_FALSE(machine->status().last_error.empty());

    clock.set_wall(at("2000-01-01T00:00:00Z"));
    machine->renew_requested();
    ASSERT_EQ(machine->state_name(), "FetchingCaCertificates");
    restart();
    ASSERT_EQ(machine->state_name(), "WaitingForClock");
    restart();
    ASSERT_EQ(machine->state_name(), "WaitingForClock");
    clock.set_wall(at("2026-01-01T00:00:00Z"));
    machine->clock_trusted();
    EXPECT_EQ(machine->state_name(), "FetchingCaCertificates");

    put_in_service(ninety_days(14));
    machine->renew_requested();
    answer_ca(ops().ca_set());
    ASSERT_EQ(machine->state_name(), "CheckingRollover");
    restart();  // the CA set is fetched again, then GetNextCACert
    ASSERT_EQ(world.enroller.ca.size(), 1u);
    answer_ca(ops().ca_set());
    ASSERT_EQ(world.enroller.next_ca.size(), 1u);
    machine->on_next_ca_certificates(
        {world.enroller.next_ca[0].id, std::optional<lifecycle::CaCertificates>()});
    EXPECT_EQ(machine->state_name(), "Requesting");
}

}  // namespace
