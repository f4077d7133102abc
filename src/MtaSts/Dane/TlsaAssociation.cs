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
    {
        Usage = usage;
        Selector = selector;
        MatchingType = matchingType;
        _data = data.ToArray();
    }

    /// <summary>The certificate usage; see <see cref="TlsaUsage"/> for the defined values.</summary>
    public byte Usage { get; }

    /// <summary>The selector; see <see cref="TlsaSelector"/>.</summary>
    public byte Selector { get; }

    /// <summary>The matching type; see <see cref="TlsaMatchingType"/>.</summary>
    public byte MatchingType { get; }

    /// <summary>The certificate association data.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>
    /// Whether an SMTP client can use this record (RFC 7672 §3.1, RFC 7671 §9): usage DANE-TA or DANE-EE, selector
    /// Cert or SPKI, matching type Full, SHA2-256 (32 bytes) or SHA2-512 (64 bytes), and non-empty data.
    /// </summary>
    public bool IsUsable =>
        Usage is (byte)TlsaUsage.DaneTa or (byte)TlsaUsage.DaneEe
        && Selector is (byte)TlsaSelector.FullCertificate or (byte)TlsaSelector.SubjectPublicKeyInfo
        && MatchingType switch
        {
            (byte)TlsaMatchingType.Full => _data.Length > 0,
            (byte)TlsaMatchingType.Sha256 => _data.Length == 32,
            (byte)TlsaMatchingType.Sha512 => _data.Length == 64,
            _ => false,
        };

    /// <summary>The record in presentation form, <c>usage selector mtype hexdata</c> (as TLS-RPT's <c>policy-string</c> wants it).</summary>
    /// <returns>For example <c>3 1 1 0123…</c>.</returns>
    public override string ToString() => $"{Usage} {Selector} {MatchingType} {Convert.ToHexString(_data)}";

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
