using System.Net;

namespace MtaSts;

/// <summary>How DNS is asked: which servers, how long to wait, how often to retry. Part of <see cref="MtaStsOptions"/> (<see cref="MtaStsOptions.Dns"/>).</summary>
public sealed class MtaStsDnsOptions
{
    /// <summary>The DNS servers to ask. Empty means the system's (from <c>/etc/resolv.conf</c> on Linux).</summary>
    /// <value>The default is empty.</value>
    public IList<IPEndPoint> NameServers { get; } = new List<IPEndPoint>();

    /// <summary>How long to wait for one DNS answer.</summary>
    /// <value>The default is 5 seconds; allowed 100 ms to 1 minute.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a DNS query is retried after a timeout.</summary>
    /// <value>The default is 2; allowed 0 to 5.</value>
    public int Retries { get; set; } = 2;

    /// <summary>A deep copy: later changes to either side do not reach the other.</summary>
    /// <returns>The copy.</returns>
    internal MtaStsDnsOptions Clone()
    {
        var copy = new MtaStsDnsOptions
        {
            Timeout = Timeout,
            Retries = Retries,
        };

        foreach (var item in NameServers)
        {
            copy.NameServers.Add(item);
        }

        return copy;
    }
}
