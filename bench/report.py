#!/usr/bin/python3
"""Turns cte_bench's JSON (Google Benchmark --benchmark_out) into the comparison table, the
ratios against the targets, and the data files bench/chart.gp plots.

Every number is the median of the repetitions of one run. The time is the benchmark thread's
CPU time (user + kernel) unless --real-time is given: on a shared or virtual machine, wall-clock
time also counts the moments the thread waited for a CPU, and these benchmarks never wait for
anything else (no sleeping, no I/O). Usage:
    report.py [--real-time] RESULTS.json OUT_DIR
"""

import json
import statistics
import sys
from pathlib import Path

NS_PER_UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# (label, benchmark) in table order; the label is also the chart's.
ROUND_TRIPS = [
    ("cte fast_switch", "roundtrip/cte_fast_switch"),
    ("cte fast_switch_call", "roundtrip/cte_fast_switch_call"),
    ("scheduler, 1 call site, fast_switch_call", "roundtrip/scheduler_one_site_fast_switch_call"),
    ("scheduler, 4 call sites, fast_switch_call", "roundtrip/scheduler_four_sites_fast_switch_call"),
    ("scheduler, 1 call site, fast_switch", "roundtrip/scheduler_one_site_fast_switch"),
    ("scheduler, 4 call sites, fast_switch", "roundtrip/scheduler_four_sites_fast_switch"),
    ("cte fast_switch, per-thread FP", "roundtrip/cte_fast_switch_per_thread_fp"),
    ("Boost jump_fcontext", "roundtrip/boost_jump_fcontext"),
    ("Boost fiber", "roundtrip/boost_fiber"),
    ("cte yield", "roundtrip/cte_yield"),
    ("glibc swapcontext", "roundtrip/glibc_swapcontext"),
]
TRAPS = [
    ("cte trap resume", "trap/cte_skip_instruction"),
    ("bare sigaction", "trap/bare_sigaction"),
    ("bare sigaction, cte's flags", "trap/bare_sigaction_onstack_nodefer"),
]
RING_SIZES = [2, 1000, 100000]
CREATION = [
    ("kcontext", "create/kcontext"),
    ("make_fast_context", "create/make_fast_context"),
]
# Targets whose two sides cte_bench also measures in alternating blocks (the "paired/"
# benchmarks): target -> that benchmark, whose "ratio" counter is the median per-block ratio.
PAIRED = {
    "fast_switch / jump_fcontext": "paired/fast_switch_vs_jump_fcontext",
    "scheduler 4 sites, fast_switch_call / jump_fcontext": "paired/behind_call_four_sites_vs_jump_fcontext",
    "fast_switch<per_thread> / jump_fcontext": "paired/per_thread_fp_vs_jump_fcontext",
    "yield / jump_fcontext": "paired/yield_vs_jump_fcontext",
    "cte trap / bare sigaction": "paired/trap_vs_bare_sigaction",
    "ring 100000 / ring 1000": "paired/ring_100000_vs_1000",
}
# (what, numerator, denominator, limit): numerator <= limit * denominator is the target.
TARGETS = [
    ("fast_switch / jump_fcontext", "roundtrip/cte_fast_switch", "roundtrip/boost_jump_fcontext", 0.2),
    ("scheduler 4 sites, fast_switch_call / jump_fcontext", "roundtrip/scheduler_four_sites_fast_switch_call",
     "roundtrip/boost_jump_fcontext", 0.5),
    ("fast_switch<per_thread> / jump_fcontext", "roundtrip/cte_fast_switch_per_thread_fp",
     "roundtrip/boost_jump_fcontext", 0.7),
    ("yield / jump_fcontext", "roundtrip/cte_yield", "roundtrip/boost_jump_fcontext", 2.0),
    ("cte trap / bare sigaction", "trap/cte_skip_instruction", "trap/bare_sigaction", 1.1),
    ("ring 100000 / ring 1000", "ring/100000", "ring/1000", 1.5),
]


def load(path, clock):
    """Median time (ns) and repetition count per benchmark, and the info counters."""
    with open(path) as f:
        data = json.load(f)
    times, counters, paired = {}, {}, {}
    for run in data["benchmarks"]:
        if run.get("error_occurred"):
            sys.exit(f"report: {run['name']} failed: {run.get('error_message')}")
        if run.get("run_type") != "iteration":
            continue  # aggregates are recomputed below from the repetitions themselves
        name = run["run_name"]
        if name.startswith("paired/"):
            paired.setdefault(name, []).append(run["ratio"])
            continue
        if name.startswith("info/"):
            counters[name.split("/iterations")[0]] = run  # not a timing
            continue
        times.setdefault(name, []).append(run[clock] * NS_PER_UNIT[run["time_unit"]])
    medians = {name: statistics.median(values) for name, values in times.items()}
    repetitions = {name: len(values) for name, values in times.items()}
    # Ring benchmarks: one iteration is one lap of N switches; report the time per switch.
    for name in list(medians):
        if name.startswith(("switch_ring", "boost_ring")):
            size = int(name.split("/")[1])
            key = name.replace("switch_ring", "ring")
            medians[key] = medians[name] / size
            repetitions[key] = repetitions[name]
    paired_ratios = {name: statistics.median(values) for name, values in paired.items()}
    return data.get("context", {}), medians, repetitions, counters, paired_ratios


def fmt(ns):
    return f"{ns:,.1f}" if ns < 1000 else f"{ns:,.0f}"


def main():
    args = sys.argv[1:]
    clock = "cpu_time"
    if args and args[0] == "--real-time":
        clock = "real_time"
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    context, medians, repetitions, counters, paired_ratios = load(args[0], clock)
    out = Path(args[1])
    out.mkdir(parents=True, exist_ok=True)

    fewest = min(repetitions.values(), default=0)
    print(f"cte_bench on {context.get('host_name', '?')}: {context.get('num_cpus', '?')} CPUs at "
          f"{context.get('mhz_per_cpu', '?')} MHz, {context.get('date', '')}")
    print(f"medians of {fewest} repetitions ({'CPU' if clock == 'cpu_time' else 'wall-clock'} time)" +
          ("" if fewest >= 5 else "  -- WARNING: targets need at least 5 repetitions"))

    def section(title, rows, unit="ns"):
        print(f"\n{title}")
        for label, name in rows:
            value = medians.get(name)
            print(f"  {label:<44} {fmt(value) if value is not None else 'missing':>12} {unit}")

    section("Round trip A -> B -> A", ROUND_TRIPS)
    section("Hardware trap resume (ud2 -> handler -> skip 2 bytes -> resume)", TRAPS)
    section("A ring of N threads, each writing its stack every visit (time per switch)",
            [(f"cte, {size:,} threads", f"ring/{size}") for size in RING_SIZES] +
            [(f"cte, {size:,} threads, shuffled order", f"ring_shuffled/{size}") for size in RING_SIZES
             if f"ring_shuffled/{size}" in medians] +
            [("cte, 100,000 threads, shuffled, fast_prefetch", "ring_shuffled_prefetch/100000")] +
            [(f"Boost jump_fcontext, {size:,} threads", f"boost_ring/{size}") for size in RING_SIZES] +
            [("Boost jump_fcontext, 100,000 threads, shuffled", "boost_ring_shuffled/100000")])
    section("Creation", CREATION)
    info = counters.get("info/memory_per_context", {})
    print("\nMemory per context")
    for key in ("FastContext", "fast_context_min_stack", "Context", "kcontext_min_stack"):
        value = info.get(key)
        print(f"  {key:<44} {int(value) if value is not None else 'missing':>12} bytes")

    print("\nTargets (ratio of medians; met when ratio <= target)")
    met = 0
    ratio_rows = []
    for what, numerator, denominator, limit in TARGETS:
        if numerator not in medians or denominator not in medians:
            print(f"  {what:<44} {'missing':>12}")
            continue
        ratio = medians[numerator] / medians[denominator]
        ok = ratio <= limit
        met += ok
        ratio_rows.append((what, ratio, limit))
        print(f"  {what:<44} {ratio:>12.2f}   target <= {limit:<4}  {'met' if ok else 'MISSED'}")
    print(f"\n{met} of {len(TARGETS)} targets met")
    plain, hinted = "ring_shuffled/100000", "ring_shuffled_prefetch/100000"
    if plain in medians and hinted in medians:
        print(f"  (shuffled ring of 100000 with fast_prefetch / without: {medians[hinted] / medians[plain]:.2f}, no target)")

    # The same two targets measured side by side in alternating blocks: immune to the host
    # changing its mood between two benchmarks' repetitions (docs/PERFORMANCE.md).
    if paired_ratios:
        print("Paired (median of per-block ratios, both sides within a millisecond; a cross-check)")
        for what, name in PAIRED.items():
            if name in paired_ratios:
                print(f"  {what:<44} {paired_ratios[name]:>12.2f}")
    # Data for bench/chart.gp: a label, a value and the text printed on the bar, one per line.
    def write(filename, rows):
        with open(out / filename, "w") as f:
            for label, value, text in rows:
                f.write(f'"{label}" {value:.6g} "{text}"\n')

    write("operations.dat", [(label, medians[name], fmt(medians[name]))
                             for label, name in ROUND_TRIPS + TRAPS if name in medians])
    write("ring.dat", [(label, medians[name], fmt(medians[name])) for label, name in
                       [(f"{size:,}", f"ring/{size}") for size in RING_SIZES] +
                       [("100,000 shuffled", "ring_shuffled/100000"), ("100,000 shuffled, prefetch",
                                                                       "ring_shuffled_prefetch/100000"),
                        ("Boost 100,000", "boost_ring/100000"), ("Boost 100,000 shuffled", "boost_ring_shuffled/100000")]
                       if name in medians])
    write("ratios.dat", [(what, ratio / limit, f"{ratio:.2f} (target {limit})") for what, ratio, limit in ratio_rows])


if __name__ == "__main__":
    main()
