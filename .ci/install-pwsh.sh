#!/usr/bin/env bash
# Installs PowerShell 7 as a .NET tool into <repo>/.tools/pwsh (git-ignored), for the PowerShell integration test.
# PowerShell 7.6 runs on .NET 10, which the SDK of this project's machines brings; 7.4 (.NET 8) is not served here.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

version=7.6.9
dir=.tools/pwsh

if [ -x "$dir/pwsh" ] && "$dir/pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$version"; then
  echo "install-pwsh: PowerShell $version already at $dir"
  exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
dotnet tool install PowerShell --version "$version" --tool-path "$dir"
"$dir/pwsh" -NoProfile -NonInteractive -Command '"install-pwsh: PowerShell $($PSVersionTable.PSVersion) on .NET $([Environment]::Version)"'
