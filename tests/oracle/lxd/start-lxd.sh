#!/usr/bin/env bash
# Make sure an LXD daemon answers on this (Debian 12) host, initialized with a `dir`
# storage pool and no network (no bridge, no NAT, no dnsmasq: this machine must route no
# traffic), so that `lxc init --empty NAME < instance.yaml` validates instance configs and
# privileged busybox containers can run. Idempotent: safe to run again. There is no
# systemd here: the daemon is started in the background by hand.
#
# Usage: tests/oracle/lxd/start-lxd.sh
# Env:   LXCONF_LXD_TIMEOUT  seconds to wait for the daemon (default 60)
set -euo pipefail

TIMEOUT="${LXCONF_LXD_TIMEOUT:-60}"
PKGS=(lxd lxd-client)
LOG=/var/log/lxconf-lxd.log

log() { printf 'start-lxd: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root"
    exit 1
fi

# 1. Packages (Debian's own LXD 5.0.2) -------------------------------------------
missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    for i in $(seq 1 60); do
        if apt-get install -y -q --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            "${missing[@]}"; then
            break
        fi
        log "apt-get failed (lock held, or the lists are stale?), retry $i/60 in 5 s"
        apt-get update -q || true
        sleep 5
    done
fi

# 2. Daemon -----------------------------------------------------------------------
answers() { lxc query /1.0 >/dev/null 2>&1; }
if ! answers; then
    if ! pgrep -x lxd >/dev/null 2>&1; then
        log "starting lxd --group root in the background (log: $LOG)"
        # LXD fetches instance type definitions from images.linuxcontainers.org at start
        # and daily (lxd/instance_types.go), through the proxy of its environment when its
        # config names none: a closed local port keeps that request on this machine
        # (measured: "proxyconnect tcp: ... 127.0.0.1:9: connection refused" instead of a
        # DNS lookup of the host).
        https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 \
            HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY= \
            nohup lxd --group root >>"$LOG" 2>&1 &
    fi
    if ! lxd waitready --timeout "$TIMEOUT"; then
        log "lxd did not become ready within ${TIMEOUT}s; its log:"
        tail -n 30 "$LOG" >&2 || true
        exit 1
    fi
fi

# 3. Initialization: a dir pool, a default profile with only a root disk, no network.
if ! lxc storage show default >/dev/null 2>&1; then
    log "initializing: dir storage pool 'default', no network"
    lxd init --preseed <<'YAML'
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
YAML
fi
log "lxd answers ($(lxd --version))"
