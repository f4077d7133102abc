namespace MtaSts;

/// <summary>
/// A report could not be delivered: thrown by an <see cref="ITlsReportMailer"/> with a stable reason code, which
/// <see cref="TlsReportSender"/> puts in the result instead of the exception's text.
/// </summary>
public sealed class TlsReportDeliveryException : Exception
{
    /// <summary>Creates an exception with the reason code <c>delivery-error</c>.</summary>
    public TlsReportDeliveryException()
        : this("delivery-error", "The report was not delivered.", isTransient: true)
    {
    }

    /// <summary>Creates an exception with the reason code <c>delivery-error</c>.</summary>
    /// <param name="message">What happened.</param>
    public TlsReportDeliveryException(string message)
        : this("delivery-error", message, isTransient: true)
    {
    }

    /// <summary>Creates an exception with the reason code <c>delivery-error</c>.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public TlsReportDeliveryException(string message, Exception innerException)
        : this("delivery-error", message, isTransient: true, innerException)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="reasonCode">A short, stable code such as <c>mail-recipient-rejected</c> (lower-case letters, digits and <c>-</c>).</param>
    /// <param name="message">What happened, for logs.</param>
    /// <param name="isTransient">Whether another try may succeed.</param>
    /// <param name="innerException">The cause, if any.</param>
    public TlsReportDeliveryException(string reasonCode, string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(reasonCode);
        ReasonCode = reasonCode;
        IsTransient = isTransient;
    }

    /// <summary>The stable reason code.</summary>
    public string ReasonCode { get; }

    /// <summary>Whether another try may succeed.</summary>
    public bool IsTransient { get; }
}
