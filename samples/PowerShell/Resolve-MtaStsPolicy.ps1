#Requires -Version 7.4
<#
.SYNOPSIS
    Resolves the MTA-STS policy (RFC 8461) of one or more mail domains with the MtaSts library, for `pwsh -File`.

.DESCRIPTION
    A thin script around Resolve-MtaStsPolicy of the MtaSts module next to it (./MtaSts): same parameters, same
    objects (a table by default; Get-Help Resolve-MtaStsPolicy -Full in the module lists the fields), and the exit
    code of the mta-sts tool:

        0  every domain got a definite answer (a policy, or none)
        1  at least one DNS failure or policy fetch failure (temporary; try again later), or the script stopped on an
           unexpected error
        2  invalid input (a malformed domain name; the other domains are still resolved) or bad usage: no domain, an
           unknown parameter, an out-of-range value, no library at -LibraryPath, a bad -NameServer or -TrustAnchor

    Protocol failures are data (Outcome, Failure), not errors. When output or errors are redirected (to a file, a
    pipe), nothing is coloured: no ANSI escape codes.

.PARAMETER Domain
    Recipient (policy) domains, e.g. example.com. Accepts pipeline input, so `Get-Content domains.txt | ...` works;
    blank lines are skipped.

.PARAMETER LibraryPath
    The folder made by `dotnet publish src/MtaSts -f net8.0 -o <folder>` (MtaSts.dll and its dependencies); default
    $env:MTASTS_LIBRARY.

.PARAMETER NameServer
    DNS servers to ask instead of the system's: IP or IP:port ([::1]:5353 for IPv6 with a port).

.PARAMETER TrustAnchor
    PEM files with extra root certificates trusted for policy hosts, besides the platform's (for test worlds and
    private CAs; certificate validation cannot be switched off).

.PARAMETER PolicyHostPort
    The port of the HTTPS policy hosts; 443 (the RFC) unless a test world listens elsewhere. Another port means a
    test world, so policy hosts may then be reached at loopback and private addresses too, which are refused otherwise.

.PARAMETER ThrottleLimit
    How many domains are resolved at once (1..64, default 8). Output stays in input order.

.PARAMETER AsJson
    Writes each result as one line of compact JSON instead of an object.

.EXAMPLE
    ./Resolve-MtaStsPolicy.ps1 -LibraryPath ./mtasts -Domain gmail.com, yahoo.com

.EXAMPLE
    Get-Content domains.txt | ./Resolve-MtaStsPolicy.ps1 -LibraryPath ./mtasts | Where-Object Mode -eq enforce

.EXAMPLE
    pwsh -File ./Resolve-MtaStsPolicy.ps1 -LibraryPath ./mtasts -Domain example.com -AsJson >> mta-sts.jsonl
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
    [AllowEmptyString()]
    [string[]] $Domain,

    [string] $LibraryPath,

    [string[]] $NameServer = @(),

    [string[]] $TrustAnchor = @(),

    # Untyped here and checked by the module, so that a bad value exits 2 instead of failing PowerShell's own binding.
    $PolicyHostPort = 443,

    $ThrottleLimit = 8,

    [switch] $AsJson,

    # Whatever PowerShell could not bind: more domains, or an unknown -Option (bad usage, exit 2).
    [Parameter(ValueFromRemainingArguments, DontShow)]
    [object[]] $Unbound
)

begin {
    Set-StrictMode -Version 3.0
    $pipeline = $null
    $given = 0

    function Exit-Usage([string] $Message) {
        $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
            [System.ArgumentException]::new($Message), 'MtaStsUsage', [System.Management.Automation.ErrorCategory]::InvalidArgument, $null))
        exit 2
    }

    Import-Module (Join-Path $PSScriptRoot 'MtaSts') -ErrorAction Stop

    # Surplus arguments are more domains (`pwsh -File Resolve-MtaStsPolicy.ps1 a.example b.example`); anything that
    # looks like an option is one this script does not have, never a domain.
    [string[]] $surplus = @($Unbound | Where-Object { $null -ne $_ } | ForEach-Object { "$_" })
    $unknown = @($surplus | Where-Object { $_.StartsWith('-') })
    if ($unknown) {
        Exit-Usage "Unknown parameter: $($unknown -join ', '). See: Get-Help $PSCommandPath"
    }

    # Domains given as arguments go with the other parameters; from the pipeline, one by one to Process below.
    $forward = @{} + $PSBoundParameters
    $forward.Remove('Unbound')
    if ($surplus) {
        $forward.Domain = @(@($Domain) + $surplus | Where-Object { $null -ne $_ })
    }

    $given = @($forward['Domain'] | Where-Object { $null -ne $_ }).Count
    if ($given -eq 0 -and -not $MyInvocation.ExpectingInput) {
        Exit-Usage 'Give at least one domain: -Domain example.com, or domains on the pipeline.'
    }

    $forward.PolicyHostPort = $PolicyHostPort
    $forward.ThrottleLimit = $ThrottleLimit
    try {
        $pipeline = { MtaSts\Resolve-MtaStsPolicy @forward }.GetSteppablePipeline($MyInvocation.CommandOrigin)
        $pipeline.Begin($PSCmdlet)
    }
    catch {
        $problem = $_
        while ($problem.Exception -is [System.Management.Automation.MethodInvocationException] -and $problem.Exception.InnerException.ErrorRecord) {
            $problem = $problem.Exception.InnerException.ErrorRecord
        }

        # A value the module's parameters refuse (ParameterBindingException) is bad usage, as is what the module reports.
        Exit-Usage $problem.Exception.Message
    }
}

process {
    if (-not $MyInvocation.ExpectingInput) {
        $pipeline.Process()
        return
    }

    foreach ($name in $Domain) {
        $given++
        $pipeline.Process($name)
    }
}

end {
    if ($given -eq 0) {
        Exit-Usage 'Give at least one domain: -Domain example.com, or domains on the pipeline.'
    }

    $pipeline.End()
    exit (Get-MtaStsExitCode)
}

clean {
    if ($pipeline) {
        $pipeline.Clean()
    }
}
