namespace MtaSts;

/// <summary>The result of <see cref="TlsReportReader.Read"/>.</summary>
public sealed class TlsReportReadResult
{
    internal TlsReportReadResult(TlsReportDocument? report, bool compressed, IReadOnlyList<MtaStsDiagnostic> errors, IReadOnlyList<MtaStsDiagnostic> warnings)
    {
        Report = report;
        WasCompressed = compressed;
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>The report, or <see langword="null"/> when it could not be read.</summary>
    public TlsReportDocument? Report { get; }

    /// <summary>Whether the input was gzip-compressed.</summary>
    public bool WasCompressed { get; }

    /// <summary>Why the report could not be read; empty when it was.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Errors { get; }

    /// <summary>The variants and slips that were accepted (checklist §4.5), e.g. <c>mx-host-string</c>, <c>time-without-zone</c>.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Warnings { get; }

    /// <summary><see langword="true"/> when <see cref="Report"/> is set.</summary>
    public bool IsValid => Report is not null;
}
