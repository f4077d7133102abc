namespace MtaSts.Fetching;

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
