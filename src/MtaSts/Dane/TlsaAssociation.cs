namespace MtaSts;

/// <summary>One TLSA record's data: usage, selector, matching type and certificate association data.</summary>
public sealed class TlsaAssociation : IEquatable<TlsaAssociation>
{
    private readonly byte[] _data;

    /// <summary>Creates an association from the four TLSA fields (any values, usable or not).</summary>
    /// <param name="usage">The certificate usage (0–255).</param>
    /// <param name="selector">The selector (0–255).</param>
    /// <param name="matchingType">The matching type (0–255).</param>
    /// <param name="data">The certificate association data; copied.</param>
    public TlsaAssociation(byte usage, byte selector, byte matchingType, ReadOnlySpan<byte> data)
        : this((TlsaUsage)usage, (TlsaSelector)selector, (TlsaMatchingType)matchingType, data)
    {
    }

    /// <summary>Creates an association from the four TLSA fields, named (values without a name are allowed by casting a byte).</summary>
    /// <param name="usage">The certificate usage.</param>
    /// <param name="selector">The selector.</param>
    /// <param name="matchingType">The matching type.</param>
    /// <param name="data">The certificate association data; copied.</param>
    public TlsaAssociation(TlsaUsage usage, TlsaSelector selector, TlsaMatchingType matchingType, ReadOnlySpan<byte> data)
    {
        Usage = usage;
        Selector = selector;
        MatchingType = matchingType;
        _data = data.ToArray();
    }

    /// <summary>The certificate usage; a value outside <see cref="TlsaUsage"/>'s names is kept as received (it is unusable).</summary>
    public TlsaUsage Usage { get; }

    /// <summary>The selector; a value outside <see cref="TlsaSelector"/>'s names is kept as received (it is unusable).</summary>
    public TlsaSelector Selector { get; }

    /// <summary>The matching type; a value outside <see cref="TlsaMatchingType"/>'s names is kept as received (it is unusable).</summary>
    public TlsaMatchingType MatchingType { get; }

    /// <summary>The certificate association data.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>
    /// Whether an SMTP client can use this record (RFC 7672 §3.1, RFC 7671 §9): usage DANE-TA or DANE-EE, selector
    /// Cert or SPKI, matching type Full, SHA2-256 (32 bytes) or SHA2-512 (64 bytes), and non-empty data.
    /// </summary>
    public bool IsUsable =>
        Usage is TlsaUsage.DaneTa or TlsaUsage.DaneEe
        && Selector is TlsaSelector.FullCertificate or TlsaSelector.SubjectPublicKeyInfo
        && MatchingType switch
        {
            TlsaMatchingType.Full => _data.Length > 0,
            TlsaMatchingType.Sha256 => _data.Length == 32,
            TlsaMatchingType.Sha512 => _data.Length == 64,
            _ => false,
        };

    /// <summary>The record in presentation form, <c>usage selector mtype hexdata</c> (as TLS-RPT's <c>policy-string</c> wants it).</summary>
    /// <returns>For example <c>3 1 1 0123…</c>.</returns>
    public override string ToString() => $"{(byte)Usage} {(byte)Selector} {(byte)MatchingType} {Convert.ToHexString(_data)}";

    /// <inheritdoc/>
    public bool Equals(TlsaAssociation? other) =>
        other is not null && Usage == other.Usage && Selector == other.Selector && MatchingType == other.MatchingType && _data.AsSpan().SequenceEqual(other._data);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TlsaAssociation);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Usage);
        hash.Add(Selector);
        hash.Add(MatchingType);
        hash.AddBytes(_data);
        return hash.ToHashCode();
    }
}
