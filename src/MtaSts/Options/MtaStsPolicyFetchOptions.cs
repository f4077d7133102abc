namespace MtaSts;

/// <summary>How policies are fetched from <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> (RFC 8461 §3.3). Part of <see cref="MtaStsOptions"/> (<see cref="MtaStsOptions.PolicyFetch"/>).</summary>
public sealed class MtaStsPolicyFetchOptions
{
    /// <summary>The total time allowed for fetching a policy, retries included (RFC 8461 §3.3 suggests one minute).</summary>
    /// <value>The default is 60 seconds; allowed 1 second to 5 minutes.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The time allowed for one TCP connection to the policy host.</summary>
    /// <value>The default is 10 seconds; allowed 100 ms to 1 minute.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a transient fetch failure (refused or reset connection, 5xx, timeout) is retried within <see cref="MtaStsPolicyFetchOptions.Timeout"/>.</summary>
    /// <value>The default is 2; allowed 0 to 5.</value>
    public int Retries { get; set; } = 2;

    /// <summary>The largest policy body accepted, in bytes; reading stops as soon as it is crossed (decision A-24).</summary>
    /// <value>The default is 65536; allowed 1024 to 1048576.</value>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The most policy fetches in flight at once, across all domains, so a burst of new domains cannot open unbounded
    /// connections (each fetch in flight holds one TLS connection and its buffers). Further fetches wait for a free slot;
    /// the fetch timeout starts when the fetch does.
    /// </summary>
    /// <value>The default is 64; allowed 1 to 10000.</value>
    public int MaxConcurrentFetches { get; set; } = 64;

    /// <summary>
    /// Whether policy hosts may be reached at non-public addresses: loopback (127.0.0.0/8, ::1), private (RFC 1918),
    /// shared (100.64.0.0/10, RFC 6598), link-local (169.254.0.0/16, fe80::/10) and unique-local (fc00::/7) addresses,
    /// and their IPv4-mapped IPv6 forms.
    /// </summary>
    /// <remarks>
    /// The recipient domain names its policy host, so without this check any domain could point a sender's fetcher at
    /// the sender's internal network (server-side request forgery). A refused address is never connected to; when no
    /// address of the host is left, the fetch fails as <see cref="MtaStsFailure.PolicyFetchError"/> with reason code
    /// <c>address-not-allowed</c>. Turn this on only for test environments (the test kit does) and private
    /// deployments whose policy hosts live on such networks. Unspecified (0.0.0.0, ::), multicast, broadcast and
    /// reserved (240.0.0.0/4) addresses are refused whatever this says.
    /// </remarks>
    /// <value>The default is <see langword="false"/>.</value>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>
    /// Whether the policy host's addresses are looked up through the same DNS client (and <see cref="MtaStsDnsOptions.NameServers"/>) as the
    /// TXT record, so both see one DNS view. When <see langword="false"/>, the operating system resolves it.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ResolveHostWithNameServers { get; set; } = true;

    /// <summary>The TCP port of the policy host. Only test environments change it; the URL and SNI stay <c>https://mta-sts.&lt;domain&gt;/</c>.</summary>
    /// <value>The default is 443.</value>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Advanced)]
    public int Port { get; set; } = 443;

    /// <summary>A deep copy: later changes to either side do not reach the other.</summary>
    /// <returns>The copy.</returns>
    internal MtaStsPolicyFetchOptions Clone()
    {
        var copy = new MtaStsPolicyFetchOptions
        {
            Timeout = Timeout,
            ConnectTimeout = ConnectTimeout,
            Retries = Retries,
            MaxBodyBytes = MaxBodyBytes,
            MaxConcurrentFetches = MaxConcurrentFetches,
            AllowPrivateAddresses = AllowPrivateAddresses,
            ResolveHostWithNameServers = ResolveHostWithNameServers,
            Port = Port,
        };

        return copy;
    }
}
