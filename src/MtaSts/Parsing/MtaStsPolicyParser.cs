namespace MtaSts;

/// <summary>Parses MTA-STS policy bodies under the RFC 8461 §3.2 ABNF and decisions .</summary>
public static class MtaStsPolicyParser
{
    /// <summary>Parses a policy body in one pass, without regular expressions.</summary>
    /// <param name="text">The body, decoded as UTF-8.</param>
    /// <returns>The policy with warnings, or the errors that make it invalid. Never throws for bad input.</returns>
    public static MtaStsPolicyParseResult Parse(string text) => throw new NotImplementedException();
}
