namespace Engine.Protocol.Wire;

/// <summary>The low five bits of a packet's first byte. The high three bits are flags (none defined in v1).</summary>
public enum PacketType : byte
{
    Hello = 0x01,
    Challenge = 0x02,
    Welcome = 0x03,
    Reject = 0x04,

    /// <summary>Everything after the handshake. The kernel steering program keys on this value.</summary>
    Session = 0x10,
}
