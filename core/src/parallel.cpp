#include "quantscope/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace quantscope {

int parallelWorkerCount()
{
    static const int workers = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return workers;
}

void parallelFor(std::int64_t count, std::int64_t grain,
                 const std::function<void(std::int64_t, std::int64_t, int)>& body)
{
    if (count <= 0) {
        return;
    }
    grain = std::max<std::int64_t>(1, grain);
    const std::int64_t chunks = (count + grain - 1) / grain;
    const int workers = static_cast<int>(std::min<std::int64_t>(parallelWorkerCount(), chunks));
    std::atomic<std::int64_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex errorMutex;

    const auto work = [&](int worker) {
        for (;;) {
            const std::int64_t chunk = next.fetch_add(1, std::memory_order_relaxed);
            if (chunk >= chunks || failed.load(std::memory_order_relaxed)) {
                return;
            }
            const std::int64_t begin = chunk * grain;
            try {
                body(begin, std::min(count, begin + grain), worker);
            } catch (...) {
                const std::lock_guard lock(errorMutex);
                if (!error) {
                    error = std::current_exception();
                }
                failed = true;
            }
        }
    };

    // Threads are started per call: a pass takes milliseconds, a thread start microseconds, and
    // nothing outlives the call (no pool to shut down at exit, nesting cannot deadlock).
    std::vector<std::jthread> helpers;
    helpers.reserve(static_cast<std::size_t>(workers - 1));
    for (int worker = 1; worker < workers; ++worker) {
        helpers.emplace_back(work, worker);
    }
    work(0);
    helpers.clear(); // joins
    if (error) {
        std::rethrow_exception(error);
    }
}

} // namespace quantscope
