using System.Text.Json;
using Engine.Fleet.Records;
using StackExchange.Redis;

namespace Engine.Fleet.Redis;

/// <summary>
/// The fleet's directory in Redis: each node's record under its own key with a TTL, and a sorted
/// set of node ids by expiry so readers find them without KEYS or SCAN. A node that stops renewing
/// (killed, partitioned) disappears when its TTL runs out; a node that stops cleanly removes itself.
/// </summary>
public sealed class RedisDirectory : IDisposable
{
    private readonly ConnectionMultiplexer _connection;

    private RedisDirectory(ConnectionMultiplexer connection, DirectoryAddress address)
    {
        _connection = connection;
        Address = address;
    }

    public DirectoryAddress Address { get; }

    public bool IsConnected => _connection.IsConnected;

    /// <summary>Connects in the background: returns at once even when Redis is down, and keeps reconnecting.</summary>
    public static RedisDirectory Connect(DirectoryAddress address) =>
        new(ConnectionMultiplexer.Connect(address.ToOptions()), address);

    private IDatabase Database => _connection.GetDatabase();

    /// <summary>Writes the node's record with its TTL and renews its entry in the node set; prunes entries that expired.</summary>
    public async Task PublishAsync(NodeRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, FleetJson.Default.NodeRecord);
        var expires = record.UpdatedUnixMs + record.TtlMs;
        var batch = Database.CreateTransaction();
        var set = batch.StringSetAsync(DirectoryKeys.Node(record.Id), json, TimeSpan.FromMilliseconds(record.TtlMs));
        var add = batch.SortedSetAddAsync(DirectoryKeys.Nodes, record.Id, expires);
        var prune = batch.SortedSetRemoveRangeByScoreAsync(DirectoryKeys.Nodes, double.NegativeInfinity, record.UpdatedUnixMs, Exclude.Stop);
        if (!await batch.ExecuteAsync().ConfigureAwait(false))
        {
            throw new RedisException("the directory transaction was not applied");
        }
        await Task.WhenAll(set, add, prune).ConfigureAwait(false);
    }

    /// <summary>Takes the node out at once (a clean stop), rather than after its TTL.</summary>
    public async Task RemoveAsync(string nodeId)
    {
        var batch = Database.CreateTransaction();
        var delete = batch.KeyDeleteAsync(DirectoryKeys.Node(nodeId));
        var remove = batch.SortedSetRemoveAsync(DirectoryKeys.Nodes, nodeId);
        await batch.ExecuteAsync().ConfigureAwait(false);
        await Task.WhenAll(delete, remove).ConfigureAwait(false);
    }

    /// <summary>Every live node's record; records that fail to parse (a newer or foreign writer) are skipped.</summary>
    public async Task<List<NodeRecord>> ReadNodesAsync(long nowUnixMs)
    {
        var ids = await Database.SortedSetRangeByScoreAsync(DirectoryKeys.Nodes, nowUnixMs, double.PositiveInfinity).ConfigureAwait(false);
        var nodes = new List<NodeRecord>(ids.Length);
        if (ids.Length == 0)
        {
            return nodes;
        }
        var keys = ids.Select(id => (RedisKey)DirectoryKeys.Node(id.ToString())).ToArray();
        var values = await Database.StringGetAsync(keys).ConfigureAwait(false);
        foreach (var value in values)
        {
            if (value.IsNull)
            {
                continue;
            }
            try
            {
                if (JsonSerializer.Deserialize((byte[])value!, FleetJson.Default.NodeRecord) is { } record && !record.IsExpired(nowUnixMs))
                {
                    nodes.Add(record);
                }
            }
            catch (JsonException)
            {
                // Not ours to read; the writer's TTL removes it.
            }
        }
        return nodes;
    }

    public void Dispose() => _connection.Dispose();
}
