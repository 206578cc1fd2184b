// CwmpAgent over a fake ACS (an HttpClient that answers with the real codec): BOOTSTRAP then
// BOOT, a Download applied (TransferComplete 0) or refused (9018, nothing applied), a Download
// that outlives a restart, and VALUE CHANGE from a lifecycle notification. The agent runs on a
// real io_context with real timers and worker threads; nothing leaves the process.
#include "cwmp_agent.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "asio_timers.h"
#include "common/clock.h"
#include "cwmp/codec.h"
#include "cwmp/cwmp_store.h"
#include "fakes/capture_sink.h"
#include "fakes/temp_dir.h"
#include "stores/state_db.h"

namespace certkeeperd {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view acs_url = "http://acs.test/cwmp";

// The ACS: answers Inform and TransferComplete, hands out scripted requests on empty POSTs and
// after each response, 204 when none is left; serves files for Downloads. Called on worker threads.
class FakeAcs final : public transport::HttpClient {
public:
    common::Result<transport::HttpResponse> send(const transport::HttpRequest& request) override {
        std::lock_guard lock(m_mutex);
        if (request.url != acs_url) {
            auto it = m_files.find(request.url);
            if (it == m_files.end()) return transport::HttpResponse{404, {}, "", request.url};
            return transport::HttpResponse{200, {}, it->second, request.url};
        }
        if (!request.body.empty()) {
            auto envelope = cwmp::decode(request.body);
            if (!envelope) return common::fail(common::Errc::internal, "the CPE sent: " + envelope.error().to_string());
            m_received.push_back(*envelope);
            if (std::holds_alternative<cwmp::Inform>(envelope->body)) {
                return answer({envelope->header, cwmp::InformResponse{}, cwmp::CwmpVersion::v1_2});
            }
            if (std::holds_alternative<cwmp::TransferComplete>(envelope->body)) {
                return answer({envelope->header, cwmp::TransferCompleteResponse{}, cwmp::CwmpVersion::v1_2});
            }
        }
        if (m_script.empty()) return transport::HttpResponse{204, {}, "", request.url};
        cwmp::Envelope next{cwmp::Header{}, m_script.front(), cwmp::CwmpVersion::v1_2};
        next.header.id = "acs-" + std::to_string(++m_ids);
        m_script.pop_front();
        return answer(next);
    }

    void script(cwmp::Body request) {
        std::lock_guard lock(m_mutex);
        m_script.push_back(std::move(request));
    }
    void file(std::string url, std::string content) {
        std::lock_guard lock(m_mutex);
        m_files[std::move(url)] = std::move(content);
    }
    std::vector<cwmp::Envelope> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }
    template <typename T>
    std::vector<T> received_of() {
        std::vector<T> out;
        for (const auto& e : received()) {
            if (auto* m = std::get_if<T>(&e.body)) out.push_back(*m);
        }
        return out;
    }

private:
    common::Result<transport::HttpResponse> answer(const cwmp::Envelope& envelope) {
        auto xml = cwmp::encode(envelope, cwmp::CwmpVersion::v1_2);
        if (!xml) return xml.error();
        return transport::HttpResponse{200, {{"Content-Type", "text/xml"}}, *xml, std::string(acs_url)};
    }

    std::mutex m_mutex;
    std::deque<cwmp::Body> m_script;
    std::map<std::string, std::string> m_files;
    std::vector<cwmp::Envelope> m_received;
    int m_ids = 0;
};

std::vector<std::string> event_codes(const cwmp::Inform& inform) {
    std::vector<std::string> out;
    for (const auto& e : inform.events) out.push_back(e.event_code + (e.command_key.empty() ? "" : ":" + e.command_key));
    return out;
}

class CwmpAgentTest : public ::testing::Test {
protected:
    CwmpAgentTest() {
        m_profile_text = "[profile \"gw\"]\n"
                         "url = http://127.0.0.1:9/scep\n"
                         "ca_fingerprint = sha256:" + std::string(64, 'A') + "\n"
                         "subject = CN=${SERIAL}\n"
                         "challenge = s3cret\n"
                         "store = pem:" + (m_dir / "store").string() + "/\n";
    }
    ~CwmpAgentTest() override { stop(); }

    void start() {
        m_workers = std::make_unique<Workers>(1, [this] {
            return std::make_unique<WorkerContext>(m_log, transport::CurlOptions{});
        });
        CwmpAgentOptions o;
        o.settings.url = std::string(acs_url);
        o.settings.periodic_inform_enable = false;
        o.settings.connection_request_password = "cr-secret";
        o.connection_request_address = "127.0.0.1";
        o.connection_request_port = 0;
        o.device_info.manufacturer = "certkeeper";
        o.device_info.manufacturer_oui = "001122";
        o.device_info.product_class = "it-box";
        o.device_info.serial_number = "SN-1";
        o.device_info.software_version = "0.1.0";
        o.http = [this](const transport::CurlOptions&, common::Logger) -> std::unique_ptr<transport::HttpClient> {
            return std::make_unique<Forward>(m_acs);
        };
        AgentHooks hooks;
        hooks.profiles_applied = [this](const std::vector<std::string>& names) {
            m_applied.insert(m_applied.end(), names.begin(), names.end());
        };
        hooks.restart = [this](RestartKind kind) { m_restart = kind; };
        auto agent = CwmpAgent::start(m_io, m_db, m_state, *m_workers, m_timers, m_clock, m_log, o, hooks);
        ASSERT_TRUE(agent) << agent.error().to_string();
        m_agent = std::move(*agent);
    }
    // Workers first: a running job uses the agent's HTTP client.
    void stop() {
        if (m_workers) m_workers->stop();
        m_agent.reset();
        m_workers.reset();
    }
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < end) {
            m_io.restart();
            m_io.run_for(10ms);
        }
        return done();
    }
    bool settled() {
        return run_until([this] { return m_agent->settled(); });
    }

    // The agent owns its clients; this one forwards to the shared fake.
    class Forward final : public transport::HttpClient {
    public:
        explicit Forward(FakeAcs& acs) : m_acs(acs) {}
        common::Result<transport::HttpResponse> send(const transport::HttpRequest& r) override { return m_acs.send(r); }

    private:
        FakeAcs& m_acs;
    };

    fakes::TempDir m_dir{"certkeeper-cwmp-agent"};
    stores::Database m_db = stores::open_state_db(m_dir / "state.db").value();
    stores::StateStore m_state{m_db};
    cwmp::CwmpStore m_cwmp{m_db};
    fakes::CaptureSink m_sink;
    common::Logger m_log{m_sink, "test"};
    common::SystemClock m_clock;
    boost::asio::io_context m_io;
    AsioTimers m_timers{m_io};
    FakeAcs m_acs;
    std::string m_profile_text;
    std::vector<std::string> m_applied;
    std::optional<RestartKind> m_restart;
    std::unique_ptr<Workers> m_workers;
    std::unique_ptr<CwmpAgent> m_agent;
};

TEST_F(CwmpAgentTest, FirstStartIsBootstrapThenBoot) {
    start();
    ASSERT_TRUE(settled());
    auto informs = m_acs.received_of<cwmp::Inform>();
    ASSERT_EQ(informs.size(), 1u);
    EXPECT_EQ(event_codes(informs[0]), std::vector<std::string>{"0 BOOTSTRAP"});
    EXPECT_EQ(informs[0].device_id.serial_number, "SN-1");
    EXPECT_EQ(informs[0].device_id.oui, "001122");
    bool has_url = false;
    for (const auto& p : informs[0].parameter_list) {
        if (p.name == "Device.ManagementServer.ConnectionRequestURL") has_url = p.value.starts_with("http://127.0.0.1:");
    }
    EXPECT_TRUE(has_url) << "ConnectionRequestURL in the forced inform parameters";
    EXPECT_TRUE(m_cwmp.pending_events().value().empty()) << "acknowledged by the InformResponse";
    EXPECT_EQ(m_cwmp.bootstrapped_url().value(), acs_url);

    stop();
    start();
    ASSERT_TRUE(settled());
    informs = m_acs.received_of<cwmp::Inform>();
    ASSERT_EQ(informs.size(), 2u);
    EXPECT_EQ(event_codes(informs[1]), std::vector<std::string>{"1 BOOT"});
}

TEST_F(CwmpAgentTest, DownloadOfAProfileFileIsAppliedAndReported) {
    m_acs.file("http://files.test/gw.conf", m_profile_text);
    cwmp::Download download;
    download.command_key = "dl-1";
    download.file_type = "3 Vendor Configuration File";
    download.url = "http://files.test/gw.conf";
    m_acs.script(download);
    start();
    ASSERT_TRUE(settled());

    EXPECT_EQ(m_applied, std::vector<std::string>{"gw"});
    auto stored = m_state.get_profile("gw").value();
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->source, "cwmp");
    auto transfers = m_acs.received_of<cwmp::TransferComplete>();
    ASSERT_EQ(transfers.size(), 1u);
    EXPECT_EQ(transfers[0].command_key, "dl-1");
    EXPECT_EQ(transfers[0].fault_struct.fault_code, 0u);
    auto informs = m_acs.received_of<cwmp::Inform>();
    ASSERT_EQ(informs.size(), 2u);
    EXPECT_EQ(event_codes(informs[1]), (std::vector<std::string>{"M Download:dl-1", "7 TRANSFER COMPLETE"}));
    EXPECT_TRUE(m_cwmp.pending_downloads().value().empty());
    EXPECT_TRUE(m_cwmp.pending_events().value().empty());
}

TEST_F(CwmpAgentTest, BrokenProfileFileIsFault9018AndNothingIsApplied) {
    m_acs.file("http://files.test/gw.conf", "[profile \"gw\"\nfrobnicate = yes\n");
    cwmp::Download download;
    download.command_key = "dl-bad";
    download.file_type = "X 001122 Certificate Profile";
    download.url = "http://files.test/gw.conf";
    m_acs.script(download);
    cwmp::Download missing = download;
    missing.command_key = "dl-404";
    missing.url = "http://files.test/missing.conf";
    m_acs.script(missing);
    start();
    ASSERT_TRUE(settled());

    EXPECT_TRUE(m_applied.empty());
    EXPECT_TRUE(m_state.list_profiles().value().empty());
    auto transfers = m_acs.received_of<cwmp::TransferComplete>();
    ASSERT_EQ(transfers.size(), 2u);
    std::map<std::string, std::uint32_t> faults;
    for (const auto& t : transfers) faults[t.command_key] = t.fault_struct.fault_code;
    EXPECT_EQ(faults["dl-bad"], 9018u);
    EXPECT_EQ(faults["dl-404"], 9016u);
}

TEST_F(CwmpAgentTest, ADownloadAcceptedBeforeARestartIsFinishedAfterIt) {
    m_acs.file("http://files.test/gw.conf", m_profile_text);
    cwmp::Download download;
    download.command_key = "dl-later";
    download.file_type = "3 Vendor Configuration File";
    download.url = "http://files.test/gw.conf";
    download.delay_seconds = 2;
    m_acs.script(download);
    start();
    // The session ends (DownloadResponse, then 204) long before the delay is up.
    ASSERT_TRUE(run_until([this] { return !m_acs.received_of<cwmp::DownloadResponse>().empty() && !m_agent->settled(); }));
    run_until([] { return false; }, 200ms);
    stop();
    ASSERT_EQ(m_cwmp.pending_downloads().value().size(), 1u) << "kept across the restart";
    EXPECT_TRUE(m_applied.empty());

    start();
    ASSERT_TRUE(run_until([this] { return !m_acs.received_of<cwmp::TransferComplete>().empty() && m_agent->settled(); }));
    EXPECT_EQ(m_applied, std::vector<std::string>{"gw"});
    EXPECT_EQ(m_acs.received_of<cwmp::TransferComplete>().at(0).command_key, "dl-later");
    EXPECT_TRUE(m_cwmp.pending_downloads().value().empty());
}

TEST_F(CwmpAgentTest, ANotificationBecomesValueChangeWithTheChangedValue) {
    ASSERT_TRUE(m_state.upsert_profile({"gw", "cwmp", m_profile_text, true}, m_clock.now()));
    ASSERT_TRUE(m_state.save_position("gw", {"Requesting", "", std::nullopt, ""}, m_clock.now()));
    cwmp::SetParameterAttributes watch;
    watch.parameter_list.push_back({"Device.X_001122_CertificateProfile.", true, cwmp::Notification::active, false, {}});
    m_acs.script(watch);
    start();
    ASSERT_TRUE(settled());
    ASSERT_EQ(m_acs.received_of<cwmp::SetParameterAttributesResponse>().size(), 1u);

    m_agent->notify({});  // nothing changed: no session
    ASSERT_TRUE(settled());
    EXPECT_EQ(m_acs.received_of<cwmp::Inform>().size(), 1u);

    ASSERT_TRUE(m_state.save_position("gw", {"Failed", "", std::nullopt, "step 1: refused"}, m_clock.now()));
    m_agent->notify({lifecycle::Notification::Kind::failed, "gw", "", "", std::nullopt, "refused"});
    ASSERT_TRUE(settled());
    auto informs = m_acs.received_of<cwmp::Inform>();
    ASSERT_EQ(informs.size(), 2u);
    EXPECT_EQ(event_codes(informs[1]), std::vector<std::string>{"4 VALUE CHANGE"});
    std::map<std::string, std::string> params;
    for (const auto& p : informs[1].parameter_list) params[p.name] = p.value;
    EXPECT_EQ(params["Device.X_001122_CertificateProfile.1.Status.State"], "Failed");
    EXPECT_EQ(params["Device.X_001122_CertificateProfile.1.Status.LastError"], "step 1: refused");
    EXPECT_FALSE(params.contains("Device.X_001122_CertificateProfile.1.URL")) << "only what changed";

    m_agent->notify({});  // reported now: no second VALUE CHANGE
    ASSERT_TRUE(settled());
    EXPECT_EQ(m_acs.received_of<cwmp::Inform>().size(), 2u);
}

}  // namespace
}  // namespace certkeeperd
