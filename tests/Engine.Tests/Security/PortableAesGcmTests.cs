using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using CsCheck;
using Engine.Protocol.Security;
using Xunit;

namespace Engine.Tests.Security;

/// <summary>
/// The netstandard2.1 cipher (Unity): published answers, agreement with the framework's AesGcm on
/// random inputs and on every length across its batch edges, forgeries that never open and never
/// touch the output, and no allocation per packet.
/// </summary>
public class PortableAesGcmTests
{
    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "", "00000000000000000000000000000000",
        "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919")]
    [InlineData("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b")]
    public void Published_test_vectors_seal_and_open(string key, string nonce, string associated, string plain, string cipher, string tag)
    {
        // Test cases 13, 14 and 16 of McGrew and Viega, "The Galois/Counter Mode of Operation".
        using var aes = new PortableAesGcm(Convert.FromHexString(key));
        var plaintext = Convert.FromHexString(plain);
        var ciphertext = new byte[plaintext.Length];
        var computedTag = new byte[16];
        aes.Seal(Convert.FromHexString(nonce), Convert.FromHexString(associated), plaintext, ciphertext, computedTag);
        Assert.Equal(cipher, Convert.ToHexStringLower(ciphertext));
        Assert.Equal(tag, Convert.ToHexStringLower(computedTag));
        var opened = new byte[ciphertext.Length];
        Assert.True(aes.TryOpen(Convert.FromHexString(nonce), Convert.FromHexString(associated), ciphertext, computedTag, opened));
        Assert.Equal(plaintext, opened);
    }

    [Fact]
    public void Agrees_with_the_framework_and_a_flipped_bit_never_opens_or_touches_the_output()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[12], Gen.Byte.Array[0, 64], Gen.Byte.Array[0, 1500], Gen.Int[0, int.MaxValue]).Sample(c =>
        {
            var (key, nonce, associated, plain, flipSeed) = c;
            using var reference = new AesGcm(key, 16);
            var expected = new byte[plain.Length];
            var expectedTag = new byte[16];
            reference.Encrypt(nonce, plain, expected, expectedTag, associated);

            using var aes = new PortableAesGcm(key);
            var ciphertext = new byte[plain.Length];
            var tag = new byte[16];
            aes.Seal(nonce, associated, plain, ciphertext, tag);
            Assert.Equal(expected, ciphertext);
            Assert.Equal(expectedTag, tag);

            var parts = new[] { ciphertext, tag, nonce, associated };
            var bit = flipSeed % parts.Sum(p => p.Length * 8);
            var part = 0;
            while (bit >= parts[part].Length * 8)
            {
                bit -= parts[part].Length * 8;
                part++;
            }
            var forged = parts.Select(p => (byte[])p.Clone()).ToArray();
            forged[part][bit / 8] ^= (byte)(1 << (bit % 8));
            var output = new byte[plain.Length];
            Array.Fill(output, (byte)0xA5);
            Assert.False(aes.TryOpen(forged[2], forged[3], forged[0], forged[1], output));
            Assert.All(output, b => Assert.Equal(0xA5, b));

            var buffer = (byte[])ciphertext.Clone();
            Assert.True(aes.TryOpen(nonce, associated, buffer, tag, buffer));
            Assert.Equal(plain, buffer);
        }, iter: 300);
    }

    [Fact]
    public void Every_length_across_the_batch_edges_and_long_messages_agree_with_the_framework()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        using var reference = new AesGcm(key, 16);
        using var aes = new PortableAesGcm(key);
        var lengths = Enumerable.Range(0, 200).Concat([1503, 1504, 1520, 1536, 1537, 3040, 3056, 4096, 65_537]);
        foreach (var associatedLength in new[] { 0, 17, 300 })
        {
            var associated = RandomNumberGenerator.GetBytes(associatedLength);
            foreach (var length in lengths)
            {
                var plain = RandomNumberGenerator.GetBytes(length);
                var expected = new byte[length];
                var expectedTag = new byte[16];
                reference.Encrypt(nonce, plain, expected, expectedTag, associated);
                var buffer = (byte[])plain.Clone();
                var tag = new byte[16];
                aes.Seal(nonce, associated, buffer, buffer, tag);
                Assert.Equal(expected, buffer);
                Assert.Equal(expectedTag, tag);
                Assert.True(aes.TryOpen(nonce, associated, buffer, tag, buffer));
                Assert.Equal(plain, buffer);
            }
        }
    }

    [Fact]
    public void A_rekeyed_cipher_is_a_fresh_one_under_the_new_key()
    {
        var newKey = RandomNumberGenerator.GetBytes(32);
        using var aes = new PortableAesGcm(RandomNumberGenerator.GetBytes(32));
        aes.Dispose();
        aes.Rekey(newKey);
        using var fresh = new PortableAesGcm(newKey);
        var nonce = new byte[12];
        var plain = RandomNumberGenerator.GetBytes(100);
        byte[] a = new byte[100], b = new byte[100], tagA = new byte[16], tagB = new byte[16];
        aes.Seal(nonce, [], plain, a, tagA);
        fresh.Seal(nonce, [], plain, b, tagB);
        Assert.Equal(b, a);
        Assert.Equal(tagB, tagA);
    }

    [Fact]
    public void Sealing_and_opening_genuine_and_forged_packets_allocate_nothing()
    {
        using var aes = new PortableAesGcm(RandomNumberGenerator.GetBytes(32));
        var packet = RandomNumberGenerator.GetBytes(1200);
        var nonce = new byte[12];
        Assert.Equal(100, Exercise(aes, packet, nonce, 100)); // warm-up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var opened = Exercise(aes, packet, nonce, 1_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1_000, opened);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Exercise(PortableAesGcm aes, byte[] packet, byte[] nonce, int count)
    {
        var opened = 0;
        for (var i = 0; i < count; i++)
        {
            nonce[0] = (byte)i;
            var length = 1 + (i % 1100);
            var associated = packet.AsSpan(0, 17);
            var body = packet.AsSpan(17, length);
            var tag = packet.AsSpan(17 + length, 16);
            aes.Seal(nonce, associated, body, body, tag);
            opened += aes.TryOpen(nonce, associated, body, tag, body) ? 1 : 0;
            nonce[1] ^= 1;
            opened -= aes.TryOpen(nonce, associated, body, tag, body) ? 1 : 0;
            nonce[1] ^= 1;
        }
        return opened;
    }
}
