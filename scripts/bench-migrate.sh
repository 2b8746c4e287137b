#!/bin/sh
# lxconf migrate against LXD's own lxc-to-lxd (lxd-tools) on the same busybox LXC container:
# first what each one carried into the instance (`lxc config show`), then the time of a
# whole migration (instance created, root filesystem copied) as paired medians: every
# round runs both, in a shuffled order, and the ratio is taken within the round. Needs
# root, LXD (tests/oracle/lxd/start-lxd.sh), lxd-tools, busybox-static.
#
# Usage: scripts/bench-migrate.sh [ROUNDS]    (builds the release binary first)
set -eu
ROUNDS=${1:-20}
HERE=$(cd "$(dirname "$0")/.." && pwd)
command -v lxc-to-lxd >/dev/null || { echo "lxc-to-lxd is missing: apt-get install lxd-tools" >&2; exit 2; }
"$HERE/tests/oracle/lxd/start-lxd.sh"
cargo build -q --release --manifest-path "$HERE/Cargo.toml" -p lxconf
WORK=$(mktemp -d /tmp/lxconf-migrate.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
NAME=benchmig
ROOT=$WORK/lxc/$NAME/rootfs
mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/etc" "$WORK/data"
cp "$(command -v busybox)" "$ROOT/bin/busybox"
for a in sh sleep; do ln -s busybox "$ROOT/bin/$a"; done
printf '#!/bin/sh\nexec sleep 100000\n' > "$ROOT/sbin/init"
chmod 755 "$ROOT/sbin/init"
# The issue's container, without lxc.console.path (lxc-to-lxd skips a container with it).
cat > "$WORK/lxc/$NAME/config" <<CONF
lxc.uts.name = $NAME
lxc.rootfs.path = dir:$ROOT
lxc.net.0.type = empty
lxc.environment = GREETING=hello
lxc.cgroup.memory.limit_in_bytes = 64M
lxc.cgroup.pids.max = 50
lxc.mount.entry = $WORK/data data none ro,bind,create=dir 0 0
CONF

lxconf() { "$HERE/target/release/lxconf" migrate "$WORK/lxc/$NAME/config" >/dev/null 2>&1; }
peer() { lxc-to-lxd --lxcpath "$WORK/lxc" --containers "$NAME" >/dev/null 2>&1; }
shown() { lxc config show "$NAME" | grep -v 'volatile\.'; }

echo "== what lxc-to-lxd carried"
peer; shown; lxc delete --force "$NAME"
echo "== what lxconf migrate carried"
lxconf; shown; lxc delete --force "$NAME"

echo "== whole migration, $ROUNDS paired rounds"
python3 - "$ROUNDS" "$HERE/target/release/lxconf" "$WORK/lxc" "$NAME" <<'PY'
import random, statistics, subprocess, sys, time
rounds, lxconf, lxcpath, name = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
tools = {
    "lxc-to-lxd": ["lxc-to-lxd", "--lxcpath", lxcpath, "--containers", name],
    "lxconf migrate": [lxconf, "migrate", f"{lxcpath}/{name}/config"],
}
times = {t: [] for t in tools}
ratios = []
for _ in range(rounds):
    order = list(tools)
    random.shuffle(order)
    took = {}
    for t in order:
        start = time.perf_counter()
        subprocess.run(tools[t], check=True, capture_output=True)
        took[t] = time.perf_counter() - start
        subprocess.run(["lxc", "delete", "--force", name], check=True, capture_output=True)
    for t in tools:
        times[t].append(took[t])
    ratios.append(took["lxc-to-lxd"] / took["lxconf migrate"])
for t, v in times.items():
    print(f"{t:16} median {statistics.median(v) * 1000:7.1f} ms")
print(f"lxc-to-lxd / lxconf migrate: median ratio {statistics.median(ratios):.2f}")
PY
