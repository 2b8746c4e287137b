#!/usr/bin/python3
"""liblxc oracle: load LXC config files with the real liblxc and dump what it parsed.

Usage (run as root, with Debian's python3-lxc, i.e. /usr/bin/python3):

    /usr/bin/python3 tests/oracle/liblxc_dump.py [--cwd DIR] [--relative-to DIR] FILE...

For every FILE a *separate forked process* (crash isolation: liblxc segfaults on include
cycles) does:

    os.chdir(CWD)                     # --cwd, default: the directory holding FILE
    lg = lxc.Container("oracle-log", <fresh temp lxcpath>)   # only to capture error messages:
    lg.set_config_item("lxc.log.file", <temp log>); lg.set_config_item("lxc.log.level", "TRACE")
    lg.load_config(<absolute FILE>)
    c = lxc.Container("oracle", <same lxcpath>)              # pristine: nothing preset
    loaded = c.load_config(<absolute FILE>)
    items  = {key: c.get_config_item(key) for key in <keys the file sets>}

and one JSON object per FILE is printed on stdout (one line each):

    {"file": FILE (relative to --relative-to if given),
     "loaded": bool,            # return value of load_config
     "crashed": bool,           # child died from a signal (e.g. SIGSEGV on include cycles)
     "exit": int,               # child return code (negative = signal number)
     "error": str|null,         # the liblxc "Failed to parse config file ... at line "..."" text
     "error_line": str|null,    # the offending line as liblxc quotes it
     "error_lineno": int|null,  # 1-based line number of error_line in FILE (for an error
                                #   inside an included file: the line of the lxc.include)
     "error_chain": [{"file", "line", "lineno"}],  # every "Failed to parse" report,
                                #   innermost file first (paths relative like "file")
     "errors": [str],           # all ERROR-level liblxc log messages (file:line prefixes stripped)
     "items": {KEY: VALUE-or-null},
     "random_keys": [KEY]}      # items whose value liblxc randomises (hwaddr with x/X)

Which keys are queried ("items"):
  * every `lxc.*` key that appears in FILE or in a file it includes (includes are
    followed with the same rules as liblxc: relative to CWD, a directory loads its *.conf
    entries; cycles are cut), with legacy names (lxc.utsname, lxc.network.*, ...) translated
    to their modern names (lxc.uts.name, lxc.net.N.*, ...);
  * for each family key that appears (lxc.cgroup.X, lxc.cgroup2.X, lxc.prlimit.X,
    lxc.sysctl.X, lxc.proc.X, lxc.hook.X, lxc.namespace.share.X) the concrete key itself;
  * for each network index N that appears: every lxc.net.N.<subkey> of the full subkey
    list (NET_SUBKEYS below), even those the file does not set;
  * lxc.include is never queried (it is a directive, liblxc has no getter for it).

VALUE is exactly what python-lxc's Container.get_config_item returns, mapped to JSON.
python-lxc returns a *list* only when liblxc's getter output ends with "\n" (it then
splits on "\n"); otherwise a str, possibly with embedded newlines. Observed shapes
(liblxc 5.0.2, python3-lxc 5.0.0):
  * list of str: lxc.cap.drop, lxc.cap.keep, lxc.mount.entry, lxc.environment, lxc.group
    (split into single names), lxc.hook.<type>, lxc.apparmor.raw, lxc.namespace.clone /
    .keep (in liblxc's fixed order user,mnt,pid,uts,ipc,net,cgroup,time -- not file
    order), lxc.net (the list of types, one per configured netdev), every
    lxc.cgroup.<file> and lxc.cgroup2.<file> (even a single value: ["1G"]),
    lxc.time.offset.boot / .monotonic (a one-element list such as ["10800 s"] or
    ["-3600s"]: boot prints "<n> <unit>", monotonic "<n><unit>"; h/m become s, ms/us
    become ns), and the bare family keys lxc.cgroup2 / lxc.prlimit / lxc.sysctl / lxc.proc
    (a list of "lxc.family.key = value" lines).
  * str with embedded "\n" and NO trailing newline (so NOT split by python-lxc):
    lxc.idmap ("u 0 100000 65536\ng 0 100000 65536"), lxc.net.N.ipv4.address,
    lxc.net.N.ipv6.address, lxc.net.N.veth.ipv4.route, lxc.net.N.veth.ipv6.route,
    lxc.net.N.veth.vlan.tagged.id.
  * str: every scalar; lxc.init.groups comes back comma-joined ("10,20,30");
    lxc.proc.<file> with duplicates comes back CONCATENATED without separator
    ("100" + "200" -> "100200").
  * "" when the key is unset, was reset/cleared, or is an empty list.
  * null when get_config_item raised KeyError ("Invalid configuration key") or returned
    False: liblxc has no getter for the key (e.g. bare lxc.hook, lxc.net.N.macvlan.mode on
    a veth netdev, legacy names) or refused it.

Normalisations done by liblxc getters (so a Rust model must compare semantically):
  * numbers in base 0 are printed in decimal (0x4 -> "4", 010 -> "8"); signals as numbers
    (SIGRTMIN+3 -> "37", SIGPWR -> "30"); arch aliases canonicalised (amd64, linux64 ->
    "x86_64"); log level names upper-cased; console sizes in bytes rounded to a power of 2.
  * lxc.rootfs.path: the "type:" prefix is dropped and the path simplified.
  * lxc.mount.auto: "proc" -> "proc:mixed", "sys" -> "sys:mixed"; cgroup tokens are only
    printed in their plain forms (cgroup:mixed/ro/rw, cgroup-full:...); the :force forms,
    cgroup2* and shmounts:* are NOT printed at all.
  * lxc.net.N.ipv4.address: the explicit broadcast is not printed; a missing prefix is
    printed as liblxc's (buggy) classful guess.
  * lxc.seccomp.notify.proxy: the "unix:" prefix is stripped.
  * lxc.net.N.veth.vlan.id = none -> "-1".

Quirks (see tests/oracle/README.md for the full list):
  * get_config_item("lxc.cap.keep") and ("lxc.cap.drop") both return the one capability
    list, whichever mode it is in (5.0 reads the drop list for keep; fixed in 7.0).
  * lxc.net.N.hwaddr with x/X digits is randomised at every load (listed in random_keys).
  * lxc.net.N.link "prefix+" on a phys netdev is expanded at parse time against the host's
    interfaces, so its result depends on the machine.
"""
import json
import os
import re
import select
import shutil
import signal
import sys
import tempfile

NET_SUBKEYS = [
    "type", "flags", "link", "name", "hwaddr", "mtu",
    "ipv4.address", "ipv4.gateway", "ipv6.address", "ipv6.gateway",
    "script.up", "script.down", "l2proxy",
    "veth.pair", "veth.mode", "veth.ipv4.route", "veth.ipv6.route",
    "veth.vlan.id", "veth.vlan.tagged.id", "veth.n_rxqueues", "veth.n_txqueues",
    "macvlan.mode", "ipvlan.mode", "ipvlan.isolation", "vlan.id",
]

LEGACY_RENAMES = {
    "lxc.utsname": "lxc.uts.name",
    "lxc.rootfs": "lxc.rootfs.path",
    "lxc.id_map": "lxc.idmap",
    "lxc.pts": "lxc.pty.max",
    "lxc.tty": "lxc.tty.max",
    "lxc.devttydir": "lxc.tty.dir",
    "lxc.aa_profile": "lxc.apparmor.profile",
    "lxc.aa_allow_incomplete": "lxc.apparmor.allow_incomplete",
    "lxc.se_context": "lxc.selinux.context",
    "lxc.mount": "lxc.mount.fstab",
    "lxc.seccomp": "lxc.seccomp.profile",
    "lxc.console": "lxc.console.path",
    "lxc.haltsignal": "lxc.signal.halt",
    "lxc.rebootsignal": "lxc.signal.reboot",
    "lxc.stopsignal": "lxc.signal.stop",
    "lxc.syslog": "lxc.log.syslog",
    "lxc.loglevel": "lxc.log.level",
    "lxc.logfile": "lxc.log.file",
    "lxc.init_cmd": "lxc.init.cmd",
    "lxc.init_uid": "lxc.init.uid",
    "lxc.init_gid": "lxc.init.gid",
}
LEGACY_DROPPED = {"lxc.pivotdir", "lxc.kmsg", "lxc.rootfs.backend"}

KEY_RE = re.compile(r"^[ \t]*(lxc\.[^=]*?)[ \t]*=(.*)$")


def split_lines(data):
    # liblxc splits on \r, \n and NUL (strtok semantics); a NUL ends the file.
    data = data.split("\0", 1)[0]
    return re.split(r"[\r\n]", data)


def strip_value(v):
    v = v.strip(" \t\r\n")
    if len(v) > 1 and v[0] in "'\"" and v[-1] == v[0]:
        v = v[1:-1]
    return v


def collect_keys(path, seen=None, keys=None, legacy_idx=None):
    """Return the ordered list of (key, value) lines of path and its includes."""
    if seen is None:
        seen = set()
    if keys is None:
        keys = []
    if legacy_idx is None:
        legacy_idx = [-1]
    real = os.path.realpath(path)
    if real in seen:
        return keys
    seen.add(real)
    try:
        with open(path, "r", encoding="utf-8", errors="surrogateescape") as f:
            data = f.read()
    except OSError:
        return keys
    for line in split_lines(data):
        m = KEY_RE.match(line)
        if not m or line.lstrip(" \t").startswith("#"):
            continue
        key, value = m.group(1), strip_value(m.group(2))
        if key == "lxc.include":
            if not value:
                continue
            if os.path.isdir(value):
                for ent in sorted(os.listdir(value)):
                    if ent.endswith(".conf") and len(ent) >= 6:
                        p = os.path.join(value, ent)
                        if os.path.isfile(p):
                            collect_keys(p, seen, keys, legacy_idx)
            else:
                collect_keys(value, seen, keys, legacy_idx)
            continue
        keys.append((key, value, legacy_idx))
    return keys


def modern_keys(pairs):
    """Translate keys (legacy ones included) into the set of modern keys to query."""
    out = []
    nets = []
    legacy_n = -1

    def add(k):
        if k not in out:
            out.append(k)

    for key, value, _ in pairs:
        if key in LEGACY_DROPPED:
            continue
        if key in LEGACY_RENAMES:
            add(LEGACY_RENAMES[key])
            continue
        m = re.match(r"^lxc\.limit\.(.+)$", key)
        if m:
            add("lxc.prlimit." + m.group(1))
            continue
        if key == "lxc.network":
            add("lxc.net")
            continue
        m = re.match(r"^lxc\.network\.(\d+)\.(.+)$", key)
        if m:
            n = int(m.group(1))
            if n not in nets:
                nets.append(n)
            continue
        m = re.match(r"^lxc\.network\.(.+)$", key)
        if m:
            if m.group(1) == "type":
                legacy_n += 1
            if legacy_n >= 0 and legacy_n not in nets:
                nets.append(legacy_n)
            continue
        m = re.match(r"^lxc\.net\.(\d+)(\..*)?$", key)
        if m:
            try:
                n = int(m.group(1), 10)
            except ValueError:
                n = None
            if n is not None and n not in nets:
                nets.append(n)
            if m.group(2) is None:
                add(key)
            continue
        add(key)
    for n in sorted(nets):
        for sub in NET_SUBKEYS:
            add("lxc.net.%d.%s" % (n, sub))
    return out


def jsonable(v):
    if v is False or v is None:
        return None
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, bytes):
        return v.decode("utf-8", "surrogateescape")
    return v


def child(path, cwd):
    import lxc  # noqa: imported here so the parent works without the module

    os.chdir(cwd)
    lxcpath = tempfile.mkdtemp(prefix="lxconf-oracle-")
    logfile = os.path.join(lxcpath, "oracle.log")
    res = {"loaded": False, "items": {}, "errors": []}
    try:
        # 1) a container with logging switched on, only to capture liblxc's error messages
        lg = lxc.Container("oracle-log", lxcpath)
        lg.set_config_item("lxc.log.file", logfile)
        lg.set_config_item("lxc.log.level", "TRACE")
        # announce before the load: if liblxc crashes we still know where we were
        sys.stdout.write("#loading\n")
        sys.stdout.flush()
        logged_ok = bool(lg.load_config(os.path.abspath(path)))
        try:
            with open(logfile, encoding="utf-8", errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
        for line in log.splitlines():
            m = re.match(r"^lxc \S+ ERROR\s+\S+ - \S+ - (.*)$", line)
            if m:
                res["errors"].append(m.group(1))
        # 2) a pristine container (nothing preset) whose state is what "items" reports
        c = lxc.Container("oracle", lxcpath)
        res["loaded"] = bool(c.load_config(os.path.abspath(path)))
        if res["loaded"] != logged_ok:  # pragma: no cover
            res["inconsistent"] = True
        keys = modern_keys(collect_keys(os.path.abspath(path)))
        for k in keys:
            try:
                v = c.get_config_item(k)
            except KeyError:
                v = None
            except Exception as e:  # pragma: no cover
                v = None
                res.setdefault("getter_exceptions", {})[k] = repr(e)
            res["items"][k] = jsonable(v)
    finally:
        shutil.rmtree(lxcpath, ignore_errors=True)
    sys.stdout.write(json.dumps(res) + "\n")
    sys.stdout.flush()


def find_lineno(path, text):
    """1-based line number of the line liblxc quoted (it quotes the line without its
    leading blanks and without the line separator)."""
    try:
        with open(path, "rb") as f:
            raw = f.read().split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
    except OSError:
        return None
    for no, line in enumerate(re.split(r"\r\n|\n|\r", raw), 1):
        if line.lstrip(" \t") == text or line.strip(" \t\r") == text.strip(" \t\r"):
            return no
    return None


def run_child(path, cwd):
    """Run child() in a forked process (crash isolation without starting a new
    interpreter: a fork costs about a millisecond, a new python3 with liblxc about 70).
    Returns (exit code, negative for a signal; stdout bytes; stderr bytes)."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(out_r)
            os.close(err_r)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            sys.stdout = os.fdopen(1, "w", closefd=False)
            sys.stderr = os.fdopen(2, "w", closefd=False)
            signal.alarm(120)
            child(os.path.abspath(path), cwd)
            sys.stdout.flush()
            code = 0
        except BaseException:  # noqa: the child must never return into the parent's loop
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
        os._exit(code)
    os.close(out_w)
    os.close(err_w)
    chunks = {out_r: [], err_r: []}
    open_fds = [out_r, err_r]
    while open_fds:
        ready, _, _ = select.select(open_fds, [], [])
        for fd in ready:
            data = os.read(fd, 65536)
            if data:
                chunks[fd].append(data)
            else:
                open_fds.remove(fd)
                os.close(fd)
    _, status = os.waitpid(pid, 0)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return code, b"".join(chunks[out_r]), b"".join(chunks[err_r])


def run_one(path, cwd, relative_to):
    if cwd is None:
        cwd = os.path.dirname(os.path.abspath(path))
    returncode, stdout, stderr = run_child(path, cwd)
    name = os.path.relpath(os.path.abspath(path), relative_to) if relative_to else path
    out = {"file": name, "loaded": False, "crashed": returncode < 0, "exit": returncode,
           "error": None, "error_line": None, "error_lineno": None, "error_chain": [],
           "errors": [],
           "items": {}, "random_keys": []}
    payload = None
    for line in stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("{"):
            payload = json.loads(line)
    if payload is not None:
        out["loaded"] = payload["loaded"]
        out["items"] = payload["items"]
        errs = [e for e in payload["errors"]]
        out["errors"] = errs
        chain = []
        for e in errs:
            m = re.match(r'^Failed to parse config file "(.*)" at line "(.*)"$', e)
            if m:
                ef = os.path.normpath(os.path.join(cwd, m.group(1)))
                chain.append({"file": os.path.relpath(ef, relative_to) if relative_to else ef,
                              "line": m.group(2), "lineno": find_lineno(ef, m.group(2))})
                if out["error"] is None and ef == os.path.abspath(path):
                    out["error"] = e
                    out["error_line"] = m.group(2)
                    out["error_lineno"] = find_lineno(ef, m.group(2))
        # innermost first (an error inside an included file comes before the include line)
        out["error_chain"] = chain
        if out["error"] is None and errs:
            out["error"] = errs[-1]
        if "getter_exceptions" in payload:
            out["getter_exceptions"] = payload["getter_exceptions"]
    elif not out["crashed"]:
        out["error"] = "oracle child failed: " + stderr.decode("utf-8", "replace")[-500:]
    # hwaddr values with x/X are randomised by liblxc on every load
    for key, value, _ in collect_keys_safe(path, cwd):
        m = re.match(r"^lxc\.net(?:work)?\.(\d+)\.hwaddr$", key)
        if m and re.search(r"[xX]", value):
            k = "lxc.net.%d.hwaddr" % int(m.group(1))
            if k not in out["random_keys"]:
                out["random_keys"].append(k)
    return out


def collect_keys_safe(path, cwd):
    old = os.getcwd()
    try:
        os.chdir(cwd)
        return collect_keys(os.path.abspath(os.path.join(old, path)))
    finally:
        os.chdir(old)


def main(argv):
    if len(argv) >= 3 and argv[0] == "--child":
        child(argv[1], argv[2])
        return 0
    cwd = None
    relative_to = None
    files = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--cwd":
            cwd = os.path.abspath(argv[i + 1])
            i += 2
            continue
        if a == "--relative-to":
            relative_to = os.path.abspath(argv[i + 1])
            i += 2
            continue
        if a in ("-h", "--help"):
            print(__doc__)
            return 0
        files.append(a)
        i += 1
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import lxc  # noqa: F401 -- once here, so that every forked child has it already
    except ImportError:
        pass  # each child reports the failure for its file
    for f in files:
        print(json.dumps(run_one(f, cwd, relative_to), sort_keys=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
