namespace Engine.Protocol.Security;

/// <summary>Sizes and labels of connect tokens and sealed packets; docs/PROTOCOL.md describes every byte.</summary>
public static class SecurityConstants
{
    /// <summary>AES-256-GCM keys: the backend's token key and each session key.</summary>
    public const int KeySize = 32;
    public const int TagSize = 16;
    public const int NonceSize = 12;

    /// <summary>The token format this build writes and reads.</summary>
    public const byte TokenVersion = 1;

    /// <summary>Server addresses one token may list.</summary>
    public const int MaxServerAddresses = 4;

    /// <summary>Family byte (4 or 6), 16 address bytes (IPv4 in the first 4), port (u16).</summary>
    public const int AddressSize = 1 + 16 + 2;

    /// <summary>Player id, expiry, address count, the addresses, both session keys, 3 reserved zero bytes.</summary>
    public const int PrivateTokenSize = 8 + 8 + 1 + (MaxServerAddresses * AddressSize) + (2 * KeySize) + 3;

    /// <summary>The private part as the hello carries it: encrypted, then its tag.</summary>
    public const int SealedPrivateTokenSize = PrivateTokenSize + TagSize;

    /// <summary>What authenticates the private part without being secret: token version, protocol id, expiry.</summary>
    public const int TokenAssociatedDataSize = 1 + 8 + 8;

    // Nonce prefixes (first 4 bytes of the 12-byte nonce, little-endian): each key is used with
    // one prefix per purpose, so a welcome and a session packet never share a nonce.
    internal const uint ClientToServerLabel = 0x00533243; // "C2S\0"
    internal const uint ServerToClientLabel = 0x00433253; // "S2C\0"
    internal const uint WelcomeLabel = 0x004C4557;        // "WEL\0"
}
