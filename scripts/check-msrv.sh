#!/usr/bin/env bash
# Checks the minimum Rust version (`rust-version` in Cargo.toml) without a second toolchain.
#
# Only one toolchain is installed where lxconf is built, so the declared minimum cannot be
# proven by compiling with it. Instead this fails when something that `cargo install --locked`
# builds asks for more:
# - a package in Cargo.lock built for this host (normal and build dependencies of the
#   workspace's packages; dev-dependencies and other targets' dependencies are not built by
#   `cargo install`) declares a newer `rust-version`, or uses an edition newer than ours
#   allows (2024 needs 1.85, 2021 needs 1.56);
# - a workspace package uses such an edition;
# - the code uses an unstable feature (`#![feature(...)]`).
# The standard library APIs the code calls are checked by clippy's `incompatible_msrv` lint,
# which reads the same version from clippy.toml (`msrv`); this script checks that the two agree.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
cargo metadata --format-version 1 --locked --filter-platform "$host" | python3 -c '
import json, re, sys

EDITION_NEEDS = {"2015": (1, 0), "2018": (1, 31), "2021": (1, 56), "2024": (1, 85)}

def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple((parts + [0, 0])[:3][:2])

def show(v):
    return "%d.%d" % v

meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
members = meta["workspace_members"]
declared = {packages[m]["rust_version"] for m in members}
if len(declared) != 1 or None in declared:
    sys.exit("check-msrv: every workspace package must declare the same rust-version, found %s" % sorted(map(str, declared)))
ours = version(declared.pop())

# What cargo install builds: the members and, from them, normal and build edges only.
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
built, todo = set(), list(members)
while todo:
    pid = todo.pop()
    if pid in built:
        continue
    built.add(pid)
    for dep in nodes[pid]["deps"]:
        if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
            todo.append(dep["pkg"])

failures = []
for pid in sorted(built, key=lambda p: packages[p]["name"]):
    p = packages[pid]
    needs, why = EDITION_NEEDS.get(p["edition"], (99, 0)), "edition " + p["edition"]
    if p.get("rust_version") and version(p["rust_version"]) > needs:
        needs, why = version(p["rust_version"]), "rust-version " + p["rust_version"]
    if needs > ours:
        failures.append("%s %s needs Rust %s (%s)" % (p["name"], p["version"], show(needs), why))

with open("clippy.toml") as f:
    msrv = re.search(r"^msrv\s*=\s*\"([0-9.]+)\"", f.read(), re.M)
if not msrv or version(msrv.group(1)) != ours:
    failures.append("clippy.toml must say msrv = \"%s\" (the rust-version), so clippy checks std APIs against it" % show(ours))

for f in failures:
    print("check-msrv: " + f, file=sys.stderr)
if failures:
    sys.exit("check-msrv: rust-version %s is too low for %d package(s); raise it or pin older versions in Cargo.lock" % (show(ours), len(failures)))
print("check-msrv: %d packages built for %s need at most Rust %s" % (len(built), "'"$host"'", show(ours)))
'

if grep -rlE '^\s*#!\[feature\(' --include='*.rs' src schemas parsers converters libvirt-compat runner 2>/dev/null; then
  echo "check-msrv: the files above use unstable features, which no stable Rust builds" >&2
  exit 1
fi
