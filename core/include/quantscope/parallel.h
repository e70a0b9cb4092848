#pragma once

#include <cstdint>
#include <functional>

namespace quantscope {

// The threads core's data-parallel passes use: the machine's hardware threads (at least 1).
int hardwareThreads();

// Runs task(i, worker) for every i in [0, taskCount) on up to `workers` threads, the calling
// thread being worker 0; tasks are handed out in order as threads become free. After each task
// the calling thread finishes it calls `progress(tasksDone)`; when that returns false no further
// task starts and Cancelled is thrown once the running ones have ended. The first exception a
// task throws is rethrown the same way. `progress` only ever runs on the calling thread.
void parallelTasks(std::int64_t taskCount, int workers,
                   const std::function<void(std::int64_t task, int worker)>& task,
                   const std::function<bool(std::int64_t tasksDone)>& progress = {});

// Runs body(begin, end, worker) over [0, count) in chunks of at most `grain` on every hardware
// thread. `worker` (0 … hardwareThreads() − 1) names the thread, so callers can keep one
// accumulator per worker without locks. Exceptions as parallelTasks.
void parallelFor(std::int64_t count, std::int64_t grain,
                 const std::function<void(std::int64_t begin, std::int64_t end, int worker)>& body);

} // namespace quantscope
