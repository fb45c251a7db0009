#!/usr/bin/env python
"""Lemmatizer speed benchmark: words per second of search.analysis.lemmatize on real Ukrainian laws.

Run on demand (this is not a test), from the repository root:

    .venv/bin/python benchmarks/lemmatizer_speed.py                 # ~20-60 s
    .venv/bin/python benchmarks/lemmatizer_speed.py --repeat 5 --laws-dir /path/to/laws

It reads every ``*.txt`` of the laws folder (default: ``shared/data/laws`` beside the repository, the 104
Ukrainian education laws) and measures, in one process:

1. the baseline, ``str.lower().split()`` over the same texts;
2. ``tokenize()`` alone;
3. ``lemmatize()`` cold: the word caches emptied before every pass (the analyser stays loaded; its load
   time is reported on its own);
4. ``lemmatize()`` warm: the caches filled by the previous pass, as in a long-running worker;
5. for reference, pymorphy3 ``parse()`` called for every token without any cache (on a sample).

Rates are words per second, where a word is a whitespace-separated piece of the raw text, the same count for
every row, so the rows compare directly. Each figure is the best of ``--repeat`` passes (the median is printed
beside it). Memory is the process's resident set (VmRSS from /proc/self/status, Linux) before and after
creating the ``MorphAnalyzer`` and after the passes, with the peak (VmHWM).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from search import analysis  # noqa: E402

DEFAULT_LAWS_DIR = REPO.parent / "shared" / "data" / "laws"
RAW_PARSE_SAMPLE = 100_000  # tokens for the uncached pymorphy3 row


def proc_status_kib(field: str) -> int | None:
    """A ``kB`` field of /proc/self/status (VmRSS, VmHWM), or None where there is no /proc."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_mib() -> float:
    kib = proc_status_kib("VmRSS")
    if kib is None:  # not Linux: the peak is the best we have
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kib = peak // 1024 if sys.platform == "darwin" else peak
    return kib / 1024


def timed_passes(fn: Callable[[], object], repeat: int, before: Callable[[], None] | None = None) -> list[float]:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def dawg_reader() -> str:
    """The DAWG reader pymorphy3 uses: the compiled dawg2 when installed, else the pure-Python DAWG2-Python."""
    from pymorphy3 import dawg

    from benchmarks.common import package_version

    if dawg.DAWG.__module__.startswith("dawg_python"):
        return f"DAWG2-Python {package_version('DAWG2-Python')} (pure Python)"
    return f"dawg2 {package_version('dawg2')} (compiled)"


def main() -> int:
    from benchmarks.common import package_version

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--laws-dir", type=Path, default=Path(os.environ.get("LAWS_DIR", DEFAULT_LAWS_DIR)))
    parser.add_argument("--repeat", type=int, default=5, help="passes per row (best and median are shown)")
    args = parser.parse_args()

    files = sorted(args.laws_dir.glob("*.txt"))
    if not files:
        print(f"No *.txt files in {args.laws_dir}", file=sys.stderr)
        return 2
    texts = [f.read_text(encoding="utf-8") for f in files]
    n_bytes = sum(f.stat().st_size for f in files)
    n_words = sum(len(t.split()) for t in texts)

    rss_start = rss_mib()
    load_start = time.perf_counter()
    analyzer = analysis.get_analyzer()
    load_seconds = time.perf_counter() - load_start
    rss_analyzer = rss_mib()

    def run_split() -> None:
        for t in texts:
            t.lower().split()

    def run_tokenize() -> None:
        for t in texts:
            analysis.tokenize(t)

    def run_lemmatize() -> None:
        for t in texts:
            analysis.lemmatize(t)

    rows: list[tuple[str, list[float], int]] = []
    rows.append(("baseline: str.lower().split()", timed_passes(run_split, args.repeat), n_words))
    rows.append(("tokenize()", timed_passes(run_tokenize, args.repeat), n_words))
    rows.append(
        ("lemmatize(), cold (caches emptied)", timed_passes(run_lemmatize, args.repeat, analysis.cache_clear), n_words)
    )
    rss_cold = rss_mib()
    caches_after_cold = {
        "runs": analysis._split_run.cache_info().currsize,
        "run lemmas": analysis._run_lemmas.cache_info().currsize,
        "tokens": analysis._token_lemmas.cache_info().currsize,
        "words": analysis._analyse_word.cache_info().currsize,
    }
    rows.append(("lemmatize(), warm", timed_passes(run_lemmatize, args.repeat), n_words))
    rss_warm = rss_mib()

    # pymorphy3 without any cache, on the first RAW_PARSE_SAMPLE tokens: what a naive per-token call costs.
    sample: list[str] = []
    for t in texts:
        sample.extend(tok for tok in analysis.tokenize(t) if tok.isalpha())
        if len(sample) >= RAW_PARSE_SAMPLE:
            break
    sample = sample[:RAW_PARSE_SAMPLE]
    sample_words = round(len(sample) * n_words / max(1, sum(len(analysis.tokenize(t)) for t in texts)))

    def run_raw() -> None:
        lemmas = []
        for tok in sample:
            lemmas.append(analyzer.parse(tok)[0].normal_form)

    rows.append(
        (f"pymorphy3 parse() per token, no cache ({len(sample):,} tokens)", timed_passes(run_raw, 1), sample_words)
    )

    tokens = [tok for t in texts for tok in analysis.tokenize(t)]
    lemmas = analysis.lemmatize(" ".join(texts)).split()

    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"Ukrainian lemmatizer benchmark ({python}, {os.cpu_count()} cores)")
    print(
        f"pymorphy3 {package_version('pymorphy3')}, pymorphy3-dicts-uk {package_version('pymorphy3-dicts-uk')}, "
        f"dictionary read by {dawg_reader()}"
    )
    print(
        f"Corpus: {len(files)} files in {args.laws_dir}, {n_bytes / 1e6:.1f} MB, {n_words:,} words "
        f"(whitespace), {len(tokens):,} tokens, {len(set(tokens)):,} distinct, {len(lemmas):,} terms emitted "
        f"(stop words removed), {len(set(lemmas)):,} distinct lemmas"
    )
    print(f"Each row: best of {args.repeat} passes (median beside it); the uncached pymorphy3 row: one pass.")
    print()
    baseline_rate = n_words / min(rows[0][1])
    header = f"{'step':<58} {'best s':>8} {'median s':>9} {'words/s':>12} {'split is x faster':>18}"
    print(header)
    print("-" * len(header))
    for label, times, words in rows:
        rate = words / min(times)
        ratio = baseline_rate / rate
        print(f"{label:<58} {min(times):>8.3f} {statistics.median(times):>9.3f} {rate:>12,.0f} {ratio:>17.1f}x")
    print()
    print("Memory (VmRSS)")
    print(f"  {'texts loaded, before MorphAnalyzer':<44} {rss_start:>8.1f} MiB")
    print(
        f"  {'after MorphAnalyzer(lang="uk")':<44} {rss_analyzer:>8.1f} MiB   "
        f"(+{rss_analyzer - rss_start:.1f} MiB, load {load_seconds:.2f} s)"
    )
    cold_growth = rss_cold - rss_analyzer
    print(f"  {'after the cold passes (caches filled)':<44} {rss_cold:>8.1f} MiB   (+{cold_growth:.1f} MiB)")
    print(f"  {'after the warm passes':<44} {rss_warm:>8.1f} MiB")
    hwm = proc_status_kib("VmHWM")
    if hwm is not None:
        print(f"  {'peak (VmHWM)':<44} {hwm / 1024:>8.1f} MiB")
    bounds = " / ".join(
        f"{cached.cache_info().maxsize:,}"
        for cached in (analysis._split_run, analysis._run_lemmas, analysis._token_lemmas, analysis._analyse_word)
    )
    print(
        f"Cache entries after a cold pass: {caches_after_cold['runs']:,} runs, {caches_after_cold['run lemmas']:,} "
        f"runs' lemmas, {caches_after_cold['tokens']:,} tokens, {caches_after_cold['words']:,} analysed words "
        f"(bounds {bounds})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
