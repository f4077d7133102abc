using System.Text;

namespace MtaSts;

/// <summary>
/// The policy a TLS-RPT report entry is about (RFC 8460 §4.4 <c>policy</c>): its type, its policy domain (A-labels), its
/// <c>policy-string</c> and, for <c>sts</c>, its <c>mx</c> patterns. Sessions are counted under the policy that decided
/// their host (decision R-2). Compared by value, so it serves as an aggregation key.
/// </summary>
public sealed class TlsRptPolicy : IEquatable<TlsRptPolicy>
{
    /// <summary>The largest policy body whose lines are reported for an invalid policy (decision R-9).</summary>
    internal const int MaxPolicyTextBytes = 65536;

    private readonly int _hash;

    private TlsRptPolicy(TlsRptPolicyType policyType, string policyDomain, string[] policyStrings, string[] mxHosts)
    {
        PolicyType = policyType;
        PolicyDomain = policyDomain;
        PolicyStrings = policyStrings;
        MxHosts = mxHosts;
        var hash = new HashCode();
        hash.Add(policyType);
        hash.Add(policyDomain, StringComparer.Ordinal);
        foreach (var s in policyStrings)
        {
            hash.Add(s, StringComparer.Ordinal);
        }

        hash.Add(policyStrings.Length);
        foreach (var s in mxHosts)
        {
            hash.Add(s, StringComparer.Ordinal);
        }

        _hash = hash.ToHashCode();
    }

    /// <summary>The <c>policy-type</c>.</summary>
    public TlsRptPolicyType PolicyType { get; }

    /// <summary>
    /// The <c>policy-domain</c>: the policy domain for <c>sts</c> and <c>no-policy-found</c>, the TLSA base domain for
    /// <c>tlsa</c> (decision R-2); lower-case A-labels. Always present (also for <c>no-policy-found</c>).
    /// </summary>
    public string PolicyDomain { get; }

    /// <summary>
    /// The <c>policy-string</c>: for <c>sts</c> one element per policy line (empty when the policy could not be had,
    /// decisions ); for <c>tlsa</c> one element per record, <c>usage selector mtype hexdata</c>; empty for
    /// <c>no-policy-found</c>.
    /// </summary>
    public IReadOnlyList<string> PolicyStrings { get; }

    /// <summary>The <c>mx-host</c> patterns of an <c>sts</c> policy (A-labels, <c>*.</c> wildcards kept); empty otherwise.</summary>
    public IReadOnlyList<string> MxHosts { get; }

    /// <summary>An <c>sts</c> policy from its lines and <c>mx</c> patterns.</summary>
    /// <param name="policyDomain">The policy domain (normalised to A-labels).</param>
    /// <param name="policyStrings">The policy lines as received; empty lines are left out.</param>
    /// <param name="mxHosts">The <c>mx</c> patterns (normalised to A-labels); none when the policy could not be had.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentException">A domain or pattern is not a valid name.</exception>
    public static TlsRptPolicy Sts(string policyDomain, IEnumerable<string> policyStrings, IEnumerable<string>? mxHosts = null)
    {
        ArgumentNullException.ThrowIfNull(policyStrings);
        var lines = policyStrings.Where(line => !string.IsNullOrEmpty(line)).ToArray();
        var patterns = mxHosts is null ? [] : mxHosts.Select(NormalizePattern).ToArray();
        return new TlsRptPolicy(TlsRptPolicyType.Sts, DomainName.Normalize(policyDomain), lines, patterns);
    }

    /// <summary>The <c>sts</c> policy a valid MTA-STS policy is reported as: its lines and its <c>mx</c> patterns.</summary>
    /// <param name="policyDomain">The policy domain.</param>
    /// <param name="policy">The policy that decided the sessions.</param>
    /// <returns>The policy.</returns>
    public static TlsRptPolicy FromMtaStsPolicy(string policyDomain, MtaStsPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var patterns = new string[policy.MxPatterns.Count];
        for (var i = 0; i < patterns.Length; i++)
        {
            patterns[i] = policy.MxPatterns[i].Pattern;
        }

        return new TlsRptPolicy(TlsRptPolicyType.Sts, DomainName.Normalize(policyDomain), SplitLines(policy.Text), patterns);
    }

    /// <summary>
    /// The <c>sts</c> policy of a domain whose MTA-STS policy could not be had (decisions ): the received lines
    /// when the body was text within 64 KiB (<c>sts-policy-invalid</c>), otherwise no lines (<c>sts-policy-fetch-error</c>,
    /// <c>sts-webpki-invalid</c>); no <c>mx</c> patterns.
    /// </summary>
    /// <param name="policyDomain">The policy domain.</param>
    /// <param name="policyText">The received body, or <see langword="null"/> when none was received.</param>
    /// <returns>The policy.</returns>
    public static TlsRptPolicy FromPolicyText(string policyDomain, string? policyText)
    {
        var lines = policyText is null || Encoding.UTF8.GetByteCount(policyText) > MaxPolicyTextBytes ? [] : SplitLines(policyText);
        return new TlsRptPolicy(TlsRptPolicyType.Sts, DomainName.Normalize(policyDomain), lines, []);
    }

    /// <summary>A <c>tlsa</c> policy: the TLSA base domain and its records, one <c>policy-string</c> element each (decision R-2).</summary>
    /// <param name="tlsaBaseDomain">The TLSA base domain (the MX host, or its CNAME expansion).</param>
    /// <param name="records">The TLSA RRset, in answer order.</param>
    /// <returns>The policy.</returns>
    public static TlsRptPolicy Tlsa(string tlsaBaseDomain, IEnumerable<TlsaAssociation> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var strings = records.Select(r => r.ToString()).ToArray();
        return new TlsRptPolicy(TlsRptPolicyType.Tlsa, DomainName.Normalize(tlsaBaseDomain), strings, []);
    }

    /// <summary>The <c>no-policy-found</c> entry of a domain with neither MTA-STS nor DANE; it still names its domain (decision R-9).</summary>
    /// <param name="policyDomain">The policy domain.</param>
    /// <returns>The policy.</returns>
    public static TlsRptPolicy NoPolicyFound(string policyDomain) =>
        new(TlsRptPolicyType.NoPolicyFound, DomainName.Normalize(policyDomain), [], []);

    /// <summary>A policy as another sender wrote it: nothing is normalised or checked (the reader's tolerance).</summary>
    internal static TlsRptPolicy FromReport(TlsRptPolicyType policyType, string policyDomain, string[] policyStrings, string[] mxHosts) =>
        new(policyType, policyDomain, policyStrings, mxHosts);

    /// <inheritdoc/>
    public bool Equals(TlsRptPolicy? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (_hash == other._hash
                && PolicyType == other.PolicyType
                && string.Equals(PolicyDomain, other.PolicyDomain, StringComparison.Ordinal)
                && PolicyStrings.SequenceEqual(other.PolicyStrings, StringComparer.Ordinal)
                && MxHosts.SequenceEqual(other.MxHosts, StringComparer.Ordinal)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TlsRptPolicy);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;

    /// <summary>The type and the domain, e.g. <c>sts example.com</c>.</summary>
    /// <returns>Readable text.</returns>
    public override string ToString() => $"{TlsRptTokens.ToToken(PolicyType)} {PolicyDomain}";

    /// <summary>A policy body's lines (LF or CRLF), empty lines left out.</summary>
    internal static string[] SplitLines(string text) =>
        text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).ToArray();

    private static string NormalizePattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return pattern.StartsWith("*.", StringComparison.Ordinal) ? "*." + DomainName.Normalize(pattern[2..]) : DomainName.Normalize(pattern);
    }
}
