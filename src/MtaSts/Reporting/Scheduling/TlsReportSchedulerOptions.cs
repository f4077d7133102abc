namespace MtaSts;

/// <summary>Settings of <see cref="TlsReportScheduler"/>: when a finished day's reports are sent, and how long a failed delivery is tried again.</summary>
public sealed class TlsReportSchedulerOptions
{
    /// <summary>The shortest wait after the end of a UTC day before its reports are sent; default one second.</summary>
    public TimeSpan MinSendDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest wait after the end of a UTC day before its reports are sent; default four hours. The wait is drawn at
    /// random between <see cref="MinSendDelay"/> and this, so that senders do not all report at midnight (RFC 8460 §4.1).
    /// </summary>
    public TimeSpan MaxSendDelay { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// How long after the first try a report that reached no endpoint is tried again; default 24 hours (RFC 8460 §5.5).
    /// Only endpoints whose failure may pass (<see cref="TlsReportDeliveryAttempt.IsTransient"/>) are tried again.
    /// </summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The wait before the first later try; each later wait doubles it. Default 15 minutes.</summary>
    public TimeSpan InitialRetryInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest wait between two later tries; default four hours.</summary>
    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How many report domains are built and sent at the same time; default 4, from 1 to 64.</summary>
    public int MaxConcurrentDomains { get; set; } = 4;

    internal TlsReportSchedulerOptions Copy() => (TlsReportSchedulerOptions)MemberwiseClone();

    internal void Validate()
    {
        if (MinSendDelay < TimeSpan.Zero || MinSendDelay > MaxSendDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(MinSendDelay), MinSendDelay, "MinSendDelay is from 0 to MaxSendDelay.");
        }

        if (MaxSendDelay > TimeSpan.FromHours(20))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSendDelay), MaxSendDelay, "MaxSendDelay is at most 20 hours (a day's reports go out before the next day ends).");
        }

        if (RetryWindow < TimeSpan.Zero || RetryWindow > TimeSpan.FromDays(3))
        {
            throw new ArgumentOutOfRangeException(nameof(RetryWindow), RetryWindow, "RetryWindow is from 0 to 3 days.");
        }

        if (InitialRetryInterval < TimeSpan.FromSeconds(1) || InitialRetryInterval > MaxRetryInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialRetryInterval), InitialRetryInterval, "InitialRetryInterval is from 1 second to MaxRetryInterval.");
        }

        if (MaxRetryInterval > TimeSpan.FromHours(12))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryInterval), MaxRetryInterval, "MaxRetryInterval is at most 12 hours.");
        }

        if (MaxConcurrentDomains is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentDomains), MaxConcurrentDomains, "MaxConcurrentDomains is from 1 to 64.");
        }
    }
}
