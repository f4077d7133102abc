namespace MtaSts;

/// <summary>The result of <see cref="TlsRptRecordParser.Parse(string)"/> or <see cref="TlsRptRecordParser.Select"/>.</summary>
public sealed class TlsRptRecordParseResult
{
    internal TlsRptRecordParseResult(TlsRptRecordStatus status, TlsRptRecord? record, IReadOnlyList<MtaStsDiagnostic> errors, IReadOnlyList<MtaStsDiagnostic> warnings)
    {
        Status = status;
        Record = record;
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>What was found.</summary>
    public TlsRptRecordStatus Status { get; }

    /// <summary>The record, or <see langword="null"/> unless <see cref="Status"/> is <see cref="TlsRptRecordStatus.Found"/>.</summary>
    public TlsRptRecord? Record { get; }

    /// <summary>Why there is no record; empty when there is one.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Errors { get; }

    /// <summary>What was accepted or skipped: unusable <c>rua</c> URIs (decision R-5), duplicate fields, trailing whitespace.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Warnings { get; }

    /// <summary><see langword="true"/> when <see cref="Record"/> is set.</summary>
    public bool IsValid => Record is not null;
}
