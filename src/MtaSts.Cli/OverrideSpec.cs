namespace MtaSts.Cli;

/// <summary>
/// One <c>--override &lt;domain&gt;=enforce|disable|policy:&lt;file&gt;</c>: a local override
/// (<see cref="MtaStsOptions.Overrides"/>) for a policy domain.
/// </summary>
internal static class OverrideSpec
{
    /// <summary>The form, for usage errors and help.</summary>
    public const string Usage = "<domain>=enforce|disable|policy:<file>";

    /// <summary>The token the outputs use for an override kind: <c>enforce</c>, <c>disable</c>, <c>policy</c>, or <see langword="null"/> for none.</summary>
    public static string? Token(MtaStsOverrideKind kind) => kind == MtaStsOverrideKind.None ? null : kind.ToToken();

    /// <summary>Reads one value (reading the pinned policy's file); throws <see cref="ArgumentException"/> whose message names the problem.</summary>
    public static (string Domain, MtaStsPolicyOverride Override) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw new ArgumentException($"--override '{text}': expected {Usage}");
        }

        var name = text[..equals].Trim();
        if (!DomainName.TryNormalize(name, out var domain, out var error))
        {
            throw new ArgumentException($"--override '{text}': '{name}' is not a domain name: {error}");
        }

        var value = text[(equals + 1)..].Trim();
        if (MtaStsPolicyOverride.TryParse(value, out var simple))
        {
            return (domain, simple);
        }

        if (!value.StartsWith("policy:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"--override '{text}': '{value}' is not enforce, disable or policy:<file>");
        }

        var path = value["policy:".Length..];
        if (path.Length == 0 || !File.Exists(path))
        {
            throw new ArgumentException($"--override '{text}': policy file '{path}' does not exist");
        }

        string policyText;
        try
        {
            policyText = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--override '{text}': policy file '{path}' cannot be read: {CliText.Why(ex)}", ex);
        }

        try
        {
            return (domain, MtaStsPolicyOverride.StaticPolicy(policyText));
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"--override '{text}': policy file '{path}': {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }
    }

    /// <summary>Reads every value into <paramref name="overrides"/>; a domain given twice is an error.</summary>
    public static void AddAll(IEnumerable<string> texts, IDictionary<string, MtaStsPolicyOverride> overrides)
    {
        foreach (var text in texts)
        {
            var (domain, rule) = Parse(text);
            if (!overrides.TryAdd(domain, rule))
            {
                throw new ArgumentException($"--override: {domain} has more than one override");
            }
        }
    }
}
