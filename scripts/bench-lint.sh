#!/bin/sh
# Time `lxconf lint` on 10,000 generated configs written to a temporary directory
# (the end-to-end figure: directory walk, reading, detection, rules, JSON output).
# Usage: scripts/bench-lint.sh [N]
set -eu
n="${1:-10000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cargo build --release --quiet
i=0
while [ "$i" -lt "$n" ]; do
    mkdir -p "$dir/ct$i"
    printf 'lxc.uts.name = ct%s\nlxc.rootfs.path = dir:/var/lib/lxc/ct%s/rootfs\nlxc.mount.auto = proc:mixed sys:ro\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\nlxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\nlxc.net.0.hwaddr = 00:16:3e:%02x:%02x:01\nlxc.net.0.ipv4.address = 10.0.%s.%s/16\nlxc.net.0.ipv4.gateway = 10.0.0.1\nlxc.cgroup2.memory.max = 512M\nlxc.cgroup2.cpu.max = 50000 100000\nlxc.mount.entry = tmpfs tmp tmpfs size=64m 0 0\nlxc.prlimit.nofile = 1024:4096\n' \
        "$i" "$i" $((i / 256 % 256)) $((i % 256)) $((i / 256 % 256)) $((i % 256)) > "$dir/ct$i/config"
    i=$((i + 1))
done
start=$(date +%s.%N)
./target/release/lxconf lint --isolated --format json "$dir" > /dev/null || true
end=$(date +%s.%N)
echo "lxconf lint: $n configs in $(echo "$end - $start" | bc) s"
