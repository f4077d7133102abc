using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of the resolver and its cache (event ids 400–499).</summary>
internal static partial class Log
{
    internal const int IdCacheHit = 400;
    internal const int IdResolving = 401;
    internal const int IdCachedPolicyExpired = 402;
    internal const int IdPolicyFetched = 403;
    internal const int IdPolicyChanged = 404;
    internal const int IdRefreshFailed = 405;
    internal const int IdRefreshFailedModeNone = 406;
    internal const int IdFetchFailedCachedPolicyApplied = 407;
    internal const int IdFetchFailedCachedModeNone = 408;
    internal const int IdFetchFailedNothingCached = 409;
    internal const int IdFetchBackoffActive = 410;
    internal const int IdDiscoveryFailedCachedPolicyApplied = 411;
    internal const int IdNoPolicy = 412;
    internal const int IdDnsFailureNothingCached = 413;
    internal const int IdPolicyNotCached = 414;
    internal const int IdResolutionFailed = 415;

    [LoggerMessage(EventId = IdCacheHit, EventName = "CacheHit", Level = LogLevel.Trace,
        Message = "MTA-STS answer for {PolicyDomain} served from memory")]
    internal static partial void CacheHit(ILogger logger, string policyDomain);

    [LoggerMessage(EventId = IdResolving, EventName = "Resolving", Level = LogLevel.Debug,
        Message = "Resolving the MTA-STS policy of {PolicyDomain} (cache: {CacheResult})")]
    internal static partial void Resolving(ILogger logger, string policyDomain, string cacheResult);

    [LoggerMessage(EventId = IdCachedPolicyExpired, EventName = "CachedPolicyExpired", Level = LogLevel.Debug,
        Message = "The cached MTA-STS policy of {PolicyDomain} (id {PolicyId}) expired at {ExpiresAt:O} and is no longer applied")]
    internal static partial void CachedPolicyExpired(ILogger logger, string policyDomain, string policyId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = IdPolicyFetched, EventName = "PolicyFetched", Level = LogLevel.Debug,
        Message = "Fetched the MTA-STS policy of {PolicyDomain}: id {PolicyId}, mode {Mode}, max_age {MaxAgeSeconds}")]
    internal static partial void PolicyFetched(ILogger logger, string policyDomain, string policyId, MtaStsMode mode, long maxAgeSeconds);

    [LoggerMessage(EventId = IdPolicyChanged, EventName = "PolicyChanged", Level = LogLevel.Information,
        Message = "The MTA-STS policy of {PolicyDomain} changed: id {PreviousPolicyId} mode {PreviousMode} is replaced by id {PolicyId} mode {Mode}")]
    internal static partial void PolicyChanged(ILogger logger, string policyDomain, string previousPolicyId, MtaStsMode previousMode, string policyId, MtaStsMode mode);

    // RFC 8461 §3.3 and §10.2: tell administrators when a refresh fails, unless the cached mode is none (next message).
    [LoggerMessage(EventId = IdRefreshFailed, EventName = "RefreshFailed", Level = LogLevel.Warning,
        Message = "Refreshing the MTA-STS policy of {PolicyDomain} (id {PolicyId}) failed ({FailureType}: {Reason}); the cached {Mode} policy applies until {ExpiresAt:O}, next attempt after {RetryAfter:O}")]
    internal static partial void RefreshFailed(ILogger logger, string policyDomain, string policyId, string failureType, string reason, MtaStsMode mode, DateTimeOffset expiresAt, DateTimeOffset retryAfter);

    [LoggerMessage(EventId = IdRefreshFailedModeNone, EventName = "RefreshFailedModeNone", Level = LogLevel.Debug,
        Message = "Refreshing the MTA-STS policy of {PolicyDomain} (id {PolicyId}, mode none) failed ({FailureType}: {Reason}); next attempt after {RetryAfter:O}")]
    internal static partial void RefreshFailedModeNone(ILogger logger, string policyDomain, string policyId, string failureType, string reason, DateTimeOffset retryAfter);

    [LoggerMessage(EventId = IdFetchFailedCachedPolicyApplied, EventName = "FetchFailedCachedPolicyApplied", Level = LogLevel.Warning,
        Message = "Fetching the MTA-STS policy of {PolicyDomain} for id {PolicyId} failed ({FailureType}: {Reason}); the cached {Mode} policy (id {CachedPolicyId}) applies until {ExpiresAt:O}, next attempt after {RetryAfter:O}")]
    internal static partial void FetchFailedCachedPolicyApplied(ILogger logger, string policyDomain, string policyId, string failureType, string reason, MtaStsMode mode, string cachedPolicyId, DateTimeOffset expiresAt, DateTimeOffset retryAfter);

    [LoggerMessage(EventId = IdFetchFailedCachedModeNone, EventName = "FetchFailedCachedModeNone", Level = LogLevel.Debug,
        Message = "Fetching the MTA-STS policy of {PolicyDomain} for id {PolicyId} failed ({FailureType}: {Reason}); the cached mode none policy (id {CachedPolicyId}) applies, next attempt after {RetryAfter:O}")]
    internal static partial void FetchFailedCachedModeNone(ILogger logger, string policyDomain, string policyId, string failureType, string reason, string cachedPolicyId, DateTimeOffset retryAfter);

    [LoggerMessage(EventId = IdFetchFailedNothingCached, EventName = "FetchFailedNothingCached", Level = LogLevel.Warning,
        Message = "Fetching the MTA-STS policy of {PolicyDomain} for id {PolicyId} failed ({FailureType}: {Reason}); nothing is cached, so delivery goes ahead as without MTA-STS; next attempt after {RetryAfter:O}")]
    internal static partial void FetchFailedNothingCached(ILogger logger, string policyDomain, string policyId, string failureType, string reason, DateTimeOffset retryAfter);

    [LoggerMessage(EventId = IdFetchBackoffActive, EventName = "FetchBackoffActive", Level = LogLevel.Debug,
        Message = "Not fetching the MTA-STS policy of {PolicyDomain} for id {PolicyId} before {RetryAfter:O}: the last attempt failed ({FailureType})")]
    internal static partial void FetchBackoffActive(ILogger logger, string policyDomain, string policyId, DateTimeOffset retryAfter, MtaStsFailure failureType);

    [LoggerMessage(EventId = IdDiscoveryFailedCachedPolicyApplied, EventName = "DiscoveryFailedCachedPolicyApplied", Level = LogLevel.Debug,
        Message = "The _mta-sts TXT lookup of {PolicyDomain} gave {FailureType}; the cached {Mode} policy (id {PolicyId}) applies until {ExpiresAt:O}")]
    internal static partial void DiscoveryFailedCachedPolicyApplied(ILogger logger, string policyDomain, MtaStsFailure failureType, MtaStsMode mode, string policyId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = IdNoPolicy, EventName = "NoPolicy", Level = LogLevel.Debug,
        Message = "{PolicyDomain} has no MTA-STS policy ({FailureType})")]
    internal static partial void NoPolicy(ILogger logger, string policyDomain, MtaStsFailure failureType);

    [LoggerMessage(EventId = IdDnsFailureNothingCached, EventName = "DnsFailureNothingCached", Level = LogLevel.Information,
        Message = "The _mta-sts TXT lookup of {PolicyDomain} failed temporarily ({Reason}); nothing is cached")]
    internal static partial void DnsFailureNothingCached(ILogger logger, string policyDomain, string reason);

    [LoggerMessage(EventId = IdPolicyNotCached, EventName = "PolicyNotCached", Level = LogLevel.Debug,
        Message = "The MTA-STS policy of {PolicyDomain} (id {PolicyId}) has max_age 0: it applies to this resolution and is not cached")]
    internal static partial void PolicyNotCached(ILogger logger, string policyDomain, string policyId);

    [LoggerMessage(EventId = IdResolutionFailed, EventName = "ResolutionFailed", Level = LogLevel.Error,
        Message = "Resolving the MTA-STS policy of {PolicyDomain} failed unexpectedly")]
    internal static partial void ResolutionFailed(ILogger logger, string policyDomain, Exception exception);
}
