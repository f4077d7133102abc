using System.CommandLine;
using System.Diagnostics;

namespace MtaSts.Cli;

/// <summary><c>mta-sts resolve &lt;domain&gt;...</c>: resolves domains exactly as a sending MTA using the library would.</summary>
internal static class ResolveCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("Policy domains to resolve;");
        var command = new Command("resolve", "Resolve the MTA-STS policy of each domain (exit 0 when every domain got a definite answer: a policy, or none; " +
            "1 when a fetch or DNS lookup failed; 2 for invalid input or options)." + Environment.NewLine + Environment.NewLine +
            "Examples:" + Environment.NewLine +
            "  mta-sts resolve gmail.com yahoo.com" + Environment.NewLine +
            "  mta-sts resolve --json - < domains.txt          one JSON object per line" + Environment.NewLine +
            "  mta-sts resolve --store file:/var/lib/mta-sts --override partner.example=enforce partner.example" + Environment.NewLine +
            "With --concurrency N, N domains are looked up at once; a batch of stalling hosts takes about (domains / N) × --timeout, " +
            "and each stalled fetch in flight holds about 0.15 MB.");
        common.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
            await DomainBatch.RunAsync(
                parse,
                common,
                static options => MtaStsPolicyResolver.Create(options),
                configure: null,
                static (resolver, input, token) => ResolveOneAsync(resolver, input, token),
                static (output, record, json) => Write(output, record, json),
                cancellationToken).ConfigureAwait(false));
        return command;
    }

    /// <summary>Resolves every input with bounded concurrency, writing results in input order; returns the exit code.</summary>
    internal static Task<int> RunAsync(IMtaStsPolicyResolver resolver, IEnumerable<string> inputs, int concurrency, bool json, TextWriter output, CancellationToken cancellationToken) =>
        DomainBatch.RunAsync(inputs, concurrency, input => ResolveOneAsync(resolver, input, cancellationToken), record => Write(output, record, json));

    internal static async Task<ResolutionRecord> ResolveOneAsync(IMtaStsPolicyResolver resolver, string input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!DomainName.TryNormalize(input, out _, out var invalid))
        {
            return new ResolutionRecord(input, null, invalid, Stopwatch.GetElapsedTime(started));
        }

        try
        {
            var resolution = await resolver.ResolveAsync(input, cancellationToken).ConfigureAwait(false);
            return new ResolutionRecord(input, resolution, null, Stopwatch.GetElapsedTime(started));
        }
        catch (ArgumentException ex)
        {
            return new ResolutionRecord(input, null, ex.Message, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The domains from the arguments; a <c>-</c> stands for the lines of standard input (blank lines and <c>#</c> comments skipped).</summary>
    internal static IEnumerable<string> ReadInputs(IEnumerable<string> arguments, TextReader stdin) => DomainBatch.ReadInputs(arguments, stdin);

    internal static int Write(TextWriter output, ResolutionRecord record, bool json)
    {
        ResolutionWriter.Write(output, record, json);
        return record.Resolution is null ? ExitCodes.InvalidInput : record.IsDefinite ? ExitCodes.Definite : ExitCodes.Failure;
    }
}
