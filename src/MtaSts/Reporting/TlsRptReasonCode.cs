namespace MtaSts;

/// <summary>One entry of the table of stable TLS-RPT reason codes (<see cref="TlsRptReasonCodes.All"/>).</summary>
public sealed class TlsRptReasonCode
{
    internal TlsRptReasonCode(string code, string description)
    {
        Code = code;
        Description = description;
    }

    /// <summary>The code as it appears in <c>failure-reason-code</c>, e.g. <c>tlsa-no-match</c>.</summary>
    public string Code { get; }

    /// <summary>What the code means, in one short sentence.</summary>
    public string Description { get; }

    /// <summary>The code.</summary>
    /// <returns><see cref="Code"/>.</returns>
    public override string ToString() => Code;
}
