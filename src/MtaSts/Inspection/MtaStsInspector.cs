using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.DependencyInjection;
using MtaSts.Discovery;
using MtaSts.Fetching;
using MtaSts.Inspection;

namespace MtaSts;

/// <summary>
/// Diagnoses a domain's MTA-STS, DANE and TLS-RPT set-up for its owner, with the sender's own code: the TXT records at
/// <c>_mta-sts</c>, the policy fetch (status, media type, TLS version, certificate), the policy with its warnings at
/// their lines, the live MX hosts against the <c>mx</c> patterns, <c>max_age</c>, the <c>_smtp._tls</c> record,
/// DNSSEC and TLSA per MX host, and (unless <see cref="InspectionOptions.NoConnect"/>) a STARTTLS probe of each MX
/// host the plan allows. Each finding has a severity, a stable code, a message and a fix.
/// </summary>
/// <remarks>
/// <para>
/// Every inspection is fresh: a new resolver and planner (empty caches) over one DNS client and one policy HTTP client;
/// the options' policy store and overrides are not used, so what is published is what is judged. The policy fetch is
/// the library's own fetcher over its own strict handler; the inspector only watches the handshake to report the TLS
/// version and certificate, which the fetcher does not keep.
/// </para>
/// <para>Thread-safe, but two concurrent inspections of the same domain may report each other's TLS facts.</para>
/// </remarks>
public sealed class MtaStsInspector : IDisposable
{
    private readonly MtaStsComposition _composition;
    private readonly PolicyHostTlsCapture _capture = new();
    private readonly HttpClient _client;
    private readonly ILoggerFactory _loggerFactory;
    private int _disposed;

    /// <summary>Builds an inspector (without dependency injection).</summary>
    /// <param name="options">DNS, trust and timeout settings; validated as under DI. Its store and overrides are ignored. <see langword="null"/> means the defaults.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> means nowhere.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are out of range.</exception>
    /// <exception cref="InvalidOperationException">No DNS server is configured anywhere.</exception>
    public MtaStsInspector(MtaStsOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        var settings = (options ?? new MtaStsOptions()).Clone();
        settings.Cache.Store = null;
        settings.Overrides.Clear();
        MtaStsOptionsValidator.ThrowIfInvalid(settings);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        HttpClient? client = null;
        _composition = new MtaStsComposition(
            settings,
            _loggerFactory,
            timeProvider ?? TimeProvider.System,
            meterFactory: null,
            clientSource: addresses =>
            {
                client = new HttpClient(_capture.Wrap(PolicyHttpHandlerFactory.Create(settings, addresses)), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
                return () => client;
            },
            store: null);
        _client = client!;
    }

    /// <summary>Inspects one domain.</summary>
    /// <param name="domain">The domain (U-label or A-label, any case, a trailing dot allowed).</param>
    /// <param name="options">What to do besides DNS and the policy fetch; <see langword="null"/> means probe the MX hosts with defaults.</param>
    /// <param name="cancellationToken">Cancels the inspection.</param>
    /// <returns>The findings and the facts behind them. Network problems are findings, never exceptions.</returns>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is not a domain name.</exception>
    public async Task<DomainInspection> InspectAsync(string domain, InspectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var name = DomainName.Normalize(domain);
        options ??= new InspectionOptions();
        var settings = _composition.Options;
        var time = _composition.TimeProvider;
        var started = time.GetTimestamp();
        var findings = new List<InspectionFinding>();

        // 1. Every TXT record at _mta-sts, with the sender's own discoverer.
        var discoverer = new MtaStsRecordDiscoverer(_composition.Dns, _loggerFactory.CreateLogger<MtaStsRecordDiscoverer>());
        var discovery = await discoverer.DiscoverAsync(name, cancellationToken).ConfigureAwait(false);
        findings.AddRange(InspectionRules.ForTxt(name, discovery));

        // 2. The sender's resolution and plan, fresh, with the policy host's handshake watched.
        using var planner = _composition.CreatePlanner(_composition.CreateResolver(ownsComposition: false), owned: null);
        using var resolverOwner = planner.Resolver as IDisposable;
        var host = PolicyFetcher.PolicyHostPrefix + name;
        _capture.Forget(host);
        var fetchStarted = time.GetTimestamp();
        var resolution = await planner.Resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        var fetchElapsed = time.GetElapsedTime(fetchStarted);
        var now = time.GetUtcNow();

        PolicyHostInspection? policyHost = null;
        if (discovery.Status == DiscoveryStatus.Found
            && (resolution.Failure is MtaStsFailure.None or MtaStsFailure.PolicyFetchError or MtaStsFailure.PolicyInvalid or MtaStsFailure.WebPkiInvalid))
        {
            var seen = _capture.Get(host);
            policyHost = new PolicyHostInspection
            {
                Url = new Uri("https://" + host + PolicyFetcher.WellKnownPath),
                Failure = resolution.Failure,
                HttpStatusCode = resolution.Failure == MtaStsFailure.None ? 200 : resolution.Evidence?.HttpStatusCode,
                ContentType = resolution.Failure == MtaStsFailure.None ? "text/plain" : resolution.Evidence?.ContentType,
                TlsProtocol = seen?.Protocol,
                Certificate = seen?.Certificate,
                CertificateProblem = resolution.Evidence?.CertificateProblem,
                Elapsed = fetchElapsed,
            };
            findings.AddRange(InspectionRules.ForPolicyHost(policyHost, resolution.Evidence, now, options.CertificateExpiryWarning));
        }

        var policy = resolution.Failure == MtaStsFailure.None ? resolution.Policy : null;
        if (policy is not null)
        {
            findings.AddRange(InspectionRules.ForPolicy(policy));
        }

        // 3. The plan: MX hosts against the patterns, DNSSEC and TLSA per host.
        var plan = await planner.PlanDeliveryAsync(name, cancellationToken).ConfigureAwait(false);
        if (policy is not null)
        {
            findings.AddRange(InspectionRules.ForMxSet(policy, plan));
        }

        findings.AddRange(InspectionRules.ForPlan(plan, settings.Dane.Enabled));

        // 4. TLS-RPT.
        var tlsRpt = await _composition.CreateTlsRptRecordDiscoverer().DiscoverAsync(name, cancellationToken).ConfigureAwait(false);
        findings.AddRange(InspectionRules.ForTlsRpt(name, tlsRpt));

        // 5. The STARTTLS probe, with the plan's own certificate checks.
        DomainProbeResult? probe = null;
        if (!options.NoConnect && plan.Hosts.Count > 0)
        {
            var probeOptions = options.Probe ?? new MxProbeOptions { Port = settings.Delivery.SmtpPort };
            probe = await new MxProbe(probeOptions, time, _loggerFactory).ProbeAsync(plan, cancellationToken).ConfigureAwait(false);
            findings.AddRange(InspectionRules.ForProbe(probe, plan.MtaStsResolution?.Policy ?? policy, time.GetUtcNow(), options.CertificateExpiryWarning));
        }

        return new DomainInspection
        {
            Domain = name,
            Input = domain,
            Findings = findings,
            TxtRecords = InspectionRules.DescribeTxt(discovery),
            PolicyHost = policyHost,
            Resolution = resolution,
            Plan = plan,
            Probe = probe,
            TlsRpt = tlsRpt,
            Elapsed = time.GetElapsedTime(started),
        };
    }

    /// <summary>Releases the DNS and HTTP clients.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _client?.Dispose();
        _composition.Dispose();
    }
}
