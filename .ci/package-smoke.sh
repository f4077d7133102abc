#!/usr/bin/env bash
# What a new user does with the packages (issue 9 §5): install the `mta-sts` tool from a folder feed and run it, and
# create a fresh console project that adds MtaSts and MtaSts.Testing from that feed, resolves and plans in a loopback
# world, and exits 0; the installed tool then runs `mta-sts check` against that world. Usage: .ci/package-smoke.sh <folder with the .nupkg files>
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
using System.Diagnostics;
using System.Globalization;
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
if (resolution.Policy?.Mode != MtaStsMode.Enforce || plan.Status != DeliveryPlanStatus.Deliver)
{
    return 1;
}

if (Environment.GetEnvironmentVariable("MTASTS_SMOKE_TOOL") is not { Length: > 0 } tool)
{
    return 0;
}

// The installed tool checks a healthy domain of this world: an enforce policy covering its one MX, which speaks STARTTLS.
world.PublishMxHost("check.test", 10, "mx.check.test");
world.PublishPolicy("check.test", "c1", MtaStsMode.Enforce, 604800, "mx.check.test");
world.Dns.AddTxt("_smtp._tls.check.test", "v=TLSRPTv1; rua=mailto:tlsrpt@check.test");
var pem = Path.Combine(Path.GetTempPath(), $"smoke-root-{Guid.NewGuid():N}.pem");
File.WriteAllText(pem, world.CertificateAuthority.RootCertificate.ExportCertificatePem());
var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true };
foreach (var argument in new[]
{
    "check", "--json", "check.test", "--name-server", world.Dns.EndPoint.ToString(), "--trust-anchor", pem,
    "--policy-host-port", world.PolicyHost.Port.ToString(CultureInfo.InvariantCulture), "--allow-private-policy-hosts",
    "--smtp-port", world.Smtp.Port.ToString(CultureInfo.InvariantCulture),
})
{
    start.ArgumentList.Add(argument);
}

using var check = Process.Start(start)!;
var output = await check.StandardOutput.ReadToEndAsync();
await check.WaitForExitAsync();
Console.WriteLine(output.Trim());
return check.ExitCode == 0 && output.Contains("\"domain\":\"check.test\"", StringComparison.Ordinal) && world.Smtp.Sessions.Any(s => s.Host == "mx.check.test") ? 0 : 1;
CS
(cd "$work/app" && dotnet run --configfile nuget.config 2>&1 | tail -3) || { echo "package-smoke: the console project failed" >&2; exit 1; }
(cd "$work/app" && dotnet run --no-build >/dev/null) || { echo "package-smoke: the console project did not resolve and plan as expected" >&2; exit 1; }
echo "== the installed tool: mta-sts check of a healthy domain in the project's loopback world"
(cd "$work/app" && MTASTS_SMOKE_TOOL="$work/tool/mta-sts" dotnet run --no-build) || { echo "package-smoke: mta-sts check failed on a healthy domain" >&2; exit 1; }
echo "package-smoke: the tool and a fresh project work from the packages"
