using System.Net;

namespace MtaSts;

/// <summary>What a session knows of its two ends, for a report's <c>failure-details</c> (decision R-8).</summary>
/// <param name="SendingMtaIp">The local address of the connection (<c>sending-mta-ip</c>).</param>
/// <param name="ReceivingIp">The address connected to (<c>receiving-ip</c>).</param>
/// <param name="ReceivingMxHelo">The host name from the server's greeting or EHLO reply (<c>receiving-mx-helo</c>).</param>
public readonly record struct TlsSessionEndpoints(IPAddress? SendingMtaIp = null, IPAddress? ReceivingIp = null, string? ReceivingMxHelo = null);
