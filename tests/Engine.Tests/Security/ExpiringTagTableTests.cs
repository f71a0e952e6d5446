using System.Runtime.CompilerServices;
using Engine.Server.Security;
using Xunit;

namespace Engine.Tests.Security;

/// <summary>
/// The table behind used tokens and used tickets: a tag stays live until it expires, expired entries
/// are pruned on schedule or when the table is full, and a full table refuses rather than forget a live tag.
/// </summary>
public class ExpiringTagTableTests
{
    private const long Now = 1_800_000_000;

    private static TokenTag Tag(ulong n) => new(n, ~n);

    /// <summary>Two entries in a table of two: tag 1 expires at Now + 5, tag 2 at Now + 60.</summary>
    private static ExpiringTagTable<Expiry> FullTable()
    {
        var table = new ExpiringTagTable<Expiry>(2);
        Assert.True(table.TryAdd(Tag(1), new Expiry(Now + 5), Now));
        Assert.True(table.TryAdd(Tag(2), new Expiry(Now + 60), Now));
        return table;
    }

    [Fact]
    public void A_tag_is_live_until_it_expires()
    {
        var table = new ExpiringTagTable<Expiry>(4);
        Assert.True(table.TryAdd(Tag(1), new Expiry(Now + 5), Now));

        Assert.Equal(Now + 5, table.FindLive(Tag(1), Now + 4).ExpireUnix);
        Assert.True(Unsafe.IsNullRef(ref table.FindLive(Tag(1), Now + 5)));
        Assert.True(Unsafe.IsNullRef(ref table.FindLive(Tag(2), Now)));
        Assert.False(Unsafe.IsNullRef(ref table.Find(Tag(1)))); // expired, not yet pruned
    }

    [Fact]
    public void A_full_table_refuses_a_new_tag_while_every_entry_is_live()
    {
        var table = FullTable();
        Assert.False(table.TryAdd(Tag(3), new Expiry(Now + 60), Now + 1));
        Assert.Equal(2, table.Count);
        Assert.False(Unsafe.IsNullRef(ref table.FindLive(Tag(1), Now + 1)));
    }

    [Fact]
    public void A_full_table_prunes_at_once_to_make_room()
    {
        var table = FullTable();
        // Before the next scheduled prune: only fullness makes this one.
        Assert.True(table.TryAdd(Tag(3), new Expiry(Now + 60), Now + 6));
        Assert.Equal(2, table.Count);
        Assert.True(Unsafe.IsNullRef(ref table.Find(Tag(1))));
    }

    [Fact]
    public void Expired_entries_are_pruned_on_schedule()
    {
        var table = new ExpiringTagTable<Expiry>(16);
        Assert.True(table.TryAdd(Tag(1), new Expiry(Now + 5), Now));
        Assert.True(table.TryAdd(Tag(2), new Expiry(Now + 5), Now + 6));
        Assert.Equal(2, table.Count); // the prune at Now scheduled the next one 10 s later

        Assert.True(table.TryAdd(Tag(3), new Expiry(Now + 60), Now + 10));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void An_expired_tag_can_be_added_again_and_a_removed_one_is_gone()
    {
        var table = new ExpiringTagTable<Expiry>(4);
        Assert.True(table.TryAdd(Tag(1), new Expiry(Now + 5), Now));
        Assert.True(table.TryAdd(Tag(1), new Expiry(Now + 20), Now + 5));
        Assert.Equal(Now + 20, table.FindLive(Tag(1), Now + 6).ExpireUnix);

        table.Remove(Tag(1));
        Assert.Equal(0, table.Count);
    }

    private readonly record struct Expiry(long ExpireUnix) : IExpiringEntry;
}
