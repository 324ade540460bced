package io.marchproxy.control.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson set-up every JSON form of the model starts from (REST, journal, resolved config, version copies):
 * Java time types as ISO-8601 text. Callers add what their form needs (mix-ins hiding secrets, key ordering,
 * leniency) to the fresh mapper they get.
 */
public final class ModelJson {
    private ModelJson() {
    }

    /** A new mapper, configured and not shared, so a caller's additions cannot leak into another form. */
    public static ObjectMapper newMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
}
