using System.CommandLine;

namespace MtaSts.Cli;

/// <summary>Builds the policy store a <c>--store</c> value names.</summary>
internal static class StoreFactory
{
    /// <summary>
    /// The most time one store operation may take in the CLI. Longer than the library's 250 ms default: a command runs
    /// once, cold, and its first file or network access pays for start-up.
    /// </summary>
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Opens the store; throws <see cref="ArgumentException"/> with a readable message when it cannot. With
    /// <paramref name="mustExist"/>, a store directory that does not exist is an error rather than created.
    /// </summary>
    public static IMtaStsPolicyStore Create(StoreSpec spec, bool mustExist = false) => spec switch
    {
        FileStoreSpec file => CreateFile(file, mustExist),
        RedisStoreSpec redis => CreateRedis(redis),
        _ => throw new ArgumentException($"--store: unsupported store ({spec})"),
    };

    /// <summary>
    /// Opens the TLS-RPT report store a <c>--store</c> value names (<see cref="FileTlsReportStore"/> in the directory, or
    /// <c>RedisTlsReportStore</c>); throws <see cref="ArgumentException"/> with a readable message when it cannot.
    /// </summary>
    public static ITlsReportStore CreateReportStore(StoreSpec spec, bool mustExist = false)
    {
        switch (spec)
        {
            case FileStoreSpec file:
                return OpenDirectory(file, mustExist, directory => new FileTlsReportStore(directory));

            case RedisStoreSpec redis:
                try
                {
                    return new RedisTlsReportStore(new RedisTlsReportStoreOptions
                    {
                        Configuration = redis.Configuration,
                        KeyPrefix = redis.KeyPrefix ?? RedisTlsReportStoreOptions.DefaultKeyPrefix,
                    });
                }
                catch (ArgumentException)
                {
                    throw new ArgumentException($"--store {redis}: not a usable Redis configuration");
                }

            default:
                throw new ArgumentException($"--store: unsupported store ({spec})");
        }
    }

    /// <summary>Disposes a store that needs it (the resolver never owns the store it is given).</summary>
    public static async ValueTask DisposeAsync(object? store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>
    /// The one place a Redis store is built (<c>RedisPolicyStore</c> from the <c>MtaSts.Redis</c> package, connected
    /// with <see cref="RedisStoreSpec.Configuration"/> and keyed under <see cref="RedisStoreSpec.KeyPrefix"/>).
    /// </summary>
    internal static IMtaStsPolicyStore CreateRedis(RedisStoreSpec spec)
    {
        try
        {
            // Connects on first use; a server that is down costs each operation at most the store timeout.
            return new RedisPolicyStore(new RedisPolicyStoreOptions
            {
                Configuration = spec.Configuration,
                KeyPrefix = spec.KeyPrefix ?? RedisPolicyStoreOptions.DefaultKeyPrefix,
            });
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"--store {spec}: not a usable Redis configuration");
        }
    }

    private static FilePolicyStore CreateFile(FileStoreSpec spec, bool mustExist) =>
        OpenDirectory(spec, mustExist, directory => new FilePolicyStore(directory));

    private static T OpenDirectory<T>(FileStoreSpec spec, bool mustExist, Func<string, T> open)
    {
        if (mustExist && !Directory.Exists(spec.Directory))
        {
            throw new ArgumentException($"--store file:{spec.Directory}: the directory does not exist");
        }

        try
        {
            return open(spec.Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            throw new ArgumentException($"--store file:{spec.Directory}: the directory cannot be created or used: {CliText.Why(ex)}", ex);
        }
    }
}

/// <summary>The <c>--store</c> option, shared by <c>resolve</c>, <c>plan</c> and <c>cache</c>.</summary>
internal sealed class StoreOption
{
    public StoreOption(string description)
    {
        Option = new Option<string?>("--store")
        {
            Description = description,
            HelpName = "spec",
        };
    }

    public Option<string?> Option { get; }

    /// <summary>The parsed spec, or <see langword="null"/> when the option was not given; throws <see cref="ArgumentException"/> on a bad spec.</summary>
    public StoreSpec? GetSpec(ParseResult parse) => parse.GetValue(Option) is { } text ? StoreSpec.Parse(text) : null;
}
