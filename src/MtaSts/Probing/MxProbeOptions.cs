namespace MtaSts;

/// <summary>How <see cref="MxProbe"/> talks to MX hosts.</summary>
public sealed class MxProbeOptions
{
    /// <summary>The SMTP port connected to (default 25).</summary>
    public int Port { get; set; } = 25;

    /// <summary>The name sent in EHLO (default <c>localhost</c>; an MTA sends its own host name).</summary>
    public string ClientName { get; set; } = "localhost";

    /// <summary>How long a TCP connection to one address may take (default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the server may take for each reply, and for the TLS handshake (default 30 s).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A copy of these options.</summary>
    /// <returns>The copy.</returns>
    public MxProbeOptions Clone() => (MxProbeOptions)MemberwiseClone();

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException">The client name is not a valid host name.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        CheckTimeout(ConnectTimeout, nameof(ConnectTimeout));
        CheckTimeout(CommandTimeout, nameof(CommandTimeout));
        if (!DomainName.TryNormalize(ClientName, out _, out var error) && ClientName != "localhost")
        {
            throw new ArgumentException($"'{ClientName}' is not a host name: {error}", nameof(ClientName));
        }
    }

    private static void CheckTimeout(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(name, value, "A timeout must be more than zero and at most 10 minutes.");
        }
    }
}
