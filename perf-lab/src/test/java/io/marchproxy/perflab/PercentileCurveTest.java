package io.marchproxy.perflab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PercentileCurveTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fromTheMinimumToTheMaximumInTheUnitAsked() throws Exception
    {
        final Histogram h = new Histogram(3);
        for (int us = 1; us <= 1000; us++)
        {
            h.recordValue(us * 1000L); // nanoseconds
        }
        final JsonNode curve = JSON.readTree(PercentileCurve.json(h, 1e3));
        assertEquals(PercentileCurve.PERCENTILES.length, curve.size());
        assertEquals(1.0, curve.get(0).get(0).asDouble(), 0.01, "percentile 0 is the minimum");
        assertEquals(0, curve.get(0).get(1).asDouble());
        assertEquals(500.0, curve.get(5).get(0).asDouble(), 0.5, "p50 of 1..1000 us");
        assertEquals(50, curve.get(5).get(1).asDouble());
        assertEquals(99.9, curve.get(11).get(1).asDouble());
        assertEquals(1000.0, curve.get(curve.size() - 1).get(0).asDouble(), 1.0, "percentile 100 is the maximum");
        for (int i = 1; i < curve.size(); i++)
        {
            assertTrue(curve.get(i).get(0).asDouble() >= curve.get(i - 1).get(0).asDouble(), "a CDF never falls");
        }
    }

    @Test
    void anEmptyHistogramIsNull()
    {
        assertEquals("null", PercentileCurve.json(new Histogram(3), 1e3));
    }
}
