package io.marchproxy.dataplane.balance;

import io.marchproxy.dataplane.net.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectorsTest
{
    private static Backend backend(final int n, final int weight, final boolean enabled)
    {
        return new Backend(IpAddress.ipv4(0x0A00_0000 | n), 8080, weight, enabled);
    }

    @Test
    void roundRobinSpreadsExactlyAndSkipsIneligible()
    {
        final BackendSelector rr = BalancingAlgorithm.ROUND_ROBIN.selector(List.of(
            backend(1, 1, true), backend(2, 1, false), backend(3, 1, true), backend(4, 0, true), backend(5, 7, true)));
        final int[] counts = new int[5];
        for (int i = 0; i < 300; i++)
        {
            counts[rr.select(i)]++;
        }
        assertArrayEquals(new int[] {100, 0, 100, 0, 100}, counts);
        rr.available(2, false);
        assertEquals(List.of(0, 4, 0, 4), picks(rr, 4));
        rr.available(0, false);
        rr.available(4, false);
        assertEquals(BackendSelector.NO_BACKEND, rr.select(0));
        rr.available(2, true);
        assertEquals(2, rr.select(0));
    }

    @Test
    void smoothWeightedFollowsNginxAndIsExactOverACycle()
    {
        final BackendSelector wrr = BalancingAlgorithm.WEIGHTED_ROUND_ROBIN.selector(List.of(
            backend(1, 5, true), backend(2, 1, true), backend(3, 1, true)));
        assertEquals(List.of(0, 0, 1, 0, 2, 0, 0), picks(wrr, 7), "nginx's a a b a c a a");
        final BackendSelector weighted = BalancingAlgorithm.WEIGHTED_ROUND_ROBIN.selector(List.of(
            backend(1, 3, true), backend(2, 7, true), backend(3, 1, false), backend(4, 10, true), backend(5, 0, true)));
        for (int cycle = 0; cycle < 5; cycle++)
        {
            final int[] counts = new int[5];
            for (final int pick : picks(weighted, 20))
            {
                counts[pick]++;
            }
            assertArrayEquals(new int[] {3, 7, 0, 10, 0}, counts, "every cycle of 20 picks");
        }
    }

    @Test
    void leastConnectionsPicksTheLeastLoadedPerWeight()
    {
        final LeastConnectionsSelector lc = (LeastConnectionsSelector)BalancingAlgorithm.LEAST_CONNECTIONS.selector(
            List.of(backend(1, 1, true), backend(2, 1, true), backend(3, 2, true), backend(4, 1, false)));
        for (int i = 0; i < 3; i++)
        {
            lc.flowOpened(0);
        }
        lc.flowOpened(1);
        for (int i = 0; i < 3; i++)
        {
            lc.flowOpened(2);
        }
        // Loads per weight: 3, 1, 1.5 -> backend 1.
        assertEquals(1, lc.select(0));
        lc.flowOpened(1);
        lc.flowOpened(1);
        // 3, 3, 1.5 -> backend 2.
        assertEquals(2, lc.select(0));
        for (int i = 0; i < 3; i++)
        {
            lc.flowClosed(0);
        }
        assertEquals(0, lc.select(0));
        assertEquals(0, lc.activeFlows(0));
        lc.flowClosed(0);
        assertEquals(0, lc.activeFlows(0), "never below zero");

        final BackendSelector even = BalancingAlgorithm.LEAST_CONNECTIONS.selector(List.of(
            backend(1, 1, true), backend(2, 1, true), backend(3, 1, true)));
        final int[] counts = new int[3];
        for (int i = 0; i < 30; i++)
        {
            counts[even.select(0)]++;
        }
        assertArrayEquals(new int[] {10, 10, 10}, counts, "ties go round-robin");
        even.available(1, false);
        for (int i = 0; i < 10; i++)
        {
            assertTrue(even.select(0) != 1);
        }
    }

    @Test
    void maglevSharesFollowWeights()
    {
        final List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            backends.add(backend(i, 1 + i % 4, i != 7));
        }
        final MaglevSelector maglev = new MaglevSelector(backends);
        final int[] slots = new int[20];
        for (int s = 0; s < maglev.tableSize(); s++)
        {
            slots[maglev.slot(s)]++;
        }
        assertEquals(0, slots[7], "disabled backends own no slot");
        int totalWeight = 0;
        for (int i = 0; i < 20; i++)
        {
            totalWeight += i == 7 ? 0 : 1 + i % 4;
        }
        for (int i = 0; i < 20; i++)
        {
            if (i != 7)
            {
                final double expected = (double)maglev.tableSize() * (1 + i % 4) / totalWeight;
                assertEquals(expected, slots[i], expected * 0.05, "backend " + i);
            }
        }
        assertEquals(maglev.select(0x1234_5678_9ABC_DEF0L), maglev.select(0x1234_5678_9ABC_DEF0L));
        assertThrows(IllegalArgumentException.class, () -> new MaglevSelector(backends, 65536));
        assertThrows(IllegalArgumentException.class, () -> new MaglevSelector(backends, 19));
    }

    @Test
    void maglevRemapsAboutOneNthWhenABackendGoesOrComes()
    {
        final int n = 100;
        final List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            backends.add(backend(i, 1, true));
        }
        final MaglevSelector before = new MaglevSelector(backends);
        final SplittableRandom random = new SplittableRandom(2016);
        final long[] flows = new long[200_000];
        final int[] owner = new int[flows.length];
        for (int f = 0; f < flows.length; f++)
        {
            flows[f] = random.nextLong();
            owner[f] = before.select(flows[f]);
        }

        before.available(42, false);
        int remapped = 0;
        for (int f = 0; f < flows.length; f++)
        {
            final int now = before.select(flows[f]);
            assertTrue(now != 42);
            remapped += now != owner[f] ? 1 : 0;
        }
        // The removed backend's flows (1/N) must move; Maglev moves a small extra share of the others (measured:
        // about 0.55/N with M = 65537), so the bound is 2/N.
        final double remappedShare = (double)remapped / flows.length;
        assertTrue(remappedShare > 0.8 / n && remappedShare < 2.0 / n, "removing 1 of 100 remapped " + remappedShare);

        final List<Backend> grown = new ArrayList<>(backends);
        grown.add(backend(n, 1, true));
        final MaglevSelector bigger = new MaglevSelector(grown);
        final MaglevSelector same = new MaglevSelector(backends);
        int changed = 0;
        for (int f = 0; f < flows.length; f++)
        {
            if (bigger.select(flows[f]) != same.select(flows[f]))
            {
                changed++;
            }
        }
        final double changedShare = (double)changed / flows.length;
        assertTrue(changedShare > 0.8 / (n + 1) && changedShare < 2.0 / (n + 1),
            "adding a 101st remapped " + changedShare);
    }

    @Test
    void noEligibleBackendMeansNoBackend()
    {
        for (final BalancingAlgorithm algorithm : BalancingAlgorithm.values())
        {
            final BackendSelector selector = algorithm.selector(List.of(backend(1, 1, false), backend(2, 0, true)));
            assertEquals(BackendSelector.NO_BACKEND, selector.select(99), algorithm.name());
            assertFalse(selector.isEligible(0));
            assertEquals(2, selector.size());
            final BackendSelector empty = algorithm.selector(List.of());
            assertEquals(BackendSelector.NO_BACKEND, empty.select(1), algorithm.name());
        }
    }

    private static List<Integer> picks(final BackendSelector selector, final int count)
    {
        final List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            picks.add(selector.select(i));
        }
        return picks;
    }
}
