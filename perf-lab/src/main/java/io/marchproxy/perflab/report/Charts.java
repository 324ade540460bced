package io.marchproxy.perflab.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The report's three kinds of plot, written as PNG files of one size in headless AWT: the spread of a figure over
 * rounds per implementation (box and whisker), CDFs on a logarithmic latency axis, and lines of a figure against a
 * parameter. Colours are fixed per series name, so "java" is the same colour in every plot.
 */
final class Charts
{
    static final int WIDTH = 720;
    static final int HEIGHT = 400;

    private static final Map<String, Color> COLOURS = Map.of(
        "java", new Color(0xD6, 0x61, 0x1E),
        "c", new Color(0x1F, 0x6F, 0xB4),
        "l2fwd", new Color(0x1F, 0x6F, 0xB4),
        "kernel", new Color(0x2C, 0x9E, 0x4B),
        "offload", new Color(0x8E, 0x44, 0xAD));
    private static final Color[] OTHERS = {
        new Color(0x8E, 0x44, 0xAD), new Color(0x7F, 0x7F, 0x7F), new Color(0xBC, 0xBD, 0x22),
        new Color(0x17, 0xBE, 0xCF), new Color(0xE3, 0x77, 0xC2), new Color(0x8C, 0x56, 0x4B)};

    private Charts()
    {
    }

    /** A box per (series, category) of the values over rounds; {@code values} is series -> category -> rounds. */
    static void boxes(final Path file, final String title, final String subtitle, final String valueLabel,
        final Map<String, Map<String, List<Double>>> values) throws IOException
    {
        final DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        values.forEach((series, byCategory) -> byCategory.forEach((category, rounds) ->
            data.add(new ArrayList<>(rounds), series, category)));
        final JFreeChart chart = ChartFactory.createBoxAndWhiskerChart(title, null, valueLabel, data, true);
        final CategoryPlot plot = chart.getCategoryPlot();
        final BoxAndWhiskerRenderer renderer = (BoxAndWhiskerRenderer)plot.getRenderer();
        renderer.setMeanVisible(false);
        renderer.setMaxOutlierVisible(true);
        renderer.setMinOutlierVisible(true);
        renderer.setMaximumBarWidth(0.12);
        int i = 0;
        for (final String series : values.keySet())
        {
            renderer.setSeriesPaint(i, colour(series, i));
            i++;
        }
        ((NumberAxis)plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        save(file, chart, subtitle);
    }

    /**
     * CDF lines through percentile points: {@code curves} is series -> [[value, percentile], ...], the series named in
     * {@code dashed} drawn dashed; the value axis is logarithmic.
     */
    static void cdf(final Path file, final String title, final String subtitle, final String valueLabel,
        final Map<String, List<double[]>> curves, final Set<String> dashed) throws IOException
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final Map.Entry<String, List<double[]>> e : curves.entrySet())
        {
            final XYSeries series = new XYSeries(e.getKey(), true, true);
            for (final double[] point : e.getValue())
            {
                if (point[0] > 0)
                {
                    series.add(point[0], point[1]);
                }
            }
            data.addSeries(series);
        }
        final JFreeChart chart = ChartFactory.createXYLineChart(title, valueLabel, "percentile", data,
            PlotOrientation.VERTICAL, true, false, false);
        final XYPlot plot = chart.getXYPlot();
        final LogAxis axis = new LogAxis(valueLabel);
        axis.setBase(10);
        axis.setSmallestValue(1e-3);
        // a label at each power of ten, printed as a plain number, minor ticks between
        axis.setTickUnit(new NumberTickUnit(1.0), false, true);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        axis.setMinorTickCount(9);
        axis.setMinorTickMarksVisible(true);
        plot.setDomainAxis(axis);
        final NumberAxis range = (NumberAxis)plot.getRangeAxis();
        range.setRange(0, 100.5);
        styleLines(plot, new ArrayList<>(curves.keySet()), dashed);
        save(file, chart, subtitle);
    }

    /** Lines of a figure against a parameter: {@code lines} is series -> [[x, y], ...], points shown. */
    static void lines(final Path file, final String title, final String subtitle, final String xLabel,
        final String yLabel, final Map<String, List<double[]>> lines) throws IOException
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final Map.Entry<String, List<double[]>> e : lines.entrySet())
        {
            final XYSeries series = new XYSeries(e.getKey(), true, false);
            for (final double[] point : e.getValue())
            {
                series.add(point[0], point[1]);
            }
            data.addSeries(series);
        }
        final JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data,
            PlotOrientation.VERTICAL, true, false, false);
        styleLines(chart.getXYPlot(), new ArrayList<>(lines.keySet()), Set.of());
        save(file, chart, subtitle);
    }

    private static void styleLines(final XYPlot plot, final List<String> names, final Set<String> dashed)
    {
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < names.size(); i++)
        {
            renderer.setSeriesPaint(i, colour(names.get(i), i));
            renderer.setSeriesStroke(i, dashed.contains(names.get(i))
                ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                : new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    /** The colour of a series: by its first word (java, c, l2fwd, kernel, ...), else one of the others by index. */
    static Color colour(final String series, final int index)
    {
        final String key = series.split("[ (]", 2)[0].toLowerCase(Locale.ROOT);
        final Color known = COLOURS.get(key);
        return known != null ? known : OTHERS[index % OTHERS.length];
    }

    private static void save(final Path file, final JFreeChart chart, final String subtitle) throws IOException
    {
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        if (subtitle != null && !subtitle.isEmpty())
        {
            chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        }
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** An insertion-ordered map, for building series in the order they should be drawn. */
    static <V> Map<String, V> ordered()
    {
        return new LinkedHashMap<>();
    }
}
