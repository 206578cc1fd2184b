#include "serve.h"

#include <csignal>
#include <iostream>
#include <mutex>

#include "admin_api.h"
#include "ca/authority.h"
#include "ca/ca_store.h"
#include "ca/enrollment_service.h"
#include "responder_dir.h"
#include "scep/responder.h"
#include "scep_backend.h"
#include "transport/http_server.h"

namespace responder {
namespace {

using transport::HttpServerRequest;
using transport::HttpServerResponse;

constexpr std::chrono::seconds ocsp_validity{3600};

HttpServerResponse bytes_response(std::string_view content_type, const crypto::Bytes& der) {
    return HttpServerResponse::reply(200, std::string(der.begin(), der.end()), std::string(content_type));
}

struct Service {
    ca::EnrollmentService& enrollment;
    scep::Responder& scep;
    const common::Clock& clock;

    HttpServerResponse handle(const HttpServerRequest& request) {
        const std::string_view path = request.path();
        if (path == "/scep" || path.rfind("/scep/", 0) == 0 || path == "/cgi-bin/pkiclient.exe") {
            auto reply = scep.handle(request.method, request.query("operation").value_or(""),
                                     request.query("message").value_or(""), request.body);
            return HttpServerResponse::reply(reply.status, std::move(reply.body), reply.content_type);
        }
        if (path == "/crl" || path == "/crl.der") {
            auto crl = enrollment.current_crl(clock.now());
            if (!crl) return HttpServerResponse::reply(503, "CRL unavailable\n");
            return bytes_response("application/pkix-crl", crl->to_der());
        }
        if (path == "/ocsp" || path.rfind("/ocsp/", 0) == 0) return ocsp(request, path);
        return HttpServerResponse::reply(404, "not found\n");
    }

    HttpServerResponse ocsp(const HttpServerRequest& request, std::string_view path) {
        crypto::Bytes der;
        if (request.method == "POST") {
            der.assign(request.body.begin(), request.body.end());
        } else if (path.size() > 6) {
            // RFC 6960 Appendix A.1: GET {url}/{url-encoding of base-64 encoding of the DER}.
            std::string encoded;
            for (std::size_t i = 6; i < path.size(); ++i) {
                if (path[i] == '%' && i + 2 < path.size()) {
                    auto hex = crypto::from_hex(path.substr(i + 1, 2));
                    if (hex) encoded += static_cast<char>((*hex)[0]);
                    i += 2;
                } else {
                    encoded += path[i];
                }
            }
            auto decoded = crypto::from_base64(encoded);
            if (decoded) der = std::move(*decoded);
        }
        const auto lookup = [this](std::string_view serial) { return enrollment.status(serial); };
        auto answer = enrollment.authority().ocsp_respond(der, lookup, clock.now(), ocsp_validity);
        return bytes_response("application/ocsp-response", answer.der);
    }
};

}  // namespace

int serve(const ServeOptions& o) {
    common::StderrSink sink;
    common::Logger log(sink, "responder");
    common::SystemClock clock;
    auto fail = [&](const std::string& what, const common::Error& e) {
        std::cerr << "certkeeper-responder serve: " << what << ": " << e.to_string() << "\n";
        return 2;
    };
    auto dir = load_dir(o.dir);
    if (!dir) return fail("loading " + o.dir, dir.error());
    auto settings = parse_settings(dir->config_text);
    if (!settings) return fail("responder.conf", settings.error());
    if (!o.challenge.empty()) settings->policy.static_challenge = o.challenge;
    if (o.manual_approval) settings->policy.manual_approval = true;
    if (o.legacy_des) settings->legacy_des = true;
    auto profiles = ca::CertificateProfiles::parse(dir->config_text);
    if (!profiles) return fail("responder.conf", profiles.error());
    if (profiles->find(settings->policy.profile) == nullptr) {
        return fail("responder.conf", common::Error(common::Errc::invalid_argument,
                                                    "no profile named '" + settings->policy.profile + "'"));
    }
    auto authority = ca::Authority::create(dir->ca, dir->ca_key, dir->chain);
    if (!authority) return fail("CA", authority.error());
    auto store = ca::CaStore::open(database_path(o.dir));
    auto admin_store = ca::CaStore::open(database_path(o.dir));
    if (!store) return fail("database", store.error());
    if (!admin_store) return fail("database", admin_store.error());
    ca::EnrollmentService enrollment(*authority, *store, *profiles, settings->policy, log.child("ca"));
    ScepBackend backend(enrollment);
    scep::ResponderIdentity identity{dir->ca, dir->chain, dir->ra, dir->ra_key, dir->ra, dir->ra_key,
                                     dir->ca_key, dir->next_ca, settings->legacy_des};
    scep::Responder scep_responder(identity, backend, clock, log.child("scep"));
    Service service{enrollment, scep_responder, clock};

    // Block the stop signals in every thread; the main thread waits for them below.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    transport::HttpServerOptions http;
    http.bind_address = o.bind;
    http.port = o.port;
    http.worker_threads = o.threads;
    auto server = transport::HttpServer::start(
        http, [&service](const HttpServerRequest& r) { return service.handle(r); }, log.child("http"));
    if (!server) return fail("listening on " + o.bind + ":" + std::to_string(o.port), server.error());
    std::mutex admin_mutex;
    transport::HttpServerOptions admin;
    admin.bind_address = o.admin_bind;
    admin.port = o.admin_port;
    admin.worker_threads = 2;
    auto admin_server = transport::HttpServer::start(
        admin, make_admin_handler(*admin_store, admin_mutex, dir->admin_token, clock), log.child("admin"));
    if (!admin_server) return fail("admin listener", admin_server.error());
    log.info("SCEP at http://" + o.bind + ":" + std::to_string((*server)->port()) +
             "/scep (also /cgi-bin/pkiclient.exe), CRL at /crl, OCSP at /ocsp; admin API at http://" +
             o.admin_bind + ":" + std::to_string((*admin_server)->port()) + "/; CA " +
             dir->ca.subject() + " " + dir->ca.fingerprint().to_string());
    int received = 0;
    sigwait(&signals, &received);
    log.info(std::string("stopping on ") + (received == SIGTERM ? "SIGTERM" : "SIGINT"));
    (*server)->request_stop();
    (*admin_server)->request_stop();
    (*server)->wait();
    (*admin_server)->wait();
    return 0;
}

}  // namespace responder
