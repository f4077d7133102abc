namespace MtaSts;

/// <summary>How a <see cref="DeliveryPlanner"/> describes the MX hosts of a plan. Part of <see cref="MtaStsOptions"/> (<see cref="MtaStsOptions.Delivery"/>).</summary>
public sealed class MtaStsDeliveryOptions
{
    /// <summary>
    /// The TCP port of the SMTP servers, which names the TLSA records looked up: <c>_&lt;port&gt;._tcp.&lt;host&gt;</c>
    /// (RFC 7672 §2.2.3). Change it only when the servers really listen elsewhere (test environments).
    /// </summary>
    /// <value>The default is 25; allowed 1 to 65535.</value>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Advanced)]
    public int SmtpPort { get; set; } = 25;

    /// <summary>
    /// Whether a <see cref="DeliveryPlanner"/> leaves non-public addresses out of <see cref="MxDecision.Addresses"/>:
    /// unspecified, multicast, broadcast and reserved addresses, and the loopback, private, shared, link-local and
    /// unique-local addresses that <see cref="MtaStsPolicyFetchOptions.AllowPrivateAddresses"/> describes. A host left without
    /// addresses is skipped for now, with the reason in <see cref="MxDecision.Reasons"/>.
    /// </summary>
    /// <remarks>
    /// Off by default, because many MTAs deliver to MX hosts on internal networks on purpose. Turn it on for a sender
    /// that only delivers to the public Internet, so a recipient domain cannot steer it to internal hosts.
    /// </remarks>
    /// <value>The default is <see langword="false"/>.</value>
    public bool ExcludeNonPublicAddresses { get; set; }

    /// <summary>A deep copy: later changes to either side do not reach the other.</summary>
    /// <returns>The copy.</returns>
    internal MtaStsDeliveryOptions Clone()
    {
        var copy = new MtaStsDeliveryOptions
        {
            SmtpPort = SmtpPort,
            ExcludeNonPublicAddresses = ExcludeNonPublicAddresses,
        };

        return copy;
    }
}
