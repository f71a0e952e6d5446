namespace Engine.Server.Overload;

/// <summary>How far over its budget a shard is; what each level sheds is in docs/OVERLOAD.md.</summary>
internal enum OverloadLevel
{
    Normal = 0,
    OverBudget = 1,
    FarOver = 2,
}
