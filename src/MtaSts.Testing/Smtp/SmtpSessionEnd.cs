namespace MtaSts.Testing;

/// <summary>Why a session with a <see cref="LoopbackSmtpServer"/> ended.</summary>
public enum SmtpSessionEnd
{
    /// <summary>The client sent QUIT.</summary>
    Quit = 0,

    /// <summary>The client closed or reset the connection without QUIT.</summary>
    ClientClosed,

    /// <summary>The client sent nothing for <see cref="LoopbackSmtpServer.IdleTimeout"/> (or did not read the replies).</summary>
    IdleTimeout,

    /// <summary>The TLS handshake after STARTTLS failed.</summary>
    TlsHandshakeFailed,

    /// <summary>The host closed the connection after its greeting (<see cref="SmtpHostBehavior.CloseAfterGreeting"/>).</summary>
    ClosedAfterGreeting,

    /// <summary>The client made too many errors in a row; the server answered <c>421</c> and closed.</summary>
    TooManyErrors,

    /// <summary>Too many sessions were open at once; the server answered <c>421</c> instead of its greeting.</summary>
    TooManySessions,

    /// <summary>The server was disposed.</summary>
    ServerStopped,

    /// <summary>The server failed (a bug in the test kit); the connection was closed.</summary>
    ServerError,
}
