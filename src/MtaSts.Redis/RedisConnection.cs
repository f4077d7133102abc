using Microsoft.Extensions.Logging;
using MtaSts.Redis.Diagnostics;
using StackExchange.Redis;

namespace MtaSts.Redis;

/// <summary>
/// The connection the Redis stores share the handling of: a connection passed in options is used as is and never
/// closed; otherwise one is opened on first use (and again after a failed attempt), logged when it fails or comes back,
/// and closed on dispose.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly int _database;
    private readonly ILogger _logger;
    private readonly ConfigurationOptions? _configuration;
    private readonly Task<IConnectionMultiplexer>? _external;
    private readonly object _gate = new();
    private Task<IConnectionMultiplexer>? _owned;
    private int _disposed;

    public RedisConnection(string? configuration, IConnectionMultiplexer? connection, int database, ILogger logger)
    {
        _database = database;
        _logger = logger;
        if (connection is not null)
        {
            _external = Task.FromResult(connection);
        }
        else
        {
            _configuration = ParseConfiguration(configuration!);
        }
    }

    /// <summary>The database number the stores use.</summary>
    public int Database => _database;

    /// <summary>
    /// Checks the connection settings of a store's options; throws <see cref="ArgumentException"/> describing the first
    /// problem, naming the store (<paramref name="store"/>, e.g. "Redis policy store").
    /// </summary>
    public static void Validate(string store, string? configuration, IConnectionMultiplexer? connection, string keyPrefix, int database, bool connectionFromContainer)
    {
        if (configuration is not null && connection is not null)
        {
            throw new ArgumentException($"Set either Configuration or Connection of the {store}, not both.");
        }

        if (!connectionFromContainer && connection is null && string.IsNullOrWhiteSpace(configuration))
        {
            throw new ArgumentException($"The {store} needs a Configuration string or a Connection.");
        }

        if (configuration is not null && string.IsNullOrWhiteSpace(configuration))
        {
            throw new ArgumentException($"The {store}'s Configuration is empty.");
        }

        if (string.IsNullOrEmpty(keyPrefix))
        {
            throw new ArgumentException($"The {store}'s KeyPrefix must not be empty.");
        }

        if (database < -1)
        {
            throw new ArgumentException($"The {store}'s Database must be -1 (the default database) or a database number.");
        }
    }

    public async Task<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken) =>
        (await GetConnectionAsync(cancellationToken).ConfigureAwait(false)).GetDatabase(_database);

    public Task<IConnectionMultiplexer> GetConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_external is not null)
        {
            return _external;
        }

        Task<IConnectionMultiplexer> connecting;
        lock (_gate)
        {
            // One connection for every caller; a failed attempt (abortConnect=true and Redis down) is tried again later.
            if (_owned is null || _owned.IsFaulted || _owned.IsCanceled)
            {
                _owned = ConnectAsync(_configuration!);
            }

            connecting = _owned;
        }

        // The connection keeps opening when this caller's time is up; the next caller finds it open.
        return connecting.IsCompleted ? connecting : connecting.WaitAsync(cancellationToken);
    }

    /// <summary>Closes the connection the store opened from <see cref="RedisPolicyStoreOptions.Configuration"/>; a caller's connection stays open.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (TakeOwnedConnectionForDisposal() is not { } owned)
        {
            return;
        }

        await ((Task)owned).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (owned.IsCompletedSuccessfully)
        {
            var connection = owned.Result;
            Unsubscribe(connection);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the connection the store opened from <see cref="RedisPolicyStoreOptions.Configuration"/>; a caller's connection stays open.</summary>
    public void Dispose()
    {
        if (TakeOwnedConnectionForDisposal() is not { } owned)
        {
            return;
        }

        // A connection still being opened is closed once it is open; disposing does not wait for it.
        _ = owned.ContinueWith(
            (task, state) =>
            {
                if (task.IsCompletedSuccessfully)
                {
                    ((RedisConnection)state!).Unsubscribe(task.Result);
                    task.Result.Dispose();
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Reads a configuration string, defaulting <c>abortConnect</c> to false (see <see cref="RedisPolicyStoreOptions.Configuration"/>).</summary>
    public static ConfigurationOptions ParseConfiguration(string configuration)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (Exception exception) when (exception is ArgumentException or RedisException or FormatException)
        {
            throw new ArgumentException($"The Redis configuration string does not parse ({exception.GetType().Name}).", nameof(configuration), exception);
        }

        if (configuration.Contains("abortConnect", StringComparison.OrdinalIgnoreCase) is false)
        {
            options.AbortOnConnectFail = false;
        }

        return options;
    }

    private async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        connection.ConnectionFailed += OnConnectionFailed;
        connection.ConnectionRestored += OnConnectionRestored;
        return connection;
    }

    private Task<IConnectionMultiplexer>? TakeOwnedConnectionForDisposal()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return null;
        }

        lock (_gate)
        {
            return _owned;
        }
    }

    private void Unsubscribe(IConnectionMultiplexer connection)
    {
        connection.ConnectionFailed -= OnConnectionFailed;
        connection.ConnectionRestored -= OnConnectionRestored;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive && _logger.IsEnabled(LogLevel.Warning))
        {
            RedisLog.ConnectionFailed(_logger, e.EndPoint, e.FailureType, e.Exception?.GetType().Name ?? "no exception");
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Interactive && _logger.IsEnabled(LogLevel.Information))
        {
            RedisLog.ConnectionRestored(_logger, e.EndPoint);
        }
    }
}
