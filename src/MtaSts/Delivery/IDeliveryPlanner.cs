namespace MtaSts;

/// <summary>
/// Answers the question a sending MTA asks once per recipient domain: to which MX hosts may I deliver now, must I use
/// TLS with each, and how must I authenticate it? DANE (RFC 7672) decides where the domain's hosts publish DNSSEC-secure
/// TLSA records; elsewhere MTA-STS (RFC 8461) decides; elsewhere TLS is opportunistic.
/// </summary>
public interface IDeliveryPlanner
{
    /// <summary>Plans delivery to a recipient domain.</summary>
    /// <param name="domain">
    /// The recipient domain (the domain part of the recipient address, not CNAME-expanded; decision A-15). Unicode or
    /// A-label, any case, optional trailing dot. It is also the MTA-STS policy domain.
    /// </param>
    /// <param name="cancellationToken">Cancels the caller's wait; work shared with other callers goes on.</param>
    /// <returns>
    /// The plan. DNS and policy failures are values on it (<see cref="DeliveryPlanStatus.Defer"/>, skipped hosts with
    /// reasons), never exceptions.
    /// </returns>
    /// <exception cref="ArgumentException">The domain is not a usable domain name (checked before any network traffic).</exception>
    Task<DeliveryPlan> PlanDeliveryAsync(string domain, CancellationToken cancellationToken = default);
}
