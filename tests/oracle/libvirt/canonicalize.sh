#!/usr/bin/env bash
# Print libvirt's own formatting of an LXC domain XML.
#
# Usage: tests/oracle/libvirt/canonicalize.sh X.xml > canonical.xml
#
# Defines X.xml through the LXC driver (lxc:///system), prints
# `virsh -q dumpxml NAME --inactive` byte for byte on stdout (-q: without the
# blank line plain virsh adds after every command; so output ends in "</domain>\n"), then undefines the
# domain again (also on failure). libvirtd must be running (start-libvirtd.sh).
# Exit status: 0 ok, 1 define/dump failed (libvirt's error on stderr), 2 usage.
set -uo pipefail

URI="${LXCONF_LIBVIRT_URI:-lxc:///system}"

if [ $# -ne 1 ] || [ ! -r "$1" ]; then
    echo "usage: $0 DOMAIN.xml" >&2
    exit 2
fi
xml="$1"

name=$(xmllint --xpath 'string(/domain/name)' "$xml" 2>/dev/null) || name=""
if [ -z "$name" ]; then
    # Not parseable here (or no name): let libvirt say why, then clean up if it
    # unexpectedly accepted the file.
    echo "canonicalize: cannot read /domain/name from $xml; libvirt says:" >&2
    if msg=$(virsh -q -c "$URI" define "$xml" 2>&1); then
        n=$(printf '%s\n' "$msg" | sed -n "s/^Domain '\(.*\)' defined from .*/\1/p")
        [ -n "$n" ] && virsh -q -c "$URI" undefine "$n" >/dev/null 2>&1
        echo "canonicalize: libvirt accepted it (domain '$n' undefined again)" >&2
    else
        printf '%s\n' "$msg" >&2
    fi
    exit 1
fi

# Refuse to clobber a domain that exists already and is not ours to remove.
if virsh -q -c "$URI" dominfo "$name" >/dev/null 2>&1; then
    echo "canonicalize: a domain named '$name' is already defined on $URI; refusing to overwrite it" >&2
    exit 1
fi

out=$(mktemp)
err=$(mktemp)
cleanup() {
    virsh -q -c "$URI" undefine "$name" >/dev/null 2>&1 || true
    rm -f "$out" "$err"
}
trap cleanup EXIT

if ! virsh -q -c "$URI" define "$xml" >/dev/null 2>"$err"; then
    cat "$err" >&2
    exit 1
fi
if ! virsh -q -c "$URI" dumpxml "$name" --inactive >"$out" 2>"$err"; then
    cat "$err" >&2
    exit 1
fi
cat "$out"
