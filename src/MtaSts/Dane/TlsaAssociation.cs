namespace MtaSts;

/// <summary>The certificate usage field of a TLSA record (RFC 6698 §2.1.1, RFC 7218 names).</summary>
public enum TlsaUsage : byte
{
    /// <summary>PKIX-TA (0): unusable for SMTP (RFC 7672 §3.1.3).</summary>
    PkixTa = 0,

    /// <summary>PKIX-EE (1): unusable for SMTP (RFC 7672 §3.1.3).</summary>
    PkixEe = 1,

    /// <summary>DANE-TA (2): a trust anchor in the presented chain; names are checked.</summary>
    DaneTa = 2,

    /// <summary>DANE-EE (3): the server's own certificate or key; names and expiry are not checked.</summary>
    DaneEe = 3,
}

/// <summary>The selector field of a TLSA record.</summary>
public enum TlsaSelector : byte
{
    /// <summary>Cert (0): the full DER certificate.</summary>
    FullCertificate = 0,

    /// <summary>SPKI (1): the DER SubjectPublicKeyInfo.</summary>
    SubjectPublicKeyInfo = 1,
}

/// <summary>The matching type field of a TLSA record.</summary>
public enum TlsaMatchingType : byte
{
    /// <summary>Full (0): the selected content itself.</summary>
    Full = 0,

    /// <summary>SHA2-256 (1): a 32-byte digest.</summary>
    Sha256 = 1,

    /// <summary>SHA2-512 (2): a 64-byte digest.</summary>
    Sha512 = 2,
}

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
