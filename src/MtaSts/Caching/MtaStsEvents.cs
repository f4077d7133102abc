namespace MtaSts;

/// <summary>
/// Events of a resolver that operators alert on: downgrade signals (decision S-5) and failed refreshes (RFC 8461 §3.3,
/// §10.2). Reached through <see cref="MtaStsOptions.Events"/>; under dependency injection the options configured in
/// <c>AddMtaSts</c> carry it (<c>options.Events.DowngradeDetected += …</c>).
/// </summary>
/// <remarks>
/// Handlers run synchronously on the thread that finished the resolution, after the resolution is decided and before it
/// is returned; keep them short (queue work elsewhere). A handler that throws is logged and never affects resolutions.
/// </remarks>
public sealed class MtaStsEvents
{
    /// <summary>
    /// Raised when a resolution weakens what was known about a domain: a fresh fetch weakens the cached policy (mode,
    /// <c>mx</c> patterns, <c>max_age</c> below a tenth), the TXT record disappears while a policy is cached, or a cached
    /// policy is applied because discovery or the fetch failed.
    /// </summary>
    public event EventHandler<PolicyDowngradeEventArgs>? DowngradeDetected;

    /// <summary>
    /// Raised when a refresh of a cached policy (the same TXT id fetched again before it expires) fails; the cached policy
    /// still applies. Not raised for cached <c>mode: none</c> policies.
    /// </summary>
    public event EventHandler<PolicyRefreshFailedEventArgs>? RefreshFailed;

    internal void OnDowngradeDetected(object sender, PolicyDowngradeEventArgs args) => DowngradeDetected?.Invoke(sender, args);

    internal void OnRefreshFailed(object sender, PolicyRefreshFailedEventArgs args) => RefreshFailed?.Invoke(sender, args);

    internal bool HasDowngradeHandlers => DowngradeDetected is not null;

    internal bool HasRefreshFailedHandlers => RefreshFailed is not null;
}
