package io.marchproxy.dataplane.bpf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The L4 program's maps as the kernel holds them (read back with their keys walked), while a commit writes only what
 * differs from what the generation held and {@link L4Program#setAddresses} only what differs from the sets before:
 * after every change they hold what a program loaded afresh holds once it wrote the same thing into empty maps; a
 * change that repeats a generation writes nothing; an address set the kernel refused part of is written whole (the
 * kernel's map cleared first) by the next call.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class L4ProgramGenerationsTest
{
    private static final int TCP = L4Program.IPPROTO_TCP;
    private static final int UDP = L4Program.IPPROTO_UDP;

    /** One generation's content, from small pools of VIPs, ports and sources. */
    private record Generation(int defaultAction, List<int[]> services, List<int[]> ranges, List<int[]> access)
    {
        static Generation random(final SplittableRandom random)
        {
            final List<int[]> services = new ArrayList<>();
            final List<int[]> ranges = new ArrayList<>();
            final List<int[]> access = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                services.add(service(random));
                access.add(access(random));
            }
            ranges.add(range(random));
            return new Generation(random.nextInt(2), services, ranges, access);
        }

        /** This generation changed as a configuration change would: an entry added, one dropped or one changed. */
        Generation next(final SplittableRandom random)
        {
            final List<int[]> services = new ArrayList<>(this.services);
            final List<int[]> ranges = new ArrayList<>(this.ranges);
            final List<int[]> access = new ArrayList<>(this.access);
            final List<int[]> list = switch (random.nextInt(3))
            {
                case 0 -> services;
                case 1 -> ranges;
                default -> access;
            };
            final int[] entry = list == services ? service(random) : list == ranges ? range(random) : access(random);
            switch (list.isEmpty() ? 0 : random.nextInt(3))
            {
                case 0 -> list.add(entry);
                case 1 -> list.remove(random.nextInt(list.size()));
                default -> list.set(random.nextInt(list.size()), entry);
            }
            return new Generation(random.nextInt(4) == 0 ? 1 - defaultAction : defaultAction, services, ranges, access);
        }

        /** A VIP (10.0.0.x or 2001:db8::x), a protocol, a port and a service index. */
        private static int[] service(final SplittableRandom random)
        {
            return new int[]{random.nextInt(4), random.nextBoolean() ? TCP : UDP, 80 + random.nextInt(3),
                1 + random.nextInt(3)};
        }

        /** A VIP, UDP, a port range and a service index. */
        private static int[] range(final SplittableRandom random)
        {
            final int lo = 9000 + random.nextInt(3) * 100;
            return new int[]{random.nextInt(4), UDP, lo, lo + 10 + random.nextInt(2) * 90, 4 + random.nextInt(2)};
        }

        /**
         * A service, a source (192.0.2.x or 2001:db8:1::x), its prefix length, the fallback action, a deny segment or
         * none, the family.
         */
        private static int[] access(final SplittableRandom random)
        {
            final boolean v4 = random.nextBoolean();
            return new int[]{1 + random.nextInt(3), random.nextInt(3), v4 ? 8 * (1 + random.nextInt(4))
                : 32 * (1 + random.nextInt(4)), random.nextInt(2), random.nextInt(3), v4 ? 4 : 6};
        }

        void writeInto(final L4Program program, final long sequence) throws UnknownHostException
        {
            final L4Program.Generation g = program.stage().defaultAction(defaultAction);
            for (final int[] s : services)
            {
                g.service(vip(s[0]), s[1], s[2], s[3]);
            }
            for (final int[] r : ranges)
            {
                g.serviceRange(vip(r[0]), r[1], r[2], r[3], r[4]);
            }
            for (final int[] a : access)
            {
                final InetAddress source = InetAddress.getByName((a[5] == 4 ? "192.0.2." : "2001:db8:1::") + (1 + a[1]));
                final List<L4Program.AclSegment> segments = a[4] == 0 ? List.of()
                    : List.of(new L4Program.AclSegment(80, 80 + a[4], L4Program.ACTION_DENY));
                g.access(a[0], source, a[2], a[3], segments);
            }
            g.commit(sequence);
        }

        private static InetAddress vip(final int i) throws UnknownHostException
        {
            return InetAddress.getByName(i % 2 == 0 ? "10.0.0." + (1 + i) : "2001:db8::" + (1 + i));
        }
    }

    @Test
    void everyCommitLeavesTheMapsAsAFreshProgramWritingItOnceWould() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(2026_12_07L);
        try (L4Program program = L4Program.load())
        {
            Generation g = Generation.random(random);
            long fewer = 0;
            for (int round = 1; round <= 16; round++)
            {
                g = round == 1 ? g : g.next(random);
                final long before = program.entryWrites();
                g.writeInto(program, round);
                final long written = program.entryWrites() - before;
                final int entries = program.readGeneration(program.liveGeneration()).values().stream()
                    .mapToInt(java.util.Map::size).sum();
                try (L4Program fresh = L4Program.load())
                {
                    g.writeInto(fresh, 1);
                    assertEquals(1, fresh.liveGeneration());
                    assertEquals(fresh.readGeneration(1), program.readGeneration(program.liveGeneration()),
                        "round " + round + ": the generation's maps after the commit");
                    fewer += written < entries ? 1 : 0;
                }
                assertEquals(round, program.kernelSequence());
            }
            assertTrue(fewer > 0, "some commits wrote fewer entries than their generation holds");

            // The same generation twice more, one commit into each map set: the second one writes nothing.
            g.writeInto(program, 17);
            final long before = program.entryWrites();
            g.writeInto(program, 18);
            assertEquals(0, program.entryWrites() - before, "a generation as it was written two commits ago");
            assertEquals(18, program.kernelSequence());
        }
    }

    /**
     * A generation with more services than the map holds (65,536): the kernel refuses the one too many, the commit
     * throws and the generation is not made live; the next stage writes the generation again, as a fresh program
     * would hold it, also after a writer staged and never committed.
     */
    @Test
    void aGenerationTheKernelRefusedDoesNotHoldUpTheNext() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(65_537);
        final Generation next = Generation.random(random);
        try (L4Program program = L4Program.load(); L4Program fresh = L4Program.load())
        {
            Generation.random(random).writeInto(program, 1);
            final L4Program.Generation tooBig = program.stage().defaultAction(L4Program.ACTION_ALLOW);
            final InetAddress vip = InetAddress.getByName("10.0.0.1");
            for (int i = 0; i <= 65_536; i++)
            {
                // 65,537 distinct keys: two protocols and every port
                tooBig.service(vip, i < 65_535 ? TCP : UDP, i < 65_535 ? i + 1 : i - 65_534, 1);
            }
            assertThrows(RuntimeException.class, () -> tooBig.commit(2));
            assertEquals(1, program.kernelSequence(), "the refused generation is not live");
            assertEquals(1, program.liveGeneration());

            // A writer its caller gave up before the commit is dropped by the next stage.
            final L4Program.Generation abandoned = program.stage().service(vip, TCP, 80, 1);
            next.writeInto(program, 3);
            assertThrows(IllegalStateException.class, () -> abandoned.commit(4));
            next.writeInto(fresh, 1);
            assertEquals(0, program.liveGeneration());
            assertEquals(3, program.kernelSequence());
            assertEquals(fresh.readGeneration(1), program.readGeneration(0));
        }
    }

    @Test
    void anAddressSetTheKernelRefusedPartOfIsMadeWholeWithoutDroppingAnEntryThatStays() throws Exception
    {
        final InetAddress vip = InetAddress.getByName("10.0.0.1");
        final InetAddress other = InetAddress.getByName("2001:db8::1");
        final List<L4Program.SnatRange> kept = List.of(
            new L4Program.SnatRange(InetAddress.getByName("10.1.0.1"), TCP, 20000, 29999),
            new L4Program.SnatRange(InetAddress.getByName("10.1.0.1"), UDP, 20000, 29999));
        // The two kept entries and 64 more for a map of 64: the kernel refuses the 63rd of the new ones.
        final List<L4Program.SnatRange> tooMany = new ArrayList<>(kept);
        for (int i = 0; i < 32; i++)
        {
            final InetAddress address = InetAddress.getByName("10.2.0." + (i + 1));
            tooMany.add(new L4Program.SnatRange(address, TCP, 20000, 20099));
            tooMany.add(new L4Program.SnatRange(address, UDP, 20000, 20099));
        }
        try (L4Program program = L4Program.load(); L4Program fresh = L4Program.load())
        {
            program.setAddresses(Set.of(vip), kept);
            long before = program.entryWrites();
            program.setAddresses(Set.of(vip), kept);
            assertEquals(0, program.entryWrites() - before, "the same sets again");

            assertThrows(RuntimeException.class, () -> program.setAddresses(Set.of(vip, other), tooMany));
            final int left = program.readAddresses().get("snat").size();
            assertEquals(64, left, "the refused call filled the map");

            // The copy is unknown now: the next call walks the kernel's keys. It deletes the 62 entries not wanted and
            // writes the two kept ones again in place; it never deletes those two, which the XDP program steers by
            // while the call runs (deleting them would pass replies to the kernel meanwhile).
            before = program.entryWrites();
            program.setAddresses(Set.of(other), kept);
            fresh.setAddresses(Set.of(other), kept);
            assertEquals(fresh.readAddresses(), program.readAddresses());
            assertEquals(2, program.readAddresses().get("snat").size());
            final long snatDeletes = left - kept.size();
            final long snatWrites = kept.size();
            final long vipDeletes = 1; // the VIP set's copy was known (its write succeeded): only vip deleted
            assertEquals(snatDeletes + snatWrites + vipDeletes, program.entryWrites() - before,
                "the SNAT map's unwanted entries deleted, the wanted ones written, none of them deleted");
        }
    }
}
