namespace MtaSts;

/// <summary>
/// The exact strings of the TLS-RPT vocabulary (RFC 8460 §4.3, §4.4): result types and policy types, both ways. The one
/// table of these strings in the library; comparisons are ordinal (the registry strings are lower case).
/// </summary>
public static class TlsRptTokens
{
    // Indexed by (int)TlsRptResultType - 1; the enum's order.
    private static readonly string[] ResultTypeTokens =
    [
        "starttls-not-supported",
        "certificate-host-mismatch",
        "certificate-expired",
        "certificate-not-trusted",
        "validation-failure",
        "tlsa-invalid",
        "dnssec-invalid",
        "dane-required",
        "sts-policy-fetch-error",
        "sts-policy-invalid",
        "sts-webpki-invalid",
    ];

    // Indexed by (int)TlsRptPolicyType - 1.
    private static readonly string[] PolicyTypeTokens = ["sts", "tlsa", "no-policy-found"];

    private static readonly string[] SendStatusTokens = ["delivered", "not-delivered", "already-sent", "nothing-to-report", "record-gone", "record-lookup-failed", "store-failed"];

    /// <summary>Every result type, in registry order.</summary>
    public static IReadOnlyList<TlsRptResultType> ResultTypes { get; } =
    [
        TlsRptResultType.StartTlsNotSupported,
        TlsRptResultType.CertificateHostMismatch,
        TlsRptResultType.CertificateExpired,
        TlsRptResultType.CertificateNotTrusted,
        TlsRptResultType.ValidationFailure,
        TlsRptResultType.TlsaInvalid,
        TlsRptResultType.DnssecInvalid,
        TlsRptResultType.DaneRequired,
        TlsRptResultType.StsPolicyFetchError,
        TlsRptResultType.StsPolicyInvalid,
        TlsRptResultType.StsWebPkiInvalid,
    ];

    /// <summary>The registry string of a result type, e.g. <c>certificate-expired</c>.</summary>
    /// <param name="resultType">The result type.</param>
    /// <returns>The exact string.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resultType"/> is not a defined value.</exception>
    public static string ToToken(TlsRptResultType resultType) => Lookup(ResultTypeTokens, (int)resultType, nameof(resultType));

    /// <summary>The <c>policy-type</c> string of a policy type: <c>sts</c>, <c>tlsa</c> or <c>no-policy-found</c>.</summary>
    /// <param name="policyType">The policy type.</param>
    /// <returns>The exact string.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="policyType"/> is not a defined value.</exception>
    public static string ToToken(TlsRptPolicyType policyType) => Lookup(PolicyTypeTokens, (int)policyType, nameof(policyType));

    /// <summary>The stable string of a send outcome, e.g. <c>not-delivered</c> (used by <c>mta-sts report send</c> and traces).</summary>
    /// <param name="status">The outcome.</param>
    /// <returns>The string.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is not a defined value.</exception>
    public static string ToToken(TlsReportSendStatus status) => Lookup(SendStatusTokens, (int)status, nameof(status));

    /// <summary>Reads a result type from its registry string (exact, case-sensitive).</summary>
    /// <param name="token">The string, e.g. <c>tlsa-invalid</c>.</param>
    /// <param name="resultType">The result type, when known.</param>
    /// <returns><see langword="true"/> when <paramref name="token"/> is one of the registry strings.</returns>
    public static bool TryParseResultType(ReadOnlySpan<char> token, out TlsRptResultType resultType)
    {
        var index = IndexOf(ResultTypeTokens, token);
        resultType = (TlsRptResultType)(index + 1);
        return index >= 0;
    }

    /// <summary>Reads a policy type from its <c>policy-type</c> string (exact, case-sensitive).</summary>
    /// <param name="token">The string, e.g. <c>no-policy-found</c>.</param>
    /// <param name="policyType">The policy type, when known.</param>
    /// <returns><see langword="true"/> when <paramref name="token"/> is <c>sts</c>, <c>tlsa</c> or <c>no-policy-found</c>.</returns>
    public static bool TryParsePolicyType(ReadOnlySpan<char> token, out TlsRptPolicyType policyType)
    {
        var index = IndexOf(PolicyTypeTokens, token);
        policyType = (TlsRptPolicyType)(index + 1);
        return index >= 0;
    }

    /// <summary>The result type an <see cref="MtaStsFailure"/> is reported as, if any (the three policy failures).</summary>
    /// <param name="failure">The failure kind of a resolution.</param>
    /// <returns>The result type, or <see langword="null"/> for discovery outcomes, which have none.</returns>
    public static TlsRptResultType? FromMtaStsFailure(MtaStsFailure failure) => failure switch
    {
        MtaStsFailure.PolicyFetchError => TlsRptResultType.StsPolicyFetchError,
        MtaStsFailure.PolicyInvalid => TlsRptResultType.StsPolicyInvalid,
        MtaStsFailure.WebPkiInvalid => TlsRptResultType.StsWebPkiInvalid,
        _ => null,
    };

    private static string Lookup(string[] tokens, int value, string name) =>
        value >= 1 && value <= tokens.Length ? tokens[value - 1] : throw new ArgumentOutOfRangeException(name, value, "Not a defined value.");

    private static int IndexOf(string[] tokens, ReadOnlySpan<char> token)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            if (token.SequenceEqual(tokens[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
