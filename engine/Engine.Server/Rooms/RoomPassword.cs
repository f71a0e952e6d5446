using System.Security.Cryptography;

namespace Engine.Server.Rooms;

/// <summary>
/// A private room's password, kept only as a salted PBKDF2-SHA256 hash and compared in constant
/// time. The iteration count is low on purpose: room passwords are checked on a shard thread and
/// guard a match, not an account.
/// </summary>
internal sealed class RoomPassword
{
    private const int Iterations = 2_000;
    private const int HashSize = 32;
    private readonly byte[] _salt;
    private readonly byte[] _hash;

    private RoomPassword(byte[] salt, byte[] hash)
    {
        _salt = salt;
        _hash = hash;
    }

    public static RoomPassword Create(ReadOnlySpan<byte> password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return new RoomPassword(salt, Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, HashSize));
    }

    public bool Matches(ReadOnlySpan<byte> password)
    {
        Span<byte> candidate = stackalloc byte[HashSize];
        Rfc2898DeriveBytes.Pbkdf2(password, _salt, candidate, Iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(candidate, _hash);
    }
}
