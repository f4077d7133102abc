using System.IO.Compression;

namespace MtaSts;

/// <summary>A built TLS-RPT report: its data, its JSON, its file name (RFC 8460 §5.1) and its gzip form (RFC 8460 §5.2).</summary>
public sealed class TlsReport
{
    /// <summary>The media type of the compressed report (RFC 8460 §6.4, §6.5).</summary>
    public const string GzipMediaType = "application/tlsrpt+gzip";

    /// <summary>The media type of the uncompressed report.</summary>
    public const string JsonMediaType = "application/tlsrpt+json";

    private readonly byte[] _json;
    private readonly string _baseName;

    internal TlsReport(TlsReportDocument document, byte[] json, string reportDomain, DateOnly day, int part, int partCount, string baseName)
    {
        Document = document;
        _json = json;
        ReportDomain = reportDomain;
        Day = day;
        Part = part;
        PartCount = partCount;
        _baseName = baseName;
    }

    /// <summary>The report as data.</summary>
    public TlsReportDocument Document { get; }

    /// <summary>The report's <c>report-id</c>.</summary>
    public string ReportId => Document.ReportId;

    /// <summary>The recipient domain the report is for (<c>TLS-Report-Domain</c>).</summary>
    public string ReportDomain { get; }

    /// <summary>
    /// The submitter: the sending domain the report's file name starts with (RFC 8460 §5.1), which the e-mail Report-ID
    /// carries as <c>&lt;id@submitter&gt;</c> (decision R-14).
    /// </summary>
    public string Submitter => _baseName[.._baseName.IndexOf('!', StringComparison.Ordinal)];

    /// <summary>The UTC day the report covers.</summary>
    public DateOnly Day { get; }

    /// <summary>Which part this is, from 1, when a report was split (decision R-7); 1 otherwise.</summary>
    public int Part { get; }

    /// <summary>How many parts the day's report for the domain was split into; 1 when it was not.</summary>
    public int PartCount { get; }

    /// <summary>The report's JSON, UTF-8 (I-JSON, RFC 8460 §4).</summary>
    public ReadOnlyMemory<byte> Json => _json;

    /// <summary>
    /// The file name of the compressed report (RFC 8460 §5.1): <c>submitter!policy-domain!begin!end[!part].json.gz</c>,
    /// begin and end in Unix seconds (decision R-1: end = begin + 86399); the part only when the report was split.
    /// </summary>
    public string FileName => _baseName + ".json.gz";

    /// <summary>The file name of the uncompressed report (<c>….json</c>).</summary>
    public string JsonFileName => _baseName + ".json";

    /// <summary>The report compressed with gzip (RFC 1952), as sent (RFC 8460 §5.2).</summary>
    /// <returns>A new array, starting with the gzip magic bytes 1f 8b.</returns>
    public byte[] ToGzip()
    {
        using var output = new MemoryStream(_json.Length / 4 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(_json);
        }

        return output.ToArray();
    }

    /// <summary>The report id and the file name.</summary>
    /// <returns>Readable text.</returns>
    public override string ToString() => $"{ReportId} ({FileName})";
}
