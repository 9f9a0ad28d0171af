using System.Reflection;
using System.Runtime.CompilerServices;
using CsCheck;
using Entropy.Hashing;

namespace Entropy.Tests.Hashing;

/// <summary>
/// The incremental hashers have NSec's <c>IncrementalHash</c> shape (issue #15 §9): a readonly struct changed only by static methods
/// that take the caller's variable by <see langword="ref"/>, so a defensive copy can never be updated silently, and a deliberate copy
/// forks the state visibly and correctly. The streaming BLAKE2b is checked against libsodium (through NSec) for the sizes it serves.
/// </summary>
public class IncrementalHasherShapeTests
{
    [TestCase(typeof(Blake2bHasher))]
    [TestCase(typeof(Blake2sHasher))]
    public void Hasher_IsReadOnlyStruct_ChangedOnlyThroughRefStatics(Type type)
    {
        Assert.That(type.IsValueType, Is.True);
        Assert.That(type.GetCustomAttributes().Select(a => a.GetType().FullName), Does.Contain(typeof(IsReadOnlyAttribute).FullName), "readonly struct");

        var instanceMethods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName)
            .Select(m => m.Name);
        Assert.That(instanceMethods, Is.Empty, "no public instance method can change (or silently fork) the state");

        var mutators = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.Name is "Update" or "Finalize")
            .ToList();
        Assert.That(mutators, Has.Count.EqualTo(3));
        foreach (var method in mutators)
        {
            var first = method.GetParameters()[0];
            Assert.That(first.ParameterType, Is.EqualTo(type.MakeByRefType()), $"{method} takes the hasher by ref");
            Assert.That(first.IsOut || first.IsIn, Is.False, $"{method} takes a writable ref");
        }
    }

    [Test]
    public void Blake2b_DeliberateCopy_ForksIndependently()
    {
        Blake2bHasher.Initialize(32, out var hasher);
        Blake2bHasher.Update(ref hasher, "common "u8);
        var fork = hasher;
        Blake2bHasher.Update(ref hasher, "left"u8);
        Blake2bHasher.Update(ref fork, "right"u8);

        Assert.That(Blake2bHasher.Finalize(ref hasher), Is.EqualTo(Blake2b.Hash256("common left"u8)));
        Assert.That(Blake2bHasher.Finalize(ref fork), Is.EqualTo(Blake2b.Hash256("common right"u8)));
        Assert.That(hasher.OutputLength, Is.Zero, "Finalize wiped the state");
    }

    [Test]
    public void Blake2s_DeliberateCopy_ForksIndependently()
    {
        Blake2sHasher.Initialize(32, out var hasher);
        Blake2sHasher.Update(ref hasher, "common "u8);
        var fork = hasher;
        Blake2sHasher.Update(ref hasher, "left"u8);
        Blake2sHasher.Update(ref fork, "right"u8);

        Assert.That(Blake2sHasher.Finalize(ref hasher), Is.EqualTo(Blake2s.Hash256("common left"u8)));
        Assert.That(Blake2sHasher.Finalize(ref fork), Is.EqualTo(Blake2s.Hash256("common right"u8)));
    }

    [Test]
    public void Blake2b_Streaming_MatchesLibsodium()
    {
        // libsodium's crypto_generichash (through NSec) is the reference implementation for outputs of 32 to 64 bytes.
        Gen.Select(Gen.Byte.Array[0, 600], Gen.Int[0, 600], Gen.Int[32, 64]).Sample((data, split, outLen) =>
        {
            split = Math.Min(split, data.Length);
            var expected = new NSec.Cryptography.Blake2b(outLen).Hash(data);
            Blake2bHasher.Initialize(outLen, out var hasher);
            Blake2bHasher.Update(ref hasher, data.AsSpan(0, split));
            Blake2bHasher.Update(ref hasher, data.AsSpan(split));
            return Blake2bHasher.Finalize(ref hasher).AsSpan().SequenceEqual(expected);
        });
    }
}
