namespace MtaSts.Fetching;

/// <summary>Fetches <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> under the strict rules of RFC 8461 §3.3.</summary>
internal interface IPolicyFetcher
{
    /// <summary>Fetches the policy body of a normalised domain. Never throws for network or content problems; only for cancellation.</summary>
    Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken);
}

/// <summary>The result of a fetch: a body, or a classified failure with evidence.</summary>
internal sealed class PolicyFetchResult
{
    /// <summary><see cref="MtaStsFailure.None"/>, <see cref="MtaStsFailure.PolicyFetchError"/>, <see cref="MtaStsFailure.PolicyInvalid"/> or <see cref="MtaStsFailure.WebPkiInvalid"/>.</summary>
    public required MtaStsFailure Failure { get; init; }

    /// <summary>The body decoded as UTF-8, when <see cref="Failure"/> is <see cref="MtaStsFailure.None"/>.</summary>
    public string? Body { get; init; }

    /// <summary>What was seen, when the fetch failed.</summary>
    public MtaStsEvidence? Evidence { get; init; }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public int? HttpStatusCode { get; init; }
}
