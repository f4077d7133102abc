#!/usr/bin/env python3
"""Checks that each NuGet package is complete: README, MIT licence, tags, a description naming what it does, both target frameworks, XML docs, a symbols
package with portable PDBs, and SourceLink information in those PDBs. Exits non-zero with a reason otherwise."""
import glob
import os
import re
import sys
import zipfile

folder, ids = sys.argv[1], sys.argv[2:]
failures = []
# What a package's description must name (issue 9 §5), case-insensitively.
description_words = {
    "MtaSts": ("DANE", "planning", "checker"),
    "MtaSts.Testing": ("DANE", "planning", "checker"),
}
for package_id in ids:
    nupkgs = [p for p in glob.glob(os.path.join(folder, f"{package_id}.*.nupkg"))
              if re.fullmatch(re.escape(package_id) + r"\.\d[^/]*\.nupkg", os.path.basename(p))]
    if len(nupkgs) != 1:
        failures.append(f"{package_id}: expected one .nupkg, found {nupkgs}")
        continue
    nupkg = nupkgs[0]
    with zipfile.ZipFile(nupkg) as z:
        names = z.namelist()
        nuspec = z.read(next(n for n in names if n.endswith(".nuspec"))).decode("utf-8")
        for tfm in ("net8.0", "net10.0"):
            for ext in ("dll", "xml"):
                if f"lib/{tfm}/{package_id}.{ext}" not in names:
                    failures.append(f"{package_id}: lib/{tfm}/{package_id}.{ext} missing")
        if "README.md" not in names or "<readme>README.md</readme>" not in nuspec:
            failures.append(f"{package_id}: README.md not packed as the package readme")
        if '<license type="expression">MIT</license>' not in nuspec:
            failures.append(f"{package_id}: licence expression MIT missing")
        if "<repository" not in nuspec:
            failures.append(f"{package_id}: repository metadata (SourceLink) missing")
        if not re.search(r"<tags>\s*\S", nuspec):
            failures.append(f"{package_id}: no tags")
        description = re.search(r"<description>(.*?)</description>", nuspec, re.S)
        for word in description_words.get(package_id, ()):
            if not description or word.lower() not in description.group(1).lower():
                failures.append(f"{package_id}: the description does not mention {word}")
    snupkg = nupkg[:-len(".nupkg")] + ".snupkg"
    if not os.path.exists(snupkg):
        failures.append(f"{package_id}: symbols package {os.path.basename(snupkg)} missing")
    else:
        with zipfile.ZipFile(snupkg) as z:
            for tfm in ("net8.0", "net10.0"):
                pdb = f"lib/{tfm}/{package_id}.pdb"
                if pdb not in z.namelist():
                    failures.append(f"{package_id}: {pdb} missing from the symbols package")
                elif b"raw.githubusercontent.com" not in z.read(pdb):
                    failures.append(f"{package_id}: {pdb} carries no SourceLink information")
    print(f"{os.path.basename(nupkg)}: checked")

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print("packages complete")
