package io.marchproxy.control.xds;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One resource as it goes on the wire, encoded once per snapshot and shared by every stream that is sent it:
 * {@code framed} is field 2 ({@code resources}, an {@code Any}) of a {@code DiscoveryResponse}, tag and length
 * included, so a response body is these byte arrays concatenated. Serialization is deterministic, so equal resources
 * have equal bytes and {@code digest} (SHA-256 of {@code framed}) identifies the content.
 */
public record EncodedResource(String name, Message message, byte[] framed, byte[] digest) {
    /** Field numbers of {@code google.protobuf.Any} and {@code DiscoveryResponse.resources}. */
    private static final int ANY_TYPE_URL = 1;
    private static final int ANY_VALUE = 2;
    static final int RESPONSE_RESOURCES = 2;

    static EncodedResource of(String name, String typeUrl, Message message) {
        try {
            byte[] value = new byte[message.getSerializedSize()];
            CodedOutputStream v = CodedOutputStream.newInstance(value);
            v.useDeterministicSerialization();
            message.writeTo(v);
            v.checkNoSpaceLeft();

            int anySize = CodedOutputStream.computeStringSize(ANY_TYPE_URL, typeUrl)
                    + CodedOutputStream.computeByteArraySize(ANY_VALUE, value);
            byte[] framed = new byte[CodedOutputStream.computeTagSize(RESPONSE_RESOURCES)
                    + CodedOutputStream.computeUInt32SizeNoTag(anySize) + anySize];
            CodedOutputStream out = CodedOutputStream.newInstance(framed);
            out.writeTag(RESPONSE_RESOURCES, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(anySize);
            out.writeString(ANY_TYPE_URL, typeUrl);
            out.writeByteArray(ANY_VALUE, value);
            out.checkNoSpaceLeft();
            return new EncodedResource(name, message, framed, MessageDigest.getInstance("SHA-256").digest(framed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }
}
