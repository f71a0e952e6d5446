using System.Buffers.Binary;
using Engine.Protocol.Channels;
using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Security;

/// <summary>
/// AES-256-GCM sealing of one session, one key per direction (from the connect token). A sealed
/// packet is the 17-byte header in the clear (the associated data), the encrypted messages, then a
/// 16-byte tag. The nonce is a direction label and the 64-bit packet number, so no nonce repeats
/// under a key as long as each token is used for one session (the server refuses a second use).
/// Owned by one thread at a time; sealing and opening allocate nothing.
/// </summary>
/// <remarks>
/// A server makes one for every session and keeps it as long as the session lives, minutes, so
/// each outlived the young generation and died in the old ones, where only a full collection
/// finds it: a steady stream of sessions grew the heap between full collections. The session's
/// connection hands it back when it ends (<see cref="Recycle"/>), and the next session's keys go
/// into the same object.
/// </remarks>
public sealed class PacketProtection : IDisposable
{
    /// <summary>A shard admitting a burst of sessions mostly finds them here; more go to the shared queue.</summary>
    private const int PooledPerThread = 32;

    /// <summary>Protections of ended sessions waiting for new ones; more are collected.</summary>
    private const int PooledShared = 4096;

    private readonly AesGcmCipher _send;
    private readonly AesGcmCipher _receive;
    private uint _sendLabel;
    private uint _receiveLabel;

    // Set while pooled: a second Recycle must not put the object in the pool twice (two sessions would share it).
    private bool _pooled;

    private PacketProtection(ReadOnlySpan<byte> sendKey, ReadOnlySpan<byte> receiveKey, uint sendLabel, uint receiveLabel)
    {
        CheckKeys(sendKey, receiveKey);
        _send = new AesGcmCipher(sendKey);
        _receive = new AesGcmCipher(receiveKey);
        _sendLabel = sendLabel;
        _receiveLabel = receiveLabel;
    }

    /// <summary>The server's end: sends with the server-to-client key, opens with the client-to-server key.</summary>
    public static PacketProtection ForServer(ReadOnlySpan<byte> clientToServerKey, ReadOnlySpan<byte> serverToClientKey) =>
        Rent(serverToClientKey, clientToServerKey, SecurityConstants.ServerToClientLabel, SecurityConstants.ClientToServerLabel);

    public static PacketProtection ForClient(ReadOnlySpan<byte> clientToServerKey, ReadOnlySpan<byte> serverToClientKey) =>
        Rent(clientToServerKey, serverToClientKey, SecurityConstants.ClientToServerLabel, SecurityConstants.ServerToClientLabel);

    private static PacketProtection Rent(ReadOnlySpan<byte> sendKey, ReadOnlySpan<byte> receiveKey, uint sendLabel, uint receiveLabel)
    {
        CheckKeys(sendKey, receiveKey);
        if (BorrowPool<PacketProtection>.TryRent() is not { } pooled)
        {
            return new(sendKey, receiveKey, sendLabel, receiveLabel);
        }
        pooled._pooled = false;
        pooled._send.Rekey(sendKey);
        pooled._receive.Rekey(receiveKey);
        pooled._sendLabel = sendLabel;
        pooled._receiveLabel = receiveLabel;
        return pooled;
    }

    /// <summary>
    /// Wipes the keys (as <see cref="Dispose"/>) and keeps the object for the next session's. Only
    /// for the sole owner, with no reference left anywhere: the next session's keys go into it.
    /// </summary>
    internal void Recycle()
    {
        Dispose();
        if (_pooled)
        {
            return;
        }
        _pooled = true;
        BorrowPool<PacketProtection>.Return(this, PooledPerThread, PooledShared);
    }

    private static void CheckKeys(ReadOnlySpan<byte> sendKey, ReadOnlySpan<byte> receiveKey)
    {
        if (sendKey.Length != SecurityConstants.KeySize || receiveKey.Length != SecurityConstants.KeySize)
        {
            throw new ArgumentException($"Session keys are {SecurityConstants.KeySize} bytes.");
        }
    }

    /// <summary>
    /// Seals a packet written in place: the first <paramref name="length"/> bytes are the header and the
    /// messages; the messages are encrypted and the tag written after them. Returns the sealed length.
    /// </summary>
    public int Seal(Span<byte> packet, int length, ulong packetNumber)
    {
        Span<byte> nonce = stackalloc byte[SecurityConstants.NonceSize];
        WriteNonce(nonce, _sendLabel, packetNumber);
        var header = packet.Slice(0, ProtocolConstants.SessionHeaderSize);
        var body = packet.Slice(ProtocolConstants.SessionHeaderSize, length - ProtocolConstants.SessionHeaderSize);
        _send.Seal(nonce, header, body, body, packet.Slice(length, SecurityConstants.TagSize));
        return length + SecurityConstants.TagSize;
    }

    /// <summary>
    /// Opens a sealed packet in place; false, with the caller's state untouched, when the tag does not
    /// verify. On success the messages lie decrypted between the header and the (now meaningless) tag.
    /// </summary>
    public bool TryOpen(Span<byte> packet, ulong packetNumber)
    {
        if (packet.Length < ProtocolConstants.SessionHeaderSize + SecurityConstants.TagSize)
        {
            return false;
        }
        Span<byte> nonce = stackalloc byte[SecurityConstants.NonceSize];
        WriteNonce(nonce, _receiveLabel, packetNumber);
        var body = packet.Slice(ProtocolConstants.SessionHeaderSize, packet.Length - ProtocolConstants.SessionHeaderSize - SecurityConstants.TagSize);
        return _receive.TryOpen(nonce, packet.Slice(0, ProtocolConstants.SessionHeaderSize), body,
            packet.Slice(packet.Length - SecurityConstants.TagSize), body);
    }

    /// <summary>
    /// Writes the welcome followed by a tag over it under the server-to-client key, with the client's
    /// hello nonce in the AES-GCM nonce: only the holder of the token's keys can make one the client accepts.
    /// </summary>
    public int SealWelcome(Span<byte> destination, in Welcome welcome)
    {
        var length = HandshakePackets.WriteWelcome(destination, welcome);
        Span<byte> nonce = stackalloc byte[SecurityConstants.NonceSize];
        WriteNonce(nonce, SecurityConstants.WelcomeLabel, welcome.Nonce);
        _send.Seal(nonce, destination.Slice(0, length), ReadOnlySpan<byte>.Empty, Span<byte>.Empty, destination.Slice(length, SecurityConstants.TagSize));
        return length + SecurityConstants.TagSize;
    }

    /// <summary>Whether a sealed welcome (<see cref="ProtocolConstants.SealedWelcomeSize"/> bytes) carries a valid tag for this client's keys.</summary>
    public bool VerifyWelcome(ReadOnlySpan<byte> datagram, ulong helloNonce)
    {
        if (datagram.Length != ProtocolConstants.SealedWelcomeSize)
        {
            return false;
        }
        Span<byte> nonce = stackalloc byte[SecurityConstants.NonceSize];
        WriteNonce(nonce, SecurityConstants.WelcomeLabel, helloNonce);
        // A tag over the welcome as associated data, with nothing encrypted.
        return _receive.TryOpen(nonce, datagram.Slice(0, ProtocolConstants.WelcomeSize), ReadOnlySpan<byte>.Empty,
            datagram.Slice(ProtocolConstants.WelcomeSize), Span<byte>.Empty);
    }

    private static void WriteNonce(Span<byte> nonce, uint label, ulong number)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(nonce, label);
        BinaryPrimitives.WriteUInt64LittleEndian(nonce.Slice(4), number);
    }

    public void Dispose()
    {
        _send.Dispose();
        _receive.Dispose();
    }
}
