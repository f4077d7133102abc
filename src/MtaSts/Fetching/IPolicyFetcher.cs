namespace MtaSts.Fetching;

/// <summary>Fetches <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> under the strict rules of RFC 8461 §3.3.</summary>
internal interface IPolicyFetcher
{
    /// <summary>Fetches the policy body of a normalised domain. Never throws for network or content problems; only for cancellation.</summary>
    Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken);
}
