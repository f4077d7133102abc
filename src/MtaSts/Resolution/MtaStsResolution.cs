using System.Text;

namespace MtaSts;

/// <summary>The answer to "which MTA-STS policy applies to this domain now?", with where it came from and what went wrong.</summary>
public sealed class MtaStsResolution
{
    /// <summary>The policy domain, normalised (lower-case A-label).</summary>
    public required string Domain { get; init; }

    /// <summary>The overall outcome.</summary>
    public required MtaStsOutcome Outcome { get; init; }

    /// <summary>The policy that applies, or <see langword="null"/> when none does.</summary>
    public MtaStsPolicy? Policy { get; init; }

    /// <summary>The TXT record seen during this resolution, or the one the cached policy was fetched under.</summary>
    public MtaStsRecord? Record { get; init; }

    /// <summary>Where <see cref="Policy"/> came from.</summary>
    public PolicySource Source { get; init; }

    /// <summary>What failed, if anything. A cached policy can apply together with a failure (<see cref="PolicySource.CacheAfterFailure"/>).</summary>
    public MtaStsFailure Failure { get; init; }

    /// <summary>What was seen when something failed.</summary>
    public MtaStsEvidence? Evidence { get; init; }

    /// <summary>Harmless slips accepted in the record or the policy (the <c>mta-sts</c> tool shows them to domain owners).</summary>
    public IReadOnlyList<MtaStsDiagnostic> Warnings { get; init; } = [];

    /// <summary>When the applied policy was fetched.</summary>
    public DateTimeOffset? FetchedAt { get; init; }

    /// <summary>When the applied policy expires (fetch time plus <c>max_age</c>).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// The operator's local override that shaped this resolution (<see cref="MtaStsOptions.Overrides"/>), or
    /// <see cref="MtaStsOverrideKind.None"/>. With <see cref="MtaStsOverrideKind.Enforce"/> the published policy's mode
    /// was <c>testing</c> and <see cref="Policy"/> is that policy applied as <c>enforce</c>.
    /// </summary>
    public MtaStsOverrideKind Override { get; init; }

    /// <summary>
    /// The body of a policy received as text but not valid (<see cref="MtaStsFailure.PolicyInvalid"/>, at most 64 KiB),
    /// for the report's <c>policy-string</c> (decisions ); only when nothing cached applies
    /// (<see cref="MtaStsOutcome.FetchFailure"/>). Kept in memory while the failure is remembered (the fetch back-off),
    /// never written to a policy store: a failure read back from a store, or a body that was not text, has none.
    /// </summary>
    internal string? InvalidPolicyText { get; init; }

    /// <summary>The RFC 8460 result type of <see cref="Failure"/> (<c>sts-policy-fetch-error</c>, <c>sts-policy-invalid</c>, <c>sts-webpki-invalid</c>), or <see langword="null"/>.</summary>
    public string? ReportResultType => GetReportResultType(Failure);

    /// <summary>The RFC 8460 result type for a failure kind, or <see langword="null"/> when the kind has none.</summary>
    /// <param name="failure">The failure kind.</param>
    /// <returns>The exact TLS-RPT string, or <see langword="null"/>.</returns>
    public static string? GetReportResultType(MtaStsFailure failure) => failure switch
    {
        MtaStsFailure.PolicyFetchError => "sts-policy-fetch-error",
        MtaStsFailure.PolicyInvalid => "sts-policy-invalid",
        MtaStsFailure.WebPkiInvalid => "sts-webpki-invalid",
        _ => null,
    };

    /// <summary>
    /// Whether another resolution gives the same answer: the same outcome, source, failure, record id, fetch instants,
    /// override and policy. A delivery plan made with one stays valid while the resolver answers with the other, whether
    /// or not it is the same instance (a policy read back from a store is a new instance with the same facts).
    /// </summary>
    internal bool IsSameAnswerAs(MtaStsResolution? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && Outcome == other.Outcome
            && Source == other.Source
            && Failure == other.Failure
            && Override == other.Override
            && FetchedAt == other.FetchedAt
            && ExpiresAt == other.ExpiresAt
            && string.Equals(Record?.Id, other.Record?.Id, StringComparison.Ordinal)
            && MtaStsPolicy.HaveSameContent(Policy, other.Policy));

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder(Domain).Append(": ");
        switch (Outcome)
        {
            case MtaStsOutcome.Policy:
                text.Append(Policy).Append(" (").Append(Source switch
                {
                    PolicySource.Fetched => "fetched",
                    PolicySource.CacheAfterFailure => "cached, applied after a failure",
                    PolicySource.Override => "pinned by a local override",
                    _ => "cached",
                });
                if (Record is not null)
                {
                    text.Append(", id ").Append(Record.Id);
                }

                text.Append(')');
                break;
            case MtaStsOutcome.NoPolicy:
                text.Append("no MTA-STS policy");
                break;
            case MtaStsOutcome.FetchFailure:
                text.Append("policy fetch failed, deliver as without MTA-STS");
                break;
            case MtaStsOutcome.DnsFailure:
                text.Append("temporary DNS failure, nothing cached");
                break;
        }

        if (Failure != MtaStsFailure.None)
        {
            text.Append("; ").Append(ReportResultType ?? Failure.ToString());
            if (Evidence is not null)
            {
                text.Append(": ").Append(Evidence.Message);
            }
        }

        foreach (var warning in Warnings)
        {
            text.Append("; warning: ").Append(warning);
        }

        if (Override is MtaStsOverrideKind.Enforce or MtaStsOverrideKind.Disable)
        {
            text.Append("; local override: ").Append(Override == MtaStsOverrideKind.Enforce ? "enforce" : "MTA-STS disabled");
        }

        return text.ToString();
    }
}
