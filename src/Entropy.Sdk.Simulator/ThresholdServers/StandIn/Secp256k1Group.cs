using System.Security.Cryptography;
using System.Text;
using NBitcoin.Secp256k1;

namespace Entropy.Simulator.ThresholdServers.StandIn;

/// <summary>The secp256k1 group operations the DKG needs, over NBitcoin.Secp256k1.</summary>
internal static class Secp256k1Group
{
    /// <summary>The length of a SEC1 compressed point.</summary>
    public const int PointLength = 33;

    /// <summary>The length of a scalar.</summary>
    public const int ScalarLength = 32;

    /// <summary>Returns a uniformly random non-zero scalar.</summary>
    /// <returns>The scalar; the caller clears it with <c>Scalar.Clear</c>.</returns>
    public static Scalar RandomScalar()
    {
        Span<byte> bytes = stackalloc byte[ScalarLength];
        try
        {
            while (true)
            {
                RandomNumberGenerator.Fill(bytes);
                var scalar = new Scalar(bytes, out int overflow);
                if (overflow == 0 && !scalar.IsZero)
                {
                    return scalar;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Computes <c>scalar · G</c> in constant time.</summary>
    /// <param name="scalar">The (possibly secret) scalar.</param>
    /// <returns>The point.</returns>
    public static GEJ MultiplyGenerator(in Scalar scalar) => ECMultGenContext.Instance.MultGen(scalar);

    /// <summary>Computes <c>Σ scalars[k] · points[k]</c> in variable time; only for public scalars.</summary>
    /// <param name="scalars">The public scalars.</param>
    /// <param name="points">The points.</param>
    /// <returns>The sum.</returns>
    public static GEJ MultiplyPublic(ReadOnlySpan<Scalar> scalars, ReadOnlySpan<GE> points) =>
        ECMultContext.Instance.MultBatch(scalars, points);

    /// <summary>Returns whether two points are equal.</summary>
    /// <param name="left">A point in Jacobian coordinates.</param>
    /// <param name="right">A point in affine coordinates.</param>
    /// <returns><see langword="true"/> when the points are equal.</returns>
    public static bool AreEqual(in GEJ left, in GE right) => left.AddVariable(right.Negate()).IsInfinity;

    /// <summary>Writes the SEC1 compressed form of a point.</summary>
    /// <param name="point">A point other than infinity.</param>
    /// <param name="destination">33 bytes.</param>
    public static void WritePoint(in GE point, Span<byte> destination)
    {
        if (point.IsInfinity)
        {
            throw new InvalidOperationException("The point at infinity has no compressed encoding.");
        }

        ECPubKey.Serialize(point, true, destination, out _);
    }

    /// <summary>Returns the SEC1 compressed form of a point.</summary>
    /// <param name="point">A point other than infinity.</param>
    /// <returns>33 bytes.</returns>
    public static byte[] EncodePoint(in GEJ point)
    {
        var bytes = new byte[PointLength];
        WritePoint(point.ToGroupElement(), bytes);
        return bytes;
    }

    /// <summary>Parses a SEC1 compressed point.</summary>
    /// <param name="bytes">33 bytes.</param>
    /// <param name="point">The point.</param>
    /// <returns><see langword="true"/> when the bytes are a valid compressed point on the curve.</returns>
    public static bool TryReadPoint(ReadOnlySpan<byte> bytes, out GE point)
    {
        point = default;
        return bytes.Length == PointLength
            && (bytes[0] == 0x02 || bytes[0] == 0x03)
            && GE.TryParse(bytes, out bool compressed, out point)
            && compressed
            && !point.IsInfinity;
    }

    /// <summary>Parses a canonical scalar (less than the group order).</summary>
    /// <param name="bytes">32 big-endian bytes.</param>
    /// <param name="scalar">The scalar.</param>
    /// <returns><see langword="true"/> when the bytes encode a number below the group order.</returns>
    public static bool TryReadScalar(ReadOnlySpan<byte> bytes, out Scalar scalar)
    {
        scalar = new Scalar(bytes, out int overflow);
        if (overflow == 0)
        {
            return true;
        }

        scalar = default;
        return false;
    }

    /// <summary>Hashes <paramref name="data"/> to a scalar: the tagged hash reduced modulo the group order.</summary>
    /// <param name="tag">The domain-separation tag.</param>
    /// <param name="data">The data.</param>
    /// <returns>The scalar.</returns>
    public static Scalar HashToScalar(string tag, ReadOnlySpan<byte> data)
    {
        // The bias of reducing 256 uniform bits modulo n is below 2^-127 for secp256k1.
        return new Scalar(TaggedHash(tag, data), out _);
    }

    /// <summary>Computes the BIP-340 style tagged hash <c>SHA256(SHA256(tag) ‖ SHA256(tag) ‖ data)</c>.</summary>
    /// <param name="tag">The domain-separation tag.</param>
    /// <param name="data">The data.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] TaggedHash(string tag, ReadOnlySpan<byte> data)
    {
        Span<byte> tagHash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(tag), tagHash);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(tagHash);
        hash.AppendData(tagHash);
        hash.AppendData(data);
        return hash.GetHashAndReset();
    }

    /// <summary>Returns the Lagrange coefficient at zero of index <paramref name="index"/> over the indices 1..<paramref name="count"/>.</summary>
    /// <param name="index">The index (1..count).</param>
    /// <param name="count">The number of indices.</param>
    /// <returns><c>Π_{m ≠ index} m / (m − index)</c>.</returns>
    public static Scalar LagrangeAtZero(int index, int count)
    {
        var numerator = Scalar.One;
        var denominator = Scalar.One;
        var self = new Scalar((uint)index);
        for (int m = 1; m <= count; m++)
        {
            if (m == index)
            {
                continue;
            }

            var sm = new Scalar((uint)m);
            numerator = numerator.Multiply(sm);
            denominator = denominator.Multiply(sm.Add(self.Negate()));
        }

        return numerator.Multiply(denominator.InverseVariable());
    }
}
