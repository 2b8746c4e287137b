#!/usr/bin/python3
"""Apply every [[mutation]] of corpus/mutations/mutations.toml and ask liblxc about it.

Usage (from anywhere; paths are relative to the repository root):

    /usr/bin/python3 tests/oracle/run_mutations.py            # check: exit 1 on mismatch
    /usr/bin/python3 tests/oracle/run_mutations.py --update   # rewrite liblxc_accepts
    /usr/bin/python3 tests/oracle/run_mutations.py --jsonl OUT.jsonl   # also dump results

For each case: `find` must occur exactly once in `base` (otherwise the case is reported as
BROKEN); the mutated text is written to a temporary file and loaded by
tests/oracle/liblxc_dump.py with --cwd corpus/lxc (so relative includes and fstab paths
resolve as they do for the base file). The measured verdict is `loaded` (a crash counts as
not accepted). With --update the `liblxc_accepts = ...` line of each block is rewritten in
place, keeping the rest of the file (comments, order) untouched.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOML = os.path.join(ROOT, "corpus", "mutations", "mutations.toml")
DUMP = os.path.join(ROOT, "tests", "oracle", "liblxc_dump.py")
CWD = os.path.join(ROOT, "corpus", "lxc")


def main(argv):
    update = "--update" in argv
    jsonl = None
    if "--jsonl" in argv:
        jsonl = argv[argv.index("--jsonl") + 1]
    with open(TOML, "rb") as f:
        cases = tomllib.load(f)["mutation"]
    tmpdir = tempfile.mkdtemp(prefix="lxconf-mut-")
    results = []
    broken = 0
    for i, m in enumerate(cases):
        with open(os.path.join(ROOT, m["base"]), encoding="utf-8", newline="") as f:
            text = f.read()
        n = text.count(m["find"])
        if n != 1:
            print("BROKEN #%d %s: find occurs %d times" % (i, m["description"], n))
            broken += 1
            results.append(None)
            continue
        mutated = text.replace(m["find"], m["replace"], 1)
        path = os.path.join(tmpdir, "mutation-%03d.conf" % i)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(mutated)
        p = subprocess.run([sys.executable, DUMP, "--cwd", CWD, path],
                           stdout=subprocess.PIPE, check=True)
        d = json.loads(p.stdout.decode().strip().splitlines()[-1])
        os.unlink(path)
        accepted = bool(d["loaded"]) and not d["crashed"]
        results.append(accepted)
        if jsonl is not None:
            d["file"] = "%s (mutation #%d: %s)" % (m["base"], i, m["description"])
            with open(jsonl, "a") as f:
                f.write(json.dumps({"index": i, "base": m["base"], "description": m["description"],
                                    "liblxc_accepts": accepted, "error": d["error"],
                                    "errors": d["errors"]}) + "\n")
        mark = "ok " if accepted == m.get("liblxc_accepts") else "DIFF"
        print("%s #%02d accepts=%-5s %s :: %s" % (mark, i, accepted, m["base"][11:], m["description"]))
    os.rmdir(tmpdir)
    mismatches = sum(1 for m, r in zip(cases, results) if r is not None and r != m.get("liblxc_accepts"))
    if update:
        with open(TOML, encoding="utf-8") as f:
            lines = f.read().split("\n")
        idx = -1
        for j, line in enumerate(lines):
            if line.strip() == "[[mutation]]":
                idx += 1
            elif re.match(r"^liblxc_accepts\s*=", line) and results[idx] is not None:
                lines[j] = "liblxc_accepts = %s" % ("true" if results[idx] else "false")
        with open(TOML, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print("updated %s" % TOML)
    print("%d cases, %d accepted, %d refused, %d broken, %d mismatches" % (
        len(cases), sum(1 for r in results if r), sum(1 for r in results if r is False),
        broken, mismatches))
    return 1 if (broken or (mismatches and not update)) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
