package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.model.QosPolicy;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.Transaction;
import io.marchproxy.control.validation.IntegerSchema;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.time.Clock;
import java.util.List;

/** {@code /api/v1/qos}: at most one policy per service; rates of 0 mean unlimited. */
public final class QosService extends CrudService<QosPolicy, Void> {
    static final ObjectSchema SCHEMA = ObjectSchema.builder()
            .required("serviceId", Schemas.id())
            .optional("ingressMbps", IntegerSchema.range(0, 400_000).withExample(100), 0)
            .optional("egressMbps", IntegerSchema.range(0, 400_000).withExample(100), 0)
            .optional("burstKb", IntegerSchema.range(0, 1_048_576).withExample(64), 0)
            .optional("priority", StringSchema.oneOf("P0", "P1", "P2", "P3"), "P2")
            .optional("weight", IntegerSchema.range(1, 100).withExample(10), 10)
            .optional("maxLatencyMs", IntegerSchema.range(0, 60_000), 0)
            .optional("dscp", IntegerSchema.range(0, 63), 0)
            .build();

    public QosService(Gate gate, ConfigStore store, Clock clock) {
        super(gate, store, EntityKind.QOS, clock);
    }

    @Override
    public String basePath() {
        return "/api/v1/qos";
    }

    @Override
    public String tag() {
        return "qos";
    }

    @Override
    protected String singular() {
        return "qos policy";
    }

    @Override
    protected ObjectSchema schema() {
        return SCHEMA;
    }

    @Override
    protected List<ListFilter<QosPolicy>> filters() {
        return List.of(
                ListFilter.text("serviceId", QosPolicy::serviceId),
                ListFilter.text("clusterId", QosPolicy::clusterId),
                ListFilter.text("priority", QosPolicy::priority));
    }

    @Override
    protected QosPolicy build(ObjectNode b, Void none, Transaction tx, QosPolicy existing, Meta meta) {
        String serviceId = b.get("serviceId").textValue();
        Service service = tx.get(EntityKind.SERVICE, serviceId).orElseThrow(
                () -> ProblemException.unprocessable("serviceId", "no service with id " + serviceId));
        if (existing != null && !existing.serviceId().equals(serviceId)) {
            throw ProblemException.unprocessable("serviceId", "a QoS policy cannot move to another service");
        }
        requireUnique(tx, "serviceId", serviceId, meta);
        return new QosPolicy(meta.id(), serviceId, service.clusterId(), b.get("ingressMbps").intValue(),
                b.get("egressMbps").intValue(), b.get("burstKb").intValue(), b.get("priority").textValue(),
                b.get("weight").intValue(), b.get("maxLatencyMs").intValue(), b.get("dscp").intValue(),
                meta.revision(), meta.createdAt(), meta.updatedAt());
    }
}
