namespace MtaSts;

/// <summary>The <c>policy-type</c> of a TLS-RPT report entry (RFC 8460 §4.4).</summary>
public enum TlsRptPolicyType
{
    /// <summary><c>sts</c>: an MTA-STS policy decided the sessions (also when it could not be fetched, decision R-16).</summary>
    Sts = 1,

    /// <summary><c>tlsa</c>: DANE decided the sessions; the policy domain is the TLSA base domain (decision R-2).</summary>
    Tlsa,

    /// <summary><c>no-policy-found</c>: the domain has neither an MTA-STS record nor DANE (decision R-16).</summary>
    NoPolicyFound,
}
