// The --once judgement of a machine (machine_driver.h Stability) over the real
// lifecycle::ProfileMachine (lifecycle_machine.cpp): from Status::Kind and whether the armed
// timer is due, never from state names or next-action strings.
#include <gtest/gtest.h>

#include <memory>

#include "fakes/fake_clock.h"
#include "fakes/fake_lifecycle_ports.h"
#include "fakes/fake_timers.h"
#include "machine_driver.h"
#include "unit/lifecycle/lifecycle_test_pki.h"

namespace certkeeperd {
namespace {

using namespace std::chrono_literals;
using lifecycle::EnrolmentOutcome;
using lifecycle_test::Ca;

class CertkeeperdStabilityTest : public ::testing::Test {
protected:
    static const Ca& ca() {
        static const Ca c("Stability");
        return c;
    }
    void start(const profiles::Profile& p) {
        machine = lifecycle_machine_factory()(
            p, MachineContext{world.ports(), timers, clock, common::Logger(sink, "lifecycle"),
                              std::nullopt});
        machine->start();
    }
    void answer_ca() { machine->on_ca_certificates({world.enroller.ca.back().id, ca().ca_set({})}); }
    void answer_enrol(common::Result<EnrolmentOutcome> outcome) {
        lifecycle::RequestId id = world.enroller.enrols.back().id;
        if (!world.enroller.polls.empty()) id = std::max(id, world.enroller.polls.back().id);
        machine->on_enrolment({id, "file:1", "TX-1", std::move(outcome)});
    }

    fakes::FakeClock clock{lifecycle_test::at("2026-01-01T00:00:00Z")};
    fakes::FakeTimers timers{clock};
    fakes::FakeLifecyclePorts world;
    common::NullSink sink;
    std::unique_ptr<MachineDriver> machine;
};

TEST_F(CertkeeperdStabilityTest, PendingIsWaitingUntilThePollIsDueThenBusy) {
    start(lifecycle_test::profile(ca().root, "revocation = off\n"));
    EXPECT_EQ(machine->stability(), Stability::busy) << "GetCACert out";
    answer_ca();
    EXPECT_EQ(machine->stability(), Stability::busy) << "PKCSReq out";
    answer_enrol(EnrolmentOutcome{EnrolmentOutcome::Status::pending, {}, {}, ""});
    EXPECT_EQ(machine->state_name(), "Polling");
    EXPECT_EQ(machine->stability(), Stability::waiting);
    clock.advance(59s);  // the CertPoll is due within a second: it fires at once
    EXPECT_EQ(machine->stability(), Stability::busy);
    timers.advance(1s);
    EXPECT_EQ(machine->stability(), Stability::busy) << "CertPoll out";
    const auto cert = ca().issue(clock.now(), clock.now() + 90 * 24h, 1);
    answer_enrol(EnrolmentOutcome{EnrolmentOutcome::Status::issued, cert, ca().chain(), ""});
    EXPECT_EQ(machine->stability(), Stability::busy) << "install out";
    machine->on_installed({world.repository.installs.back().id, {}});
    machine->on_cleaned_up({world.repository.cleanups.back().id, std::size_t{0}});
    EXPECT_EQ(machine->state_name(), "Valid");
    EXPECT_EQ(machine->stability(), Stability::valid);
}

TEST_F(CertkeeperdStabilityTest, RetryWaitAndFailedAreFailures) {
    start(lifecycle_test::profile(ca().root));
    answer_ca();
    answer_enrol(common::fail(common::Errc::network, "connection refused", common::Retry::yes));
    EXPECT_EQ(machine->state_name(), "RetryWait");
    EXPECT_EQ(machine->stability(), Stability::failed);
    timers.advance(1h);
    EXPECT_EQ(machine->stability(), Stability::busy) << "re-sent";
    answer_enrol(EnrolmentOutcome{EnrolmentOutcome::Status::rejected, {}, {}, "badRequest"});
    EXPECT_EQ(machine->state_name(), "Failed");
    EXPECT_EQ(machine->stability(), Stability::failed);
}

TEST_F(CertkeeperdStabilityTest, WaitingForTheClockIsAFailure) {
    clock.set_wall(lifecycle_test::at("2000-01-01T00:00:00Z"));
    start(lifecycle_test::profile(ca().root));
    EXPECT_EQ(machine->state_name(), "WaitingForClock");
    EXPECT_EQ(machine->stability(), Stability::failed);
}

}  // namespace
}  // namespace certkeeperd
