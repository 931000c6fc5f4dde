"""Runs every shell command the README and docs show, exactly as written.

Each fenced shell block (```sh) in the documents below must be preceded by a
marker line:
  <!-- test: WHAT -->         run here, in document order, from the top of a
                              copy of the repository, with `bash -euo pipefail`;
  <!-- not run: WHY -->       shown but not run by this test (WHY says why and
                              what runs instead: the Dart SDK is not installable
                              here, an hours-long fuzz run, the suite itself).
A Meson block marked `<!-- test: same as PATH -->` must appear, line for line,
in PATH, which the test builds.

The blocks install calcgen to /usr/local and run ldconfig, as a user would.
Here that happens inside a private mount namespace in which /usr/local and
/etc are overlays on a tmpfs, so the machine is left untouched while the
loader, pkg-config and PATH see the install where a user's would. That needs
root (CI and fresh-debian.sh run as root); elsewhere the test reports itself
skipped (exit 77).

Around the blocks, the Meson subproject consumer (examples/meson-consumer) is
built twice: before the install, when calcgen comes from the subproject, and
after it, when dependency('calcgen') and find_program('calcgen') find the
installed one.

    run_documented.py SOURCE_ROOT WORK_DIR
(it reruns itself with --inside under unshare)
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

DOCUMENTS = ["README.md", "docs/*.md", "examples/*/README.md", "tests/*/README.md"]
SHELL = {"sh", "bash", "shell", "console"}
MARKER = re.compile(r"^<!-- (test|not run): (.+) -->$")
SKIP = 77


class Block:
    def __init__(self, path, line, lang, text, marker, what):
        self.path, self.line, self.lang, self.text = path, line, lang, text
        self.marker, self.what = marker, what

    def __str__(self):
        return f"{self.path}:{self.line}"


def blocks(root: Path):
    """Every fenced block of the documents, with the marker line before it."""
    for pattern in DOCUMENTS:
        for path in sorted(root.glob(pattern)):
            lines = path.read_text().splitlines()
            i = 0
            while i < len(lines):
                m = re.match(r"^```(\w*)\s*$", lines[i])
                if not m:
                    i += 1
                    continue
                start, lang = i, m.group(1)
                i += 1
                body = []
                while i < len(lines) and lines[i].strip() != "```":
                    body.append(lines[i])
                    i += 1
                prev = next((lines[k].strip() for k in range(start - 1, -1, -1) if lines[k].strip()), "")
                mk = MARKER.match(prev)
                yield Block(path.relative_to(root), start + 1, lang, "\n".join(body) + "\n",
                            mk.group(1) if mk else None, mk.group(2) if mk else None)
                i += 1


def check_markers(all_blocks):
    problems = []
    for b in all_blocks:
        if b.lang in SHELL and b.marker is None:
            problems.append(f"{b}: a shell block without a <!-- test: ... --> or <!-- not run: ... --> marker")
    return problems


def check_meson_copies(root, all_blocks):
    """A Meson block marked `same as PATH` must be PATH's text, line for line."""
    problems = []
    for b in all_blocks:
        if b.lang != "meson" or b.marker != "test":
            continue
        target = b.what.removeprefix("same as ").strip()
        have = [l.strip() for l in (root / target).read_text().splitlines()]
        at = 0
        for want in (l.strip() for l in b.text.splitlines() if l.strip()):
            while at < len(have) and have[at] != want:
                at += 1
            if at == len(have):
                problems.append(f"{b}: line {want!r} is not in {target} (in this order)")
                break
            at += 1
    return problems


def run(cmd, cwd, log, shell_text=None):
    print(f"$ {shell_text if shell_text is not None else ' '.join(map(str, cmd))}", flush=True)
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.write(proc.stdout)
    sys.stdout.write(proc.stdout[-4000:])
    return proc


def consumer(src, work, label, log, expect):
    build = work / f"consumer-{label}"
    shutil.rmtree(build, ignore_errors=True)
    p = run(["meson", "setup", str(build), "examples/meson-consumer", "--wrap-mode=nodownload"], src, log)
    if p.returncode != 0:
        return f"meson-consumer ({label}): meson setup failed"
    if not re.search(expect, p.stdout):
        return f"meson-consumer ({label}): expected {expect!r} in meson's output"
    for cmd in (["ninja", "-C", str(build)], [str(build / "shapes")]):
        if run(cmd, src, log).returncode != 0:
            return f"meson-consumer ({label}): {' '.join(cmd)} failed"
    return None


def root_is_no_mount_point():
    with open("/proc/self/mountinfo") as f:
        return not any(line.split()[4] == "/" for line in f)


def copy_tree(src: Path, dst: Path):
    """The tracked files of the checkout (symlinks kept), as a clean clone has them."""
    files = subprocess.run(["git", "-C", str(src), "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        s, d = src / rel, dst / rel
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_symlink():
            os.symlink(os.readlink(s), d)
        elif s.is_file():
            shutil.copy2(s, d)


OVERLAID = ("/usr/local", "/etc")


def overlay(work: Path):
    """/usr/local and /etc as overlays on a tmpfs. Each target is first bound
    onto itself and made private, so that nothing mounted on it propagates out
    of this namespace even where the parent's mounts are shared (a chroot,
    where "/" itself cannot be made private)."""
    ovl = work / "overlay"
    ovl.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(ovl)], check=True)
    subprocess.run(["mount", "--make-private", str(ovl)], check=True)
    for target in OVERLAID:
        name = target.strip("/").replace("/", "-")
        upper, wd = ovl / name / "upper", ovl / name / "work"
        upper.mkdir(parents=True)
        wd.mkdir(parents=True)
        subprocess.run(["mount", "--bind", target, target], check=True)
        subprocess.run(["mount", "--make-private", target], check=True)
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir={target},upperdir={upper},workdir={wd}", target], check=True)


def unmount(work: Path):
    for target in OVERLAID:
        for _ in range(2):  # the overlay, then the private bind under it
            subprocess.run(["umount", target], stderr=subprocess.DEVNULL)
    subprocess.run(["umount", str(work / "overlay")], stderr=subprocess.DEVNULL)


def sandboxed(src: Path, work: Path, runnable):
    """Inside the private mount namespace: overlays, then every block in order."""
    overlay(work)
    try:
        return run_blocks(src, work, runnable)
    finally:
        unmount(work)


def run_blocks(src: Path, work: Path, runnable):
    tree = work / "src"
    shutil.rmtree(tree, ignore_errors=True)
    copy_tree(src, tree)
    failures = []
    with open(work / "commands.log", "w") as log:
        f = consumer(tree, work, "subproject", log, r"calcgen\| Project name: calcgen|Executing subproject calcgen")
        if f:
            failures.append(f)
        for b in runnable:
            print(f"== {b} ({b.what})", flush=True)
            p = run(["bash", "-euo", "pipefail", "-c", b.text], tree, log, shell_text=b.text.strip())
            if p.returncode != 0:
                failures.append(f"{b}: exit status {p.returncode} ({b.what})")
                break
        else:
            f = consumer(tree, work, "installed", log, r"Run-time dependency calcgen found: YES")
            if f:
                failures.append(f)
            # the install was configured with -Dtests=false: no test may have been built
            p = run(["meson", "test", "-C", "build-install", "--list"], tree, log)
            listed = [l for l in p.stdout.splitlines() if re.match(r"^[\w.-]+:[\w+.-]+ / ", l)]
            if listed or (p.returncode != 0 and "No tests defined" not in p.stdout):
                failures.append(f"-Dtests=false: build-install still defines tests: {listed}")
    return failures


def main():
    src, work = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    all_blocks = list(blocks(src))
    problems = check_markers(all_blocks) + check_meson_copies(src, all_blocks)
    runnable = [b for b in all_blocks if b.lang in SHELL and b.marker == "test"]
    print(f"{len(all_blocks)} fenced blocks; {len(runnable)} shell blocks to run; "
          f"{sum(1 for b in all_blocks if b.marker == 'not run')} shown but not run")
    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        return 1
    if "--inside" not in sys.argv:
        if os.geteuid() != 0 or not shutil.which("unshare"):
            print("skipped: needs root and unshare (a private mount namespace for the /usr/local install)")
            return SKIP
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        # In a chroot (fresh-debian.sh) "/" is no mount point, so unshare cannot
        # make it private; overlay() makes each target private itself.
        propagation = "unchanged" if root_is_no_mount_point() else "private"
        return subprocess.run(["unshare", "--mount", "--propagation", propagation, sys.executable, __file__,
                               str(src), str(work), "--inside"]).returncode
    # Never overlay the machine's own /usr/local and /etc: only in a mount
    # namespace of its own, which unshare (the parent) made.
    if os.readlink("/proc/self/ns/mnt") == os.readlink(f"/proc/{os.getppid()}/ns/mnt"):
        print("refused: --inside outside a mount namespace of its own")
        return 1
    failures = sandboxed(src, work, runnable)
    for f in failures:
        print(f"FAIL: {f}")
    print(f"documented commands: {len(runnable)} blocks, {len(failures)} failed (log: {work / 'commands.log'})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
