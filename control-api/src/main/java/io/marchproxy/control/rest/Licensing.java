package io.marchproxy.control.rest;

import io.marchproxy.control.licence.Licence;
import io.marchproxy.control.licence.LicenceVerifier;
import io.marchproxy.control.model.LicenceRecord;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;

import java.util.Optional;

/**
 * The licence in force: a token installed through the API wins over one from configuration; a token that does not
 * verify (bad signature, expired) counts as none, so the community tier applies.
 */
public final class Licensing {
    private final LicenceVerifier verifier;
    private final Optional<String> configuredToken;

    public Licensing(LicenceVerifier verifier, Optional<String> configuredToken) {
        this.verifier = verifier;
        this.configuredToken = configuredToken;
    }

    public Licence current(StoreState state) {
        Optional<String> installed = state.get(EntityKind.LICENCE, LicenceRecord.CURRENT).map(LicenceRecord::token);
        return verifier.effective(installed.isPresent() ? installed : configuredToken);
    }

    public LicenceVerifier verifier() {
        return verifier;
    }
}
