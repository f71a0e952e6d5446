using System.Net;
using System.Security.Cryptography;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;
using Engine.Server;
using Engine.Server.Handshake;
using Engine.Server.Limits;
using Engine.Server.Security;
using Engine.Server.Shards;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Handshake;

/// <summary>
/// The handshake services of a server's shards without sockets: one <see cref="HandshakeService"/>
/// per shard over one cookie secret, one shard directory and (secure) one used-token table, as the
/// server builds them; hellos written with the protocol's writer, and the test's clocks.
/// </summary>
internal sealed class HandshakeHarness : IDisposable
{
    public static readonly IPEndPoint ServerEndPoint = new(IPAddress.Parse("203.0.113.7"), 7777);

    private readonly byte[] _hello = new byte[ProtocolConstants.HelloSize];
    private readonly byte[] _reply = new byte[ProtocolConstants.MaxDatagram];

    public HandshakeHarness(Action<ServerOptions>? configure = null, bool secure = false, int shards = 2)
    {
        Options = new ServerOptions { Shards = shards, Insecure = !secure, ConnectTokenKey = secure ? RandomNumberGenerator.GetBytes(SecurityConstants.KeySize) : null };
        configure?.Invoke(Options);
        Assert.Empty(Options.Validate());
        Directory = new ShardDirectory(shards, Options.MaxSessions, Options.MaxSessionsPerAddress);
        UsedTokens = secure ? new UsedTokenTable(4096) : null;
        var secret = HandshakeCookies.NewSecret();
        Counters = Enumerable.Range(0, shards).Select(_ => new ShardCounters()).ToArray();
        Services = Enumerable.Range(0, shards).Select(i => new HandshakeService(Options, secret, ServerIdentity.For(ServerEndPoint), UsedTokens, Directory,
            new AddressRateTable(1024,
                RateLimit.Of(Options.PacketsPerSecondPerAddress, 2 * Options.PacketsPerSecondPerAddress),
                RateLimit.Of(Options.HandshakesPerSecondPerAddress, 2 * Options.HandshakesPerSecondPerAddress)),
            Counters[i])).ToArray();
    }

    public ServerOptions Options { get; }
    public ShardDirectory Directory { get; }
    public UsedTokenTable? UsedTokens { get; }
    public ShardCounters[] Counters { get; }
    public HandshakeService[] Services { get; }

    public long NowUs { get; set; } = 100_000_000;
    public long NowUnixSeconds { get; set; } = 1_800_000_000;

    public void Advance(TimeSpan time)
    {
        NowUs += (long)(time.TotalMilliseconds * 1000);
        NowUnixSeconds += (long)time.TotalSeconds;
    }

    /// <summary>A token as the game's backend issues it, for this server unless told otherwise.</summary>
    public ConnectToken IssueToken(ulong playerId = 7, IPEndPoint? server = null, TimeSpan? lifetime = null, long? issuedUnixSeconds = null) =>
        ConnectToken.Issue(Options.ConnectTokenKey!, playerId, [server ?? ServerEndPoint], lifetime ?? TimeSpan.FromSeconds(30),
            now: DateTimeOffset.FromUnixTimeSeconds(issuedUnixSeconds ?? NowUnixSeconds));

    /// <summary>A hello from <paramref name="source"/> to the shard <paramref name="shard"/>.</summary>
    public HelloReply Hello(in PeerAddress source, ulong nonce, byte[]? cookie = null, ConnectToken? token = null,
        ushort version = ProtocolConstants.Version, int shard = 0, RejectReason closed = RejectReason.None)
    {
        var length = HandshakePackets.WriteHello(_hello, nonce, cookie, version, token);
        return Receive(_hello.AsSpan(0, length), source, shard, closed);
    }

    public HelloReply Receive(ReadOnlySpan<byte> datagram, in PeerAddress source, int shard = 0, RejectReason closed = RejectReason.None)
    {
        var outcome = Services[shard].Receive(datagram, source, NowUs, NowUnixSeconds, closed, _reply);
        return new HelloReply(outcome, _reply.AsSpan(0, outcome.ReplyLength).ToArray());
    }

    /// <summary>The first hello and its challenge: the cookie the client sends back.</summary>
    public byte[] Cookie(in PeerAddress source, ulong nonce, ConnectToken? token = null, int shard = 0) =>
        Hello(source, nonce, token: token, shard: shard).Cookie;

    /// <summary>A client of a secure server: its token from the backend and the cookie of its first hello.</summary>
    public (ConnectToken Token, byte[] Cookie) Challenged(in PeerAddress source, ulong nonce, int shard = 0)
    {
        var token = IssueToken();
        return (token, Cookie(source, nonce, token, shard));
    }

    /// <summary>Both hellos of a client: the challenge, then the hello with its cookie.</summary>
    public HelloReply Connect(in PeerAddress source, ulong nonce, ConnectToken? token = null, int shard = 0) =>
        Hello(source, nonce, Cookie(source, nonce, token, shard), token, shard: shard);

    public void Dispose()
    {
        foreach (var service in Services)
        {
            service.Dispose();
        }
    }
}
