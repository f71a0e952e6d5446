using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using CsCheck;
using Engine.Protocol.Security;
using Xunit;

namespace Engine.Tests.Security;

/// <summary>
/// The AES-256-GCM cipher on both of its paths (AES-NI with PCLMULQDQ, and the framework's AesGcm
/// that other CPUs use): published answers, agreement with the framework on random inputs, forgeries
/// that never open and never touch the output, and no allocation.
/// </summary>
public class AesGcmCipherTests
{
    public static TheoryData<bool> Paths => new() { false, true };

    /// <summary>Test cases 13 to 16 of McGrew and Viega, "The Galois/Counter Mode of Operation" (AES-256, 96-bit IVs).</summary>
    public static TheoryData<bool, string, string, string, string, string, string> KnownAnswers
    {
        get
        {
            const string ZeroKey = "0000000000000000000000000000000000000000000000000000000000000000";
            const string Key = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
            const string Iv = "cafebabefacedbaddecaf888";
            const string Plain = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
            const string Cipher = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";
            var data = new TheoryData<bool, string, string, string, string, string, string>();
            foreach (var framework in new[] { false, true })
            {
                // Case 13: nothing but the tag.
                data.Add(framework, ZeroKey, "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b");
                // Case 14: one zero block.
                data.Add(framework, ZeroKey, "000000000000000000000000", "", "00000000000000000000000000000000",
                    "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919");
                // Case 15: four blocks, no associated data.
                data.Add(framework, Key, Iv, "", Plain, Cipher, "b094dac5d93471bdec1a502270e3cc6c");
                // Case 16: a partial last block and 20 bytes of associated data.
                data.Add(framework, Key, Iv, "feedfacedeadbeeffeedfacedeadbeefabaddad2", Plain[..120], Cipher[..120], "76fc6ece0f4e1768cddf8853bb2d551b");
            }
            return data;
        }
    }

    private static AesGcmCipher Create(byte[] key, bool framework)
    {
        var cipher = new AesGcmCipher(key, framework);
        Assert.Equal(!framework && AesGcmCipher.IsHardwareAccelerated, cipher.UsesIntrinsics);
        return cipher;
    }

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public void Published_test_vectors_seal_and_open(bool framework, string key, string nonce, string associated, string plain, string cipher, string tag)
    {
        using var aes = Create(Convert.FromHexString(key), framework);
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

    private static readonly Gen<byte[]> s_plaintexts = Gen.Frequency(
        (3, Gen.Int[0, 1500].SelectMany(length => Gen.Byte.Array[length])),
        (1, Gen.Const(new[] { 0, 1, 15, 16, 17, 63, 64, 65, 100, 1200 }).SelectMany(lengths => Gen.Int[0, lengths.Length - 1].Select(i => lengths[i])).SelectMany(length => Gen.Byte.Array[length])));

    private static readonly Gen<(byte[] Key, byte[] Nonce, byte[] Associated, byte[] Plain, int FlipSeed)> s_cases =
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[12], Gen.Byte.Array[0, 64], s_plaintexts, Gen.Int[0, int.MaxValue]);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Agrees_with_the_framework_and_every_single_bit_flip_fails_leaving_the_output_intact(bool framework)
    {
        s_cases.Sample(c =>
        {
            var (key, nonce, associated, plain, flipSeed) = c;
            using var reference = new AesGcm(key, 16);
            var expectedCipher = new byte[plain.Length];
            var expectedTag = new byte[16];
            reference.Encrypt(nonce, plain, expectedCipher, expectedTag, associated);

            using var aes = Create(key, framework);
            var ciphertext = new byte[plain.Length];
            var tag = new byte[16];
            aes.Seal(nonce, associated, plain, ciphertext, tag);
            Assert.Equal(expectedCipher, ciphertext);
            Assert.Equal(expectedTag, tag);

            // In place, as packets are opened.
            var buffer = (byte[])ciphertext.Clone();
            Assert.True(aes.TryOpen(nonce, associated, buffer, tag, buffer));
            Assert.Equal(plain, buffer);

            // One bit of the ciphertext, tag, nonce or associated data, chosen by the seed.
            var parts = new[] { ciphertext, tag, nonce, associated };
            var totalBits = parts.Sum(p => p.Length * 8);
            var bit = flipSeed % totalBits;
            var part = 0;
            while (bit >= parts[part].Length * 8)
            {
                bit -= parts[part].Length * 8;
                part++;
            }
            var forged = parts.Select(p => (byte[])p.Clone()).ToArray();
            forged[part][bit / 8] ^= (byte)(1 << (bit % 8));

            var inPlace = (byte[])forged[0].Clone();
            Assert.False(aes.TryOpen(forged[2], forged[3], inPlace, forged[1], inPlace));
            Assert.Equal(forged[0], inPlace);

            var output = new byte[plain.Length];
            Array.Fill(output, (byte)0xA5);
            Assert.False(aes.TryOpen(forged[2], forged[3], forged[0], forged[1], output));
            Assert.All(output, b => Assert.Equal(0xA5, b));

            // And the genuine packet still opens into a separate buffer.
            Assert.True(aes.TryOpen(nonce, associated, ciphertext, tag, output));
            Assert.Equal(plain, output);
        }, iter: 400);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_length_across_the_batch_and_hash_group_edges_agrees_with_the_framework(bool framework)
    {
        // Payloads of 0 to 300 bytes cross every edge of the four- and eight-block keystream batches
        // and of the eight-block hash groups; associated data of 0 to 40 bytes moves the groups' seams.
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        using var reference = new AesGcm(key, 16);
        using var aes = Create(key, framework);
        foreach (var associatedLength in new[] { 0, 1, 15, 16, 17, 40 })
        {
            var associated = RandomNumberGenerator.GetBytes(associatedLength);
            for (var length = 0; length <= 300; length++)
            {
                SealsLikeTheFrameworkAndOpensInPlace(aes, reference, nonce, associated, length);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Long_messages_agree_with_the_framework(bool framework)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var associated = RandomNumberGenerator.GetBytes(300);
        using var reference = new AesGcm(key, 16);
        using var aes = Create(key, framework);
        foreach (var length in new[] { 4096, 65_537 })
        {
            SealsLikeTheFrameworkAndOpensInPlace(aes, reference, nonce, associated, length);
        }
    }

    /// <summary>Seals random plaintext of <paramref name="length"/> bytes in place, compares with the framework, and opens it back.</summary>
    private static void SealsLikeTheFrameworkAndOpensInPlace(AesGcmCipher aes, AesGcm reference, byte[] nonce, byte[] associated, int length)
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

    [Theory]
    [MemberData(nameof(Paths))]
    public void Wrongly_sized_input_does_not_open_and_does_not_throw(bool framework)
    {
        using var aes = Create(RandomNumberGenerator.GetBytes(32), framework);
        var data = new byte[40];
        Assert.False(aes.TryOpen(new byte[11], [], data, new byte[16], data));
        Assert.False(aes.TryOpen(new byte[12], [], data, new byte[15], data));
        Assert.False(aes.TryOpen(new byte[12], [], data, new byte[16], new byte[39]));
        Assert.Throws<ArgumentException>(() => aes.Seal(new byte[12], [], data.AsSpan(0, 32), data.AsSpan(1, 32), new byte[16]));
        Assert.Throws<ArgumentException>(() => new AesGcmCipher(new byte[16], framework));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sealing_and_opening_genuine_and_forged_packets_allocate_nothing(bool framework)
    {
        using var aes = Create(RandomNumberGenerator.GetBytes(32), framework);
        var packet = RandomNumberGenerator.GetBytes(1200);
        var nonce = new byte[12];
        Assert.Equal(100, Exercise(aes, packet, nonce, 100)); // warm-up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var opened = Exercise(aes, packet, nonce, 2_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2_000, opened);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Exercise(AesGcmCipher aes, byte[] packet, byte[] nonce, int count)
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
            opened -= aes.TryOpen(nonce, associated, body, tag, body) ? 1 : 0; // forged: another nonce
            nonce[1] ^= 1;
        }
        return opened;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Dispose_erases_the_keys_and_the_instance_refuses_further_use(bool framework)
    {
        var aes = Create(RandomNumberGenerator.GetBytes(32), framework);
        Assert.Equal(aes.UsesIntrinsics, aes.HoldsKeyMaterial);
        aes.Dispose();
        Assert.False(aes.HoldsKeyMaterial);
        Assert.Throws<ObjectDisposedException>(() => aes.Seal(new byte[12], [], [], [], new byte[16]));
        Assert.Throws<ObjectDisposedException>(() => aes.TryOpen(new byte[12], [], [], new byte[16], []));
        aes.Dispose(); // twice is harmless
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_rekeyed_cipher_seals_and_opens_as_a_fresh_one_under_the_new_key_and_not_the_old(bool framework)
    {
        var oldKey = RandomNumberGenerator.GetBytes(32);
        var newKey = RandomNumberGenerator.GetBytes(32);
        var reused = Create(oldKey, framework);
        reused.Dispose(); // as a recycled session's: wiped, then keyed again
        reused.Rekey(newKey);
        Assert.Equal(reused.UsesIntrinsics, reused.HoldsKeyMaterial);
        var fresh = Create(newKey, framework);
        var stale = Create(oldKey, framework);

        var nonce = RandomNumberGenerator.GetBytes(12);
        byte[] associated = [1, 2, 3];
        var plain = RandomNumberGenerator.GetBytes(100);
        var (sealedByReused, tagOfReused) = (new byte[plain.Length], new byte[16]);
        var (sealedByFresh, tagOfFresh) = (new byte[plain.Length], new byte[16]);
        reused.Seal(nonce, associated, plain, sealedByReused, tagOfReused);
        fresh.Seal(nonce, associated, plain, sealedByFresh, tagOfFresh);
        Assert.Equal(sealedByFresh, sealedByReused);
        Assert.Equal(tagOfFresh, tagOfReused);

        var opened = new byte[plain.Length];
        Assert.True(reused.TryOpen(nonce, associated, sealedByFresh, tagOfFresh, opened));
        Assert.Equal(plain, opened);
        Assert.False(stale.TryOpen(nonce, associated, sealedByReused, tagOfReused, opened));
    }
}
