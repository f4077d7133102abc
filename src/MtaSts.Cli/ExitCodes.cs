namespace MtaSts.Cli;

/// <summary>The exit codes of the <c>mta-sts</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>
    /// Every domain got a definite answer: for <c>resolve</c> a policy applies or the domain has none; for <c>plan</c> a
    /// host may be used now or the domain accepts no mail.
    /// </summary>
    public const int Definite = 0;

    /// <summary>
    /// At least one domain ended in a fetch failure or a temporary DNS failure (<c>resolve</c>), must be deferred
    /// (<c>plan</c>), or, for <c>demo</c>, behaved unexpectedly.
    /// </summary>
    public const int Failure = 1;

    /// <summary>At least one input was not a usable domain name, or the command line was wrong.</summary>
    public const int InvalidInput = 2;
}
