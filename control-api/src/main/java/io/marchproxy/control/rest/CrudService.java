package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.Entity;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.store.StoreState;
import io.marchproxy.control.store.Transaction;
import io.marchproxy.control.validation.ObjectSchema;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * List, create, read, replace and delete for one kind of entity. Subclasses say how a validated body becomes an
 * entity (checking references and uniqueness against the transaction, so checks and write are atomic), which filters
 * a list accepts, and what blocks a delete. Replace and delete honour {@code If-Match}.
 *
 * @param <T> the entity
 * @param <P> what {@link #prepare} derives from a body on the request thread ({@link Void} when nothing is)
 */
public abstract class CrudService<T extends Entity, P> extends ResourceService {
    protected final ConfigStore store;
    protected final EntityKind<T> kind;
    protected final Clock clock;
    private final RenderCache listCache = new RenderCache();

    protected CrudService(Gate gate, ConfigStore store, EntityKind<T> kind, Clock clock) {
        super(gate);
        this.store = store;
        this.kind = kind;
        this.clock = clock;
    }

    /** Body of create and replace. */
    protected abstract ObjectSchema schema();

    /** Query parameters the list route filters on, each with the entity value it compares. */
    protected abstract List<ListFilter<T>> filters();

    /**
     * Builds the entity to store from a valid body and what {@link #prepare} derived from it; {@code existing} is
     * null on create. Runs on the store's single writer thread.
     */
    protected abstract T build(ObjectNode body, P prepared, Transaction tx, T existing, Meta meta);

    /**
     * Last step on the request thread before the transaction: slow work (password hashing, PEM parsing) belongs
     * here, not in {@link #build}, which runs on the store's single writer thread. Its result is handed to
     * {@link #build} as it is; the body itself is not changed. By default nothing is derived.
     */
    protected P prepare(ObjectNode body) {
        return null;
    }

    /**
     * Throws if {@code caller} may not replace ({@code body} given) or delete ({@code body} null) entity {@code id}
     * whatever its state: a rule about who asks rather than about the data. Nothing by default.
     */
    protected void checkCaller(Principal caller, String id, ObjectNode body) {
    }

    /** Throws a 409 if something still refers to {@code entity}. */
    protected void checkDelete(Transaction tx, T entity) {
    }

    protected String readAccess() {
        return Access.VIEWER;
    }

    protected String writeAccess() {
        return Access.OPERATOR;
    }

    /** What a response shows of an entity. */
    protected Object view(T entity) {
        return entity;
    }

    /** The schema of {@link #view}: the entity's record as the REST mapper writes it, unless a view changes that. */
    protected ResponseSchema viewSchema() {
        return ResponseSchema.of(kind.type(), schema());
    }

    /** The schema of the create response, which is the {@link #view} unless create returns more. */
    protected ResponseSchema createdSchema() {
        return viewSchema();
    }

    /** Routes beyond CRUD; registered before {@code /{id}} so fixed segments win. */
    protected List<Endpoint> extraEndpoints() {
        return List.of();
    }

    @Override
    public List<Endpoint> endpoints() {
        List<QueryParam> listQuery = ListFilter.query(filters());
        List<Endpoint> all = new ArrayList<>(extraEndpoints());
        all.add(new Endpoint(Method.GET, "/", "List " + tag() + " (paged, filtered)", readAccess(), null,
                listQuery, 200, ResponseSchema.page(viewSchema()), this::list));
        all.add(new Endpoint(Method.POST, "/", "Create a " + singular(), writeAccess(), schema(), List.of(), 201,
                createdSchema(), this::create));
        all.add(new Endpoint(Method.GET, "/{id}", "Get a " + singular(), readAccess(), null, List.of(), 200,
                viewSchema(), this::read));
        all.add(new Endpoint(Method.PUT, "/{id}", "Replace a " + singular() + " (If-Match: ETag)", writeAccess(),
                schema(), List.of(), 200, viewSchema(), this::replace));
        all.add(new Endpoint(Method.DELETE, "/{id}", "Delete a " + singular() + " (If-Match: ETag)",
                writeAccess(), null, List.of(), 204, null, this::delete));
        return all;
    }

    protected String singular() {
        return kind.wireName();
    }

    protected void list(ServerRequest req, ServerResponse res, Principal caller) {
        Paging paging = Requests.paging(req);
        StoreState state = store.state();
        byte[] body = listCache.get(state, req.query().rawValue(), () -> {
            Predicate<T> selected = ListFilter.selecting(filters(), req);
            List<Object> matching = new ArrayList<>();
            for (T e : state.list(kind)) {
                if (selected.test(e)) {
                    matching.add(view(e));
                }
            }
            return RestJson.write(Page.of(matching, paging));
        });
        Responses.jsonBytes(res, 200, body);
    }

    protected void create(ServerRequest req, ServerResponse res, Principal caller) {
        ObjectNode body = Requests.body(req, schema());
        P prepared = prepare(body);
        T created = store.update(caller.name(), singular() + ".create",
                tx -> tx.put(kind, build(body, prepared, tx, null, Meta.create(clock.instant()))));
        res.header(HeaderNames.LOCATION, basePath() + "/" + created.id());
        Responses.entity(res, 201, created, view(created));
    }

    protected void read(ServerRequest req, ServerResponse res, Principal caller) {
        T e = find(Requests.pathParam(req, "id"));
        Responses.entity(res, 200, e, view(e));
    }

    protected void replace(ServerRequest req, ServerResponse res, Principal caller) {
        String id = Requests.pathParam(req, "id");
        ObjectNode body = Requests.body(req, schema());
        checkCaller(caller, id, body);
        P prepared = prepare(body);
        T updated = store.update(caller.name(), singular() + ".update", tx -> {
            T existing = tx.get(kind, id).orElseThrow(() -> ProblemException.notFound(singular(), id));
            Requests.checkIfMatch(req, existing.revision());
            return tx.put(kind, build(body, prepared, tx, existing,
                    Meta.update(id, existing.revision(), existing.createdAt(), clock.instant())));
        });
        Responses.entity(res, 200, updated, view(updated));
    }

    protected void delete(ServerRequest req, ServerResponse res, Principal caller) {
        String id = Requests.pathParam(req, "id");
        checkCaller(caller, id, null);
        store.update(caller.name(), singular() + ".delete", tx -> {
            T existing = tx.get(kind, id).orElseThrow(() -> ProblemException.notFound(singular(), id));
            Requests.checkIfMatch(req, existing.revision());
            checkDelete(tx, existing);
            tx.delete(kind, id);
            return null;
        });
        Responses.noContent(res);
    }

    protected T find(String id) {
        return store.state().get(kind, id).orElseThrow(() -> ProblemException.notFound(singular(), id));
    }

    /** 409 on {@code field} if another entity of this kind already has {@code value} as its unique key. */
    protected void requireUnique(Transaction tx, String field, String value, Meta meta) {
        tx.findByKey(kind, value).filter(other -> !other.id().equals(meta.id())).ifPresent(other -> {
            throw ProblemException.conflict(field, singular() + " with " + field + " '" + value
                    + "' already exists (id " + other.id() + ")");
        });
    }

    /** The cluster {@code clusterId} names, or a 422 on {@code clusterId}: checked in the transaction, atomically. */
    protected static Cluster requireCluster(Transaction tx, String clusterId) {
        return tx.get(EntityKind.CLUSTER, clusterId).orElseThrow(
                () -> ProblemException.unprocessable("clusterId", "no cluster with id " + clusterId));
    }
}
