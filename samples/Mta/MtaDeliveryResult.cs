namespace MtaSts.Samples.Mta;

/// <summary>What became of one message for one recipient domain.</summary>
public enum MtaDeliveryStatus
{
    /// <summary>An MX host accepted the message (<see cref="MtaDeliveryResult.Host"/>).</summary>
    Delivered = 0,

    /// <summary>No host took the message now; keep it queued and try again later (plan again then).</summary>
    Deferred,

    /// <summary>The message cannot be delivered: the domain accepts no mail, or a host refused it for good (5xx). Bounce it.</summary>
    Failed,
}

/// <summary>The answer of <see cref="SampleMta.DeliverAsync"/>.</summary>
/// <param name="Status">Delivered, deferred or failed.</param>
/// <param name="Host">The MX host that took the message, or the last one tried; <see langword="null"/> when none was.</param>
/// <param name="ReasonCode">
/// Why it was not delivered, as a stable code: a TLS-RPT <c>failure-reason-code</c> (<see cref="TlsRptReasonCodes"/>, e.g.
/// <c>certificate-name-mismatch</c>), or one of this sample's <see cref="MtaDeliveryReasons"/>; <see langword="null"/> when delivered.
/// </param>
/// <param name="Reason">One sentence for people and logs; never exception text.</param>
public sealed record MtaDeliveryResult(MtaDeliveryStatus Status, string? Host, string? ReasonCode, string Reason)
{
    /// <summary>Whether the message was delivered.</summary>
    public bool IsDelivered => Status == MtaDeliveryStatus.Delivered;

    /// <inheritdoc/>
    public override string ToString() => Status switch
    {
        MtaDeliveryStatus.Delivered => $"delivered to {Host}: {Reason}",
        _ => $"{Status.ToString().ToLowerInvariant()} ({ReasonCode}){(Host is null ? string.Empty : " at " + Host)}: {Reason}",
    };
}

/// <summary>The reason codes <see cref="SampleMta"/> adds to the library's <see cref="TlsRptReasonCodes"/>.</summary>
public static class MtaDeliveryReasons
{
    /// <summary>The domain publishes the null MX or does not exist.</summary>
    public const string NoMailService = "no-mail-service";

    /// <summary>The plan had no host to try (the MX lookup failed, or every host was skipped without a code).</summary>
    public const string NoUsableHost = "no-usable-host";

    /// <summary>A host answered the message with a temporary (4xx) reply.</summary>
    public const string SmtpTemporaryFailure = "smtp-temporary-failure";

    /// <summary>A host refused the message, the sender or every recipient for good (5xx).</summary>
    public const string SmtpRejected = "smtp-rejected";
}
