#!/usr/bin/env bash
# lxconf domxml-from-native vs virsh domxml-from-native, side by side.
#
# Prints the time and peak memory per file for both, the ratio, and the time of one lxconf
# call converting a batch of 200 configs. Needs libvirtd running for virsh
# (tests/oracle/libvirt/start-libvirtd.sh). Usage: scripts/bench-from-native.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
cargo build --release -q
lxconf=target/release/lxconf
sample=corpus/lxc/debian-like.conf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s%N; }
per_call() { # command... ; prints mean ms over $runs runs
  local start end
  start=$(now)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
  end=$(now)
  echo "scale=3; ($end - $start) / $runs / 1000000" | bc
}
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

( cd corpus/lxc && virsh -q -c lxc:///system domxml-from-native lxc-tools "$(basename $sample)" >/dev/null ) \
  || { echo "virsh cannot convert $sample (is libvirtd running?)"; exit 1; }

virsh_ms=$(cd corpus/lxc && per_call virsh -q -c lxc:///system domxml-from-native lxc-tools "$(basename $sample)")
lxconf_ms=$(per_call $lxconf domxml-from-native lxc-tools --include-base corpus/lxc --memory 1G "$sample")
virsh_kib=$(cd corpus/lxc && peak_kib virsh -q -c lxc:///system domxml-from-native lxc-tools "$(basename $sample)")
lxconf_kib=$(peak_kib $lxconf domxml-from-native lxc-tools --include-base corpus/lxc --memory 1G "$sample")

# A batch of 200 configs: the corpus, copied until there are 200 files.
mkdir -p "$work/batch" "$work/out"
i=0
while [ $i -lt 200 ]; do
  for f in corpus/lxc/*.conf; do
    [ $i -ge 200 ] && break
    sed "s/^lxc.uts.name *=.*/lxc.uts.name = bench$i/" "$f" > "$work/batch/c$i.conf"
    grep -q '^lxc.uts.name' "$work/batch/c$i.conf" || echo "lxc.uts.name = bench$i" >> "$work/batch/c$i.conf"
    i=$((i+1))
  done
done
start=$(now)
$lxconf domxml-from-native lxc-tools --include-base corpus/lxc --memory 1G --host-memory 8G \
  --output-dir "$work/out" "$work"/batch/*.conf 2>/dev/null || true
batch_ms=$(echo "scale=1; ($(now) - $start) / 1000000" | bc)
converted=$(ls "$work/out" | wc -l)

printf '%-34s %10s %10s\n' "" "virsh" "lxconf"
printf '%-34s %10s %10s\n' "time per file (ms, mean of $runs)" "$virsh_ms" "$lxconf_ms"
printf '%-34s %10s %10s\n' "peak RSS per file (KiB)" "$virsh_kib" "$lxconf_kib"
echo "speed-up: $(echo "scale=1; $virsh_ms / $lxconf_ms" | bc)x"
echo "batch: $converted of 200 configs in one lxconf call: ${batch_ms} ms"
