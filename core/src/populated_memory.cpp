#include "quantscope/populated_array.h"

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
    // Advice only: kernels without THP or MADV_POPULATE_WRITE (before 5.14) refuse it, and the
    // pages then fault in on first write, as on the heap.
    ::madvise(m_data, bytes, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
    ::madvise(m_data, bytes, MADV_POPULATE_WRITE);
#endif
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
