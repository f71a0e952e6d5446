using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Engine.Host.Backend;

/// <summary>The backend's one credential: "Authorization: Bearer KEY", compared in constant time (as digests, so the key's length leaks nothing either).</summary>
internal sealed class BearerKey(string key)
{
    private readonly byte[] _digest = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Admits(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _digest);
    }
}
