#!/usr/bin/env bash
# Regenerate corpus/domxml/ from the hand-written inputs in domxml-src/.
#
# Usage: tests/oracle/libvirt/make-corpus.sh [SRC.xml ...]
#
# Each input goes through canonicalize.sh (define + dumpxml --inactive +
# undefine on lxc:///system); libvirt's output is written to
# corpus/domxml/<same file name>. Inputs libvirt refuses are reported and
# make the script exit 1. libvirtd must be running (start-libvirtd.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out="$root/corpus/domxml"
mkdir -p "$out"

if [ $# -eq 0 ]; then set -- "$here"/domxml-src/*.xml; fi

fail=0
for src in "$@"; do
    base=$(basename "$src")
    if "$here/canonicalize.sh" "$src" >"$out/$base.tmp" 2>"$out/$base.err"; then
        mv "$out/$base.tmp" "$out/$base"
        rm -f "$out/$base.err"
        echo "ok      $base"
    else
        echo "REFUSED $base: $(grep -v 'Failed to define' "$out/$base.err" | tr '\n' ' ')"
        rm -f "$out/$base.tmp" "$out/$base.err"
        fail=1
    fi
done
exit $fail
