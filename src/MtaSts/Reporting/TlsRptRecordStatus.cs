namespace MtaSts;

/// <summary>What a look at a domain's <c>_smtp._tls</c> TXT records found (RFC 8460 §3).</summary>
public enum TlsRptRecordStatus
{
    /// <summary>Exactly one TLS-RPT record, and it is valid: the domain wants reports.</summary>
    Found = 1,

    /// <summary>No record begins with <c>v=TLSRPTv1</c>: the domain does not use TLS-RPT.</summary>
    NotFound,

    /// <summary>More than one record begins with <c>v=TLSRPTv1</c>: the domain is treated as not using TLS-RPT (RPT-3-e).</summary>
    MultipleRecords,

    /// <summary>The one TLS-RPT record is not valid (or names no usable address): the domain gets no reports.</summary>
    Invalid,

    /// <summary>The DNS lookup failed (SERVFAIL, timeout, …): whether the domain wants reports is not known now.</summary>
    DnsFailure,
}
