// Stand-ins for the few Godot members the Godot sample calls, with GodotSharp's signatures, so the
// sample compiles here against the net8.0 package (GodotSharp is not on the package feed this build
// reaches). They check the sample's SDK calls and C#, not Godot's own API: docs/CLIENT.md says so.
#pragma warning disable CA1822, CA1050, IDE0060
namespace Godot
{
    public class GodotObject { }

    public class Node : GodotObject
    {
        public virtual void _Ready() { }
        public virtual void _Process(double delta) { }
        public virtual void _PhysicsProcess(double delta) { }
        public virtual void _ExitTree() { }
        public void AddChild(Node node) { }
        public void QueueFree() { }
    }

    public partial class Node3D : Node
    {
        public Vector3 Position { get; set; }
        public Vector3 Rotation { get; set; }
    }

    public class PackedScene
    {
        public T Instantiate<T>() where T : class => null;
    }

    public struct Vector2
    {
        public float X, Y;
    }

    public struct Vector3
    {
        public float X, Y, Z;
        public Vector3(float x, float y, float z) { X = x; Y = y; Z = z; }
    }

    public static class Input
    {
        public static float GetAxis(string negativeAction, string positiveAction) => 0f;
        public static Vector2 GetVector(string negativeX, string positiveX, string negativeY, string positiveY) => default;
        public static bool IsActionPressed(string action) => false;
    }

    public static class Engine
    {
        public static int PhysicsTicksPerSecond { get; set; }
    }

    public static class Mathf
    {
        public static int RoundToInt(float s) => (int)System.MathF.Round(s);
        public static float PosMod(float a, float b) => ((a % b) + b) % b;
        public static float Clamp(float value, float min, float max) => System.Math.Clamp(value, min, max);
        public static float DegToRad(float deg) => deg * (System.MathF.PI / 180f);
    }

    public static class GD
    {
        public static void Print(string what) { }
    }

    [System.AttributeUsage(System.AttributeTargets.Property | System.AttributeTargets.Field)]
    public sealed class ExportAttribute : System.Attribute { }
}
