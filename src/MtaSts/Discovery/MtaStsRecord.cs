namespace MtaSts;

/// <summary>A valid <c>_mta-sts</c> TXT record (RFC 8461 §3.1).</summary>
public sealed class MtaStsRecord
{
    /// <summary>Creates a record. Use <see cref="MtaStsRecordParser.Parse(string)"/> to get one from text.</summary>
    /// <param name="id">The policy instance id (compared for exact equality only).</param>
    /// <param name="text">The record text, its character-strings joined.</param>
    /// <param name="extensions">Extension fields in order of appearance.</param>
    public MtaStsRecord(string id, string text, IReadOnlyList<KeyValuePair<string, string>>? extensions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(text);
        Id = id;
        Text = text;
        Extensions = extensions ?? [];
    }

    /// <summary>The version, always <c>STSv1</c>.</summary>
    public string Version { get; } = "STSv1";

    /// <summary>The policy instance id. Ids have no order: only equality is meaningful (RFC 8461 §3.1).</summary>
    public string Id { get; }

    /// <summary>The record as published, its character-strings joined without separators.</summary>
    public string Text { get; }

    /// <summary>Extension fields (ignored by the protocol, kept for display).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
