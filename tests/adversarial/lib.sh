# Shared helpers for adversarial cases. Sourced by every case script; see README.md.
# Provided by the harness: LXCONF (the binary), WORK (an empty scratch directory, also the
# current directory), CASES (this directory).
set -u

fail() {
  echo "FAIL: $*" >&2
  if [ -f "$WORK/.err" ]; then
    echo "--- stderr (first 40 lines, ESC shown as ^[) ---" >&2
    head -n 40 "$WORK/.err" | cut -c1-300 | sed 's/\x1b/^[/g' >&2
  fi
  exit 1
}

# Run lxconf with the given arguments; stdout goes to $WORK/.out, stderr to $WORK/.err and
# the exit status to $RC. Standard input comes from the caller (default: /dev/null).
run_lxconf() {
  RC=0
  "$LXCONF" "$@" >"$WORK/.out" 2>"$WORK/.err" || RC=$?
  # A crash (signal, panic = 101) or an internal error is never an answer to input.
  if [ "$RC" -ge 100 ]; then
    fail "lxconf $* exited with $RC (>= 100: crash or panic)"
  fi
}

expect_rc() {
  [ "$RC" -eq "$1" ] || fail "expected exit status $1, got $RC"
}

# The status is one of the arguments.
expect_rc_in() {
  for c in "$@"; do [ "$RC" -eq "$c" ] && return 0; done
  fail "expected exit status in {$*}, got $RC"
}

expect_err_has() {
  grep -qF -- "$1" "$WORK/.err" || fail "stderr lacks '$1'"
}

expect_err_lacks() {
  if grep -qF -- "$1" "$WORK/.err"; then fail "stderr contains '$1'"; fi
}

expect_out_has() {
  grep -qF -- "$1" "$WORK/.out" || fail "stdout lacks '$1'"
}

expect_out_lacks() {
  if grep -qF -- "$1" "$WORK/.out"; then fail "stdout contains '$1'"; fi
}

# No raw control character other than newline and tab in stdout or stderr.
expect_no_control_chars() {
  if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$WORK/.out" "$WORK/.err"; then
    fail "raw control characters in output"
  fi
}

# stderr is at most N bytes.
expect_err_size_below() {
  local size
  size=$(stat -c %s "$WORK/.err")
  [ "$size" -lt "$1" ] || fail "stderr has $size bytes (limit $1)"
}

# stdout or stderr has the text (lint reports on stdout, other commands on stderr).
expect_output_has() {
  grep -qF -- "$1" "$WORK/.out" "$WORK/.err" || fail "neither stdout nor stderr has '$1'"
}
