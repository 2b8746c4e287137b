#!/usr/bin/env bash
# Fails on a dependency that a package declares and none of its Rust files uses, the way
# cargo-machete finds them (a use of the crate's name as a path), but with nothing to
# install: it reads the manifests with awk and the sources with grep.
#
# A dependency counts as used when `name::`, `use name`, `extern crate name` or `name!`
# (with `-` read as `_`) appears in a .rs file of the package (src, tests, benches,
# examples, build.rs). A dev-dependency that repeats a normal one is reported too: the
# tests see the normal one already.
set -euo pipefail
cd "$(dirname "$0")/.."

# package-dir:dependency pairs declared on purpose without a use in the package's own
# files, each with its reason.
allowed=(
  # fuzz_targets/probe_domain.rs compiles ../src/engine/domain_xml.rs by path, which uses
  # both: they are the fuzz crate's dependencies, used from a file outside its directory.
  "fuzz:quick-xml"
  "fuzz:thiserror"
)

# "section name" for every dependency of a manifest (section: dependencies,
# dev-dependencies, build-dependencies; target-specific tables too).
deps_of() {
  awk '
    /^\[/ {
      section = ""
      if ($0 ~ /^\[(target\..*\.)?(dev-|build-)?dependencies\]/) {
        section = $0
        sub(/^\[(target\..*\.)?/, "", section)
        sub(/\]$/, "", section)
      }
      next
    }
    section != "" && /^[A-Za-z0-9_-]+[ .=]/ {
      name = $0
      sub(/[ .=].*/, "", name)
      # A renamed dependency is used under its key; its package name does not matter.
      print section, name
    }
  ' "$1"
}

failures=0
for manifest in Cargo.toml */Cargo.toml fuzz/Cargo.toml; do
  [ -f "$manifest" ] || continue
  dir=$(dirname "$manifest")
  grep -q '^\[package\]' "$manifest" || continue
  # The package's own sources: a member crate's directory is left out of the root's.
  sources=()
  while IFS= read -r f; do sources+=("$f"); done < <(
    if [ "$dir" = . ]; then
      find src tests benches examples build.rs -name '*.rs' 2>/dev/null || true
    else
      find "$dir" -name '*.rs' -not -path '*/target/*' 2>/dev/null || true
    fi
  )
  declare -A normal=()
  while read -r section name; do
    [ "$section" = dependencies ] && normal[$name]=1
  done < <(deps_of "$manifest")
  while read -r section name; do
    key="${dir#./}:$name"
    [ "$dir" = . ] && key="root:$name"
    if printf '%s\n' "${allowed[@]}" | grep -qxF "$key"; then
      continue
    fi
    if [ "$section" = dev-dependencies ] && [ -n "${normal[$name]:-}" ]; then
      echo "$manifest: dev-dependency \`$name\` repeats a normal dependency" >&2
      failures=$((failures + 1))
      continue
    fi
    lib=${name//-/_}
    if [ ${#sources[@]} -eq 0 ] ||
      ! grep -qE "(^|[^A-Za-z0-9_])($lib::|use +$lib\b|extern +crate +$lib\b|$lib!)" "${sources[@]}"; then
      echo "$manifest: \`$name\` ($section) is used by no Rust file of the package" >&2
      failures=$((failures + 1))
    fi
  done < <(deps_of "$manifest")
  unset normal
done
if [ "$failures" -gt 0 ]; then
  echo "unused-deps: $failures unused or repeated dependencies" >&2
  exit 1
fi
echo "unused-deps: every declared dependency is used"
