namespace Engine.Tests;

/// <summary>Files of the repository the tests check against (docs, vectors), found from the test binaries upwards.</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            var directory = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(directory, "Engine.sln")))
            {
                directory = Path.GetDirectoryName(directory) ?? throw new DirectoryNotFoundException("Engine.sln not found above the test binaries.");
            }
            return directory;
        }
    }

    public static string Of(string relativePath) => Path.Combine(Root, relativePath);
}
