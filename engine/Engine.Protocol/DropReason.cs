namespace Engine.Protocol;

/// <summary>Why a datagram was dropped. Every drop is counted under one of these; none throws.</summary>
public enum DropReason : byte
{
    None = 0,
    TooShort,
    Oversized,
    Truncated,
    UnknownType,
    BadFlags,
    BadMagic,
    VersionMismatch,
    BadHelloSize,
    BadCookie,
    ExpiredCookie,
    UnknownSession,
    AddressMismatch,
    Duplicate,
    Stale,
    MalformedMessage,
    UnknownMessage,
    UnexpectedPacket,
    ServerFull,
    MalformedSnapshot,

    /// <summary>The source address sent more than its share (packets or handshakes per second).</summary>
    AddressRateLimited,
    HandshakeRateLimited,

    /// <summary>A session sent more packets or reliable messages per second than allowed.</summary>
    SessionRateLimited,

    /// <summary>The shard was over its packets-per-second guard and shed this kind of traffic first.</summary>
    Shed,
    ShuttingDown,

    /// <summary>A connect token that does not open under the server's key, names another game, or is malformed.</summary>
    InvalidToken,
    ExpiredToken,

    /// <summary>A valid token that does not list this server's address.</summary>
    TokenAddressNotListed,

    /// <summary>A token already used by another client (address or hello nonce differ).</summary>
    TokenReplayed,

    /// <summary>A hello without a token to a secure server, or with one to an insecure server.</summary>
    SecurityModeMismatch,

    /// <summary>A sealed session packet whose tag does not verify: forged, tampered or under a guessed id.</summary>
    AuthFailed,

    /// <summary>A first hello shed because the shard is over its tick budget (players already in come first).</summary>
    OverloadShed,

    /// <summary>A hello to a draining server: refused with a reject that says so.</summary>
    Draining,
}

public static class DropReasons
{
    private static readonly string[] s_names = Enum.GetNames<DropReason>().Select(ToSnakeCase).ToArray();

    /// <summary>How many reasons there are (None included): the size of a per-reason table.</summary>
    public static int Count => s_names.Length;

    /// <summary>Stable snake_case names used by logs and metrics ("too_short", "bad_cookie").</summary>
    public static string Name(DropReason reason) => (uint)reason < (uint)s_names.Length ? s_names[(int)reason] : "unknown";

    private static string ToSnakeCase(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
