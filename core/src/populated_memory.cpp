#include "quantscope/populated_array.h"

#include "quantscope/parallel.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

#include <sys/mman.h>

namespace quantscope {
namespace {

// Below this the heap serves: its blocks are mostly mapped already.
constexpr std::size_t kMappedFrom = std::size_t{1} << 20;
// Transparent huge pages: one fault (and, under a hypervisor that shadows the page tables, one
// shadow fault) per 2 MiB instead of 512. numpy asks for them on its large arrays too.
constexpr std::size_t kHugePage = std::size_t{2} << 20;
// From this size the pages are populated on all cores: the kernel clears each page as it maps
// it, and on a 2-core VM 400 MB took 37 ms on one thread, 20 ms on two.
constexpr std::size_t kPopulateInParallelFrom = std::size_t{16} << 20;

// Maps the pages of [data, data + bytes) now. Advice only: kernels without MADV_POPULATE_WRITE
// (before 5.14) refuse it, and the pages then fault in on first write, as on the heap.
void populate(void* data, std::size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    auto* begin = static_cast<char*>(data);
    if (bytes < kPopulateInParallelFrom) {
        ::madvise(begin, bytes, MADV_POPULATE_WRITE);
        return;
    }
    const int pieces = hardwareThreads();
    const std::size_t hugePages = (bytes + kHugePage - 1) / kHugePage;
    const std::size_t pieceBytes = (hugePages + pieces - 1) / pieces * kHugePage;
    parallelTasks(pieces, pieces, [&](std::int64_t piece, int) {
        const std::size_t offset = std::size_t(piece) * pieceBytes;
        if (offset < bytes) {
            ::madvise(begin + offset, std::min(pieceBytes, bytes - offset), MADV_POPULATE_WRITE);
        }
    });
#else
    (void)data;
    (void)bytes;
#endif
}

} // namespace

PopulatedMemory::PopulatedMemory(std::size_t bytes, std::size_t alignment)
{
    if (bytes == 0) {
        return;
    }
    if (bytes < kMappedFrom) {
        const std::size_t heapAlignment = std::max(alignment, alignof(std::max_align_t));
        m_data =
            std::aligned_alloc(heapAlignment, (bytes + heapAlignment - 1) & ~(heapAlignment - 1));
        if (!m_data) {
            throw std::bad_alloc();
        }
        return;
    }
    // Mapped with room to start on a huge-page boundary; the ends outside it are never touched,
    // so they take no memory.
    m_mappedBytes = bytes + kHugePage;
    void* mapping =
        ::mmap(nullptr, m_mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) {
        throw std::bad_alloc();
    }
    m_mapping = mapping;
    const auto start = reinterpret_cast<std::uintptr_t>(mapping);
    m_data = reinterpret_cast<void*>((start + kHugePage - 1) & ~(kHugePage - 1));
    ::madvise(m_data, bytes, MADV_HUGEPAGE); // advice only: kernels without THP refuse it
    populate(m_data, bytes);
}

PopulatedMemory::PopulatedMemory(PopulatedMemory&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_mapping(std::exchange(other.m_mapping, nullptr))
    , m_mappedBytes(std::exchange(other.m_mappedBytes, 0))
{
}

PopulatedMemory& PopulatedMemory::operator=(PopulatedMemory&& other) noexcept
{
    if (this != &other) {
        release();
        m_data = std::exchange(other.m_data, nullptr);
        m_mapping = std::exchange(other.m_mapping, nullptr);
        m_mappedBytes = std::exchange(other.m_mappedBytes, 0);
    }
    return *this;
}

PopulatedMemory::~PopulatedMemory()
{
    release();
}

void PopulatedMemory::release() noexcept
{
    if (m_mapping) {
        ::munmap(m_mapping, m_mappedBytes);
    } else {
        std::free(m_data);
    }
    m_data = nullptr;
    m_mapping = nullptr;
}

} // namespace quantscope
