namespace MtaSts;

/// <summary>A valid <c>_smtp._tls</c> TXT record (RFC 8460 §3): where the domain wants its TLS reports sent.</summary>
public sealed class TlsRptRecord
{
    /// <summary>Creates a record. Use <see cref="TlsRptRecordParser.Parse(string)"/> to get one from text.</summary>
    /// <param name="reportingUris">The usable <c>rua</c> URIs (<c>mailto:</c> or <c>https:</c>), in order; at least one.</param>
    /// <param name="text">The record text, its character-strings joined.</param>
    /// <param name="extensions">Extension fields in order of appearance.</param>
    /// <exception cref="ArgumentException"><paramref name="reportingUris"/> is empty or holds a URI of another scheme.</exception>
    public TlsRptRecord(IReadOnlyList<Uri> reportingUris, string text, IReadOnlyList<KeyValuePair<string, string>>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(reportingUris);
        ArgumentNullException.ThrowIfNull(text);
        if (reportingUris.Count == 0)
        {
            throw new ArgumentException("A TLS-RPT record needs at least one rua URI.", nameof(reportingUris));
        }

        foreach (var uri in reportingUris)
        {
            if (uri is null || !uri.IsAbsoluteUri || !TlsRptRecordParser.IsSupportedScheme(uri.Scheme))
            {
                throw new ArgumentException("Every rua URI must be an absolute mailto: or https: URI.", nameof(reportingUris));
            }
        }

        ReportingUris = reportingUris;
        Text = text;
        Extensions = extensions ?? [];
    }

    /// <summary>The version, always <c>TLSRPTv1</c>.</summary>
    public string Version { get; } = "TLSRPTv1";

    /// <summary>
    /// The usable <c>rua</c> URIs in the order published: <c>mailto:</c> addresses and <c>https:</c> endpoints. URIs that
    /// could not be used were skipped with a warning (decision R-5).
    /// </summary>
    public IReadOnlyList<Uri> ReportingUris { get; }

    /// <summary>The record as published, its character-strings joined without separators.</summary>
    public string Text { get; }

    /// <summary>Extension fields (ignored by the protocol, RPT-3-f; kept for display).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
