using Engine.Protocol.Simulation;

namespace Engine.Server.Snapshots;

/// <summary>
/// Interest by grid cell: how much a viewer cares about another player this snapshot. Players in
/// the viewer's cell or the next weigh 1, farther ones less with each cell, never zero, so the
/// priority accumulator still sends them now and then.
/// </summary>
internal static class InterestGrid
{
    /// <summary>Cell edge in millimetres (the arena's unit).</summary>
    public const int CellSize = 16_000;

    public static float Weight(in PlayerState viewer, in PlayerState other)
    {
        var dx = Math.Abs(Cell(other.PositionX) - Cell(viewer.PositionX));
        var dy = Math.Abs(Cell(other.PositionZ) - Cell(viewer.PositionZ)); // Y is up: the grid lies on X and Z
        var cells = Math.Max(dx, dy);
        return cells <= 1 ? 1f : 1f / cells;
    }

    private static int Cell(int millimetres) => millimetres >= 0 ? millimetres / CellSize : ((millimetres + 1) / CellSize) - 1;
}
