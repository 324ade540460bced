package io.marchproxy.journal;

/**
 * The layout of a record in the hand-off ring, in one place (agrona's descriptor style): fixed size, every field at a
 * fixed offset, written by {@link JournalWriter} on the dataplane thread and read by {@link JournalAgent}. Addresses
 * are the dataplane's (hi, lo) pairs; an IPv4 address is its {@code int} in lo. The ring is private memory of one
 * process, so the buffer's native byte order is used throughout.
 *
 * <pre>
 *   0  i64 time (dataplane nanoTime)     8  i32 service index      12 i32 backend index
 *  16  u8  family   17 u8 protocol       18 u8  drop reason + 1 (0: none)      19 u8 flags (bit 0: tuple known)
 *  20  u16 client port  22 u16 VIP port  24 u16 backend port  26 u16 SNAT port
 *  32  i64 client hi, lo (32, 40)   VIP (48, 56)   backend (64, 72)   SNAT (80, 88)
 *  96  i64 packets client->backend  104 bytes   112 packets backend->client   120 bytes
 * 128  i64 opened (nanoTime) for CLOSE, drop count for DROP
 * 136  i64 last seen (nanoTime) for CLOSE
 * </pre>
 */
final class RingRecordLayout
{
    static final int TIME = 0;
    static final int SERVICE = 8;
    static final int BACKEND = 12;
    static final int FAMILY = 16;
    static final int PROTOCOL = 17;
    static final int REASON = 18;
    static final int FLAGS = 19;
    static final int CLIENT_PORT = 20;
    static final int VIP_PORT = 22;
    static final int BACKEND_PORT = 24;
    static final int SNAT_PORT = 26;
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

    private RingRecordLayout()
    {
    }
}
