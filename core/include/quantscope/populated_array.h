#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace quantscope {

// Writable memory whose pages are all mapped when it is made, in transparent huge pages where
// the kernel has them, in one system call (one per core for large blocks), instead of one page
// fault per 4 KiB on first write. Faults are dear on virtual machines: on a 2-core VM whose
// hypervisor shadows the page tables, 400 MB touched page by page took 1.1 s, mapped at once in 4
// KiB pages 64 ms plus 0.5 s of shadow faults at first touch, in huge pages 20 ms plus 6 ms. Blocks
// below 1 MiB come from the heap. The contents are unspecified until written. Movable, not
// copyable.
class PopulatedMemory {
public:
    PopulatedMemory() = default;
    // `alignment`: a power of two (mappings start on a page).
    PopulatedMemory(std::size_t bytes, std::size_t alignment); // throws std::bad_alloc
    PopulatedMemory(PopulatedMemory&& other) noexcept;
    PopulatedMemory& operator=(PopulatedMemory&& other) noexcept;
    PopulatedMemory(const PopulatedMemory&) = delete;
    PopulatedMemory& operator=(const PopulatedMemory&) = delete;
    ~PopulatedMemory();

    void* data() const { return m_data; }

private:
    void release() noexcept;

    void* m_data = nullptr;
    void* m_mapping = nullptr; // the mapping holding m_data, or null for a heap block
    std::size_t m_mappedBytes = 0;
};

// A fixed number of trivially copyable values in PopulatedMemory, unspecified until written.
template <class T> class PopulatedArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    PopulatedArray() = default;
    explicit PopulatedArray(std::int64_t count)
        : m_memory(std::size_t(count) * sizeof(T), alignof(T))
        , m_count(count)
    {
    }

    T* data() { return static_cast<T*>(m_memory.data()); }
    const T* data() const { return static_cast<const T*>(m_memory.data()); }
    std::int64_t size() const { return m_count; }
    T& operator[](std::int64_t i) { return data()[i]; }
    const T& operator[](std::int64_t i) const { return data()[i]; }
    std::span<T> span() { return {data(), std::size_t(m_count)}; }
    std::span<const T> span() const { return {data(), std::size_t(m_count)}; }

private:
    PopulatedMemory m_memory;
    std::int64_t m_count = 0;
};

} // namespace quantscope
