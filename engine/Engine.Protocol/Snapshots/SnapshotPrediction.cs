namespace Engine.Protocol.Snapshots;

/// <summary>
/// Dead reckoning of a baseline frame: deltas are encoded against where each entity would be if it
/// kept its velocity, so a player running straight costs nothing until it turns. Both ends compute
/// the same predicted frame from the same baseline with the same integer rule, the one the
/// movement arena integrates with: each tick moves x and z by velocity / tick rate (truncated).
/// Height is not extrapolated (gravity changes it every tick), nor are angles.
/// </summary>
public static class SnapshotPrediction
{
    /// <summary>Writes into <paramref name="destination"/> the baseline moved <paramref name="ticks"/> ticks forward.</summary>
    public static void Extrapolate(SnapshotFrame baseline, uint ticks, int tickRate, SnapshotFrame destination)
    {
        destination.CopyFrom(baseline);
        if (tickRate <= 0 || ticks == 0 || ticks > 10_000)
        {
            return;
        }
        var presence = baseline.Presence;
        var positionX = destination.Field(SnapshotField.PositionX);
        var positionZ = destination.Field(SnapshotField.PositionZ);
        var velocityX = baseline.Field(SnapshotField.VelocityX);
        var velocityZ = baseline.Field(SnapshotField.VelocityZ);
        for (var word = 0; word < presence.Length; word++)
        {
            var bits = presence[word];
            while (bits != 0)
            {
                var slot = (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                if (slot >= baseline.Capacity)
                {
                    break;
                }
                positionX[slot] = unchecked((int)(positionX[slot] + ((long)ticks * (velocityX[slot] / tickRate))));
                positionZ[slot] = unchecked((int)(positionZ[slot] + ((long)ticks * (velocityZ[slot] / tickRate))));
            }
        }
    }
}
