namespace MtaSts;

/// <summary>What a report gives as <c>sending-mta-ip</c> (decision R-8; <see cref="TlsReportRecorderOptions.SendingMtaIp"/>).</summary>
public enum TlsRptSendingIpMode
{
    /// <summary>The address the session gave: the socket's local address (the default).</summary>
    LocalAddress = 1,

    /// <summary><see cref="TlsReportRecorderOptions.PublicSendingAddress"/>, for senders behind NAT whose socket address is private.</summary>
    Configured,

    /// <summary>Left out of every failure detail.</summary>
    Omitted,
}
