#!/usr/bin/env bash
# Run libvirt's own converter on LXC config files, one JSON line per file.
#
# Usage: tests/oracle/libvirt/from-native.sh FILE...
#
# For each FILE runs, with the working directory set to FILE's directory,
#     virsh -c lxc:///system domxml-from-native lxc-tools <basename of FILE>
# and prints {"file": FILE, "ok": BOOL, "rc": INT, "stdout": STR, "stderr": STR}.
# stdout/stderr are virsh's output verbatim: on success stdout is the XML plus the
# blank line plain (non -q) virsh adds after every command, i.e. it ends in
# "</domain>\n\n"; on failure stdout is "\n" and stderr holds "error: ..." lines.
# libvirt reads the file on the client side (virsh loads it and sends the text).
#
# If libvirtd dies during a call (a negative lxc.tty.max aborts it in 9.0), the
# line for that file is still printed (ok=false, "crashed": true) and the daemon
# is restarted with start-libvirtd.sh before the next file.
# Env: LXCONF_LIBVIRT_URI (default lxc:///system), LXCONF_VIRSH_QUIET=1 adds -q.
# Needs jq (or python3) for the JSON encoding.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
URI="${LXCONF_LIBVIRT_URI:-lxc:///system}"
Q=()
[ "${LXCONF_VIRSH_QUIET:-0}" = 1 ] && Q=(-q)

if [ $# -eq 0 ]; then
    echo "usage: $0 LXC-CONFIG..." >&2
    exit 2
fi

json_line() { # file ok rc crashed stdout-file stderr-file
    if command -v jq >/dev/null 2>&1; then
        jq -cn --arg file "$1" --argjson ok "$2" --argjson rc "$3" --argjson crashed "$4" \
            --rawfile out "$5" --rawfile err "$6" \
            '{file:$file, ok:$ok, rc:$rc, stdout:$out, stderr:$err} + (if $crashed then {crashed:true} else {} end)'
    else
        python3 - "$@" <<'PY'
import json, sys
f, ok, rc, crashed, o, e = sys.argv[1:7]
rd = lambda p: open(p, encoding="utf-8", errors="surrogateescape").read()
d = {"file": f, "ok": ok == "true", "rc": int(rc), "stdout": rd(o), "stderr": rd(e)}
if crashed == "true": d["crashed"] = True
print(json.dumps(d, ensure_ascii=False))
PY
    fi
}

out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
status=0
for f in "$@"; do
    if [ ! -r "$f" ]; then
        printf 'cannot read %s\n' "$f" >"$err"; : >"$out"
        json_line "$f" false 2 false "$out" "$err"; status=1; continue
    fi
    dir=$(dirname -- "$f"); base=$(basename -- "$f")
    (cd "$dir" && virsh "${Q[@]}" -c "$URI" domxml-from-native lxc-tools "./$base") >"$out" 2>"$err"
    rc=$?
    crashed=false
    if [ $rc -ne 0 ] && grep -q -e 'Disconnected from' -e 'End of file while reading data' \
            -e 'Failed to connect socket' "$err"; then
        crashed=true
    fi
    if [ $rc -eq 0 ]; then ok=true; else ok=false; fi
    json_line "$f" "$ok" "$rc" "$crashed" "$out" "$err"
    if [ "$crashed" = true ]; then
        echo "from-native: libvirtd went away on $f; restarting it" >&2
        sleep 1
        "$here/start-libvirtd.sh" >/dev/null 2>&1 || { echo "from-native: restart failed" >&2; exit 3; }
    fi
done
exit $status
