using System.Collections.Concurrent;

namespace Engine.Protocol.Channels;

/// <summary>
/// Buffers a connection borrows only while it needs them. A small per-thread stack comes first
/// (no synchronisation on a shard's path), then one queue shared by every thread: a store is
/// often borrowed on the shard that admitted a session and returned on the shard of its room, and
/// with per-thread pools alone that shard's pool filled up while the other kept allocating.
/// </summary>
internal static class BorrowPool<T>
    where T : class
{
    [ThreadStatic]
    private static Stack<T>? t_local;

    private static readonly ConcurrentQueue<T> s_shared = new();
    private static int s_sharedCount;

    /// <summary>A pooled item, or null when there is none (the caller makes one).</summary>
    public static T? TryRent()
    {
        if (t_local is { Count: > 0 } local)
        {
            return local.Pop();
        }
        if (s_shared.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref s_sharedCount);
            return item;
        }
        return null;
    }

    /// <param name="localLimit">Items this thread keeps for itself; the next go to the shared queue.</param>
    /// <param name="sharedLimit">Items the shared queue keeps; more are left to the garbage collector.</param>
    public static void Return(T item, int localLimit, int sharedLimit)
    {
        var local = t_local ??= new Stack<T>();
        if (local.Count < localLimit)
        {
            local.Push(item);
        }
        else if (Interlocked.Increment(ref s_sharedCount) <= sharedLimit)
        {
            s_shared.Enqueue(item);
        }
        else
        {
            Interlocked.Decrement(ref s_sharedCount);
        }
    }
}
