#include "quantscope/parallel.h"

#include "quantscope/errors.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace quantscope {

int hardwareThreads()
{
    static const int threads = std::max(1, int(std::thread::hardware_concurrency()));
    return threads;
}

void parallelTasks(std::int64_t taskCount, int workers,
                   const std::function<void(std::int64_t task, int worker)>& task,
                   const std::function<bool(std::int64_t tasksDone)>& progress)
{
    workers = int(std::clamp<std::int64_t>(workers, 1, std::max<std::int64_t>(taskCount, 1)));
    std::atomic<std::int64_t> next{0};
    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failureMutex;

    auto run = [&](int worker) {
        while (!stop.load(std::memory_order_relaxed)) {
            const std::int64_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= taskCount) {
                return;
            }
            try {
                task(i, worker);
            } catch (...) {
                const std::lock_guard lock(failureMutex);
                if (!failure) {
                    failure = std::current_exception();
                }
                stop = true;
                return;
            }
            const std::int64_t finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
            if (worker == 0 && progress && !progress(finished)) {
                stop = true;
            }
        }
    };

    std::vector<std::thread> helpers;
    helpers.reserve(workers - 1);
    for (int w = 1; w < workers; ++w) {
        try {
            helpers.emplace_back(run, w);
        } catch (const std::system_error&) {
            break; // no more threads to be had: the ones running share the tasks
        }
    }
    run(0);
    for (auto& helper : helpers) {
        helper.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (stop) {
        throw Cancelled();
    }
}

void parallelFor(std::int64_t count, std::int64_t grain,
                 const std::function<void(std::int64_t begin, std::int64_t end, int worker)>& body)
{
    if (count <= 0) {
        return;
    }
    grain = std::max<std::int64_t>(1, grain);
    const std::int64_t chunks = (count + grain - 1) / grain;
    parallelTasks(chunks, hardwareThreads(), [&](std::int64_t chunk, int worker) {
        const std::int64_t begin = chunk * grain;
        body(begin, std::min(count, begin + grain), worker);
    });
}

} // namespace quantscope
