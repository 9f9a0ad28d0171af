using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Entropy.Scale;

namespace Entropy.Metadata;

internal sealed partial class TypeRegistry
{
    private const int MaxZeroSizedElements = 1 << 16;

    private static readonly ConditionalWeakTable<Exception, CodecTrace> s_traces = new();

    /// <summary>Decodes a whole SCALE value of the given type; trailing bytes are an error.</summary>
    /// <param name="typeId">The type id.</param>
    /// <param name="bytes">The SCALE bytes.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="MetadataException">The bytes are not a valid encoding of the type; the message names the field that failed.</exception>
    public ScaleValue Decode(int typeId, ReadOnlySpan<byte> bytes)
    {
        var reader = new ScaleReader(bytes);
        var value = Decode(typeId, ref reader);
        try
        {
            reader.EnsureEnd();
        }
        catch (ScaleFormatException ex)
        {
            throw new MetadataException($"Cannot decode {Describe(typeId)}: {ex.Message}.", ex, typeId, null);
        }

        return value;
    }

    /// <summary>Decodes one SCALE value of the given type from a reader, leaving the reader after it.</summary>
    /// <param name="typeId">The type id.</param>
    /// <param name="reader">The reader.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="MetadataException">The bytes are not a valid encoding of the type; the message names the field that failed.</exception>
    public ScaleValue Decode(int typeId, ref ScaleReader reader)
    {
        _ = this[typeId];
        try
        {
            return DecodeCore(typeId, ref reader, 0);
        }
        catch (Exception ex) when (ex is ScaleFormatException or MetadataException or OverflowException)
        {
            throw Wrap(ex, "decode", typeId, null);
        }
    }

    /// <summary>Encodes a value as the given type and returns the SCALE bytes.</summary>
    /// <param name="typeId">The type id.</param>
    /// <param name="value">The value.</param>
    /// <returns>The SCALE bytes.</returns>
    /// <exception cref="MetadataException">The value does not fit the type; the message names the field that failed and why.</exception>
    public byte[] Encode(int typeId, ScaleValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Encode(typeId, value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a value as the given type into a buffer.</summary>
    /// <param name="typeId">The type id.</param>
    /// <param name="value">The value.</param>
    /// <param name="output">Where the SCALE bytes are appended.</param>
    /// <exception cref="MetadataException">The value does not fit the type; the message names the field that failed and why.</exception>
    public void Encode(int typeId, ScaleValue value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        _ = this[typeId];
        try
        {
            EncodeCore(typeId, value, new ScaleWriter(output), 0);
        }
        catch (Exception ex) when (ex is MetadataException or OverflowException)
        {
            throw Wrap(ex, "encode", typeId, null);
        }
    }

    internal string Describe(int typeId)
    {
        var t = _types[typeId];
        return t.Path.Count > 0 ? $"type #{typeId} {t.PathString} ({GetDisplayName(typeId)})" : $"type #{typeId} {GetDisplayName(typeId)}";
    }

    internal MetadataException Wrap(Exception ex, string operation, int rootTypeId, string? rootLabel)
    {
        s_traces.TryGetValue(ex, out var trace);
        var path = trace?.Path(rootLabel);
        var innermost = (ex as MetadataException)?.TypeId ?? trace?.InnermostTypeId ?? rootTypeId;
        var reason = ex.Message;
        var where = string.IsNullOrEmpty(path) ? rootLabel ?? Describe(rootTypeId) : path;
        var message = $"Cannot {operation} {where} as {Describe(innermost)}: {reason.TrimEnd('.')}.";
        return new MetadataException(message, ex, innermost, path);
    }

    private static bool Trace(Exception ex, int typeId, string segment)
    {
        var trace = s_traces.GetValue(ex, static _ => new CodecTrace());
        trace.InnermostTypeId ??= typeId;
        trace.Segments.Add(segment);
        return false;
    }

    private MetadataException Fail(int typeId, string reason) => new($"{reason}", null, typeId, null);

    private bool IsU8(int typeId) => _types[typeId].Definition is PrimitiveDefinition { Primitive: PrimitiveKind.U8 };

    private static string Kind(ScaleValue value) => value.Kind switch
    {
        ScaleValueKind.Composite => "a composite",
        ScaleValueKind.Variant => "a variant",
        ScaleValueKind.Sequence => "a sequence",
        ScaleValueKind.Bytes => "bytes",
        ScaleValueKind.Bool => "a bool",
        ScaleValueKind.Char => "a char",
        ScaleValueKind.String => "a string",
        ScaleValueKind.Number => "a number",
        _ => "a bit sequence",
    };

    private static string Short(ScaleValue value)
    {
        var s = value.ToString();
        return s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 77), "...");
    }

    private sealed class CodecTrace
    {
        public int? InnermostTypeId { get; set; }

        public List<string> Segments { get; } = [];

        public string Path(string? root)
        {
            var sb = new StringBuilder(root);
            for (var i = Segments.Count - 1; i >= 0; i--)
            {
                sb.Append(Segments[i]);
            }

            var s = sb.ToString();
            return s.StartsWith('.') ? s[1..] : s;
        }
    }
}
