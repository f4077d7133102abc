using System.Net;
using System.Net.Sockets;
using System.Text;
using MtaSts.Cli.Postfix;
using MtaSts.IntegrationTests.EndToEnd;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Postfix;

/// <summary>
/// <c>mta-sts postfix</c> as a process, queried by Postfix's own client (<c>postmap -q … socketmap:…</c>) and by raw
/// sockets that break the protocol, against the loopback world (real DNS over UDP with AD bits, real HTTPS).
/// </summary>
public sealed class PostfixServerTests(PostfixServerFixture fixture) : IClassFixture<PostfixServerFixture>
{
    private MtaStsTestWorld World => fixture.World;

    private string Tcp => fixture.Default.Listen;

    private string Unix => fixture.Configured.Listen;

    private static string Domain(string label) => WorldFixture.UniqueDomain("pf-" + label);

    [Fact]
    public async Task STS_4_1_a_Postfix_Enforce_AnswersSecure_WithTheAllowedLiveMxHosts_NotTheAnyDepthSuffix()
    {
        // Also: A-10, STS-5-a. a.b.<domain> is an MX but *.<domain> allows one label only: it is not in the match list.
        var domain = Domain("enforce");
        World.PublishMx(domain, (10, "mx1." + domain), (20, "mx2." + domain), (30, "a.b." + domain));
        World.PublishPolicy(domain, "e1", MtaStsMode.Enforce, 86400, "*." + domain);

        var (exitCode, output, error) = await Postmap.QueryAsync(domain, Tcp);

        Assert.True(exitCode == 0, error);
        Assert.Equal($"secure match=mx1.{domain}:mx2.{domain} servername=hostname", output);

        // The compatible form, only when asked for (--match patterns): Postfix's suffix, as postfix-mta-sts-resolver writes it.
        var (compatibleExit, compatible, compatibleError) = await Postmap.QueryAsync(domain, Unix);
        Assert.True(compatibleExit == 0, compatibleError);
        Assert.Equal($"secure match=.{domain} servername=hostname", compatible);
    }

    [Fact]
    public async Task STS_5_b_Postfix_Testing_IsNotFoundByDefault_AndSecureWhenConfigured()
    {
        var domain = Domain("testing");
        World.PublishMx(domain, (10, "mx." + domain));
        World.PublishPolicy(domain, "t1", MtaStsMode.Testing, 86400, "mx." + domain);

        var (exitCode, output, error) = await Postmap.QueryAsync(domain, Tcp);
        var (configuredExit, configured, configuredError) = await Postmap.QueryAsync(domain, Unix);

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Equal(string.Empty, error);
        Assert.True(configuredExit == 0, configuredError);
        Assert.Equal($"secure match=mx.{domain} servername=hostname", configured);
    }

    [Fact]
    public async Task STS_5_c_Postfix_ModeNone_AndNoPolicy_AreNotFound()
    {
        var none = Domain("none");
        World.PublishMx(none, (10, "mx." + none));
        World.PublishPolicy(none, "n1", MtaStsMode.None, 86400);
        var nothing = Domain("nopolicy");
        World.PublishMx(nothing, (10, "mx." + nothing));

        foreach (var domain in new[] { none, nothing })
        {
            var (exitCode, output, error) = await Postmap.QueryAsync(domain, Tcp);
            Assert.Equal(1, exitCode);
            Assert.Equal(string.Empty, output);
            Assert.Equal(string.Empty, error);
        }
    }

    [Fact]
    public async Task A_13_Postfix_DaneFirst_EveryMxWithUsableSecureTlsa_IsDaneOnly_EvenUnderEnforce()
    {
        // Also: DANE-2.2-a. A rogue MX outside the enforce policy does not matter: DANE authenticates it.
        var domain = Domain("dane");
        var mx1 = "mx1." + domain;
        var rogue = "rogue." + domain;
        World.PublishMx(domain, (10, mx1), (20, rogue));
        World.PublishPolicy(domain, "d1", MtaStsMode.Enforce, 86400, mx1);
        foreach (var host in new[] { mx1, rogue })
        {
            World.Dns.AddTlsa("_25._tcp." + host, 3, 1, 1, Enumerable.Repeat((byte)0xAB, 32).ToArray());
            World.Dns.SetAuthenticatedData(host, true);
            World.Dns.SetAuthenticatedData("_25._tcp." + host, true);
        }

        World.Dns.SetAuthenticatedData(domain, true);

        // One host without TLSA: not dane-only; MTA-STS enforce decides (the DANE host keeps its place in the list).
        var mixed = Domain("dane-mixed");
        var daneHost = "mx1." + mixed;
        World.PublishMx(mixed, (10, daneHost), (20, "mx2." + mixed));
        World.PublishPolicy(mixed, "m1", MtaStsMode.Enforce, 86400, "*." + mixed);
        World.Dns.AddTlsa("_25._tcp." + daneHost, 3, 1, 1, Enumerable.Repeat((byte)0xCD, 32).ToArray());
        World.Dns.SetAuthenticatedData(mixed, true);
        World.Dns.SetAuthenticatedData(daneHost, true);
        World.Dns.SetAuthenticatedData("_25._tcp." + daneHost, true);

        var (exitCode, output, error) = await Postmap.QueryAsync(domain, Tcp);
        var (mixedExit, mixedOutput, mixedError) = await Postmap.QueryAsync(mixed, Tcp);

        Assert.True(exitCode == 0, error);
        Assert.Equal("dane-only", output);
        Assert.True(mixedExit == 0, mixedError);
        Assert.Equal($"secure match={daneHost}:mx2.{mixed} servername=hostname", mixedOutput);
    }

    [Fact]
    public async Task A_20_Postfix_EnforceWithoutMatchingMx_AndAFailedMxLookup_AreTemp_SoPostfixDefers()
    {
        // Also: STS-5-d, STS-5-e, DANE-2.1.2-a.
        var mismatch = Domain("mismatch");
        World.PublishMx(mismatch, (10, "mx." + mismatch));
        World.PublishPolicy(mismatch, "x1", MtaStsMode.Enforce, 86400, "other." + mismatch);
        var servfail = Domain("servfail");
        World.Dns.SetFault(servfail, DnsRecordType.MX, DnsFault.ServerFailure);

        var (exitCode, output, error) = await Postmap.QueryAsync(mismatch, Tcp);
        var (failedExit, _, failedError) = await Postmap.QueryAsync(servfail, Tcp);

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains("socketmap server temporary error: no MX host matches the MTA-STS enforce policy", error, StringComparison.Ordinal);
        Assert.Equal(1, failedExit);
        Assert.Contains("socketmap server temporary error: the MX lookup failed", failedError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postfix_KeysThatAreNotDomains_AreNotFound_UnknownNamesArePerm_AndNoExceptionTextLeaks()
    {
        foreach (var key in new[] { "[relay.example.test]:587", "192.0.2.1", "not a domain", "a..b", new string('x', 300) + ".test" })
        {
            var (exitCode, output, error) = await Postmap.QueryAsync(key, Tcp);
            Assert.Equal(1, exitCode);
            Assert.Equal(string.Empty, output);
            Assert.Equal(string.Empty, error);
        }

        var (unknownExit, _, unknownError) = await Postmap.QueryAsync("example.test", Tcp, name: "other");
        Assert.Equal(1, unknownExit);
        Assert.Contains("socketmap server permanent error: unknown socketmap name; this server answers postfix", unknownError, StringComparison.Ordinal);

        // A second --map-name is served too.
        var (secondExit, _, secondError) = await Postmap.QueryAsync("[relay.example.test]:587", Unix, name: "mta-sts");
        Assert.Equal(1, secondExit);
        Assert.Equal(string.Empty, secondError);
        Assert.DoesNotContain("Exception", fixture.Default.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postfix_ManyRequestsOverOneConnection_AreAllAnswered_InOrder()
    {
        var enforce = Domain("many");
        World.PublishMx(enforce, (10, "mx." + enforce));
        World.PublishPolicy(enforce, "k1", MtaStsMode.Enforce, 86400, "mx." + enforce);
        var plain = Domain("many-plain");
        World.PublishMx(plain, (10, "mx." + plain));

        var (exitCode, output, error) = await Postmap.QueryManyAsync([enforce, plain, "[x.test]:25", enforce], Tcp);

        Assert.True(exitCode == 0, error);
        var expected = $"secure match=mx.{enforce} servername=hostname";
        Assert.Equal([$"{enforce}\t{expected}", $"{enforce}\t{expected}"], output.Split('\n'));
    }

    [Fact]
    public async Task Postfix_MalformedNetstring_GetsPerm_AndTheConnectionIsClosed()
    {
        foreach (var garbage in new[] { "x:abc,", "03:abc,", "3:abcd,", "GET / HTTP/1.1\r\n\r\n" })
        {
            using var client = await ConnectTcpAsync();
            await client.SendAsync(Encoding.ASCII.GetBytes(garbage));

            var reply = await ReadToEndAsync(client);

            Assert.Equal("PERM malformed netstring; closing the connection", Payload(reply));
        }

        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task Postfix_OversizedRequest_IsRefusedFromItsPrefix_WithPerm_AndClosed()
    {
        using (var client = await ConnectTcpAsync())
        {
            // Only the prefix is sent: the server must not wait for (or buffer) the announced 10 MB.
            await client.SendAsync(Encoding.ASCII.GetBytes("10000000:"));
            Assert.Equal("PERM request longer than 1024 bytes; closing the connection", Payload(await ReadToEndAsync(client)));
        }

        using (var client = await ConnectTcpAsync())
        {
            var request = Netstring.Encode("postfix " + new string('a', 2000));
            try
            {
                await client.SendAsync(request);
            }
            catch (SocketException)
            {
                // The server may close before all of it is sent.
            }

            Assert.StartsWith("PERM request longer than", Payload(await ReadToEndAsync(client)), StringComparison.Ordinal);
        }

        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task Postfix_SlowClient_IsDisconnected_AfterTheRequestTimeout_WithoutAReply()
    {
        using var client = await ConnectUnixAsync();
        await client.SendAsync(Encoding.ASCII.GetBytes("14:postfix"));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var reply = await ReadToEndAsync(client);

        Assert.Empty(reply);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
        Assert.Contains("was not complete within 1 s; connection closed", await fixture.Configured.WaitForLogAsync("was not complete within 1 s; connection closed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postfix_ConnectionsBeyondTheLimit_AreClosedAtOnce_AndServedAgainWhenOneEnds()
    {
        var open = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var idle = await ConnectUnixAsync();
                open.Add(idle);

                // A full round trip, so the server has counted this connection before the next one.
                Assert.Equal("NOTFOUND ", await AskAsync(idle, "postfix [x.test]:25"));
            }

            using var extra = await ConnectUnixAsync();
            Assert.Empty(await ReadToEndAsync(extra));

            open[0].Dispose();
            open.RemoveAt(0);
            var served = false;
            for (var attempt = 0; attempt < 50 && !served; attempt++)
            {
                // Until the server has seen the first connection end, a new one is still beyond the limit and closed
                // at once (a reset while asking); that is the behaviour under test, so try again.
                using var again = await ConnectUnixAsync();
                try
                {
                    served = await AskAsync(again, "postfix [x.test]:25") == "NOTFOUND ";
                }
                catch (SocketException)
                {
                    served = false;
                }

                if (!served)
                {
                    await Task.Delay(100);
                }
            }

            Assert.True(served, "no connection was served after one of the three ended");
        }
        finally
        {
            open.ForEach(static s => s.Dispose());
        }

        Assert.Contains("3 connections are open (--max-connections)", await fixture.Configured.WaitForLogAsync("3 connections are open (--max-connections)"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postfix_UnixSocket_StaleFileIsReplaced_ARegularFileIsRefused_AndSigtermStopsCleanly()
    {
        var world = CliRunner.WorldArguments(World);

        // A regular file at the path is never deleted: exit 2, file intact.
        var file = Path.Combine(Path.GetTempPath(), $"mtasts-pf-file-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "keep me");
        var (refusedExit, _, refusedError) = await CliRunner.RunProcessAsync(["postfix", "--listen", "unix:" + file, .. world]);
        Assert.Equal(2, refusedExit);
        Assert.Contains("exists and is not a socket", refusedError, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
        File.Delete(file);

        // A socket left by a server that is gone (killed with SIGKILL, so it never unlinked it) is replaced.
        var path = Path.Combine(Path.GetTempPath(), $"mtasts-pf-stale-{Guid.NewGuid():N}.sock");
        await using (var killed = await PostfixServerProcess.StartAsync(["--listen", "unix:" + path, .. world]))
        {
            // Disposing kills the process.
        }

        Assert.True(File.Exists(path), "the killed server's socket file should be left behind");
        await using var server = await PostfixServerProcess.StartAsync(["--listen", "unix:" + path, .. world]);
        var (exitCode, _, error) = await Postmap.QueryAsync("[x.test]:25", server.Listen);
        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Contains("Removed the stale socket", await server.WaitForLogAsync("Removed the stale socket"), StringComparison.Ordinal);

        // SIGTERM: a graceful stop, exit 0, the socket file removed.
        Assert.Equal(0, await server.StopAsync());
        Assert.False(File.Exists(path));
        Assert.Contains("Stopped", await server.WaitForLogAsync("Stopped"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postfix_BadOptionValues_ExitTwo_WithAMessage()
    {
        foreach (var args in new[]
        {
            new[] { "postfix", "--listen", "tcp:1.2.3.4:5" },
            ["postfix", "--listen", "inet:localhost:8461"],
            ["postfix", "--listen", "inet:127.0.0.1:99999"],
            ["postfix", "--listen", "inet:127.0.0.1:8461", "--max-connections", "0"],
            ["postfix", "--listen", "inet:127.0.0.1:8461", "--socket-mode", "999"],
            ["postfix", "--listen", "inet:127.0.0.1:8461", "--map-name", "a:b"],
        })
        {
            var (exitCode, _, error) = await CliRunner.RunAsync(args);
            Assert.True(exitCode == 2, $"{string.Join(' ', args)} exited {exitCode}: {error}");
            Assert.False(string.IsNullOrWhiteSpace(error));
            Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        }

        var (timeoutExit, _, _) = await CliRunner.RunAsync(["postfix", "--listen", "inet:127.0.0.1:8461", "--lookup-timeout", "1e300"]);
        Assert.NotEqual(0, timeoutExit);
    }

    [Fact]
    public async Task Postfix_CannotListen_ExitsOne_SayingWhatToCheck()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var busy = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var missingDirectory = Path.Combine(Path.GetTempPath(), $"mtasts-pf-none-{Guid.NewGuid():N}");
        var livePath = Path.Combine(Path.GetTempPath(), $"mtasts-pf-live-{Guid.NewGuid():N}.sock");
        await using var liveUnix = await PostfixServerProcess.StartAsync(["--listen", "unix:" + livePath, .. CliRunner.WorldArguments(World)]);
        foreach (var (listen, expected) in new[]
        {
            ($"inet:127.0.0.1:{busy}", "the address is already in use"),

            // Another mta-sts postfix on the port: never a second listener beside it (SO_REUSEPORT would share
            // Postfix's queries between the two), and never a live socket file taken over.
            (fixture.Default.Listen, "the address is already in use"),
            ("unix:" + livePath, "another server is listening on this socket"),
            ("unix:" + Path.Combine(missingDirectory, "policy.sock"), $"the directory {missingDirectory} does not exist"),
            ("inet:192.0.2.1:8461", "no network interface of this machine has that address"), // TEST-NET-1, on no interface
        })
        {
            // A server that did start would run until stopped: the wait turns that into a clear failure.
            var (exitCode, _, error) = await CliRunner.RunAsync(["postfix", "--listen", listen, .. CliRunner.WorldArguments(World)]).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 1, $"{listen} exited {exitCode}: {error}");
            Assert.Contains($"cannot listen on {listen}: {expected}", error, StringComparison.Ordinal);
            Assert.DoesNotContain("AddressNotAvailable", error, StringComparison.Ordinal);
        }
    }

    private async Task AssertStillAnswersAsync()
    {
        using var client = await ConnectTcpAsync();
        Assert.Equal("NOTFOUND ", await AskAsync(client, "postfix [x.test]:25"));
    }

    private async Task<Socket> ConnectTcpAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, fixture.Default.Port));
        return socket;
    }

    private async Task<Socket> ConnectUnixAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(fixture.SocketPath));
        return socket;
    }

    /// <summary>Sends one request and reads one reply netstring.</summary>
    private static async Task<string> AskAsync(Socket socket, string request)
    {
        await socket.SendAsync(Netstring.Encode(request));
        var buffer = new byte[4096];
        var filled = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Netstring.TryRead(buffer.AsSpan(0, filled), 4000, out var start, out var length, out _) == NetstringStatus.Complete)
            {
                return Encoding.UTF8.GetString(buffer, start, length);
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), timeout.Token);
            if (read == 0)
            {
                return "(closed)";
            }

            filled += read;
        }
    }

    /// <summary>Everything the server sends until it closes the connection (fails the test after 30 s).</summary>
    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, timeout.Token);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    private static string Payload(byte[] reply)
    {
        Assert.Equal(NetstringStatus.Complete, Netstring.TryRead(reply, 4000, out var start, out var length, out var consumed));
        Assert.Equal(reply.Length, consumed);
        return Encoding.UTF8.GetString(reply, start, length);
    }
}
