"""The example page (examples/web) in headless Chromium, against the native library.

Serves the page with examples/web/serve.mjs, then, once with the SIMD module
and once with ?module=scalar, has Chromium load it with the calls
js_vs_native.py draws (?cases=) and the C test suites built for wasm
(?tests=, the first run only), and checks: the page's own checks and every
suite pass, every replayed result is identical to the native library's, and
a screenshot shows the green PASS banner above the tables.

usage: check_page.py PROTO -I DIR --bindings DIR --native LIB --root SRC --build BUILD
                     [--test NAME=PATH_IN_BUILD]...
"""

import argparse
import html
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from js_vs_native import draw_all, draw_arguments

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--hide-scrollbars", "--virtual-time-budget=120000", "--window-size=1000,900"]


def chromium(profile, *args):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise SystemExit("chromium is not installed: run scripts/setup-deps.sh")
    p = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                       capture_output=True, text=True, timeout=300)
    return p.stdout


def png_pixels(data):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, width = 8, b"", 0
    while at < len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + n]
        at += 12 + n
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and not interlace, (depth, color, interlace)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def main():
    p = argparse.ArgumentParser()
    draw_arguments(p)
    p.add_argument("--root", required=True)
    p.add_argument("--build", required=True)
    p.add_argument("--test", action="append", default=[])
    p.add_argument("--count", type=int, default=100)
    args = p.parse_args()
    root, build = Path(args.root).resolve(), Path(args.build).resolve()
    cases, expected = draw_all(args.protos, args.includes, args.bindings, args.native, 20261130, args.count)
    tests = [{"name": t.split("=")[0], "url": "/b/" + t.split("=")[1]} for t in args.test]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "cases.json").write_text(json.dumps(cases))
        (tmp / "tests.json").write_text(json.dumps(tests))
        server = subprocess.Popen(["node", str(root / "examples/web/serve.mjs"), str(build),
                                   "--mount", f"/t/={root / 'tests/wasm'}", "--mount", f"/b/={build}",
                                   "--mount", f"/c/={tmp}"], stdout=subprocess.PIPE, text=True)
        try:
            url = server.stdout.readline().strip()
            for variant, query in (("simd128", "?hold=simd&cases=/c/cases.json&tests=/c/tests.json"),
                                   ("scalar", "?hold=scalar&cases=/c/cases.json&module=scalar")):
                dom = chromium(tmp / f"profile-{variant}", "--dump-dom", url + query)
                title = re.search(r"<title>(.*?)</title>", dom)
                module = re.search(r'<p id="module">(.*?)</p>', dom)
                print(f"{variant}: title {title.group(1) if title else None!r}, {module.group(1) if module else '?'}")
                if not title or title.group(1) != "calcgen: PASS":
                    failures += 1
                    err = re.search(r'<pre id="error">(.*?)</pre>', dom, re.S)
                    print(f"FAIL the page did not pass: {html.unescape(err.group(1)) if err else dom[-2000:]}")
                if variant not in (module.group(1) if module else ""):
                    failures += 1
                    print(f"FAIL the page did not run the {variant} kernels")
                replayed = re.search(r'<pre id="replay">(.*?)</pre>', dom, re.S)
                got = json.loads(html.unescape(replayed.group(1))) if replayed else []
                bad = sum(e != g for e, g in zip(expected, got)) + abs(len(got) - len(expected))
                print(f"{variant}: {len(got)} calls replayed in the page, {len(got) - bad} identical to native")
                failures += bad > 0
                for row in re.findall(r"<tr><td>([^<]*)</td><td>(-?\d+)</td><td>([^<]*)</td></tr>", dom):
                    if row[0] in {t["name"] for t in tests}:
                        print(f"{variant}: suite {row[0]}: exit {row[1]}: {html.unescape(row[2])}")
                        failures += row[1] != "0"
                if variant == "simd128":
                    ran = len([r for r in re.findall(r"<tr><td>([^<]*)</td><td>(-?\d+)</td>", dom)
                               if r[0] in {t["name"] for t in tests}])
                    if ran != len(tests):
                        failures += 1
                        print(f"FAIL the page ran {ran} of {len(tests)} suites")
            shot = tmp / "page.png"
            chromium(tmp / "profile-shot", f"--screenshot={shot}", url + "?hold=shot&tests=/c/tests.json")
            width, height, rows = png_pixels(shot.read_bytes())
            banner = rows[60][500]
            greenish = banner[1] > 100 and banner[0] < 80 and banner[2] < 100
            inked = sum(1 for y in range(140, height, 7) for px in rows[y][::7] if max(px) < 128)
            print(f"screenshot {width}x{height}: banner pixel {banner}, {inked} dark samples below it")
            if not greenish or inked < 200:
                failures += 1
                print("FAIL the screenshot does not show the green PASS banner over the results")
                (Path(args.build) / "page-failed.png").write_bytes(shot.read_bytes())
        finally:
            server.terminate()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
