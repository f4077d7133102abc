namespace MtaSts;

/// <summary>A failed refresh: the cached policy still applies until it expires.</summary>
public sealed class PolicyRefreshFailedEventArgs : EventArgs
{
    /// <summary>The policy domain.</summary>
    public required string Domain { get; init; }

    /// <summary>The resolution: the cached policy (<see cref="PolicySource.Cache"/>) with the failure of the refresh.</summary>
    public required MtaStsResolution Resolution { get; init; }
}
