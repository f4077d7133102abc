namespace MtaSts;

/// <summary>
/// Where TLS-RPT session counts wait until their day's report is built: per UTC day and report domain, merged by adding,
/// so every process of a host, or every node of a fleet, adds to one report. Built in: <see cref="FileTlsReportStore"/>
/// for one host, and a Redis store in the <c>MtaSts.Redis</c> package for a fleet.
/// </summary>
/// <remarks>
/// <see cref="TlsReportRecorder"/> adds what it counted in memory every flush interval and when disposed; the report
/// builder and <c>mta-sts report build</c> read a finished day. Implementations must be safe for concurrent use and
/// must make <see cref="AddAsync"/> atomic: two writers adding 3 and 4 sessions leave 7, never 3 or 4.
/// </remarks>
public interface ITlsReportStore
{
    /// <summary>Adds counts to what is stored for their day and report domain.</summary>
    /// <param name="counts">The counts (see <see cref="TlsReportAggregator.Drain"/>).</param>
    /// <param name="cancellationToken">Cancels the call; counts already added stay.</param>
    /// <returns>A task that completes when the counts are stored.</returns>
    Task AddAsync(TlsReportCounts counts, CancellationToken cancellationToken = default);

    /// <summary>Reads what is stored for a day and report domain.</summary>
    /// <param name="day">The UTC day (decision R-1).</param>
    /// <param name="reportDomain">The report domain, normalised (<see cref="DomainName.Normalize"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The counts, or <see langword="null"/> when nothing usable is stored.</returns>
    Task<TlsReportCounts?> GetAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default);

    /// <summary>Lists the report domains that have counts for a day.</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The domains, in ordinal order.</returns>
    Task<IReadOnlyList<string>> GetDomainsAsync(DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a day's report for a domain as being sent, once: the first caller gets <see langword="true"/> and sends;
    /// every later caller, on any node, gets <see langword="false"/>. The mark is set before the report is handed to
    /// delivery, so a crash never sends a report twice (at most once, by design).
    /// </summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="reportDomain">The report domain, normalised.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> for the one caller that may send.</returns>
    Task<bool> TryMarkSentAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default);

    /// <summary>Forgets a day's counts for a domain (and its sent mark).</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="reportDomain">The report domain, normalised.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when something was removed.</returns>
    Task<bool> RemoveAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default);
}
