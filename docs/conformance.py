#!/usr/bin/env python3
"""Regenerates docs/conformance.md: each checklist id -> the tests that pin it, or why none does yet.

Usage (from the repository root, with the shared spec beside it):
    python3 docs/conformance.py ../shared/spec/rfc-checklist.md > docs/conformance.md

A test pins an id when its method name starts with the id (`STS-3.1-g` -> `STS_3_1_g_...`), or when a
`// Also: STS-3.2-j, A-4` comment inside it names the id. Reasons for uncovered ids live in NOTES below.
"""
import os
import re
import sys
from collections import defaultdict

NOTES = {
    # Definitions and publisher-side facts: nothing for a sender to do.
    "STS-2-b": "definition (MTA-STS relies on Web PKI); no sender behaviour",
    "STS-3.3-b": "expectation about the CA set; the platform's roots are used (pinned indirectly by STS-3.3-a tests)",
    "STS-3.3-e": "revocation is a MAY; not checked by design (docs/decisions/0004)",
    "STS-3.3-i": "optional rate limiting; the single flight, TXT recheck window and back-off bound fetches",
    "STS-4.2-c": "revocation is a MAY; not checked (docs/decisions/0004)",
    "STS-7.1-a": "SNI on SMTP is the MTA's TLS stack; the planner supplies the name (see DANE-8.1-a / A-14 tests)",
    "STS-7.1-c": "SNI on SMTP is the MTA's TLS stack; the planner supplies the MX host as SNI without DANE (A-14 tests)",
    "STS-7.1-d": "publisher/server requirement; the sender judges a fallback certificate like any other (STS-4.2 tests)",
    "STS-8.1-a": "operational note; ids are compared for equality only (STS-3.1-d tests), no loop on stale bodies",
    "STS-8.2-b": "same rule as STS-3.3-h",
    "STS-10.2-a": "advice to publishers",
    "STS-10.4": "definition; undetectable by the sender",
    "STS-10.5": "revocation is a deployment choice (docs/decisions/0004)",
    "STS-B-b": "connection failures are the MTA's; the planner's decisions do not treat them as MTA-STS failures",
    "STS-B-c": "testing mode lets the connection go ahead (STS-5-b tests)",
    "STS-3.4-a": "the caller passes the smart host's domain (README, decision A-12); the resolver resolves exactly the domain given (STS-3.4-c)",
    "DANE-2.2.1-c": "definition (no preference among equal MX)",
    "DANE-2.1.3-d": "DNAME needs no special handling: the synthesised CNAME is followed like any CNAME",
    "DANE-3.1-a": "advice to publishers",
    "DANE-3.1.2-e": "advice to publishers",
    "DANE-3.1.3-a": "advice to publishers",
    "DANE-8.1-b": "server requirement",
    "DANE-8.2-a": "cipher suites are the TLS stack's (TLS 1.2+ defaults)",
    "DANE-10-a": "summary of other rules, each pinned under its own id",
    "DANE-2.1.1-c": "insecurity is read from the AD bit alone, so an RRset under no trust anchor and one under an insecure delegation cannot be told apart and are handled alike (the unsigned-zone tests of DANE-2.2-d)",
    "DANE-5-a": "implemented by the digest agility of DANE-5-b (SHA-512 preferred over SHA-256); see the DANE_5_b tests",
}
PENDING_PREFIXES = {
    "RPT-": "no test named after it yet; TLS-RPT recording, building and delivery are built (tests named after decisions R-1 … R-17 in tests/*/Reporting and Probing)",
}

ID_RE = re.compile(r"\*\*((?:STS|DANE|PREC|RPT)-[0-9A-Za-z.\-]+)\*\*")
METHOD_RE = re.compile(r"\b(?:public|internal|private)\s+(?:static\s+)?(?:async\s+)?(?:Task|void|ValueTask)\s+(\w+)\s*\(")
ALSO_RE = re.compile(r"//\s*Also:\s*(.*)")
ALSO_ID_RE = re.compile(r"(?:STS|DANE|PREC|RPT)-[0-9A-Za-z.\-]*[0-9A-Za-z]|A-\d+")


def checklist_ids(path):
    ids, section = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            for m in ID_RE.finditer(line):
                if m.group(1) not in ids:
                    ids.append(m.group(1))
    return ids + [f"A-{n}" for n in range(1, 25)]


def prefix(identifier):
    return re.sub(r"[-.]", "_", identifier) + "_"


def test_methods(root):
    methods = []  # (file, method, also-ids)
    for dirpath, _, files in os.walk(root):
        if "/bin" in dirpath or "/obj" in dirpath:
            continue
        for name in files:
            if not name.endswith(".cs"):
                continue
            path = os.path.join(dirpath, name)
            current = None
            with open(path, encoding="utf-8") as f:
                for line in f:
                    m = METHOD_RE.search(line)
                    if m:
                        current = [os.path.relpath(path), m.group(1), set()]
                        methods.append(current)
                    a = ALSO_RE.search(line)
                    if a and current is not None:
                        current[2].update(x.rstrip(".") for x in ALSO_ID_RE.findall(a.group(1)))
    return methods


def main():
    ids = checklist_ids(sys.argv[1])
    methods = test_methods("tests")
    pinned = defaultdict(list)
    for path, method, also in methods:
        for identifier in ids:
            if method.startswith(prefix(identifier)) or identifier in also:
                pinned[identifier].append(f"`{method}` ({path.split('/')[1]})")
    print("# Conformance: checklist id → tests\n")
    print("Generated by `python3 docs/conformance.py ../shared/spec/rfc-checklist.md > docs/conformance.md`.")
    print("Ids come from `shared/spec/rfc-checklist.md` (RFC 8461, 7672/7671, 8460) and `decisions.md` (A-1 … A-24, defined in [decisions/a-mta-sts-and-dane.md](decisions/a-mta-sts-and-dane.md)).")
    print("A test pins an id when its name starts with it, or when an `// Also:` comment in it names it.\n")
    covered = sum(1 for i in ids if pinned[i])
    print(f"{covered} of {len(ids)} ids are pinned by at least one test.\n")
    print("| Id | Tests, or why none |")
    print("|---|---|")
    for identifier in ids:
        if pinned[identifier]:
            shown = sorted(set(pinned[identifier]))
            more = f" … and {len(shown) - 6} more" if len(shown) > 6 else ""
            print(f"| {identifier} | {', '.join(shown[:6])}{more} |")
        else:
            note = NOTES.get(identifier) or next((v for k, v in PENDING_PREFIXES.items() if identifier.startswith(k)), None)
            print(f"| {identifier} | **not pinned**: {note or 'no test yet'} |")


if __name__ == "__main__":
    main()
