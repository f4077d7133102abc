#Requires -Version 7.4
# The MtaSts sample module: Resolve-MtaStsPolicy (RFC 8461 policies) and Get-MtaStsDeliveryPlan (MX hosts with DANE
# and MTA-STS decisions), one object per result, formatted as tables by MtaSts.Format.ps1xml. See ../README.md.
Set-StrictMode -Version 3.0

# PowerShell's default rendering ('Host') still writes ANSI colours for table headers and errors when pwsh's own
# output is redirected to a file or a pipe (pwsh -File ... > out.txt). Plain text whenever a stream is not a terminal.
if (([Console]::IsOutputRedirected -or [Console]::IsErrorRedirected) -and $PSStyle.OutputRendering -eq 'Host') {
    $PSStyle.OutputRendering = 'PlainText'
}

# The exit code the mta-sts tool would give for the last call (see Get-MtaStsExitCode).
$script:ExitCode = 0

function Get-MtaStsExitCode {
    <#
    .SYNOPSIS
        The exit code of the last Resolve-MtaStsPolicy or Get-MtaStsDeliveryPlan call, as the mta-sts tool defines it.
    .DESCRIPTION
        0  every domain got a definite answer: a policy or none (resolve); a usable host or no mail service (plan).
        1  at least one DNS or policy fetch failure (resolve) or a deferral (plan), which may pass; or the call stopped
           on an unexpected error or Ctrl+C.
        2  invalid input (a malformed domain name) or bad usage (missing library, bad option value).
        The highest code wins. A script run with `pwsh -File` ends with `exit (Get-MtaStsExitCode)`.
    .EXAMPLE
        Resolve-MtaStsPolicy example.com -LibraryPath ./mtasts; exit (Get-MtaStsExitCode)
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $script:ExitCode
}

function Step-ExitCode([int] $Code) {
    if ($Code -gt $script:ExitCode) {
        $script:ExitCode = $Code
    }
}

# Loads MtaSts.dll from the publish folder, once per process. Dependencies follow on demand from the same folder
# (Assembly.LoadFrom registers that probing with the runtime); PowerShell's own resolver would only look in $PSHOME.
function Import-MtaStsLibrary([string] $Folder) {
    $publish = "Make the folder with: dotnet publish src/MtaSts -f net8.0 -o <folder>"
    $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MtaSts' } | Select-Object -First 1
    if (-not $Folder) {
        $Folder = $env:MTASTS_LIBRARY
    }

    if (-not $Folder) {
        if ($loaded) {
            return
        }

        throw [System.ArgumentException]::new("Give -LibraryPath (or set MTASTS_LIBRARY) to the folder that holds MtaSts.dll. $publish")
    }

    $resolved = Resolve-Path -LiteralPath $Folder -ErrorAction SilentlyContinue
    if (-not $resolved -or -not (Test-Path -LiteralPath $resolved.ProviderPath -PathType Container)) {
        throw [System.ArgumentException]::new("LibraryPath '$Folder' is not a folder. $($publish.Replace('<folder>', "'$Folder'"))")
    }

    $dll = Join-Path $resolved.ProviderPath 'MtaSts.dll'
    if (-not (Test-Path -LiteralPath $dll -PathType Leaf)) {
        throw [System.ArgumentException]::new("There is no MtaSts.dll in '$($resolved.ProviderPath)'. $($publish.Replace('<folder>', "'$Folder'"))")
    }

    if ($loaded) {
        if ($loaded.Location -ne $dll) {
            throw [System.ArgumentException]::new("This PowerShell session has already loaded MtaSts from '$($loaded.Location)', and .NET cannot load a second copy into one process. Pass that folder, or start a new pwsh.")
        }

        Write-Verbose "MtaSts $($loaded.GetName().Version) is already loaded from $dll"
        return
    }

    $assembly = [System.Reflection.Assembly]::LoadFrom($dll)
    Write-Verbose "Loaded MtaSts $($assembly.GetName().Version) from $dll"
}

# The options both functions share: DNS servers, extra trust anchors, the policy host port.
function New-MtaStsOptions([string[]] $NameServer, [string[]] $TrustAnchor, [int] $PolicyHostPort) {
    $options = [MtaSts.MtaStsOptions]::new()
    foreach ($server in $NameServer) {
        $endPoint = $null
        if (-not [System.Net.IPEndPoint]::TryParse($server, [ref] $endPoint)) {
            throw [System.ArgumentException]::new("NameServer '$server' is not an IP address or IP:port.")
        }

        if ($endPoint.Port -eq 0) {
            $endPoint.Port = 53
        }

        $options.Dns.NameServers.Add($endPoint)
    }

    foreach ($pem in $TrustAnchor) {
        $path = Resolve-Path -LiteralPath $pem -ErrorAction SilentlyContinue
        if (-not $path) {
            throw [System.ArgumentException]::new("TrustAnchor '$pem' does not exist.")
        }

        $before = $options.AdditionalTrustedRoots.Count
        $options.AdditionalTrustedRoots.ImportFromPemFile($path.ProviderPath)
        if ($options.AdditionalTrustedRoots.Count -eq $before) {
            throw [System.ArgumentException]::new("TrustAnchor '$pem' holds no PEM certificate.")
        }
    }

    # Another port than 443 means a test world, whose policy hosts live at loopback or private addresses.
    $options.PolicyFetch.Port = $PolicyHostPort
    if ($PolicyHostPort -ne 443) {
        $options.PolicyFetch.AllowPrivateAddresses = $true
    }

    $options
}

# Loads the library, builds the options and the service (resolver or planner) and returns the batch state. Any
# problem is bad usage: a terminating error in the caller's name, exit code 2.
function Open-MtaStsBatch($Cmdlet, [string] $LibraryPath, [hashtable] $Common, [scriptblock] $Create) {
    $script:ExitCode = 2
    try {
        Import-MtaStsLibrary $LibraryPath
        $options = New-MtaStsOptions @Common
        $service = & $Create $options
    }
    catch {
        $problem = $_.Exception
        while ($problem -is [System.Management.Automation.MethodInvocationException] -and $problem.InnerException) {
            # "Exception calling Create" adds nothing: say what is out of range.
            $problem = $problem.InnerException
        }

        $Cmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
            $problem, 'MtaStsUsage', [System.Management.Automation.ErrorCategory]::InvalidArgument, $null))
    }

    $script:ExitCode = 0
    [pscustomobject]@{
        Cmdlet    = $Cmdlet
        Service   = $service
        Queue     = [System.Collections.Generic.Queue[object]]::new()
        Done      = $false
    }
}

# Checks one input and starts its work. A malformed name is a non-terminating error (exit code 2); the other domains
# go on. Writes the oldest results once more than ThrottleLimit are in flight.
function Add-MtaStsWork($Batch, [string] $Name, [int] $ThrottleLimit, [scriptblock] $Start) {
    if ([string]::IsNullOrWhiteSpace($Name)) {
        return
    }

    $text = $Name.Trim()
    $normalized = $null
    $why = $null
    if (-not [MtaSts.DomainName]::TryNormalize($text, [ref] $normalized, [ref] $why)) {
        Step-ExitCode 2
        $Batch.Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
            [System.ArgumentException]::new("'$text' is not a domain name: $why"),
            'InvalidDomain', [System.Management.Automation.ErrorCategory]::InvalidArgument, $text))
        return
    }

    $Batch.Queue.Enqueue([pscustomobject]@{ Input = $text; Task = (& $Start $Batch.Service $text) })
    Receive-MtaStsWork $Batch ($ThrottleLimit - 1)
}

# Waits for the oldest pending work until at most $KeepAtMost remain, writing each as (Input, Result) in input order.
# The wait is sliced so that Ctrl+C, which PowerShell honours between statements, is not held up by a slow host.
function Receive-MtaStsWork($Batch, [int] $KeepAtMost = 0) {
    while ($Batch.Queue.Count -gt $KeepAtMost) {
        $pending = $Batch.Queue.Dequeue()
        while (-not $pending.Task.IsCompleted) {
            $null = [System.Threading.Tasks.Task]::WaitAny(@($pending.Task), 200)
        }

        [pscustomobject]@{ Input = $pending.Input; Result = $pending.Task.GetAwaiter().GetResult() }
    }
}

# Also runs after Ctrl+C or a terminating error: cancels what is in flight and closes the DNS and HTTP clients.
function Close-MtaStsBatch($Batch) {
    if (-not $Batch) {
        return
    }

    if (-not $Batch.Done) {
        Step-ExitCode 1
    }

    $Batch.Service.Dispose()
}

function Write-MtaStsRecord([Parameter(ValueFromPipeline)] $Record, [switch] $AsJson) {
    process {
        if ($AsJson) {
            $Record | ConvertTo-Json -Compress -Depth 3
        }
        else {
            $Record
        }
    }
}

function Get-Token($Value) {
    [MtaSts.MtaStsTokens]::ToToken($Value)
}

# The object written for one resolution. Plain values only, so it converts to JSON and CSV as it is. The words are
# the mta-sts tool's (MtaStsTokens), so JSON from both can be joined.
function ConvertTo-ResolutionRecord([Parameter(ValueFromPipeline)] $Work) {
    process {
        $resolution = $Work.Result
        $policy = $resolution.Policy
        Step-ExitCode $(if ($resolution.Outcome -in 'Policy', 'NoPolicy') { 0 } else { 1 })

        # @(...) keeps a one-element list an array and an empty one an empty array (not $null) in objects and JSON.
        [string[]] $mx = @(if ($policy) { $policy.MxPatterns | ForEach-Object { $_.Pattern } })
        [string[]] $warnings = @($resolution.Warnings | ForEach-Object { $_.ToString() })
        [pscustomobject]@{
            PSTypeName = 'MtaSts.ResolutionRecord'
            Input      = $Work.Input
            Domain     = $resolution.Domain
            Outcome    = Get-Token $resolution.Outcome
            Mode       = if ($policy) { Get-Token $policy.Mode } else { $null }
            Mx         = $mx
            MaxAge     = if ($policy) { $policy.MaxAgeSeconds } else { $null }
            Id         = if ($resolution.Record) { $resolution.Record.Id } else { $null }
            Source     = Get-Token $resolution.Source
            Failure    = if ($resolution.Failure -ne 'None') { Get-Token $resolution.Failure } else { $null }
            ResultType = $resolution.ReportResultType
            Message    = if ($resolution.Evidence) { $resolution.Evidence.Message } else { $null }
            Warnings   = $warnings
            Summary    = $resolution.ToString()
        }
    }
}

# The library's lists are IReadOnlyList<T>, which PowerShell enumerates but does not index: hence Select-Object.
# One object per MX host of a plan, in the order to try them; a plan without hosts (no mail service, MX lookup
# failed) is one object whose Host is $null and whose Reason says why.
function ConvertTo-DeliveryPlanRecord([Parameter(ValueFromPipeline)] $Work) {
    process {
        $plan = $Work.Result
        Step-ExitCode $(if ($plan.Status -eq 'Defer') { 1 } else { 0 })
        $resolution = $plan.MtaStsResolution
        $mtaSts = if (-not $resolution) { $null } elseif ($resolution.Policy) { Get-Token $resolution.Policy.Mode } else { Get-Token $resolution.Outcome }
        $common = [ordered]@{
            PSTypeName = 'MtaSts.DeliveryPlanRecord'
            Input      = $Work.Input
            Domain     = $plan.Domain
            Status     = Get-Token $plan.Status
            MxSecure   = $plan.MxSecure
            ImplicitMx = $plan.ImplicitMx
            MtaSts     = $mtaSts
        }

        if ($plan.Hosts.Count -eq 0) {
            $row = $common + [ordered]@{
                Preference = $null; Host = $null; Usable = $false; TlsRequired = $null; Auth = $null; Sni = $null; Dane = $null
                MtaStsMatch = $null; ResultType = $null; Addresses = [string[]] @()
                Reason = $plan.Reasons | Select-Object -First 1
                Reasons = [string[]] @($plan.Reasons)
            }
            return [pscustomobject] $row
        }

        foreach ($decision in $plan.Hosts) {
            $row = $common + [ordered]@{
                Preference  = $decision.Preference
                Host        = $decision.Host
                Usable      = $decision.IsUsable
                TlsRequired = $decision.TlsRequired
                Auth        = Get-Token $decision.CertificateRequirement.Authentication
                Sni         = $decision.Sni
                Dane        = Get-Token $decision.Dane
                MtaStsMatch = $decision.MtaStsMxMatch
                ResultType  = $decision.ReportResultType
                Addresses   = [string[]] @($decision.Addresses | ForEach-Object { $_.ToString() })
                Reason      = $decision.Reasons | Select-Object -First 1
                Reasons     = [string[]] @($decision.Reasons)
            }
            [pscustomobject] $row
        }
    }
}

function Resolve-MtaStsPolicy {
    <#
    .SYNOPSIS
        Resolves the MTA-STS policy (RFC 8461) of one or more mail domains.
    .DESCRIPTION
        Writes one MtaSts.ResolutionRecord per domain, in input order (shown as a table; Format-List * shows all):
            Input, Domain (normalised, A-labels), Outcome (policy | no-policy | fetch-failure | dns-failure),
            Mode (enforce | testing | none, or $null), Mx (patterns as published), MaxAge (seconds), Id (of the TXT
            record), Source (fetched | cache | cache-after-failure | none), Failure (the mta-sts tool's failure word,
            e.g. record-not-found, sts-webpki-invalid, or $null), ResultType (the RFC 8460 result type or $null),
            Message, Warnings, Summary.
        Protocol failures are data, not errors. A malformed domain name is a non-terminating error; the others are
        still resolved. Get-MtaStsExitCode then gives 0 (every answer definite), 1 (a DNS or fetch failure) or 2
        (a malformed name or bad usage).
    .PARAMETER Domain
        Recipient (policy) domains. From the pipeline too, or from a Domain property (Import-Csv); blank lines are skipped.
    .PARAMETER LibraryPath
        The folder made by `dotnet publish src/MtaSts -f net8.0 -o <folder>`; default $env:MTASTS_LIBRARY, or the
        library this session has already loaded.
    .PARAMETER NameServer
        DNS servers to ask instead of the system's: IP or IP:port ([::1]:5353 for IPv6 with a port).
    .PARAMETER TrustAnchor
        PEM files with extra root certificates for policy hosts (private CA, test world).
    .PARAMETER PolicyHostPort
        The port of the HTTPS policy hosts: 443 unless a test world listens elsewhere (then private addresses are allowed).
    .PARAMETER ThrottleLimit
        How many domains are resolved at once (1..64, default 8). Output stays in input order.
    .PARAMETER AsJson
        Writes each result as one line of compact JSON.
    .EXAMPLE
        Resolve-MtaStsPolicy gmail.com, yahoo.com -LibraryPath ./mtasts
    .EXAMPLE
        Get-Content domains.txt | Resolve-MtaStsPolicy | Where-Object Mode -eq enforce
    #>
    [CmdletBinding()]
    [OutputType('MtaSts.ResolutionRecord', [string])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [string[]] $Domain,

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
        $batch = $null
        $common = @{ NameServer = $NameServer; TrustAnchor = $TrustAnchor; PolicyHostPort = $PolicyHostPort }
        $batch = Open-MtaStsBatch $PSCmdlet $LibraryPath $common { param($options) [MtaSts.MtaStsPolicyResolver]::Create($options) }
        $start = { param($resolver, $name) $resolver.ResolveAsync($name) }
    }

    process {
        foreach ($name in $Domain) {
            Add-MtaStsWork $batch $name $ThrottleLimit $start | ConvertTo-ResolutionRecord | Write-MtaStsRecord -AsJson:$AsJson
        }
    }

    end {
        Receive-MtaStsWork $batch | ConvertTo-ResolutionRecord | Write-MtaStsRecord -AsJson:$AsJson
        $batch.Done = $true
    }

    clean {
        Close-MtaStsBatch $batch
    }
}

function Get-MtaStsDeliveryPlan {
    <#
    .SYNOPSIS
        Plans delivery to one or more recipient domains: MX hosts in order, DANE (RFC 7672) first, then MTA-STS.
    .DESCRIPTION
        Writes one MtaSts.DeliveryPlanRecord per MX host, in the order to try them (shown as a table; Format-List *
        shows all): Input, Domain, Status (deliver | defer | no-mail-service), MxSecure, ImplicitMx, MtaSts (the
        policy mode, or the MTA-STS outcome without a policy), Preference, Host, Usable, TlsRequired, Auth
        (dane-ee | dane-ta | pkix | none), Sni, Dane (none | usable | unusable | lookup-failed | unavailable),
        MtaStsMatch, ResultType (RFC 8460), Addresses, Reason (the first), Reasons (all). A plan without hosts (no
        mail service, MX lookup failed) is one record with Host $null. Get-MtaStsExitCode then gives 0 (a usable host
        or no mail service everywhere), 1 (a deferral) or 2 (a malformed name or bad usage).
        DANE needs a validating resolver whose verdict is trusted: by default one on loopback (127.0.0.1, ::1).
    .PARAMETER Domain
        Recipient domains. From the pipeline too, or from a Domain property; blank lines are skipped.
    .PARAMETER LibraryPath
        As for Resolve-MtaStsPolicy.
    .PARAMETER NameServer
        DNS servers to ask instead of the system's: IP or IP:port.
    .PARAMETER TrustAnchor
        PEM files with extra root certificates for policy hosts.
    .PARAMETER PolicyHostPort
        The port of the HTTPS policy hosts (443 unless a test world listens elsewhere).
    .PARAMETER TrustedResolver
        Resolvers whose DNSSEC verdict (AD bit) is believed for DANE; default the loopback addresses.
    .PARAMETER DaneRequired
        Recipient domains for which DANE is mandatory (RFC 7672 §2.2): only hosts with usable, secure TLSA are used.
    .PARAMETER NoDane
        Looks up no TLSA records: MTA-STS alone decides.
    .PARAMETER SmtpPort
        The SMTP port whose TLSA records are looked up (_<port>._tcp.<host>); 25 unless testing.
    .PARAMETER ThrottleLimit
        How many domains are planned at once (1..64, default 8). Output stays in input order.
    .PARAMETER AsJson
        Writes each record (one per host) as one line of compact JSON.
    .EXAMPLE
        Get-MtaStsDeliveryPlan example.com -LibraryPath ./mtasts
    .EXAMPLE
        Get-MtaStsDeliveryPlan example.com | Where-Object Usable | Select-Object -First 1 Host, Sni, Auth
    #>
    [CmdletBinding()]
    [OutputType('MtaSts.DeliveryPlanRecord', [string])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [string[]] $Domain,

        [string] $LibraryPath,

        [string[]] $NameServer = @(),

        [string[]] $TrustAnchor = @(),

        [ValidateRange(1, 65535)]
        [int] $PolicyHostPort = 443,

        [System.Net.IPAddress[]] $TrustedResolver = @(),

        [string[]] $DaneRequired = @(),

        [switch] $NoDane,

        [ValidateRange(1, 65535)]
        [int] $SmtpPort = 25,

        [ValidateRange(1, 64)]
        [int] $ThrottleLimit = 8,

        [switch] $AsJson
    )

    begin {
        $batch = $null
        $common = @{ NameServer = $NameServer; TrustAnchor = $TrustAnchor; PolicyHostPort = $PolicyHostPort }
        $create = {
            param($options)
            foreach ($address in $TrustedResolver) {
                $options.Dane.TrustedResolvers.Add($address)
            }

            foreach ($name in $DaneRequired) {
                $options.Dane.RequiredDomains.Add([MtaSts.DomainName]::Normalize($name))
            }

            if ($NoDane) {
                if ($DaneRequired.Count -gt 0) {
                    throw [System.ArgumentException]::new('-DaneRequired makes DANE mandatory for a domain, so it cannot be combined with -NoDane.')
                }

                $options.Dane.Enabled = $false
            }

            $options.Delivery.SmtpPort = $SmtpPort
            [MtaSts.DeliveryPlanner]::Create($options)
        }.GetNewClosure()
        $batch = Open-MtaStsBatch $PSCmdlet $LibraryPath $common $create
        $start = { param($planner, $name) $planner.PlanDeliveryAsync($name) }
    }

    process {
        foreach ($name in $Domain) {
            Add-MtaStsWork $batch $name $ThrottleLimit $start | ConvertTo-DeliveryPlanRecord | Write-MtaStsRecord -AsJson:$AsJson
        }
    }

    end {
        Receive-MtaStsWork $batch | ConvertTo-DeliveryPlanRecord | Write-MtaStsRecord -AsJson:$AsJson
        $batch.Done = $true
    }

    clean {
        Close-MtaStsBatch $batch
    }
}

Export-ModuleMember -Function Resolve-MtaStsPolicy, Get-MtaStsDeliveryPlan, Get-MtaStsExitCode
