using System.Text;

namespace Entropy;

/// <summary>One program an account's signature requests are checked against: a pointer and the configuration it runs with.</summary>
/// <remarks>
/// The runtime type is <c>ProgramInstance { program_pointer: H256, program_config: Vec&lt;u8&gt; }</c>
/// (entropy-core v0.0.10 <c>pallets/relayer</c>). The configuration is opaque bytes to the chain; most programs take UTF-8 JSON.
/// </remarks>
public sealed class ProgramInstance : IEquatable<ProgramInstance>
{
    private readonly byte[] _configuration;

    /// <summary>Creates a program instance from a pointer and raw configuration bytes.</summary>
    /// <param name="pointer">The program's hash in the <c>Programs</c> pallet.</param>
    /// <param name="configuration">The configuration bytes (may be empty).</param>
    public ProgramInstance(ProgramPointer pointer, ReadOnlySpan<byte> configuration)
    {
        Pointer = pointer;
        _configuration = configuration.ToArray();
    }

    /// <summary>Creates a program instance whose configuration is the UTF-8 encoding of a JSON document.</summary>
    /// <param name="pointer">The program's hash in the <c>Programs</c> pallet.</param>
    /// <param name="json">The JSON configuration.</param>
    /// <returns>The program instance.</returns>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not valid JSON.</exception>
    public static ProgramInstance FromJson(ProgramPointer pointer, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"The program configuration is not valid JSON: {e.Message}", nameof(json), e);
        }

        return new ProgramInstance(pointer, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Gets the program's hash in the <c>Programs</c> pallet.</summary>
    public ProgramPointer Pointer { get; }

    /// <summary>Gets the configuration bytes.</summary>
    public ReadOnlyMemory<byte> Configuration => _configuration;

    /// <summary>Decodes the configuration as UTF-8 text (for JSON configurations).</summary>
    /// <returns>The configuration as a string.</returns>
    public string ConfigurationAsString() => Encoding.UTF8.GetString(_configuration);

    /// <inheritdoc/>
    public bool Equals(ProgramInstance? other) =>
        other is not null && Pointer == other.Pointer && _configuration.AsSpan().SequenceEqual(other._configuration);

    /// <inheritdoc/>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public override bool Equals(object? obj) => Equals(obj as ProgramInstance);

    /// <inheritdoc/>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Pointer);
        hash.AddBytes(_configuration);
        return hash.ToHashCode();
    }

    /// <summary>Returns the pointer and the configuration length.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"{Pointer} ({_configuration.Length} config bytes)";
}
