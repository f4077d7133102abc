namespace MtaSts;

/// <summary>The result of parsing a TXT record with <see cref="MtaStsRecordParser"/>.</summary>
public sealed class MtaStsRecordParseResult
{
    internal MtaStsRecordParseResult(MtaStsRecord? record, IReadOnlyList<MtaStsDiagnostic> errors, IReadOnlyList<MtaStsDiagnostic> warnings)
    {
        Record = record;
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>The record, or <see langword="null"/> when it is invalid.</summary>
    public MtaStsRecord? Record { get; }

    /// <summary>Why the record is invalid; empty when it is valid.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Errors { get; }

    /// <summary>Harmless slips that were accepted (decisions ).</summary>
    public IReadOnlyList<MtaStsDiagnostic> Warnings { get; }

    /// <summary><see langword="true"/> when <see cref="Record"/> is set.</summary>
    public bool IsValid => Record is not null;
}
