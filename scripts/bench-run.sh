#!/bin/sh
# Start-to-exit time of a trivial container (/bin/true in a busybox rootfs with proc and sys
# automounts, hostname, memory and pids limits), as paired medians: every round runs each
# engine once, in turn, and the ratios are taken within a round, so a busy moment of the
# machine weighs on both sides of a ratio. Needs root, busybox-static, bubblewrap, lxc.
#
# Usage: scripts/bench-run.sh [ROUNDS]    (builds the release binaries first)
# Env:   LXCONF_BENCH_SECCOMP=0 leaves the seccomp profile out of both configs.
set -eu
ROUNDS=${1:-200}
HERE=$(cd "$(dirname "$0")/.." && pwd)
cargo build -q --release --manifest-path "$HERE/Cargo.toml" -p lxconf -p lxconf-run
# The runner linked statically and without position independence: no dynamic loader, no
# relocations at start (build scripts and proc macros cannot be built with crt-static, so
# only with an explicit --target, in a target directory of its own).
STATIC_TARGET=x86_64-unknown-linux-gnu
RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" \
  CARGO_TARGET_DIR="$HERE/target/static" \
  cargo build -q --release --manifest-path "$HERE/Cargo.toml" -p lxconf-run --target "$STATIC_TARGET"
WORK=$(mktemp -d /tmp/lxconf-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs
mkdir -p "$ROOT/bin" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp"
cp "$(command -v busybox)" "$ROOT/bin/busybox"
for a in sh true; do ln -s busybox "$ROOT/bin/$a"; done
SECCOMP=/usr/share/lxc/config/common.seccomp
cat > "$WORK/lxc.conf" <<CONF
lxc.rootfs.path = dir:$ROOT
lxc.uts.name = bench
lxc.mount.auto = proc:mixed sys:mixed
lxc.console.path = none
lxc.tty.max = 0
lxc.pty.max = 0
lxc.cgroup.memory.limit_in_bytes = 268435456
lxc.cgroup.pids.max = 512
CONF
if [ "${LXCONF_BENCH_SECCOMP:-1}" = 1 ] && [ -r "$SECCOMP" ]; then
  echo "lxc.seccomp.profile = $SECCOMP" >> "$WORK/lxc.conf"
fi
# The same container as a model document, for the runner's own binary (no parsing).
"$HERE/target/release/lxconf" show --format json "$WORK/lxc.conf" > "$WORK/model.json"

exec python3 - "$ROUNDS" "$WORK" "$ROOT" "$HERE/target/release" \
  "$HERE/target/static/$STATIC_TARGET/release/lxconf-run" <<'PY'
import os, random, statistics, sys, time
rounds, work, root, bins, static = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
engines = {
    "floor (unshare)": ["unshare", "--mount", "--uts", "--ipc", "--pid", "--net", "--fork",
                        "--root", root, "/bin/true"],
    "bwrap": ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
              "--unshare-cgroup", "--bind", root, "/", "--proc", "/proc", "--dev", "/dev",
              "--ro-bind", "/sys", "/sys", "--hostname", "bench", "/bin/true"],
    "lxconf-run": [f"{bins}/lxconf-run", f"{work}/model.json", "--", "/bin/true"],
    "lxconf-run (static build)": [static, f"{work}/model.json", "--", "/bin/true"],
    "lxconf-run --init direct": [f"{bins}/lxconf-run", "--init", "direct", f"{work}/model.json",
                                 "--", "/bin/true"],
    "lxconf run (LXC config)": [f"{bins}/lxconf", "run", f"{work}/lxc.conf", "--", "/bin/true"],
    "lxc-execute": ["lxc-execute", "-n", "bench", "-f", f"{work}/lxc.conf", "-P", work,
                    "--", "/bin/true"],
}
null = os.open("/dev/null", os.O_RDWR)
actions = [(os.POSIX_SPAWN_DUP2, null, fd) for fd in (0, 1, 2)]

def once(argv):
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    took = time.perf_counter_ns() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[0]} failed (exit {os.waitstatus_to_exitcode(status)}): {' '.join(argv)}")
    return took

for argv in engines.values():  # warm the caches, check every engine runs
    once(argv)
# Each engine leaves work behind it (network namespaces are torn down asynchronously by
# the kernel) that the next one pays for on a 2-core machine: the order is shuffled in
# every round so that no engine always follows the same one.
order = list(engines)
rng = random.Random(15)
times = {name: [] for name in engines}
for _ in range(rounds):
    rng.shuffle(order)
    for name in order:
        times[name].append(once(engines[name]))

def paired(a, b):
    return statistics.median(x / y for x, y in zip(times[a], times[b]))

ms = lambda name: statistics.median(times[name]) / 1e6
print(f"{rounds} rounds, medians")
for name in engines:
    print(f"  {name:<26} {ms(name):6.2f} ms")
ours = "lxconf-run"
print("paired ratios (median of per-round ratios)")
print(f"  lxconf-run / floor           {paired(ours, 'floor (unshare)'):.2f}   goal <= 1.5")
print(f"  lxconf-run / bwrap           {paired(ours, 'bwrap'):.2f}   goal <= 1.0")
print(f"  lxc-execute / lxconf-run     {paired('lxc-execute', ours):.2f}   goal >= 2.5")
print(f"  direct / floor               {paired('lxconf-run --init direct', 'floor (unshare)'):.2f}")
st = "lxconf-run (static build)"
print(f"  static / floor               {paired(st, 'floor (unshare)'):.2f}")
print(f"  static / bwrap               {paired(st, 'bwrap'):.2f}")
print(f"  lxc-execute / static         {paired('lxc-execute', st):.2f}")
print(f"  lxconf run (LXC) / lxconf-run {paired('lxconf run (LXC config)', ours):.2f}")
PY
