namespace MtaSts.Dns;

/// <summary>What the MX lookup of a recipient domain found.</summary>
internal enum MxLookupStatus
{
    /// <summary>An MX RRset with at least one host.</summary>
    Found,

    /// <summary>The domain exists but has no MX records: the domain itself is the only host (RFC 5321 §5.1, A-15).</summary>
    ImplicitMx,

    /// <summary>The domain publishes the null MX (<c>0 .</c>, RFC 7505): it accepts no mail. Permanent.</summary>
    NullMx,

    /// <summary>The domain does not exist (NXDOMAIN). Permanent.</summary>
    DomainNotFound,

    /// <summary>
    /// The lookup failed (SERVFAIL, bogus or indeterminate DNSSEC, timeout, malformed reply): which servers to use is
    /// unknown, so delivery must be delayed (DANE-2.1.2-a, PREC-d). Temporary.
    /// </summary>
    Failed,
}

/// <summary>One MX host, in the library's name form (lower-case A-labels, no trailing dot).</summary>
/// <param name="Name">The host name.</param>
/// <param name="Preference">The MX preference; lower is tried first. 0 for the implicit MX.</param>
internal sealed record MxHost(string Name, int Preference);

/// <summary>The result of <see cref="MxLookup.LookupAsync"/>.</summary>
internal sealed class MxLookupResult
{
    public MxLookupResult(string domain, MxLookupStatus status, bool secure, bool resolverTrusted, IReadOnlyList<MxHost> hosts, TimeSpan timeToLive, string message, string? expandedDomain = null)
    {
        Domain = domain;
        ExpandedDomain = expandedDomain ?? domain;
        Status = status;
        Secure = secure;
        ResolverTrusted = resolverTrusted;
        Hosts = hosts;
        TimeToLive = timeToLive;
        Message = message;
    }

    /// <summary>The recipient domain, normalised.</summary>
    public string Domain { get; }

    /// <summary>
    /// The recipient domain after the CNAMEs the MX answer led through (DANE-2.2.1-d); <see cref="Domain"/> when it is not
    /// an alias. With a secure MX RRset it is a DANE-TA reference identifier too (RFC 7672 §3.2.2).
    /// </summary>
    public string ExpandedDomain { get; }

    /// <summary>What was found.</summary>
    public MxLookupStatus Status { get; }

    /// <summary>
    /// Whether the answer (the MX RRset, the CNAMEs leading to it, or the denial behind an implicit or missing MX) is
    /// DNSSEC-secure: the AD bit, set by a trusted resolver. Always <see langword="false"/> for <see cref="MxLookupStatus.Failed"/>.
    /// </summary>
    public bool Secure { get; }

    /// <summary>Whether the resolver that answered is trusted to vouch for DNSSEC (see <see cref="MtaStsDaneOptions.TrustedResolvers"/>).</summary>
    public bool ResolverTrusted { get; }

    /// <summary>
    /// The hosts, by preference (lowest first; equal preferences in answer order; DANE-2.2.1-b), each name once.
    /// One host (the domain) for <see cref="MxLookupStatus.ImplicitMx"/>; empty for the other non-<see cref="MxLookupStatus.Found"/> statuses.
    /// </summary>
    public IReadOnlyList<MxHost> Hosts { get; }

    /// <summary>How long the answer may be reused: the smallest TTL involved; zero for a failure.</summary>
    public TimeSpan TimeToLive { get; }

    /// <summary>What happened, in words, for logs and reports.</summary>
    public string Message { get; }

    /// <summary>Whether the status is temporary (delay delivery and try again later).</summary>
    public bool IsTemporaryFailure => Status == MxLookupStatus.Failed;

    public override string ToString() => $"{Domain}: {Status}{(Secure ? " (secure)" : string.Empty)} [{string.Join(", ", Hosts.Select(h => $"{h.Preference} {h.Name}"))}] {Message}";
}
