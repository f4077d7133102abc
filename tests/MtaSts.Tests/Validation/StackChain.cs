using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tests.Validation;

/// <summary>
/// What SslStream hands a validation callback, without a socket: a chain built under the platform roots whose
/// ExtraStore holds the certificates the server sent, and the stack's verdict.
/// </summary>
internal sealed class StackChain : IDisposable
{
    private StackChain(X509Chain chain, SslPolicyErrors errors)
    {
        Chain = chain;
        Errors = errors;
    }

    public X509Chain Chain { get; }

    public SslPolicyErrors Errors { get; }

    public static StackChain Build(X509Certificate2 leaf, params X509Certificate2[] sent)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.Add(leaf);
        chain.ChainPolicy.ExtraStore.AddRange(sent);
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var trusted = chain.Build(leaf);
        return new StackChain(chain, trusted ? SslPolicyErrors.None : SslPolicyErrors.RemoteCertificateChainErrors);
    }

    public void Dispose() => Chain.Dispose();
}
