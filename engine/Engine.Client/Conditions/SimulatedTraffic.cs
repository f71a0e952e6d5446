namespace Engine.Client.Conditions;

/// <summary>What the simulation did to one direction's datagrams since it was turned on.</summary>
public readonly record struct SimulatedTraffic(long Sent, long Dropped, long Duplicated, long Reordered, long Delivered, int InFlight);
