namespace Engine.LoadTest.Fleet;

/// <summary>One node as GET /v1/nodes listed it: its sessions (the players it holds) and CPU (a fraction of its cores, over its last renewal).</summary>
internal sealed record NodeReading(string Id, string Address, string State, int Sessions, int Capacity, double Cpu, int Rooms, int Players);
