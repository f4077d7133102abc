namespace MtaSts.Caching;

/// <summary>
/// One domain's local override (<see cref="MtaStsOptions.Overrides"/>), applied after the cache. What it returns is
/// prepared once, so an overridden domain stays allocation-free on the warm path.
/// </summary>
internal sealed class OverrideRule
{
    private volatile Memo? _lastEnforced;

    public OverrideRule(string domain, MtaStsPolicyOverride rule)
    {
        Description = rule.ToString();
        Fixed = rule.Kind switch
        {
            MtaStsOverrideKind.Disable => Task.FromResult(new MtaStsResolution
            {
                Domain = domain,
                Outcome = MtaStsOutcome.NoPolicy,
                Source = PolicySource.None,
                Override = MtaStsOverrideKind.Disable,
                Evidence = new MtaStsEvidence { Message = $"MTA-STS is disabled for {domain} by a local override; nothing was looked up." },
            }),
            MtaStsOverrideKind.StaticPolicy => Task.FromResult(new MtaStsResolution
            {
                Domain = domain,
                Outcome = MtaStsOutcome.Policy,
                Policy = rule.Policy,
                Source = PolicySource.Override,
                Override = MtaStsOverrideKind.StaticPolicy,
            }),
            _ => null,
        };
    }

    /// <summary>How the override is shown in logs.</summary>
    public string Description { get; }

    /// <summary>The answer of a <see cref="MtaStsOverrideKind.Disable"/> or <see cref="MtaStsOverrideKind.StaticPolicy"/> override: nothing is looked up.</summary>
    public Task<MtaStsResolution>? Fixed { get; }

    /// <summary>The resolution with a published <c>testing</c> policy applied as <c>enforce</c> (<see cref="MtaStsOverrideKind.Enforce"/>).</summary>
    public Task<MtaStsResolution> Enforce(Task<MtaStsResolution> resolution)
    {
        if (!resolution.IsCompletedSuccessfully)
        {
            return EnforceAsync(resolution);
        }

        return resolution.Result.Policy is { Mode: MtaStsMode.Testing } ? Enforced(resolution.Result) : resolution;
    }

    private async Task<MtaStsResolution> EnforceAsync(Task<MtaStsResolution> resolution)
    {
        var source = await resolution.ConfigureAwait(false);
        return source.Policy is { Mode: MtaStsMode.Testing } ? await Enforced(source).ConfigureAwait(false) : source;
    }

    /// <summary>The last answer is remembered, so a warm resolution returns the same task.</summary>
    private Task<MtaStsResolution> Enforced(MtaStsResolution source)
    {
        if (_lastEnforced is { } remembered && ReferenceEquals(remembered.Source, source))
        {
            return remembered.Result;
        }

        var enforced = Task.FromResult(new MtaStsResolution
        {
            Domain = source.Domain,
            Outcome = source.Outcome,
            Policy = source.Policy!.WithMode(MtaStsMode.Enforce),
            Record = source.Record,
            Source = source.Source,
            Failure = source.Failure,
            Evidence = source.Evidence,
            Warnings = source.Warnings,
            FetchedAt = source.FetchedAt,
            ExpiresAt = source.ExpiresAt,
            Override = MtaStsOverrideKind.Enforce,
        });
        _lastEnforced = new Memo(source, enforced);
        return enforced;
    }

    private sealed record Memo(MtaStsResolution Source, Task<MtaStsResolution> Result);
}
