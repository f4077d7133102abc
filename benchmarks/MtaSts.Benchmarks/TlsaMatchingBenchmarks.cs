using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using MtaSts.Dane;
using MtaSts.Validation;

namespace MtaSts.Benchmarks;

/// <summary>
/// TLSA record ↔ certificate matching (the per-handshake work of a DANE check): the SubjectPublicKeyInfo SHA-256
/// (<c>3 1 1</c>, the recommended record) and the full-certificate SHA-512 (<c>2 0 2</c>). Both should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class TlsaMatchingBenchmarks
{
    private X509Certificate2 _certificate = null!;
    private TlsaAssociation _spkiSha256 = null!;
    private TlsaAssociation _fullSha512 = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=mx1.example.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("mx1.example.test");
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch.AddYears(56), DateTimeOffset.UnixEpoch.AddYears(58));
        _spkiSha256 = new TlsaAssociation(3, 1, 1, SHA256.HashData(_certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        _fullSha512 = new TlsaAssociation(2, 0, 2, SHA512.HashData(_certificate.RawData));
        if (!TlsaMatcher.Matches(_spkiSha256, _certificate) || !TlsaMatcher.Matches(_fullSha512, _certificate))
        {
            throw new InvalidOperationException("The benchmark records do not match.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _certificate.Dispose();

    [Benchmark(Baseline = true)]
    public bool SpkiSha256() => TlsaMatcher.Matches(_spkiSha256, _certificate);

    [Benchmark]
    public bool FullCertificateSha512() => TlsaMatcher.Matches(_fullSha512, _certificate);
}
