#!/bin/sh
# The core and CLI test suites under AddressSanitizer + UndefinedBehaviorSanitizer, then each
# model-file fuzzer for FUZZ_SECONDS (default 30) seeded with tests/data/malformed.
# Needs clang (Debian: clang, libclang-rt-dev); Qt Widgets are not built.
# usage: scripts/ci-sanitizers.sh [BUILD_DIR]   (default build-sanitizers)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build-sanitizers"}
seconds=${FUZZ_SECONDS:-30}
jobs=${JOBS:-2}

# QUANTSCOPE_BUILD_FUZZERS instruments every target with address,undefined (no recovery).
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS="-fno-omit-frame-pointer" \
    -DQUANTSCOPE_BUILD_GUI=OFF -DQUANTSCOPE_BUILD_FUZZERS=ON
cmake --build "$build" -j"$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j"$jobs"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for reader in npz safetensors onnx gguf text; do
    case $reader in
    text) pattern='*.csv *.txt' ;;
    safetensors) pattern='*.safetensors' ;;
    *) pattern="*.$reader" ;;
    esac
    mkdir -p "$work/$reader/new" "$work/$reader/seeds"
    for glob in $pattern; do
        find "$root/tests/data" -name "$glob" -type f -exec cp {} "$work/$reader/seeds/" \;
    done
    echo "== fuzz_$reader for ${seconds}s"
    "$build/bin/fuzz_$reader" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$work/$reader-" "$work/$reader/new" "$work/$reader/seeds" ||
        { ls "$work"/"$reader"-* 2>/dev/null; exit 1; }
done
echo "sanitizer tests and fuzzers: clean"
