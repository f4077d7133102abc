using Microsoft.Extensions.DependencyInjection;

namespace MtaSts.DependencyInjection;

/// <summary>The builder <c>AddMtaSts</c> returns.</summary>
internal sealed class MtaStsBuilder(IServiceCollection services) : IMtaStsBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>Marks a service collection to which <c>AddMtaSts</c> has already been applied.</summary>
internal sealed class MtaStsRegistration;
