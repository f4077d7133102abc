namespace MtaSts;

/// <summary>One TXT record at <c>_mta-sts.&lt;domain&gt;</c> and what a sender makes of it.</summary>
public sealed class TxtRecordInspection
{
    /// <summary>The record, its character-strings joined (sanitised and capped for display).</summary>
    public required string Text { get; init; }

    /// <summary>Whether it begins with <c>v=STSv1</c> and a delimiter, the test that selects MTA-STS records (RFC 8461 §3.1).</summary>
    public required bool IsStsRecord { get; init; }

    /// <summary>Whether it is the one record senders use (the only STS record, and valid).</summary>
    public required bool IsSelected { get; init; }

    /// <summary>Why it is or is not the record, in one sentence.</summary>
    public required string Reason { get; init; }
}
