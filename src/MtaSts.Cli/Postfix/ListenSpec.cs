using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MtaSts.Cli.Postfix;

/// <summary>What <c>--listen</c> names: <c>inet:&lt;ip&gt;:&lt;port&gt;</c> or <c>unix:&lt;path&gt;</c>, Postfix's own spelling of endpoints.</summary>
/// <param name="EndPoint">The TCP end point, or the Unix-domain socket path.</param>
internal sealed record ListenSpec(EndPoint EndPoint)
{
    /// <summary>The forms, for usage errors and help.</summary>
    public const string Usage = "inet:<ip>:<port> or unix:<path>";

    /// <summary>The socket path for a Unix-domain end point, else <see langword="null"/>.</summary>
    public string? UnixPath => EndPoint is UnixDomainSocketEndPoint unix ? unix.ToString() : null;

    /// <summary>Reads a <c>--listen</c> value; throws <see cref="ArgumentException"/> whose message names the problem.</summary>
    public static ListenSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["unix:".Length..];
            if (path.Length == 0)
            {
                throw new ArgumentException($"--listen {text}: needs a socket path ({Usage})");
            }

            // sockaddr_un holds 108 bytes on Linux, the terminating NUL included.
            if (System.Text.Encoding.UTF8.GetByteCount(path) > 107)
            {
                throw new ArgumentException($"--listen {text}: the socket path is longer than 107 bytes");
            }

            return new ListenSpec(new UnixDomainSocketEndPoint(path));
        }

        if (text.StartsWith("inet:", StringComparison.OrdinalIgnoreCase))
        {
            var rest = text["inet:".Length..];
            var colon = rest.LastIndexOf(':');
            if (colon > 0 && IPAddress.TryParse(rest[..colon].Trim('[', ']'), out var address)
                && int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= IPEndPoint.MaxPort)
            {
                return new ListenSpec(new IPEndPoint(address, port));
            }

            throw new ArgumentException($"--listen {text}: expected inet:<ip>:<port>, for example inet:127.0.0.1:8461 or inet:[::1]:8461");
        }

        throw new ArgumentException($"--listen {text}: unknown kind; use {Usage}");
    }

    /// <summary>The end point in <c>--listen</c> form (with the bound port once listening).</summary>
    public static string Format(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => "inet:" + ip,
        _ => "unix:" + endPoint,
    };
}
