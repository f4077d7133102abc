#!/usr/bin/env bash
# What a new user does with the packages (issue 9 §5): install the `mta-sts` tool from a folder feed and run it, and
# create a fresh console project that adds MtaSts and MtaSts.Testing from that feed, resolves and plans in a loopback
# world, and exits 0. Usage: .ci/package-smoke.sh <folder with the .nupkg files>
set -euo pipefail
feed=$(cd "${1:?usage: package-smoke.sh <package folder>}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(ls "$feed"/MtaSts.[0-9]*.nupkg | head -1 | sed -E 's/.*MtaSts\.([0-9][^/]*)\.nupkg/\1/')

# The feed first, nuget.org (through this machine's registry) for the dependencies.
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="MtaSts*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML

echo "== the tool: dotnet tool install MtaSts.Cli $version from the folder feed, then mta-sts demo"
dotnet tool install MtaSts.Cli --version "$version" --tool-path "$work/tool" --configfile "$work/nuget.config" >/dev/null
"$work/tool/mta-sts" --help >/dev/null
"$work/tool/mta-sts" demo >/dev/null

echo "== a fresh console project on the packages"
mkdir "$work/app"
cp "$work/nuget.config" "$work/app/"
cat > "$work/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MtaSts" Version="$version" />
    <PackageReference Include="MtaSts.Testing" Version="$version" />
  </ItemGroup>
</Project>
XML
cat > "$work/app/Program.cs" <<'CS'
using MtaSts;
using MtaSts.Testing;

await using var world = await MtaStsTestWorld.StartAsync();
world.PublishPolicy("example.test", "1", MtaStsMode.Enforce, 86400, "mx.example.test");
world.PublishMx("example.test", (10, "mx.example.test"));

using var resolver = MtaStsPolicyResolver.Create(world.CreateOptions());
var resolution = await resolver.ResolveAsync("example.test");
using var planner = DeliveryPlanner.Create(world.CreateOptions());
var plan = await planner.PlanDeliveryAsync("example.test");

Console.WriteLine($"{resolution}; plan: {plan.Status}");
return resolution.Policy?.Mode == MtaStsMode.Enforce && plan.Status == DeliveryPlanStatus.Deliver ? 0 : 1;
CS
(cd "$work/app" && dotnet run --configfile nuget.config 2>&1 | tail -3) || { echo "package-smoke: the console project failed" >&2; exit 1; }
(cd "$work/app" && dotnet run --no-build >/dev/null) || { echo "package-smoke: the console project did not resolve and plan as expected" >&2; exit 1; }
echo "package-smoke: the tool and a fresh project work from the packages"
