using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MtaSts.Reporting;

namespace MtaSts;

/// <summary>
/// Builds RFC 8460 reports from counts (checklist §4.3, §4.4): one report per UTC day and recipient domain, split into
/// parts when it would be too large. Pure: the same counts and options always give the same bytes, ids and names.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description><c>date-range</c> is <c>YYYY-MM-DDT00:00:00Z</c> to <c>YYYY-MM-DDT23:59:59Z</c> (decision R-1).</description></item>
/// <item><description><c>report-id</c> is derived from (submitter, domain, day, part) (decision R-14): see <see cref="CreateReportId"/>.</description></item>
/// <item><description>A report with successes only is built unless <see cref="TlsReportOptions.SendSuccessOnlyReports"/> is off (decision R-3); counts without any session give no report.</description></item>
/// <item><description>A report over <see cref="TlsReportOptions.MaxReportBytes"/> is split between failure details (decision R-7):
/// each part carries whole entries; a policy's successes are counted in its first part, its failed sessions spread so
/// that no part counts more failed sessions than its details and the parts add up to the true totals.</description></item>
/// </list>
/// </remarks>
public sealed class TlsReportBuilder
{
    private const int MinReportBytes = 4096;

    private readonly string _organization;
    private readonly string _contact;
    private readonly string _submitter;
    private readonly bool _successOnly;
    private readonly int _maxBytes;

    /// <summary>Creates a builder.</summary>
    /// <param name="options">The options; organisation, contact and submitter are required (decision R-11).</param>
    /// <exception cref="ArgumentException">A required option is missing or invalid.</exception>
    public TlsReportBuilder(TlsReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _organization = Required(options.OrganizationName, nameof(TlsReportOptions.OrganizationName));
        _contact = Required(options.ContactInfo, nameof(TlsReportOptions.ContactInfo));
        var at = _contact.LastIndexOf('@');
        if (at <= 0 || at == _contact.Length - 1 || _contact.AsSpan().IndexOfAny(" \t\r\n") >= 0)
        {
            throw new ArgumentException("TlsReportOptions.ContactInfo must be an e-mail address (local-part@domain).", nameof(options));
        }

        if (!DomainName.TryNormalize(Required(options.Submitter, nameof(TlsReportOptions.Submitter)), out var submitter, out var error))
        {
            throw new ArgumentException($"TlsReportOptions.Submitter is not a domain name: {error}", nameof(options));
        }

        if (options.MaxReportBytes < MinReportBytes)
        {
            throw new ArgumentException($"TlsReportOptions.MaxReportBytes must be at least {MinReportBytes}.", nameof(options));
        }

        _submitter = submitter;
        _successOnly = options.SendSuccessOnlyReports;
        _maxBytes = options.MaxReportBytes;
    }

    /// <summary>Builds the report (or its parts) for one day and domain.</summary>
    /// <param name="counts">What was recorded.</param>
    /// <returns>The parts in order; empty when there is nothing to report.</returns>
    public IReadOnlyList<TlsReport> Build(TlsReportCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var policies = TlsReportOrdering.Sort(counts.Policies.Where(p => p.SuccessfulSessions > 0 || p.FailedSessions > 0 || p.Failures.Count > 0));
        var failed = policies.Sum(p => p.FailedSessions);
        if (policies.Length == 0 || (failed == 0 && !_successOnly))
        {
            return [];
        }

        var results = policies.Select(p => new TlsReportPolicyResult
        {
            Policy = p.Policy,
            TotalSuccessfulSessionCount = p.SuccessfulSessions,
            TotalFailureSessionCount = p.FailedSessions,
            FailureDetails = p.Failures.Select(TlsReportFailureDetail.From).ToArray(),
        }).ToArray();

        var whole = Document(counts, results, part: 1);
        var json = TlsReportWriter.Serialize(whole);
        if (json.Length <= _maxBytes)
        {
            return [Report(counts, whole, json, 1, 1)];
        }

        var parts = Split(whole, results);
        var reports = new TlsReport[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            var document = Document(counts, parts[i], part: i + 1);
            reports[i] = Report(counts, document, TlsReportWriter.Serialize(document), i + 1, parts.Count);
        }

        return reports;
    }

    /// <summary>
    /// The deterministic <c>report-id</c> of a report part (decision R-14): a UUID (RFC 9562 version 8) made from the
    /// SHA-256 of submitter, policy domain, day and part, so that every node of a fleet gives the same report the same
    /// id and receivers can drop duplicates. It holds no <c>@</c>; the e-mail Report-ID is <c>&lt;id@submitter&gt;</c>.
    /// </summary>
    /// <param name="submitter">The submitting domain.</param>
    /// <param name="reportDomain">The recipient domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="part">The part, from 1.</param>
    /// <returns>For example <c>3f1c9a2e-…</c>, lower-case.</returns>
    public static string CreateReportId(string submitter, string reportDomain, DateOnly day, int part)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(part);
        var input = string.Create(CultureInfo.InvariantCulture, $"tlsrpt-report-id/1\n{DomainName.Normalize(submitter)}\n{DomainName.Normalize(reportDomain)}\n{day:yyyy-MM-dd}\n{part}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // variant 10
        var hex = Convert.ToHexString(hash[..16]).ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>The start of a report day in Unix seconds (the file name's begin timestamp).</summary>
    /// <param name="day">The UTC day.</param>
    /// <returns>Seconds since 1970-01-01T00:00:00Z.</returns>
    public static long BeginTimestamp(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();

    private TlsReport Report(TlsReportCounts counts, TlsReportDocument document, byte[] json, int part, int partCount)
    {
        var begin = BeginTimestamp(counts.Day);
        var name = string.Create(CultureInfo.InvariantCulture, $"{_submitter}!{counts.ReportDomain}!{begin}!{begin + 86399}");
        if (partCount > 1)
        {
            name += string.Create(CultureInfo.InvariantCulture, $"!{part:D3}");
        }

        return new TlsReport(document, json, counts.ReportDomain, counts.Day, part, partCount, name);
    }

    private TlsReportDocument Document(TlsReportCounts counts, IReadOnlyList<TlsReportPolicyResult> policies, int part)
    {
        var start = new DateTimeOffset(counts.Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return new TlsReportDocument
        {
            OrganizationName = _organization,
            StartDateTime = start,
            EndDateTime = start.AddSeconds(86399),
            ContactInfo = _contact,
            ReportId = CreateReportId(_submitter, counts.ReportDomain, counts.Day, part),
            Policies = policies,
        };
    }

    /// <summary>Packs whole failure details into parts of at most the size limit (decision R-7), sizes measured as written.</summary>
    private List<List<TlsReportPolicyResult>> Split(TlsReportDocument whole, TlsReportPolicyResult[] results)
    {
        var envelope = TlsReportWriter.MeasureEnvelope(whole);
        var parts = new List<List<TlsReportPolicyResult>>();
        var current = new List<TlsReportPolicyResult>();
        var size = envelope;
        foreach (var result in results)
        {
            var header = TlsReportWriter.MeasurePolicy(result);
            var details = result.FailureDetails;
            var chunk = new List<TlsReportFailureDetail>();
            var firstChunk = true;
            var failedLeft = result.TotalFailureSessionCount;

            void Close(bool last)
            {
                var failedHere = last ? failedLeft : Math.Min(failedLeft, chunk.Sum(d => d.FailedSessionCount));
                failedLeft -= failedHere;
                current.Add(new TlsReportPolicyResult
                {
                    Policy = result.Policy,
                    TotalSuccessfulSessionCount = firstChunk ? result.TotalSuccessfulSessionCount : 0,
                    TotalFailureSessionCount = failedHere,
                    FailureDetails = chunk.ToArray(),
                });
                firstChunk = false;
            }

            // Room for this policy's header (and the comma before it) in the current part, else a new part.
            var policyCost = header + (current.Count > 0 ? 1 : 0);
            if (current.Count > 0 && size + policyCost > _maxBytes)
            {
                parts.Add(current);
                current = [];
                size = envelope;
                policyCost = header;
            }

            size += policyCost;
            foreach (var detail in details)
            {
                var cost = TlsReportWriter.MeasureDetail(detail) + (chunk.Count > 0 ? 1 : 0);
                if (chunk.Count > 0 && size + cost > _maxBytes)
                {
                    Close(last: false);
                    parts.Add(current);
                    current = [];
                    chunk = [];
                    size = envelope + header;
                    cost -= 1;
                }

                chunk.Add(detail);
                size += cost;
            }

            Close(last: true);
        }

        if (current.Count > 0)
        {
            parts.Add(current);
        }

        return parts;
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException($"TlsReportOptions.{name} is required (RFC 8460 §4.4, decision R-11).", name)
            : value.Trim();
}
