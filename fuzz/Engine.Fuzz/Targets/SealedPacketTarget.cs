using Engine.Protocol;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.Fuzz.Targets;

/// <summary>
/// Opening sealed session packets, as a secure server does before anything else: never throws; a
/// packet that fails leaves its bytes and the connection's state exactly as they were; a packet that
/// opens is exactly what the client sealed (sealing its plaintext again gives the same bytes).
/// </summary>
internal sealed class SealedPacketTarget : FuzzTarget
{
    private static readonly byte[] s_clientToServer = [.. Enumerable.Range(0, SecurityConstants.KeySize).Select(i => (byte)(i + 1))];
    private static readonly byte[] s_serverToClient = [.. Enumerable.Range(0, SecurityConstants.KeySize).Select(i => (byte)(i + 101))];
    private static readonly ConnectionOptions s_options = new() { Sealed = true };
    private const ulong Id = 0x8F3A2C51D7E40B01;

    private readonly PacketProtection _client = PacketProtection.ForClient(s_clientToServer, s_serverToClient);
    private readonly byte[] _packet = new byte[ushort.MaxValue];
    private readonly byte[] _resealed = new byte[ushort.MaxValue];

    public override string Name => "sealed";

    public override void Run(ReadOnlySpan<byte> data)
    {
        if (SessionHeader.TryRead(data, out var header) != DropReason.None)
        {
            return; // the server drops it before any key is involved
        }
        var server = new Connection(Id, s_options, 0, PacketProtection.ForServer(s_clientToServer, s_serverToClient));
        var packet = _packet.AsSpan(0, data.Length);
        data.CopyTo(packet);
        var before = server.Stats;
        var reason = server.Unseal(header, packet, out var plainLength);
        if (reason != DropReason.None)
        {
            Check.That(reason is DropReason.AuthFailed or DropReason.TooShort or DropReason.Oversized, $"open verdict {reason}");
            Check.Bytes(data, packet, "bytes of a packet that failed to open");
            Check.Equal(before, server.Stats, "stats after a failed open");
            server.ReleaseProtection();
            return;
        }
        // A fresh connection has received nothing: the packet number is the sequence itself.
        Check.Equal(data.Length - SecurityConstants.TagSize, plainLength, "plaintext length");
        var resealed = _resealed.AsSpan(0, data.Length);
        packet.CopyTo(resealed);
        Check.Equal(data.Length, _client.Seal(resealed, plainLength, header.Sequence), "resealed length");
        Check.Bytes(data, resealed, "an opened packet sealed again");
        server.ReleaseProtection();
    }

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var connection = new Connection(Id, s_options, 0, PacketProtection.ForClient(s_clientToServer, s_serverToClient));
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        yield return ("ping", buffer.AsSpan(0, connection.PollSend(buffer, 1_000_000)).ToArray());
        connection.QueueUnreliable("0123456789"u8);
        yield return ("unreliable", buffer.AsSpan(0, connection.PollSend(buffer, 1_000_001)).ToArray());
        connection.Close(DisconnectReason.ClientRequest);
        yield return ("disconnect", buffer.AsSpan(0, connection.PollSend(buffer, 1_000_002)).ToArray());
        connection.ReleaseProtection();
    }
}
