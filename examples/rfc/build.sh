#!/bin/sh
# Build examples/rfc/uring.bpf.o, the RFC v2 example programs (spec §7), from uring.bpf.c.
# Run from anywhere; the compiler runs at the repository root with relative paths so that the
# object (its BTF and line info) does not depend on where the checkout lives.
# CLANG=clang-19 by default; test/rfc-objects.test.ts rebuilds with the same flags and compares.
set -eu
cd "$(dirname "$0")/../.."
CLANG="${CLANG:-clang-19}"
"$CLANG" --target=bpf -O2 -g -mcpu=v3 -Wall -Wextra -Werror -fdebug-compilation-dir=. \
	-I include -c examples/rfc/uring.bpf.c -o "${1:-examples/rfc/uring.bpf.o}"
