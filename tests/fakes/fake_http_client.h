// An in-memory HttpClient: answers from a queue of canned results, then from a handler, and
// records every request. No sockets, no threads.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "transport/http_client.h"

namespace fakes {

class FakeHttpClient final : public transport::HttpClient {
public:
    using Handler =
        std::function<common::Result<transport::HttpResponse>(const transport::HttpRequest&)>;

    // A response with a status, a body and (unless empty) a Content-Type.
    static transport::HttpResponse response(int status, std::string body,
                                            std::string content_type = {}) {
        transport::HttpResponse r;
        r.status = status;
        r.body = std::move(body);
        if (!content_type.empty()) {
            r.headers.emplace_back("Content-Type", std::move(content_type));
        }
        return r;
    }

    // Queues a result (a response or an Error) for one later send(), first in first out.
    void push(common::Result<transport::HttpResponse> result) {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(result));
    }

    // Answers requests that find the queue empty. Without one they fail with Errc::internal.
    void set_handler(Handler handler) {
        auto shared = std::make_shared<Handler>(std::move(handler));
        std::lock_guard lock(m_mutex);
        m_handler = std::move(shared);
    }

    common::Result<transport::HttpResponse> send(const transport::HttpRequest& request) override {
        std::shared_ptr<Handler> handler;  // called outside the lock, state kept between calls
        {
            std::lock_guard lock(m_mutex);
            m_requests.push_back(request);
            if (!m_queue.empty()) {
                auto result = std::move(m_queue.front());
                m_queue.pop_front();
                return with_effective_url(std::move(result), request);
            }
            handler = m_handler;
        }
        if (!handler || !*handler) {
            return common::fail(common::Errc::internal,
                                "FakeHttpClient: nothing queued for " + request.url);
        }
        return with_effective_url((*handler)(request), request);
    }

    std::vector<transport::HttpRequest> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }
    std::size_t request_count() const {
        std::lock_guard lock(m_mutex);
        return m_requests.size();
    }
    std::size_t queued() const {
        std::lock_guard lock(m_mutex);
        return m_queue.size();
    }

private:
    static common::Result<transport::HttpResponse> with_effective_url(
        common::Result<transport::HttpResponse> result, const transport::HttpRequest& request) {
        if (result && result->effective_url.empty()) {
            result->effective_url = request.url;
        }
        return result;
    }

    mutable std::mutex m_mutex;
    std::deque<common::Result<transport::HttpResponse>> m_queue;
    std::shared_ptr<Handler> m_handler;
    std::vector<transport::HttpRequest> m_requests;
};

}  // namespace fakes
