namespace Engine.LoadTest.Attack;

/// <summary>What the attack sent up to a moment, per kind; windows and seconds are differences of two of these.</summary>
internal sealed class AttackTotals
{
    public long[] Sent { get; } = new long[AttackKinds.Count];
    public long[] Bytes { get; } = new long[AttackKinds.Count];

    /// <summary>Datagrams that could not be built (a replay before anything was captured).</summary>
    public long[] Unavailable { get; } = new long[AttackKinds.Count];

    /// <summary>Datagrams the server sent back to the attack's addresses, and their bytes.</summary>
    public long Replies { get; set; }
    public long ReplyBytes { get; set; }

    /// <summary>Attack datagrams its own sockets could not send (buffer full, refused).</summary>
    public long SendDrops { get; set; }

    public long TotalSent => Sent.Sum();
    public long TotalBytes => Bytes.Sum();

    public AttackTotals Minus(AttackTotals earlier)
    {
        var d = new AttackTotals
        {
            Replies = Replies - earlier.Replies,
            ReplyBytes = ReplyBytes - earlier.ReplyBytes,
            SendDrops = SendDrops - earlier.SendDrops,
        };
        for (var k = 0; k < AttackKinds.Count; k++)
        {
            d.Sent[k] = Sent[k] - earlier.Sent[k];
            d.Bytes[k] = Bytes[k] - earlier.Bytes[k];
            d.Unavailable[k] = Unavailable[k] - earlier.Unavailable[k];
        }
        return d;
    }
}
