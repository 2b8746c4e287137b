#!/usr/bin/env bash
# Make sure a libvirtd with the LXC driver is running on this (Debian 12) host,
# so that `virsh -c lxc:///system ...` answers. Idempotent: safe to run again.
#
# Usage: tests/oracle/libvirt/start-libvirtd.sh
# Env:   LXCONF_LIBVIRTD_TIMEOUT  seconds to wait for the daemon (default 30)
set -euo pipefail

TIMEOUT="${LXCONF_LIBVIRTD_TIMEOUT:-30}"
URI="lxc:///system"
PKGS=(libvirt-daemon libvirt-daemon-driver-lxc libvirt-clients libxml2-utils jq)

log() { printf 'start-libvirtd: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        log "must run as root (or with passwordless sudo)"; exit 1; fi
fi

# 1. Packages -----------------------------------------------------------------
missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_try() {
        # another process may hold the dpkg lock: retry for up to ~5 minutes
        local i
        for i in $(seq 1 60); do
            if $SUDO env DEBIAN_FRONTEND=noninteractive "$@"; then return 0; fi
            log "apt command failed (lock held?), retry $i/60 in 5 s"
            sleep 5
        done
        return 1
    }
    apt_try apt-get update -q
    apt_try apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}"
fi

# 2. Users and groups libvirtd expects (the qemu driver module looks them up) --
getent group kvm >/dev/null          || $SUDO groupadd --system kvm
getent group libvirt-qemu >/dev/null || $SUDO groupadd --system libvirt-qemu
getent group libvirt >/dev/null      || $SUDO groupadd --system libvirt
if ! getent passwd libvirt-qemu >/dev/null; then
    $SUDO useradd --system --no-create-home --home-dir /var/lib/libvirt \
        --shell /usr/sbin/nologin -g libvirt-qemu -G kvm libvirt-qemu
fi

# 3. Daemon ---------------------------------------------------------------------
answers() { virsh -q -c "$URI" version >/dev/null 2>&1; }

if answers; then
    log "libvirtd already answers on $URI"
    exit 0
fi

start_daemon() {
    $SUDO mkdir -p /run/libvirt /var/log/libvirt
    # On the hybrid cgroup layout libvirt_lxc cannot start containers ("Unable to create
    # directory /sys/fs/cgroup/unified"); in a private mount namespace without that cgroup2
    # mount it can. define/dumpxml work either way.
    if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null && command -v unshare >/dev/null; then
        log "starting /usr/sbin/libvirtd -d in a private mount namespace without /sys/fs/cgroup/unified"
        $SUDO unshare -m --propagation private sh -c \
            'umount /sys/fs/cgroup/unified && exec /usr/sbin/libvirtd -d' \
            || log "libvirtd -d exited with status $?"
    else
        log "starting /usr/sbin/libvirtd -d"
        $SUDO /usr/sbin/libvirtd -d || log "libvirtd -d exited with status $?"
    fi
}

# A daemon that is still exiting (e.g. after a crash) may linger for a moment:
# wait for it to answer, and (re)start it whenever no libvirtd process exists.
deadline=$(( $(date +%s) + TIMEOUT ))
until answers; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        log "libvirtd did not answer on $URI within ${TIMEOUT}s"
        virsh -c "$URI" version >&2 || true
        exit 1
    fi
    if ! pgrep -x libvirtd >/dev/null 2>&1; then
        start_daemon
    fi
    sleep 0.5
done
log "libvirtd answers on $URI"
virsh -q -c "$URI" version >&2 || true
