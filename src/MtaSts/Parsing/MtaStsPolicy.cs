namespace MtaSts;

/// <summary>A valid, immutable MTA-STS policy (RFC 8461 §3.2).</summary>
public sealed class MtaStsPolicy
{
    internal MtaStsPolicy(MtaStsMode mode, MxPattern[] mxPatterns, long maxAgeSeconds, string text, IReadOnlyList<KeyValuePair<string, string>> extensions)
    {
        Mode = mode;
        MxPatterns = mxPatterns;
        MaxAgeSeconds = maxAgeSeconds;
        Text = text;
        Extensions = extensions;
    }

    /// <summary>The version, always <c>STSv1</c>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Part of the policy's shape; a constant, so no field per policy.")]
    public string Version => "STSv1";

    /// <summary>The mode.</summary>
    public MtaStsMode Mode { get; }

    /// <summary>The <c>mx</c> patterns in order of appearance (may be empty only with <see cref="MtaStsMode.None"/>).</summary>
    public IReadOnlyList<MxPattern> MxPatterns { get; }

    /// <summary>The <c>max_age</c> in seconds, after clamping to 31557600 (decision A-5).</summary>
    public long MaxAgeSeconds { get; }

    /// <summary>The <c>max_age</c> as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan MaxAge => TimeSpan.FromSeconds(MaxAgeSeconds);

    /// <summary>The policy body exactly as received (kept for reports and display).</summary>
    public string Text { get; }

    /// <summary>Extension fields, first occurrence of each name, in order of appearance.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; }

    /// <summary>Whether an MX host name matches at least one <c>mx</c> pattern (RFC 8461 §4.1).</summary>
    /// <param name="mxHost">The MX host as listed in the MX record; a trailing dot is ignored.</param>
    /// <returns><see langword="true"/> when some pattern matches.</returns>
    /// <remarks>A host with non-ASCII characters is compared in its A-label form (RFC 6125 §6.4, STS-4.1-b), converted once.</remarks>
    public bool MatchesMx(ReadOnlySpan<char> mxHost)
    {
        if (!System.Text.Ascii.IsValid(mxHost))
        {
            string? aLabel = MxPattern.ToALabel(mxHost.Length > 0 && mxHost[^1] == '.' ? mxHost[..^1] : mxHost);
            if (aLabel is null)
            {
                return false;
            }

            mxHost = aLabel;
        }

        foreach (var pattern in (MxPattern[])MxPatterns)
        {
            if (pattern.Matches(mxHost))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether an MX host name matches at least one <c>mx</c> pattern (RFC 8461 §4.1).</summary>
    /// <param name="mxHost">The MX host as listed in the MX record; a trailing dot is ignored.</param>
    /// <returns><see langword="true"/> when some pattern matches.</returns>
    public bool MatchesMx(string mxHost)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        return MatchesMx(mxHost.AsSpan());
    }

    /// <summary>The same policy with another mode (a local override, <see cref="MtaStsOverrideKind.Enforce"/>); the text stays as received.</summary>
    internal MtaStsPolicy WithMode(MtaStsMode mode) => new(mode, (MxPattern[])MxPatterns, MaxAgeSeconds, Text, Extensions);

    /// <summary>Whether two policies (either may be <see langword="null"/>) are the same instance or have the same mode, patterns, max_age and text.</summary>
    internal static bool HaveSameContent(MtaStsPolicy? first, MtaStsPolicy? second) =>
        ReferenceEquals(first, second)
        || (first is not null && second is not null
            && first.Mode == second.Mode
            && first.MaxAgeSeconds == second.MaxAgeSeconds
            && string.Equals(first.Text, second.Text, StringComparison.Ordinal)
            && ((MxPattern[])first.MxPatterns).AsSpan().SequenceEqual((MxPattern[])second.MxPatterns));

    /// <inheritdoc/>
    public override string ToString() =>
        $"mode {Mode.ToString().ToLowerInvariant()}, max_age {MaxAgeSeconds}, mx [{string.Join(", ", MxPatterns)}]";
}
