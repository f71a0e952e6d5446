namespace Engine.Fuzz;

/// <summary>A fuzz target found a broken promise (not a thrown exception of the code under test).</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);
