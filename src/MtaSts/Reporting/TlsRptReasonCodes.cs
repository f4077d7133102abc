using System.Globalization;
using MtaSts.Grammar;

namespace MtaSts;

/// <summary>
/// The stable <c>failure-reason-code</c> values of the library (decision R-12): short codes that stay the same across
/// releases, never exception text or file paths. A code refines a result type; the same code may go with several
/// result types (<see cref="CertificateExpired"/> under <c>certificate-expired</c> for an MX host and under
/// <c>sts-webpki-invalid</c> for the policy host).
/// </summary>
/// <remarks>
/// <para>
/// The set keeps the codes the library already emits (fetch evidence, the policy parser, the planner), so codes
/// persisted in policy stores and logs keep their meaning. R-12's example <c>x509-untrusted-root</c> is spelt
/// <see cref="CertificateUntrusted"/> here: one <c>certificate-</c> family serves the MX host and the policy host.
/// The HTTP status family is open: <c>http-status-</c> followed by the three digits (<see cref="ForHttpStatus"/>).
/// </para>
/// <para>
/// Codes are 1 to 64 ASCII letters, digits, <c>-</c>, <c>_</c> or <c>.</c> (<see cref="IsWellFormed"/>); the library's own
/// are lower case.
/// </para>
/// </remarks>
public static class TlsRptReasonCodes
{
    /// <summary>The longest reason code accepted.</summary>
    public const int MaxLength = 64;

    // Planning: hosts skipped before connecting (decision R-15).

    /// <summary>The MX host matches none of the MTA-STS policy's <c>mx</c> patterns (with <c>validation-failure</c>; as mox reports it).</summary>
    public const string MtaStsPolicyMxMismatch = "mtasts-policy-mx-mismatch";

    /// <summary>A DNSSEC lookup DANE needs (TLSA, or the addresses and CNAMEs on the way) failed or was bogus (with <c>dnssec-invalid</c>).</summary>
    public const string DaneLookupFailed = "dane-lookup-failed";

    /// <summary>DANE is mandatory for the domain but its MX RRset is not DNSSEC-secure (with <c>dane-required</c>).</summary>
    public const string DaneMxInsecure = "dane-mx-insecure";

    /// <summary>DANE is mandatory for the domain but the host has no usable, secure TLSA RRset (with <c>dane-required</c>).</summary>
    public const string DaneNoUsableTlsa = "dane-no-usable-tlsa";

    // Certificates: the MX host's (RFC 7672, RFC 8461 §4.2) and the policy host's (RFC 8461 §3.3).

    /// <summary>No record of the TLSA RRset matches the presented chain (with <c>tlsa-invalid</c>, decision R-17).</summary>
    public const string TlsaNoMatch = "tlsa-no-match";

    /// <summary>DANE-TA: no valid path from the server certificate to the matched trust anchor.</summary>
    public const string DaneTaChainInvalid = "dane-ta-chain-invalid";

    /// <summary>The certificate names (SAN dNSName) do not cover the host.</summary>
    public const string CertificateNameMismatch = "certificate-name-mismatch";

    /// <summary>A certificate of the chain has expired or is not yet valid.</summary>
    public const string CertificateExpired = "certificate-expired";

    /// <summary>The chain does not lead to a trusted root.</summary>
    public const string CertificateUntrusted = "certificate-untrusted";

    /// <summary>
    /// The chain is incomplete: an issuer is missing. Not emitted by the library's own checks, which cannot tell a
    /// missing intermediate from an unknown root and report both as <see cref="CertificateUntrusted"/>; kept for
    /// callers whose checks can.
    /// </summary>
    public const string CertificateChainIncomplete = "certificate-chain-incomplete";

    /// <summary>The chain is invalid for another reason (signature, constraints, revocation status as reported by the platform).</summary>
    public const string CertificateChainInvalid = "certificate-chain-invalid";

    /// <summary>The certificate is not valid for TLS server authentication (key usage or extended key usage).</summary>
    public const string CertificateUsageInvalid = "certificate-usage-invalid";

    /// <summary>The server presented no certificate.</summary>
    public const string CertificateMissing = "certificate-missing";

    /// <summary>The server's certificate message was larger than the library accepts.</summary>
    public const string CertificateTooLarge = "certificate-too-large";

    /// <summary>The certificate check itself failed (an internal error; the details are in the logs, never in reports).</summary>
    public const string CertificateCheckError = "certificate-check-error";

    // TLS and SMTP sessions.

    /// <summary>The TLS handshake failed (protocol version, cipher suites, alerts).</summary>
    public const string TlsHandshake = "tls-handshake";

    /// <summary>The SMTP server did not offer STARTTLS in its EHLO reply (with <c>starttls-not-supported</c>).</summary>
    public const string StartTlsNotOffered = "starttls-not-offered";

    /// <summary>The SMTP server offered STARTTLS but refused the command.</summary>
    public const string StartTlsRefused = "starttls-refused";

    /// <summary>The SMTP server's greeting was not <c>220</c> (it turned the session away before TLS).</summary>
    public const string SmtpGreetingRefused = "smtp-greeting-refused";

    /// <summary>The SMTP server's replies were malformed or too long, or it answered EHLO with an error.</summary>
    public const string SmtpProtocolError = "smtp-protocol-error";

    // Connections (the policy fetch, and SMTP sessions).

    /// <summary>No answer in time (connecting, the TLS handshake, or the exchange).</summary>
    public const string Timeout = "timeout";

    /// <summary>The host's addresses could not be looked up.</summary>
    public const string NameResolution = "name-resolution";

    /// <summary>The host refused the connection.</summary>
    public const string ConnectionRefused = "connection-refused";

    /// <summary>The connection was reset or ended early.</summary>
    public const string ConnectionReset = "connection-reset";

    /// <summary>The connection failed for another reason.</summary>
    public const string ConnectionError = "connection-error";

    /// <summary>Every address of the host is one the library must not connect to (loopback, private, link-local…).</summary>
    public const string AddressNotAllowed = "address-not-allowed";

    // The HTTPS policy fetch (RFC 8461 §3.3).

    /// <summary>The prefix of the HTTP status family: <c>http-status-404</c> and so on (any status but 200).</summary>
    public const string HttpStatusPrefix = "http-status-";

    /// <summary>The HTTP exchange failed (a protocol error).</summary>
    public const string HttpError = "http-error";

    /// <summary>The fetch failed for a reason not listed here.</summary>
    public const string FetchError = "fetch-error";

    /// <summary>The HTTP response framing was invalid (conflicting or malformed length, transfer coding).</summary>
    public const string InvalidFraming = "invalid-framing";

    /// <summary>The policy body is larger than the limit (64 KiB by default).</summary>
    public const string BodyTooLarge = "body-too-large";

    /// <summary>The response's Content-Type is missing or not <c>text/plain</c>.</summary>
    public const string ContentType = "content-type";

    /// <summary>The response carries several Content-Type header fields.</summary>
    public const string ContentTypeAmbiguous = "content-type-ambiguous";

    /// <summary>The policy body is not valid UTF-8.</summary>
    public const string InvalidUtf8 = "invalid-utf8";

    // The policy parser (with sts-policy-invalid: the code of the first error, RFC 8461 §3.2).

    /// <summary>The policy body is empty.</summary>
    public const string PolicyEmpty = MtaStsDiagnosticCodes.PolicyEmpty;

    /// <summary>A line ends in a bare CR.</summary>
    public const string BareCr = MtaStsDiagnosticCodes.BareCr;

    /// <summary>A blank line inside the policy.</summary>
    public const string BlankLine = MtaStsDiagnosticCodes.BlankLine;

    /// <summary>A line begins with whitespace.</summary>
    public const string LeadingWhitespace = MtaStsDiagnosticCodes.LeadingWhitespace;

    /// <summary>A line has no <c>:</c>.</summary>
    public const string ColonMissing = MtaStsDiagnosticCodes.ColonMissing;

    /// <summary>Whitespace between a key and its <c>:</c>.</summary>
    public const string WhitespaceBeforeColon = MtaStsDiagnosticCodes.WhitespaceBeforeColon;

    /// <summary>A key that is not a valid field name.</summary>
    public const string KeyInvalid = MtaStsDiagnosticCodes.KeyInvalid;

    /// <summary>The <c>version</c> is not <c>STSv1</c>.</summary>
    public const string VersionInvalid = MtaStsDiagnosticCodes.VersionInvalid;

    /// <summary>The <c>version</c> field is missing.</summary>
    public const string VersionMissing = MtaStsDiagnosticCodes.VersionMissing;

    /// <summary>The <c>mode</c> is not <c>enforce</c>, <c>testing</c> or <c>none</c>.</summary>
    public const string ModeInvalid = MtaStsDiagnosticCodes.ModeInvalid;

    /// <summary>The <c>mode</c> field is missing.</summary>
    public const string ModeMissing = MtaStsDiagnosticCodes.ModeMissing;

    /// <summary>The <c>max_age</c> is not a number of 1 to 10 digits.</summary>
    public const string MaxAgeInvalid = MtaStsDiagnosticCodes.MaxAgeInvalid;

    /// <summary>The <c>max_age</c> field is missing.</summary>
    public const string MaxAgeMissing = MtaStsDiagnosticCodes.MaxAgeMissing;

    /// <summary>An <c>mx</c> value is not a valid host name or pattern.</summary>
    public const string MxInvalid = MtaStsDiagnosticCodes.MxInvalid;

    /// <summary>An <c>enforce</c> or <c>testing</c> policy has no <c>mx</c> field.</summary>
    public const string MxMissing = MtaStsDiagnosticCodes.MxMissing;

    /// <summary>An extension field's value is invalid.</summary>
    public const string ExtensionInvalid = MtaStsDiagnosticCodes.ExtensionInvalid;

    /// <summary>Every code of the table, with its description, in the order above (the HTTP family as <c>http-status-nnn</c>).</summary>
    public static IReadOnlyList<TlsRptReasonCode> All { get; } =
    [
        new(MtaStsPolicyMxMismatch, "The MX host matches none of the MTA-STS policy's mx patterns."),
        new(DaneLookupFailed, "A DNSSEC lookup needed for DANE failed or was bogus."),
        new(DaneMxInsecure, "DANE is mandatory, but the MX RRset is not DNSSEC-secure."),
        new(DaneNoUsableTlsa, "DANE is mandatory, but the host has no usable, secure TLSA RRset."),
        new(TlsaNoMatch, "No TLSA record matches the presented certificate chain."),
        new(DaneTaChainInvalid, "DANE-TA: no valid path from the certificate to the trust anchor."),
        new(CertificateNameMismatch, "The certificate does not name the host."),
        new(CertificateExpired, "A certificate of the chain has expired or is not yet valid."),
        new(CertificateUntrusted, "The certificate chain does not lead to a trusted root."),
        new(CertificateChainIncomplete, "The certificate chain is incomplete."),
        new(CertificateChainInvalid, "The certificate chain is invalid."),
        new(CertificateUsageInvalid, "The certificate is not valid for TLS server authentication."),
        new(CertificateMissing, "The server presented no certificate."),
        new(CertificateTooLarge, "The server's certificate message was too large."),
        new(CertificateCheckError, "The certificate check failed internally."),
        new(TlsHandshake, "The TLS handshake failed."),
        new(StartTlsNotOffered, "The SMTP server did not offer STARTTLS."),
        new(StartTlsRefused, "The SMTP server refused the STARTTLS command."),
        new(SmtpGreetingRefused, "The SMTP server turned the session away in its greeting."),
        new(SmtpProtocolError, "The SMTP server's replies were malformed, too long, or refused EHLO."),
        new(Timeout, "No answer in time."),
        new(NameResolution, "The host's addresses could not be looked up."),
        new(ConnectionRefused, "The host refused the connection."),
        new(ConnectionReset, "The connection was reset or ended early."),
        new(ConnectionError, "The connection failed."),
        new(AddressNotAllowed, "No address of the host may be connected to."),
        new(HttpStatusPrefix + "nnn", "The policy host answered with HTTP status nnn instead of 200."),
        new(HttpError, "The HTTP exchange failed."),
        new(FetchError, "The policy fetch failed."),
        new(InvalidFraming, "The HTTP response framing was invalid."),
        new(BodyTooLarge, "The policy body is too large."),
        new(ContentType, "The policy's Content-Type is not text/plain."),
        new(ContentTypeAmbiguous, "The response has several Content-Type header fields."),
        new(InvalidUtf8, "The policy body is not valid UTF-8."),
        new(PolicyEmpty, "The policy body is empty."),
        new(BareCr, "A policy line ends in a bare CR."),
        new(BlankLine, "The policy contains a blank line."),
        new(LeadingWhitespace, "A policy line begins with whitespace."),
        new(ColonMissing, "A policy line has no colon."),
        new(WhitespaceBeforeColon, "A policy key is followed by whitespace before its colon."),
        new(KeyInvalid, "A policy key is not a valid field name."),
        new(VersionInvalid, "The policy version is not STSv1."),
        new(VersionMissing, "The policy has no version field."),
        new(ModeInvalid, "The policy mode is not enforce, testing or none."),
        new(ModeMissing, "The policy has no mode field."),
        new(MaxAgeInvalid, "The policy max_age is not a valid number."),
        new(MaxAgeMissing, "The policy has no max_age field."),
        new(MxInvalid, "A policy mx value is not a valid host name or pattern."),
        new(MxMissing, "The policy has no mx field."),
        new(ExtensionInvalid, "A policy extension field is invalid."),
    ];

    /// <summary>The code of an HTTP status other than 200, e.g. <c>http-status-404</c>.</summary>
    /// <param name="status">The status code (100–999).</param>
    /// <returns><see cref="HttpStatusPrefix"/> followed by the status.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is not a three-digit number.</exception>
    public static string ForHttpStatus(int status)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 999);
        return HttpStatusPrefix + status.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Looks up the description of a code of the table (and of the HTTP status family).</summary>
    /// <param name="code">The code.</param>
    /// <param name="description">Its description, when known.</param>
    /// <returns><see langword="true"/> when the code is one of the library's.</returns>
    public static bool TryGetDescription(string? code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? description)
    {
        description = null;
        if (code is null)
        {
            return false;
        }

        if (code.StartsWith(HttpStatusPrefix, StringComparison.Ordinal)
            && code.Length == HttpStatusPrefix.Length + 3
            && CharScan.IsAllDigits(code.AsSpan(HttpStatusPrefix.Length)))
        {
            description = $"The policy host answered with HTTP status {code[HttpStatusPrefix.Length..]} instead of 200.";
            return true;
        }

        foreach (var entry in All)
        {
            if (string.Equals(entry.Code, code, StringComparison.Ordinal))
            {
                description = entry.Description;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a value has the shape of a reason code: 1 to <see cref="MaxLength"/> ASCII letters, digits, <c>-</c>,
    /// <c>_</c> or <c>.</c> (so no sentence, path or exception text can pass for one).
    /// </summary>
    /// <param name="code">The value.</param>
    /// <returns><see langword="true"/> when it is well formed.</returns>
    public static bool IsWellFormed(ReadOnlySpan<char> code)
    {
        if (code.IsEmpty || code.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
