using Engine.Protocol.Channels;
using Xunit;

namespace Engine.Tests.Protocol.Channels;

public class BorrowPoolTests
{
    private sealed class Marker;

    [Fact]
    public void Items_returned_on_another_thread_past_its_own_share_are_borrowed_back_here_up_to_the_shared_limit()
    {
        var items = new[] { new Marker(), new Marker(), new Marker() };
        var other = new Thread(() =>
        {
            foreach (var item in items)
            {
                BorrowPool<Marker>.Return(item, localLimit: 1, sharedLimit: 1); // kept there, shared, collected
            }
        });
        other.Start();
        other.Join();

        // A session that moved shards: this thread borrowed, another gave back.
        Assert.Same(items[1], BorrowPool<Marker>.TryRent());
        Assert.Null(BorrowPool<Marker>.TryRent());

        // What a thread returns within its own share comes back to it first, without the queue.
        var mine = new Marker();
        BorrowPool<Marker>.Return(mine, localLimit: 1, sharedLimit: 1);
        Assert.Same(mine, BorrowPool<Marker>.TryRent());
    }
}
