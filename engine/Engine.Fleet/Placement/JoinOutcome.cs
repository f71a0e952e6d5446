namespace Engine.Fleet.Placement;

public enum JoinOutcome
{
    Ok,
    NotFound,
    NodeDraining,
    Full,
}
