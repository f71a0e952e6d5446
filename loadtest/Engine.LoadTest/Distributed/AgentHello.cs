namespace Engine.LoadTest.Distributed;

/// <summary>An idle agent announcing itself on <see cref="Subjects.Hello"/> once a second until a coordinator gives it a share.</summary>
internal sealed record AgentHello(string Id, string Host, int Pid, int Cores, string CpuModel);
