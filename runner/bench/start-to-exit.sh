#!/bin/sh
# Start-to-exit time of a trivial container (/bin/true) on one busybox rootfs, as paired
# ratios against the floor `unshare --mount --uts --ipc --pid --net --fork --root ROOTFS`
# and against lxc-execute (and crun when installed). Needs root.
# Usage: runner/bench/start-to-exit.sh [RUNS]   (build first: cargo build -p lxconf-run --release)
set -eu
RUNS=${1:-200}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$HERE/target/release/lxconf-run
[ -x "$BIN" ] || { echo "build first: cargo build -p lxconf-run --release" >&2; exit 2; }
BB=$(command -v busybox)
WORK=$(mktemp -d /tmp/lxconf-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs
mkdir -p "$ROOT/bin" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp"
cp "$BB" "$ROOT/bin/busybox"
for a in sh true; do ln -s busybox "$ROOT/bin/$a"; done
cat > "$WORK/model.json" <<JSON
{"name":"bench","hostname":"bench","rootfs":{"path":"$ROOT"},
 "auto_mounts":{"proc":"mixed","sys":"mixed"},
 "init":{"command":["/bin/true"],"env":[{"name":"container","value":"lxc"}]},
 "resources":{"memory_limit":268435456,"pids_max":512}}
JSON
cat > "$WORK/lxc.conf" <<CONF
lxc.rootfs.path = dir:$ROOT
lxc.uts.name = bench
lxc.mount.auto = proc:mixed sys:mixed
lxc.console.path = none
lxc.tty.max = 0
lxc.pty.max = 0
lxc.cgroup.memory.limit_in_bytes = 268435456
CONF

time_it() { # mean milliseconds of RUNS runs of "$@"
  start=$(date +%s%N)
  i=0
  while [ $i -lt "$RUNS" ]; do "$@" >/dev/null 2>&1 || true; i=$((i + 1)); done
  end=$(date +%s%N)
  echo "$(( (end - start) / RUNS / 1000 ))"
}
floor=$(time_it unshare --mount --uts --ipc --pid --net --fork --root "$ROOT" /bin/true)
ours=$(time_it "$BIN" "$WORK/model.json")
ours_direct=$(time_it "$BIN" --init direct "$WORK/model.json")
lxc=$(time_it lxc-execute -n bench -f "$WORK/lxc.conf" -P "$WORK" -- /bin/true)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "floor (unshare)          ${floor} us"
echo "lxconf-run (supervised)  ${ours} us   ratio to floor $(ratio "$ours" "$floor")"
echo "lxconf-run (direct)      ${ours_direct} us   ratio to floor $(ratio "$ours_direct" "$floor")"
echo "lxc-execute              ${lxc} us   lxc-execute / lxconf-run $(ratio "$lxc" "$ours")"
if command -v crun >/dev/null; then
  echo "crun: not measured by this script yet (needs an OCI bundle)"
fi
