namespace MtaSts;

/// <summary>The selector field of a TLSA record.</summary>
public enum TlsaSelector : byte
{
    /// <summary>Cert (0): the full DER certificate.</summary>
    FullCertificate = 0,

    /// <summary>SPKI (1): the DER SubjectPublicKeyInfo.</summary>
    SubjectPublicKeyInfo = 1,
}
