package io.marchproxy.dataplane.packet;

/**
 * The internet checksum written the plainest way (RFC 1071's loop over 16-bit words with end-around carry), over byte
 * arrays: the independent reference the tests check {@link Checksums} and the frames of {@link FrameBuilder} against.
 */
public final class ReferenceChecksum
{
    private ReferenceChecksum()
    {
    }

    /** The checksum of the concatenation of {@code parts} (each part padded to even length only at the very end). */
    public static int of(final byte[]... parts)
    {
        int total = 0;
        for (final byte[] part : parts)
        {
            total += part.length;
        }
        final byte[] all = new byte[total];
        int at = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        int sum = 0;
        for (int i = 0; i < all.length; i += 2)
        {
            final int hi = all[i] & 0xFF;
            final int lo = i + 1 < all.length ? all[i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
            while ((sum >>> 16) != 0)
            {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
        }
        return ~sum & 0xFFFF;
    }
}
