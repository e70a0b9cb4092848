#pragma once

#include <cstdint>
#include <functional>

namespace quantscope {

// Runs body(begin, end, worker) over [0, count) in chunks of at most `grain` on the machine's
// cores: the calling thread and up to hardware_concurrency − 1 helper threads take chunks in
// turn. `worker` (0 … workerCount() − 1) names the thread, so callers can keep one accumulator
// per worker without locks. The first exception thrown by a chunk is rethrown here once every
// started chunk has finished; later chunks are skipped.
void parallelFor(std::int64_t count, std::int64_t grain,
                 const std::function<void(std::int64_t begin, std::int64_t end, int worker)>& body);

// The number of distinct `worker` values parallelFor may pass.
int parallelWorkerCount();

} // namespace quantscope
