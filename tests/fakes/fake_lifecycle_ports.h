// Hand-written fakes of the lifecycle ports (lifecycle/ports.h): every request is recorded and
// nothing is answered; a test answers by calling the machine's on_* entry point itself, one
// event at a time. No threads, no sleeps.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lifecycle/ports.h"

namespace fakes {

class FakeEnroller final : public lifecycle::Enroller {
  public:
    void fetch_ca_certificates(const lifecycle::FetchCaCertificates& r) override {
        ca.push_back(r);
    }
    void fetch_next_ca_certificates(const lifecycle::FetchNextCaCertificates& r) override {
        next_ca.push_back(r);
    }
    void enrol(const lifecycle::Enrol& r) override { enrols.push_back(r); }
    void poll(const lifecycle::Poll& r) override { polls.push_back(r); }
    void fetch_peer_anchor(const lifecycle::FetchPeerAnchor& r) override { peers.push_back(r); }

    std::vector<lifecycle::FetchCaCertificates> ca;
    std::vector<lifecycle::FetchNextCaCertificates> next_ca;
    std::vector<lifecycle::Enrol> enrols;
    std::vector<lifecycle::Poll> polls;
    std::vector<lifecycle::FetchPeerAnchor> peers;
};

class FakeRevocationChecker final : public lifecycle::RevocationChecker {
  public:
    void check(const lifecycle::CheckRevocation& r) override { checks.push_back(r); }
    std::vector<lifecycle::CheckRevocation> checks;
};

class FakeCertificateRepository final : public lifecycle::CertificateRepository {
  public:
    common::Result<std::optional<lifecycle::InstalledCertificate>> installed(
        const std::string&) override {
        return current;
    }
    common::Result<void> record_transition(const lifecycle::Transition& t) override {
        transitions.push_back(t);
        position = t.to;
        return {};
    }
    common::Result<void> save_position(const std::string&, const lifecycle::Position& p,
                                       common::SystemTime) override {
        saves.push_back(p);
        position = p;
        return {};
    }
    void install(const lifecycle::Install& r) override { installs.push_back(r); }
    void cleanup(const lifecycle::Cleanup& r) override { cleanups.push_back(r); }

    // The names of the states entered, in order.
    std::vector<std::string> states() const {
        std::vector<std::string> out;
        for (const auto& t : transitions) out.push_back(t.to.state);
        return out;
    }

    std::optional<lifecycle::InstalledCertificate> current;  // what installed() returns
    std::vector<lifecycle::Transition> transitions;
    std::vector<lifecycle::Position> saves;
    lifecycle::Position position;  // the last one persisted either way
    std::vector<lifecycle::Install> installs;
    std::vector<lifecycle::Cleanup> cleanups;
};

class FakeNotifier final : public lifecycle::Notifier {
  public:
    void notify(const lifecycle::Notification& n) override { notes.push_back(n); }
    std::vector<lifecycle::Notification> notes;
};

struct FakeLifecyclePorts {
    FakeEnroller enroller;
    FakeRevocationChecker revocation;
    FakeCertificateRepository repository;
    FakeNotifier notifier;

    lifecycle::Ports ports() { return {enroller, revocation, repository, notifier}; }
};

}  // namespace fakes
