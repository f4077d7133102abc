namespace MtaSts;

/// <summary>Names of the library's <see cref="System.Diagnostics.Metrics.Meter"/>, <see cref="System.Diagnostics.ActivitySource"/> and instruments, for OpenTelemetry set-up.</summary>
/// <remarks>No metric carries a domain or host name as a tag; activities and logs do.</remarks>
public static class MtaStsTelemetry
{
    /// <summary>The meter name: <c>MtaSts</c>.</summary>
    public const string MeterName = "MtaSts";

    /// <summary>The activity source name: <c>MtaSts</c>.</summary>
    public const string ActivitySourceName = "MtaSts";

    /// <summary>Counter of resolutions (<c>{resolution}</c>); tags <c>mtasts.outcome</c>, <c>mtasts.policy.source</c>, <c>error.type</c>.</summary>
    public const string Resolutions = "mtasts.resolutions";

    /// <summary>Histogram of resolution durations in seconds; tags as <see cref="Resolutions"/>.</summary>
    public const string ResolutionDuration = "mtasts.resolution.duration";

    /// <summary>Counter of HTTPS policy fetches (<c>{fetch}</c>); tags <c>mtasts.fetch.result</c>, <c>http.response.status_code</c>.</summary>
    public const string PolicyFetches = "mtasts.policy.fetches";

    /// <summary>Histogram of HTTPS policy fetch durations in seconds; tags as <see cref="PolicyFetches"/>.</summary>
    public const string PolicyFetchDuration = "mtasts.policy.fetch.duration";

    /// <summary>Counter of cache lookups (<c>{lookup}</c>); tag <c>mtasts.cache.result</c> = <c>hit</c> | <c>miss</c> | <c>stale</c>.</summary>
    public const string CacheLookups = "mtasts.cache.lookups";

    /// <summary>Counter of delivery plans (<c>{plan}</c>); tags <c>mtasts.plan.status</c> = <c>deliver</c> | <c>defer</c> | <c>no-mail-service</c>, <c>mtasts.plan.cache</c> = <c>hit</c> | <c>miss</c>.</summary>
    public const string DeliveryPlans = "mtasts.delivery.plans";

    /// <summary>Histogram of delivery planning durations in seconds; tags as <see cref="DeliveryPlans"/>.</summary>
    public const string DeliveryPlanDuration = "mtasts.delivery.plan.duration";

    /// <summary>Counter of policy store operations (<c>{operation}</c>); tags <c>mtasts.store.operation</c> = <c>get</c> | <c>set</c> | <c>remove</c>, <c>mtasts.store.result</c> = <c>hit</c> | <c>miss</c> | <c>written</c> | <c>kept</c> | <c>removed</c> | <c>timeout</c> | <c>error</c> | <c>invalid</c>.</summary>
    public const string StoreOperations = "mtasts.store.operations";

    /// <summary>Histogram of policy store operation durations in seconds; tags as <see cref="StoreOperations"/>.</summary>
    public const string StoreOperationDuration = "mtasts.store.operation.duration";

    /// <summary>Counter of downgrade signals (<c>{downgrade}</c>, decision S-5); tag <c>mtasts.downgrade.kind</c> = <c>mode-weakened</c> | <c>mx-patterns-changed</c> | <c>max-age-reduced</c> | <c>record-removed</c> | <c>applied-after-failure</c> (one count per kind).</summary>
    public const string PolicyDowngrades = "mtasts.policy.downgrades";

    /// <summary>Counter of policy refreshes (<c>{refresh}</c>, RFC 8461 §3.3, §10.2); tag <c>mtasts.refresh.result</c> = <c>success</c> | <c>failure</c>.</summary>
    public const string PolicyRefreshes = "mtasts.policy.refreshes";

    /// <summary>The activity event added to the current activity when the policy store is skipped (timeout, error, unusable entry).</summary>
    public const string StoreDegradedEventName = "mtasts.store.degraded";

    /// <summary>The activity event added to the current activity when a downgrade signal is raised (decision S-5).</summary>
    public const string DowngradeEventName = "mtasts.policy.downgrade";

    /// <summary>The activity of one delivery plan that was not served from memory (kind Internal).</summary>
    public const string PlanDeliveryActivityName = "MtaSts.PlanDelivery";

    /// <summary>The activity of one resolution (kind Internal).</summary>
    public const string ResolveActivityName = "MtaSts.Resolve";

    /// <summary>The activity of one HTTPS policy fetch (kind Client).</summary>
    public const string FetchActivityName = "MtaSts.FetchPolicy";

    /// <summary>Counter of SMTP sessions recorded for TLS-RPT (<c>{session}</c>, RFC 8460); tag <c>mtasts.tlsrpt.result</c> = <c>success</c> | <c>failure</c>.</summary>
    public const string TlsRptSessions = "mtasts.tlsrpt.sessions";

    /// <summary>Counter of day reports' counts flushed to the report store (<c>{report}</c>); tag <c>mtasts.tlsrpt.flush.result</c> = <c>stored</c> | <c>dropped</c> (no TLS-RPT record, decision R-10) | <c>failed</c> (kept for the next flush).</summary>
    public const string TlsRptFlushes = "mtasts.tlsrpt.flushes";

    /// <summary>
    /// Counter of MX hosts probed by <see cref="MxProbe"/> (<c>{host}</c>); tags <c>mtasts.probe.result</c> =
    /// <c>usable</c> | <c>unusable</c> | <c>skipped</c> and <c>error.type</c> (the RFC 8460 result type of a failure).
    /// </summary>
    public const string MxProbes = "mtasts.mx.probes";

    /// <summary>The activity of one MX host probe (kind Client; tag <c>mtasts.mx.host</c>).</summary>
    public const string ProbeMxActivityName = "MtaSts.ProbeMx";

    /// <summary>Counter of TLS-RPT reports sent to <c>rua</c> endpoints (<c>{delivery}</c>, one per report and endpoint, RFC 8460 §5); tags <c>mtasts.tlsrpt.delivery.method</c> = <c>https</c> | <c>mailto</c>, <c>mtasts.tlsrpt.delivery.outcome</c> = <c>delivered</c> | <c>failed</c> | <c>skipped</c>.</summary>
    public const string TlsRptDeliveries = "mtasts.tlsrpt.deliveries";

    /// <summary>Counter of TLS-RPT reports built for sending by <see cref="TlsReportScheduler"/> (<c>{report}</c>; each part of a split report counts); no tags.</summary>
    public const string TlsRptReports = "mtasts.tlsrpt.reports";

    /// <summary>The activity of building and sending one report domain's reports for one day (kind Internal; tag <c>mtasts.tlsrpt.send.status</c>).</summary>
    public const string SendTlsReportActivityName = "MtaSts.SendTlsReport";
}
