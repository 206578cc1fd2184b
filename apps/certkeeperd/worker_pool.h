// WorkerPool: a few threads for the blocking I/O the event loop must not do itself (SCEP over
// HTTP, CRL/OCSP fetches, installs, post-install commands). Each thread owns a Context made on
// that thread by the factory (an HTTP client, a database connection: things used by one thread
// at a time); a job gets its thread's Context.
//
// Jobs carry a key (the profile name). Jobs of one key run one at a time in submission order,
// so a profile's requests cannot overtake each other; jobs of different keys run in parallel.
// A job delivers its result by posting back to the event loop itself (see Daemon); the pool
// knows nothing of the loop.
//
// stop(): jobs not yet started are dropped, running ones finish (a blocking call is bounded by
// its own timeout), then the threads are joined. The destructor stops.
//
// Thread-safety: submit() and stop() from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace certkeeperd {

template <typename Context>
class WorkerPool {
public:
    using Job = std::function<void(Context&)>;
    using Factory = std::function<std::unique_ptr<Context>()>;

    // REQUIRES: threads >= 1. factory runs once on each worker thread before its first job.
    WorkerPool(std::size_t threads, Factory factory) {
        for (std::size_t i = 0; i < threads; ++i) {
            m_threads.emplace_back([this, factory] { run(factory); });
        }
    }
    ~WorkerPool() { stop(); }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Queues job behind the other jobs of key. Returns false (job dropped) after stop().
    bool submit(const std::string& key, Job job) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping) return false;
            auto& queue = m_queues[key];
            queue.push_back(std::move(job));
            if (queue.size() == 1 && !m_busy.contains(key)) m_ready.push_back(key);
        }
        m_cv.notify_one();
        return true;
    }

    // Jobs queued or running.
    std::size_t outstanding() const {
        std::lock_guard lock(m_mutex);
        std::size_t n = m_busy.size();
        for (const auto& [key, queue] : m_queues) n += queue.size();
        return n;
    }

    void stop() {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
            m_queues.clear();
            m_ready.clear();
        }
        m_cv.notify_all();
        for (auto& t : m_threads) {
            if (t.joinable()) t.join();
        }
    }

private:
    void run(const Factory& factory) {
        std::unique_ptr<Context> context = factory();
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_cv.wait(lock, [this] { return m_stopping || !m_ready.empty(); });
            if (m_stopping) return;
            const std::string key = std::move(m_ready.front());
            m_ready.pop_front();
            auto it = m_queues.find(key);
            if (it == m_queues.end() || it->second.empty()) continue;
            Job job = std::move(it->second.front());
            it->second.pop_front();
            m_busy.insert(key);
            lock.unlock();
            job(*context);
            lock.lock();
            m_busy.erase(key);
            it = m_queues.find(key);
            if (it != m_queues.end()) {
                if (it->second.empty()) {
                    m_queues.erase(it);
                } else if (!m_stopping) {
                    m_ready.push_back(key);
                    m_cv.notify_one();
                }
            }
        }
    }

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<std::string, std::deque<Job>> m_queues;  // waiting jobs per key
    std::deque<std::string> m_ready;  // keys with a waiting job and none running, in order
    std::set<std::string> m_busy;     // keys with a job running
    bool m_stopping = false;
    std::vector<std::thread> m_threads;  // last: started after the members above exist
};

}  // namespace certkeeperd
