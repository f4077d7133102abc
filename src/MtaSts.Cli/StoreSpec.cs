using System.Globalization;
using System.Net;

namespace MtaSts.Cli;

/// <summary>
/// What <c>--store</c> names: <c>file:&lt;dir&gt;</c> (<see cref="FileStoreSpec"/>) or
/// <c>redis:&lt;host[:port]&gt;[,name=value...]</c> (<see cref="RedisStoreSpec"/>).
/// </summary>
internal abstract record StoreSpec
{
    /// <summary>The forms, for usage errors and help.</summary>
    public const string Usage = "file:<dir> or redis:<host[:port]>[,name=value...]";

    /// <summary>Reads a <c>--store</c> value; throws <see cref="ArgumentException"/> whose message names the problem.</summary>
    public static StoreSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? string.Empty : text[..colon];
        var rest = colon < 0 ? string.Empty : text[(colon + 1)..];
        return kind.ToUpperInvariant() switch
        {
            "FILE" => FileStoreSpec.ParseBody(rest),
            "REDIS" => RedisStoreSpec.ParseBody(rest),
            // Only what precedes the first option is echoed: an option may hold a password.
            _ => throw new ArgumentException($"--store '{text.Split(',')[0]}': unknown store kind; use {Usage}"),
        };
    }
}

/// <summary><c>file:&lt;dir&gt;</c>: a <see cref="FilePolicyStore"/> in a directory (everything after <c>file:</c>, commas included).</summary>
internal sealed record FileStoreSpec(string Directory) : StoreSpec
{
    internal static FileStoreSpec ParseBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            throw new ArgumentException("--store file: needs a directory (file:<dir>)");
        }

        if (File.Exists(body))
        {
            throw new ArgumentException($"--store file:{body}: is a file, not a directory");
        }

        return new FileStoreSpec(body);
    }
}

/// <summary>
/// <c>redis:&lt;host[:port]&gt;[,name=value...]</c>: a Redis server (default port 6379) and its options. <c>prefix</c> is
/// the key prefix of the store; the others are StackExchange.Redis connection options, passed on as they are written.
/// </summary>
/// <param name="Host">The host name or IP address.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="KeyPrefix">The <c>prefix=</c> option, or <see langword="null"/> for the store's default.</param>
/// <param name="ConnectionOptions">The other options, in the order given, with the names as <see cref="KnownOptions"/> spells them.</param>
internal sealed record RedisStoreSpec(string Host, int Port, string? KeyPrefix, IReadOnlyList<KeyValuePair<string, string>> ConnectionOptions) : StoreSpec
{
    /// <summary>The default Redis port.</summary>
    public const int DefaultPort = 6379;

    /// <summary>The options accepted after the end point, and what each value must be.</summary>
    internal static readonly IReadOnlyDictionary<string, OptionKind> KnownOptions = new Dictionary<string, OptionKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["prefix"] = OptionKind.Text,
        ["password"] = OptionKind.Text,
        ["user"] = OptionKind.Text,
        ["name"] = OptionKind.Text,
        ["ssl"] = OptionKind.Boolean,
        ["sslHost"] = OptionKind.Text,
        ["abortConnect"] = OptionKind.Boolean,
        ["connectTimeout"] = OptionKind.Milliseconds,
        ["syncTimeout"] = OptionKind.Milliseconds,
        ["asyncTimeout"] = OptionKind.Milliseconds,
        ["connectRetry"] = OptionKind.Count,
        ["defaultDatabase"] = OptionKind.Count,
    };

    /// <summary>What an option's value must be.</summary>
    internal enum OptionKind
    {
        /// <summary>Any non-empty text.</summary>
        Text,

        /// <summary><c>true</c> or <c>false</c>.</summary>
        Boolean,

        /// <summary>A whole number of milliseconds, at least 1.</summary>
        Milliseconds,

        /// <summary>A whole number, at least 0.</summary>
        Count,
    }

    /// <summary>The end point as StackExchange.Redis reads it: <c>host:port</c>, an IPv6 address in brackets.</summary>
    public string EndPoint => string.Create(CultureInfo.InvariantCulture, $"{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port}");

    /// <summary>The StackExchange.Redis configuration string: the end point, then the connection options (not <c>prefix</c>).</summary>
    public string Configuration => string.Join(',', ConnectionOptions.Select(o => o.Key + "=" + o.Value).Prepend(EndPoint));

    /// <summary>How the store is named in messages: the end point and prefix, never a password.</summary>
    public override string ToString() => KeyPrefix is null ? "redis:" + EndPoint : $"redis:{EndPoint},prefix={KeyPrefix}";

    internal static RedisStoreSpec ParseBody(string body)
    {
        var parts = body.Split(',');
        var (host, port) = ParseEndPoint(parts[0].Trim());
        string? prefix = null;
        var options = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? part : part[..equals]).Trim();
            if (name.Length == 0)
            {
                throw new ArgumentException("--store redis: an empty option (a stray comma?); options are name=value, separated by commas");
            }

            if (!KnownOptions.TryGetValue(name, out var kind))
            {
                throw new ArgumentException($"--store redis: unknown option '{name}'; known: {string.Join(", ", KnownOptions.Keys)}");
            }

            var canonical = KnownOptions.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (!seen.Add(canonical))
            {
                throw new ArgumentException($"--store redis: option '{canonical}' is given twice");
            }

            // The value is never echoed: it may be a password.
            var value = equals < 0 ? string.Empty : part[(equals + 1)..].Trim();
            if (!IsValid(kind, value))
            {
                throw new ArgumentException($"--store redis: option '{canonical}' needs {Describe(kind)}");
            }

            if (canonical == "prefix")
            {
                prefix = value;
            }
            else
            {
                options.Add(new(canonical, kind == OptionKind.Boolean ? value.ToLowerInvariant() : value));
            }
        }

        return new RedisStoreSpec(host, port, prefix, options);
    }

    /// <summary><c>host</c>, <c>host:port</c>, <c>IPv4:port</c>, <c>[IPv6]</c> or <c>[IPv6]:port</c>.</summary>
    private static (string Host, int Port) ParseEndPoint(string text)
    {
        if (text.Length == 0)
        {
            throw new ArgumentException("--store redis: needs a server (redis:<host[:port]>)");
        }

        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(text[1..close], out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                throw new ArgumentException($"--store redis:{text}: not an IPv6 address in brackets");
            }

            host = text[1..close];
            var after = text[(close + 1)..];
            if (after.Length > 0)
            {
                portText = after.StartsWith(':') ? after[1..] : throw new ArgumentException($"--store redis:{text}: expected ':<port>' after ']'");
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw new ArgumentException($"--store redis:{text}: write an IPv6 address in brackets, as [::1]:6379");
            }

            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
            if (Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                throw new ArgumentException($"--store redis:{text}: '{host}' is not a host name or IP address");
            }
        }

        var port = DefaultPort;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new ArgumentException($"--store redis:{text}: '{portText}' is not a TCP port (1-65535)");
        }

        return (host, port);
    }

    private static bool IsValid(OptionKind kind, string value) => kind switch
    {
        OptionKind.Boolean => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase),
        OptionKind.Milliseconds => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms >= 1,
        OptionKind.Count => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
        _ => value.Length > 0,
    };

    private static string Describe(OptionKind kind) => kind switch
    {
        OptionKind.Boolean => "true or false",
        OptionKind.Milliseconds => "a whole number of milliseconds (at least 1)",
        OptionKind.Count => "a whole number (0 or more)",
        _ => "a value (name=value)",
    };
}
