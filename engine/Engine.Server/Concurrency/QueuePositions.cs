using System.Runtime.InteropServices;

namespace Engine.Server.Concurrency;

/// <summary>A queue's consumer and producer positions, each on its own cache line so they do not falsely share.</summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct QueuePositions
{
    [FieldOffset(64)] public long Head;
    [FieldOffset(128)] public long Tail;
}
