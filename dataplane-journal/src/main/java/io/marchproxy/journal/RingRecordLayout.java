package io.marchproxy.journal;

/**
 * The layout of a record in the hand-off ring, in one place (agrona's descriptor style): fixed size, every field at a
 * fixed offset, written by {@link JournalWriter} on the dataplane thread and read by {@link JournalAgent}. Addresses
 * are the dataplane's (hi, lo) pairs; an IPv4 address is its {@code int} in lo. The ring is private memory of one
 * process, so the buffer's native byte order is used throughout.
 *
 * <pre>
 *   0  i64 time (dataplane nanoTime)     8  i64 service index (low 32 bits) | backend index << 32
 *  16  i32 meta: family | protocol << 8 | (drop reason + 1, 0: none) << 16 | flags << 24 (bit 0: tuple known)
 *  24  i64 ports: client << 48 | VIP << 32 | backend << 16 | SNAT
 *  32  i64 client hi, lo (32, 40)   VIP (48, 56)   backend (64, 72)   SNAT (80, 88); the hi words of an IPv4
 *          record are not written (readers take them as 0)
 *  96  i64 packets client->backend  104 bytes   112 packets backend->client   120 bytes
 * 128  i64 opened (nanoTime) for CLOSE, drop count for DROP
 * 136  i64 last seen (nanoTime) for CLOSE
 * </pre>
 *
 * Packed so that a record is few stores: the hand-off is on the per-packet path.
 */
final class RingRecordLayout
{
    static final int TIME = 0;
    static final int SERVICE = 8;
    static final int META = 16;
    static final int PORTS = 24;
    static final int CLIENT = 32;
    static final int VIP = 48;
    static final int BACKEND_ADDRESS = 64;
    static final int SNAT = 80;
    static final int PACKETS_TO_BACKEND = 96;
    static final int BYTES_TO_BACKEND = 104;
    static final int PACKETS_TO_CLIENT = 112;
    static final int BYTES_TO_CLIENT = 120;
    static final int OPENED_OR_COUNT = 128;
    static final int LAST_SEEN = 136;
    static final int LENGTH = 144;

    static final int FLAG_TUPLE = 1;

    static int meta(final int family, final int protocol, final int reasonPlusOne, final int flags)
    {
        return family | protocol << 8 | reasonPlusOne << 16 | flags << 24;
    }

    static int family(final int meta)
    {
        return meta & 0xFF;
    }

    static int protocol(final int meta)
    {
        return (meta >>> 8) & 0xFF;
    }

    static int reasonPlusOne(final int meta)
    {
        return (meta >>> 16) & 0xFF;
    }

    static int flags(final int meta)
    {
        return meta >>> 24;
    }

    /** The port of endpoint {@code i} (0 client, 1 VIP, 2 backend, 3 SNAT) in a packed ports word. */
    static int port(final long ports, final int i)
    {
        return (int)(ports >>> (48 - 16 * i)) & 0xFFFF;
    }

    private RingRecordLayout()
    {
    }
}
