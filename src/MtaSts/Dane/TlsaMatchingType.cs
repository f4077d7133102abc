namespace MtaSts;

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
