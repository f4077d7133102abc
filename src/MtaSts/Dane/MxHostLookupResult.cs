using System.Net;

namespace MtaSts.Dane;

/// <summary>The result of <see cref="MxHostLookup.LookupAsync"/>: what DANE says about one MX host, and the host's addresses.</summary>
internal sealed class MxHostLookupResult
{
    public MxHostLookupResult(
        string host,
        DaneStatus status,
        IReadOnlyList<TlsaAssociation> records,
        string baseDomain,
        IReadOnlyList<IPAddress> addresses,
        bool addressSecure,
        bool mxSecure,
        TimeSpan timeToLive,
        string message)
    {
        Host = host;
        Status = status;
        Records = records;
        BaseDomain = baseDomain;
        Addresses = addresses;
        AddressSecure = addressSecure;
        MxSecure = mxSecure;
        TimeToLive = timeToLive;
        Message = message;
    }

    /// <summary>The MX host looked up, normalised.</summary>
    public string Host { get; }

    /// <summary>What DANE says about the host.</summary>
    public DaneStatus Status { get; }

    /// <summary>
    /// The whole secure TLSA RRset (usable and unusable records, in answer order) for <see cref="DaneStatus.Usable"/>
    /// and <see cref="DaneStatus.Unusable"/>; empty otherwise. Matching uses only the records whose
    /// <see cref="TlsaAssociation.IsUsable"/> is true; reports (TLS-RPT <c>policy-string</c>) list them all.
    /// </summary>
    public IReadOnlyList<TlsaAssociation> Records { get; }

    /// <summary>
    /// The TLSA base domain when DANE applies (<see cref="DaneStatus.Usable"/> or <see cref="DaneStatus.Unusable"/>):
    /// the name under which the TLSA RRset was found, which is the SNI to send and the reference identifier for DANE-TA
    /// name checks (A-14, RFC 7672 §2.2.3, §3.2.2). Otherwise the MX host name itself.
    /// </summary>
    public string BaseDomain { get; }

    /// <summary>
    /// The host's IPv6 and IPv4 addresses as resolved for this lookup (after any CNAMEs). Empty when the host has none
    /// (it is unreachable, DANE-2.2.2-b) or when the address lookup failed.
    /// </summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>Whether the address answers (A and AAAA, with any CNAME chain) were DNSSEC-secure from a trusted resolver.</summary>
    public bool AddressSecure { get; }

    /// <summary>
    /// Whether the MX RRset that named this host was secure, as the caller said. When it was not, a DANE-authenticated
    /// delivery still must not be logged as secure delivery to the recipient domain (RFC 7672 §2.2.1, DANE-2.2.1-h).
    /// </summary>
    public bool MxSecure { get; }

    /// <summary>How long this result may be reused: the smallest TTL of the answers used; zero for a failure.</summary>
    public TimeSpan TimeToLive { get; }

    /// <summary>What happened, in words, for logs and reports.</summary>
    public string Message { get; }

    /// <summary>
    /// Whether the host may be tried now: it has addresses and no lookup on the way to its TLSA records failed
    /// (DANE-2.1.2-d, DANE-2.2-e, PREC-b).
    /// </summary>
    public bool HostUsable => Status != DaneStatus.LookupFailed && Addresses.Count > 0;

    /// <summary>Whether DANE requires TLS with this host (a secure TLSA RRset exists, usable or not; DANE-2.2.3-f, PREC-c).</summary>
    public bool TlsRequired => Status is DaneStatus.Usable or DaneStatus.Unusable;

    public override string ToString() => $"{Host}: {Status} (base {BaseDomain}, {Records.Count} TLSA, {Addresses.Count} address(es){(AddressSecure ? ", secure" : string.Empty)}) {Message}";
}
