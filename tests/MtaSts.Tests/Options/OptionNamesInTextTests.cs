using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace MtaSts.Tests; // not .Options: that name is taken by the tests' own Options members

/// <summary>
/// Messages, plan reasons and log templates tell the user which option to change ("MtaStsOptions.Dane.RequiredDomains").
/// Every such name in the library's text must be a real property path, or the advice leads nowhere.
/// </summary>
public sealed partial class OptionNamesInTextTests
{
    [Fact]
    public void EveryOptionNamedInTheLibrarysText_IsARealPropertyPath()
    {
        var named = OptionPathsInStrings(typeof(MtaStsOptions).Assembly);

        // Not vacuous: the plan reasons name these.
        Assert.Contains("MtaStsOptions.Dane.RequiredDomains", named);
        Assert.Contains("MtaStsOptions.PolicyFetch.AllowPrivateAddresses", named);
        var unknown = named.Where(path => !Resolves(path)).ToList();
        Assert.True(unknown.Count == 0, "no such option: " + string.Join(", ", unknown));
    }

    /// <summary>Every <c>MtaStsOptions.X.Y</c> in the assembly's string literals (its #US heap).</summary>
    private static SortedSet<string> OptionPathsInStrings(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = reader.GetNextHandle(handle))
        {
            foreach (Match match in OptionPath().Matches(reader.GetUserString(handle)))
            {
                found.Add(match.Value);
            }
        }

        return found;
    }

    private static bool Resolves(string path)
    {
        var type = typeof(MtaStsOptions);
        foreach (var part in path.Split('.').Skip(1))
        {
            var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance);
            if (property is null)
            {
                return false;
            }

            type = property.PropertyType;
        }

        return true;
    }

    [GeneratedRegex(@"MtaStsOptions(\.[A-Z][A-Za-z]*)+")]
    private static partial Regex OptionPath();
}
