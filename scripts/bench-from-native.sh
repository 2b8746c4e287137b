#!/usr/bin/env bash
# The single-call goals of issue 17, as paired ratios (never as timed tests):
#   1. `lxconf --version` against `/bin/true` (process start-up; goal: at most 1.3x);
#   2. one `domxml-from-native` per process against `virsh domxml-from-native`
#      (goal: lxconf at least 10x faster);
#   3. 200 configs converted in one call with the files written (goal: under 50 ms).
#
# Each pair runs interleaved, in alternating order, ROUNDS times; a round's ratio is taken
# between its two runs and the median of those ratios is printed, so a busy moment of the
# shared machine touches both sides of a pair. Times are wall-clock from spawn to exit
# (os.posix_spawn + wait4, with stdout and stderr to /dev/null); the child's CPU time and
# minor page faults come from wait4's rusage. Needs libvirtd for virsh
# (tests/oracle/libvirt/start-libvirtd.sh) and python3.
#
# Usage: scripts/bench-from-native.sh [ROUNDS]   (LXCONF_BIN=path measures another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-200}
if [ -z "${LXCONF_BIN:-}" ]; then
  cargo build --release -q --locked --bin lxconf
  target=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  LXCONF_BIN=$target/release/lxconf
fi
lxconf=$(realpath "$LXCONF_BIN")
sample=debian-like.conf # in corpus/lxc, where virsh and lxconf both run
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

( cd corpus/lxc && virsh -q -c lxc:///system domxml-from-native lxc-tools "$sample" >/dev/null ) ||
  { echo "virsh cannot convert $sample (is libvirtd running? tests/oracle/libvirt/start-libvirtd.sh)" >&2; exit 1; }

# A batch of 200 configs: the corpus, copied until there are 200 files, each with its own
# container name (--output-dir refuses two configs naming the same domain).
mkdir -p "$work/batch"
i=0
while [ $i -lt 200 ]; do
  for f in corpus/lxc/*.conf; do
    [ $i -ge 200 ] && break
    sed "s/^lxc.uts.name *=.*/lxc.uts.name = bench$i/" "$f" > "$work/batch/c$i.conf"
    grep -q '^lxc.uts.name' "$work/batch/c$i.conf" || echo "lxc.uts.name = bench$i" >> "$work/batch/c$i.conf"
    i=$((i + 1))
  done
done

cd corpus/lxc
python3 - "$lxconf" "$sample" "$work" "$rounds" <<'EOF'
import os, shutil, statistics, subprocess, sys, time

lxconf, sample, work, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
devnull = os.open(os.devnull, os.O_RDWR)
actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]

def run(argv):
    """Wall ms, CPU ms and minor faults of one run of argv."""
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    return wall, (usage.ru_utime + usage.ru_stime) * 1e3, usage.ru_minflt

def peak_mib(argv):
    """Peak RSS of argv, through /usr/bin/time: a child spawned from this Python process
    would report Python's own RSS (the vfork before exec shares its memory)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True).stderr.strip().splitlines()
    return int(out[-1]) / 1024

def paired(a, b, n):
    """Interleaved runs of a and b, alternating which goes first; medians of each and of b/a."""
    ra, rb, ratios = [], [], []
    for i in range(n):
        if i % 2:
            y = run(b); x = run(a)
        else:
            x = run(a); y = run(b)
        ra.append(x); rb.append(y); ratios.append(y[0] / x[0])
    med = lambda rows, k: statistics.median(r[k] for r in rows)
    return ra, rb, statistics.median(ratios), med

def verdict(ok):
    return "met" if ok else "NOT met"

true = shutil.which("true") if not os.path.exists("/bin/true") else "/bin/true"
virsh = shutil.which("virsh")
convert = [lxconf, "domxml-from-native", "lxc-tools", "--include-base", ".", "--memory", "1G", sample]
virsh_convert = [virsh, "-q", "-c", "lxc:///system", "domxml-from-native", "lxc-tools", sample]

for warm in range(5):
    run([true]); run([lxconf, "--version"]); run(convert)

print(f"lxconf: {lxconf}")
print(f"{rounds} interleaved rounds per pair; wall-clock medians (CPU = user + system of the child)\n")

a, b, ratio, med = paired([true], [lxconf, "--version"], rounds)
print("1. start-up: lxconf --version against /bin/true")
print(f"   /bin/true          {med(a,0):6.2f} ms wall  {med(a,1):5.2f} ms CPU  {med(a,2):4.0f} minor faults")
print(f"   lxconf --version   {med(b,0):6.2f} ms wall  {med(b,1):5.2f} ms CPU  {med(b,2):4.0f} minor faults")
print(f"   ratio (median of paired ratios) {ratio:.2f}x; goal <= 1.3x: {verdict(ratio <= 1.3)}\n")

n = max(10, rounds // 4)  # virsh takes ~20 ms a call
a, b, ratio, med = paired(convert, virsh_convert, n)
print(f"2. one domxml-from-native per process ({sample}), {n} rounds")
print(f"   lxconf             {med(a,0):6.2f} ms wall  {med(a,1):5.2f} ms CPU  {peak_mib(convert):5.1f} MiB peak RSS")
print(f"   virsh              {med(b,0):6.2f} ms wall  {med(b,1):5.2f} ms CPU  {peak_mib(virsh_convert):5.1f} MiB peak RSS")
print(f"   lxconf is {ratio:.1f}x faster (median of paired ratios); goal >= 10x: {verdict(ratio >= 10)}\n")

batch = sorted(os.path.join(work, "batch", f) for f in os.listdir(os.path.join(work, "batch")))
def batch_runs(extra, base=work):
    """Wall ms and CPU ms of each run of the batch, and how many files the last one wrote."""
    times, written = [], 0
    for i in range(max(5, rounds // 20)):
        # A new directory each run, nothing deleted until the end: ext4 allocates inodes
        # slowly next to recently deleted ones, which would time the benchmark's own rm.
        out = os.path.join(base, f"out{len(os.listdir(base))}")
        os.mkdir(out)
        wall, cpu, _ = run([lxconf, "domxml-from-native", "lxc-tools", "--include-base", ".",
                            "--memory", "1G", "--host-memory", "8G", "--output-dir", out]
                           + extra + batch)
        times.append((wall, cpu))
        written = len(os.listdir(out))
    return times, written

times, written = batch_runs([])
med_batch = statistics.median(t[0] for t in times)
walls = [t[0] for t in times]
print(f"3. 200 configs in one call, files written ({len(times)} runs)")
print(f"   {written} of {len(batch)} domain files written; median {med_batch:.1f} ms wall "
      f"(min {min(walls):.1f}, max {max(walls):.1f}), {statistics.median(t[1] for t in times):.1f} ms CPU; "
      f"goal < 50 ms: {verdict(med_batch < 50)}")
json_times, _ = batch_runs(["--format", "json"])
print(f"   the same with --format json (no human reports rendered): median "
      f"{statistics.median(t[0] for t in json_times):.1f} ms wall, "
      f"{statistics.median(t[1] for t in json_times):.1f} ms CPU")
# Every file is written atomically and made durable (fsync) before it replaces its
# name, so on a disk the batch waits for the disk. On tmpfs fsync costs nothing: what is
# left is lxconf's own work.
if os.path.isdir("/dev/shm"):
    import shutil, tempfile
    shm = tempfile.mkdtemp(dir="/dev/shm")
    try:
        shm_times, _ = batch_runs([], shm)
    finally:
        shutil.rmtree(shm)
    print(f"   the same into tmpfs (/dev/shm, fsync free): median "
          f"{statistics.median(t[0] for t in shm_times):.1f} ms wall, "
          f"{statistics.median(t[1] for t in shm_times):.1f} ms CPU")
EOF
