using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtaSts.Dane;
using MtaSts.Validation;

namespace MtaSts.Fuzz;

/// <summary>
/// The fuzz targets. Each takes raw bytes, feeds them to one reader of untrusted input, and checks the reader's
/// contract: it never throws (only documented argument exceptions where the API says so) and what it accepts obeys
/// the invariants the rest of the library relies on. A broken invariant throws <see cref="InvariantException"/>.
/// </summary>
internal static class Targets
{
    private static readonly UTF8Encoding Lenient = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static FrozenDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>
    {
        ["txt-record"] = TxtRecord,
        ["policy"] = Policy,
        ["domain"] = Domain,
        ["store-entry"] = StoreEntry,
        ["certificate"] = Certificate,
        ["dns-answer"] = DnsAnswer.Run,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The <c>_mta-sts</c> TXT grammar (RFC 8461 §3.1).</summary>
    private static void TxtRecord(byte[] input)
    {
        var text = Lenient.GetString(input);
        var parsed = MtaStsRecordParser.Parse(text);
        if (parsed.Record is { } record)
        {
            Check(parsed.Errors.Count == 0, "a record was returned together with errors");
            Check(MtaStsRecordParser.IsStsRecord(text), "a record was parsed from text the TXT filter rejects");
            Check(record.Id.Length > 0, "an empty id was accepted");
        }
        else
        {
            Check(parsed.Errors.Count > 0, "no record and no error");
        }
    }

    /// <summary>The policy grammar (RFC 8461 §3.2) and MX matching against what it accepted.</summary>
    private static void Policy(byte[] input)
    {
        var body = Lenient.GetString(input);
        var parsed = MtaStsPolicyParser.Parse(body);

        // The one-pass fast path must give exactly what the full parser gives wherever it answers.
        Check(MtaStsPolicyParseResult.Difference(parsed, MtaStsPolicyParser.ParseFull(body)) is null, "the fast path and the full parser disagree");

        // The parser's fast mx check may only accept what the full grammar check accepts.
        foreach (var line in body.Split('\n'))
        {
            var candidate = line.TrimEnd('\r');
            Check(!MtaStsPolicyParser.IsPlainValidMx(candidate) || MtaStsPolicyParser.DescribeInvalidMx(candidate) is null, "the fast mx check accepted an invalid pattern");
        }

        if (parsed.Policy is not { } policy)
        {
            Check(parsed.Errors.Count > 0, "no policy and no error");
            return;
        }

        Check(parsed.Errors.Count == 0, "a policy was returned together with errors");
        Check(policy.MaxAgeSeconds >= 0, "a negative max_age was accepted");
        foreach (var pattern in policy.MxPatterns)
        {
            // Every accepted pattern matches the host it names (with a label in place of the wildcard).
            var text = pattern.ToString();
            var host = text.StartsWith("*.", StringComparison.Ordinal) ? "a" + text[1..] : text;
            Check(policy.MatchesMx(host), $"the pattern {text} does not match {host}");
            Check(policy.MatchesMx(host.ToUpperInvariant() + "."), $"the pattern {text} is case- or dot-sensitive");
        }
    }

    /// <summary>Name normalisation (UTS-46 to A-labels): total on any string, idempotent on what it accepts.</summary>
    private static void Domain(byte[] input)
    {
        var text = Lenient.GetString(input);
        if (DomainName.TryNormalize(text, out var normalized, out var error))
        {
            Check(DomainName.TryNormalize(normalized, out var again, out _) && again == normalized, "normalisation is not idempotent");
            Check(normalized.Length <= 253, "a name longer than 253 characters was accepted");
            Check(!normalized.Any(char.IsAsciiLetterUpper), "a normalised name has upper case");
        }
        else
        {
            Check(!string.IsNullOrEmpty(error), "refused without a reason");
            try
            {
                DomainName.Normalize(text);
                throw new InvariantException("Normalize accepted what TryNormalize refused");
            }
            catch (ArgumentException)
            {
                // documented
            }
        }
    }

    /// <summary>The policy store format: never throws, and what it reads writes back to the same facts.</summary>
    private static void StoreEntry(byte[] input)
    {
        if (!StoredPolicyFormat.TryDeserialize(input, out var entry, out var error))
        {
            Check(!string.IsNullOrEmpty(error), "refused without a reason");
            return;
        }

        Check(StoredPolicyFormat.TryDeserialize(StoredPolicyFormat.Serialize(entry), out var again, out _), "a read entry does not read back");
        Check(again!.Domain == entry.Domain && again.PolicyText == entry.PolicyText && again.RecordId == entry.RecordId
            && again.FetchedAt == entry.FetchedAt && again.ExpiresAt == entry.ExpiresAt
            && again.Backoff?.Until == entry.Backoff?.Until && again.Backoff?.ReasonCode == entry.Backoff?.ReasonCode,
            "the round trip changed a fact");
    }

    /// <summary>
    /// A peer's certificate as DER: the SubjectPublicKeyInfo reader that DANE matching uses, and TLSA matching of every
    /// selector and matching type against it (RFC 6698 §2.1, RFC 7671).
    /// </summary>
    private static void Certificate(byte[] input)
    {
        if (TlsaMatcher.TryGetSubjectPublicKeyInfo(input, out var spki))
        {
            Check(spki.Length > 0 && spki.Length <= input.Length, "the SPKI is not inside the certificate");
        }

        var digest = SHA256.HashData(input);
        for (byte selector = 0; selector <= 2; selector++)
        {
            for (byte matching = 0; matching <= 3; matching++)
            {
                var data = matching == 1 ? digest : matching == 0 ? input : new byte[64];
                _ = TlsaMatcher.Matches(new TlsaAssociation(3, selector, matching, data), input);
            }
        }

        Check(TlsaMatcher.Matches(new TlsaAssociation(3, 0, 1, digest), input), "a 3 0 1 record with the certificate's own digest does not match");
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(input);
            _ = TlsaMatcher.SubjectPublicKeyInfoSha256Hex(certificate);
        }
        catch (CryptographicException)
        {
            // not a certificate the platform loads: fine
        }
    }

    internal static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantException(message);
        }
    }
}

/// <summary>A reader broke its contract on a fuzz input.</summary>
internal sealed class InvariantException(string message) : Exception(message);
