using System.Diagnostics.CodeAnalysis;

namespace MtaSts;

/// <summary>
/// The stable lower-case words for the library's enums, as they appear in logs, metric tags, the CLI's output and
/// its JSON: <c>enforce</c>, <c>no-policy</c>, <c>cache-after-failure</c>, <c>dane-ee</c>, <c>no-mail-service</c>…
/// </summary>
/// <remarks>
/// One table per enum, used everywhere the library, its tool and its test kit print a value, so the words never drift
/// apart. The words are part of the public contract: a later version may add words, never change one. Parsing is
/// ordinal and case-sensitive (the words are written in lower case only); an undefined enum value gets
/// <c>unknown</c>.
/// </remarks>
public static class MtaStsTokens
{
    private const string Unknown = "unknown";

    /// <summary>The policy mode as RFC 8461 §3.2 spells it: <c>enforce</c>, <c>testing</c>, <c>none</c>.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>The word.</returns>
    public static string ToToken(this MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        MtaStsMode.None => "none",
        _ => Unknown,
    };

    /// <summary>The outcome: <c>policy</c>, <c>no-policy</c>, <c>fetch-failure</c>, <c>dns-failure</c>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The word.</returns>
    public static string ToToken(this MtaStsOutcome outcome) => outcome switch
    {
        MtaStsOutcome.Policy => "policy",
        MtaStsOutcome.NoPolicy => "no-policy",
        MtaStsOutcome.FetchFailure => "fetch-failure",
        MtaStsOutcome.DnsFailure => "dns-failure",
        _ => Unknown,
    };

    /// <summary>Where the policy came from: <c>none</c>, <c>fetched</c>, <c>cache</c>, <c>cache-after-failure</c>, <c>override</c>.</summary>
    /// <param name="source">The source.</param>
    /// <returns>The word.</returns>
    public static string ToToken(this PolicySource source) => source switch
    {
        PolicySource.None => "none",
        PolicySource.Fetched => "fetched",
        PolicySource.Cache => "cache",
        PolicySource.CacheAfterFailure => "cache-after-failure",
        PolicySource.Override => "override",
        _ => Unknown,
    };

    /// <summary>
    /// The failure: <c>none</c>, <c>record-not-found</c>, <c>record-invalid</c>, <c>multiple-records</c>, <c>dns-failure</c>,
    /// and the RFC 8460 result types <c>sts-policy-fetch-error</c>, <c>sts-policy-invalid</c>, <c>sts-webpki-invalid</c>.
    /// </summary>
    /// <param name="failure">The failure.</param>
    /// <returns>The word.</returns>
    public static string ToToken(this MtaStsFailure failure) => failure switch
    {
        MtaStsFailure.None => "none",
        MtaStsFailure.RecordNotFound => "record-not-found",
        MtaStsFailure.RecordInvalid => "record-invalid",
        MtaStsFailure.MultipleRecords => "multiple-records",
        MtaStsFailure.DnsFailure => "dns-failure",
        MtaStsFailure.PolicyFetchError => "sts-policy-fetch-error",
        MtaStsFailure.PolicyInvalid => "sts-policy-invalid",
        MtaStsFailure.WebPkiInvalid => "sts-webpki-invalid",
        _ => Unknown,
    };

    /// <summary>The plan's status: <c>deliver</c>, <c>defer</c>, <c>no-mail-service</c>.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The word.</returns>
    public static string ToToken(this DeliveryPlanStatus status) => status switch
    {
        DeliveryPlanStatus.Deliver => "deliver",
        DeliveryPlanStatus.Defer => "defer",
        DeliveryPlanStatus.NoMailService => "no-mail-service",
        _ => Unknown,
    };

    /// <summary>How a server certificate is authenticated: <c>none</c>, <c>pkix</c>, <c>dane-ee</c>, <c>dane-ta</c>.</summary>
    /// <param name="authentication">The authentication.</param>
    /// <returns>The word.</returns>
    public static string ToToken(this MxAuthentication authentication) => authentication switch
    {
        MxAuthentication.None => "none",
        MxAuthentication.Pkix => "pkix",
        MxAuthentication.DaneEe => "dane-ee",
        MxAuthentication.DaneTa => "dane-ta",
        _ => Unknown,
    };

    /// <summary>What DANE says about a host: <c>none</c>, <c>usable</c>, <c>unusable</c>, <c>lookup-failed</c>, <c>unavailable</c>.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The word.</returns>
    public static string ToToken(this DaneStatus status) => status switch
    {
        DaneStatus.NotApplicable => "none",
        DaneStatus.Usable => "usable",
        DaneStatus.Unusable => "unusable",
        DaneStatus.LookupFailed => "lookup-failed",
        DaneStatus.Unavailable => "unavailable",
        _ => Unknown,
    };

    /// <summary>A local override's kind: <c>none</c>, <c>enforce</c>, <c>disable</c>, <c>policy</c> (a static policy, as the tool's <c>--override</c> spells it).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The word.</returns>
    public static string ToToken(this MtaStsOverrideKind kind) => kind switch
    {
        MtaStsOverrideKind.None => "none",
        MtaStsOverrideKind.Enforce => "enforce",
        MtaStsOverrideKind.Disable => "disable",
        MtaStsOverrideKind.StaticPolicy => "policy",
        _ => Unknown,
    };

    /// <summary>Reads a mode word (<c>enforce</c>, <c>testing</c>, <c>none</c>), exactly as <see cref="ToToken(MtaStsMode)"/> writes it.</summary>
    /// <param name="token">The word.</param>
    /// <param name="mode">The mode, when the word is known.</param>
    /// <returns><see langword="true"/> when the word is known.</returns>
    public static bool TryParse(string? token, out MtaStsMode mode) => TryParse(token, ToToken, out mode);

    /// <summary>Reads an outcome word, exactly as <see cref="ToToken(MtaStsOutcome)"/> writes it.</summary>
    /// <param name="token">The word.</param>
    /// <param name="outcome">The outcome, when the word is known.</param>
    /// <returns><see langword="true"/> when the word is known.</returns>
    public static bool TryParse(string? token, out MtaStsOutcome outcome) => TryParse(token, ToToken, out outcome);

    /// <summary>Reads a source word, exactly as <see cref="ToToken(PolicySource)"/> writes it.</summary>
    /// <param name="token">The word.</param>
    /// <param name="source">The source, when the word is known.</param>
    /// <returns><see langword="true"/> when the word is known.</returns>
    public static bool TryParse(string? token, out PolicySource source) => TryParse(token, ToToken, out source);

    /// <summary>Reads a failure word, exactly as <see cref="ToToken(MtaStsFailure)"/> writes it.</summary>
    /// <param name="token">The word.</param>
    /// <param name="failure">The failure, when the word is known.</param>
    /// <returns><see langword="true"/> when the word is known.</returns>
    public static bool TryParse(string? token, out MtaStsFailure failure) => TryParse(token, ToToken, out failure);

    /// <summary>Reads a plan status word, exactly as <see cref="ToToken(DeliveryPlanStatus)"/> writes it.</summary>
    /// <param name="token">The word.</param>
    /// <param name="status">The status, when the word is known.</param>
    /// <returns><see langword="true"/> when the word is known.</returns>
    public static bool TryParse(string? token, out DeliveryPlanStatus status) => TryParse(token, ToToken, out status);

    /// <summary>Reads an authentication word, exactly as <see cref="ToToken(MxAuthentication)"/> writes it.</summary>
    /// <param name="token">The word.</param>
    /// <param name="authentication">The authentication, when the word is known.</param>
    /// <returns><see langword="true"/> when the word is known.</returns>
    public static bool TryParse(string? token, out MxAuthentication authentication) => TryParse(token, ToToken, out authentication);

    /// <summary>Reads a DANE status word, exactly as <see cref="ToToken(DaneStatus)"/> writes it.</summary>
    /// <param name="token">The word.</param>
    /// <param name="status">The status, when the word is known.</param>
    /// <returns><see langword="true"/> when the word is known.</returns>
    public static bool TryParse(string? token, out DaneStatus status) => TryParse(token, ToToken, out status);

    /// <summary>Reads an override kind word, exactly as <see cref="ToToken(MtaStsOverrideKind)"/> writes it.</summary>
    /// <param name="token">The word.</param>
    /// <param name="kind">The kind, when the word is known.</param>
    /// <returns><see langword="true"/> when the word is known.</returns>
    public static bool TryParse(string? token, out MtaStsOverrideKind kind) => TryParse(token, ToToken, out kind);

    // The tables above are the only source: parsing walks the defined values and compares their words.
    private static bool TryParse<TEnum>(string? token, Func<TEnum, string> toToken, out TEnum value)
        where TEnum : struct, Enum
    {
        if (token is not null && token != Unknown)
        {
            foreach (var candidate in Enum.GetValues<TEnum>())
            {
                if (string.Equals(toToken(candidate), token, StringComparison.Ordinal))
                {
                    value = candidate;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }
}
