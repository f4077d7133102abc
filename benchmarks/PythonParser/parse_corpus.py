#!/usr/bin/python3
"""Times postfix-mta-sts-resolver's policy parser on the corpus of PolicyParserBenchmarks.ParseCorpus.

Run with Debian's python3 (the package installs into its dist-packages):
    /usr/bin/python3 benchmarks/PythonParser/parse_corpus.py
Prints the best of five rounds in nanoseconds per policy and policies per second, for the side-by-side figure in
benchmarks/README.md. The corpus is built the same way as BuildCorpus in PolicyParserBenchmarks.cs.
"""
import timeit

from postfix_mta_sts_resolver.utils import parse_mta_sts_policy


def build_corpus():
    corpus = []
    for i in range(12):
        newline = "\n" if i % 2 == 0 else "\r\n"
        mode = ("enforce", "testing", "none")[i % 3]
        lines = ["version: STSv1", f"mode: {mode}"]
        for mx in range((i % 6) + 1):
            lines.append(f"mx: mx{mx}.mail{i}.example.com" if mx % 2 == 0 else f"mx: *.relay{mx}.example.net")
        lines.append(f"max_age: {86400 * (i + 1)}")
        corpus.append(newline.join(lines) + newline)
    return corpus


def main():
    corpus = build_corpus()
    assert all(parse_mta_sts_policy(p)["version"] == "STSv1" for p in corpus)

    def run():
        for policy in corpus:
            parse_mta_sts_policy(policy)

    loops = 20_000
    best = min(timeit.repeat(run, number=loops, repeat=5))
    per_policy = best / (loops * len(corpus))
    print(f"postfix-mta-sts-resolver parse_mta_sts_policy: {per_policy * 1e9:.1f} ns per policy, "
          f"{1 / per_policy / 1e6:.2f} M policies/s (best of 5 rounds of {loops} x {len(corpus)})")


if __name__ == "__main__":
    main()
