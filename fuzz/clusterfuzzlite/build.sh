#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: the libFuzzer harnesses with the engine's flags, each
# copied to $OUT with its seed corpus and dictionary (fuzz/README.md).
cd "$SRC/brcheck"
cmake -S . -B build-cfl -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$CFLAGS" \
  -DBR_LIBFUZZER=ON -DBR_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
for h in request sequence http; do
  cmake --build build-cfl --target "fuzz_${h}_libfuzzer"
  cp "build-cfl/fuzz/fuzz_${h}_libfuzzer" "$OUT/$h"
  (cd "fuzz/corpus/$h" && zip -q "$OUT/${h}_seed_corpus.zip" ./*)
  [ -f "fuzz/dict/$h.dict" ] && cp "fuzz/dict/$h.dict" "$OUT/$h.dict"
done
