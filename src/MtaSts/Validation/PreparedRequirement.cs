using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtaSts.Dane;

namespace MtaSts.Validation;

/// <summary>A <see cref="CertificateRequirement"/> checked and prepared once (TLSA records ranked, collections copied), then applied to certificates.</summary>
internal sealed class PreparedRequirement : IDisposable
{
    private const int RecordsInReason = 4;

    private readonly MxAuthentication _authentication;
    private readonly string _mxHost;
    private readonly TlsaRecordSet? _records;
    private readonly string[] _referenceIdentifiers;
    private readonly X509Certificate2[] _additionalRoots;
    private readonly bool _enforce;

    private PreparedRequirement(CertificateRequirement requirement)
    {
        _authentication = requirement.Authentication;
        _mxHost = requirement.MxHost;
        _enforce = requirement.Enforce;
        _additionalRoots = requirement.AdditionalTrustedRoots is { Count: > 0 } roots ? [.. roots] : [];
        if (_authentication is MxAuthentication.DaneEe or MxAuthentication.DaneTa)
        {
            _records = TlsaRecordSet.Create(requirement.TlsaRecords);
        }

        // DANE-TA reference identifiers; without any, the MX host is the only one (RFC 7672 §3.2.2, insecure MX RRset).
        _referenceIdentifiers = requirement.ReferenceIdentifiers.Where(r => !string.IsNullOrWhiteSpace(r)).ToArray() is { Length: > 0 } ids
            ? ids
            : [_mxHost];
    }

    /// <summary>Releases the trust anchors carried by <c>2 0 0</c> records. A callback's requirement lives as long as the callback.</summary>
    public void Dispose() => _records?.Dispose();

    /// <summary>Checks the requirement (programmer errors throw) and prepares it.</summary>
    /// <param name="requirement">The requirement.</param>
    /// <returns>The prepared check.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="requirement"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The requirement is incomplete or names an unknown authentication.</exception>
    public static PreparedRequirement Prepare(CertificateRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        if (!Enum.IsDefined(requirement.Authentication))
        {
            throw new ArgumentException($"Unknown authentication {(int)requirement.Authentication}.", nameof(requirement));
        }

        if (string.IsNullOrWhiteSpace(requirement.MxHost))
        {
            throw new ArgumentException("The requirement's MxHost must be a host name.", nameof(requirement));
        }

        if (requirement.TlsaRecords is null || requirement.ReferenceIdentifiers is null)
        {
            throw new ArgumentException("The requirement's TlsaRecords and ReferenceIdentifiers must not be null.", nameof(requirement));
        }

        return new PreparedRequirement(requirement);
    }

    /// <summary>Applies the requirement to a presented certificate.</summary>
    /// <param name="certificate">The leaf.</param>
    /// <param name="chain">The TLS stack's chain.</param>
    /// <param name="errors">The TLS stack's verdict.</param>
    /// <returns>The result.</returns>
    public CertificateValidationResult Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_authentication == MxAuthentication.None)
        {
            return Pass(MxAuthentication.None, "no authentication required: TLS without certificate checks");
        }

        if (_records is { HasUsableRecords: false })
        {
            return Pass(
                MxAuthentication.None,
                _records.PublishedCount == 0
                    ? "no TLSA record given: TLS required, not authenticated (RFC 7672 §2.2)"
                    : $"the TLSA RRset has no usable record ({_records.PublishedCount} published, all unusable for SMTP): TLS required, not authenticated (RFC 7672 §2.2)");
        }

        if (certificate is null)
        {
            return Fail(_authentication, new CertificateFailure(CertificateResultTypes.ValidationFailure, "the server presented no certificate", TlsRptReasonCodes.CertificateMissing));
        }

        var leaf = certificate as X509Certificate2;
        var created = leaf is null;
        leaf ??= new X509Certificate2(certificate);
        try
        {
            return _authentication == MxAuthentication.Pkix
                ? ValidatePkix(leaf, chain, errors)
                : ValidateDane(leaf, ChainDiagnosis.Presented(leaf, chain));
        }
        finally
        {
            if (created)
            {
                leaf.Dispose();
            }
        }
    }

    /// <summary>The result for an exception thrown while checking (or while reporting a check); its text goes to the log only.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>A <c>validation-failure</c>, accepted only when not enforcing.</returns>
    public CertificateValidationResult Error(Exception exception) =>
        Fail(_authentication, new CertificateFailure(
            CertificateResultTypes.ValidationFailure,
            $"the certificate check failed with an internal error ({exception.GetType().Name}; the details are logged)",
            TlsRptReasonCodes.CertificateCheckError));

    private CertificateValidationResult ValidatePkix(X509Certificate2 leaf, X509Chain? chain, SslPolicyErrors errors)
    {
        // Chain first: a name on a certificate nobody vouches for says little.
        var findings = PkixVerifier.Verify(leaf, chain, errors, _mxHost, _additionalRoots, buildMissingChain: true);
        return (findings.Chain ?? findings.Name) is { } failure
            ? Fail(MxAuthentication.Pkix, failure)
            : Pass(MxAuthentication.Pkix, $"PKIX: trusted chain, certificate valid for {_mxHost}");
    }

    private CertificateValidationResult ValidateDane(X509Certificate2 leaf, List<X509Certificate2> presented)
    {
        var records = _records!;

        // DANE-EE (RFC 7672 §3.1.1): the leaf alone; no names, no dates, no chain.
        foreach (var record in records.EndEntity)
        {
            if (TlsaMatcher.Matches(record, leaf))
            {
                return Pass(MxAuthentication.DaneEe, $"DANE-EE: the server certificate matches TLSA {TlsaMatcher.Abbreviate(record)}");
            }
        }

        // DANE-TA (RFC 7672 §3.1.2): an issuer the server presented (never the leaf, never the local store) matches, or a
        // 2 0 0 record supplies the anchor itself; the chain from the leaf must lead to it; the leaf must carry a reference name.
        CertificateFailure? failure = null;
        foreach (var record in records.TrustAnchor)
        {
            foreach (var candidate in presented)
            {
                if (TlsaMatcher.Matches(record, candidate))
                {
                    var result = TryAnchor(leaf, candidate, record, presented, supplied: false, ref failure);
                    if (result is not null)
                    {
                        return result;
                    }
                }
            }
        }

        foreach (var (supplied, record) in records.SuppliedAnchors)
        {
            if (!ChainDiagnosis.SameCertificate(supplied, leaf) && !presented.Exists(c => ChainDiagnosis.SameCertificate(c, supplied)))
            {
                var result = TryAnchor(leaf, supplied, record, presented, supplied: true, ref failure);
                if (result is not null)
                {
                    return result;
                }
            }
        }

        failure ??= new CertificateFailure(CertificateResultTypes.TlsaInvalid, NoMatchReason(leaf, presented), TlsRptReasonCodes.TlsaNoMatch);
        return Fail(failure.ResultType == CertificateResultTypes.TlsaInvalid ? _authentication : MxAuthentication.DaneTa, failure);
    }

    private CertificateValidationResult? TryAnchor(X509Certificate2 leaf, X509Certificate2 anchor, TlsaAssociation record, List<X509Certificate2> presented, bool supplied, ref CertificateFailure? failure)
    {
        var chainProblem = VerifyPathToAnchor(leaf, anchor, presented, out var onPath);
        if (!onPath && supplied)
        {
            // An anchor from a 2 0 0 record that no presented certificate leads to is simply a record that did not match.
            return null;
        }

        if (chainProblem is not null)
        {
            failure = CertificateFailure.MostTelling(failure, chainProblem);
            return null;
        }

        var matched = CertificateNames.MatchDane(leaf, _referenceIdentifiers, out var names, out var fromCommonName);
        if (matched is null)
        {
            var what = names.Count == 0 ? "no DNS name" : (fromCommonName ? $"only the CN {Join(names)}" : $"the SAN dNSNames {Join(names)}");
            failure = CertificateFailure.MostTelling(
                failure,
                new CertificateFailure(CertificateResultTypes.HostMismatch, $"DANE-TA: the certificate has {what}, none matching {Join(_referenceIdentifiers)}", TlsRptReasonCodes.CertificateNameMismatch));
            return null;
        }

        return Pass(MxAuthentication.DaneTa, $"DANE-TA: chain to '{anchor.Subject}' (TLSA {TlsaMatcher.Abbreviate(record)}), name {matched}");
    }

    /// <summary>
    /// Verifies the path from the leaf up to <paramref name="anchor"/> as the sole trust anchor. Validity periods,
    /// signatures, basic constraints, path lengths, name constraints and purposes apply to every certificate below the
    /// anchor and to the anchor's constraints; the anchor's own dates, its issuer and anything above it do not.
    /// </summary>
    /// <remarks>
    /// X509Chain with <see cref="X509ChainTrustMode.CustomRootTrust"/> treats only self-issued certificates as roots on
    /// some platforms (OpenSSL reports an intermediate anchor as <c>PartialChain</c>, or goes on to the presented root and
    /// reports <c>UntrustedRoot</c>), yet it still verifies everything below. So the chain is built with the anchor as the
    /// only trusted certificate and judged element by element up to the anchor.
    /// </remarks>
    private static CertificateFailure? VerifyPathToAnchor(X509Certificate2 leaf, X509Certificate2 anchor, List<X509Certificate2> presented, out bool onPath)
    {
        using var chain = ChainDiagnosis.Create([anchor], presented);
        try
        {
            chain.Build(leaf);
            var elements = chain.ChainElements;
            var anchorIndex = -1;
            for (var i = 1; i < elements.Count; i++)
            {
                if (ChainDiagnosis.SameCertificate(elements[i].Certificate, anchor))
                {
                    anchorIndex = i;
                    break;
                }
            }

            onPath = anchorIndex > 0;
            return anchorIndex < 0
                ? new CertificateFailure(CertificateResultTypes.NotTrusted, $"DANE-TA: no valid path from the server certificate to the trust anchor '{anchor.Subject}'", TlsRptReasonCodes.DaneTaChainInvalid)
                : ChainDiagnosis.Diagnose(chain, anchorIndex + 1, anchorIndex);
        }
        finally
        {
            ChainDiagnosis.DisposeElements(chain, leaf, [.. presented, anchor]);
        }
    }

    private string NoMatchReason(X509Certificate2 leaf, List<X509Certificate2> presented)
    {
        var records = _records!;
        var text = new StringBuilder("no TLSA record matched the presented chain (");
        var kept = records.EndEntity.Concat(records.TrustAnchor).ToList();
        text.AppendJoin(", ", kept.Take(RecordsInReason).Select(TlsaMatcher.Abbreviate));
        if (kept.Count > RecordsInReason)
        {
            text.Append(", and ").Append(kept.Count - RecordsInReason).Append(" more");
        }

        text.Append("; server key 3 1 1 ").Append(TlsaMatcher.SubjectPublicKeyInfoSha256Hex(leaf)).Append(')');

        if (records.TrustAnchor.Any(r => TlsaMatcher.Matches(r, leaf)))
        {
            text.Append("; a DANE-TA record matches the server certificate itself, which only a DANE-EE (3) record can pin");
        }

        if (records.Superseded.Any(r => r.Usage == TlsaUsage.DaneEe ? TlsaMatcher.Matches(r, leaf) : presented.Exists(c => TlsaMatcher.Matches(r, c))))
        {
            text.Append("; a weaker digest matched, but a stronger one is published for the same usage and selector (RFC 7671 §9)");
        }

        return text.ToString();
    }

    private static CertificateValidationResult Pass(MxAuthentication authentication, string reason) =>
        new() { Verdict = CertificateVerdict.Passed, ResultType = null, Reason = reason, Authentication = authentication };

    private CertificateValidationResult Fail(MxAuthentication authentication, CertificateFailure failure) => new()
    {
        Verdict = _enforce ? CertificateVerdict.Rejected : CertificateVerdict.FailedButAllowed,
        ResultType = failure.ResultType,
        Reason = failure.Reason,
        ReasonCode = failure.ReasonCode,
        Authentication = authentication,
    };

    private static string Join(IEnumerable<string> names)
    {
        const int Shown = 5;
        var list = names.Take(Shown + 1).ToList();
        return list.Count > Shown ? string.Join(", ", list.Take(Shown)) + ", …" : string.Join(", ", list);
    }
}
