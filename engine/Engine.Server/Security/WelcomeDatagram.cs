using System.Runtime.CompilerServices;
using Engine.Protocol.Wire;

namespace Engine.Server.Security;

/// <summary>A welcome exactly as sent (plain or sealed), kept so a retransmitted hello gets the same bytes again.</summary>
internal struct WelcomeDatagram
{
    public int Length;
    public WelcomeBytes Bytes;

    public readonly void CopyTo(Span<byte> destination) => ((ReadOnlySpan<byte>)Bytes).Slice(0, Length).CopyTo(destination);

    public static WelcomeDatagram From(ReadOnlySpan<byte> welcome)
    {
        var datagram = new WelcomeDatagram { Length = welcome.Length };
        welcome.CopyTo(datagram.Bytes);
        return datagram;
    }
}

[InlineArray(ProtocolConstants.SealedWelcomeSize)]
internal struct WelcomeBytes
{
    private byte _first;
}
