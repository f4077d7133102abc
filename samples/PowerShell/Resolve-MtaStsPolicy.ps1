#Requires -Version 7.4
<#
.SYNOPSIS
    Resolves the MTA-STS policy (RFC 8461) of one or more mail domains with the MtaSts library.

.DESCRIPTION
    Loads MtaSts.dll from a folder made by `dotnet publish src/MtaSts -f net8.0 -o <folder>`, builds one resolver,
    resolves every domain given (as arguments or from the pipeline) and writes one object per domain, in input order:

        Domain    the policy domain as resolved (lower case, A-labels)
        Outcome   Policy | NoPolicy | FetchFailure | DnsFailure
        Mode      Enforce | Testing | None, or $null without a policy
        Mx        the mx patterns as published (string[])
        MaxAge    max_age in seconds, or $null
        Id        the id of the _mta-sts TXT record the policy belongs to, or $null
        Source    Fetched | Cache | CacheAfterFailure | None
        Failure   the RFC 8460 (TLS-RPT) result type of a failure: sts-policy-fetch-error, sts-policy-invalid,
                  sts-webpki-invalid, or $null
        Message   what went wrong, in words, or $null
        Warnings  publisher slips that were accepted (string[])
        Summary   the one-line summary of the library (MtaStsResolution.ToString())

    Protocol failures are data (Outcome, Failure), not errors. A malformed domain name is a non-terminating error and
    the other domains are still resolved. The script exits with 0 when every domain was resolved and with 1 when one
    could not be (malformed name) or the script itself failed (missing library, bad option).

    Only MtaSts.dll is loaded explicitly. Its dependencies (DnsClient, Polly.Core, Microsoft.Extensions.*) are loaded
    on first use from the same folder: .NET does that for every assembly loaded with Assembly.LoadFrom. So only what
    the resolver really uses is loaded; the dependency-injection stack (Microsoft.Extensions.Http,
    Microsoft.Extensions.DependencyInjection), which `AddMtaSts` needs, never is.

.PARAMETER Domain
    Recipient (policy) domains, e.g. example.com. Accepts pipeline input, so `Get-Content domains.txt | ...` works;
    blank lines are skipped.

.PARAMETER LibraryPath
    The folder made by `dotnet publish src/MtaSts -f net8.0 -o <folder>` (MtaSts.dll and its dependencies).

.PARAMETER NameServer
    DNS servers to ask instead of the system's: IP or IP:port ([::1]:5353 for IPv6 with a port).

.PARAMETER TrustAnchor
    PEM files with extra root certificates trusted for policy hosts, besides the platform's (for test worlds and
    private CAs; certificate validation cannot be switched off).

.PARAMETER PolicyHostPort
    The port of the HTTPS policy hosts; 443 (the RFC) unless a test world listens elsewhere. Another port means a
    test world, so policy hosts may then be reached at loopback and private addresses too
    (MtaStsOptions.PolicyFetch.AllowPrivateAddresses), which are refused otherwise.

.PARAMETER ThrottleLimit
    How many domains are resolved at once (1..64, default 8). Output stays in input order.

.PARAMETER AsJson
    Writes each result as one line of compact JSON instead of an object.

.EXAMPLE
    ./Resolve-MtaStsPolicy.ps1 -LibraryPath ./mtasts -Domain gmail.com, yahoo.com

.EXAMPLE
    Get-Content domains.txt | ./Resolve-MtaStsPolicy.ps1 -LibraryPath ./mtasts | Where-Object Mode -eq Enforce

.EXAMPLE
    ./Resolve-MtaStsPolicy.ps1 -LibraryPath ./mtasts -Domain example.com -AsJson >> mta-sts.jsonl
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
    [AllowEmptyString()]
    [string[]] $Domain,

    [Parameter(Mandatory)]
    [string] $LibraryPath,

    [string[]] $NameServer = @(),

    [string[]] $TrustAnchor = @(),

    [ValidateRange(1, 65535)]
    [int] $PolicyHostPort = 443,

    [ValidateRange(1, 64)]
    [int] $ThrottleLimit = 8,

    [switch] $AsJson
)

begin {
    Set-StrictMode -Version 3.0

    # Loads MtaSts.dll from the publish folder. Dependencies follow on demand from the same folder (Assembly.LoadFrom
    # registers that probing with the runtime); PowerShell's own resolver would only look in $PSHOME.
    function Import-MtaStsLibrary([string] $Folder) {
        $resolved = Resolve-Path -LiteralPath $Folder -ErrorAction SilentlyContinue
        if (-not $resolved -or -not (Test-Path -LiteralPath $resolved.ProviderPath -PathType Container)) {
            throw "LibraryPath '$Folder' is not a folder. Make it with: dotnet publish src/MtaSts -f net8.0 -o '$Folder'"
        }

        $dll = Join-Path $resolved.ProviderPath 'MtaSts.dll'
        if (-not (Test-Path -LiteralPath $dll -PathType Leaf)) {
            throw "There is no MtaSts.dll in '$($resolved.ProviderPath)'. Make the folder with: dotnet publish src/MtaSts -f net8.0 -o '$Folder'"
        }

        $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MtaSts' } | Select-Object -First 1
        if ($loaded) {
            if ($loaded.Location -ne $dll) {
                throw "This PowerShell session has already loaded MtaSts from '$($loaded.Location)', and .NET cannot load a second copy into one process. Pass that folder, or run the script in a new pwsh."
            }

            Write-Verbose "MtaSts $($loaded.GetName().Version) is already loaded from $dll"
            return
        }

        $assembly = [System.Reflection.Assembly]::LoadFrom($dll)
        Write-Verbose "Loaded MtaSts $($assembly.GetName().Version) from $dll"
    }

    function New-MtaStsOptions {
        $options = [MtaSts.MtaStsOptions]::new()
        foreach ($server in $NameServer) {
            $endPoint = $null
            if (-not [System.Net.IPEndPoint]::TryParse($server, [ref] $endPoint)) {
                throw "NameServer '$server' is not an IP address or IP:port."
            }

            if ($endPoint.Port -eq 0) {
                $endPoint.Port = 53
            }

            $options.Dns.NameServers.Add($endPoint)
        }

        foreach ($pem in $TrustAnchor) {
            $path = Resolve-Path -LiteralPath $pem -ErrorAction SilentlyContinue
            if (-not $path) {
                throw "TrustAnchor '$pem' does not exist."
            }

            $before = $options.AdditionalTrustedRoots.Count
            $options.AdditionalTrustedRoots.ImportFromPemFile($path.ProviderPath)
            if ($options.AdditionalTrustedRoots.Count -eq $before) {
                throw "TrustAnchor '$pem' holds no PEM certificate."
            }
        }

        $options.PolicyFetch.Port = $PolicyHostPort
        if ($PolicyHostPort -ne 443) {
            $options.PolicyFetch.AllowPrivateAddresses = $true
        }
        $options
    }

    # The object written for one resolution. Plain values only, so it converts to JSON and CSV as it is.
    function ConvertTo-ResolutionRecord($Resolution) {
        $policy = $Resolution.Policy
        # @(...) keeps a one-element list an array and an empty one an empty array (not $null) in objects and JSON.
        [string[]] $mx = @(if ($policy) { $policy.MxPatterns | ForEach-Object { $_.Pattern } })
        [string[]] $warnings = @($Resolution.Warnings | ForEach-Object { $_.ToString() })
        $record = [pscustomobject]@{
            PSTypeName = 'MtaSts.ResolutionRecord'
            Domain     = $Resolution.Domain
            Outcome    = $Resolution.Outcome.ToString()
            Mode       = if ($policy) { $policy.Mode.ToString() } else { $null }
            Mx         = $mx
            MaxAge     = if ($policy) { $policy.MaxAgeSeconds } else { $null }
            Id         = if ($Resolution.Record) { $Resolution.Record.Id } else { $null }
            Source     = $Resolution.Source.ToString()
            Failure    = $Resolution.ReportResultType
            Message    = if ($Resolution.Evidence) { $Resolution.Evidence.Message } else { $null }
            Warnings   = $warnings
            Summary    = $Resolution.ToString()
        }

        if ($AsJson) {
            return ($record | ConvertTo-Json -Compress -Depth 3)
        }

        $record
    }

    # Waits for the oldest pending resolution and writes it. The wait is sliced so that Ctrl+C, which PowerShell
    # honours between statements, is not held up by a slow policy host.
    function Complete-Oldest {
        $pending = $queue.Dequeue()
        while (-not $pending.IsCompleted) {
            $null = [System.Threading.Tasks.Task]::WaitAny(@($pending), 200)
        }

        ConvertTo-ResolutionRecord $pending.GetAwaiter().GetResult()
    }

    $resolver = $null
    $queue = [System.Collections.Generic.Queue[object]]::new()
    $invalid = 0

    Import-MtaStsLibrary $LibraryPath
    try {
        $resolver = [MtaSts.MtaStsPolicyResolver]::Create((New-MtaStsOptions))
    }
    catch [System.Management.Automation.MethodInvocationException] {
        # OptionsValidationException: say what is out of range without the "Exception calling Create" wrapper.
        throw $_.Exception.InnerException
    }

    Update-TypeData -TypeName MtaSts.ResolutionRecord -DefaultDisplayPropertySet Domain, Outcome, Mode, Mx, Source, Failure -Force
}

process {
    foreach ($name in $Domain) {
        if ([string]::IsNullOrWhiteSpace($name)) {
            continue
        }

        try {
            $queue.Enqueue($resolver.ResolveAsync($name.Trim()))
        }
        catch [System.Management.Automation.MethodInvocationException] {
            if ($_.Exception.InnerException -isnot [System.ArgumentException]) {
                throw
            }

            $invalid++
            $problem = [System.Management.Automation.ErrorRecord]::new(
                $_.Exception.InnerException, 'InvalidDomain', [System.Management.Automation.ErrorCategory]::InvalidArgument, $name)
            $PSCmdlet.WriteError($problem)
            continue
        }

        while ($queue.Count -ge $ThrottleLimit) {
            Complete-Oldest
        }
    }
}

end {
    while ($queue.Count -gt 0) {
        Complete-Oldest
    }

    if ($invalid -gt 0) {
        exit 1
    }
}

clean {
    # Also runs after Ctrl+C or a terminating error: cancels what is in flight and closes the DNS and HTTP clients.
    if ($resolver) {
        $resolver.Dispose()
    }
}
