package io.marchproxy.control.observe;

/** Prometheus text exposition format helpers. */
final class PrometheusText {
    private PrometheusText() {
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        if (out.indexOf("# TYPE " + name + " ") < 0) {
            out.append("# HELP ").append(name).append(' ').append(help).append('\n');
            out.append("# TYPE ").append(name).append(" gauge\n");
        }
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value))
                .append('\n');
    }
}
