#!/bin/sh
# Build examples/copy/copy.bpf.o (the `cat`-like copy loop) from copy.bpf.c.
# Run from anywhere; the compiler runs at the repository root with relative paths so that the
# object (its BTF and line info) does not depend on where the checkout lives.
# CLANG=clang-19 by default; test/examples-objects.test.ts rebuilds with the same flags and compares.
set -eu
cd "$(dirname "$0")/../.."
CLANG="${CLANG:-clang-19}"
"$CLANG" --target=bpf -O2 -g -mcpu=v3 -Wall -Wextra -Werror -fdebug-compilation-dir=. \
	-I include -c examples/copy/copy.bpf.c -o "${1:-examples/copy/copy.bpf.o}"
