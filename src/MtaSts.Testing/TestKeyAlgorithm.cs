using System.Net;

namespace MtaSts.Testing;

/// <summary>The key algorithm of a certificate minted by a <see cref="TestCertificateAuthority"/>.</summary>
public enum TestKeyAlgorithm
{
    /// <summary>ECDSA on the NIST P-256 curve, signed with SHA-256. Fast to generate; the default.</summary>
    EcdsaP256 = 0,

    /// <summary>RSA with a 2048-bit modulus, signed with SHA-256 and PKCS#1 v1.5 padding.</summary>
    Rsa2048,
}
