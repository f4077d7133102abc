namespace MtaSts;

/// <summary>Parses <c>_mta-sts</c> TXT records under the RFC 8461 §3.1 ABNF and our decisions .</summary>
public static class MtaStsRecordParser
{
    /// <summary>Parses one TXT record (its character-strings already joined).</summary>
    /// <param name="text">The record text.</param>
    /// <returns>The record with warnings, or the errors that make it invalid. Never throws for bad input.</returns>
    public static MtaStsRecordParseResult Parse(string text) => throw new NotImplementedException();

    /// <summary>
    /// Whether a TXT record is an STS record candidate: it begins with <c>v=STSv1</c> followed by
    /// optional whitespace and <c>;</c> (RFC 8461 §3.1, decisions ).
    /// </summary>
    /// <param name="text">The record text.</param>
    /// <returns><see langword="true"/> when the record takes part in the exactly-one count.</returns>
    public static bool IsStsRecord(ReadOnlySpan<char> text) => throw new NotImplementedException();
}
