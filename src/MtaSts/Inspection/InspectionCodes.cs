namespace MtaSts;

/// <summary>
/// The stable codes of <see cref="InspectionFinding.Code"/> (besides the parser codes of <see cref="MtaStsDiagnosticCodes"/>,
/// which an inspection reports for the TXT record and the policy body). A later version may add codes, never change one.
/// Each code's usual severity is given in brackets.
/// </summary>
public static class InspectionCodes
{
    /// <summary>The one <c>v=STSv1</c> TXT record at <c>_mta-sts</c>, and its id. (info.)</summary>
    public const string TxtRecord = "txt-record";

    /// <summary>A TXT record at <c>_mta-sts</c> that is not an MTA-STS record and is ignored. (info.)</summary>
    public const string TxtRecordIgnored = "txt-record-ignored";

    /// <summary>A TXT record that looks meant as the MTA-STS record but does not begin with exactly <c>v=STSv1;</c>, so senders ignore it. (warning, or error when it is the only one.)</summary>
    public const string TxtRecordNotSts = "txt-record-not-sts";

    /// <summary>No TXT record at <c>_mta-sts</c> begins with <c>v=STSv1</c>: senders do not use MTA-STS for the domain. (warning.)</summary>
    public const string TxtRecordMissing = "txt-record-missing";

    /// <summary>More than one TXT record begins with <c>v=STSv1</c>: senders treat the domain as having no policy (RFC 8461 §3.1). (error.)</summary>
    public const string TxtRecordMultiple = "txt-record-multiple";

    /// <summary>The one MTA-STS TXT record is invalid (its parser codes follow as their own findings). (error.)</summary>
    public const string TxtRecordInvalid = "txt-record-invalid";

    /// <summary>The TXT lookup at <c>_mta-sts</c> failed (SERVFAIL, timeout): senders cannot tell whether a policy exists. (error.)</summary>
    public const string TxtDnsFailure = "txt-dns-failure";

    /// <summary>The policy was fetched: status, media type, TLS version, certificate and timing. (info.)</summary>
    public const string PolicyFetched = "policy-fetched";

    /// <summary>The policy host could not be reached (address lookup, connection, timeout). (error.)</summary>
    public const string PolicyHostUnreachable = "policy-host-unreachable";

    /// <summary>The policy URL answered with a status other than 200 (redirects included). (error.)</summary>
    public const string PolicyHttpStatus = "policy-http-status";

    /// <summary>The policy was not served as <c>text/plain</c>. (error.)</summary>
    public const string PolicyContentType = "policy-content-type";

    /// <summary>The policy body is larger than senders read. (error.)</summary>
    public const string PolicyTooLarge = "policy-too-large";

    /// <summary>The policy body is not valid UTF-8. (error.)</summary>
    public const string PolicyNotUtf8 = "policy-not-utf8";

    /// <summary>The policy was fetched but is invalid (its parser codes follow as their own findings). (error.)</summary>
    public const string PolicyInvalid = "policy-invalid";

    /// <summary>The policy fetch failed for another reason (framing, protocol). (error.)</summary>
    public const string PolicyFetchFailed = "policy-fetch-failed";

    /// <summary>The policy host's certificate has expired or is not yet valid. (error.)</summary>
    public const string PolicyCertificateExpired = "policy-certificate-expired";

    /// <summary>The policy host's certificate does not name <c>mta-sts.&lt;domain&gt;</c> in a SAN dNSName. (error.)</summary>
    public const string PolicyCertificateNameMismatch = "policy-certificate-name-mismatch";

    /// <summary>The policy host's certificate does not chain to a trusted root. (error.)</summary>
    public const string PolicyCertificateUntrusted = "policy-certificate-untrusted";

    /// <summary>The TLS handshake with the policy host failed (no TLS 1.2 or 1.3, or another TLS problem). (error.)</summary>
    public const string PolicyTlsFailed = "policy-tls-failed";

    /// <summary>The policy host's certificate expires soon. (warning.)</summary>
    public const string PolicyCertificateExpiring = "policy-certificate-expiring";

    /// <summary>The policy mode is <c>testing</c>: failures are reported, not enforced. (info.)</summary>
    public const string ModeTesting = "mode-testing";

    /// <summary>The policy mode is <c>none</c>: senders do not apply MTA-STS. (info.)</summary>
    public const string ModeNone = "mode-none";

    /// <summary><c>max_age</c> is under one day: the policy protects little against an attacker who blocks its fetch. (warning.)</summary>
    public const string MaxAgeShort = "max-age-short";

    /// <summary>A <c>testing</c> policy with a long <c>max_age</c>: senders keep it that long when they cannot refetch. (info.)</summary>
    public const string MaxAgeLongTesting = "max-age-long-testing";

    /// <summary>An MX host matches an <c>mx</c> pattern. (info.)</summary>
    public const string MxCovered = "mx-covered";

    /// <summary>A live MX host matches none of the <c>mx</c> patterns: an <c>enforce</c> sender refuses it. (error under enforce, warning under testing, info under none.)</summary>
    public const string MxNotCovered = "mx-not-covered";

    /// <summary>An <c>mx</c> pattern matches none of the live MX hosts. (warning.)</summary>
    public const string PatternMatchesNoMx = "pattern-matches-no-mx";

    /// <summary>A wildcard pattern meant for a deeper host: <c>*.example.net</c> covers exactly one label (RFC 8461 §4.1). (warning.)</summary>
    public const string WildcardOneLabelOnly = "wildcard-one-label-only";

    /// <summary>The MX hosts could not be looked up now: senders defer. (error.)</summary>
    public const string MxUnavailable = "mx-unavailable";

    /// <summary>The domain accepts no mail (null MX or no such domain). (info.)</summary>
    public const string NoMailService = "no-mail-service";

    /// <summary>No MX host may be used now: a sender would defer every message. (error.)</summary>
    public const string DeliveryDeferred = "delivery-deferred";

    /// <summary>The resolver is not a trusted validating resolver, so DNSSEC and DANE were not judged. (info.)</summary>
    public const string DnssecUnavailable = "dnssec-unavailable";

    /// <summary>The MX answer is not DNSSEC-signed. (info.)</summary>
    public const string MxDnssecInsecure = "mx-dnssec-insecure";

    /// <summary>An MX host has a DNSSEC-secure, usable TLSA RRset: DANE authenticates it, ahead of MTA-STS. (info.)</summary>
    public const string DaneUsable = "dane-usable";

    /// <summary>An MX host has a secure TLSA RRset with no usable record: TLS is required but not authenticated. (warning.)</summary>
    public const string DaneUnusable = "dane-unusable";

    /// <summary>A DNSSEC lookup for an MX host's TLSA records failed: senders do not use the host now. (error.)</summary>
    public const string DaneLookupFailed = "dane-lookup-failed";

    /// <summary>DANE is mandatory for the domain but a host has no usable, secure TLSA RRset. (error.)</summary>
    public const string DaneRequired = "dane-required";

    /// <summary>The <c>_smtp._tls</c> TLS-RPT record and where reports go. (info.)</summary>
    public const string TlsRptRecord = "tlsrpt-record";

    /// <summary>No TLS-RPT record: the domain hears nothing of senders' TLS failures. (warning.)</summary>
    public const string TlsRptMissing = "tlsrpt-missing";

    /// <summary>More than one TLS-RPT record: senders send no reports (RFC 8460 §3). (warning.)</summary>
    public const string TlsRptMultiple = "tlsrpt-multiple";

    /// <summary>The TLS-RPT record is invalid or names no usable address: senders send no reports. (warning.)</summary>
    public const string TlsRptInvalid = "tlsrpt-invalid";

    /// <summary>The <c>_smtp._tls</c> lookup failed. (warning.)</summary>
    public const string TlsRptDnsFailure = "tlsrpt-dns-failure";

    /// <summary>The STARTTLS probe of an MX host succeeded and its certificate passed the sender's check. (info.)</summary>
    public const string MxTlsOk = "mx-tls-ok";

    /// <summary>An MX host could not be connected to, or broke off the SMTP dialogue. (error.)</summary>
    public const string MxConnectFailed = "mx-connect-failed";

    /// <summary>An MX host did not offer or refused STARTTLS. (error when TLS is required, warning otherwise.)</summary>
    public const string MxStartTlsNotSupported = "mx-starttls-not-supported";

    /// <summary>The TLS handshake with an MX host failed. (error when TLS is required, warning otherwise.)</summary>
    public const string MxTlsFailed = "mx-tls-failed";

    /// <summary>An MX host's certificate has expired or is not yet valid. (error when the host is refused, warning otherwise.)</summary>
    public const string MxCertificateExpired = "mx-certificate-expired";

    /// <summary>An MX host's certificate does not name the host (MTA-STS) or the TLSA names (DANE). (error when the host is refused, warning otherwise.)</summary>
    public const string MxCertificateHostMismatch = "mx-certificate-host-mismatch";

    /// <summary>An MX host's certificate does not chain to a trusted root. (error when the host is refused, warning otherwise.)</summary>
    public const string MxCertificateNotTrusted = "mx-certificate-not-trusted";

    /// <summary>No TLSA record matches an MX host's certificate chain. (error.)</summary>
    public const string MxTlsaMismatch = "mx-tlsa-mismatch";

    /// <summary>An MX host's certificate expires soon. (warning.)</summary>
    public const string MxCertificateExpiring = "mx-certificate-expiring";

    /// <summary>A DANE-authenticated MX host's certificate would fail the MTA-STS name check of a sender without DANE. (warning.)</summary>
    public const string MxCertificateStsNameMismatch = "mx-certificate-sts-name-mismatch";

    /// <summary>Every code above, in alphabetical order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        DaneLookupFailed,
        DaneRequired,
        DaneUnusable,
        DaneUsable,
        DeliveryDeferred,
        DnssecUnavailable,
        MaxAgeLongTesting,
        MaxAgeShort,
        ModeNone,
        ModeTesting,
        MxCertificateExpired,
        MxCertificateExpiring,
        MxCertificateHostMismatch,
        MxCertificateNotTrusted,
        MxCertificateStsNameMismatch,
        MxConnectFailed,
        MxCovered,
        MxDnssecInsecure,
        MxNotCovered,
        MxStartTlsNotSupported,
        MxTlsFailed,
        MxTlsOk,
        MxTlsaMismatch,
        MxUnavailable,
        NoMailService,
        PatternMatchesNoMx,
        PolicyCertificateExpired,
        PolicyCertificateExpiring,
        PolicyCertificateNameMismatch,
        PolicyCertificateUntrusted,
        PolicyContentType,
        PolicyFetchFailed,
        PolicyFetched,
        PolicyHostUnreachable,
        PolicyHttpStatus,
        PolicyInvalid,
        PolicyNotUtf8,
        PolicyTlsFailed,
        PolicyTooLarge,
        TlsRptDnsFailure,
        TlsRptInvalid,
        TlsRptMissing,
        TlsRptMultiple,
        TlsRptRecord,
        TxtDnsFailure,
        TxtRecord,
        TxtRecordIgnored,
        TxtRecordInvalid,
        TxtRecordMissing,
        TxtRecordMultiple,
        TxtRecordNotSts,
        WildcardOneLabelOnly,
    ];
}
