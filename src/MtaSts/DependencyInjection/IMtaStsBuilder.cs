#pragma warning disable IDE0130 // The builder lives beside AddMtaSts, where IServiceCollection does, as in dotnet/extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Adds the optional parts of MtaSts (a policy store, the refresher) after <c>AddMtaSts</c>.</summary>
public interface IMtaStsBuilder
{
    /// <summary>The service collection MtaSts is registered in.</summary>
    IServiceCollection Services { get; }
}
