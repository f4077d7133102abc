namespace MtaSts;

/// <summary>How a report goes to a <c>rua</c> endpoint (RFC 8460 §3).</summary>
public enum TlsReportDeliveryMethod
{
    /// <summary>An HTTPS POST (<c>https:</c>, RFC 8460 §5.4).</summary>
    Https,

    /// <summary>An e-mail (<c>mailto:</c>, RFC 8460 §5.3).</summary>
    Mailto,
}
