package io.marchproxy.control.config;

import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Cidr;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.marchproxy.control.model.AccessAction.ALLOW;
import static io.marchproxy.control.model.AccessAction.DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The documented rule, case by case. */
class AccessDecisionTest {
    private static final ResolvedConfig.ServiceEntry WEB = new ResolvedConfig.ServiceEntry("web", "web", "10.9.0.1",
            443, 443, "https", "default", List.of(), "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null,
            null, null);

    private static ResolvedConfig config(AccessAction defaultPolicy, ResolvedConfig.MappingEntry... mappings) {
        return new ResolvedConfig("c", "c", 1, "", new ResolvedConfig.Settings(true, 3, null, false, false, false,
                defaultPolicy), List.of(WEB), List.of(mappings), List.of());
    }

    private static ResolvedConfig.MappingEntry mapping(AccessAction action, String source, String protocol,
                                                       String ports) {
        return new ResolvedConfig.MappingEntry("m", "m", action, List.of(), List.of(source), List.of("web"),
                List.of(protocol), PortSpec.parse(ports), false, 1);
    }

    private static List<AccessAction> decide(ResolvedConfig c) {
        List<AccessAction> out = new ArrayList<>();
        for (String client : List.of("10.0.0.1", "10.0.0.2")) {
            out.add(AccessDecision.decide(c, WEB, 443, Cidr.parse(client).network()));
        }
        return out;
    }

    @Test
    void firstMatchThenTheFallback() {
        assertEquals(List.of(ALLOW, ALLOW), decide(config(ALLOW)), "nothing applies: the cluster default");
        assertEquals(List.of(DENY, DENY), decide(config(DENY)), "nothing applies: the cluster default");
        assertEquals(List.of(ALLOW, DENY), decide(config(DENY, mapping(ALLOW, "10.0.0.1/32", "https", "443"))));
        assertEquals(List.of(ALLOW, DENY), decide(config(ALLOW, mapping(ALLOW, "10.0.0.1/32", "https", "443"))),
                "an allow mapping makes the service an allow list, as before default policies");
        assertEquals(List.of(DENY, ALLOW), decide(config(ALLOW, mapping(DENY, "10.0.0.1/32", "https", "443"))));
        assertEquals(List.of(DENY, DENY), decide(config(DENY, mapping(DENY, "10.0.0.1/32", "https", "443"))));
        assertEquals(List.of(DENY, ALLOW), decide(config(DENY, mapping(DENY, "10.0.0.1/32", "https", "443"),
                mapping(ALLOW, "10.0.0.0/24", "https", "443"))), "the earlier deny wins for 10.0.0.1");
        assertEquals(List.of(ALLOW, DENY), decide(config(ALLOW, mapping(ALLOW, "10.0.0.1/32", "https", "443"),
                mapping(DENY, "10.0.0.0/24", "https", "443"))), "the earlier allow wins for 10.0.0.1");
        assertEquals(List.of(ALLOW, ALLOW), decide(config(ALLOW, mapping(ALLOW, "10.0.0.1/32", "http", "443"),
                mapping(ALLOW, "10.0.0.1/32", "https", "80"))), "another protocol or port does not apply");
    }
}
