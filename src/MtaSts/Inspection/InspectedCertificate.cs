namespace MtaSts;

/// <summary>The facts of a server certificate that matter to its owner.</summary>
/// <param name="Subject">The subject distinguished name.</param>
/// <param name="Issuer">The issuer distinguished name.</param>
/// <param name="DnsNames">The SAN dNSName entries.</param>
/// <param name="NotBefore">Start of validity (UTC).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
/// <param name="Chain">The subjects of the chain the client built, leaf first.</param>
public sealed record InspectedCertificate(string Subject, string Issuer, IReadOnlyList<string> DnsNames, DateTimeOffset NotBefore, DateTimeOffset NotAfter, IReadOnlyList<string> Chain)
{
    /// <summary>
    /// Whole days from <paramref name="now"/> to <see cref="NotAfter"/>, counted toward zero: 3 while three to four days
    /// are left, 0 within a day either side of the expiry, -1 once it expired one to two days ago.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <returns>The whole days left (negative: whole days since it expired).</returns>
    public int DaysLeft(DateTimeOffset now) => (int)Math.Truncate((NotAfter - now).TotalDays);
}
