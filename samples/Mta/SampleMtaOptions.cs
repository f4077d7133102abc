namespace MtaSts.Samples.Mta;

/// <summary>Settings of <see cref="SampleMta"/>.</summary>
public sealed class SampleMtaOptions
{
    /// <summary>The SMTP port of the MX hosts.</summary>
    /// <value>The default is 25; tests point it at a loopback server's port.</value>
    public int Port { get; set; } = 25;

    /// <summary>The name sent in EHLO; <see langword="null"/> lets MailKit choose (the machine's name).</summary>
    public string? LocalDomain { get; set; }

    /// <summary>How long to wait for a TCP connection to one address.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for each SMTP reply (MailKit's <c>Timeout</c>).</summary>
    /// <value>The default is 2 minutes.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The value of <see cref="MtaStsDaneOptions.RequireMtaSts"/>: a DANE session is also counted under the <c>sts</c> policy.</summary>
    public bool RequireMtaStsWithDane { get; set; }
}
