#!/usr/bin/env python3
"""Brings a project's PublicAPI.Unshipped.txt in line with its code (RS0016 adds, RS0017 removes).

Usage (from the repository root):  python3 .ci/publicapi.py src/MtaSts/MtaSts.csproj [more.csproj ...]

`dotnet format --diagnostics RS0016` does not apply the fix in this repository, so this builds the project with a SARIF
error log and takes the exact API lines the analyzer reports (`APIName` for additions, the RS0017 symbol for removals).
Review the diff: it is the public API change.
"""
import json
import os
import subprocess
import sys
import tempfile


def sync(project):
    folder = os.path.dirname(project)
    unshipped = os.path.join(folder, "PublicAPI.Unshipped.txt")
    shipped = os.path.join(folder, "PublicAPI.Shipped.txt")
    with tempfile.TemporaryDirectory() as scratch:
        log = os.path.join(scratch, "api.sarif")
        subprocess.run(["dotnet", "build", project, "-p:ErrorLog=" + log, "-p:TreatWarningsAsErrors=false", "-nologo", "-v:q"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if not os.path.exists(log):
            sys.exit(f"{project}: no SARIF log was written (does it build at all?)")
        with open(log, encoding="utf-8") as handle:
            results = json.load(handle)["runs"][0]["results"]
    add, remove = set(), set()
    for result in results:
        props = result.get("properties", {}).get("customProperties", {})
        if result["ruleId"] == "RS0016" and props.get("APIName"):
            add.add(props["APIName"])
            for sibling in filter(None, props.get("ApiNamesOfSiblingsToRemove", "").split(";")):
                remove.add(sibling)
        elif result["ruleId"] == "RS0017":
            message = result["message"]
            start, end = message.find("'"), message.rfind("'")
            if 0 <= start < end:
                remove.add(message[start + 1:end])
    with open(unshipped, encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in handle]
    header = [line for line in lines if line.startswith("#")]
    body = {line for line in lines if line and not line.startswith("#")}
    with open(shipped, encoding="utf-8") as handle:
        shipped_lines = {line.rstrip("\n") for line in handle}
    body = (body - remove) | {line for line in add if line not in shipped_lines}
    with open(unshipped, "w", encoding="utf-8") as handle:
        handle.write("\n".join(header + sorted(body)) + "\n")
    print(f"{unshipped}: +{len(add)} -{len(remove)}")


for path in sys.argv[1:] or ["src/MtaSts/MtaSts.csproj"]:
    sync(path)
