namespace Engine.LoadTest.Attack;

/// <summary>The kinds of hostile traffic the attack mixes; each is counted on its own.</summary>
internal enum AttackKind
{
    /// <summary>Random bytes of random length, often with a valid-looking type byte so parsers go deeper.</summary>
    Garbage,

    /// <summary>Datagrams above the server's largest payload, up to 4 KB.</summary>
    Oversized,

    /// <summary>Copies of real datagrams legit players sent, resent later from attack addresses.</summary>
    Replay,

    /// <summary>Copies of real datagrams resent later from the very address and port that sent them.</summary>
    ReplaySame,

    /// <summary>Hellos without a cookie from many source addresses that never answer the challenge.</summary>
    SpoofedHello,

    /// <summary>Session packets with a stolen (seen on the wire) or guessed connection id.</summary>
    ForgedSession,

    /// <summary>Hellos that carry a made-up cookie.</summary>
    BadCookie,
}

internal static class AttackKinds
{
    public const int Count = (int)AttackKind.BadCookie + 1;

    private static readonly string[] s_names = ["garbage", "oversized", "replay", "replay-same", "spoofed-hello", "forged-session", "bad-cookie"];

    public static string Name(AttackKind kind) => s_names[(int)kind];

    public static bool TryParse(string name, out AttackKind kind)
    {
        var i = Array.IndexOf(s_names, name);
        kind = (AttackKind)Math.Max(i, 0);
        return i >= 0;
    }

    /// <summary>What the server should make of each kind, for the report.</summary>
    public static string Expected(AttackKind kind) => kind switch
    {
        AttackKind.Garbage => "dropped by the header parser (unknown_type, bad_flags, too_short, bad_hello_size, bad_magic, unknown_session ...)",
        AttackKind.Oversized => "dropped before parsing (oversized, truncated)",
        AttackKind.Replay => "from another address: address_mismatch (session packets), bad_cookie (hellos)",
        AttackKind.ReplaySame => "same address and port: duplicate or stale (the per-session replay window)",
        AttackKind.SpoofedHello => "answered statelessly with a challenge no larger than the hello (no state kept); rate limited per address and shed first under load",
        AttackKind.ForgedSession => "stolen id: address_mismatch (or fails authentication once sessions are sealed); guessed id: unknown_session",
        AttackKind.BadCookie => "bad_cookie (the MAC does not verify) or expired_cookie",
        _ => "",
    };
}
