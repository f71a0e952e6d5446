// Stand-ins for the few UnityEngine members the Unity sample calls, with Unity's signatures, so the
// sample compiles here against the netstandard2.1 package (no Unity reference assemblies are on NuGet).
// They check the sample's SDK calls and C#, not Unity's own API: docs/CLIENT.md says what was verified.
#pragma warning disable CA1822, CA1050, IDE0060
namespace UnityEngine
{
    public class Object
    {
        public static T Instantiate<T>(T original) where T : Object => original;
        public static void Destroy(Object target) { }
    }

    public class Component : Object
    {
        public Transform transform => null;
        public GameObject gameObject => null;
    }

    public class Behaviour : Component { }

    public class MonoBehaviour : Behaviour { }

    public sealed class GameObject : Object
    {
        public Transform transform => null;
    }

    public class Transform : Component
    {
        public Vector3 position { get; set; }
        public Quaternion rotation { get; set; }
    }

    public struct Vector3
    {
        public float x, y, z;
        public Vector3(float x, float y, float z) { this.x = x; this.y = y; this.z = z; }
    }

    public struct Quaternion
    {
        public static Quaternion Euler(float x, float y, float z) => default;
    }

    public static class Input
    {
        public static float GetAxis(string axisName) => 0f;
        public static bool GetButton(string buttonName) => false;
    }

    public static class Time
    {
        public static float fixedDeltaTime { get; set; }
    }

    public static class Mathf
    {
        public static int RoundToInt(float f) => (int)System.Math.Round(f);
        public static float Repeat(float t, float length) => t - ((float)System.Math.Floor(t / length) * length);
        public static float Clamp(float value, float min, float max) => value < min ? min : value > max ? max : value;
    }

    public static class Debug
    {
        public static void Log(object message) { }
    }

    [System.AttributeUsage(System.AttributeTargets.Field)]
    public sealed class TooltipAttribute : System.Attribute
    {
        public TooltipAttribute(string tooltip) { }
    }
}
