namespace MtaSts;

/// <summary>What one certificate check decided (<see cref="CertificateValidationResult.Verdict"/>).</summary>
public enum CertificateVerdict
{
    /// <summary>The certificate satisfied the requirement; the connection goes ahead.</summary>
    Passed = 0,

    /// <summary>
    /// The certificate failed, but the requirement does not enforce (MTA-STS <c>testing</c>, RFC 8461 §5): the failure
    /// is reported (TLS-RPT) and the connection goes ahead.
    /// </summary>
    FailedButAllowed,

    /// <summary>The certificate failed and the requirement enforces: the handshake must fail (move on to the next host).</summary>
    Rejected,
}
