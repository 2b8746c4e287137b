#!/usr/bin/env bash
# Feed every corpus/domxml-invalid/*.xml to libvirt (define through
# canonicalize.sh) and report libvirt's verdict and error message.
#
# Usage: tests/oracle/libvirt/check-invalid.sh [FILE.xml ...]
# Each file's first line is a comment "<!-- MISTAKE: ... -->". Files whose first
# line contains "libvirt-accepts" are expected to be ACCEPTED by libvirt (they
# are invalid for lxconf only); all others must be refused.
# Output: one line per file: "refused|accepted  FILE  libvirt's message".
# Exit status 1 if any verdict differs from the expectation. Needs libvirtd.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
if [ $# -eq 0 ]; then set -- "$root"/corpus/domxml-invalid/*.xml; fi

bad=0
for f in "$@"; do
    expect=refused
    head -n1 "$f" | grep -q 'libvirt-accepts' && expect=accepted
    if msg=$("$here/canonicalize.sh" "$f" 2>&1 >/dev/null); then got=accepted; else got=refused; fi
    msg=$(printf '%s\n' "$msg" | grep -v 'Failed to define domain' | tr '\n' ' ' | sed 's/ *$//')
    mark=""
    if [ "$got" != "$expect" ]; then mark="  <-- UNEXPECTED (wanted $expect)"; bad=1; fi
    printf '%-8s %s  %s%s\n' "$got" "$(basename "$f")" "$msg" "$mark"
done
exit $bad
