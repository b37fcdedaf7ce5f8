#!/bin/sh
# Build examples/pipeline/pipeline.bpf.o (BPF keeping NOPs in flight) from pipeline.bpf.c.
# Run from anywhere; the compiler runs at the repository root with relative paths so that the
# object (its BTF and line info) does not depend on where the checkout lives.
# CLANG=clang-19 by default; test/examples-objects.test.ts rebuilds with the same flags and compares.
set -eu
cd "$(dirname "$0")/../.."
CLANG="${CLANG:-clang-19}"
"$CLANG" --target=bpf -O2 -g -mcpu=v3 -Wall -Wextra -Werror -fdebug-compilation-dir=. \
	-I include -c examples/pipeline/pipeline.bpf.c -o "${1:-examples/pipeline/pipeline.bpf.o}"
