"""python -m bench [--full] [--only engine,latency,memory,load,network] [--no-browser]: measure,
save.

`load` (20 closed-loop sessions on one server for 60 s, as `python -m bench.load`) and
`network` (drawing on the trained network's section, as `python -m bench.network`) run only
when named in --only; `python -m bench.load --help` has its other modes (replicas, think time,
profile). Benches run on their own: `python -m bench.classroom` (a class on one server, with a
bystander) and `python -m bench.first_load` (Lighthouse on Home and the inspector through
nginx, and thirty cold loads at once, with and without compression)."""

from __future__ import annotations

import argparse
import os
import sys

from . import common
from .common import log

PARTS = ("engine", "latency", "memory", "load", "network")
DEFAULT_PARTS = ("engine", "latency", "memory")


def main(argv: list[str] | None = None) -> int:
    # Long on purpose: one block per benchmark part, run and reported in the order listed.
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="more repetitions (about 3x longer), for steadier figures")
    parser.add_argument("--only", default=",".join(DEFAULT_PARTS),
                        help=f"comma-separated parts to run, of {', '.join(PARTS)} "
                             f"(default: {','.join(DEFAULT_PARTS)})")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the real-browser parts (end-to-end latency, memory)")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the tables in Markdown (for docs/performance.md)")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")

    results = {"machine": common.machine(), "full": args.full}
    reports = []
    tables = []  # (title, headers, rows) for --markdown
    if "engine" in parts:
        from . import engine

        results["engine"] = engine.run(full=args.full)
        reports.append(engine.report(results["engine"]))
        tables += [("Engine", *engine.engine_rows(results["engine"])),
                   ("Other borders", *engine.border_rows(results["engine"]))]
    if "latency" in parts:
        from . import latency

        results["latency"] = latency.run(full=args.full, browser=not args.no_browser)
        reports.append(latency.report(results["latency"]))
        tables.append(("Latency", *latency.rows(results["latency"])))
    if "memory" in parts and not args.no_browser:
        from . import memory

        results["memory"] = memory.run(full=args.full)
        reports.append(memory.report(results["memory"]))
        tables.append(("Memory", *memory.rows(results["memory"])))

    if "network" in parts and not args.no_browser:
        from . import network

        results["network"] = network.run()
        reports.append(network.report(results["network"]))
        tables.append(("Trained network", *network.rows(results["network"])))

    if "load" in parts:
        from . import load

        log("load: 20 WebSocket sessions, closed loop, one server, 60 s")
        with load.serve() as target:
            outcome = load.run_load(target, sessions=20, seconds=60)
        results["load"] = outcome.summary()
        reports.append(outcome.text())
        tables.append(("Capacity", *load.rows(results["load"])))

    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    path = common.save(results, "bench")
    described = results["machine"]
    print()
    print(f"Machine: {described['cpu']}, {described['cores']} cores, "
          f"{described['memory_gb']} GB; OpenCV {described['opencv']} "
          f"({described['opencv_threads']} threads), NumPy {described['numpy']}, "
          f"Streamlit {described['streamlit']}; load average at start "
          f"{described['load_average_at_start']}, at end {results['load_average_at_end']}")
    if max(described["load_average_at_start"][0], results["load_average_at_end"][0]) > (
            described["cores"] or 1):
        print("WARNING: the machine was busy with other work (load above its core count): "
              "timings are noisy; the control row shows how much.")
    for text in reports:
        print()
        print(text)
    if args.markdown:
        for title, headers, rows in tables:
            print()
            print(f"{title} (Markdown)")
            print(common.markdown_table(headers, rows))
    print()
    print(f"saved {path.relative_to(common.REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
