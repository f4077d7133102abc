using Microsoft.Extensions.DependencyInjection.Extensions;
using MtaSts;

#pragma warning disable IDE0130 // Extension classes live where IServiceCollection does, as in dotnet/extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>E-mail delivery of TLS-RPT reports for <c>AddMtaSts</c>, through MailKit.</summary>
public static class MtaStsMailKitBuilderExtensions
{
    /// <summary>
    /// Registers a <see cref="MailKitTlsReportMailer"/> as the <see cref="ITlsReportMailer"/> that
    /// <see cref="TlsReportSender"/> (<c>AddTlsReportDelivery</c>) uses for <c>mailto:</c> endpoints.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the server, port, security and credentials.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid (checked here, not at first use).</exception>
    public static IMtaStsBuilder AddMailKitReportMailer(this IMtaStsBuilder builder, Action<MailKitTlsReportMailerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MailKitTlsReportMailerOptions();
        configure(options);
        options.Validate();
        var copy = options.Copy();
        builder.Services.Replace(ServiceDescriptor.Singleton<ITlsReportMailer>(provider => new MailKitTlsReportMailer(copy, provider.GetService<TimeProvider>())));
        return builder;
    }
}
