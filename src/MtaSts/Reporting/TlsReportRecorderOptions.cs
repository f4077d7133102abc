namespace MtaSts;

/// <summary>Settings of <see cref="TlsReportRecorder"/>.</summary>
public sealed class TlsReportRecorderOptions
{
    /// <summary>
    /// How often counts go from memory to the report store; default one minute, at least one second. It bounds what a
    /// crash can lose: the sessions of at most one interval (the counts flushed before stay in the store).
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long <see cref="TlsReportRecorder.DisposeAsync"/> waits for the last flush; default ten seconds.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether counts are kept only for domains with a usable <c>_smtp._tls</c> record (decision R-10); default
    /// <see langword="true"/>. The record is looked up at flush time, never on the recording path; counts of a domain whose
    /// lookup fails for DNS reasons are kept (the send-time lookup decides).
    /// </summary>
    public bool RequireTlsRptRecord { get; set; } = true;

    /// <summary>
    /// The most (day, domain) reports held in memory while the store does not take them; default 100,000. Beyond it new
    /// sessions are not counted (a warning and the <c>mtasts.tlsrpt.sessions</c> counter still see them), so a store that
    /// is down for long cannot make memory grow without bound.
    /// </summary>
    public int MaxPendingReports { get; set; } = 100_000;

    /// <summary>What failure details give as <c>sending-mta-ip</c> (decision R-8); default <see cref="TlsRptSendingIpMode.LocalAddress"/>.</summary>
    public TlsRptSendingIpMode SendingMtaIp { get; set; } = TlsRptSendingIpMode.LocalAddress;

    /// <summary>The public address of this sender, given as <c>sending-mta-ip</c> when <see cref="SendingMtaIp"/> is <see cref="TlsRptSendingIpMode.Configured"/>.</summary>
    public System.Net.IPAddress? PublicSendingAddress { get; set; }

    internal void Validate()
    {
        if (!Enum.IsDefined(SendingMtaIp))
        {
            throw new ArgumentOutOfRangeException(nameof(SendingMtaIp), SendingMtaIp, "SendingMtaIp is not a defined mode.");
        }

        if (SendingMtaIp == TlsRptSendingIpMode.Configured && PublicSendingAddress is null)
        {
            throw new ArgumentOutOfRangeException(nameof(PublicSendingAddress), null, "SendingMtaIp = Configured needs PublicSendingAddress.");
        }

        if (FlushInterval < TimeSpan.FromSeconds(1) || FlushInterval > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(FlushInterval), FlushInterval, "FlushInterval is from 1 second to 1 day.");
        }

        if (FlushTimeout <= TimeSpan.Zero || FlushTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(FlushTimeout), FlushTimeout, "FlushTimeout is more than 0 and at most 10 minutes.");
        }

        if (MaxPendingReports < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPendingReports), MaxPendingReports, "MaxPendingReports is at least 1.");
        }
    }
}
