namespace MtaSts;

/// <summary>Settings of a <see cref="PolicyRefresher"/>.</summary>
public sealed class PolicyRefresherOptions
{
    /// <summary>How often the refresher looks for policies that are due.</summary>
    /// <value>The default is 1 minute; allowed 1 second to 1 day.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Only domains that a caller resolved within this window are refreshed; the others age out.</summary>
    /// <value>The default is 7 days; allowed 1 minute to 365 days.</value>
    public TimeSpan RecentlyUsedWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most refreshes at a time (each is one TXT lookup and one fetch; the resolver's fetch limit also applies).</summary>
    /// <value>The default is 4; allowed 1 to 256.</value>
    public int MaxConcurrentRefreshes { get; set; } = 4;

    internal PolicyRefresherOptions Clone() => new()
    {
        Interval = Interval,
        RecentlyUsedWindow = RecentlyUsedWindow,
        MaxConcurrentRefreshes = MaxConcurrentRefreshes,
    };

    /// <summary>The first setting out of range, as a message, or <see langword="null"/>.</summary>
    internal string? Validate()
    {
        if (Interval < TimeSpan.FromSeconds(1) || Interval > TimeSpan.FromDays(1))
        {
            return $"{nameof(Interval)} is {Interval}; it must be between 1 second and 1 day.";
        }

        if (RecentlyUsedWindow < TimeSpan.FromMinutes(1) || RecentlyUsedWindow > TimeSpan.FromDays(365))
        {
            return $"{nameof(RecentlyUsedWindow)} is {RecentlyUsedWindow}; it must be between 1 minute and 365 days.";
        }

        return MaxConcurrentRefreshes is < 1 or > 256
            ? $"{nameof(MaxConcurrentRefreshes)} is {MaxConcurrentRefreshes}; it must be between 1 and 256."
            : null;
    }
}
