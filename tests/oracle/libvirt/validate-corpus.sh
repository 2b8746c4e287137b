#!/usr/bin/env bash
# Check every corpus/domxml/*.xml against libvirt's RelaxNG domain schema.
#
# Usage: tests/oracle/libvirt/validate-corpus.sh [FILE.xml ...]
# Env:   LIBVIRT_DOMAIN_RNG  schema path (default /usr/share/libvirt/schemas/domain.rng,
#        shipped by the Debian package libvirt-daemon / libvirt-clients)
# Exit status: 0 all valid, 1 at least one invalid, 2 setup problem.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
rng="${LIBVIRT_DOMAIN_RNG:-/usr/share/libvirt/schemas/domain.rng}"

command -v xmllint >/dev/null 2>&1 || { echo "validate-corpus: xmllint missing (apt-get install libxml2-utils)" >&2; exit 2; }
[ -r "$rng" ] || { echo "validate-corpus: schema $rng not found (apt-get install libvirt-daemon)" >&2; exit 2; }

if [ $# -eq 0 ]; then set -- "$root"/corpus/domxml/*.xml; fi
[ -e "$1" ] || { echo "validate-corpus: no files" >&2; exit 2; }

pass=0; fail=0
for f in "$@"; do
    if msg=$(xmllint --noout --relaxng "$rng" "$f" 2>&1); then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "INVALID $f" >&2
        printf '%s\n' "$msg" | grep -v ' validates$' | sed 's/^/    /' >&2
    fi
done
echo "validate-corpus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
