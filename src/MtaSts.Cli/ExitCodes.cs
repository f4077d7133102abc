namespace MtaSts.Cli;

/// <summary>The exit codes of the <c>mta-sts</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>Every domain resolved to a definite answer: a policy applies, or the domain has none.</summary>
    public const int Definite = 0;

    /// <summary>At least one domain ended in a fetch failure or a temporary DNS failure (or, for <c>demo</c>, an unexpected outcome).</summary>
    public const int Failure = 1;

    /// <summary>At least one input was not a usable domain name, or the command line was wrong.</summary>
    public const int InvalidInput = 2;
}
