namespace Engine.Server.Handshake;

/// <summary>
/// What a hello came to: a reply to send to its source (a challenge, a reject or a welcome sent
/// again; <see cref="ReplyLength"/> 0 for none), and for a new session its admission and the shard
/// chosen to own it.
/// </summary>
internal readonly struct HelloOutcome
{
    private HelloOutcome(int replyLength, int shard, in Admission admission)
    {
        ReplyLength = replyLength;
        Shard = shard;
        Admission = admission;
    }

    public int ReplyLength { get; }

    /// <summary>The shard to own the new session; -1 when there is none.</summary>
    public int Shard { get; }
    public Admission Admission { get; }
    public bool Admitted => Shard >= 0;

    public static HelloOutcome None => new(0, -1, default);

    public static HelloOutcome Reply(int length) => new(length, -1, default);

    public static HelloOutcome Admit(int shard, in Admission admission) => new(0, shard, admission);
}
