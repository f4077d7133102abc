namespace MtaSts;

/// <summary>What a delivery plan says about the recipient domain as a whole.</summary>
public enum DeliveryPlanStatus
{
    /// <summary>At least one MX host may be used now (<see cref="MxDecision.IsUsable"/>); try the usable hosts in the order given.</summary>
    Deliver = 0,

    /// <summary>
    /// Nothing may be delivered now, but later may succeed: the MX lookup failed (RFC 7672 §2.1.2), or every host was
    /// skipped for a temporary reason (a DANE lookup failed, no addresses, an MTA-STS <c>enforce</c> mismatch after the
    /// TXT record was checked again, DANE required but not available). Queue the message and retry (RFC 5321 §4.5.4.1); never bounce it for this.
    /// </summary>
    Defer,

    /// <summary>
    /// The domain accepts no mail: it publishes the null MX (RFC 7505) or does not exist (NXDOMAIN). Permanent.
    /// </summary>
    NoMailService,
}
