"""Benchmark: interactive maps in headless Chromium, from page load to interactive.

For each case the map is built in Python (timed), written, and opened ``--repeat`` times
in a fresh browser page; "interactive" is the map's first drawing done (``cgMap.readyAt``,
milliseconds since navigation start: parsing the page, vis-network's data sets, the
network and its first frame). Prints the median and the spread with the HTML size, and
the ratio to the goal of 2 s for the sample. For the expandable maps (``*-expand``: start
at street level, unfold on double-click), "unfold s" is the median time from unfolding the
street that holds most until the map has drawn it. For maps whose ties have dates, "step
ms" is the median time from moving the time slider one of 24 steps until the map has drawn
the network of that day and its canvas holds the picture (one pixel is read back, which
makes Chromium rasterise what it would otherwise queue for the next paint; goal: under 100
ms at city scale, ``city-full``).

    python3 bench/maps.py [--repeat 3] [--cases sample-full sample-expand city-expand]

Needs Debian's Chromium (see ``tests/_chromium.py``) and Playwright's Python package.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

# the checkout this script is in, not an installed copy; and the tests' Chromium
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import cobuild_graph as cg
from cobuild_graph.maps import network_map
from tests._chromium import launch

GOAL_SECONDS = 2.0
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "suzhou"
EXPAND = {"aggregate": "Street", "expandable": True}
#: name: (dataset, network_map keyword arguments)
CASES = {
    "sample-full": ("sample", {}),
    "sample-street": ("sample", {"aggregate": "Street"}),
    "sample-expand": ("sample", EXPAND),
    "city-full": ("city", {}),
    "city-community": ("city", {"aggregate": "Community"}),
    "city-street": ("city", {"aggregate": "Street"}),
    "city-expand": ("city", EXPAND),
}


def graph(name: str):
    """The Suzhou sample, or a generated scale with seed 1."""
    return cg.read_dataset(SAMPLE) if name == "sample" else cg.generate(name, seed=1)


#: Unfold the street that holds most; resolves with milliseconds until it is drawn.
UNFOLD = """() => new Promise((done) => {
  const map = window.cgMap;
  const streets = map.nodes.get({ filter: (n) => n.cg_label === "Street" && n.cg_open });
  const biggest = streets.reduce((a, b) => (a.size >= b.size ? a : b));
  const started = performance.now();
  map.network.once("afterDrawing", () => done(performance.now() - started));
  map.toggle(biggest.id);
})"""


#: Move the time slider in 24 steps over the dates of the ties; resolves with the median
#: milliseconds from each step until the map's canvas holds that day's picture (null for a
#: map without dates).
TIME_STEPS = """() => new Promise((done) => {
  const map = window.cgMap;
  const range = document.getElementById("cg-time");
  if (document.getElementById("cg-time-section").hidden) { done(null); return; }
  const first = Number(range.min), last = Number(range.max), steps = 24, times = [];
  const step = (k) => {
    if (k > steps) {
      times.sort((a, b) => a - b);
      done(times[Math.floor(times.length / 2)]);
      return;
    }
    const started = performance.now();
    map.network.once("afterDrawing", (ctx) => {
      ctx.getImageData(0, 0, 1, 1);  // drawn means rasterised, not queued for the next paint
      times.push(performance.now() - started);
      setTimeout(() => step(k + 1), 0);
    });
    map.setDay(Math.round(first + (last - first) * k / steps));
  };
  step(0);
})"""


def open_times(browser, path: Path, repeat: int, unfold: bool) -> list[dict[str, float]]:
    """Open `path` `repeat` times; each time, when the map was interactive and its parts
    (and, when `unfold`, how long unfolding the biggest street took)."""
    runs = []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        outside: list[str] = []  # watched, not routed: routing itself slows the load
        page.on("request", lambda r, seen=outside: r.url.startswith("file:") or seen.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_function("() => window.cgMap && window.cgMap.ready", timeout=120_000)
        marks = page.evaluate("() => window.cgMap.marks")
        if unfold:
            marks["unfold"] = page.evaluate(UNFOLD)
        marks["step"] = page.evaluate(TIME_STEPS)
        if outside:
            raise RuntimeError(f"the map requested {outside}")
        runs.append(marks)
        page.close()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="cobuild-maps-"))
    graphs = {}
    header = (
        f"{'case':<16}{'nodes':>8}{'links':>8}{'build s':>9}{'HTML MB':>9}"
        f"{'ready s':>9}{'(min-max)':>14}{'network s':>11}{'step ms':>9}{'unfold s':>10}"
    )
    print(header)
    with sync_playwright() as p:
        browser = launch(p)
        for case in args.cases:
            data, options = CASES[case]
            G = graphs.setdefault(data, graph(data))
            started = time.perf_counter()
            net = network_map(G, out / f"{case}.html", layout_seed=1, **options)
            build = time.perf_counter() - started
            size = (out / f"{case}.html").stat().st_size / 1e6
            unfold = bool(options.get("expandable"))
            runs = open_times(browser, out / f"{case}.html", args.repeat, unfold)
            ready = [r["drawn"] / 1000 for r in runs]
            network = [(r["network"] - r["datasets"]) / 1000 for r in runs]
            unfolded = [r["unfold"] / 1000 for r in runs if "unfold" in r]
            steps = [r["step"] for r in runs if r["step"] is not None]
            step = f"{statistics.median(steps):>9.0f}" if steps else f"{'-':>9}"
            print(
                f"{case:<16}{len(net.nodes):>8,}{len(net.edges):>8,}{build:>9.2f}{size:>9.2f}"
                f"{statistics.median(ready):>9.2f}"
                f"{f'({min(ready):.2f}-{max(ready):.2f})':>14}"
                f"{statistics.median(network):>11.2f}{step}"
                + (f"{statistics.median(unfolded):>10.2f}" if unfolded else "")
            )
            if case == "sample-full":
                print(
                    f"  goal: sample interactive in {GOAL_SECONDS} s: ratio "
                    f"{statistics.median(ready) / GOAL_SECONDS:.2f}"
                )
        browser.close()
    print(f"pages in {out}")


if __name__ == "__main__":
    main()
