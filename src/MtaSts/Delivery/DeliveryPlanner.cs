using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Caching;
using MtaSts.Dane;
using MtaSts.Delivery;
using MtaSts.DependencyInjection;
using MtaSts.Diagnostics;
using MtaSts.Dns;

namespace MtaSts;

/// <summary>
/// Plans delivery to a recipient domain: the MX hosts in order, each with a decision combining DANE (RFC 7672) and
/// MTA-STS (RFC 8461), DANE first (decision A-13). See <see cref="MxDecision"/> for the rules.
/// </summary>
/// <remarks>
/// <para>
/// Without DI use <see cref="Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>; with DI, <c>services.AddMtaSts()</c>
/// registers <see cref="IDeliveryPlanner"/> next to <see cref="IMtaStsPolicyResolver"/>, sharing its cache and DNS client.
/// One instance is meant to live as long as the process: it owns the caches.
/// </para>
/// <para>
/// What a plan is made of: the MX lookup (DO bit, DNSSEC status from a trusted resolver only); per MX host the address
/// and TLSA lookups (<see cref="MtaStsDaneOptions.Enabled"/>); the MTA-STS resolution of the domain. The MX answer and
/// each host's answers are kept for their DNS TTL, clamped to <see cref="MtaStsCacheOptions.MinRecordRecheckInterval"/> ..
/// <see cref="MtaStsCacheOptions.MaxRecordRecheckInterval"/> (failed lookups for the minimum, as negative caching). A whole
/// plan is reused while none of its answers has expired and the resolver answers with the same MTA-STS resolution:
/// such a plan completes synchronously, does no I/O and allocates nothing. A deferred plan is reused for at most
/// <see cref="MtaStsCacheOptions.MinRecordRecheckInterval"/>. At most <see cref="MtaStsCacheOptions.MaxDomains"/> domains and
/// as many hosts are remembered. Concurrent plans for one domain share one piece of work.
/// </para>
/// <para>
/// Under an MTA-STS <c>enforce</c> policy, when no host can be used and at least one was skipped because its name
/// matches no <c>mx</c> pattern, the TXT record is looked up again at once (RFC 8461 §5.1 MUST NOT, decision A-20); a new
/// policy found that way is applied, otherwise the plan is <see cref="DeliveryPlanStatus.Defer"/>, never a permanent
/// failure. This re-check bypasses the resolver's record recheck window only with the library's own resolver.
/// </para>
/// <para>
/// For a domain listed in <see cref="MtaStsDaneOptions.RequiredDomains"/> DANE is mandatory: an MX answer that is not
/// DNSSEC-secure skips every host (the plan is deferred), and so does a host without a usable, secure TLSA RRset; such
/// skips carry the result type <c>dane-required</c>.
/// </para>
/// </remarks>
public sealed class DeliveryPlanner : IDeliveryPlanner, IDisposable
{
    /// <summary>The most MX hosts planned per domain (the most preferred); a longer list is a misconfiguration or an attack.</summary>
    internal const int MaxHostsPerDomain = 32;

    private readonly IMtaStsPolicyResolver _resolver;
    private readonly MxLookup _mxLookup;
    private readonly MxHostLookup _tlsaLookup;
    private readonly MtaStsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly WarmClock _warmClock;
    private readonly ILogger _logger;
    private readonly MtaStsMetrics _metrics;
    private readonly IDisposable? _ownedResources;
    private readonly BoundedCache<PlanEntry> _plans;
    private readonly BoundedCache<HostEntry> _hosts;
    private readonly HashSet<string> _daneRequired;
    private readonly SingleFlight<string, DeliveryPlan> _flights;
    private readonly CancellationTokenSource _disposing = new();
    private int _disposed;

    internal DeliveryPlanner(
        IMtaStsPolicyResolver resolver,
        MxLookup mxLookup,
        MxHostLookup tlsaLookup,
        MtaStsOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        MtaStsMetrics metrics,
        IDisposable? ownedResources = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(mxLookup);
        ArgumentNullException.ThrowIfNull(tlsaLookup);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(metrics);
        _resolver = resolver;
        _mxLookup = mxLookup;
        _tlsaLookup = tlsaLookup;
        _options = options;
        _timeProvider = timeProvider;
        _warmClock = new WarmClock(timeProvider);
        _logger = logger;
        _metrics = metrics;
        _ownedResources = ownedResources;
        _plans = new BoundedCache<PlanEntry>(options.Cache.MaxDomains);
        _hosts = new BoundedCache<HostEntry>(options.Cache.MaxDomains);
        _daneRequired = new HashSet<string>(options.Dane.RequiredDomains.Select(DomainName.Normalize), StringComparer.Ordinal);
        _flights = new SingleFlight<string, DeliveryPlan>(PlanUncachedAsync, (domain, exception) => Log.PlanFailed(_logger, domain, exception), StringComparer.Ordinal);
    }

    /// <summary>The MTA-STS resolver the plans use (for a <see cref="PolicyRefresher"/>, or to resolve alone with the same cache).</summary>
    public IMtaStsPolicyResolver Resolver => _resolver;

    /// <summary>The number of domains whose plan is remembered (for tests and diagnostics).</summary>
    internal int CachedDomainCount => _plans.Count;

    /// <summary>
    /// Builds a planner and everything it needs, without dependency injection (console programs, PowerShell): its own
    /// <see cref="MtaStsPolicyResolver"/>, and one DNS client shared by the resolver and the MX and TLSA lookups.
    /// </summary>
    /// <param name="options">Settings; validated as under DI. <see langword="null"/> means the defaults.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> means nowhere.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <returns>A planner that owns its resolver, DNS client and caches. Dispose it when done.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are out of range.</exception>
    /// <exception cref="InvalidOperationException">No DNS server is configured anywhere.</exception>
    public static DeliveryPlanner Create(MtaStsOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        var composition = MtaStsComposition.ForFacade(options, loggerFactory, timeProvider);
        MtaStsPolicyResolver? resolver = null;
        try
        {
            resolver = composition.CreateResolver(ownsComposition: false);
            return composition.CreatePlanner(resolver, new Owned(resolver, composition));
        }
        catch
        {
            resolver?.Dispose();
            composition.Dispose();
            throw;
        }
    }

    /// <summary>The start timestamp of a warm plan nobody times.</summary>
    private const long NotTimed = long.MinValue;

    /// <inheritdoc/>
    public Task<DeliveryPlan> PlanDeliveryAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);

        // Only normalised names are remembered, so a name the plan cache holds needs no normalising.
        var entry = _plans.Get(domain);
        var name = entry is null ? DomainName.Normalize(domain) : domain;
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<DeliveryPlan>(cancellationToken);
        }

        // The warm path: two dictionary lookups (the plan's and the resolver's), one cheap clock read each, no I/O, no allocation.
        var started = _metrics.TimesPlans ? _timeProvider.GetTimestamp() : NotTimed;
        if (entry is not null && _warmClock.UtcNowTicks() < entry.PlanUntilTicks)
        {
            if (entry.Resolution is null)
            {
                return Warm(name, entry, started);
            }

            // No caller token here: an unfinished resolution is the shared one, which the planning below joins.
            var resolution = _resolver.ResolveAsync(name, CancellationToken.None);
            if (resolution.IsCompletedSuccessfully && entry.Resolution.IsSameAnswerAs(resolution.Result))
            {
                return Warm(name, entry, started);
            }
        }

        return _flights.RunAsync(name, _disposing.Token, cancellationToken);
    }

    /// <summary>Releases the caches and, for a planner made by <see cref="Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>, its resolver.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing.Cancel();
        _plans.Dispose();
        _hosts.Dispose();
        _ownedResources?.Dispose();
        _disposing.Dispose();
    }

    private Task<DeliveryPlan> Warm(string domain, PlanEntry entry, long started)
    {
        _metrics.RecordPlan(entry.Plan.Status, fromMemory: true, started == NotTimed ? TimeSpan.Zero : _timeProvider.GetElapsedTime(started));
        Log.PlanServedFromMemory(_logger, domain);
        return entry.PlanTask;
    }

    private async Task<DeliveryPlan> PlanUncachedAsync(string domain, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var startTicks = _timeProvider.GetUtcNow().UtcTicks;
        var entry = _plans.Get(domain);
        var previousPlanValid = entry is not null && startTicks < entry.PlanUntilTicks;

        using var activity = MtaStsMetrics.ActivitySource.StartActivity(MtaStsTelemetry.PlanDeliveryActivityName, ActivityKind.Internal);
        activity?.SetTag("mtasts.recipient_domain", domain);

        // 1. The MX hosts (DANE-2.1.2-a, PREC-d: a failed lookup defers, whatever MTA-STS says).
        MxLookupResult mx;
        long mxUntil;
        if (entry is not null && startTicks < entry.MxUntilTicks)
        {
            mx = entry.Mx;
            mxUntil = entry.MxUntilTicks;
            Log.Planning(_logger, domain, "from memory");
        }
        else
        {
            Log.Planning(_logger, domain, "looked up");
            mx = await _mxLookup.LookupAsync(domain, cancellationToken).ConfigureAwait(false);
            mxUntil = Until(mx.TimeToLive);
        }

        if (mx.Status is MxLookupStatus.Failed or MxLookupStatus.NullMx or MxLookupStatus.DomainNotFound)
        {
            var noHosts = NoHostsPlan(domain, mx);
            var until = noHosts.Status == DeliveryPlanStatus.Defer ? Math.Min(mxUntil, Until(TimeSpan.Zero)) : mxUntil;
            return Finish(domain, new PlanEntry(mx, mxUntil, noHosts, resolution: null, until), started, activity, fromMemory: false);
        }

        // 2. MTA-STS and DANE for every host, at the same time.
        var hosts = mx.Hosts;
        if (hosts.Count > MaxHostsPerDomain)
        {
            Log.HostsTruncated(_logger, domain, hosts.Count, MaxHostsPerDomain);
            hosts = hosts.Take(MaxHostsPerDomain).ToArray();
        }

        var resolutionTask = _resolver.ResolveAsync(domain, cancellationToken);
        var daneTasks = new Task<HostEntry>[hosts.Count];
        for (var i = 0; i < hosts.Count; i++)
        {
            var known = _hosts.Get(hosts[i].Name);
            daneTasks[i] = known is not null && startTicks < known.UntilTicks
                ? Task.FromResult(known)
                : LookupHostAsync(hosts[i].Name, mx.Secure, cancellationToken);
        }

        var dane = await Task.WhenAll(daneTasks).ConfigureAwait(false);
        var resolution = await resolutionTask.ConfigureAwait(false);

        // Nothing changed since the remembered plan (the resolver's answer was not ready on the warm path, but is the same).
        if (previousPlanValid && resolution.IsSameAnswerAs(entry!.Resolution))
        {
            return Finish(domain, entry, started, activity, fromMemory: true);
        }

        // 3. The decisions; under enforce, no usable host for want of a matching name means: re-check the TXT id first.
        var decisions = Decide(domain, mx, hosts, dane, resolution);
        var reasons = new List<string>(5) { "MX: " + mx.Message, MtaStsReason(resolution) };
        if (_daneRequired.Contains(domain))
        {
            reasons.Add(mx.Secure
                ? "DANE is required for this domain (MtaStsOptions.Dane.RequiredDomains): only hosts with usable, DNSSEC-secure TLSA records may be used (RFC 7672 §2.2, §6)."
                : "DANE is required for this domain (MtaStsOptions.Dane.RequiredDomains), but the MX answer is not DNSSEC-secure: delivery is deferred (RFC 7672 §2.2.1).");
        }
        if (!decisions.Exists(static d => d.IsUsable) && decisions.Exists(DeliveryRules.SkippedForMtaStsMismatch)
            && resolution.Policy is { Mode: MtaStsMode.Enforce } enforced)
        {
            Log.PolicyRecheck(_logger, domain, resolution.Record?.Id);
            var recheck = await _resolver.RecheckAsync(domain, cancellationToken).ConfigureAwait(false);
            if (MtaStsPolicy.HaveSameContent(recheck.Policy, enforced))
            {
                Log.PolicyRecheckResult(_logger, domain, "unchanged", recheck.Record?.Id);
                reasons.Add($"No host passes the MTA-STS enforce policy; the TXT record was checked again and the policy is unchanged (id {recheck.Record?.Id ?? resolution.Record?.Id}), so delivery is deferred, not failed (RFC 8461 §5.1, decision A-20).");
            }
            else
            {
                Log.PolicyRecheckResult(_logger, domain, "new policy", recheck.Record?.Id);
                reasons.Add($"No host passed the MTA-STS enforce policy (id {resolution.Record?.Id}); the TXT record was checked again and a newer answer was applied: {MtaStsReason(recheck)} (RFC 8461 §5.1, decision A-20).");
                decisions = Decide(domain, mx, hosts, dane, recheck);
            }

            resolution = recheck;
        }

        if (mx.Hosts.Count > hosts.Count)
        {
            reasons.Add($"Only the {hosts.Count} most preferred of {mx.Hosts.Count} MX hosts were planned.");
        }

        // The status sentence comes last: logs, the activity status and the CLI show the last reason of a deferral.
        var usable = decisions.Count(static d => d.IsUsable);
        var status = usable > 0 ? DeliveryPlanStatus.Deliver : DeliveryPlanStatus.Defer;
        reasons.Add(status == DeliveryPlanStatus.Deliver
            ? $"{usable} of {decisions.Count} host(s) usable now."
            : "No host is usable now: defer delivery and retry later (a temporary failure, never a bounce).");

        var plan = new DeliveryPlan
        {
            Domain = domain,
            Status = status,
            MxSecure = mx.Secure,
            ImplicitMx = mx.Status == MxLookupStatus.ImplicitMx,
            Hosts = decisions,
            MtaStsResolution = resolution,
            Reasons = reasons,
        };

        foreach (var decision in decisions)
        {
            if (!decision.IsUsable)
            {
                Log.HostSkipped(_logger, decision.Host, domain, decision.ReportResultType ?? "no result type", decision.Reasons[^1]);
            }
            else if (decision.Dane == DaneStatus.Usable && decision.MtaStsMxMatch == false && plan.MtaStsResolution?.Policy is { } policy)
            {
                Log.DaneOverridesMtaSts(_logger, decision.Host, domain, policy.Mode);
            }
        }

        var planUntil = mxUntil;
        foreach (var host in dane)
        {
            planUntil = Math.Min(planUntil, host.UntilTicks);
        }

        if (status == DeliveryPlanStatus.Defer)
        {
            planUntil = Math.Min(planUntil, Until(TimeSpan.Zero));
        }

        return Finish(domain, new PlanEntry(mx, mxUntil, plan, resolution, planUntil), started, activity, fromMemory: false);
    }

    private List<MxDecision> Decide(string domain, MxLookupResult mx, IReadOnlyList<MxHost> hosts, HostEntry[] dane, MtaStsResolution resolution)
    {
        var context = new DeliveryRules.Context(domain, mx.Secure, mx.Status == MxLookupStatus.ImplicitMx, resolution, _options, _daneRequired.Contains(domain), mx.ExpandedDomain);
        var decisions = new List<MxDecision>(hosts.Count);
        for (var i = 0; i < hosts.Count; i++)
        {
            decisions.Add(DeliveryRules.Decide(context, hosts[i], dane[i].Result));
        }

        return decisions;
    }

    private async Task<HostEntry> LookupHostAsync(string host, bool mxSecure, CancellationToken cancellationToken)
    {
        var result = await _tlsaLookup.LookupAsync(host, mxSecure, cancellationToken).ConfigureAwait(false);
        var entry = new HostEntry(result, Until(result.TimeToLive));
        Store(_hosts, host, entry);
        return entry;
    }

    private DeliveryPlan Finish(string domain, PlanEntry entry, long started, Activity? activity, bool fromMemory)
    {
        var plan = entry.Plan;
        if (!fromMemory)
        {
            Store(_plans, domain, entry);
        }

        _metrics.RecordPlan(plan.Status, fromMemory, _timeProvider.GetElapsedTime(started));
        var usable = CountUsable(plan);
        Log.PlanCompleted(_logger, domain, plan.Status, usable, plan.Hosts.Count);
        if (plan.Status == DeliveryPlanStatus.Defer)
        {
            Log.PlanDeferred(_logger, domain, plan.Reasons[^1]);
        }

        if (activity is not null)
        {
            activity.SetTag("mtasts.plan.status", plan.Status.ToToken());
            activity.SetTag("mtasts.plan.hosts", plan.Hosts.Count);
            activity.SetTag("mtasts.plan.usable_hosts", usable);
            if (plan.Status == DeliveryPlanStatus.Defer)
            {
                activity.SetStatus(ActivityStatusCode.Error, plan.Reasons[^1]);
            }
        }

        return plan;
    }

    private static int CountUsable(DeliveryPlan plan)
    {
        var usable = 0;
        foreach (var host in plan.Hosts)
        {
            usable += host.IsUsable ? 1 : 0;
        }

        return usable;
    }

    private static DeliveryPlan NoHostsPlan(string domain, MxLookupResult mx)
    {
        var status = mx.Status == MxLookupStatus.Failed ? DeliveryPlanStatus.Defer : DeliveryPlanStatus.NoMailService;
        return new DeliveryPlan
        {
            Domain = domain,
            Status = status,
            MxSecure = mx.Secure,
            Reasons =
            [
                "MX: " + mx.Message,
                status == DeliveryPlanStatus.Defer
                    ? "The MX hosts are unknown: defer delivery and retry later; MTA-STS has no bearing on this (RFC 7672 §2.1.2)."
                    : mx.Status == MxLookupStatus.NullMx
                        ? "The domain accepts no mail (RFC 7505): a permanent failure."
                        : "The domain does not exist: a permanent failure.",
            ],
        };
    }

    private static string MtaStsReason(MtaStsResolution resolution) => resolution.Outcome switch
    {
        MtaStsOutcome.Policy when resolution.Policy is { Mode: MtaStsMode.None } =>
            $"MTA-STS: mode none{Id(resolution)}: treated as no policy (RFC 8461 §5).",
        MtaStsOutcome.Policy when resolution.Policy is { } policy =>
            $"MTA-STS: mode {policy.Mode.ToToken()}{Id(resolution)}, mx {string.Join(", ", policy.MxPatterns)}, {SourceText(resolution)}.",
        MtaStsOutcome.NoPolicy => "MTA-STS: no policy.",
        MtaStsOutcome.FetchFailure =>
            $"MTA-STS: a record exists but no policy could be fetched ({resolution.ReportResultType ?? "failure"}{(resolution.Evidence is { } evidence ? ": " + evidence.Message : string.Empty)}); delivering as without MTA-STS (RFC 8461 §3.3).",
        _ => "MTA-STS: the TXT lookup failed and nothing is cached; delivering as without MTA-STS (decision A-1).",
    };

    private static string Id(MtaStsResolution resolution) => resolution.Record is { } record ? $" (id {record.Id})" : string.Empty;

    private static string SourceText(MtaStsResolution resolution) => resolution.Source switch
    {
        PolicySource.Fetched => "fetched now",
        PolicySource.CacheAfterFailure => $"cached, applied after a failure ({resolution.ReportResultType ?? resolution.Failure.ToString()})",
        _ => "cached",
    };

    /// <summary>Now plus a DNS TTL clamped to the record recheck window, in UTC ticks.</summary>
    private long Until(TimeSpan timeToLive)
    {
        var interval = timeToLive < _options.Cache.MinRecordRecheckInterval ? _options.Cache.MinRecordRecheckInterval
            : timeToLive > _options.Cache.MaxRecordRecheckInterval ? _options.Cache.MaxRecordRecheckInterval
            : timeToLive;
        return (_timeProvider.GetUtcNow() + interval).UtcTicks;
    }

    private void Store<T>(BoundedCache<T> cache, string key, T value)
        where T : class
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            cache.Set(key, value);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while this plan was finishing: nothing to remember.
        }
    }

    /// <summary>What a facade-built planner owns: its resolver, then the graph they share.</summary>
    private sealed class Owned(MtaStsPolicyResolver resolver, IDisposable composition) : IDisposable
    {
        public void Dispose()
        {
            resolver.Dispose();
            composition.Dispose();
        }
    }
}
