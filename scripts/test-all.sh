#!/usr/bin/env bash
# The whole lxconf test suite, on a fresh Debian 12 machine or a developer's.
#
# Installs what the tests need when it is missing (Debian packages via apt-get: liblxc and
# python3-lxc as the LXC oracle, libvirt's LXC driver and virsh as the libvirt oracle,
# xmllint and libvirt's RelaxNG schemas, busybox-static for runner root filesystems), starts
# the libvirt and LXD daemons the oracle tests use, then runs formatting, lint and
# unused-dependency checks and every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(lxc python3-lxc libvirt-daemon-driver-lxc libvirt-clients libxml2-utils busybox-static)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: missing packages ${missing[*]}; oracle tests will report that they cannot run" >&2
  fi
fi

# libvirt's daemon, for the virsh oracle (domxml-from-native). Optional for now.
if [ -x tests/oracle/libvirt/start-libvirtd.sh ]; then
  tests/oracle/libvirt/start-libvirtd.sh || echo "warning: libvirtd did not start" >&2
fi

# LXD (Debian's 5.0.2; start-lxd.sh installs lxd and lxd-client itself), for the LXD oracle
# and `equiv --engine real` on instance YAML: a dir pool, no network. Idempotent. Root only:
# the LXD tests need root anyway, and fail (not skip) without the daemon.
if [ "$(id -u)" -eq 0 ]; then
  tests/oracle/lxd/start-lxd.sh || echo "warning: LXD did not start" >&2
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== unused dependencies"
# A grep over the manifests and sources (scripts/unused-deps.sh): instant, nothing to
# install, where building cargo-machete would add a minute or two to every fresh machine.
scripts/unused-deps.sh
echo "== minimum Rust version"
# rust-version against Cargo.lock and clippy.toml's msrv (clippy then checks std APIs).
scripts/check-msrv.sh
echo "== cargo package (the crates as published)"
# Every crate packages: manifests complete, path dependencies versioned, the files a
# build reads inside the package. The full check, `cargo package --workspace` (which also
# builds each package as cargo install would), passed and takes 6-16 minutes here: run it
# before a release (docs/packaging.md).
cargo package --workspace --locked --no-verify --allow-dirty -q
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
if [ "$(id -u)" -eq 0 ]; then
  # Root-only tests are #[ignore = "needs root"]; as root they run too.
  cargo test --workspace --locked -- --include-ignored
else
  cargo test --workspace --locked
fi
